"""Console accounts: logging in and out, users and roles (`auth`), the admins' user pages and
the `kb user` commands. Every console page reads who is logged in from here.

- `/console/login`, `/console/logout`   everyone
- `/console/users`                      admins: create, disable and enable users, reset passwords
- `/console/account/password`           everyone: change one's own password
"""

from __future__ import annotations

from flask import Blueprint, Flask

from web.accounts.auth import can, current_user
from web.core.vocabulary import Role

bp = Blueprint("accounts", __name__, url_prefix="/console")


def user_context() -> dict:
    """What every console template knows about the person using it."""
    from web.accounts.forms import LogoutForm

    user = current_user()
    return {
        "console_user": user,
        "can": lambda *roles: can(user, *roles),
        # Rendering needs only its CSRF token: never read the request's body here, which an
        # error page (a body over the limit, 413) must not touch.
        "logout_form": LogoutForm(formdata=None),
        "role_labels": Role.labels(),
    }


bp.context_processor(user_context)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from web.accounts import passwords, routes, users  # noqa: E402  (the views need `bp`)

__all__ = ["bp", "passwords", "routes", "users", "user_context"]
