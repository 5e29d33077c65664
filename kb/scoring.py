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
question: it is computed once per index generation (Postings.impacts). Nor does word(w, d): for
a word with few postings it is kept too (Postings.contribution), so a question of words asked
before costs one pass over the articles each matches.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, defaultdict
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
        self.id_rank: list[int] = self.id_order.tolist()  # the same, for plain Python
        self._impacts: dict[tuple, tuple] = {}
        self._contributions: OrderedDict[tuple, _Contribution] = OrderedDict()
        self._kept = 0  # the size of what self._contributions holds (`_Contribution.size`)
        self._lock = threading.Lock()

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

    def contribution(self, word: Word, weights: Weights) -> _Contribution | None:
        """What `word` gives each article (`_Contribution`), or None when its postings are
        too many to score in a loop (SPARSE_VOLUME). Kept for the index generation, for the
        words last asked that some article has, up to CONTRIBUTIONS_KEPT in size."""
        key = (
            tuple(map(tuple, word.alternatives)),
            word.min_share,
            weights.k1,
            weights.b,
            weights.tiebreak,
            weights.title_fields,
        )
        with self._lock:
            found = self._contributions.get(key)
            if found is not None:
                self._contributions.move_to_end(key)
                return found
        rows, needed, volume = _word_rows(self, word, weights)
        if volume > SPARSE_VOLUME:
            return None
        found = _contribution(rows, needed, weights.tiebreak)
        if found.matches:
            found.size = len(found.matches) + len(found.in_title) + sum(map(len, word.alternatives))
            with self._lock:
                if key not in self._contributions:
                    self._contributions[key] = found
                    self._kept += found.size
                while self._kept > CONTRIBUTIONS_KEPT and len(self._contributions) > 1:
                    _, forgotten = self._contributions.popitem(last=False)
                    self._kept -= forgotten.size
        return found

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


# A question is scored word by word in plain Python when each of its words has at most this
# many postings (documents × fields × terms) and together they match at most this many
# (document, word) pairs; otherwise as NumPy arrays. Small, the fixed cost of some fifty array
# operations outweighs the arithmetic; large, the loop does. Measured with
# scripts/bench_search.py's questions (median / p95 ms, arrays → word by word): 38 articles
# 0.344 / 0.510 → 0.238 / 0.355; 380 articles 0.400 / 0.627 → 0.399 / 0.608 (at 400: 0.417 /
# 0.624, at 800: 0.449 / 0.683). Both give the same floating point (tests/test_scoring.py).
SPARSE_VOLUME = 300
# Words whose contribution is kept per index generation, the least recently asked forgotten
# first: the words people type repeat (補助金, 医療券, 表示), and a kept word is scored by
# reading it, not its postings. Bounded, as what people type is unbounded, by the size of
# what is kept: each word's (document, word) pairs, its documents with a title match and the
# (field, term, boost) entries of its key (a kana word's key holds every bigram typed).
# Measured, a unit takes 159 bytes (long kana questions of random bigrams, built to match one
# article) to 180 (the 762 questions of the evaluation sets, which keep 1,896 words): some
# 36 MB at this bound.
CONTRIBUTIONS_KEPT = 200_000


@dataclass(slots=True)
class _Row:
    """One (field, term) of one alternative of a question's word, with its impacts."""

    alternative: int  # the alternative's number within its word
    text: str
    in_title: bool  # its field is one of the title fields
    whole: bool  # the word itself or a synonym, not one of its sub-words
    factor: float  # weight_f · idf
    docs: np.ndarray
    saturated: np.ndarray


@dataclass(slots=True)
class _Contribution:
    """What one word of a question gives the articles it matches (the loop scorer's unit)."""

    # (document, word(w, d) in the module's formula, the share of the word it explains: 1, or
    # SUB_WORD_SHARE when only a sub-word matched)
    matches: list[tuple[int, float, float]]
    in_title: frozenset[int]  # documents with the word in a title field
    size: int = 0  # what it counts towards CONTRIBUTIONS_KEPT


def _word_rows(
    postings: Postings, word: Word, weights: Weights
) -> tuple[list[_Row], dict[int, float], int]:
    """The word's rows (the (field, term)s some article has), the distinct terms each
    min_share alternative needs, and the number of postings of its rows."""
    rows: list[_Row] = []
    needed: dict[int, float] = {}
    volume = 0
    for number, alternative in enumerate(word.alternatives):
        if word.min_share:
            needed[number] = word.min_share * len({text for _, text, _ in alternative})
        # A word's first alternative is the word and its sub-words, the word first.
        main = alternative[0][1] if number == 0 and not word.min_share else None
        for name, text, boost in alternative:
            row = postings.impacts(name, text, weights.k1, weights.b)
            if row is None:
                continue
            docs, idf, saturated = row
            rows.append(
                _Row(
                    number,
                    text,
                    name in weights.title_fields,
                    main is None or text == main,
                    boost * idf,
                    docs,
                    saturated,
                )
            )
            volume += len(docs)
    return rows, needed, volume


