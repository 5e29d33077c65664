"""The JSON API: the same search objects as `kb search --json`, articles, suggestions, errors."""

from __future__ import annotations

import json

import pytest

from kb.categories import CATEGORY_BY_ID
from kb.library import KnowledgeBase
from kb.rendering import render_markdown
from web.cli.content import search_command


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["message"]
    return error["message"]


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "options"),
    [
        ("補助金いつまで", []),
        ("オン資 未委託 表示", ["--limit", "3"]),
        ("補助金", ["--category", "setup", "--limit", "5"]),
        ("レセコソ", []),
        ("！？", []),
    ],
)
def test_api_search_answers_exactly_like_kb_search_json(client, runner, query, options):
    cli = runner.invoke(search_command, ["--json", *options, query])  # `kb search --json`
    assert cli.exit_code == 0, cli.output
    expected = json.loads(cli.stdout.strip())
    params = {"q": query}
    for name, value in zip(options[::2], options[1::2], strict=True):
        params[name.removeprefix("--")] = value
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == expected


def test_api_search_returns_ranked_results_with_answers(client, engine):
    data = client.get("/api/search", query_string={"q": "補助金いつまで", "limit": 3}).get_json()
    assert data["query"] == "補助金いつまで"
    assert [r["id"] for r in data["results"]][0] == "subsidy-period"
    assert len(data["results"]) == 3
    first = data["results"][0]
    assert set(first) == {
        "id", "title", "category", "answer", "score", "as_of", "reviewed", "review_by", "stale",
    }  # fmt: skip
    assert first["answer"] == engine.articles["subsidy-period"].answer
    assert "reason" not in data


def test_api_search_filters_by_category(client):
    data = client.get("/api/search", query_string={"q": "補助金", "category": "setup"}).get_json()
    assert data["results"] and {r["category"] for r in data["results"]} == {"setup"}


def test_api_search_without_match_says_why_and_suggests(client):
    data = client.get("/api/search", query_string={"q": "レセコソ"}).get_json()
    assert data["results"] == []
    assert data["reason"] == "no_match"
    assert "見つかりませんでした" in data["message"]
    assert data["suggestions"] == ["レセコン"]


def test_api_search_without_a_query_asks_for_words(client):
    data = client.get("/api/search").get_json()
    assert data == {
        "query": "",
        "confidence": "none",
        "results": [],
        "reason": "empty",
        "message": "検索する言葉を入力してください。",
    }


@pytest.mark.parametrize("limit", [1, 50])
def test_api_search_accepts_limits_from_1_to_50(client, engine, limit):
    data = client.get("/api/search", query_string={"q": "医療扶助", "limit": limit}).get_json()
    assert len(data["results"]) == min(limit, engine.search("医療扶助", limit=100).total)


@pytest.mark.parametrize("limit", ["0", "51", "-1", "abc", "1.5", "9" * 5000, "１０００"])
def test_api_search_refuses_a_limit_out_of_range_in_japanese(client, limit):
    response = client.get("/api/search", query_string={"q": "補助金", "limit": limit})
    message = assert_json_error(response, 400)
    assert message == "limit は 1〜50 の整数で指定してください。"


def test_api_search_refuses_an_unknown_category_listing_the_known_ones(client):
    response = client.get("/api/search", query_string={"q": "補助金", "category": "<b>x</b>"})
    message = assert_json_error(response, 400)
    assert message.startswith("category には次のいずれかを指定してください")
    assert all(category_id in message for category_id in CATEGORY_BY_ID)
    assert "<b>" not in message


def test_api_search_refuses_a_query_over_400_characters(client):
    response = client.get("/api/search", query_string={"q": "補" * 401})
    assert "400文字以内" in assert_json_error(response, 400)
    ok = client.get("/api/search", query_string={"q": "補助金" + "あ" * 397})
    assert ok.status_code == 200


