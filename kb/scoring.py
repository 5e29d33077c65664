"""BM25F scoring over the postings of a Whoosh index, held in memory.

Whoosh stores the index and its statistics; scoring a question through Whoosh's own searcher
builds a matcher for every (term, field) pair and decodes its postings each time, several
milliseconds per question. The knowledge base is small, so the postings are read once per
index generation (kb.index.OpenedIndex.postings, the one place that reads Whoosh) and a
question is scored here directly, in well under a millisecond.

Scoring, for the words w of a question and an article d:
    field(t, f, d) = weight_f · idf_f(t) · [tf·(k1+1) / (tf + k1·(1 − b + b·len_f(d)/avglen_f))]
    alternative(a, d) = Σ over its terms t and fields f of field(t, f, d)
    word(w, d) = max over its alternatives a, + tiebreak · the others
    score(d) = Σ_w word(w, d) · (1 + coverage_weight·covered(d) + title_weight·covered_in_title(d))
An alternative is either the word with its sub-words (they add up: together they carry its
meaning) or one synonym of it (synonyms compete: only the best counts).
The bracket, a term's saturated frequency in one field of one article, does not depend on the
question: it is computed once per index generation (Postings.impacts).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

# The share of a word's information explained when only one of its sub-words matched.
SUB_WORD_SHARE = 0.5


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
    # How much the word says about what is asked (kb.ranking.information), for `explained`:
    # a word no article uses (インボイス) says most, one every article uses (確認) little.
    weight: float = 1.0


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
        self.by_id = np.array(sorted(range(self.count), key=doc_ids.__getitem__), dtype=np.int64)
        self.id_order = np.empty(self.count, dtype=np.int64)
        self.id_order[self.by_id] = np.arange(self.count)
        self._impacts: dict[tuple, tuple] = {}

    def impacts(self, name: str, text: str, k1: float, b: float):
        """(document numbers, idf, tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))) of one
        (field, term), the arrays in NumPy; None when no article has it. Computed once per
        index generation and (k1, b), for the terms the index holds only: what people type is
        unbounded, and a term no article has must not take memory for the life of the worker."""
        key = (name, text, k1, b)
        row = self._impacts.get(key)
        if row is None:
            pairs = self.postings.get(name, {}).get(text)
            if not pairs:
                return None
            docs = np.fromiter((doc for doc, _ in pairs), dtype=np.int64, count=len(pairs))
            tf = np.fromiter((tf for _, tf in pairs), dtype=np.float64, count=len(pairs))
            average = self.average[name] or 1.0
            norm = k1 * (1 - b + b * self._length_arrays[name][docs] / average)
            row = self._impacts[key] = (docs, self.idf(name, text), tf * (k1 + 1) / (tf + norm))
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
    explained: float = 0.0  # share of the question's information (Word.weight) matched, 0–1


class Ranked:
    """Articles ranked best first, as arrays over document numbers; iterating gives Scored.

    A question can match most of a large knowledge base: the ranking stays in arrays, and
    only the articles shown become objects (`top`)."""

    __slots__ = ("postings", "docs", "scores", "coverage", "title_coverage", "explained")

    def __init__(self, postings: Postings, docs, scores, coverage, title_coverage, explained):
        self.postings = postings
        self.docs = docs  # document numbers, best first
        self.scores = scores
        self.coverage = coverage  # share of the question's words each matches, 0–1
        self.title_coverage = title_coverage  # share matched in the title fields, 0–1
        self.explained = explained  # share of the question's information it matches, 0–1

    @classmethod
    def ordered(cls, postings: Postings, present, key, scores, coverage, title_coverage, explained):
        """The documents where `present` (dense boolean), best `key` first, ties by id;
        `scores`, `coverage`, `title_coverage` and `explained` are dense arrays."""
        # The matches in id order, then a stable sort by key: ties stay in id order. (One
        # key to sort instead of two: half the time of np.lexsort over thousands of matches.)
        docs = postings.by_id[present[postings.by_id]]
        docs = docs[np.argsort(-key[docs], kind="stable")]
        return cls(
            postings, docs, scores[docs], coverage[docs], title_coverage[docs], explained[docs]
        )

    def where(self, keep) -> Ranked:
        """The ranking of the documents `keep` (dense boolean over document numbers) allows."""
        mask = keep[self.docs]
        return Ranked(
            self.postings,
            self.docs[mask],
            self.scores[mask],
            self.coverage[mask],
            self.title_coverage[mask],
            self.explained[mask],
        )

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, index: int) -> Scored:
        return Scored(
            self.postings.doc_ids[self.docs[index]],
            float(self.scores[index]),
            float(self.coverage[index]),
            float(self.title_coverage[index]),
            float(self.explained[index]),
        )

    def top(self, count: int) -> list[Scored]:
        count = min(max(count, 0), len(self.docs))
        ids = self.postings.doc_ids
        return [
            Scored(ids[doc], score, coverage, title_coverage, explained)
            for doc, score, coverage, title_coverage, explained in zip(
                self.docs[:count].tolist(),
                self.scores[:count].tolist(),
                self.coverage[:count].tolist(),
                self.title_coverage[:count].tolist(),
                self.explained[:count].tolist(),
                strict=True,
            )
        ]

    def __iter__(self):
        return iter(self.top(len(self.docs)))


def score(postings: Postings, words: list[Word], weights: Weights) -> Ranked:
    """Every article that matches at least one word, best first (ties by id).

    Vectorized over the articles (NumPy): each (field, term) is one sparse row of BM25 impacts,
    computed once per index generation and (k1, b). A question's rows are laid end to end and
    summed per (alternative, article) by one `np.bincount`, so its cost is a fixed number of
    array operations, not a few per (field, term): at 38 articles the per-operation overhead,
    not the arithmetic, is what a search costs. `bincount` adds in input order, which is the
    order of the formula, so the scores are the same as a loop over the postings would give
    (tests/test_scoring.py keeps that loop as the reference)."""
    count = postings.count
    k1, b = weights.k1, weights.b
    # Per row (one (field, term) of one alternative): its arrays, its alternative, its word.
    docs_parts, saturated_parts, factors, row_alternatives = [], [], [], []
    title_parts, title_words = [], []
    # The rows of a word as a whole (itself or a synonym), not one of its sub-words alone.
    whole_parts, whole_words = [], []
    # For words with a min_share: each alternative's distinct terms, and the articles of each.
    shares = _Shares(count)
    alternative_words: list[int] = []
    for word_number, word in enumerate(words):
        for alternative_number, alternative in enumerate(word.alternatives):
            number = len(alternative_words)
            alternative_words.append(word_number)
            if word.min_share:
                shares.alternative(number, alternative, word.min_share)
            # A word's first alternative is the word and its sub-words, the word first.
            main = alternative[0][1] if alternative_number == 0 and not word.min_share else None
            for name, text, boost in alternative:
                row = postings.impacts(name, text, k1, b)
                if row is None:
                    continue
                docs, idf, saturated = row
                docs_parts.append(docs)
                saturated_parts.append(saturated)
                factors.append(boost * idf)
                row_alternatives.append(number)
                if word.min_share:
                    shares.found(text, docs)
                if name in weights.title_fields:
                    title_parts.append(docs)
                    title_words.append(word_number)
                if main is None or text == main:
                    whole_parts.append(docs)
                    whole_words.append(word_number)
    alternatives = len(alternative_words)
    if not docs_parts:
        empty = np.zeros(0, dtype=np.int64)
        return Ranked(postings, empty, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))

    lengths = np.fromiter(map(len, docs_parts), dtype=np.int64, count=len(docs_parts))
    docs = np.concatenate(docs_parts)
    # weight_f · idf, then the bracket: the order of the formula, so the floating point is the
    # loop's.
    impact = np.repeat(factors, lengths) * np.concatenate(saturated_parts)
    cell = np.repeat(np.asarray(row_alternatives, dtype=np.int64) * count, lengths) + docs
    values = np.bincount(cell, weights=impact, minlength=alternatives * count)
    values = values.reshape(alternatives, count)
    # Every boost, idf and tf is positive: a document matched where its value is.
    present = values > 0
    shares.require(present)

    in_title = _matrix(title_parts, title_words, len(words), count)
    as_whole = _matrix(whole_parts, whole_words, len(words), count)

    if alternatives == len(words):
        # One alternative a word (bigrams, and most questions): its value is the word's.
        has = present
        points = np.where(present, values, 0.0)
    else:
        has = np.zeros((len(words), count), dtype=bool)
        points = np.zeros((len(words), count))
        first = 0
        for word_number, word in enumerate(words):
            last = first + len(word.alternatives)
            if last - first == 1:
                has[word_number] = present[first]
                points[word_number] = np.where(present[first], values[first], 0.0)
            elif last > first:
                best, rest, matched = _compete(values[first:last], present[first:last], count)
                points[word_number] = best + weights.tiebreak * rest
                has[word_number] = matched
            first = last
    # Added up in the order of the words, as the formula (and the loop) does.
    totals = points.sum(axis=0)

    counting = [number for number, word in enumerate(words) if word.counts]
    covered = has[counting].sum(axis=0, dtype=np.float64)
    covered_in_title = in_title[counting].sum(axis=0, dtype=np.float64)
    share = max(len(counting), 1)
    coverage = covered / share
    title_coverage = covered_in_title / share
    information = np.fromiter((words[n].weight for n in counting), np.float64, len(counting))
    # A word matched only by a sub-word (未登録 by 登録) is half explained: the part is not
    # the word, and may even say the opposite.
    matched = np.where(as_whole[counting], 1.0, SUB_WORD_SHARE) * has[counting]
    explained = information @ matched / max(float(information.sum()), 1e-12)
    final = totals * (1 + weights.coverage * coverage + weights.title_coverage * title_coverage)
    return Ranked.ordered(
        postings, has.any(axis=0), final, final, coverage, title_coverage, explained
    )


def _matrix(parts, rows, height: int, count: int):
    """A (height × count) boolean matrix, True at (rows[i], d) for every document d of
    parts[i]."""
    matrix = np.zeros((height, count), dtype=bool)
    if parts:
        lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
        cells = np.repeat(np.asarray(rows, dtype=np.int64) * count, lengths)
        matrix.reshape(-1)[cells + np.concatenate(parts)] = True
    return matrix


class _Shares:
    """The min_share rule: an alternative matches an article only when the article holds at
    least that share of the alternative's distinct terms (in any field)."""

    def __init__(self, count: int):
        self.count = count
        self.needed: dict[int, float] = {}  # alternative → distinct terms needed
        self._texts: dict[tuple[int, str], int] = {}  # (alternative, term) → term number
        self._keys: list[np.ndarray] = []  # term number · count + document, per row
        self._current = -1

    def alternative(self, number: int, alternative, min_share: float) -> None:
        self._current = number
        self.needed[number] = min_share * len({text for _, text, _ in alternative})

    def found(self, text: str, docs) -> None:
        key = (self._current, text)
        term = self._texts.setdefault(key, len(self._texts))
        self._keys.append(term * self.count + docs)

    def require(self, present) -> None:
        """Clears `present` (alternatives × documents) where an alternative falls short."""
        if not self._keys:
            return
        # Each (term, article) once: a term in two fields is one of the article's terms.
        keys = np.unique(np.concatenate(self._keys))
        owner = np.fromiter((number for number, _ in self._texts), dtype=np.int64)
        cells = owner[keys // self.count] * self.count + keys % self.count
        distinct = np.bincount(cells, minlength=present.size).reshape(present.shape)
        for number, needed in self.needed.items():
            present[number] &= distinct[number] >= needed


def _compete(values, present, count):
    """A word's alternatives (rows of `values`, matched where `present`), in order: the best
    counts, the others add to `rest` (synonyms compete; see the module's formula)."""
    best = np.zeros(count)
    rest = np.zeros(count)
    has = np.zeros(count, dtype=bool)
    for row, matched in zip(values, present, strict=True):
        new = matched & ~has
        both = matched & has
        higher = both & (row > best)
        lower = both & ~higher
        rest[higher] += best[higher]
        rest[lower] += row[lower]
        best[new | higher] = row[new | higher]
        has |= matched
    return np.where(has, best, 0.0), rest, has
