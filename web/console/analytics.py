"""What people asked and did not find: the editors' list of what to write next.

- top searches and zero-result searches (SearchLog), grouped by their analyzed terms, so
  「補助金 いつまで」 and 「補助金はいつまで？」 count as one question;
- chat fallbacks: user turns the chat could not answer (the bot's next turn is a "fallback",
  or a "search" that found nothing), grouped the same way (ChatTurn.normalized);
- article feedback: the helpful ratio per article and the recent comments.

Every group keeps one example as typed (already masked when it was logged) to link to the
search it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import render_template, request
from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from web.accounts.auth import roles_required
from web.console import bp
from web.core import db
from web.core.knowledge import search_engine
from web.core.models import ChatTurn, Feedback, SearchLog

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
GROUP_LIMIT = 30
# The chat's bot-turn intents that mean "I could not answer this".
UNANSWERED_INTENTS = ("fallback",)


@dataclass(frozen=True, slots=True)
class TermGroup:
    key: str  # the analyzed terms, space-joined (or the text itself when it had none)
    count: int
    example: str  # one question as typed (masked), for the link to the search
    zero_results: int = 0


@dataclass(frozen=True, slots=True)
class ArticleFeedback:
    article_id: str
    title: str
    helpful: int
    not_helpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def ratio(self) -> float:
        return self.helpful / self.total if self.total else 0.0


def since_days(days: int, now: dt.datetime | None = None) -> dt.datetime:
    return (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days)


EMPTY = literal_column("''")


def _group_key(normalized, text):
    # Literals, not bound parameters: PostgreSQL must see GROUP BY and SELECT as one expression.
    return case((func.coalesce(normalized, EMPTY) == EMPTY, text), else_=normalized)


def search_groups(
    database: Session, since: dt.datetime, zero_only: bool = False, limit: int = GROUP_LIMIT
) -> list[TermGroup]:
    """Searches since `since` grouped by analyzed terms, most frequent first."""
    key = _group_key(SearchLog.normalized, SearchLog.query).label("key")
    zero = func.sum(case((SearchLog.result_count == 0, 1), else_=0)).label("zero")
    conditions = [SearchLog.created_at >= since]
    if zero_only:
        conditions.append(SearchLog.result_count == 0)
    rows = database.execute(
        select(key, func.count().label("n"), zero, func.max(SearchLog.id).label("last_id"))
        .where(*conditions)
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(limit)
    ).all()
    examples = _texts(database, SearchLog.id, SearchLog.query, [row.last_id for row in rows])
    return [
        TermGroup(row.key, row.n, examples.get(row.last_id, row.key), int(row.zero or 0))
        for row in rows
    ]


def chat_fallbacks(
    database: Session, since: dt.datetime, limit: int = GROUP_LIMIT
) -> list[TermGroup]:
    """User turns the chat could not answer, grouped by analyzed terms."""
    window = {"partition_by": ChatTurn.conversation_id, "order_by": ChatTurn.id}
    turns = (
        select(
            ChatTurn.id,
            ChatTurn.role,
            ChatTurn.intent,
            ChatTurn.text,
            ChatTurn.normalized,
            func.lead(ChatTurn.role).over(**window).label("next_role"),
            func.lead(ChatTurn.intent).over(**window).label("next_intent"),
            func.lead(ChatTurn.article_ids).over(**window).label("next_articles"),
        )
        .where(ChatTurn.created_at >= since)
        .subquery()
    )
    unanswered = or_(
        turns.c.intent.in_(UNANSWERED_INTENTS),
        and_(turns.c.next_role == "bot", turns.c.next_intent.in_(UNANSWERED_INTENTS)),
        and_(
            turns.c.next_role == "bot",
            turns.c.next_intent == "search",
            func.coalesce(turns.c.next_articles, EMPTY) == EMPTY,
        ),
    )
    key = _group_key(turns.c.normalized, turns.c.text).label("key")
    rows = database.execute(
        select(key, func.count().label("n"), func.max(turns.c.id).label("last_id"))
        .where(turns.c.role == "user", unanswered)
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(limit)
    ).all()
    examples = _texts(database, ChatTurn.id, ChatTurn.text, [row.last_id for row in rows])
    return [TermGroup(row.key, row.n, examples.get(row.last_id, row.key)) for row in rows]


def feedback_by_article(database: Session, since: dt.datetime) -> list[ArticleFeedback]:
    """Helpful / not helpful per article, the least helpful first."""
    helpful = func.sum(case((Feedback.helpful.is_(True), 1), else_=0)).label("helpful")
    rows = database.execute(
        select(Feedback.article_id, func.count().label("n"), helpful)
        .where(Feedback.created_at >= since)
        .group_by(Feedback.article_id)
    ).all()
    titles = _article_titles()
    result = [
        ArticleFeedback(
            row.article_id,
            titles.get(row.article_id, row.article_id),
            int(row.helpful or 0),
            row.n - int(row.helpful or 0),
        )
        for row in rows
    ]
    return sorted(result, key=lambda item: (-item.not_helpful, item.ratio, -item.total))


def recent_comments(database: Session, since: dt.datetime, limit: int = 20) -> list[Feedback]:
    return list(
        database.scalars(
            select(Feedback)
            .where(Feedback.created_at >= since, Feedback.comment != "")
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(limit)
        )
    )


def totals(database: Session, since: dt.datetime) -> dict[str, int]:
    searches, zero = database.execute(
        select(func.count(), func.sum(case((SearchLog.result_count == 0, 1), else_=0))).where(
            SearchLog.created_at >= since
        )
    ).one()
    chat_questions = database.scalar(
        select(func.count()).where(ChatTurn.role == "user", ChatTurn.created_at >= since)
    )
    feedback = database.scalar(select(func.count()).where(Feedback.created_at >= since))
    return {
        "searches": searches or 0,
        "zero": int(zero or 0),
        "chat_questions": chat_questions or 0,
        "feedback": feedback or 0,
    }


def _texts(database: Session, id_column, text_column, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(database.execute(select(id_column, text_column).where(id_column.in_(ids))).all())


def _article_titles() -> dict[str, str]:
    try:
        return {article_id: a.title for article_id, a in search_engine().articles.items()}
    except Exception:  # noqa: BLE001 - analytics still show ids without the index
        return {}


@bp.get("/analytics")
@roles_required("editor")
def analytics():
    try:
        days = int(request.args.get("days", DEFAULT_PERIOD))
    except ValueError:
        days = DEFAULT_PERIOD
    days = days if days in PERIODS else DEFAULT_PERIOD
    since = since_days(days)
    database = db.session()
    return render_template(
        "console/analytics.html",
        days=days,
        periods=PERIODS,
        totals=totals(database, since),
        top_searches=search_groups(database, since),
        zero_searches=search_groups(database, since, zero_only=True),
        fallbacks=chat_fallbacks(database, since),
        feedback=feedback_by_article(database, since),
        comments=recent_comments(database, since),
        titles=_article_titles(),
    )
