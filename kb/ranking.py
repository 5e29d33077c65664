"""Ranking: the words of a question scored against the articles (BM25F, kb.scoring).

Three views of a question rank the articles: its analyzed words (with sub-words and
synonyms), its kana read aloud (for what the dictionary cannot segment), and its character
bigrams, fused in when the words leave part of the question unexplained (a mistyped kanji).
"""

from __future__ import annotations

import math

import numpy as np

from kb import scoring
from kb.analysis import NEGATION, names_a_thing
from kb.index import GRAMS_FIELD, KANA_FIELD
from kb.normalization import hiragana_to_katakana

# Title and the question aliases say what an article is about; the body only mentions things.
FIELD_WEIGHTS = {"title": 4.0, "queries": 4.0, "tags": 2.5, "answer": 1.5, "body": 1.0}
KANA_WEIGHT = 4.0
KANA_MIN_SHARE = 0.75
# Each word of the question an article matches multiplies its score: long questions rank the
# article that covers most of them first, not the one that repeats one word most.
COVERAGE_WEIGHT = 1.5
# Words of the question found in the title or the question aliases count once more: an article
# whose own question says what the person asked is the answer more often than one that only
# mentions the words in its body.
TITLE_COVERAGE_WEIGHT = 1.0
TITLE_FIELDS = frozenset({"title", "queries"})
WEIGHTS = scoring.Weights(
    fields=FIELD_WEIGHTS,
    title_fields=TITLE_FIELDS,
    coverage=COVERAGE_WEIGHT,
    title_coverage=TITLE_COVERAGE_WEIGHT,
)
# A character-bigram view of the question is added when its words leave part of it
# unexplained (a mistyped kanji: 申請機関 for 申請期間), each ranking taken as a share of its
# best. Measured with scripts/eval_search.py on scripts/eval/search-messy.tsv (201 answerable):
# words alone R@1 0.891, with the bigrams at 0.3 0.905 (typos 0.83 → 0.90), at 1.0 0.915 but
# search-extra 0.955 → 0.945; reciprocal-rank fusion was worse at every weight (0.846–0.881).
GRAM_SHARE = 0.3
GRAM_WEIGHTS = scoring.Weights(
    fields={GRAMS_FIELD: 1.0}, title_fields=frozenset(), coverage=1.5, title_coverage=0.0
)


def information(frequency: int, count: int) -> float:
    """How much a word found in `frequency` of `count` articles says about what is asked: an
    idf, log(1 + N / (df + 0.5)). A word no article uses says most (インボイス, 義務: the
    question is about something the articles do not cover), one nearly every article uses
    least (確認, 資格)."""
    return math.log(1 + count / (frequency + 0.5))


# A word that does not name a thing (来る, 変える, 今, どこ: kb.analysis.names_a_thing) says
# how or when, not what: however rare in the articles, it weighs at most as a word half the
# articles use. (Weighed by its rarity, 「じゃあ今はいつまで？」 was about 今, which one article
# uses, and no longer about the deadline it asks.)
GENERAL_WORD_SHARE = 0.5


def word_information(text: str, frequency: int, count: int) -> float:
    """`information` of a question's word as typed (`text`), capped for words that do not
    name a thing."""
    weight = information(frequency, count)
    if names_a_thing(text):
        return weight
    return min(weight, information(int(count * GENERAL_WORD_SHARE), count))


