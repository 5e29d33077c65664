"""Editors' analytics: what people asked, what they did not find, what they thought of articles."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from web.console.analytics import chat_fallbacks, search_groups, since_days
from web.core import db
from web.core.models import ChatTurn, Conversation, Feedback, SearchLog


def search_on_the_site(client, *queries: str) -> None:
    for query in queries:
        assert client.get("/search", query_string={"q": query}).status_code == 200


def table_rows(html: str, table_id: str) -> list[tuple[str, str, int]]:
    """(linked example, analyzed terms, count) of each row of an analytics table."""
    table = re.search(rf'<table class="term-table" id="{table_id}">.*?</table>', html, re.S)
    assert table, f"no table {table_id}"
    return [
        (href, terms, int(count))
        for href, terms, count in re.findall(
            r'<td><a href="([^"]+)">[^<]*</a></td>\s*<td class="terms">([^<]*)</td>\s*'
            r'<td class="num">(\d+)</td>',
            table.group(0),
        )
    ]


def linked_query(href: str) -> str:
    parsed = urlparse(href.replace("&amp;", "&"))
    assert parsed.path == "/search"
    return parse_qs(parsed.query)["q"][0]


def add_chat(app, *turns: tuple[str, str, str | None, str], engine=None) -> None:
    """A conversation of (role, text, intent, article_ids) turns; user turns analyzed for real."""
    with app.app_context():
        conversation = Conversation(token=f"analytics-{len(turns)}-{turns[0][1]}"[:64], state="{}")
        for role, text, intent, article_ids in turns:
            normalized = (
                " ".join(engine.search(text, highlight=False).terms) if role == "user" else ""
            )
            conversation.turns.append(
                ChatTurn(
                    role=role,
                    text=text,
                    intent=intent,
                    normalized=normalized,
                    article_ids=article_ids,
                )
            )
        db.session().add(conversation)
        db.session().commit()


def test_searches_are_grouped_by_their_analyzed_terms_and_link_to_the_search(
    app, client, logged_in, page_text
):
    search_on_the_site(
        client,
        "補助金はいつまで？",
        "補助金 いつまで",
        "補助金　いつまで",
        "コールセンターの電話番号",
        "ラーメンの作り方",
        "ラーメン 作り方",
        "天気予報",
    )
    html = page_text(logged_in(app, "editor").get("/console/analytics"))
    top = table_rows(html, "top-searches")
    assert top[0][1:] == ("補助金 補助 助成金 いつ", 3)
    assert [count for _href, _terms, count in top] == [3, 2, 1, 1]
    zero = table_rows(html, "zero-searches")
    assert [(terms, count) for _href, terms, count in zero] == [
        ("ラーメン 作り方 作る", 2),
        ("天気予報 天気 予報", 1),
    ]
    assert linked_query(zero[0][0]) in {"ラーメンの作り方", "ラーメン 作り方"}
    assert linked_query(zero[1][0]) == "天気予報"


def test_chat_questions_without_an_answer_are_grouped(app, engine, logged_in, page_text):
    add_chat(
        app,
        ("user", "ラーメンの作り方", None, ""),
        ("bot", "お答えできる内容が見つかりませんでした。", "fallback", ""),
        ("user", "補助金はいつまで", None, ""),
        ("bot", "令和6年12月11日から当分の間です。", "search", "subsidy-period"),
        engine=engine,
    )
    add_chat(
        app,
        ("user", "ラーメン 作り方は？", None, ""),
        ("bot", "見つかりませんでした。", "search", ""),
        ("user", "カラオケの予約", None, ""),
        ("bot", "お答えできません。", "fallback", ""),
        engine=engine,
    )
    html = page_text(logged_in(app, "editor").get("/console/analytics"))
    rows = table_rows(html, "chat-fallbacks")
    assert [(terms, count) for _href, terms, count in rows] == [
        ("ラーメン 作り方 作る", 2),
        ("カラオケ 予約", 1),
    ]
    assert linked_query(rows[1][0]) == "カラオケの予約"


def test_feedback_shows_the_helpful_ratio_and_the_comments(app, logged_in, page_text):
    with app.app_context():
        session = db.session()
        for helpful in (True, True, True, False):
            session.add(Feedback(article_id="call-center", helpful=helpful, comment=""))
        session.add(
            Feedback(article_id="subsidy-period", helpful=False, comment="<b>期限</b>が知りたい")
        )
        session.commit()
    html = page_text(logged_in(app, "editor").get("/console/analytics"))
    table = re.search(r'<table class="feedback-table".*?</table>', html, re.S).group(0)
    rows = re.findall(
        r'<a href="/articles/([\w-]+)">.*?<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>'
        r'\s*<td class="num">([\d.]+)%</td>',
        table,
        re.S,
    )
    assert rows == [("subsidy-period", "0", "1", "0.0"), ("call-center", "3", "1", "75.0")]
    assert 'aria-label="役に立った 3件 / 4件"' in table
    assert "&lt;b&gt;期限&lt;/b&gt;が知りたい" in html


def test_the_bars_are_server_rendered_svg_scaled_to_the_largest_group(
    app, client, logged_in, page_text
):
    search_on_the_site(client, "天気予報", "天気予報", "ラーメンの作り方")
    html = page_text(logged_in(app, "editor").get("/console/analytics"))
    zero = re.search(r'id="zero-searches">.*?</table>', html, re.S).group(0)
    widths = re.findall(r'<rect class="bar-value" x="0" y="0" width="([\d.]+)"', zero)
    assert widths == ["100.0", "50.0"]
    assert "<script" not in zero


def test_the_period_limits_what_is_counted(app, logged_in, page_text):
    with app.app_context():
        session = db.session()
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
        for created_at, query in ((old, "古い検索"), (dt.datetime.now(dt.UTC), "新しい検索")):
            session.add(
                SearchLog(
                    created_at=created_at,
                    source="web",
                    query=query,
                    normalized=query,
                    result_count=0,
                )
            )
        session.commit()
        database = db.session()
        recent = [g.key for g in search_groups(database, since_days(30))]
        everything = [g.key for g in search_groups(database, since_days(90))]
    assert recent == ["新しい検索"]
    assert sorted(everything) == ["古い検索", "新しい検索"]
    client = logged_in(app, "editor")
    assert "古い検索" not in page_text(client.get("/console/analytics?days=30"))
    assert "古い検索" in page_text(client.get("/console/analytics?days=90"))
    assert client.get("/console/analytics?days=abc").status_code == 200


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_grouping_queries_run_on_both_databases(
    request, database, engine, logged_in, page_text
):
    app = request.getfixturevalue("app" if database == "sqlite" else "pg_app")
    client = app.test_client()
    search_on_the_site(client, "天気予報", "天気予報？", "補助金はいつまで")
    add_chat(
        app,
        ("user", "天気予報", None, ""),
        ("bot", "お答えできません。", "fallback", ""),
        engine=engine,
    )
    with app.app_context():
        database_session = db.session()
        since = since_days(30)
        zero = search_groups(database_session, since, zero_only=True)
        fallbacks = chat_fallbacks(database_session, since)
        logged = database_session.scalars(select(SearchLog.normalized)).all()
    assert len(logged) == 3
    assert [(g.key, g.count) for g in zero] == [("天気予報 天気 予報", 2)]
    assert [(g.key, g.count) for g in fallbacks] == [("天気予報 天気 予報", 1)]
    assert page_text(logged_in(app, "editor").get("/console/analytics")).count("天気") >= 2
