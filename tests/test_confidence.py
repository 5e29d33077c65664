"""One confidence for search and chat: honest about what the articles do not answer."""

from __future__ import annotations

import re
import unicodedata

import pytest

from kb import ARTICLES_DIR, confidence
from kb.search import SearchHit


def hit(score: float, coverage: float) -> SearchHit:
    return SearchHit("x", "t", "c", "a", score, coverage, "/articles/x")


@pytest.mark.parametrize(
    ("hits", "level"),
    [
        ([], "none"),
        ([hit(100, 1.0)], "confident"),
        ([hit(100, 1.0), hit(79, 1.0)], "confident"),
        ([hit(100, 1.0), hit(95, 1.0)], "weak"),  # a close runner-up: offer both
        # Every word explained and the runner-up 10 % behind: sure (calibrated, kb.confidence)…
        ([hit(100, 1.0), hit(88, 1.0)], "confident"),
        # …but not when part of the question is left unexplained.
        ([hit(100, 0.9), hit(88, 0.9)], "weak"),
        ([hit(100, 0.4)], "none"),  # most of the question is not in the article
        ([hit(5, 1.0), hit(1, 0.2)], "confident"),  # the score's scale does not matter
    ],
)
def test_the_level_comes_from_coverage_and_margin_not_from_points(hits, level):
    assert confidence.assess(hits) == level


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
        ([hit(100, 0.4), hit(50, 0.4)], True, "confident"),  # both views rank it first
        ([hit(100, 0.4), hit(50, 0.4)], False, "none"),
        ([hit(100, 0.4), hit(90, 0.4)], True, "none"),  # a close runner-up even so
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
    assert asked == []  # coverage and margin decided: the bigram ranking is never computed
    assert confidence.assess([hit(100, 0.4), hit(50, 0.4)], views_agree=agree) == "confident"
    assert asked == [True]


def test_search_reports_the_agreement_only_when_asked_for_evidence(engine):
    # Coverage and margin decide this one: the bigram view is not computed unless asked for.
    plain = engine.search("補助金の申請期間はいつまで", highlight=False)
    assert plain.confidence == "confident" and plain.views_agree is None
    explained = engine.search("補助金の申請期間はいつまで", highlight=False, evidence=True)
    assert explained.views_agree is True
    assert [h.id for h in explained.hits] == [h.id for h in plain.hits]
