"""Writing analyzed documents into a Whoosh index, in several processes when there are many.

SudachiPy holds the GIL, and Whoosh writes its postings in pure Python: one process uses one
core. A large build is cut into shards, one per core; each worker process analyzes its shard's
articles (or takes them from the cache) and writes them as one Whoosh segment of the
generation's index, and the parent lists the segments in one table of contents, in shard
order, so document numbers follow the articles' order as in a build in one process. This is
what Whoosh's own MpWriter(multisegment=True) does, without its job files and fork, and with
the cache; it uses the same writer internals (`SegmentWriter(_lk=False)`, `_finalize_segment`,
`_commit_toc`), stable since whoosh-reloaded is pinned exactly.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import secrets
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from kb.analysis import synonyms_path, use_synonyms
from kb.analysis_cache import AnalysisCache
from kb.articles import Article
from kb.documents import AnalyzedDocument, analyze_article

# Below this many articles one process does it all: starting workers (a fresh interpreter
# each, ~0.5 s with the dictionary) would cost more than it saves.
PARALLEL_FROM_ARTICLES = 300
# A writer's posting buffer before it sorts a run to a temporary file: a shard of 2,000
# articles (about 1.1 M postings) stays in memory, where it is sorted ~5× faster.
WRITER_LIMIT_MB = 256


class Codec(W3Codec):
    """Whoosh's codec without per-block field-length statistics: they serve Whoosh's own
    block-max scoring, which kb.scoring does not use, and cost a third of the writing."""

    length_stats = False


def writer_options() -> dict:
    return {"codec": Codec(), "limitmb": WRITER_LIMIT_MB}


def document_fields(document: AnalyzedDocument) -> dict:
    """Keyword arguments of Whoosh's add_document for the document (kb.index's schema)."""
    return {
        "id": document.id,
        "category": document.category,
        "updated": document.updated,
        **document.fields,
    }


def analyzed(
    pairs: Iterable[tuple[str, Article]], cached: dict[str, AnalyzedDocument]
) -> tuple[list[AnalyzedDocument], dict[str, AnalyzedDocument]]:
    """The documents of (key, article) pairs, in order, taken from `cached` (key → document)
    or analyzed; and the ones analyzed here, by key."""
    documents, fresh = [], {}
    for key, article in pairs:
        document = cached.get(key)
        if document is None:
            document = fresh[key] = analyze_article(article)
        documents.append(document)
    return documents, fresh


def worker_count(articles: int) -> int:
    """How many processes a build of `articles` articles uses: one per core, one when few."""
    if articles < PARALLEL_FROM_ARTICLES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, articles // (PARALLEL_FROM_ARTICLES // 2)))


class _PrivateTempStorage(FileStorage):
    """Whoosh puts a writer's temporary files in one folder named after the index (MAIN.tmp),
    shared by its parts and deleted when the writer finishes: writers in parallel need one
    each. The same name still gives the same folder, as the parts of one writer expect."""

    def __init__(self, path: str):
        super().__init__(path)
        self._tag = f"{os.getpid()}-{secrets.token_hex(4)}"

    def temp_storage(self, name=None):
        return super().temp_storage(f"{name or 'writer'}-{self._tag}")


def _write_shard(folder: str, cache_path: str | None, pairs: list[tuple[str, Article]]):
    """In a worker: write the shard's documents as one new segment of the index in `folder`,
    and the ones it analyzed into the cache. Returns (the segment, for the table of contents;
    how many documents it analyzed)."""
    cache = AnalysisCache(Path(cache_path)) if cache_path else None
    documents, fresh = analyzed(pairs, cache.get_many(k for k, _ in pairs) if cache else {})
    if cache is not None:
        # Here rather than in the parent: the documents need not travel back, and the workers
        # pickle them at once (SQLite lets one write at a time; each writes once).
        cache.put_many(fresh)
    index = _PrivateTempStorage(folder).open_index()
    writer = SegmentWriter(index, _lk=False, **writer_options())
    try:
        for document in documents:
            writer.add_document(**document_fields(document))
        segment = writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise
    writer._finish()
    return segment, len(fresh)


def write_in_parallel(
    folder: Path,
    pairs: list[tuple[str, Article]],
    cache: AnalysisCache | None,
    workers: int,
) -> int:
    """Write the documents of (key, article) pairs into the empty index in `folder`, one
    segment per worker, in order, and those not found in `cache` into it. Returns how many
    were analyzed. Raises whatever a worker raised; the index is then left without the new
    segments."""
    size = math.ceil(len(pairs) / workers)
    shards = [pairs[start : start + size] for start in range(0, len(pairs), size)]
    # A fresh interpreter, not a fork: the caller may be a threaded web worker, and a fork
    # copies only the calling thread (with any lock another thread held).
    context = multiprocessing.get_context("spawn")
    cache_path = str(cache.path) if cache is not None else None
    with ProcessPoolExecutor(
        len(shards), mp_context=context, initializer=use_synonyms, initargs=(synonyms_path(),)
    ) as pool:
        futures = [pool.submit(_write_shard, str(folder), cache_path, shard) for shard in shards]
        results = [future.result() for future in futures]
    index = FileStorage(str(folder)).open_index()
    writer = index.writer(**writer_options())
    try:
        # The parent's own empty segment is dropped; the table of contents lists the shards'.
        writer._close_segment()
        writer._commit_toc([segment for segment, _ in results])
    finally:
        writer._finish()
    return sum(count for _, count in results)
