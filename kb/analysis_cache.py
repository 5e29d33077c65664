"""Analyzed documents kept between builds, so a build analyzes only the articles that changed.

One SQLite file beside the index generations: key (kb.documents.document_key, which covers the
article's text and the analyzer) → the pickled AnalyzedDocument. It is derived data like the
index: a missing, damaged or unreadable cache is an empty one, never an error. One build runs
at a time (the index's build lock); the worker processes of a parallel build each write their
part in one transaction, and SQLite makes the other wait.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from kb.documents import AnalyzedDocument

log = logging.getLogger(__name__)

# SQLite limits the parameters of one statement; keys are asked for in batches below it.
_BATCH = 500


class AnalysisCache:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30)
        try:
            with connection:  # one transaction: committed, or rolled back on error
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, data BLOB)"
                )
                yield connection
        finally:
            connection.close()

    def get_many(self, keys: Iterable[str]) -> dict[str, AnalyzedDocument]:
        """The cached documents of `keys` (those not cached are absent)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, AnalyzedDocument] = {}
        try:
            with self._connection() as connection:
                for start in range(0, len(wanted), _BATCH):
                    batch = wanted[start : start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    rows = connection.execute(
                        f"SELECT key, data FROM documents WHERE key IN ({marks})", batch
                    )
                    found.update((key, pickle.loads(data)) for key, data in rows)
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
            log.warning("解析結果のキャッシュを読めませんでした。作り直します: %s", self.path)
            self.clear()
            return {}
        return found

    def put_many(self, documents: dict[str, AnalyzedDocument]) -> None:
        """Keep `documents` (key → document). A cache that cannot be written is skipped."""
        if not documents:
            return
        rows = [(key, pickle.dumps(doc, pickle.HIGHEST_PROTOCOL)) for key, doc in documents.items()]
        try:
            with self._connection() as connection:
                connection.executemany("INSERT OR REPLACE INTO documents VALUES (?, ?)", rows)
        except sqlite3.Error:
            log.warning("解析結果をキャッシュに書けませんでした: %s", self.path, exc_info=True)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget every document but those of `keys`, so the cache stays the size of the corpus."""
        try:
            with self._connection() as connection:
                connection.execute("CREATE TEMP TABLE kept (key TEXT PRIMARY KEY)")
                connection.executemany(
                    "INSERT OR IGNORE INTO kept VALUES (?)", ((key,) for key in keys)
                )
                connection.execute("DELETE FROM documents WHERE key NOT IN (SELECT key FROM kept)")
        except sqlite3.Error:
            log.warning("解析結果のキャッシュを整理できませんでした: %s", self.path, exc_info=True)

    def keys(self) -> set[str]:
        try:
            with self._connection() as connection:
                return {key for (key,) in connection.execute("SELECT key FROM documents")}
        except sqlite3.Error:
            return set()

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
