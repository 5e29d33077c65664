"""gunicorn's settings for `make run` (bind address and workers come from the Makefile).

The access log names the path, never the query string or the referrer: people type phone
numbers and recipient numbers into the search box, and /search?q=… would carry them into it.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
