"""The Whoosh index on disk: built in a new generation folder and swapped in atomically.

Layout under the index root (the instance folder's `index/`):
    CURRENT               name of the live generation, replaced with os.replace (atomic)
    gen-<time>-<rand>/    one complete Whoosh index plus its FINGERPRINT, BUILD.json and articles
    analysis-cache.sqlite the articles' analyzed documents (kb.analysis_cache), for later builds
    .lock                 held while building, so several workers never build at once

A build is full or incremental (`IndexStore.publish` chooses). A full build writes every
article, in several processes when there are many (kb.segments). An incremental one starts
from the live generation: the new folder gets hard links to its files (Whoosh never rewrites a
segment file; a deletion is recorded in the new table of contents), the changed and removed
articles' documents are deleted, the changed ones added as a small new segment, and the new
generation is swapped in as after a full build. Readers see no difference: the postings come
out in the articles' order either way (OpenedIndex.postings).

A reader copies the live generation into memory, so deleting or corrupting files on disk never
disturbs searches already being served; the next start sees the damage and rebuilds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage, copy_to_ram
from whoosh.filedb.structfile import StructFile
from whoosh.reading import SegmentReader
from whoosh.system import pack_uint

from kb.analysis import analyze, analyzer_fingerprint, character_bigrams, reading_bigrams
from kb.analysis_cache import AnalysisCache
from kb.articles import Article, article_from_dict, article_to_dict
from kb.documents import (
    GRAMS_FIELD,
    KANA_FIELD,
    TEXT_FIELDS,
    AnalyzedDocument,
    article_document,
    document_fingerprint,
    document_key,
)
from kb.scoring import Postings
from kb.segments import analyzed, document_fields, worker_count, write_in_parallel, writer_options
from kb.sources import SOURCES_DIR

__all__ = [
    "GRAMS_FIELD",
    "KANA_FIELD",
    "TEXT_FIELDS",
    "IndexStore",
    "OpenedIndex",
    "article_document",
    "build_schema",
    "content_fingerprint",
    "memory_index",
]

log = logging.getLogger(__name__)

# 2: articles carry their sources, evidence and review dates; 3: a character-bigram field;
# 4: documents arrive analyzed (kb.documents), postings without length statistics (kb.segments)
SCHEMA_VERSION = "4"
CURRENT = "CURRENT"
FINGERPRINT = "FINGERPRINT"
# The articles an index was built from travel with it, so pages and search always agree and a
# broken article on disk never replaces the last good content.
ARTICLES_SNAPSHOT = "articles.json"
# What an incremental build starts from: the schema, the documents' fingerprint, each article's
# document key and the size of each of the index's files (a damaged file is not built on).
BUILD_INFO = "BUILD.json"
ANALYSIS_CACHE = "analysis-cache.sqlite"
KEEP_OLD_GENERATIONS = 2
# An incremental build is declined (a full one runs instead) when more than this share of the
# articles changed, or when the documents it leaves deleted in old segments would pass it: they
# cost memory and time in every reader until a full build drops them.
INCREMENTAL_MAX_SHARE = 0.25
# An incremental build adds a small segment. Once there are more than SMALL_SEGMENTS segments of
# fewer than SMALL_SEGMENT_DOCS documents, they are merged into the new one, so that many small
# updates do not leave many small segments, and a merge is rare (it rewrites their postings).
SMALL_SEGMENT_DOCS = 100
SMALL_SEGMENTS = 4


class SudachiTokenizer(Tokenizer):
    """Whoosh adapter for `kb.analysis.analyze`. Holds no state, so Whoosh can pickle it."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, term in enumerate(analyze(value)):
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = term.text
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


class _BigramTokenizer(Tokenizer):
    """Whoosh adapter for a function from text to bigrams (no positions in the text)."""

    @staticmethod
    def bigrams(value: str) -> list[str]:
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, bigram in enumerate(self.bigrams(value)):
            token.text = bigram
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            yield token


class KanaBigramTokenizer(_BigramTokenizer):
    """Katakana reading bigrams, so hiragana typed for a kanji word still finds it."""

    bigrams = staticmethod(reading_bigrams)


class CharacterBigramTokenizer(_BigramTokenizer):
    """Character bigrams of the Japanese text, for a mistyped kanji (kb.analysis)."""

    bigrams = staticmethod(character_bigrams)