class Ranker:
    """Ranks the articles of one index generation; `articles` (id → Article) limits the ids
    it returns and gives their categories; `vocabulary` (term → articles that use it) weighs
    the question's words (`information`)."""

    def __init__(self, postings: scoring.Postings, articles, vocabulary: dict[str, int]):
        self.postings = postings
        self.articles = articles
        self.vocabulary = vocabulary
        known = [articles.get(doc_id) for doc_id in postings.doc_ids]
        self._known_mask = np.array([article is not None for article in known], dtype=bool)
        self._all_known = bool(self._known_mask.all())
        self._categories = sorted({article.category for article in known if article})
        code = {category: index for index, category in enumerate(self._categories)}
        self._category_codes = np.array(
            [code[article.category] if article else -1 for article in known], dtype=np.int64
        )

    def facets(self, ranked: scoring.Ranked) -> dict[str, int]:
        """How many of the ranked articles each category has, in the order they first rank."""
        codes = self._category_codes[ranked.docs]
        ranks = np.flatnonzero(codes >= 0)
        codes = codes[ranks]
        # Counting and a minimum per category, not a sort of every match: 15 µs instead of
        # 75 µs for a question that matches 3,000 articles (scripts/bench_search.py --scale).
        counts = np.bincount(codes, minlength=len(self._categories))
        first = np.full(len(self._categories), len(ranked.docs))
        np.minimum.at(first, codes, ranks)
        present = np.flatnonzero(counts)
        order = present[np.argsort(first[present], kind="stable")]
        return {self._categories[code]: int(counts[code]) for code in order.tolist()}

    def within(self, ranked: scoring.Ranked, category: str) -> scoring.Ranked:
        """The ranked articles of `category` only, in their order."""
        if category not in self._categories:
            return ranked.where(np.zeros(self.postings.count, dtype=bool))
        return ranked.where(self._category_codes == self._categories.index(category))

    def rank(
        self, terms, kana_runs: list[list[list[str]]], all_kana: bool = True
    ) -> scoring.Ranked:
        """The articles for the question's terms (kb.analysis.Term) and kana runs (each its
        ways of reading, each a list of reading bigrams), best first. `all_kana`: the question
        was typed without kanji, so the dictionary's guesses at its words do not count."""
        words = question_words(terms)
        count = self.postings.count
        for word in words:
            text, frequency = self._as_typed(word)
            word.weight = word_information(text, frequency, count)
        if kana_runs and all_kana:
            # Typed all in kana: the dictionary's segmentation is a guess, the readings decide.
            for word in words:
                word.counts = False
        for readings in kana_runs:
            # Each kana run (ほうもんしんりょう, ｶｲｼｭｳ) is one more word of the question, matched
            # on the readings of the indexed words, as a whole or by its pieces.
            alternatives = []
            for bigrams in readings:
                unique = list(dict.fromkeys(bigrams))
                boost = KANA_WEIGHT * 4 / len(unique)
                alternatives.append([(KANA_FIELD, bigram, boost) for bigram in unique])
            for alternative in alternatives:
                # A kana word that matched the readings is as specific as a rare word.
                word = scoring.Word([alternative], KANA_MIN_SHARE)
                word.weight = information(1, count)
                words.append(word)
        return self._known(scoring.score(self.postings, words, WEIGHTS))

    def rank_grams(self, grams: list[str]) -> scoring.Ranked:
        """The articles ranked by the question's character bigrams alone."""
        words = [scoring.Word([[(GRAMS_FIELD, gram, 1.0)]]) for gram in grams]
        return self._known(scoring.score(self.postings, words, GRAM_WEIGHTS))

    def _as_typed(self, word: scoring.Word) -> tuple[str, int]:
        """The word as typed (its first term: sub-words and synonyms follow it) and the number
        of articles that use it. A negated word (使うない) is the word (使う): no article
        writes the merged form."""
        text = word.alternatives[0][0][1] if word.alternatives and word.alternatives[0] else ""
        if text not in self.vocabulary and text.endswith(NEGATION):
            text = text[: -len(NEGATION)]
        return text, self.vocabulary.get(text, 0)

    def known_reading(self, kana: str) -> bool:
        """Whether every bigram of the reading `kana` (hiragana) is in an article's readings."""
        readings = self.postings.postings.get(KANA_FIELD, {})
        katakana = hiragana_to_katakana(kana)
        return all(katakana[i : i + 2] in readings for i in range(len(katakana) - 1))

    def _known(self, ranked: scoring.Ranked) -> scoring.Ranked:
        # Usually every indexed article is known: nothing to filter.
        return ranked if self._all_known else ranked.where(self._known_mask)


def fuse(words: scoring.Ranked, grams: scoring.Ranked) -> scoring.Ranked:
    """The morphological ranking with the character-bigram one added at a small weight.

    Each score is taken as a share of its ranking's best, so the two scales meet; the bigrams
    lift an article whose words were mistyped without reordering the ones the words found.
    Items keep their morphological coverage (0 for an article only the bigrams found), which
    the confidence reads; their score becomes the fused one, in the words' points.
    """
    postings = words.postings
    top_words = float(words.scores[0]) if len(words) and words.scores[0] > 0 else 1.0
    top_grams = float(grams.scores[0]) if len(grams) and grams.scores[0] > 0 else 1.0
    fused = np.zeros(postings.count)
    present = np.zeros(postings.count, dtype=bool)
    coverage = np.zeros(postings.count)
    title_coverage = np.zeros(postings.count)
    explained = np.zeros(postings.count)
    fused[words.docs] = words.scores / top_words
    fused[grams.docs] += GRAM_SHARE * grams.scores / top_grams
    present[words.docs] = present[grams.docs] = True
    coverage[words.docs] = words.coverage
    title_coverage[words.docs] = words.title_coverage
    explained[words.docs] = words.explained
    return scoring.Ranked.ordered(
        postings, present, fused, fused * top_words, coverage, title_coverage, explained
    )


def question_words(terms) -> list[scoring.Word]:
    """One Word per word typed: the word with its sub-words is one alternative, each synonym
    another (see kb.scoring for why they are combined differently)."""
    lexical: dict[int, list[str]] = {}
    synonyms: dict[int, list[str]] = {}
    for term in terms:
        texts = (synonyms if term.synonym else lexical).setdefault(term.group, [])
        if term.text not in texts:
            texts.append(term.text)

    def across_fields(texts: list[str]) -> list[tuple[str, str, float]]:
        # A compound's sub-words add up, but not to n times a word: オンライン資格確認 as
        # オンライン + 資格 + 確認 outweighed the distinctive 流れ in 「…を導入するまでの流れ」.
        # Shared by 1/√n (scripts/eval_search.py, every set better than by 1 or by 1/n:
        # messy R@1 0.920 → 0.930, extra 0.955 → 0.960, dev 0.977 → 1.000, chat 0.891 → 0.914).
        share = 1 / len(texts) ** 0.5
        return [
            (name, text, weight * share) for text in texts for name, weight in FIELD_WEIGHTS.items()
        ]

    words = []
    seen: set[tuple] = set()
    for group in dict.fromkeys(term.group for term in terms):
        key = (tuple(lexical.get(group, ())), tuple(synonyms.get(group, ())))
        if key in seen:
            continue  # a word typed twice is still one word of the question
        seen.add(key)
        alternatives = [across_fields(lexical[group])] if group in lexical else []
        alternatives += [across_fields([text]) for text in synonyms.get(group, [])]
        words.append(scoring.Word(alternatives))
    return words
