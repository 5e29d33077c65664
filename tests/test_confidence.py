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
