"""The contact form: a question the FAQ and the chat could not answer becomes an inquiry."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from web.contact import routes

    app.register_blueprint(routes.bp)
