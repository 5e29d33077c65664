"""What the index answers, kept per process: the same question asked again is not searched again.

Reception desks ask the same few questions all day (「補助金いつまで」), search-as-you-type asks
for the same prefixes over and over, and an article's Markdown renders to the same HTML every
time. Each depends only on its arguments and the index, so it is kept until the index changes
(a new SearchEngine). Logging is not cached: every search is still logged by its caller.
`search_cache_size` entries per worker (0 switches the cache off).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app

from kb.articles import Article
from kb.rendering import render_markdown
from kb.search import SearchEngine, SearchResponse
from web.core.knowledge import search_engine
from web.settings import current_settings

# Longer input is rare and mostly hostile: searched every time rather than filling the cache.
MAX_KEY_CHARS = 200
EXTENSION = "answer_cache"


class AnswerCache:
    """A small LRU cache that forgets everything when the search engine (the index) changes."""

    def __init__(self, size: int):
        self.size = size
        self._engine: SearchEngine | None = None
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, engine: SearchEngine, key: tuple, compute: Callable[[], Any]) -> Any:
        if self.size <= 0:
            return compute()
        with self._lock:
            if engine is not self._engine:
                self._engine = engine
                self._entries.clear()
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: a slow search never holds up the others
        with self._lock:
            if engine is self._engine:
                self._entries[key] = value
                if len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return value


def _cache() -> AnswerCache:
    app = current_app
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions[EXTENSION] = AnswerCache(current_settings().search_cache_size)
    return cache


def search(
    query: str,
    limit: int = 10,
    category: str | None = None,
    highlight: bool = True,
    facets: bool = True,
) -> SearchResponse:
    """`SearchEngine.search`, answered from the cache when asked before. Do not modify the result."""
    engine = search_engine()

    def compute() -> SearchResponse:
        return engine.search(
            query, limit=limit, category=category, highlight=highlight, facets=facets
        )

    if len(query) > MAX_KEY_CHARS:
        return compute()
    key = ("search", query, limit, category, highlight, facets)
    return _cache().get_or_compute(engine, key, compute)


def suggest(prefix: str) -> list[dict]:
    """`SearchEngine.suggest`, answered from the cache when asked before."""
    engine = search_engine()
    if len(prefix) > MAX_KEY_CHARS:
        return engine.suggest(prefix)
    return _cache().get_or_compute(engine, ("suggest", prefix), lambda: engine.suggest(prefix))


def article_html(article: Article) -> str:
    """The article's body rendered to sanitized HTML (kb.rendering), once per index."""
    # The body is part of the key: an article read just before a reindex never gets the
    # HTML of its newer version, nor the other way round.
    key = ("html", article.id, article.body)
    return _cache().get_or_compute(search_engine(), key, lambda: render_markdown(article.body))
