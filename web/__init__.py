"""The web application: the FAQ, its JSON API, the chat, the contact form and the console."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from kb import ARTICLES_DIR
from web import knowledge

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"


def instance_path() -> Path:
    return Path(os.environ.get("HELPDESK_INSTANCE") or DEFAULT_INSTANCE).resolve()


def create_app(config: dict | None = None) -> Flask:
    instance = Path((config or {}).get("INSTANCE_PATH") or instance_path())
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance))
    app.config.from_mapping(
        SECRET_KEY=_secret_key(instance),
        ARTICLES_DIR=os.environ.get("HELPDESK_ARTICLES_DIR") or str(ARTICLES_DIR),
        INDEX_DIR=str(instance / "index"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance / 'helpdesk.sqlite3'}",
        # The index is rebuilt at start when articles, synonyms or the analyzer changed.
        REFRESH_INDEX_ON_START=True,
        JSON_AS_ASCII=False,
        MAX_CONTENT_LENGTH=256 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("HELPDESK_INSECURE_COOKIES") != "1",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    from web import db, errors, security

    db.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    knowledge.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    # Each feature is one blueprint module with its templates in templates/<name>/.
    from web import api, chat, console, contact, faq, health

    for module in (health, faq, api, chat, contact, console):
        app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)


def _secret_key(instance: Path) -> str:
    """One random key per instance folder, kept across restarts and shared by every worker."""
    from_env = os.environ.get("HELPDESK_SECRET_KEY")
    if from_env:
        return from_env
    path = instance / "secret_key"
    if not path.exists():
        import secrets

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
