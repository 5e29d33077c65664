"""The console for call-centre agents, editors and admins (login required for every page).

- `/console/`            agents: the newest inquiries; filter, search, detail, status, notes
- `/console/lookup`      everyone: keyboard-first search with a "copy answer" button
- `/console/analytics`   editors: top and zero-result searches, chat fallbacks, feedback
- `/console/preview/…`   editors: any article of the working tree, its problems and queries
- `/console/users`       admins: create and disable users

Pages are never cached (web/security.py) and never indexed (noindex in the layout).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, redirect, request, url_for

from kb.categories import category_label
from web.auth import ROLE_LABELS, can, current_user
from web.forms import STATUSES, LogoutForm

bp = Blueprint("console", __name__, url_prefix="/console")

JST = dt.timezone(dt.timedelta(hours=9), "JST")
STATUS_LABELS = dict(STATUSES)
OPEN_ENDPOINTS = {"console.login"}


def init_app(app: Flask) -> None:
    app.add_template_filter(jst_datetime, "console_datetime")


@bp.before_request
def _login_required():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if current_user() is None:
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    return None


@bp.context_processor
def _console_context() -> dict:
    user = current_user()
    return {
        "console_user": user,
        "can": lambda *roles: can(user, *roles),
        "logout_form": LogoutForm(),
        "role_labels": ROLE_LABELS,
        "status_labels": STATUS_LABELS,
        "category_label": category_label,
    }


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite gives back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value


def jst_datetime(value: dt.datetime | None, seconds: bool = False) -> str:
    """「2026-11-25 14:03」 in Japan time, whatever the database gave back."""
    value = as_utc(value)
    if value is None:
        return "—"
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


from web.console import (  # noqa: E402  (the views need `bp`)
    analytics,
    inquiries,
    login,
    lookup,
    preview,
    users,
)

__all__ = ["bp", "analytics", "inquiries", "login", "lookup", "preview", "users"]