HOSTILE_QUERIES = [
    "<script>alert(1)</script>",
    "補助金 AND (title:* OR body:[a TO z]) NOT ~2 ^3",
    "\x00\x01\x1b[31m補助金\x7f",
    "😀🏥💊",
    "a" * 20000,
    "\u202e\u200b\ufeff",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
@pytest.mark.parametrize("endpoint", ["/api/search", "/api/suggest"])
def test_api_answers_hostile_queries_with_json(client, endpoint, query):
    response = client.get(endpoint, query_string={"q": query})
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    assert data is not None
    assert "\x00" not in response.get_data(as_text=True)


@pytest.mark.parametrize("raw", ["q=%ED%A0%80", "q=%FF%FE", "q=%E8%A3%9C%E5%8A"])
def test_api_answers_broken_encodings_with_json(client, raw):
    response = client.get("/api/search?" + raw)
    assert response.status_code == 200
    assert response.get_json()["results"] is not None


# --- articles -------------------------------------------------------------------------------


def test_api_article_returns_the_fields_and_rendered_html(client, engine):
    article = engine.articles["subsidy-period"]
    response = client.get("/api/articles/subsidy-period")
    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == article.id and data["title"] == article.title
    assert data["category"] == "subsidy" and data["category_label"] == "助成金"
    assert data["answer"] == article.answer
    assert data["related"] == list(article.related) and data["tags"] == list(article.tags)
    assert data["sources"] == list(article.citations) and data["evidence"] == list(article.evidence)
    assert data["as_of"] == article.as_of.isoformat() == "2024-12-09"
    assert data["reviewed"] == article.reviewed.isoformat()
    assert data["review_by"] == article.review_by.isoformat()
    assert data["stale"] is True  # review_by 2025-03-09 is long past
    assert data["updated"] == article.updated.isoformat()
    assert data["html"] == render_markdown(article.body) and "<table>" in data["html"]
    assert data["url"] == "/articles/subsidy-period"
    assert "path" not in data  # where the file lives on the server is nobody's business


def test_api_unknown_article_is_a_json_404(client):
    message = assert_json_error(client.get("/api/articles/no-such"), 404)
    assert message == "お探しの記事は見つかりませんでした。"


def test_api_unknown_endpoint_is_a_json_404(client):
    assert_json_error(client.get("/api/no-such-thing"), 404)


def test_api_refuses_other_methods_with_json(client):
    assert_json_error(client.post("/api/search", data={"q": "補助金"}), 405)


# --- suggestions ----------------------------------------------------------------------------


def test_api_suggest_offers_titles_and_questions_that_contain_the_input(client):
    data = client.get("/api/suggest", query_string={"q": "補助金いつ"}).get_json()
    assert data["query"] == "補助金いつ"
    first = data["suggestions"][0]
    assert first == {
        "text": "補助金いつまで？",
        "id": "subsidy-period",
        "title": "助成金の申請期間はいつまでですか",
        "url": "/articles/subsidy-period",
    }


def test_api_suggest_is_empty_for_empty_input(client):
    assert client.get("/api/suggest?q=").get_json() == {"query": "", "suggestions": []}


# --- answers kept per process until the index changes ---------------------------------------


def test_a_new_index_is_searched_at_once_not_answered_from_memory(
    article_tree, tmp_path, database_url, make_app
):
    index = tmp_path / "index"
    assert not KnowledgeBase(article_tree, index).refresh().problems
    app = make_app(index, tmp_path / "instance", database_url, articles_dir=article_tree)
    app.extensions["kb"].check_interval = 0  # look for a new index generation on every search
    client = app.test_client()

    def titles(query: str) -> list[str]:
        data = client.get("/api/search", query_string={"q": query}).get_json()
        return [result["title"] for result in data["results"]]

    def html() -> str:
        return client.get("/api/articles/alpha").get_json()["html"]

    assert titles("補助金 申請期間")[0] == "補助金の申請期間はいつまでですか"
    assert "申請期間の説明です。" in html()
    assert client.get("/api/suggest", query_string={"q": "補助金"}).get_json()["suggestions"]

    path = article_tree / "alpha.md"
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace(
            "title: 補助金の申請期間はいつまでですか", "title: 補助金の申請期間は延長されましたか"
        )
        .replace("申請期間の説明です。", "延長についての説明です。"),
        encoding="utf-8",
    )
    assert KnowledgeBase(article_tree, index).refresh().built

    assert titles("補助金 申請期間")[0] == "補助金の申請期間は延長されましたか"
    assert "延長についての説明です。" in html() and "申請期間の説明です。" not in html()
