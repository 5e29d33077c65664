"""The console for call-centre agents, editors and admins (login required for every page).

- `/console/`            agents: the newest inquiries; filter, search, detail, status, notes
- `/console/mails`       agents: every mail sent or waiting, its delivery state and failure
- `/console/lookup`      everyone: keyboard-first search with a "copy answer" button
- `/console/analytics`   editors: the dashboard (trends, rates, confidence, views, gaps) + CSV
- `/console/preview/…`   editors: any article of the working tree, its problems and queries
- `/console/review`      editors: articles to confirm again (stale, due, superseded sources)
- `/console/articles/…`  editors: edit, drafts, approval, history, revert, retire (editor.py)
- `/console/audit`       admins: who changed which article when

Pages are never cached (web/core/security.py) and never indexed (noindex in the layout).
"""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for

from kb.categories import category_label
from web.accounts import user_context
from web.accounts.auth import can, current_user
from web.core.clock import format_local
from web.core.vocabulary import InquiryStatus

bp = Blueprint("console", __name__, url_prefix="/console")

STATUS_LABELS = InquiryStatus.labels()


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(format_local, "console_datetime")


@bp.before_request
def _login_required():
    if current_user() is None:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return None


bp.context_processor(user_context)


@bp.context_processor
def _console_context() -> dict:
    return {"status_labels": STATUS_LABELS, "category_label": category_label}


@bp.get("/")
def home():
    """Agents start at the inquiries, editors at the analytics."""
    if can(current_user(), "agent"):
        from web.console.inquiries import inquiry_list

        return inquiry_list()
    return redirect(url_for("console.analytics"))


from web.console import analytics, editor, inquiries, lookup, mails, preview, review  # noqa: E402

__all__ = ["bp", "analytics", "editor", "inquiries", "lookup", "mails", "preview", "review"]
