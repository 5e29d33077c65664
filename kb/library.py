"""The knowledge base as an application holds it: articles on disk, the live index, a search engine.

`refresh()` brings the index up to date with the article files (at start, or `kb reindex`);
`engine()` answers with the newest good generation, switching when another process rebuilt it.
If anything is wrong with the files or a new generation, the last good one keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb.articles import load_articles
from kb.index import IndexStore, content_fingerprint
from kb.problems import Problem
from kb.search import SearchEngine
from kb.sources import SOURCES_DIR

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RefreshReport:
    built: bool
    generation: str | None
    problems: list[Problem] = field(default_factory=list)
    kept_previous: bool = False
    incremental: bool = False  # built from the live generation and the articles that changed


class KnowledgeBase:
    def __init__(
        self,
        articles_dir: Path,
        index_root: Path,
        check_interval: float = 1.0,
        sources_dir: Path = SOURCES_DIR,
    ):
        self.articles_dir = Path(articles_dir)
        self.sources_dir = Path(sources_dir)
        # The last load's problems and warnings, for /healthz and the review queue.
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.store = IndexStore(Path(index_root))
        self.check_interval = check_interval
        self._engine: SearchEngine | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def refresh(self, force: bool = False, full: bool = False) -> RefreshReport:
        """Rebuild the index if the articles, synonyms or analyzer changed (or `force`):
        incrementally when the live generation allows it (kb.index), else in full; `full`
        forces a full build.

        Articles with problems are never published over a working index: the previous one
        stays live and the problems are reported. With no index at all, the valid articles are
        published so the site can start.
        """
        loaded = load_articles(self.articles_dir, self.sources_dir)
        self.problems, self.warnings = loaded.problems, loaded.warnings
        current = self.store.current_generation()
        if (
            loaded.problems
            and current is not None
            and self.store.is_fresh(self.store.current_fingerprint() or "")
        ):
            log.error(
                "記事に問題があるため、前回の索引を使い続けます（%d 件）", len(loaded.problems)
            )
            return RefreshReport(False, current, loaded.problems, kept_previous=True)
        fingerprint = content_fingerprint(self.articles_dir, self.sources_dir)
        if force or full:
            published = self.store.publish(loaded.articles, fingerprint, full=full)
            self._checked_at = 0.0  # this process serves the new generation from now on
            return RefreshReport(
                True, published.generation, loaded.problems, incremental=published.incremental
            )
        built = self.store.ensure_fresh(loaded.articles, fingerprint)
        if built:
            self._checked_at = 0.0
        return RefreshReport(built, self.store.current_generation(), loaded.problems)

    def engine(self) -> SearchEngine:
        """The engine for the live generation; checks for a newer one at most every interval."""
        now = time.monotonic()
        engine = self._engine
        if engine is not None and now - self._checked_at < self.check_interval:
            return engine
        # Opening a large generation takes seconds (2.5 s at 3,800 articles): while one thread
        # opens it, the others keep answering from the engine they have instead of waiting.
        if not self._lock.acquire(blocking=engine is None):
            return engine
        try:
            self._checked_at = now
            engine = self._engine
            generation = self.store.current_generation()
            if engine is not None and (
                generation is None or generation == engine.opened.generation
            ):
                return engine
            if engine is None and generation is None:
                self.refresh()  # first use with no index at all: build it rather than fail
            try:
                fresh = SearchEngine(self.store.open())
            except Exception as error:
                if engine is not None:
                    log.exception("新しい索引を開けませんでした。前の索引で検索を続けます")
                    return engine
                # Nothing in memory yet (a worker's first search, a command) and the index on
                # disk is damaged or of an older schema (a field missing): rebuild it from the
                # articles rather than fail.
                log.warning(
                    "索引を開けませんでした（%s）。記事から作り直します", type(error).__name__
                )
                self.refresh(full=True)
                fresh = SearchEngine(self.store.open())
            self._engine = fresh
            return self._engine
        finally:
            self._lock.release()

    def status(self) -> dict:
        engine = self._engine
        if engine is None:
            return {"articles": 0, "index_generation": None, "index_age_seconds": None}
        return {
            "articles": len(engine.articles),
            "index_generation": engine.opened.generation,
            "index_age_seconds": round(time.time() - engine.opened.built_at, 1),
        }
