"""The JSON API: search (the same objects as `kb search --json`), articles, suggestions.

Errors are JSON too (`{"error": {"status": 400, "message": "…"}}`, see web/core/errors.py), with
messages in Japanese like the rest of the site.
"""

from __future__ import annotations

import time

from flask import Blueprint, jsonify, request

from kb.categories import CATEGORY_BY_ID, category_label
from kb.search import dates_json
from web.core import clock
from web.core.errors import error_response
from web.core.knowledge import search_engine
from web.core.security import limiter
from web.core.text_input import QUERY_MAX_CHARS, query_arg
from web.faq import answer_cache
from web.faq.search_log import record_search
from web.settings import current_settings

bp = Blueprint("api", __name__, url_prefix="/api")
# Every route of the API, counted per client (HELPDESK_SEARCH_RATE_LIMIT): generous for people,
# a wall for a script that loops.
limiter.limit(lambda: current_settings().search_rate_limit)(bp)

DEFAULT_LIMIT = 10
MIN_LIMIT, MAX_LIMIT = 1, 50


class BadRequest(Exception):
    """A parameter a client must correct; the message says how, in Japanese."""


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):
    return error_response(400, str(error))


@bp.get("/search")
def search():
    query = _query()
    limit = _limit()
    category = _category()
    started = time.perf_counter()
    response = answer_cache.search(
        query, limit=limit, category=category, highlight=False, facets=False
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.reason != "empty":
        record_search("api", query, response, elapsed_ms, category)
    return jsonify(response.as_json(today=clock.today()))


@bp.get("/articles/<article_id>")
def article(article_id: str):
    found = search_engine().articles.get(article_id)
    if found is None:
        return error_response(404, "お探しの記事は見つかりませんでした。")
    return jsonify(
        id=found.id,
        title=found.title,
        category=found.category,
        category_label=category_label(found.category),
        answer=found.answer,
        tags=list(found.tags),
        related=list(found.related),
        sources=list(found.citations),
        evidence=list(found.evidence),
        **dates_json(found.as_of, found.reviewed, found.review_by),
        stale=found.stale(clock.today()),
        updated=found.updated.isoformat(),
        body=found.body,
        html=answer_cache.article_html(found),
        url=found.url,
    )


@bp.get("/suggest")
def suggest():
    query = _query()
    return jsonify(query=query, suggestions=answer_cache.suggest(query))


def _query() -> str:
    query = query_arg("q")
    if len(query) > QUERY_MAX_CHARS:
        raise BadRequest(f"検索語（q）は{QUERY_MAX_CHARS}文字以内で指定してください。")
    return query


def _limit() -> int:
    value = request.args.get("limit")
    if value is None or value == "":
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not MIN_LIMIT <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit は {MIN_LIMIT}〜{MAX_LIMIT} の整数で指定してください。")
    return limit


def _category() -> str | None:
    value = request.args.get("category") or None
    if value is not None and value not in CATEGORY_BY_ID:
        known = "、".join(CATEGORY_BY_ID)
        raise BadRequest(f"category には次のいずれかを指定してください: {known}")
    return value
