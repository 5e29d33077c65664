"""Search: a question in a person's own words in, ranked articles out.

User input is only ever text: it is analyzed into terms and scored directly (kb.scoring),
never through a query parser, so no character in it has a special meaning. The ranking is
kb.ranking's, what comes back kb.results', the suggestions kb.suggestions'; this module reads
the question and puts them together.
"""

from __future__ import annotations

import re

from kb import scoring
from kb.analysis import (
    OTHER,
    analyze,
    character_bigrams,
    kana_only_reading_runs,
    known_word,
    spaced_kana_words,
    word_kind,
)
from kb.articles import Article
from kb.confidence import assess
from kb.homophones import Homophones, amend
from kb.index import GRAMS_FIELD, KANA_FIELD, TEXT_FIELDS, OpenedIndex
from kb.normalization import has_kanji
from kb.ranking import Ranker, fuse
from kb.results import ArticleText, SearchHit, SearchResponse, dates_json, snippet, spans
from kb.romaji import romaji_to_kana
from kb.suggestions import Suggester
from kb.text import clean

__all__ = [
    "MAX_QUERY_CHARS",
    "SearchEngine",
    "SearchHit",
    "SearchResponse",
    "clean_query",
    "dates_json",
]

MAX_QUERY_CHARS = 400


def question_word_set(terms) -> frozenset[str]:
    """The words of a question as typed, from its analyzed `terms` (each word's own term, not
    its sub-words or synonyms), without order: 「未委託って何？」 and 「何、未委託って」 are the
    same question."""
    words: dict[int, str] = {}
    for term in terms:
        if not term.synonym:
            words.setdefault(term.group, term.text)
    return frozenset(words.values())


_LATIN = re.compile(r"[A-Za-z]")
_KANA = re.compile(r"[ぁ-ゖァ-ヺー]")


def clean_query(text: str | None) -> tuple[str, bool]:
    """The query cleaned (`kb.text.clean`: zero-width characters vanish, controls become
    spaces), cut to MAX_QUERY_CHARS and on one line. Returns (text, was_truncated)."""
    text = clean(text)
    truncated = len(text) > MAX_QUERY_CHARS
    return " ".join(text[:MAX_QUERY_CHARS].split()), truncated


