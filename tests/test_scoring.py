"""BM25F scoring (kb.scoring) on small real Whoosh indexes built by the project's own indexer.

The words are Latin nonsense the dictionary keeps as they are, so every term and field length
is known and each test changes one thing between two articles.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import scoring
from kb.articles import Article
from kb.index import TEXT_FIELDS, memory_index
from kb.ranking import FIELD_WEIGHTS, WEIGHTS

FILLER = "wug"


@pytest.fixture(params=["word by word", "as arrays"])
def scorer(request, monkeypatch):
    """Runs a test with each of kb.scoring's two scorers: a question's words one by one in
    Python (the default when their postings are few), or the whole question in NumPy arrays
    (when a word has many postings)."""
    if request.param == "as arrays":
        monkeypatch.setattr(scoring, "SPARSE_VOLUME", -1)
    return request.param


def article(article_id: str, **texts: str) -> Article:
    """An article whose every text field is `wug wug` unless given."""
    fields = {name: texts.get(name, f"{FILLER} {FILLER}") for name in TEXT_FIELDS}
    return Article(
        id=article_id,
        title=fields["title"],
        category="subsidy",
        answer=fields["answer"],
        tags=(fields["tags"],),
        queries=(fields["queries"],),
        related=(),
        sources=("test",),
        evidence=("test",),
        reviewed=dt.date(2024, 12, 9),
        review_by=dt.date(2025, 3, 9),
        updated=dt.date(2024, 12, 9),
        body=fields["body"],
        path=Path(f"{article_id}.md"),
    )


def postings_of(*articles: Article) -> scoring.Postings:
    return memory_index({a.id: a for a in articles}).postings(list(TEXT_FIELDS))


def word(*terms: str, fields=FIELD_WEIGHTS) -> scoring.Word:
    """One question word, its terms adding up, searched in every field with its weight."""
    return scoring.Word(
        [[(name, term, weight) for term in terms for name, weight in fields.items()]]
    )


def scores(postings, words, weights=WEIGHTS) -> dict[str, float]:
    return {item.doc_id: item.score for item in scoring.score(postings, words, weights)}


def test_the_index_holds_the_test_words_as_single_terms():
    # Guards the other tests: if the analyzer changed these words, they would test nothing.
    postings = postings_of(article("a", body="zebra apple wug"))
    assert {"zebra", "apple", "wug"} <= set(postings.postings["body"])


def test_a_rarer_word_has_a_higher_idf_and_scores_higher():
    postings = postings_of(
        article("a", body="zebra apple"),
        article("b", body="apple wug"),
        article("c", body="apple wug"),
        article("d", body="wug wug"),
    )
    assert postings.idf("body", "zebra") > postings.idf("body", "apple")
    assert postings.idf("body", "nowhere") > postings.idf("body", "zebra")
    assert scores(postings, [word("zebra")])["a"] > scores(postings, [word("apple")])["a"]


def test_the_same_word_ranks_articles_by_the_weight_of_the_field_it_is_in():
    articles = [article(f"in-{name}", **{name: "zebra wug"}) for name in TEXT_FIELDS]
    ranked = [
        item.doc_id for item in scoring.score(postings_of(*articles), [word("zebra")], WEIGHTS)
    ]
    by_weight = sorted(FIELD_WEIGHTS, key=lambda name: (-FIELD_WEIGHTS[name], f"in-{name}"))
    assert ranked == [f"in-{name}" for name in by_weight]
    # The order the search relies on: what an article is about before what it mentions.
    assert FIELD_WEIGHTS["title"] >= FIELD_WEIGHTS["queries"] > FIELD_WEIGHTS["tags"]
    assert FIELD_WEIGHTS["tags"] > FIELD_WEIGHTS["answer"] > FIELD_WEIGHTS["body"]


def test_a_word_in_a_shorter_field_scores_higher_than_in_a_longer_one():
    postings = postings_of(
        article("short", body="zebra wug"),
        article("long", body="zebra " + " ".join(["wug"] * 30)),
    )
    found = scores(postings, [word("zebra")])
    assert found["short"] > found["long"]


def test_without_length_normalization_field_length_does_not_matter():
    postings = postings_of(
        article("short", body="zebra wug"),
        article("long", body="zebra " + " ".join(["wug"] * 30)),
    )
    flat = scoring.Weights(fields=FIELD_WEIGHTS, title_fields=frozenset(), b=0.0)
    found = scores(postings, [word("zebra")], flat)
    assert found["short"] == pytest.approx(found["long"])


def test_repeating_a_word_scores_higher_but_saturates():
    postings = postings_of(
        article("once", body="zebra wug wug wug"),
        article("thrice", body="zebra zebra zebra wug"),
    )
    found = scores(postings, [word("zebra")])
    assert found["once"] < found["thrice"] < 3 * found["once"]
    # BM25's term frequency part never exceeds k1 + 1 times that of a single occurrence.
    assert found["thrice"] / found["once"] < WEIGHTS.k1 + 1


def test_an_article_covering_more_of_the_question_ranks_first():
    postings = postings_of(
        article("both", body="zebra apple wug wug"),
        article("one", body="zebra zebra zebra zebra"),
        article("other", body="wug wug wug wug"),
    )
    result = scoring.score(postings, [word("zebra"), word("apple")], WEIGHTS)
    assert [(item.doc_id, item.coverage) for item in result] == [("both", 1.0), ("one", 0.5)]


def test_synonyms_compete_while_sub_words_add_up():
    postings = postings_of(article("a", body="zebra apple wug"), article("b", body="wug"))
    alone = {term: scores(postings, [word(term)])["a"] for term in ("zebra", "apple")}
    best, other = max(alone.values()), min(alone.values())
    synonyms = scoring.Word([word("zebra").alternatives[0], word("apple").alternatives[0]])
    assert scores(postings, [synonyms])["a"] == pytest.approx(best + WEIGHTS.tiebreak * other)
    assert scores(postings, [word("zebra", "apple")])["a"] == pytest.approx(best + other)


def test_a_word_with_a_minimum_share_needs_most_of_its_terms():
    postings = postings_of(
        article("most", body="zebra apple dax wug"),
        article("one", body="zebra wug wug wug"),
    )
    bigrams = scoring.Word(word("zebra", "apple", "dax", "fep").alternatives, min_share=0.75)
    assert set(scores(postings, [bigrams])) == {"most"}


def test_a_word_that_does_not_count_leaves_the_coverage_alone():
    postings = postings_of(article("a", body="zebra wug"), article("b", body="apple wug"))
    guess = scoring.Word(word("apple").alternatives, counts=False)
    result = {
        item.doc_id: item for item in scoring.score(postings, [word("zebra"), guess], WEIGHTS)
    }
    assert result["a"].coverage == 1.0
    assert result["b"].coverage == 0.0 and result["b"].score > 0


def test_a_word_found_in_the_title_earns_the_title_bonus():
    postings = postings_of(
        article("title", title="zebra wug", body="wug wug"),
        article("body", title="wug wug", body="zebra wug"),
    )
    body_only = {"body": 1.0, "title": 1.0}
    plain = scoring.Weights(
        fields=body_only, title_fields=frozenset(), coverage=0.0, title_coverage=0.0
    )
    with_bonus = scoring.Weights(
        fields=body_only, title_fields=frozenset({"title"}), coverage=0.0, title_coverage=1.0
    )
    same = scores(postings, [word("zebra", fields=body_only)], plain)
    assert same["title"] == pytest.approx(same["body"])
    bonus = scores(postings, [word("zebra", fields=body_only)], with_bonus)
    assert bonus["title"] == pytest.approx(2 * same["title"])
    assert bonus["body"] == pytest.approx(same["body"])


def test_only_matching_articles_come_back_best_first_ties_by_id():
    postings = postings_of(
        article("b", body="zebra wug"),
        article("a", body="zebra wug"),
        article("c", body="zebra zebra"),
        article("d", body="wug wug"),
    )
    result = scoring.score(postings, [word("zebra")], WEIGHTS)
    assert [item.doc_id for item in result] == ["c", "a", "b"]
    assert list(scoring.score(postings, [word("nowhere")], WEIGHTS)) == []
    assert list(scoring.score(postings, [], WEIGHTS)) == []


def test_the_vocabulary_counts_articles_not_fields():
    postings = postings_of(
        article("a", title="zebra wug", body="zebra wug"),
        article("b", body="apple wug"),
    )
    vocabulary = postings.vocabulary()
    assert vocabulary["zebra"] == 1
    assert vocabulary["apple"] == 1
    assert vocabulary["wug"] == 2


def test_postings_know_every_article_and_its_field_lengths():
    postings = postings_of(article("a", body="zebra apple dax"), article("b"))
    assert sorted(postings.doc_ids) == ["a", "b"] and postings.count == 2
    lengths = dict(zip(postings.doc_ids, postings.lengths["body"], strict=True))
    assert lengths == {"a": 3, "b": 2}
    assert postings.average["body"] == pytest.approx(2.5)


def test_on_the_real_articles_a_title_word_beats_the_same_word_in_a_body(engine):
    # 未委託 names unentrusted-display in its title and is only mentioned by other articles.
    hits = engine.search("未委託", limit=5, highlight=False).hits
    assert hits[0].id == "unentrusted-display"
    assert "未委託" in engine.articles[hits[0].id].title
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


# --- the vectorized scoring gives what the plain loop gives -----------------------------------


def reference_score(postings, words, weights) -> list[scoring.Scored]:
    """kb.scoring.score as a plain loop over the postings: the formula, read directly."""
    totals: dict[int, float] = defaultdict(float)
    covered: dict[int, int] = defaultdict(int)
    covered_in_title: dict[int, int] = defaultdict(int)
    explained: dict[int, float] = defaultdict(float)
    for word in words:
        best: dict[int, float] = {}
        rest: dict[int, float] = defaultdict(float)
        in_title: set[int] = set()
        whole: set[int] = set()  # matched by the word itself or a synonym, not a sub-word alone
        for number, alternative in enumerate(word.alternatives):
            scores: dict[int, float] = defaultdict(float)
            matched: dict[int, set[str]] = defaultdict(set)
            main = alternative[0][1] if number == 0 and not word.min_share else None
            for name, text, boost in alternative:
                pairs = postings.postings.get(name, {}).get(text)
                if not pairs:
                    continue
                idf = postings.idf(name, text)
                lengths, average = postings.lengths[name], postings.average[name] or 1.0
                for doc, tf in pairs:
                    norm = weights.k1 * (1 - weights.b + weights.b * lengths[doc] / average)
                    scores[doc] += boost * idf * (tf * (weights.k1 + 1) / (tf + norm))
                    matched[doc].add(text)
                    if name in weights.title_fields:
                        in_title.add(doc)
                    if main is None or text == main:
                        whole.add(doc)
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
                explained[doc] += word.weight * (1.0 if doc in whole else scoring.SUB_WORD_SHARE)
        if word.counts:
            for doc in in_title:
                covered_in_title[doc] += 1

    count = sum(1 for word in words if word.counts) or 1
    information = sum(word.weight for word in words if word.counts)
    results = []
    for doc, total in totals.items():
        coverage = covered[doc] / count
        title_coverage = covered_in_title[doc] / count
        bonus = 1 + weights.coverage * coverage + weights.title_coverage * title_coverage
        results.append(
            scoring.Scored(
                postings.doc_ids[doc],
                total * bonus,
                coverage,
                covered_in_title[doc] / count,
                pytest.approx(explained[doc] / information) if information else 0.0,
            )
        )
    results.sort(key=lambda item: (-item.score, item.doc_id))
    return results


def test_both_scorers_equal_the_plain_loop_on_every_labelled_question(engine, scorer):
    from kb.analysis import analyze, character_bigrams
    from kb.ranking import GRAM_WEIGHTS, WEIGHTS, question_words
    from kb.search import clean_query

    postings = engine._postings
    questions = []
    for path in sorted(Path(__file__).resolve().parent.parent.glob("scripts/eval/*.tsv")):
        questions += [line.split("\t")[0] for line in path.read_text("utf-8").splitlines()[1:]]
    assert len(questions) > 300
    for question in questions:
        cleaned, _ = clean_query(question)
        words = question_words(analyze(cleaned))
        grams = [
            scoring.Word([[("grams", gram, 1.0)]])
            for gram in dict.fromkeys(character_bigrams(cleaned))
        ]
        for question, weights in ((words, WEIGHTS), (grams, GRAM_WEIGHTS)):
            assert list(scoring.score(postings, question, weights)) == reference_score(
                postings, question, weights
            ), question


def test_a_reading_word_needs_its_share_of_bigrams_in_both_scorers(scorer):
    postings = postings_of(
        article("most", body="ab bc cd"), article("one", body="ab zz yy"), article("none")
    )
    reading = scoring.Word([[("body", t, 1.0) for t in ("ab", "bc", "cd", "de")]], min_share=0.75)
    got = list(scoring.score(postings, [reading], WEIGHTS))
    assert [item.doc_id for item in got] == ["most"]
    assert got == reference_score(postings, [reading], WEIGHTS)


def test_a_ranking_stays_in_arrays_until_its_top_is_asked_for():
    postings = postings_of(*(article(f"a{n}", body="zebra " * (n + 1)) for n in range(5)))
    ranked = scoring.score(postings, [word("zebra")], WEIGHTS)
    assert len(ranked) == 5
    assert [item.doc_id for item in ranked.top(2)] == [item.doc_id for item in list(ranked)[:2]]
    assert ranked.top(0) == [] and ranked.top(-1) == [] and len(ranked.top(99)) == 5
    keep = postings.id_order >= 0
    keep[ranked.docs[0]] = False  # filtering keeps the order of what is left
    assert list(ranked.where(keep)) == list(ranked)[1:]


def test_a_memory_index_large_enough_to_sort_in_runs_builds_and_searches():
    # A build too large for one in-memory sort writes runs to temporary storage and reads them
    # back: both must be the same storage (3,700 articles failed with NameError: ….run).
    from kb.documents import analyze_article
    from kb.index import _PrivateRamStorage, build_schema
    from kb.segments import document_fields

    index = _PrivateRamStorage().create_index(build_schema())
    writer = index.writer(limitmb=0.05)  # tiny sort memory: many runs from a few articles
    articles = {f"a{n}": article(f"a{n}", body=f"zebra apple wug{n} " * 40) for n in range(60)}
    for item in articles.values():
        writer.add_document(**document_fields(analyze_article(item)))
    writer.commit()
    with index.searcher() as searcher:
        assert searcher.doc_count() == 60


def test_words_no_article_has_take_no_memory_however_many_are_asked():
    # What people type is unbounded: a worker that kept a row for every unknown term would
    # grow for as long as it lives.
    postings = postings_of(article("a", body="zebra apple"))
    scoring.score(postings, [word("zebra")], WEIGHTS)
    kept = len(postings._impacts)
    for n in range(500):
        assert list(scoring.score(postings, [word(f"unknown{n}")], WEIGHTS)) == []
    assert len(postings._impacts) == kept


def test_a_question_with_many_words_scores_as_the_loop_does(scorer):
    # Every word, synonyms and sub-words together, in one pass: the same floating point as
    # adding up the postings one by one.
    bodies = ["zebra apple wug", "apple apple dax", "wug blick zebra zebra", "dax", "blick wug"]
    postings = postings_of(*(article(f"d{n}", body=body) for n, body in enumerate(bodies)))
    words = [
        word("zebra", "apple"),
        scoring.Word([[("body", "wug", 1.0)], [("body", "dax", 1.0)], [("body", "blick", 0.5)]]),
        word("nowhere"),
        scoring.Word([[("title", "apple", 2.0), ("body", "apple", 1.0)]]),
    ]
    assert list(scoring.score(postings, words, WEIGHTS)) == reference_score(
        postings, words, WEIGHTS
    )


def test_a_word_kept_from_an_earlier_question_scores_as_a_fresh_one():
    # A word's contribution is kept for the index generation: asked again, alone or beside
    # other words, it must give what it gave the first time.
    bodies = ["zebra apple wug", "apple apple dax", "wug blick zebra zebra", "dax", "blick wug"]
    articles = [article(f"d{n}", body=body) for n, body in enumerate(bodies)]
    warm = postings_of(*articles)
    questions = [[word("zebra")], [word("apple"), word("zebra")], [word("wug", "dax")]]
    for question in questions:
        scoring.score(warm, question, WEIGHTS)
    for question in questions + [[word("zebra"), word("wug", "dax"), word("apple")]]:
        fresh = postings_of(*articles)
        assert list(scoring.score(warm, question, WEIGHTS)) == list(
            scoring.score(fresh, question, WEIGHTS)
        )


def test_the_words_kept_are_bounded_the_least_recent_forgotten_first(monkeypatch):
    # Each of these words matches one article in one field, and its key has an entry per
    # field: all of it counts, and a bound of three such words keeps three.
    one = 1 + len(FIELD_WEIGHTS)
    monkeypatch.setattr(scoring, "CONTRIBUTIONS_KEPT", 3 * one)
    postings = postings_of(article("a", body="zebra apple wug dax blick"), article("b"))
    for text in ("zebra", "apple", "wug", "zebra", "dax", "blick"):
        scoring.score(postings, [word(text)], WEIGHTS)
    kept = {key[0][0][0][1] for key in postings._contributions}
    assert kept == {"zebra", "dax", "blick"}  # apple and wug were the least recently asked
    assert postings._kept == 3 * one


def test_a_word_with_a_long_key_counts_its_key_towards_the_bound(monkeypatch):
    # A kana word's key holds every bigram typed, most of them in no article: what is kept
    # is bounded in memory only if the key counts, not just the articles it matched.
    postings = postings_of(article("a", body="zebra"), article("b"))
    typed = [("body", "zebra", 1.0)] + [("body", f"nowhere{n}", 1.0) for n in range(200)]
    scoring.score(postings, [scoring.Word([typed], min_share=0.001)], WEIGHTS)
    assert postings._kept >= 201


def test_a_word_with_many_postings_sends_the_question_to_the_arrays(monkeypatch):
    # Above SPARSE_VOLUME postings a word is not scored in a loop nor kept: the whole
    # question is scored as arrays, with the same result.
    bodies = ["zebra apple", "zebra", "apple wug", "zebra wug wug"]
    postings = postings_of(*(article(f"d{n}", body=body) for n, body in enumerate(bodies)))
    words = [word("zebra"), word("wug")]
    expected = reference_score(postings, words, WEIGHTS)
    monkeypatch.setattr(scoring, "SPARSE_VOLUME", 1)
    assert list(scoring.score(postings, words, WEIGHTS)) == expected
    assert postings._contributions == {}


def test_a_word_matched_only_by_a_sub_word_is_half_explained():
    # 未登録 is not 登録: an article with only the sub-word explains half of the word.
    postings = postings_of(
        article("whole", body="未登録 zebra"), article("part", body="登録 zebra")
    )
    compound = scoring.Word([[("body", "未登録", 1.0), ("body", "登録", 1.0)]])
    found = {item.doc_id: item for item in scoring.score(postings, [compound], WEIGHTS)}
    assert found["whole"].explained == 1.0 and found["whole"].coverage == 1.0
    assert found["part"].explained == scoring.SUB_WORD_SHARE and found["part"].coverage == 1.0


# --- any question, either scorer, the plain loop's result ---------------------------------

VOCABULARY = ("zebra", "apple", "dax", "blick", "fep", "toma", "kiki")


@pytest.fixture(scope="module")
def corpus() -> scoring.Postings:
    """Twelve articles of the nonsense words in every field, some repeated, some absent."""
    rng = random.Random(20261205)
    articles = []
    for number in range(12):
        texts = {
            name: " ".join(rng.choices(VOCABULARY, k=rng.randint(1, 6)))
            for name in TEXT_FIELDS
            if rng.random() < 0.8
        }
        articles.append(article(f"d{number:02}", **texts))
    return postings_of(*articles)


_ENTRY = st.tuples(
    st.sampled_from(TEXT_FIELDS),
    st.sampled_from((*VOCABULARY, "nowhere")),
    st.sampled_from((0.5, 1.0, 2.5, 4.0)),
)
_WORD = st.builds(
    scoring.Word,
    alternatives=st.lists(st.lists(_ENTRY, min_size=1, max_size=4), max_size=3),
    min_share=st.sampled_from((0.0, 0.0, 0.5, 0.75)),
    counts=st.booleans(),
    weight=st.floats(min_value=0.1, max_value=3.0),
)


_WEIGHTS = st.builds(
    scoring.Weights,
    fields=st.just(dict(FIELD_WEIGHTS)),
    title_fields=st.sampled_from((frozenset({"title", "queries"}), frozenset({"body"}))),
    k1=st.sampled_from((1.2, 0.9)),
    b=st.sampled_from((0.6, 0.0, 1.0)),
    tiebreak=st.sampled_from((0.2, 0.0, 0.5)),
    coverage=st.sampled_from((1.5, 0.0)),
    title_coverage=st.sampled_from((1.0, 0.7, 0.3)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=st.lists(_WORD, min_size=1, max_size=9), weights=_WEIGHTS)
def test_any_question_scores_as_the_plain_loop_in_both_scorers(corpus, words, weights):
    # Sub-words and synonyms, shares, words that do not count, terms no article has, a term
    # twice in one alternative: whatever a question is made of, and whichever words earlier
    # examples left kept, both scorers give the reference's ranking and numbers.
    expected = reference_score(corpus, words, weights)
    saved = scoring.SPARSE_VOLUME
    try:
        # Word by word (with the words earlier examples left kept), as arrays, and a bound
        # that sends some questions each way (nothing kept, or kept words would skip it).
        for volume in (saved, -1, 12):
            scoring.SPARSE_VOLUME = volume
            if volume == 12:
                corpus._contributions.clear()
                corpus._kept = 0
            assert list(scoring.score(corpus, words, weights)) == expected, volume
    finally:
        scoring.SPARSE_VOLUME = saved
        corpus._contributions.clear()
        corpus._kept = 0


@pytest.mark.parametrize("articles", [1, 2, 3])
def test_a_few_articles_score_as_the_plain_loop_however_many_words(scorer, articles):
    # A (words × 1) array is contiguous along the words: a NumPy sum there may add pairwise,
    # in another order than the formula; the scorers add in the words' order.
    texts = ["zebra apple dax blick fep toma kiki", "zebra dax fep kiki kiki", "apple toma"]
    postings = postings_of(
        *(article(f"a{n}", body=text) for n, text in enumerate(texts[:articles]))
    )
    words = [word(text) for text in (*VOCABULARY, "zebra", "apple", "dax")]
    for number, each in enumerate(words):
        each.weight = 0.1 + number / 7
    assert list(scoring.score(postings, words, WEIGHTS)) == reference_score(
        postings, words, WEIGHTS
    )