class AnalyzedText(TEXT):
    """A text field whose value arrives analyzed, as ((term, frequency), …) (kb.documents): the
    postings are the ones its analyzer would give (Whoosh's Frequency format: weight =
    frequency), without analyzing the text again. The analyzer stays in the schema for
    Whoosh's own use of it."""

    def index(self, value, **kwargs):
        for term, frequency in value:
            yield term.encode("utf-8"), frequency, float(frequency), pack_uint(frequency)


def build_schema() -> Schema:
    text = {name: AnalyzedText(analyzer=SudachiTokenizer(), phrase=False) for name in TEXT_FIELDS}
    return Schema(
        id=ID(stored=True, unique=True),
        category=ID(stored=True),
        updated=NUMERIC(stored=True),
        kana=AnalyzedText(analyzer=KanaBigramTokenizer(), phrase=False),
        grams=AnalyzedText(analyzer=CharacterBigramTokenizer(), phrase=False),
        **text,
    )


def content_fingerprint(articles_dir: Path, sources_dir: Path = SOURCES_DIR) -> str:
    """Identifies what an index was built from: every article and source file, the analyzer
    and the schema."""
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())
    digest.update(analyzer_fingerprint().encode())
    for path in [*sorted(articles_dir.glob("*.md")), *sorted(sources_dir.glob("*.md"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class OpenedIndex:
    index: whoosh_index.Index
    articles: dict[str, Article]
    generation: str
    fingerprint: str
    built_at: float

    def postings(self, fields: list[str]) -> Postings:
        """The postings of `fields` as plain data for kb.scoring (Whoosh's types stay here).

        Documents are numbered in the order of `articles`, whichever segment holds them, and
        the documents deleted by an incremental build are left out: the result is the same
        after an incremental build as after a full one. Raises KeyError when the index holds
        an article `articles` lacks."""
        with self.index.reader() as reader:
            place = {article_id: number for number, article_id in enumerate(self.articles)}
            # Whoosh's document number → ours; -1 for a deleted document.
            position = [-1] * reader.doc_count_all()
            for docnum, stored in reader.iter_docs():
                position[docnum] = place[stored["id"]]
            live = [(docnum, number) for docnum, number in enumerate(position) if number >= 0]
            in_order = all(docnum == number for docnum, number in live)
            doc_ids = list(self.articles)
            by_field: dict[str, dict[str, list[tuple[int, float]]]] = {}
            lengths: dict[str, list[int]] = {}
            for name in fields:
                by_term: dict[str, list[tuple[int, float]]] = {}
                for term in reader.lexicon(name):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    matcher = reader.postings(name, text)
                    pairs = []
                    while matcher.is_active():
                        pairs.append((position[matcher.id()], matcher.weight()))
                        matcher.next()
                    if not pairs:
                        continue  # a term of deleted documents only
                    if not in_order:
                        pairs.sort()
                    by_term[text] = pairs
                by_field[name] = by_term
                field_lengths = [0] * len(doc_ids)
                for docnum, number in live:
                    field_lengths[number] = reader.doc_field_length(docnum, name, 0)
                lengths[name] = field_lengths
        return Postings(doc_ids, by_field, lengths)


def _write(index: whoosh_index.Index, documents: list[AnalyzedDocument]) -> None:
    writer = index.writer(**writer_options())
    try:
        for document in documents:
            writer.add_document(**document_fields(document))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


class _KeptBytes(io.BytesIO):
    """A file of a RamStorage that reaches the storage however it is closed: Whoosh writes its
    sort runs through the raw file, whose close() used to drop them."""

    def __init__(self, storage: RamStorage, name: str):
        super().__init__()
        self._storage, self._name = storage, name

    def close(self) -> None:
        if not self.closed:
            self._storage.files[self._name] = self.getvalue()
        super().close()


class _TemporaryRam(RamStorage):
    def create_file(self, name, **kwargs):
        return StructFile(_KeptBytes(self, name), name=name)


class _PrivateRamStorage(RamStorage):
    """Whoosh's RamStorage spills temporary files to one fixed folder under /tmp named after the
    index ("MAIN.tmp"), so two processes building in memory at once delete each other's
    files. Temporary files stay in memory here instead, in a storage that keeps the sort runs
    of a large build (3,700 articles failed with NameError: ….run)."""

    def temp_storage(self, name=None):
        return _TemporaryRam()


def memory_index(articles: dict[str, Article]) -> OpenedIndex:
    """An index of the given articles in memory only (for checks and previews of the working tree)."""
    index = _PrivateRamStorage().create_index(build_schema())
    documents, _ = analyzed(((article.id, article) for article in articles.values()), {})
    _write(index, documents)
    return OpenedIndex(index, dict(articles), "memory", "", time.time())


def _merge_small_segments(writer, segments):
    """Whoosh merge policy: when more than SMALL_SEGMENTS segments have fewer than
    SMALL_SEGMENT_DOCS documents, they join the new segment (their deleted documents dropped on
    the way); larger ones always stay as they are."""
    small = [segment for segment in segments if segment.doc_count_all() < SMALL_SEGMENT_DOCS]
    if len(small) <= SMALL_SEGMENTS:
        return list(segments)
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in small]


def _index_files(folder: Path) -> dict[str, int]:
    """The Whoosh files of a generation folder (not its lock or temporary folders), by size."""
    return {
        path.name: path.stat().st_size
        for path in folder.iterdir()
        if path.is_file()
        and path.name not in (FINGERPRINT, ARTICLES_SNAPSHOT, BUILD_INFO)
        and not path.name.endswith("LOCK")
    }


def _read_build_info(folder: Path) -> dict | None:
    try:
        info = json.loads((folder / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: a copy is as good, only slower
        shutil.copy2(source, target)


@dataclass(frozen=True, slots=True)
class Published:
    generation: str
    incremental: bool


class IndexStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.cache = AnalysisCache(self.root / ANALYSIS_CACHE)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def current_generation(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return name if name and (self.root / name).is_dir() else None

    def current_fingerprint(self) -> str | None:
        generation = self.current_generation()
        if generation is None:
            return None
        try:
            return (self.root / generation / FINGERPRINT).read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def is_fresh(self, fingerprint: str) -> bool:
        return self.current_fingerprint() == fingerprint and self._loads()

    def _loads(self) -> bool:
        try:
            self.open().index.doc_count()
        except Exception:  # any damage means "not fresh": rebuild rather than serve garbage
            return False
        return True

    def build(self, articles: dict[str, Article], fingerprint: str) -> str:
        """Write a complete new generation, then point CURRENT at it. Returns its name."""
        with self._lock():
            return self._build(articles, fingerprint)

    def update(self, articles: dict[str, Article], fingerprint: str) -> str | None:
        """Write a new generation from the live one and the articles that changed, then point
        CURRENT at it. Returns its name, or None (nothing written) when an incremental build
        is not possible: no live generation, another schema or analyzer, a damaged file, too
        many changes. Raises on failure, CURRENT unchanged."""
        with self._lock():
            return self._update(articles, fingerprint)

    def publish(
        self, articles: dict[str, Article], fingerprint: str, full: bool = False
    ) -> Published:
        """Make `articles` the live generation: incrementally when possible (and not `full`),
        else by a full build."""
        with self._lock():
            return self._publish(articles, fingerprint, full)

    def _publish(self, articles, fingerprint, full: bool) -> Published:
        if not full:
            try:
                name = self._update(articles, fingerprint)
            except Exception:
                log.exception("索引の差分更新に失敗しました。全体を作り直します")
                name = None
            if name is not None:
                return Published(name, incremental=True)
        return Published(self._build(articles, fingerprint), incremental=False)

    def _new_folder(self) -> tuple[str, Path]:
        name = f"gen-{time.time_ns()}-{secrets.token_hex(4)}"
        folder = self.root / name
        folder.mkdir(parents=True)
        return name, folder

    def _build(self, articles: dict[str, Article], fingerprint: str) -> str:
        documents_fingerprint = document_fingerprint()
        keys = {id_: document_key(a, documents_fingerprint) for id_, a in articles.items()}
        pairs = [(keys[id_], article) for id_, article in articles.items()]
        name, folder = self._new_folder()
        try:
            index = whoosh_index.create_in(str(folder), build_schema())
            workers = worker_count(len(pairs))
            if workers > 1:
                write_in_parallel(folder, pairs, self.cache, workers)
            else:
                documents, fresh = analyzed(pairs, self.cache.get_many(keys.values()))
                _write(index, documents)
                self.cache.put_many(fresh)
            self.cache.keep_only(keys.values())
            self._swap_in(name, folder, articles, fingerprint, keys, documents_fingerprint)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return name

    def _update(self, articles: dict[str, Article], fingerprint: str) -> str | None:
        current = self.current_generation()
        if current is None:
            return None
        base = self.root / current
        info = _read_build_info(base)
        documents_fingerprint = document_fingerprint()
        if (
            info is None
            or info.get("schema") != SCHEMA_VERSION
            or info.get("documents") != documents_fingerprint
            or _index_files(base) != info.get("files")
        ):
            return None
        keys = {id_: document_key(a, documents_fingerprint) for id_, a in articles.items()}
        old: dict[str, str] = info["keys"]
        changed = [id_ for id_, key in keys.items() if old.get(id_) != key]
        # Removed, or replaced by a changed document.
        gone = [id_ for id_, key in old.items() if keys.get(id_) != key]
        limit = INCREMENTAL_MAX_SHARE * max(len(keys), 1)
        if len(changed) + len(gone) > limit or info.get("deleted", 0) + len(gone) > limit:
            return None
        name, folder = self._new_folder()
        try:
            for file_name in info["files"]:
                _link(base / file_name, folder / file_name)
            index = FileStorage(str(folder)).open_index()
            cached = self.cache.get_many(keys[id_] for id_ in changed)
            documents, fresh = analyzed(((keys[id_], articles[id_]) for id_ in changed), cached)
            writer = index.writer(**writer_options())
            try:
                for article_id in gone:
                    writer.delete_by_term("id", article_id)
                for document in documents:
                    writer.add_document(**document_fields(document))
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=_merge_small_segments)
            self.cache.put_many(fresh)
            self._swap_in(name, folder, articles, fingerprint, keys, documents_fingerprint)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return name

    def _swap_in(self, name, folder, articles, fingerprint, keys, documents_fingerprint) -> None:
        """Complete the generation in `folder` with its articles and build info, then make it
        the live one (os.replace of CURRENT: readers see the old or the new, never a mix)."""
        index = FileStorage(str(folder)).open_index()
        if index.doc_count() != len(articles):
            raise ValueError(f"index {name} holds {index.doc_count()} of {len(articles)} articles")
        info = {
            "schema": SCHEMA_VERSION,
            "documents": documents_fingerprint,
            "keys": keys,
            "deleted": index.doc_count_all() - index.doc_count(),
            "files": _index_files(folder),
        }
        index.close()
        snapshot = [article_to_dict(article) for article in articles.values()]
        (folder / ARTICLES_SNAPSHOT).write_text(
            json.dumps(snapshot, ensure_ascii=False), encoding="utf-8"
        )
        (folder / BUILD_INFO).write_text(json.dumps(info), encoding="utf-8")
        (folder / FINGERPRINT).write_text(fingerprint, encoding="utf-8")
        pointer = self.root / f".{CURRENT}.{name}"
        pointer.write_text(name, encoding="utf-8")
        os.replace(pointer, self.root / CURRENT)
        self._prune(keep=name)

    def _prune(self, keep: str) -> None:
        generations = sorted(
            (p for p in self.root.glob("gen-*") if p.is_dir() and p.name != keep),
            key=lambda p: p.name,
            reverse=True,
        )
        for old in generations[KEEP_OLD_GENERATIONS:]:
            shutil.rmtree(old, ignore_errors=True)

    def open(self) -> OpenedIndex:
        """Open the live generation, copied into memory. Raises if there is none or it is damaged."""
        generation = self.current_generation()
        if generation is None:
            raise FileNotFoundError(f"no index in {self.root}")
        folder = self.root / generation
        storage = copy_to_ram(FileStorage(str(folder)))
        index = storage.open_index()
        snapshot = json.loads((folder / ARTICLES_SNAPSHOT).read_text(encoding="utf-8"))
        articles = {data["id"]: article_from_dict(data) for data in snapshot}
        if index.doc_count() != len(articles):
            raise ValueError(f"index {generation} does not match its articles")
        fingerprint = (folder / FINGERPRINT).read_text(encoding="utf-8").strip()
        return OpenedIndex(
            index, articles, generation, fingerprint, (folder / FINGERPRINT).stat().st_mtime
        )

    def ensure_fresh(self, articles: dict[str, Article], fingerprint: str) -> bool:
        """Build when missing, damaged or stale (incrementally when possible). Returns True
        when it built."""
        if self.is_fresh(fingerprint):
            return False
        with self._lock():
            if self.is_fresh(fingerprint):  # another worker built it while we waited
                return False
            # The same content that does not load is damage: build it all anew.
            self._publish(articles, fingerprint, full=self.current_fingerprint() == fingerprint)
        return True
