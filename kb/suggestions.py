"""Suggestions: 「もしかして」 for a question that found nothing, and search-as-you-type."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable

from kb.normalization import normalize

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_URL = re.compile(r"(?:https?://|/articles/)\S+")


class Suggester:
    """Suggestions over one index generation.

    `vocabulary` maps each word of the articles to the number of articles that use it;
    `search(text, limit)` ranks articles (kb.search.SearchEngine.search), for type-ahead that
    finds nothing by its text."""

    def __init__(self, articles, vocabulary: dict[str, int], search: Callable):
        self.articles = articles
        self.vocabulary = vocabulary
        self._search = search

    def did_you_mean(self, cleaned: str, terms) -> list[str]:
        """Replace unknown words by a close word of the articles, when that finds something.

        The suggestion reads like the question: the words as typed, one per word of the
        question (not its sub-words or synonyms), and a replacement as the articles write it.
        """
        replaced = []
        changed = False
        seen_groups: set[int] = set()
        for term in terms:
            if term.synonym or term.group in seen_groups:
                continue
            seen_groups.add(term.group)
            if term.text in self.vocabulary:
                replaced.append(cleaned[term.start : term.end])
                continue
            candidate = closest(term.text, self.vocabulary)
            if candidate and candidate.isascii() and candidate not in self._written_forms:
                candidate = None  # a piece of a URL (oqs_csm_top), not a word people read
            if candidate:
                replaced.append(self._written_forms.get(candidate, candidate))
                changed = True
        if not changed:
            return []
        return [" ".join(dict.fromkeys(replaced))]

    @functools.cached_property
    def _written_forms(self) -> dict[str, str]:
        """Latin words as the articles write them (oqs → OQS): the index keeps them folded."""
        counts: Counter = Counter()
        for article in self.articles.values():
            text = " ".join([article.title, article.body, *article.tags])
            counts.update(_LATIN_WORD.findall(_URL.sub(" ", text)))
        table: dict[str, str] = {}
        for written, _ in counts.most_common():
            table.setdefault(written.casefold(), written)
        return table

    def type_ahead(self, cleaned: str, limit: int = 8) -> list[dict]:
        """Titles and questions that contain what has been typed so far (already cleaned),
        then the articles the search ranks for it; each {"text", "id", "title", "url"}."""
        needle = normalize(cleaned).replace(" ", "")
        if len(needle) < 1:
            return []
        suggestions: list[dict] = []
        for article in self.articles.values():
            for text in (article.title, *article.queries):
                if needle in normalize(text).replace(" ", ""):
                    suggestions.append(
                        {"text": text, "id": article.id, "title": article.title, "url": article.url}
                    )
                    break
            if len(suggestions) >= limit:
                return suggestions
        if len(suggestions) < limit:
            seen = {item["id"] for item in suggestions}
            for hit in self._search(cleaned, limit=limit, highlight=False).hits:
                if hit.id not in seen:
                    suggestions.append(
                        {"text": hit.title, "id": hit.id, "title": hit.title, "url": hit.url}
                    )
                if len(suggestions) >= limit:
                    break
        return suggestions


def closest(word: str, vocabulary: dict[str, int]) -> str | None:
    if len(word) < 3:
        return None
    best: tuple[int, int, str] | None = None
    for candidate, frequency in vocabulary.items():
        if abs(len(candidate) - len(word)) > 1:
            continue
        distance = edit_distance(word, candidate, limit=1)
        if distance <= 1 and (best is None or (distance, -frequency, candidate) < best):
            best = (distance, -frequency, candidate)
    return best[2] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
