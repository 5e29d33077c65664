"""An article as the index holds it: its stored values and, per field, its terms counted.

Analysis is most of the work of a build, and its result depends only on the article's indexed
text and the code that reads it. So an article is analyzed once into an `AnalyzedDocument`,
which the index writes without analyzing again (kb.index) and which can be kept between builds
(kb.analysis_cache) under `document_key(article)`: a hash of that text and of
`document_fingerprint()`, the code and data the analysis depends on.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.analysis import analyze, analyzer_fingerprint, character_bigrams, reading_bigrams
from kb.articles import Article
from kb.rendering import plain_text

TEXT_FIELDS = ("title", "queries", "tags", "answer", "body")
KANA_FIELD = "kana"
GRAMS_FIELD = "grams"
INDEXED_FIELDS = (*TEXT_FIELDS, KANA_FIELD, GRAMS_FIELD)

# What turns an article into its document besides the analyzer: this module and the Markdown
# reading of the body (kb.rendering and what it uses).
_CODE_FILES = ("documents.py", "rendering.py", "cjk_emphasis.py")
_PACKAGES = ("markdown-it-py", "linkify-it-py")


@dataclass(frozen=True, slots=True)
class AnalyzedDocument:
    """One article's document: `fields` maps each of INDEXED_FIELDS to ((term, frequency), …),
    each term once, in order of first appearance; `updated` is the date as an ordinal."""

    id: str
    category: str
    updated: int
    fields: dict[str, tuple[tuple[str, int], ...]]


def article_document(article: Article) -> dict:
    """The article's indexed text by field (and its stored values), before analysis."""
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


def _counted(terms) -> tuple[tuple[str, int], ...]:
    return tuple(Counter(terms).items())


def analyze_article(article: Article) -> AnalyzedDocument:
    """The article analyzed: the same terms and frequencies the analyzer gives each field."""
    document = article_document(article)
    fields = {name: _counted(term.text for term in analyze(document[name])) for name in TEXT_FIELDS}
    fields[KANA_FIELD] = _counted(reading_bigrams(document[KANA_FIELD]))
    fields[GRAMS_FIELD] = _counted(character_bigrams(document[GRAMS_FIELD]))
    return AnalyzedDocument(article.id, article.category, document["updated"], fields)


@lru_cache(maxsize=8)
def _fingerprint(analyzer: str) -> str:
    digest = hashlib.sha256(analyzer.encode())
    here = Path(__file__).parent
    for name in _CODE_FILES:
        digest.update((here / name).read_bytes())
    for package in _PACKAGES:
        try:
            digest.update(importlib.metadata.version(package).encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(package.encode())
    return digest.hexdigest()


def document_fingerprint() -> str:
    """Changes whenever an unchanged article could give a different document: the analyzer
    (kb.analysis.analyzer_fingerprint, synonyms included), this module, the Markdown reading."""
    return _fingerprint(analyzer_fingerprint())


def document_key(article: Article, fingerprint: str | None = None) -> str:
    """Identifies the article's document: its indexed values and `fingerprint` (default
    `document_fingerprint()`); 64 hex digits. Fields the index does not hold (sources,
    review dates, related articles) are not part of it."""
    indexed = [
        article.id,
        article.category,
        article.updated.toordinal(),
        article.title,
        list(article.queries),
        list(article.tags),
        article.answer,
        article.body,
    ]
    digest = hashlib.sha256((fingerprint or document_fingerprint()).encode())
    digest.update(json.dumps(indexed, ensure_ascii=False).encode())
    return digest.hexdigest()