def score(postings: Postings, words: list[Word], weights: Weights) -> Ranked:
    """Every article that matches at least one word, best first (ties by id).

    Each (field, term) is one sparse row of BM25 impacts, computed once per index generation
    and (k1, b). A question whose words have few postings each is scored word by word in
    plain Python (`_score_words`), one with a common word as arrays (`_score_arrays`): see
    SPARSE_VOLUME. Both add in the order of the formula, so the scores are those of the plain
    loop tests/test_scoring.py keeps as the reference."""
    contributions: list[_Contribution] = []
    matched = 0
    for word in words:
        found = postings.contribution(word, weights)
        if found is None:
            return _score_arrays(postings, words, weights)
        contributions.append(found)
        matched += len(found.matches)
    if matched > SPARSE_VOLUME:
        return _score_arrays(postings, words, weights)
    return _score_words(postings, words, weights, contributions)


def _contribution(rows: list[_Row], needed: dict[int, float], tiebreak: float) -> _Contribution:
    """A word's `_Contribution` from its rows (`_word_rows`), by a loop over their postings."""
    values: dict[int, dict[int, float]] = {}  # alternative → document → Σ rows, in row order
    held: dict[int, dict[int, set[str]]] = {}  # alternative → document → distinct terms
    in_title: set[int] = set()
    whole: set[int] = set()
    for row in rows:
        cells = values.setdefault(row.alternative, {})
        factor = row.factor
        docs = row.docs.tolist()
        for doc, saturated in zip(docs, row.saturated.tolist(), strict=True):
            cells[doc] = cells.get(doc, 0.0) + factor * saturated
        if row.alternative in needed:
            terms = held.setdefault(row.alternative, {})
            for doc in docs:
                terms.setdefault(doc, set()).add(row.text)
        if row.in_title:
            in_title.update(docs)
        if row.whole:
            whole.update(docs)
    for alternative, share in needed.items():
        terms = held.get(alternative, {})
        if alternative in values:
            values[alternative] = {
                doc: value
                for doc, value in values[alternative].items()
                if len(terms.get(doc, ())) >= share
            }
    if len(values) <= 1:
        # One alternative matched: its value is the word's (no tiebreak to add).
        points = next(iter(values.values()), {})
    else:
        best: dict[int, float] = {}
        rest: dict[int, float] = {}
        for alternative in sorted(values):
            for doc, value in values[alternative].items():
                previous = best.get(doc)
                if previous is None:
                    best[doc] = value
                elif value > previous:
                    rest[doc] = rest.get(doc, 0.0) + previous
                    best[doc] = value
                else:
                    rest[doc] = rest.get(doc, 0.0) + value
        points = {doc: value + tiebreak * rest.get(doc, 0.0) for doc, value in best.items()}
    matches = [
        (doc, value, 1.0 if doc in whole else SUB_WORD_SHARE) for doc, value in points.items()
    ]
    return _Contribution(matches, frozenset(in_title))


def _information(words: list[Word]) -> float:
    # Added one by one in the words' order, in both scorers.
    total = 0.0
    for word in words:
        if word.counts:
            total += word.weight
    return max(total, 1e-12)


def _score_words(
    postings: Postings,
    words: list[Word],
    weights: Weights,
    contributions: list[_Contribution],
) -> Ranked:
    """`score` from each word's `_Contribution`: dictionaries over the documents matched."""
    # document → [Σ word(w, d), words matched, information explained], each added in the order
    # of the words, as the formula (and the arrays) add them.
    found: dict[int, list] = {}
    titled: dict[int, int] = {}  # document → words found in one of its title fields
    for word, contribution in zip(words, contributions, strict=True):
        counts = word.counts
        weight = word.weight if counts else 0.0
        for doc, points, share in contribution.matches:
            entry = found.get(doc)
            if entry is None:
                found[doc] = [points, 1, weight * share] if counts else [points, 0, 0.0]
            elif counts:
                entry[0] += points
                entry[1] += 1
                entry[2] += weight * share
            else:
                entry[0] += points
        if counts:
            for doc in contribution.in_title:
                titled[doc] = titled.get(doc, 0) + 1
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return Ranked(postings, empty, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))

    counting = max(sum(1 for word in words if word.counts), 1)
    information = _information(words)
    id_rank = postings.id_rank
    ranked = []
    for doc, (total, covered, explained) in found.items():
        coverage = covered / counting
        title_coverage = titled.get(doc, 0) / counting
        final = total * (1 + weights.coverage * coverage + weights.title_coverage * title_coverage)
        ranked.append((-final, id_rank[doc], doc, coverage, title_coverage, explained))
    ranked.sort()
    return Ranked(
        postings,
        np.array([item[2] for item in ranked], dtype=np.int64),
        np.array([-item[0] for item in ranked]),
        np.array([item[3] for item in ranked]),
        np.array([item[4] for item in ranked]),
        np.array([item[5] / information for item in ranked]),
    )


