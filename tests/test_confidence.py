"""One confidence for search and chat: honest about what the articles do not answer."""

from __future__ import annotations

import re
import unicodedata

import pytest

from kb import ARTICLES_DIR, confidence
from kb.search import SearchHit


def hit(score: float, explained: float) -> SearchHit:
    """A hit that explains `explained` of the question's information (kb.ranking.information)."""
    return SearchHit("x", "t", "c", "a", score, explained, "/articles/x", explained=explained)


@pytest.mark.parametrize(
    ("hits", "level"),
    [
        ([], "none"),
        ([hit(100, 1.0)], "confident"),
        ([hit(100, 1.0), hit(74, 1.0)], "confident"),
        ([hit(100, 1.0), hit(80, 1.0)], "weak"),  # a close runner-up: offer both
        # Two articles that each explain everything are a choice for the person (kb.confidence).
        ([hit(100, 1.0), hit(88, 1.0)], "weak"),
        ([hit(100, 0.45), hit(50, 0.45)], "confident"),
        ([hit(100, 0.35)], "none"),  # most of what is asked is not in the article
        ([hit(5, 1.0), hit(1, 0.2)], "confident"),  # the score's scale does not matter
    ],
)
def test_the_level_comes_from_what_is_explained_and_the_margin_not_from_points(hits, level):
    assert confidence.assess(hits) == level


def test_a_question_asked_as_written_is_confident_even_beside_a_close_runner_up():
    close = [hit(100, 1.0), hit(95, 1.0)]
    assert confidence.assess(close) == "weak"
    assert confidence.assess(close, asked_as_written=True) == "confident"
    # …but a neighbouring subject stays outside whatever the words.
    assert confidence.assess(close, "IT導入補助金", asked_as_written=True) == "none"


def test_a_neighbouring_subject_is_never_confident():
    assert confidence.assess([hit(100, 1.0)], "IT導入補助金の申請") == "none"
    assert confidence.names_a_neighbour("ＩＴ導入 補助金") is True  # widths and spaces folded
    assert confidence.names_a_neighbour("補助金の申請期間") is False


def test_no_neighbour_phrase_is_something_an_article_covers():
    text = "".join(path.read_text(encoding="utf-8") for path in ARTICLES_DIR.glob("*.md"))
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    covered = [phrase for phrase in confidence.neighbour_phrases() if phrase in folded]
    assert covered == []


def test_search_reports_its_confidence(client):
    sure = client.get("/api/search", query_string={"q": "補助金いつまで"}).get_json()
    assert sure["confidence"] == "confident"
    unsure = client.get("/api/search", query_string={"q": "介護保険の要介護認定"}).get_json()
    assert unsure["confidence"] == "none"


def test_the_search_page_says_when_nothing_matches_confidently(client):
    html = client.get("/search", query_string={"q": "IT導入補助金でレセコンを買い替え"})
    page = html.get_data(as_text=True)
    assert "はっきり当てはまる記事は見つかりませんでした" in page
    assert "言葉の近い記事（回答とは限りません）" in page
    assert 'class="contact-channels"' in page and 'href="/contact"' in page
    sure = client.get("/search", query_string={"q": "補助金いつまで"}).get_data(as_text=True)
    assert "はっきり当てはまる記事は見つかりませんでした" not in sure


@pytest.mark.parametrize(
    ("hits", "agree", "level"),
    [
        ([hit(100, 0.35), hit(50, 0.35)], True, "confident"),  # both views rank it first
        ([hit(100, 0.35), hit(50, 0.35)], False, "none"),
        ([hit(100, 0.35), hit(90, 0.35)], True, "none"),  # a close runner-up even so
        ([hit(100, 0.2), hit(50, 0.2)], True, "none"),  # too little of the question explained
    ],
)
def test_agreement_of_the_two_views_makes_a_partly_explained_answer_confident(hits, agree, level):
    assert confidence.assess(hits, views_agree=agree) == level


def test_the_agreement_is_asked_for_only_when_it_could_decide():
    asked = []

    def agree() -> bool:
        asked.append(True)
        return True

    assert confidence.assess([hit(100, 1.0), hit(10, 1.0)], views_agree=agree) == "confident"
    assert confidence.assess([hit(100, 0.1)], views_agree=agree) == "none"
    assert asked == []  # explained share and margin decided: no bigram ranking computed
    assert confidence.assess([hit(100, 0.35), hit(50, 0.35)], views_agree=agree) == "confident"
    assert asked == [True]


@pytest.mark.parametrize(
    "question",
    [
        "インボイス制度の登録番号ってどうすんの",  # 登録, 番号 are in the articles; インボイス is what it asks
        "PCが重くてレセコン落ちる、なんとかして",
        "介護保険の要介護認定の手続き",
    ],
)
def test_a_question_about_a_thing_no_article_names_is_not_answered(engine, question):
    response = engine.search(question, highlight=False)
    assert response.confidence != "confident"


@pytest.mark.parametrize(
    "question",
    [
        "じゃあ今はいつまで？",  # 今 is rare in the articles but says when, not what
        "まだ紙の医療券って来るの？",  # 来る is in no article, and says nothing of the subject
        "補助金の申請期限いつまで？",
    ],
)
def test_words_that_say_how_or_when_do_not_outweigh_what_is_asked(engine, question):
    response = engine.search(question, highlight=False)
    assert response.confidence in ("confident", "weak")
    assert response.hits[0].explained >= confidence.WEAK_EXPLAINED


def test_one_of_an_articles_own_questions_in_other_words_order_is_asked_as_written(engine):
    article = engine.articles["unentrusted-display"]
    asked = engine.search(article.queries[1], highlight=False, evidence=True)
    assert asked.hits[0].id == "unentrusted-display"
    assert asked.asked_as_written is True and asked.confidence == "confident"
    other = engine.search(
        "未委託の表示について福祉事務所に聞きたい", highlight=False, evidence=True
    )
    assert other.asked_as_written is False


def test_search_reports_the_agreement_only_when_asked_for_evidence(engine):
    # Coverage and margin decide this one: the bigram view is not computed unless asked for.
    plain = engine.search("補助金の申請期間はいつまで", highlight=False)
    assert plain.confidence == "confident" and plain.views_agree is None
    explained = engine.search("補助金の申請期間はいつまで", highlight=False, evidence=True)
    assert explained.views_agree is True
    assert [h.id for h in explained.hits] == [h.id for h in plain.hits]


def test_a_question_that_names_nothing_is_not_answered_on_its_own_words(engine):
    # 「誰」 fits one article's title, but who is asked about is in the conversation.
    alone = engine.search("それって誰に聞けばいい？", highlight=False, evidence=True)
    assert alone.names_something is False and alone.confidence != "confident"
    # Within a topic (the chat's follow-up, the search page's filter) the topic is the subject.
    within = engine.search("どこから出すの？", category="subsidy", highlight=False, evidence=True)
    assert within.names_something is True
    assert confidence.assess([hit(100, 1.0)], names_something=False) == "weak"
