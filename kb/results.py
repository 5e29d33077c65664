"""What a search gives back: hits with their dates and highlight spans, and the response.

Presentation data only, no markup: a hit carries its title and a snippet of its text with the
character spans that matched the question; web/ turns them into HTML (`<mark>`), the API and
the chat use the text as it is.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from kb.analysis import analyze
from kb.articles import Article
from kb.confidence import NONE
from kb.rendering import plain_text

SNIPPET_CHARS = 110
ELLIPSIS = "…"
Span = tuple[int, int]  # [start, end) character offsets


@dataclass(slots=True)
class SearchHit:
    id: str
    title: str
    category: str
    answer: str
    score: float
    coverage: float  # share of the question's words it matches, 0–1 (see kb.scoring)
    url: str
    title_coverage: float = 0.0  # share of them in its title or `queries`, 0–1
    as_of: dt.date | None = None  # the article's newest source (kb.articles.Article.as_of)
    reviewed: dt.date | None = None
    review_by: dt.date | None = None
    # Highlighting (empty unless asked for): spans of the title, and a snippet with its own.
    title_spans: list[Span] = field(default_factory=list)
    snippet: str = ""
    snippet_spans: list[Span] = field(default_factory=list)
    # Share of the question's information it matches (kb.scoring.Scored.explained), 0–1: what
    # the confidence reads.
    explained: float = 0.0

    def stale(self, today: dt.date) -> bool:
        return self.review_by is not None and today > self.review_by

    def as_json(self, today: dt.date | None = None) -> dict:
        """The hit for the API; with `today`, whether it is stale then."""
        payload = {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "answer": self.answer,
            "score": round(self.score, 4),
            **dates_json(self.as_of, self.reviewed, self.review_by),
        }
        if today is not None:
            payload["stale"] = self.stale(today)
        return payload


@functools.lru_cache(maxsize=1024)
def dates_json(as_of, reviewed, review_by) -> Mapping[str, str | None]:
    """An answer's dates as the API gives them (ISO dates, None when unknown), read-only:
    merge it into a payload. Kept per set of dates: a few dozen sets serve every hit."""
    return MappingProxyType(
        {
            "as_of": as_of.isoformat() if as_of else None,
            "reviewed": reviewed.isoformat() if reviewed else None,
            "review_by": review_by.isoformat() if review_by else None,
        }
    )


@dataclass(slots=True)
class SearchResponse:
    query: str
    terms: list[str]
    hits: list[SearchHit]
    facets: dict[str, int] = field(default_factory=dict)
    total: int = 0
    reason: str | None = None  # "empty", "no_terms", "no_match" when there are no hits
    message: str | None = None  # the reason for a person, in Japanese
    suggestions: list[str] = field(default_factory=list)
    truncated: bool = False
    # How sure the ranking is of its first hit (kb.confidence): confident, weak or none.
    confidence: str = NONE
    # The evidence for it beyond the hits: the words alone and the character bigrams alone rank
    # the same first article (None unless asked for, or needed by the confidence).
    views_agree: bool | None = None
    # Whether it has the words of one of the first article's own questions (None unless
    # asked for: scripts/calibrate_confidence.py).
    asked_as_written: bool | None = None
    # Whether a word of it is a noun, or a category was given (None unless asked for).
    names_something: bool | None = None

    def as_json(self, today: dt.date | None = None) -> dict:
        payload = {
            "query": self.query,
            "confidence": self.confidence,
            "results": [hit.as_json(today) for hit in self.hits],
        }
        if self.reason:
            payload["reason"] = self.reason
            payload["message"] = self.message
        if self.suggestions:
            payload["suggestions"] = self.suggestions
        return payload


class ArticleText:
    """An article's display text, analyzed once, for snippets and highlighted titles."""

    __slots__ = ("text", "terms", "title_terms")

    def __init__(self, article: Article):
        self.text = article.answer + "\n" + plain_text(article.body)
        self.terms = analyze(self.text)
        self.title_terms = analyze(article.title)


def spans(terms, query_terms: set[str]) -> list[Span]:
    """The merged spans of the analyzed `terms` that are among the question's terms."""
    found = sorted({(t.start, t.end) for t in terms if t.text in query_terms})
    merged: list[Span] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def snippet(text: str, terms, query_terms: set[str]) -> tuple[str, list[Span]]:
    """About SNIPPET_CHARS characters around the densest cluster of matched words, with "…"
    where it is cut, and the matched spans within it."""
    matched = spans(terms, query_terms)
    flat = " ".join(text.split("\n"))  # one line; the same length, so spans still hold
    if not matched:
        end = min(len(flat), SNIPPET_CHARS)
        return flat[:end] + (ELLIPSIS if end < len(flat) else ""), []
    best_start, best_count = matched[0][0], 0
    for start, _ in matched:
        count = sum(1 for s, _ in matched if start <= s < start + SNIPPET_CHARS)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - 20)
    end = min(len(flat), begin + SNIPPET_CHARS)
    prefix = ELLIPSIS if begin > 0 else ""
    shift = len(prefix) - begin
    inside = [
        (max(start, begin) + shift, min(stop, end) + shift)
        for start, stop in matched
        if stop > begin and start < end
    ]
    return prefix + flat[begin:end] + (ELLIPSIS if end < len(flat) else ""), inside
