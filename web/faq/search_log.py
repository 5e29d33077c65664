"""The search log editors learn from: what was asked, how it was analyzed, what it found.

A search must answer even when its log cannot be written: the row is built (and masked) in the
request, and written behind it in batches by web/write_behind.py, so neither a slow commit nor
a database outage reaches the person searching. With `log_writes_in_background` off (the
test default) each row is written at once, in the same way.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from kb.search import SearchResponse
from web.core.models import SearchLog, utcnow
from web.core.text_input import masked_text, one_line
from web.core.write_behind import WriteBehind, write_now
from web.settings import current_settings

WHAT = "検索ログ"
EXTENSION = "search_log"

# Column sizes of SearchLog (web/core/models.py).
QUERY_COLUMN_CHARS = 400
NORMALIZED_COLUMN_CHARS = 400
CATEGORY_COLUMN_CHARS = 32


def init_app(app: Flask) -> None:
    engine = app.extensions["db_engine"]
    app.extensions[EXTENSION] = WriteBehind(WHAT, lambda rows: insert_rows(engine, rows))


def record_search(
    source: str,
    query: str,
    response: SearchResponse,
    elapsed_ms: float,
    category: str | None = None,
) -> bool:
    """Log one search ("web", "api" or "chat"). True when stored or queued; never raises."""
    typed = one_line(query)
    masked = masked_text(typed)
    row = {
        "created_at": utcnow(),
        "source": source,
        "query": masked[:QUERY_COLUMN_CHARS],
        "normalized": normalized_terms(response.terms, typed, masked)[:NORMALIZED_COLUMN_CHARS],
        "category": category[:CATEGORY_COLUMN_CHARS] if category else None,
        "result_count": response.total,
        "top_article_id": response.hits[0].id if response.hits else None,
        "elapsed_ms": round(elapsed_ms, 2),
        "confidence": response.confidence,
    }
    app = current_app
    writer = app.extensions.get(EXTENSION)
    if (
        writer is None
    ):  # an app assembled without the FAQ blueprint (web/faq/__init__.py sets it up)
        init_app(app)
        writer = app.extensions[EXTENSION]
    if current_settings().log_writes_in_background:
        writer.add(row)
        return True
    return write_now(WHAT, writer.write, [row])


def insert_rows(engine: Engine, rows: list[dict]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(SearchLog), rows)


def normalized_terms(terms: list[str], typed: str, masked: str) -> str:
    """The analyzed terms, space-joined, without the pieces of any masked personal data.

    The analyzer splits 「090-1234-5678」 into 「090」「1234」「5678」, which `mask` no longer
    recognises one by one; a term with digits that the masked query no longer contains came
    from masked data and is left out.
    """
    if masked == typed:
        return " ".join(terms)
    haystack = masked.casefold()
    return " ".join(
        term
        for term in terms
        if not any(char.isdigit() for char in term) or term.casefold() in haystack
    )
