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
from collections.abc import Collection
from dataclasses import dataclass

from flask import Response, render_template, request
from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session

from kb.articles import Article
from kb.categories import CATEGORIES, CATEGORY_BY_ID
from web.accounts.auth import roles_required
from web.console import bp, dashboard, metrics
from web.core import clock, db
from web.core.errors import error_response
from web.core.knowledge import search_engine
from web.core.models import ChatTurn, Feedback, SearchLog
from web.settings import current_settings

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
GROUP_LIMIT = 30
# The chat's bot-turn intents that mean "I could not answer this": nothing understood, or
# nothing here answers it (out of scope: perhaps an article to write, perhaps truly elsewhere).
UNANSWERED_INTENTS = ("fallback", "out_of_scope")


@dataclass(frozen=True, slots=True)
class TermGroup:
    key: str  # the analyzed terms, space-joined (or the text itself when it had none)
    count: int
    example: str  # one question as typed (masked), for the link to the search
    zero_results: int = 0
    previous: int | None = None  # in the period of the same length just before, when asked

    @property
    def trend(self) -> str:
        """増加, 減少, 横ばい or 新規 against the previous period ("" when not compared)."""
        if self.previous is None:
            return ""
        if self.previous == 0:
            return "新規"
        if self.count > self.previous:
            return "増加"
        return "減少" if self.count < self.previous else "横ばい"


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
    database: Session,
    since: dt.datetime,
    zero_only: bool = False,
    limit: int = GROUP_LIMIT,
    until: dt.datetime | None = None,
    category: str | None = None,
    keys: list[str] | None = None,
    category_articles: Collection[str] = (),
) -> list[TermGroup]:
    """Searches in [since, until) grouped by analyzed terms, most frequent first; `category`:
    only searches filtered by that category or whose first result is one of
    `category_articles` (the dashboard's rule); `keys`: only these groups."""
    key = _group_key(SearchLog.normalized, SearchLog.query).label("key")
    zero = func.sum(case((SearchLog.result_count == 0, 1), else_=0)).label("zero")
    conditions = [SearchLog.created_at >= since]
    if until is not None:
        conditions.append(SearchLog.created_at < until)
    if category:
        conditions.append(
            or_(
                SearchLog.category == category,
                SearchLog.top_article_id.in_(sorted(category_articles)),
            )
        )
    if zero_only:
        conditions.append(SearchLog.result_count == 0)
    if keys is not None:
        conditions.append(_group_key(SearchLog.normalized, SearchLog.query).in_(keys))
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
    database: Session,
    since: dt.datetime,
    limit: int = GROUP_LIMIT,
    until: dt.datetime | None = None,
    category: str | None = None,
    keys: list[str] | None = None,
) -> list[TermGroup]:
    """User turns in [since, until) the chat could not answer, grouped by analyzed terms;
    `category`: only turns about that KB category; `keys`: only these groups."""
    window = {"partition_by": ChatTurn.conversation_id, "order_by": ChatTurn.id}
    conditions = [ChatTurn.created_at >= since]
    if until is not None:
        conditions.append(ChatTurn.created_at < until)
    if category:
        conditions.append(ChatTurn.category == category)
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
        .where(*conditions)
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
    among = [] if keys is None else [_group_key(turns.c.normalized, turns.c.text).in_(keys)]
    rows = database.execute(
        select(key, func.count().label("n"), func.max(turns.c.id).label("last_id"))
        .where(turns.c.role == "user", unanswered, *among)
        .group_by(key)
        .order_by(func.count().desc(), key)
        .limit(limit)
    ).all()
    examples = _texts(database, ChatTurn.id, ChatTurn.text, [row.last_id for row in rows])
    return [TermGroup(row.key, row.n, examples.get(row.last_id, row.key)) for row in rows]


def compared(current: list[TermGroup], previous: list[TermGroup]) -> list[TermGroup]:
    """`current` with each group's count in `previous` (0 when it did not occur there): ask
    for `previous` with keys=[the current keys] so that no group is cut off by a limit."""
    before = {group.key: group.count for group in previous}
    return [
        TermGroup(g.key, g.count, g.example, g.zero_results, before.get(g.key, 0)) for g in current
    ]


