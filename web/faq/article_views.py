"""Views of articles per day: counted on every article page, read for 「よく見られている記事」.

Views are queued in the request and written behind it (web/core/write_behind.py): a batch adds up
the views per article and day and applies each sum as one atomic upsert (INSERT … ON CONFLICT
DO UPDATE), never a read followed by a write, so several workers count at once safely.
Counting is best effort: an article page never waits for, or fails because of, its count.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Iterable

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from web.core import clock, db
from web.core.models import ArticleView
from web.core.write_behind import WriteBehind, write_now
from web.settings import current_settings

log = logging.getLogger(__name__)

WHAT = "閲覧数"
EXTENSION = "article_views"
POPULAR_WINDOW_DAYS = 30
# Shown while there are too few views to rank (a new site, a fresh database): the questions
# reception staff ask most, in the order a newcomer needs them.
FALLBACK_POPULAR = (
    "subsidy-period",
    "start-of-operations",
    "unentrusted-display",
    "not-displayed",
    "setup-steps",
    "verify-by-recipient-number",
    "subsidy-how-to-apply",
    "paper-tickets",
)

_UPSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def init_app(app: Flask) -> None:
    engine = app.extensions["db_engine"]
    app.extensions[EXTENSION] = WriteBehind(WHAT, lambda views: add_views(engine, views))


def record_view(article_id: str, day: dt.date | None = None) -> bool:
    """Count one view of the article for the day. True when stored or queued; never raises."""
    view = (article_id, day or clock.today())
    writer = current_app.extensions[EXTENSION]
    if current_settings().log_writes_in_background:
        writer.add(view)
        return True
    return write_now(WHAT, writer.write, [view])


def add_views(engine: Engine, views: list[tuple[str, dt.date]]) -> None:
    """Add up the views per article and day, then one upsert each, in one transaction."""
    with engine.begin() as connection:
        insert = _UPSERTS.get(connection.dialect.name)
        for (article_id, day), count in sorted(Counter(views).items()):
            if insert is None:
                _update_or_insert(connection, article_id, day, count)
                continue
            connection.execute(
                insert(ArticleView)
                .values(article_id=article_id, day=day, views=count)
                .on_conflict_do_update(
                    index_elements=["article_id", "day"],
                    set_={"views": ArticleView.views + count},
                )
            )


def _update_or_insert(connection: Connection, article_id: str, day: dt.date, count: int) -> None:
    """The portable form, for databases without ON CONFLICT: a lost insert race retries."""
    increment = (
        update(ArticleView)
        .where(ArticleView.article_id == article_id, ArticleView.day == day)
        .values(views=ArticleView.views + count)
    )
    if connection.execute(increment).rowcount:
        return
    try:
        with connection.begin_nested():
            connection.execute(
                ArticleView.__table__.insert().values(article_id=article_id, day=day, views=count)
            )
    except IntegrityError:
        connection.execute(increment)


def popular_article_ids_cached(known_ids: Iterable[str], limit: int = 5) -> list[str]:
    """`popular_article_ids`, read at most every POPULAR_CACHE_SECONDS per process.

    The ranking moves slowly, and the top page is the busiest page: it should neither query
    the database on every visit nor wait on every visit for a database that is away.
    """
    ordered = tuple(known_ids)
    seconds = current_settings().popular_cache_seconds
    now = time.monotonic()
    cached = current_app.extensions.get("popular_articles")
    if cached and cached[0] == (ordered, limit) and now - cached[1] < seconds:
        return cached[2]
    ranked = popular_article_ids(ordered, limit)
    current_app.extensions["popular_articles"] = ((ordered, limit), now, ranked)
    return ranked


def popular_article_ids(
    known_ids: Iterable[str], limit: int = 5, day: dt.date | None = None
) -> list[str]:
    """The most viewed articles of the last days, topped up with the fixed order when few."""
    ordered = list(known_ids)  # the articles' own order, the last resort of the fallback
    known = set(ordered)
    since = (day or clock.today()) - dt.timedelta(days=POPULAR_WINDOW_DAYS - 1)
    total = func.sum(ArticleView.views)
    query = (
        select(ArticleView.article_id)
        .where(ArticleView.day >= since)
        .group_by(ArticleView.article_id)
        .order_by(total.desc(), ArticleView.article_id)
        .limit(limit + 20)  # a few spare rows for ids of articles since removed
    )
    try:
        viewed = list(db.session().scalars(query))
    except Exception as error:  # noqa: BLE001 - the top page shows the fixed order instead
        db.session().rollback()
        log.warning("閲覧数を読めませんでした（%s）", type(error).__name__)
        viewed = []
    ranked = [article_id for article_id in viewed if article_id in known]
    for article_id in (*FALLBACK_POPULAR, *ordered):
        if len(ranked) >= limit:
            break
        if article_id in known and article_id not in ranked:
            ranked.append(article_id)
    return ranked[:limit]


def view_counts(days: int = POPULAR_WINDOW_DAYS, day: dt.date | None = None) -> dict[str, int]:
    """Views per article over the last `days` days (to `day`, today by default)."""
    since = (day or clock.today()) - dt.timedelta(days=days - 1)
    query = (
        select(ArticleView.article_id, func.sum(ArticleView.views))
        .where(ArticleView.day >= since)
        .group_by(ArticleView.article_id)
    )
    return {article_id: int(total) for article_id, total in db.session().execute(query)}
