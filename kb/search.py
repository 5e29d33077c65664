"""Search: a question in a person's own words in, ranked articles out.

User input is only ever text: it is analyzed into terms and scored directly (kb.scoring),
never through a query parser, so no character in it has a special meaning.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
from collections import Counter
from dataclasses import dataclass, field

from kb import scoring
from kb.analysis import (
    analyze,
    character_bigrams,
    kana_only_reading_runs,
    known_word,
    spaced_kana_words,
)
from kb.articles import Article
from kb.confidence import NONE, assess
from kb.index import GRAMS_FIELD, KANA_FIELD, TEXT_FIELDS, OpenedIndex
from kb.normalization import has_kanji, hiragana_to_katakana, normalize
from kb.rendering import plain_text
from kb.romaji import romaji_to_kana
from kb.text import clean

# Title and the question aliases say what an article is about; the body only mentions things.
FIELD_WEIGHTS = {"title": 4.0, "queries": 4.0, "tags": 2.5, "answer": 1.5, "body": 1.0}
KANA_WEIGHT = 4.0
KANA_MIN_SHARE = 0.75
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
_URL = re.compile(r"(?:https?://|/articles/)\S+")
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
MAX_QUERY_CHARS = 400
SNIPPET_CHARS = 110


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
    title_html: str = ""
    snippet_html: str = ""

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


def dates_json(as_of, reviewed, review_by) -> dict:
    """An answer's dates as the API gives them (ISO dates, None when unknown)."""
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "reviewed": reviewed.isoformat() if reviewed else None,
        "review_by": review_by.isoformat() if review_by else None,
    }


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
    # The evidence for it beyond the hits: the character-bigram view ranks the same article first.
    views_agree: bool = False

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


def clean_query(text: str | None) -> tuple[str, bool]:
    """The query cleaned (`kb.text.clean`: zero-width characters vanish, controls become
    spaces), cut to MAX_QUERY_CHARS and on one line. Returns (text, was_truncated)."""
    text = clean(text)
    truncated = len(text) > MAX_QUERY_CHARS
    return " ".join(text[:MAX_QUERY_CHARS].split()), truncated


class _ArticleText:
    """An article's display text, analyzed once, for snippets and highlighted titles."""

    __slots__ = ("text", "terms", "title_terms")

    def __init__(self, article: Article):
        self.text = article.answer + "\n" + plain_text(article.body)
        self.terms = analyze(self.text)
        self.title_terms = analyze(article.title)


