"""Ranking: the words of a question scored against the articles (BM25F, kb.scoring).

Three views of a question rank the articles: its analyzed words (with sub-words and
synonyms), its kana read aloud (for what the dictionary cannot segment), and its character
bigrams, fused in when the words leave part of the question unexplained (a mistyped kanji).
"""

from __future__ import annotations

import dataclasses

from kb import scoring
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


class Ranker:
    """Ranks the articles of one index generation; `articles` limits the ids it returns."""

    def __init__(self, postings: scoring.Postings, articles):
        self.postings = postings
        self.articles = articles

    def rank(
        self, terms, kana_runs: list[list[list[str]]], all_kana: bool = True
    ) -> list[scoring.Scored]:
        """The articles for the question's terms (kb.analysis.Term) and kana runs (each its
        ways of reading, each a list of reading bigrams), best first. `all_kana`: the question
        was typed without kanji, so the dictionary's guesses at its words do not count."""
        words = question_words(terms)
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
                words.append(scoring.Word([alternative], KANA_MIN_SHARE))
        return self._known(scoring.score(self.postings, words, WEIGHTS))

    def rank_grams(self, grams: list[str]) -> list[scoring.Scored]:
        """The articles ranked by the question's character bigrams alone."""
        words = [scoring.Word([[(GRAMS_FIELD, gram, 1.0)]]) for gram in grams]
        return self._known(scoring.score(self.postings, words, GRAM_WEIGHTS))

    def known_reading(self, kana: str) -> bool:
        """Whether every bigram of the reading `kana` (hiragana) is in an article's readings."""
        readings = self.postings.postings.get(KANA_FIELD, {})
        katakana = hiragana_to_katakana(kana)
        return all(katakana[i : i + 2] in readings for i in range(len(katakana) - 1))

    def _known(self, ranked: list[scoring.Scored]) -> list[scoring.Scored]:
        return [item for item in ranked if item.doc_id in self.articles]


def fuse(words: list[scoring.Scored], grams: list[scoring.Scored]) -> list[scoring.Scored]:
    """The morphological ranking with the character-bigram one added at a small weight.

    Each score is taken as a share of its ranking's best, so the two scales meet; the bigrams
    lift an article whose words were mistyped without reordering the ones the words found.
    Items keep their morphological coverage (0 for an article only the bigrams found), which
    the confidence reads; their score becomes the fused one.
    """
    top_words = words[0].score if words and words[0].score > 0 else 1.0
    top_grams = grams[0].score if grams and grams[0].score > 0 else 1.0
    fused = {item.doc_id: item.score / top_words for item in words}
    for item in grams:
        fused[item.doc_id] = fused.get(item.doc_id, 0.0) + GRAM_SHARE * item.score / top_grams
    by_id = {item.doc_id: item for item in words}
    ordered = sorted(fused, key=lambda doc_id: (-fused[doc_id], doc_id))
    # The fused score, in the words' points, so that scores still fall with the rank.
    return [
        dataclasses.replace(
            by_id.get(doc_id) or scoring.Scored(doc_id, 0.0, 0.0),
            score=fused[doc_id] * top_words,
        )
        for doc_id in ordered
    ]


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
