"""The numbers of the editors' dashboard: queries over the logs, per period and category.

Every function takes a SQLAlchemy session and a `Window` (a period of whole local days, and
optionally one KB category) and returns plain values; the page, its CSV export and the tests
read the same values. Days are the helpdesk's local days (settings.timezone), counted in SQL,
so the cost does not grow with the rows fetched.

Definitions (also said on the page, `DEFINITIONS`):
- conversations: chat conversations begun in the period;
- self-service rate: of the conversations and searches of the period, the share not followed
  by an inquiry sent through the form. Searches are anonymous, so the form's inquiries are
  counted against both together: 1 − form inquiries ÷ (conversations + searches);
- handoff rate: the share of conversations in which the chat offered a person (the form and
  the call centre), whether or not the form was then sent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Date, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from web.core.models import ArticleView, ChatTurn, Conversation, Feedback, Inquiry, SearchLog

DEFINITIONS = {
    "self_service": "自己解決率＝期間中のチャットの会話と検索のうち、フォームからのお問い合わせに"
    "至らなかった割合（1 − フォームからのお問い合わせ数 ÷（会話数＋検索数））。",
    "handoff": "引き継ぎ率＝期間中のチャットの会話のうち、チャットが担当者への問い合わせ"
    "（フォーム・コールセンター）を案内した会話の割合。",
}

# How the dashboard names each kind of chat reply and each confidence level, in its order.
REPLY_GROUPS = (
    ("answer_confident", "回答（確信あり）"),
    ("answer_weak", "回答（確信が弱い）"),
    ("choices", "候補の記事を提示"),
    ("clarify", "聞き返し"),
    ("out_of_scope", "対象外と案内"),
    ("handoff", "担当者を案内"),
    ("other", "その他（あいさつ・入力なし等）"),
)
SEARCH_CONFIDENCE = (
    ("confident", "確信あり"),
    ("weak", "確信が弱い"),
    ("none", "確信できる記事なし"),
)


@dataclass(frozen=True, slots=True)
class Window:
    """Local days `first` … `last` (both included), in `timezone`; one category or all."""

    first: dt.date
    last: dt.date
    timezone: dt.tzinfo
    category: str | None = None
    # The ids of the category's articles (searches and views are known by their article).
    category_articles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def ending(
        cls,
        today: dt.date,
        days: int,
        timezone: dt.tzinfo,
        category: str | None = None,
        category_articles: Iterable[str] = (),
    ) -> Window:
        return cls(
            today - dt.timedelta(days=days - 1),
            today,
            timezone,
            category,
            frozenset(category_articles),
        )

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        length = self.last - self.first + dt.timedelta(days=1)
        return Window(
            self.first - length,
            self.first - dt.timedelta(days=1),
            self.timezone,
            self.category,
            self.category_articles,
        )

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), tzinfo=self.timezone).astimezone(dt.UTC)

    @property
    def until(self) -> dt.datetime:
        end = self.last + dt.timedelta(days=1)
        return dt.datetime.combine(end, dt.time(), tzinfo=self.timezone).astimezone(dt.UTC)

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def during(self, column) -> ColumnElement[bool]:
        return and_(column >= self.since, column < self.until)


# --- the local day of a stored UTC time, in SQL -----------------------------------------------


class local_day(FunctionElement):  # noqa: N801 - used like a SQL function
    """The local date of a UTC timestamp column: local_day(column, timezone)."""

    type = Date()
    inherit_cache = False  # the time zone is part of the SQL text

    def __init__(self, column, timezone: dt.tzinfo):
        self.timezone = timezone
        super().__init__(column)


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    column_sql = compiler.process(column, **kw)
    key = getattr(element.timezone, "key", None)  # a ZoneInfo, as settings.timezone is
    if key:
        name = key.replace("'", "''")
        return f"CAST(({column_sql} AT TIME ZONE '{name}') AS DATE)"
    # A fixed offset: PostgreSQL reads 'UTC+09:00' the POSIX way (west of UTC), so add it.
    return f"CAST(({column_sql} AT TIME ZONE 'UTC') + INTERVAL '{_offset_minutes(element)} minutes' AS DATE)"


def _offset_minutes(element) -> int:
    offset = element.timezone.utcoffset(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    return int(offset.total_seconds() // 60) if offset else 0


@compiles(local_day)
def _local_day_sqlite(element, compiler, **kw):
    # SQLite stores naive UTC text and knows no zones: the zone's offset now, which is exact
    # for zones without daylight saving time (Japan's).
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)}, '{_offset_minutes(element):+d} minutes')"


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# --- what each series counts --------------------------------------------------------------------


def _search_filter(window: Window) -> list:
    conditions = [window.during(SearchLog.created_at)]
    if window.category:
        conditions.append(
            or_(
                SearchLog.category == window.category,
                SearchLog.top_article_id.in_(sorted(window.category_articles)),
            )
        )
    return conditions


def _conversation_filter(window: Window) -> list:
    conditions = [window.during(Conversation.created_at)]
    if window.category:
        about = select(ChatTurn.conversation_id).where(ChatTurn.category == window.category)
        conditions.append(Conversation.id.in_(about))
    return conditions


def _inquiry_filter(window: Window) -> list:
    """Inquiries of the category: chosen on the form, or sent from a conversation about it."""
    conditions = [window.during(Inquiry.created_at)]
    if window.category:
        about = select(Conversation.token).where(
            Conversation.id.in_(
                select(ChatTurn.conversation_id).where(ChatTurn.category == window.category)
            )
        )
        conditions.append(
            or_(Inquiry.category == window.category, Inquiry.conversation_token.in_(about))
        )
    return conditions


def _view_filter(window: Window) -> list:
    conditions = [ArticleView.day >= window.first, ArticleView.day <= window.last]
    if window.category:
        conditions.append(ArticleView.article_id.in_(sorted(window.category_articles)))
    return conditions


def _bot_turn_filter(window: Window) -> list:
    conditions = [ChatTurn.role == "bot", window.during(ChatTurn.created_at)]
    if window.category:
        conditions.append(ChatTurn.category == window.category)
    return conditions


# --- per day --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    day: dt.date
    searches: int = 0
    not_found: int = 0  # searches with no result at all
    conversations: int = 0
    inquiries: int = 0
    views: int = 0


SERIES = (
    ("searches", "検索"),
    ("conversations", "チャットの会話"),
    ("inquiries", "お問い合わせ"),
    ("views", "記事の閲覧"),
)


def daily(database: Session, window: Window) -> list[Day]:
    """One `Day` per local day of the window, oldest first, zeros included."""
    counts: dict[str, Counter] = {
        name: Counter() for name in ("searches", "not_found", "conversations", "inquiries")
    }
    day = local_day(SearchLog.created_at, window.timezone).label("day")
    zero = func.sum(case((SearchLog.result_count == 0, 1), else_=0))
    for row in database.execute(
        select(day, func.count(), zero).where(*_search_filter(window)).group_by(day)
    ):
        counts["searches"][_as_date(row[0])] = row[1]
        counts["not_found"][_as_date(row[0])] = int(row[2] or 0)
    for name, column, conditions in (
        ("conversations", Conversation.created_at, _conversation_filter(window)),
        ("inquiries", Inquiry.created_at, _inquiry_filter(window)),
    ):
        day = local_day(column, window.timezone).label("day")
        for row in database.execute(select(day, func.count()).where(*conditions).group_by(day)):
            counts[name][_as_date(row[0])] = row[1]
    views = Counter(
        {
            _as_date(row[0]): int(row[1] or 0)
            for row in database.execute(
                select(ArticleView.day, func.sum(ArticleView.views))
                .where(*_view_filter(window))
                .group_by(ArticleView.day)
            )
        }
    )
    return [
        Day(
            day,
            counts["searches"][day],
            counts["not_found"][day],
            counts["conversations"][day],
            counts["inquiries"][day],
            views[day],
        )
        for day in window.days
    ]


# --- rates -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rates:
    searches: int
    conversations: int
    handed_off: int  # conversations in which the chat offered a person
    form_inquiries: int  # inquiries sent through the form (phone calls are not counted)
    chat_inquiries: int  # of which, with a chat conversation attached

    @property
    def self_service(self) -> float | None:
        """1 − form inquiries ÷ (conversations + searches); None without either."""
        total = self.conversations + self.searches
        if not total:
            return None
        return max(0.0, 1 - self.form_inquiries / total)

    @property
    def handoff(self) -> float | None:
        return self.handed_off / self.conversations if self.conversations else None


def rates(database: Session, window: Window) -> Rates:
    searches = database.scalar(select(func.count()).where(*_search_filter(window))) or 0
    conversations, handed_off = database.execute(
        select(func.count(), func.sum(case((Conversation.handed_off.is_(True), 1), else_=0))).where(
            *_conversation_filter(window)
        )
    ).one()
    form, from_chat = database.execute(
        select(
            func.count(),
            func.sum(case((Inquiry.conversation_token.is_not(None), 1), else_=0)),
        ).where(*_inquiry_filter(window), Inquiry.channel == "form")
    ).one()
    return Rates(searches, conversations or 0, int(handed_off or 0), form or 0, int(from_chat or 0))


# --- how sure the answers were ---------------------------------------------------------------


def reply_group(kind: str | None, confidence: str | None) -> str:
    """The dashboard's group (REPLY_GROUPS) of a chat reply of this kind and confidence."""
    if kind == "answer":
        return "answer_confident" if confidence == "confident" else "answer_weak"
    if kind in ("choices", "clarify", "out_of_scope", "handoff"):
        return kind
    return "other"


