"""Retention: what people typed is kept for a period, then removed (`kb purge`).

The search log, chat conversations (with their turns) and article feedback hold what people
typed, masked but still theirs; analytics need a year of it at most. Inquiries are records of
the helpdesk's work with a named person and are not purged here. Article views hold no text.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from web.core.models import ChatTurn, Conversation, Feedback, SearchLog


def purge(session: Session, older_than: dt.timedelta, now: dt.datetime) -> dict[str, int]:
    """Delete search logs, feedback and conversations (by their last turn) from before
    `now - older_than`, in one transaction. Returns rows deleted by table name."""
    cutoff = now - older_than
    counts = {}
    stale = Conversation.updated_at < cutoff
    # Turns first, to count them: the ON DELETE CASCADE would remove them uncounted.
    counts[ChatTurn.__tablename__] = session.execute(
        delete(ChatTurn).where(ChatTurn.conversation_id.in_(select(Conversation.id).where(stale)))
    ).rowcount
    for model, column in (
        (Conversation, Conversation.updated_at),
        (SearchLog, SearchLog.created_at),
        (Feedback, Feedback.created_at),
    ):
        counts[model.__tablename__] = session.execute(delete(model).where(column < cutoff)).rowcount
    session.commit()
    return counts
