"""The chat over HTTP: `POST /api/chat` for the widget, `/chat` without JavaScript, and
`kb chat` in a terminal. The engine itself is chatbot/; `service` keeps conversations.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from web.chat import routes
    from web.chat.phone_links import phone_links

    app.register_blueprint(routes.bp)
    app.add_template_filter(phone_links, "phone_links")
