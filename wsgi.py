"""The WSGI entry point: `gunicorn wsgi:app`.

A setting that cannot be used stops the start with its Japanese message, not a traceback.
"""

import sys

from web import create_app
from web.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:
    sys.exit(f"起動できません: {error}")
