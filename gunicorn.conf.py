"""gunicorn's settings for `make run` and deploy/ (bind address and workers come from the
Makefile or the systemd unit).

Workers: gthread. A sync worker reads one request at a time, so two connections that send
their headers slowly held both workers of `make run` until the timeout (30–40 s without an
answer). A gthread worker keeps idle and keep-alive connections in a poller and gives a thread
to a request only once it is readable; with `threads` threads per worker, a few slow clients
take a few threads, not the site (tests/test_faults.py). In production nginx buffers whole requests in front of it
(deploy/nginx), so slow clients never reach gunicorn at all. The app is thread-safe: a Sudachi
tokenizer per thread, a database session per request, locks around the shared caches.

The access log names the path, never the query string or the referrer: people type phone
numbers and recipient numbers into the search box, and /search?q=… would carry them into it.
"""

worker_class = "gthread"
# Threads share one interpreter lock: more of them only add contention for the CPU-bound
# search. scripts/loadtest (2 workers, 2 CPUs, one round each): /api/search ÷ /healthz 0.79
# with sync workers, 0.74 with 2 threads, 0.76 with 4, 0.37 with 8. Four keep the throughput of
# sync workers and let three slow clients per worker wait without stopping it.
threads = 4
# A request that takes longer than this is stuck (a search takes milliseconds): the worker is
# restarted. A slow client's headers must arrive within `timeout` too.
timeout = 30
graceful_timeout = 20
keepalive = 5
# The request line must hold the longest search the app accepts (kb.search.MAX_QUERY_CHARS,
# 400 characters, up to 9 bytes each once percent-encoded: 3,600 bytes plus the path), above
# gunicorn's default of 4,094; 8,190 is its maximum.
limit_request_line = 8190

accesslog = "-"
# pid: which worker answered (a publication must reach every worker: tests/test_editor_browser.py)
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms pid=%(p)s'