def feedback_by_article(
    database: Session,
    since: dt.datetime,
    until: dt.datetime | None = None,
    articles: Collection[str] | None = None,
) -> list[ArticleFeedback]:
    """Helpful / not helpful per article in [since, until), the least helpful first;
    `articles`: only these."""
    helpful = func.sum(case((Feedback.helpful.is_(True), 1), else_=0)).label("helpful")
    rows = database.execute(
        select(Feedback.article_id, func.count().label("n"), helpful)
        .where(*_feedback_filter(since, until, articles))
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


def _feedback_filter(since, until, articles) -> list:
    conditions = [Feedback.created_at >= since]
    if until is not None:
        conditions.append(Feedback.created_at < until)
    if articles is not None:
        conditions.append(Feedback.article_id.in_(sorted(articles)))
    return conditions


def recent_comments(
    database: Session,
    since: dt.datetime,
    limit: int = 20,
    until: dt.datetime | None = None,
    articles: Collection[str] | None = None,
) -> list[Feedback]:
    return list(
        database.scalars(
            select(Feedback)
            .where(*_feedback_filter(since, until, articles), Feedback.comment != "")
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


def _window(args) -> metrics.Window:
    """The period (7, 30 or 90 local days up to today) and category a request asks for;
    anything else falls back to the default, silently (the filters only offer valid values)."""
    try:
        days = int(args.get("days", DEFAULT_PERIOD))
    except ValueError:
        days = DEFAULT_PERIOD
    days = days if days in PERIODS else DEFAULT_PERIOD
    category = args.get("category") or None
    category = category if category in CATEGORY_BY_ID else None
    articles = _articles()
    return metrics.Window.ending(
        clock.today(),
        days,
        current_settings().timezone,
        category,
        [a.id for a in articles.values() if a.category == category] if category else (),
    )


def _filter_notice(args) -> str:
    """What the page says when the address asked for a period or category it does not offer."""
    notices = []
    if args.get("days") not in (None, "", *map(str, PERIODS)):
        notices.append(
            f"期間は{'・'.join(map(str, PERIODS))}日から選べます（{DEFAULT_PERIOD}日間で表示しています）。"
        )
    if args.get("category") and args.get("category") not in CATEGORY_BY_ID:
        notices.append("指定された分類はありません（すべての分類で表示しています）。")
    return "".join(notices)


def _articles() -> dict[str, Article]:
    try:
        return dict(search_engine().articles)
    except Exception:  # noqa: BLE001 - analytics still show ids without the index
        return {}


@bp.get("/analytics")
@roles_required("editor")
def analytics():
    window = _window(request.args)
    database = db.session()
    board = dashboard.build(
        database, window, _articles(), clock.today(), current_settings().review_warning_days
    )
    return render_template(
        "console/analytics.html",
        board=board,
        days=(window.last - window.first).days + 1,
        category=window.category,
        categories=CATEGORIES,
        periods=PERIODS,
        definitions=metrics.DEFINITIONS,
        filter_notice=_filter_notice(request.args),
        comments=recent_comments(
            database,
            window.since,
            until=window.until,
            articles=window.category_articles if window.category else None,
        ),
        titles=_article_titles(),
    )


@bp.get("/analytics.csv")
@roles_required("editor")
def analytics_csv():
    """One table of the dashboard (`view`, a Table id) as CSV, for the same period and category."""
    window = _window(request.args)
    board = dashboard.build(
        db.session(), window, _articles(), clock.today(), current_settings().review_warning_days
    )
    table = board.tables.get(request.args.get("view", ""))
    if table is None:
        return error_response(404, "ダウンロードできる表が見つかりません。")
    name = f"{table.id}_{window.first.isoformat()}_{window.last.isoformat()}"
    if window.category:
        name += f"_{window.category}"
    response = Response("\ufeff" + table.csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response
