"""The web application: the FAQ, its JSON API, the chat, the contact form and the console.

Layout (README, "where things go"):
- `settings.py`  every setting, declared once and validated (`Settings`);
- `core/`        what every feature shares: database, models and migrations, security, errors,
                 the knowledge base handle, text input, vocabularies, form fields, local time;
- one package per feature, each with its routes, forms and services:
  `faq/`, `api/`, `chat/`, `contact/`, `console/`, `accounts/`; and `cli/`, the `kb` command.
Templates live in `templates/<feature>/` under one `base.html`.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from web import settings as settings_module
from web.core.json import OrjsonProvider
from web.settings import Settings


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Assemble the app: settings first, then the shared infrastructure, then each feature.

    `overrides` (tests and commands): lowercase keys are settings by field name (typed
    values, see web/settings.py); UPPERCASE keys go to Flask's own config (TESTING,
    WTF_CSRF_ENABLED, RATELIMIT_ENABLED, CLOCK). Raises SettingsError on a bad setting.
    """
    overrides = dict(overrides or {})
    flask_overrides = {key: value for key, value in overrides.items() if key.isupper()}
    settings = settings_module.load(
        **{key: value for key, value in overrides.items() if not key.isupper()}
    )
    _private_folder(settings.instance)
    app = Flask(__name__, instance_path=str(settings.instance))
    app.json = OrjsonProvider(app)
    app.extensions["settings"] = settings
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key or _instance_secret_key(settings.instance),
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        **settings_module.flask_config(settings),
    )
    app.config.update(flask_overrides)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.proxy_hops:
        # Only the configured number of proxies is believed: the client's address (rate limits),
        # scheme (secure cookies, CSRF's referrer check) and host (Origin checks, sitemap URLs).
        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=settings.proxy_hops,
            x_proto=settings.proxy_hops,
            x_host=settings.proxy_hops,
            x_port=settings.proxy_hops,
        )
    _init_core(app, settings)
    _register_features(app)
    return app


def _init_core(app: Flask, settings: Settings) -> None:
    from web.core import db, errors, knowledge, outbox, security

    db.init_app(app)
    outbox.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    knowledge.init_app(app)
    # Every page names the call centre (footer, contact boxes, imported macros): a global.
    app.jinja_env.globals["call_centre"] = settings.call_centre
    app.jinja_env.globals["portal_url"] = settings.portal_url


def _register_features(app: Flask) -> None:
    from web import accounts, api, chat, console, contact, faq

    faq.init_app(app)
    api.init_app(app)
    chat.init_app(app)
    contact.init_app(app)
    accounts.init_app(app)
    console.init_app(app)


def _private_folder(folder: Path) -> None:
    """The instance folder (database, index, outbox, secret key) is its owner's alone; one made
    earlier by hand keeps its mode."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        os.chmod(folder, 0o700)  # mkdir's mode passes through the umask


def _instance_secret_key(instance: Path) -> str:
    """One random key per instance folder, kept across restarts and shared by every worker."""
    path = instance / "secret_key"
    if not path.exists():
        temporary = instance / f".secret_key.{os.getpid()}"
        temporary.write_text(secrets.token_hex(32), encoding="utf-8")
        os.chmod(temporary, 0o600)
        try:
            os.link(temporary, path)  # atomic: the first worker's key wins, the others read it
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()