class SearchEngine:
    def __init__(self, opened: OpenedIndex):
        self.articles = opened.articles
        self.opened = opened
        self._postings = opened.postings([*TEXT_FIELDS, KANA_FIELD, GRAMS_FIELD])
        self._texts: dict[str, ArticleText] = {}
        # The words of the articles (did-you-mean, suggestions, the information of a question's
        # words): not the reading or character bigrams, which share their form with
        # two-character words (画面, ケア).
        self._vocabulary = self._postings.vocabulary(TEXT_FIELDS)
        self._ranker = Ranker(self._postings, self.articles, self._vocabulary)
        self._suggester = Suggester(self.articles, self._vocabulary, self.search)
        self._homophones = Homophones(self._vocabulary)
        # Each article's questions as written (its title and `queries:`), as sets of words;
        # read when the article first ranks first, so opening a large index stays quick.
        self._questions: dict[str, frozenset[frozenset[str]]] = {}

    def _text(self, article_id: str) -> ArticleText:
        text = self._texts.get(article_id)
        if text is None:
            text = self._texts[article_id] = ArticleText(self.articles[article_id])
        return text

    def search(
        self,
        query: str,
        limit: int = 10,
        category: str | None = None,
        highlight: bool = True,
        evidence: bool = False,
        suggest: bool = True,
        facets: bool = True,
    ) -> SearchResponse:
        """The articles for `query`, best first, at most `limit`, within `category` if given;
        with `highlight`, each hit carries its title's and a snippet's matched spans; with
        `facets`, the response counts the matches of each category (the search page's
        filters; the API and the chat do without, and save the counting); with
        `evidence`, the response says whether the views agree even when the confidence did not
        need to ask (scripts/calibrate_confidence.py); without `suggest`, a question that finds
        nothing gets no 「もしかして」 (the chat, which offers contacts instead)."""
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
        typed = cleaned
        cleaned = romaji_to_kana(cleaned, known_word, self._ranker.known_reading)
        terms = analyze(cleaned)
        asked_words = question_word_set(terms)
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
        # 運要テスト: a kanji word the articles lack, read aloud, may be theirs (運用).
        terms = amend(terms, self._homophones.corrections(cleaned))
        if not terms and not kana_runs:
            return SearchResponse(
                query, [], [], reason="no_terms", truncated=truncated,
                message="記号や短すぎる言葉だけでは検索できません。知りたいことを言葉で入力してください。",
            )  # fmt: skip

        # A question typed mostly in Latin letters, English or romaji (「こんばんは、Can patients
        # use…」「toiawase foomu ya FAQ wa…」), was not typed in kana for want of kanji: its words
        # count, the kana runs beside them. A kana question with a Latin word in it (「PCの
        # せっていで…」「…いつまで？ASAP」) still is.
        typed_in_kana = not spaced and len(_LATIN.findall(typed)) < len(_KANA.findall(typed))
        ranked = self._ranker.rank(terms, kana_runs, all_kana=typed_in_kana)
        grams = list(dict.fromkeys(character_bigrams(cleaned)))
        by_words = ranked

        computed: list[scoring.Ranked | None] = []

        def ranked_by_grams() -> scoring.Ranked | None:
            # The bigram ranking, computed at most once, and only when needed (a plain list,
            # not functools.cache: wrapping a function anew for every question costs more).
            if not computed:
                computed.append(self._ranker.rank_grams(grams) if grams else None)
            return computed[0]

        # Bigrams are for a word the analysis could not place (a mistyped kanji): when the
        # first article explains every word, the words have spoken.
        # A question typed all in kana is read by its readings: its kana bigrams say nothing.
        # Nothing found by the words: the bigrams alone would only find look-alikes.
        if len(ranked) and ranked.coverage[0] < 1.0 and has_kanji(cleaned):
            bigram_ranking = ranked_by_grams()
            if bigram_ranking is not None and len(bigram_ranking):
                ranked = fuse(ranked, bigram_ranking)
        counts = self._ranker.facets(ranked) if facets else {}
        if category:
            ranked = self._ranker.within(ranked, category)
            by_words = self._ranker.within(by_words, category)

        def views_agree() -> bool:
            # The two views of the question (its words, its characters), each on its own,
            # rank the answer's article first (the fused ranking leans on the bigrams, so it
            # is not an independent view).
            bigram_ranking = ranked_by_grams()
            if bigram_ranking is None or not len(ranked):
                return False
            if category:
                bigram_ranking = self._ranker.within(bigram_ranking, category)
            return bool(
                len(bigram_ranking) and len(by_words)
                and ranked.docs[0] == bigram_ranking.docs[0] == by_words.docs[0]
            )  # fmt: skip

        # The hits and the two leaders the confidence compares, made into objects once.
        shown = ranked.top(max(limit, 2))
        leaders = shown[:2]
        asked = self._asked_as_written(asked_words, leaders)
        # Within a category, the category is what the question is about (the chat's follow-ups
        # within their topic, the search page's filter).
        names_something = bool(category or kana_runs) or any(
            word_kind(term.text) != OTHER for term in terms if not term.synonym
        )
        term_texts = list(dict.fromkeys(term.text for term in terms))
        query_terms = set(term_texts)
        hits = [self._hit(item, query_terms, highlight) for item in shown[: max(limit, 0)]]
        response = SearchResponse(
            query,
            term_texts,
            hits,
            counts,
            total=len(ranked),
            truncated=truncated,
            confidence=assess(
                leaders,
                cleaned,
                views_agree=views_agree,
                asked_as_written=asked,
                names_something=names_something,
            ),
            views_agree=views_agree() if evidence else None,
            asked_as_written=asked if evidence else None,
            names_something=names_something if evidence else None,
        )
        if not hits:
            response.reason = "no_match"
            response.message = (
                "該当する記事が見つかりませんでした。言葉を変えるか、カテゴリから探してください。"
            )
            if suggest:
                response.suggestions = self._suggester.did_you_mean(cleaned, terms)
        return response

    def _asked_as_written(self, asked: frozenset[str], leaders: list[scoring.Scored]) -> bool:
        """Whether the question's words (`question_word_set`) are those of one of the first
        article's own questions (its title or a `queries:` line), and not of the runner-up's
        (`leaders`: the first two): the editor said this article answers it (kb.confidence)."""
        if not asked or not leaders:
            return False
        first, *others = (item.doc_id for item in leaders)
        return asked in self._own_questions(first) and not any(
            asked in self._own_questions(other) for other in others
        )

    def _own_questions(self, article_id: str) -> frozenset[frozenset[str]]:
        found = self._questions.get(article_id)
        if found is None:
            article = self.articles[article_id]
            texts = (article.title, *article.queries)
            found = frozenset(question_word_set(analyze(text)) for text in texts) - {frozenset()}
            self._questions[article_id] = found
        return found

    def _hit(self, item: scoring.Scored, query_terms: set[str], highlight: bool) -> SearchHit:
        article = self.articles[item.doc_id]
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
            explained=item.explained,
        )
        if highlight:
            text = self._text(article.id)
            hit.title_spans = spans(text.title_terms, query_terms)
            hit.snippet, hit.snippet_spans = snippet(text.text, text.terms, query_terms)
        return hit

    def suggest(self, prefix: str, limit: int = 8) -> list[dict]:
        """Titles and questions that contain what has been typed so far, for search-as-you-type."""
        cleaned, _ = clean_query(prefix)
        return self._suggester.type_ahead(cleaned, limit)

    def related(self, article_id: str) -> list[Article]:
        article = self.articles[article_id]
        return [self.articles[other] for other in article.related if other in self.articles]
