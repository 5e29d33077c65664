"""The JSON API (`/api/search`, `/api/articles`, `/api/suggest`) and `/healthz` for monitors.

`/api/chat` belongs to the chat feature (web/chat/).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from web.api import health, routes

    app.register_blueprint(health.bp)
    app.register_blueprint(routes.bp)
