"""The Whoosh index on disk: built in a new generation folder and swapped in atomically.

Layout under the index root (the instance folder's `index/`):
    CURRENT            name of the live generation, replaced with os.replace (atomic)
    gen-<time>-<rand>/ one complete Whoosh index plus its FINGERPRINT
    .lock              held while building, so several workers never build at once

A reader copies the live generation into memory, so deleting or corrupting files on disk never
disturbs searches already being served; the next start sees the damage and rebuilds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
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

from kb.analysis import analyze, analyzer_fingerprint, character_bigrams, reading_bigrams
from kb.articles import Article, article_from_dict, article_to_dict
from kb.rendering import plain_text
from kb.scoring import Postings
from kb.sources import SOURCES_DIR

# 2: articles carry their sources, evidence and review dates; 3: a character-bigram field
SCHEMA_VERSION = "3"
TEXT_FIELDS = ("title", "queries", "tags", "answer", "body")
KANA_FIELD = "kana"
GRAMS_FIELD = "grams"
CURRENT = "CURRENT"
FINGERPRINT = "FINGERPRINT"
# The articles an index was built from travel with it, so pages and search always agree and a
# broken article on disk never replaces the last good content.
ARTICLES_SNAPSHOT = "articles.json"
KEEP_OLD_GENERATIONS = 2


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


def build_schema() -> Schema:
    text = {name: TEXT(analyzer=SudachiTokenizer(), phrase=False) for name in TEXT_FIELDS}
    return Schema(
        id=ID(stored=True, unique=True),
        category=ID(stored=True),
        updated=NUMERIC(stored=True),
        kana=TEXT(analyzer=KanaBigramTokenizer(), phrase=False),
        grams=TEXT(analyzer=CharacterBigramTokenizer(), phrase=False),
        **text,
    )


def article_document(article: Article) -> dict:
    body = plain_text(article.body)
    return {
        "id": article.id,
        "category": article.category,
        "updated": article.updated.toordinal(),
        "title": article.title,
        "queries": "\n".join(article.queries),
        "tags": "\n".join(article.tags),
        "answer": article.answer,
        "body": body,
        KANA_FIELD: "\n".join(
            [article.title, *article.queries, *article.tags, article.answer, body]
        ),
        GRAMS_FIELD: "\n".join([article.title, *article.queries, article.answer, body]),
    }


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
        """The postings of `fields` as plain data for kb.scoring (Whoosh's types stay here)."""
        with self.index.reader() as reader:
            doc_ids = [stored["id"] for _, stored in sorted(reader.iter_docs())]
            by_field: dict[str, dict[str, list[tuple[int, float]]]] = {}
            lengths: dict[str, list[int]] = {}
            for name in fields:
                by_term: dict[str, list[tuple[int, float]]] = {}
                for term in reader.lexicon(name):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    matcher = reader.postings(name, text)
                    pairs = []
                    while matcher.is_active():
                        pairs.append((matcher.id(), matcher.weight()))
                        matcher.next()
                    by_term[text] = pairs
                by_field[name] = by_term
                lengths[name] = [
                    reader.doc_field_length(doc, name, 0) for doc in range(len(doc_ids))
                ]
        return Postings(doc_ids, by_field, lengths)


def _fill(index: whoosh_index.Index, articles: dict[str, Article]) -> None:
    writer = index.writer()
    for article in articles.values():
        writer.add_document(**article_document(article))
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
    _fill(index, articles)
    return OpenedIndex(index, dict(articles), "memory", "", time.time())


class IndexStore:
    def __init__(self, root: Path):
        self.root = Path(root)

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
            name = f"gen-{time.time_ns()}-{secrets.token_hex(4)}"
            folder = self.root / name
            folder.mkdir(parents=True)
            _fill(whoosh_index.create_in(str(folder), build_schema()), articles)
            snapshot = [article_to_dict(article) for article in articles.values()]
            (folder / ARTICLES_SNAPSHOT).write_text(
                json.dumps(snapshot, ensure_ascii=False), encoding="utf-8"
            )
            (folder / FINGERPRINT).write_text(fingerprint, encoding="utf-8")
            pointer = self.root / f".{CURRENT}.{name}"
            pointer.write_text(name, encoding="utf-8")
            os.replace(pointer, self.root / CURRENT)
            self._prune(keep=name)
            return name

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
        """Build when missing, damaged or stale. Returns True when it built."""
        if self.is_fresh(fingerprint):
            return False
        with self._lock():
            fresh = self.is_fresh(fingerprint)  # another worker may have built it while we waited
        if fresh:
            return False
        self.build(articles, fingerprint)
        return True