class SearchEngine:
    def __init__(self, opened: OpenedIndex):
        self.articles = opened.articles
        self.opened = opened
        with opened.index.reader() as reader:
            self._postings = scoring.Postings(reader, [*TEXT_FIELDS, KANA_FIELD, GRAMS_FIELD])
        self._texts: dict[str, _ArticleText] = {}
        # The words of the articles (did-you-mean, suggestions): not the reading or character
        # bigrams, which share their form with two-character words (画面, ケア).
        self._vocabulary = self._postings.vocabulary(TEXT_FIELDS)

    def _text(self, article_id: str) -> _ArticleText:
        text = self._texts.get(article_id)
        if text is None:
            text = self._texts[article_id] = _ArticleText(self.articles[article_id])
        return text

    def search(
        self, query: str, limit: int = 10, category: str | None = None, highlight: bool = True
    ) -> SearchResponse:
        cleaned, truncated = clean_query(query)
        if not cleaned:
            return SearchResponse(
                query,
                [],
                [],
                reason="empty",
                message="検索する言葉を入力してください。",
                truncated=truncated,
            )
        # hojokin itsumade → ほじょきん いつまで: from here on it is a question typed in kana.
        cleaned = romaji_to_kana(cleaned, known_word, self._known_reading)
        terms = analyze(cleaned)
        # Reading matching is for hiragana the dictionary cannot read (ほうもんしんりょう); in a
        # question with kanji the hiragana is particles and endings, already analyzed as words.
        kana_runs = kana_only_reading_runs(cleaned)
        spaced = spaced_kana_words(cleaned)
        if spaced:
            # The kana words set apart are also read; a dictionary guess at one that no article
            # contains (しょるい → しょ塁) only lowers the share of the question explained.
            inside = [(start, end) for start, end, _ in spaced]
            terms = [
                t
                for t in terms
                if t.text in self._vocabulary
                or not any(s <= t.start and t.end <= e for s, e in inside)
            ]
            kana_runs = [readings for _, _, readings in spaced]
        if not terms and not kana_runs:
            return SearchResponse(
                query, [], [], reason="no_terms", truncated=truncated,
                message="記号や短すぎる言葉だけでは検索できません。知りたいことを言葉で入力してください。",
            )  # fmt: skip

        ranked = self._rank(terms, kana_runs, all_kana=not spaced)
        grams = list(dict.fromkeys(character_bigrams(cleaned)))
        # Bigrams are for a word the analysis could not place (a mistyped kanji): when the
        # first article explains every word, the words have spoken.
        # A question typed all in kana is read by its readings: its kana bigrams say nothing.
        # Nothing found by the words: the bigrams alone would only find look-alikes.
        by_grams = self._rank_grams(grams) if grams and ranked else []
        if by_grams and has_kanji(cleaned) and ranked[0].coverage < 1.0:
            ranked = _fuse(ranked, by_grams)
        facets = Counter(self.articles[item.doc_id].category for item in ranked)
        if category:
            ranked = [item for item in ranked if self.articles[item.doc_id].category == category]
            by_grams = [i for i in by_grams if self.articles[i.doc_id].category == category]
        # The two views of the question (its words, its characters) agree on the first article.
        agree = bool(ranked and by_grams and ranked[0].doc_id == by_grams[0].doc_id)
        term_texts = list(dict.fromkeys(term.text for term in terms))
        hits = [self._hit(item, set(term_texts), highlight) for item in ranked[: max(limit, 0)]]
        response = SearchResponse(
            query,
            term_texts,
            hits,
            dict(facets),
            total=len(ranked),
            truncated=truncated,
            confidence=assess(ranked[:2], cleaned, views_agree=agree),
            views_agree=agree,
        )
        if not hits:
            response.reason = "no_match"
            response.message = (
                "該当する記事が見つかりませんでした。言葉を変えるか、カテゴリから探してください。"
            )
            response.suggestions = self._did_you_mean(cleaned, terms)
        return response

    def _known_reading(self, kana: str) -> bool:
        """Whether every bigram of the reading `kana` (hiragana) is in an article's readings."""
        readings = self._postings.postings.get(KANA_FIELD, {})
        katakana = hiragana_to_katakana(kana)
        return all(katakana[i : i + 2] in readings for i in range(len(katakana) - 1))

    def _rank(
        self, terms, kana_runs: list[list[list[str]]], all_kana: bool = True
    ) -> list[scoring.Scored]:
        words = _question_words(terms)
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
        return [
            item
            for item in scoring.score(self._postings, words, WEIGHTS)
            if item.doc_id in self.articles
        ]

    def _rank_grams(self, grams: list[str]) -> list[scoring.Scored]:
        """The articles ranked by the question's character bigrams alone."""
        words = [scoring.Word([[(GRAMS_FIELD, gram, 1.0)]]) for gram in grams]
        return [
            item
            for item in scoring.score(self._postings, words, GRAM_WEIGHTS)
            if item.doc_id in self.articles
        ]

    def _hit(self, item: scoring.Scored, query_terms: set[str], highlight: bool) -> SearchHit:
        article_id = item.doc_id
        article = self.articles[article_id]
        hit = SearchHit(
            article.id,
            article.title,
            article.category,
            article.answer,
            item.score,
            item.coverage,
            article.url,
            item.title_coverage,
            article.as_of,
            article.reviewed,
            article.review_by,
        )
        if highlight:
            text = self._text(article_id)
            hit.title_html = _highlight(article.title, text.title_terms, query_terms)
            hit.snippet_html = _snippet(text.text, text.terms, query_terms)
        return hit

    def _did_you_mean(self, cleaned: str, terms) -> list[str]:
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
            if term.text in self._vocabulary:
                replaced.append(cleaned[term.start : term.end])
                continue
            candidate = _closest(term.text, self._vocabulary)
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

    def suggest(self, prefix: str, limit: int = 8) -> list[dict]:
        """Titles and questions that contain what has been typed so far, for search-as-you-type."""
        cleaned, _ = clean_query(prefix)
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
            for hit in self.search(cleaned, limit=limit, highlight=False).hits:
                if hit.id not in seen:
                    suggestions.append(
                        {"text": hit.title, "id": hit.id, "title": hit.title, "url": hit.url}
                    )
                if len(suggestions) >= limit:
                    break
        return suggestions

    def related(self, article_id: str) -> list[Article]:
        article = self.articles[article_id]
        return [self.articles[other] for other in article.related if other in self.articles]


def _fuse(words: list[scoring.Scored], grams: list[scoring.Scored]) -> list[scoring.Scored]:
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


def _question_words(terms) -> list[scoring.Word]:
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


def _closest(word: str, vocabulary: dict[str, int]) -> str | None:
    if len(word) < 3:
        return None
    best: tuple[int, int, str] | None = None
    for candidate, frequency in vocabulary.items():
        if abs(len(candidate) - len(word)) > 1:
            continue
        distance = _edit_distance(word, candidate, limit=1)
        if distance <= 1 and (best is None or (distance, -frequency, candidate) < best):
            best = (distance, -frequency, candidate)
    return best[2] if best else None


def _edit_distance(a: str, b: str, limit: int) -> int:
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


def _spans(terms, query_terms: set[str]) -> list[tuple[int, int]]:
    spans = sorted({(t.start, t.end) for t in terms if t.text in query_terms})
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _marked(text: str, spans: list[tuple[int, int]], begin: int, end: int) -> str:
    out: list[str] = []
    position = begin
    for start, stop in spans:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        position = stop
    out.append(html.escape(text[position:end]))
    return "".join(out)


def _highlight(text: str, terms, query_terms: set[str]) -> str:
    return _marked(text, _spans(terms, query_terms), 0, len(text))


def _snippet(text: str, terms, query_terms: set[str]) -> str:
    """About SNIPPET_CHARS characters around the densest cluster of matched words, escaped."""
    spans = _spans(terms, query_terms)
    flat = " ".join(text.split("\n"))
    if not spans:
        end = min(len(flat), SNIPPET_CHARS)
        return html.escape(flat[:end]) + ("…" if end < len(flat) else "")
    best_start, best_count = spans[0][0], 0
    for start, _ in spans:
        count = sum(1 for s, _ in spans if start <= s < start + SNIPPET_CHARS)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - 20)
    end = min(len(flat), begin + SNIPPET_CHARS)
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return prefix + _marked(flat, spans, begin, end) + suffix
