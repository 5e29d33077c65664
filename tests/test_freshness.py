"""Every answer says what its information is as of; past `review_by` it says it may have changed.

subsidy-period cites the December 2024 notices and must be confirmed again by 2025-03-09; the
clock (Flask's CLOCK) is set on either side of that day.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from kb.freshness import as_of_sentence, japanese_month, review_queue, stale_sentence
from tests.support import FIXTURES

JST = dt.timezone(dt.timedelta(hours=9))
BEFORE = dt.datetime(2025, 3, 8, 10, 0, tzinfo=JST)
AFTER = dt.datetime(2025, 3, 10, 10, 0, tzinfo=JST)
AS_OF = "令和6年12月時点の情報です。"
CHANGED = "その後変わっている可能性があります"


def text_of(response) -> str:
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


@pytest.fixture(params=[BEFORE, AFTER], ids=["before review_by", "after review_by"])
def dated(request, make_app):
    moment = request.param
    return moment == AFTER, make_app(CLOCK=lambda: moment).test_client()


def test_the_article_page_shows_its_as_of_date_and_only_then_the_stale_notice(dated):
    stale, client = dated
    html = client.get("/articles/subsidy-period").get_data(as_text=True)
    assert AS_OF in html
    assert ('class="stale-notice"' in html) is stale
    assert (CHANGED in html) is stale


def test_a_chat_answer_carries_the_as_of_date_and_only_then_the_stale_sentence(dated):
    stale, client = dated
    reply = client.post("/api/chat", json={"message": "補助金の申請はいつまで？"}).get_json()
    assert reply["articles"][0]["id"] == "subsidy-period"
    assert "令和6年12月時点の情報" in reply["text"]
    assert (AS_OF in reply["text"]) is not stale  # said once: the stale sentence names the date
    assert (CHANGED in reply["text"]) is stale
    assert reply["articles"][0]["as_of"] == "2024-12-09"
    assert reply["articles"][0]["stale"] is stale


def test_the_api_gives_every_article_its_dates_and_whether_it_is_stale(dated):
    stale, client = dated
    article = client.get("/api/articles/subsidy-period").get_json()
    assert (article["as_of"], article["reviewed"], article["review_by"]) == (
        "2024-12-09",
        "2024-12-09",
        "2025-03-09",
    )
    assert article["stale"] is stale
    hit = client.get("/api/search", query_string={"q": "補助金いつまで"}).get_json()["results"][0]
    assert hit["id"] == "subsidy-period" and hit["stale"] is stale and hit["as_of"] == "2024-12-09"


def test_search_results_and_the_agents_lookup_show_the_as_of_date(make_app, logged_in):
    app = make_app(CLOCK=lambda: AFTER)
    page = text_of(app.test_client().get("/search", query_string={"q": "補助金いつまで"}))
    assert AS_OF in page and CHANGED in page
    agent = logged_in(app, "agent")
    lookup = text_of(agent.get("/console/lookup", query_string={"q": "補助金いつまで"}))
    assert AS_OF in lookup and "確認期限を過ぎています" in lookup


def test_the_review_queue_lists_due_articles_most_viewed_first(make_app, logged_in):
    app = make_app(CLOCK=lambda: AFTER)
    client = app.test_client()
    for _ in range(3):
        client.get("/articles/subsidy-popup-deadline")
    editor = logged_in(app, "editor")
    page = text_of(editor.get("/console/review"))
    assert page.index("端末のポップアップ") < page.index("助成金の申請期間はいつまでですか")
    assert "期限切れ" in page
    assert logged_in(app, "agent", "agent2@example.jp").get("/console/review").status_code == 403


def test_review_queue_puts_superseded_sources_first_then_views(engine):
    today = dt.date(2025, 3, 10)
    articles = engine.articles.values()
    views = {"subsidy-period": 5, "subsidy-popup-deadline": 9}
    queue = review_queue(articles, today, 30, views, superseded={"about"})
    assert queue[0].article_id == "about" and queue[0].superseded
    assert [item.article_id for item in queue[1:3]] == ["subsidy-popup-deadline", "subsidy-period"]
    assert all(
        item.stale or item.superseded or item.review_by <= today + dt.timedelta(30)
        for item in queue
    )
    assert "call-center" not in {item.article_id for item in queue}  # due in 2026


def test_kb_review_prints_the_queue(run_kb, tmp_path):
    instance = tmp_path / "review-instance"
    assert run_kb(["db", "upgrade"], instance).returncode == 0
    result = run_kb(["review"], instance)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("subsidy-period\t期限切れ") for line in lines)


def test_healthz_counts_stale_articles_and_is_degraded_by_a_broken_article(make_app, tmp_path):
    healthy = make_app(CLOCK=lambda: AFTER).test_client().get("/healthz").get_json()
    assert healthy["status"] == "ok" and healthy["article_problems"] == 0
    assert healthy["stale_articles"] >= 1
    tree = tmp_path / "articles"
    shutil.copytree(FIXTURES / "articles" / "valid", tree)
    shutil.copy(FIXTURES / "articles" / "broken" / "unknown-category.md", tree)
    app = make_app(index_dir=tmp_path / "index", articles_dir=tree, refresh_index_on_start=True)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["article_problems"] == 1


@pytest.mark.parametrize(
    ("day", "month"),
    [
        (dt.date(2024, 12, 9), "令和6年12月"),
        (dt.date(2019, 5, 1), "令和元年5月"),
        (dt.date(2019, 4, 30), "2019年4月"),
    ],
)
def test_months_are_written_as_the_sources_write_them(day, month):
    assert japanese_month(day) == month
    assert as_of_sentence(day) == f"{month}時点の情報です。"
    assert stale_sentence(day).startswith(f"この回答は{month}時点の情報で")


def test_lists_and_the_feed_say_what_their_answers_are_as_of(make_app):
    client = make_app(CLOCK=lambda: AFTER).test_client()
    for path in ("/", "/categories/subsidy"):
        assert AS_OF in text_of(client.get(path)), path
    assert CHANGED in text_of(client.get("/categories/subsidy"))
    assert "令和6年12月時点の情報です" in client.get("/feed.atom").get_data(as_text=True)


def test_a_bad_setting_stops_gunicorns_app_with_its_message(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        capture_output=True,
        text=True,
        env={"HELPDESK_INSTANCE": str(tmp_path), "HELPDESK_CHAT_RATE_LIMIT": "lots", "PATH": ""},
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert result.returncode == 1
    assert "HELPDESK_CHAT_RATE_LIMIT" in result.stderr and "Traceback" not in result.stderr
