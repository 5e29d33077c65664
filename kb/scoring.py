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

import numpy as np

_MISSING = object()


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
        self._length_arrays = {
            name: np.asarray(values, dtype=np.float64) for name, values in lengths.items()
        }
        # Each document's place among the ids in order: equal scores rank by id.
        self.id_order = np.empty(self.count, dtype=np.int64)
        self.id_order[sorted(range(self.count), key=doc_ids.__getitem__)] = np.arange(self.count)
        self._impacts: dict[tuple, tuple | None] = {}

    def impacts(self, name: str, text: str, k1: float, b: float):
        """(document numbers, idf, tf, k1·(1 − b + b·len/avglen)) of one (field, term), the
        arrays in NumPy; None when no article has it. Computed once per index generation and
        (k1, b)."""
        key = (name, text, k1, b)
        row = self._impacts.get(key, _MISSING)
        if row is _MISSING:
            pairs = self.postings.get(name, {}).get(text)
            if not pairs:
                row = None
            else:
                docs = np.fromiter((doc for doc, _ in pairs), dtype=np.int64, count=len(pairs))
                tf = np.fromiter((tf for _, tf in pairs), dtype=np.float64, count=len(pairs))
                average = self.average[name] or 1.0
                norm = k1 * (1 - b + b * self._length_arrays[name][docs] / average)
                row = (docs, self.idf(name, text), tf, norm)
            self._impacts[key] = row
        return row

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


class Ranked:
    """Articles ranked best first, as arrays over document numbers; iterating gives Scored.

    A question can match most of a large knowledge base: the ranking stays in arrays, and
    only the articles shown become objects (`top`)."""

    __slots__ = ("postings", "docs", "scores", "coverage", "title_coverage")

    def __init__(self, postings: Postings, docs, scores, coverage, title_coverage):
        self.postings = postings
        self.docs = docs  # document numbers, best first
        self.scores = scores
        self.coverage = coverage  # share of the question's words each matches, 0–1
        self.title_coverage = title_coverage  # share matched in the title fields, 0–1

    @classmethod
    def ordered(cls, postings: Postings, present, key, scores, coverage, title_coverage):
        """The documents where `present` (dense boolean), best `key` first, ties by id;
        `scores`, `coverage` and `title_coverage` are dense arrays."""
        docs = np.flatnonzero(present)
        docs = docs[np.lexsort((postings.id_order[docs], -key[docs]))]
        return cls(postings, docs, scores[docs], coverage[docs], title_coverage[docs])

    def where(self, keep) -> Ranked:
        """The ranking of the documents `keep` (dense boolean over document numbers) allows."""
        mask = keep[self.docs]
        return Ranked(
            self.postings,
            self.docs[mask],
            self.scores[mask],
            self.coverage[mask],
            self.title_coverage[mask],
        )

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, index: int) -> Scored:
        return Scored(
            self.postings.doc_ids[self.docs[index]],
            float(self.scores[index]),
            float(self.coverage[index]),
            float(self.title_coverage[index]),
        )

    def top(self, count: int) -> list[Scored]:
        return [self[i] for i in range(min(max(count, 0), len(self.docs)))]

    def __iter__(self):
        return iter(self.top(len(self.docs)))


def score(postings: Postings, words: list[Word], weights: Weights) -> Ranked:
    """Every article that matches at least one word, best first (ties by id).

    Vectorized over the articles (NumPy): each (field, term) is one sparse row of BM25 impacts,
    computed once per index generation and (k1, b); a question adds up a few rows. The
    arithmetic is the formula above in the same order, so the scores are the same as a loop
    over the postings would give (tests/test_scoring.py keeps that loop as the reference)."""
    count = postings.count
    totals = np.zeros(count)
    covered = np.zeros(count)
    covered_in_title = np.zeros(count)
    matched_any = np.zeros(count, dtype=bool)
    counted = 0
    for word in words:
        best = np.zeros(count)
        rest = np.zeros(count)
        has = np.zeros(count, dtype=bool)
        in_title = np.zeros(count, dtype=bool)
        for alternative in word.alternatives:
            values = np.zeros(count)
            by_text: dict[str, np.ndarray] = {}
            for name, text, boost in alternative:
                row = postings.impacts(name, text, weights.k1, weights.b)
                if row is None:
                    continue
                docs, idf, tf, norm = row
                # In the order of the formula, so the floating point is the loop's.
                values[docs] += boost * idf * tf * (weights.k1 + 1) / (tf + norm)
                if word.min_share:
                    seen = by_text.setdefault(text, np.zeros(count, dtype=bool))
                    seen[docs] = True
                if name in weights.title_fields:
                    in_title[docs] = True
            # Every boost, idf and tf is positive: a document matched where its value is.
            present = values > 0
            if word.min_share:
                needed = word.min_share * len({text for _, text, _ in alternative})
                distinct = np.zeros(count)
                for seen in by_text.values():
                    distinct += seen
                present &= distinct >= needed
            if not has.any():
                # The word's first alternative (most words have only one): nothing to compare.
                best, has = np.where(present, values, best), present
                continue
            first = present & ~has
            both = present & has
            higher = both & (values > best)
            lower = both & ~higher
            rest[higher] += best[higher]
            rest[lower] += values[lower]
            best[first | higher] = values[first | higher]
            has |= present
        totals[has] += best[has] + weights.tiebreak * rest[has]
        matched_any |= has
        if word.counts:
            covered += has
            covered_in_title += in_title
            counted += 1

    share = max(counted, 1)
    coverage = covered / share
    title_coverage = covered_in_title / share
    final = totals * (1 + weights.coverage * coverage + weights.title_coverage * title_coverage)
    return Ranked.ordered(postings, matched_any, final, final, coverage, title_coverage)
