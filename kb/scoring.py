"""BM25F scoring over the postings of a Whoosh index, held in memory.

Whoosh stores the index and its statistics; scoring a question through Whoosh's own searcher
builds a matcher for every (term, field) pair and decodes its postings each time, several
milliseconds per question. The knowledge base is small, so the postings are read once per
index generation (kb.index.OpenedIndex.postings, the one place that reads Whoosh) and a
question is scored here directly, in well under a millisecond.

Scoring, for the words w of a question and an article d:
    field(t, f, d) = weight_f · idf_f(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len_f(d)/avglen_f))
    alternative(a, d) = Σ over its terms t and fields f of field(t, f, d)
    word(w, d) = max over its alternatives a, + tiebreak · the others
    score(d) = Σ_w word(w, d) · (1 + coverage_weight·covered(d) + title_weight·covered_in_title(d))
An alternative is either the word with its sub-words (they add up: together they carry its
meaning) or one synonym of it (synonyms compete: only the best counts).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Weights:
    fields: dict[str, float]
    title_fields: frozenset[str]
    k1: float = 1.2
    b: float = 0.6
    tiebreak: float = 0.2
    coverage: float = 1.5
    title_coverage: float = 1.0


@dataclass(slots=True)
class Word:
    """One word of the question: its alternatives, each a list of (field, term, boost)."""

    alternatives: list[list[tuple[str, str, float]]] = field(default_factory=list)
    # The share of an alternative's distinct terms an article must contain to match it at all:
    # for reading bigrams, one shared bigram (ジョ) is chance, most of them is the word.
    min_share: float = 0.0
    # Whether matching it counts towards the share of the question an article covers: not for
    # the dictionary's guesses at a question typed all in kana, which its readings replace.
    counts: bool = True


class Postings:
    """Term frequencies and field lengths of every indexed article, by field."""

    def __init__(
        self,
        doc_ids: list[str],
        postings: dict[str, dict[str, list[tuple[int, float]]]],
        lengths: dict[str, list[int]],
    ):
        """`doc_ids`: the article id of each document number; `postings`: field → term →
        [(document number, term frequency)]; `lengths`: field → each document's length in
        terms. Plain data: kb.index reads it from Whoosh (OpenedIndex.postings)."""
        self.doc_ids = doc_ids
        self.count = len(doc_ids)
        self.postings = postings
        self.lengths = lengths
        self.average: dict[str, float] = {
            name: (sum(values) / self.count) if self.count else 0.0
            for name, values in lengths.items()
        }

    def idf(self, name: str, text: str) -> float:
        frequency = len(self.postings.get(name, {}).get(text, ()))
        return math.log(1 + (self.count - frequency + 0.5) / (frequency + 0.5))

    def vocabulary(self, fields=None) -> dict[str, int]:
        """Each term with the number of articles that contain it, over `fields` (all when None)."""
        docs: dict[str, set[int]] = defaultdict(set)
        for name, by_term in self.postings.items():
            if fields is not None and name not in fields:
                continue
            for text, pairs in by_term.items():
                docs[text].update(doc for doc, _ in pairs)
        return {text: len(found) for text, found in docs.items()}


@dataclass(frozen=True, slots=True)
class Scored:
    doc_id: str
    score: float
    coverage: float  # share of the question's words the article matches, 0–1
    title_coverage: float = 0.0  # share matched in the title fields (title, queries), 0–1


def score(postings: Postings, words: list[Word], weights: Weights) -> list[Scored]:
    """Every article that matches at least one word, best first."""
    totals: dict[int, float] = defaultdict(float)
    covered: dict[int, int] = defaultdict(int)
    covered_in_title: dict[int, int] = defaultdict(int)
    for word in words:
        best: dict[int, float] = {}
        rest: dict[int, float] = defaultdict(float)
        in_title: set[int] = set()
        for alternative in word.alternatives:
            scores: dict[int, float] = defaultdict(float)
            matched: dict[int, set[str]] = defaultdict(set)
            for name, text, boost in alternative:
                pairs = postings.postings.get(name, {}).get(text)
                if not pairs:
                    continue
                idf = postings.idf(name, text)
                lengths, average = postings.lengths[name], postings.average[name] or 1.0
                for doc, tf in pairs:
                    norm = weights.k1 * (1 - weights.b + weights.b * lengths[doc] / average)
                    scores[doc] += boost * idf * tf * (weights.k1 + 1) / (tf + norm)
                    matched[doc].add(text)
                    if name in weights.title_fields:
                        in_title.add(doc)
            if word.min_share:
                needed = word.min_share * len({text for _, text, _ in alternative})
                scores = {
                    doc: value for doc, value in scores.items() if len(matched[doc]) >= needed
                }
            for doc, value in scores.items():
                previous = best.get(doc)
                if previous is None:
                    best[doc] = value
                elif value > previous:
                    rest[doc] += previous
                    best[doc] = value
                else:
                    rest[doc] += value
        for doc, value in best.items():
            totals[doc] += value + weights.tiebreak * rest[doc]
            if word.counts:
                covered[doc] += 1
        if word.counts:
            for doc in in_title:
                covered_in_title[doc] += 1

    count = sum(1 for word in words if word.counts) or 1
    results = []
    for doc, total in totals.items():
        coverage = covered[doc] / count
        bonus = (
            1 + weights.coverage * coverage + weights.title_coverage * covered_in_title[doc] / count
        )
        results.append(
            Scored(postings.doc_ids[doc], total * bonus, coverage, covered_in_title[doc] / count)
        )
    results.sort(key=lambda item: (-item.score, item.doc_id))
    return results