def _score_arrays(postings: Postings, words: list[Word], weights: Weights) -> Ranked:
    """`score` for a question with a common word, vectorized over the articles (NumPy).

    The question's rows are laid end to end and summed per (alternative, article) by one
    `np.bincount`, so its cost is a fixed number of array operations, not a few per
    (field, term). `bincount` adds in input order, which is the order of the formula."""
    count = postings.count
    rows: list[_Row] = []
    needed: dict[int, float] = {}
    row_alternatives: list[int] = []  # per row, its alternative counted over the question
    row_words: list[int] = []
    alternatives = 0
    for word_number, word in enumerate(words):
        found, shares, _ = _word_rows(postings, word, weights)
        rows += found
        row_alternatives += [alternatives + row.alternative for row in found]
        row_words += [word_number] * len(found)
        needed.update({alternatives + number: share for number, share in shares.items()})
        alternatives += len(word.alternatives)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Ranked(postings, empty, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))

    lengths = np.fromiter((len(row.docs) for row in rows), dtype=np.int64, count=len(rows))
    docs = np.concatenate([row.docs for row in rows])
    # weight_f · idf, then the bracket: the order of the formula, so the floating point is the
    # loop's.
    impact = np.repeat([row.factor for row in rows], lengths) * np.concatenate(
        [row.saturated for row in rows]
    )
    cell = np.repeat(np.asarray(row_alternatives, dtype=np.int64) * count, lengths)
    values = np.bincount(cell + docs, weights=impact, minlength=alternatives * count)
    values = values.reshape(alternatives, count)
    # Every boost, idf and tf is positive: a document matched where its value is.
    present = values > 0
    if needed:
        required = [
            (row, number)
            for row, number in zip(rows, row_alternatives, strict=True)
            if number in needed
        ]
        _require_shares(present, required, needed, count)

    title = [(row.docs, word) for row, word in zip(rows, row_words, strict=True) if row.in_title]
    whole = [(row.docs, word) for row, word in zip(rows, row_words, strict=True) if row.whole]
    in_title = _matrix(title, len(words), count)
    as_whole = _matrix(whole, len(words), count)

    if all(len(word.alternatives) == 1 for word in words):
        # One alternative a word (bigrams, and most questions): its value is the word's. (Not
        # merely as many alternatives as words: a word without any beside one with two.)
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
    totals = _down(points)

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
    # Summed down the words in their order (not a BLAS product), as the loop adds them.
    if counting:
        explained = _down(information[:, None] * matched) / _information(words)
    else:
        explained = np.zeros(count)
    final = totals * (1 + weights.coverage * coverage + weights.title_coverage * title_coverage)
    return Ranked.ordered(
        postings, has.any(axis=0), final, final, coverage, title_coverage, explained
    )


def _down(matrix: np.ndarray) -> np.ndarray:
    """The rows of a (words × documents) matrix added in order, first to last, as the formula
    adds its words. NumPy's sum does so down the rows of a wider matrix; over a single
    document the column is contiguous and it may add pairwise, in another order, so there the
    running sum is taken instead (a tenth of a millisecond slower at 3,800 articles if used
    always)."""
    if matrix.shape[1] > 1:
        return matrix.sum(axis=0)
    return np.add.accumulate(matrix, axis=0)[-1]


def _matrix(parts: list[tuple[np.ndarray, int]], height: int, count: int):
    """A (height × count) boolean matrix, True at (row, d) for every (documents, row) of
    `parts` and every document d of the documents."""
    matrix = np.zeros((height, count), dtype=bool)
    if parts:
        lengths = np.fromiter((len(docs) for docs, _ in parts), dtype=np.int64, count=len(parts))
        cells = np.repeat(np.asarray([row for _, row in parts], dtype=np.int64) * count, lengths)
        matrix.reshape(-1)[cells + np.concatenate([docs for docs, _ in parts])] = True
    return matrix


def _require_shares(present, rows, needed: dict[int, float], count: int) -> None:
    """The min_share rule: clears `present` (alternatives × documents) where an alternative
    matches an article that holds fewer than `needed` of its distinct terms (in any field).
    `rows`: (row, its alternative counted over the question) for the alternatives in
    `needed`."""
    if not rows:
        return
    numbers: dict[tuple[int, str], int] = {}  # (alternative, term) → term number
    keys = []
    for row, alternative in rows:
        term = numbers.setdefault((alternative, row.text), len(numbers))
        keys.append(term * count + row.docs)
    # Each (term, article) once: a term in two fields is one of the article's terms.
    unique = np.unique(np.concatenate(keys))
    owner = np.fromiter((alternative for alternative, _ in numbers), dtype=np.int64)
    cells = owner[unique // count] * count + unique % count
    distinct = np.bincount(cells, minlength=present.size).reshape(present.shape)
    for number, share in needed.items():
        present[number] &= distinct[number] >= share


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