def chat_replies(database: Session, window: Window) -> list[tuple[str, str, int]]:
    """(group, label, replies) of the chat's replies in the window, in REPLY_GROUPS order.

    Replies stored before their kind was recorded are left out rather than guessed.
    """
    counts: Counter = Counter()
    for kind, confidence, n in database.execute(
        select(ChatTurn.kind, ChatTurn.confidence, func.count())
        .where(*_bot_turn_filter(window), ChatTurn.kind.is_not(None))
        .group_by(ChatTurn.kind, ChatTurn.confidence)
    ):
        counts[reply_group(kind, confidence)] += n
    return [(group, label, counts[group]) for group, label in REPLY_GROUPS]


def search_confidence(database: Session, window: Window) -> list[tuple[str, str, int]]:
    """(level, label, searches) of the searches in the window by the confidence of their top."""
    counts = Counter(
        dict(
            database.execute(
                select(SearchLog.confidence, func.count())
                .where(*_search_filter(window), SearchLog.confidence.is_not(None))
                .group_by(SearchLog.confidence)
            ).all()
        )
    )
    return [(level, label, counts[level]) for level, label in SEARCH_CONFIDENCE]


# --- articles --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleUse:
    article_id: str
    views: int
    helpful: int
    not_helpful: int

    @property
    def ratio(self) -> float | None:
        total = self.helpful + self.not_helpful
        return self.helpful / total if total else None


def most_viewed(database: Session, window: Window, limit: int = 10) -> list[ArticleUse]:
    """The most viewed articles of the window with their feedback in the same window."""
    total = func.sum(ArticleView.views)
    viewed = database.execute(
        select(ArticleView.article_id, total)
        .where(*_view_filter(window))
        .group_by(ArticleView.article_id)
        .order_by(total.desc(), ArticleView.article_id)
        .limit(limit)
    ).all()
    ids = [row[0] for row in viewed]
    helpful = func.sum(case((Feedback.helpful.is_(True), 1), else_=0))
    feedback = {
        row[0]: (int(row[2] or 0), row[1] - int(row[2] or 0))
        for row in database.execute(
            select(Feedback.article_id, func.count(), helpful)
            .where(Feedback.article_id.in_(ids), window.during(Feedback.created_at))
            .group_by(Feedback.article_id)
        )
    }
    return [
        ArticleUse(article_id, int(views or 0), *feedback.get(article_id, (0, 0)))
        for article_id, views in viewed
    ]
