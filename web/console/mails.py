"""`/console/mails`: every mail the helpdesk sent or is about to send, with its delivery state
and the reason of a failure (agents and admins). Without HELPDESK_SMTP_URL this is where a
newcomer sees what would have been sent (the .eml files are in the instance's outbox/)."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from web.accounts.auth import roles_required
from web.console import bp
from web.core import db, outbox
from web.core.models import OutboxMail
from web.settings import current_settings

SHOWN = 200


@bp.get("/mails")
@roles_required("agent")
def mails():
    database = db.session()
    rows = database.scalars(
        select(OutboxMail).order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()).limit(SHOWN)
    ).all()
    counts = dict(
        database.execute(select(OutboxMail.state, func.count()).group_by(OutboxMail.state)).all()
    )
    settings = current_settings()
    return render_template(
        "console/mails.html",
        mails=rows,
        counts=counts,
        states=outbox.STATE_LABELS,
        kinds=outbox.KIND_LABELS,
        smtp=bool(settings.smtp_url),
        folder=settings.instance / "outbox",
    )
