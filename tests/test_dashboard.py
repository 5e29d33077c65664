"""The editors' dashboard: its numbers against a seeded database with known counts, on SQLite
and PostgreSQL, and the CSV downloads against the page."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from web.console import charts, dashboard, metrics
from web.core import db
from web.core.models import (
    ArticleView,
    ChatTurn,
    Conversation,
    Feedback,
    Inquiry,
    SearchLog,
)

JST = dt.timezone(dt.timedelta(hours=9))
TODAY = dt.date(2026, 12, 5)  # a Saturday; the window of 7 days is 11-29 … 12-05
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=JST)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A local (JST) moment, stored as UTC as the app stores it."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST).astimezone(dt.UTC)


def day(month: int, date: int) -> dt.date:
    return dt.date(2026, month, date)


def search(when, query, top=None, results=1, confidence="confident", category=None):
    return SearchLog(
        created_at=when,
        source="web",
        query=query,
        normalized=query,
        category=category,
        result_count=results,
        top_article_id=top,
        confidence=confidence,
    )


def conversation(token, when, handed_off, *replies):
    """A conversation with one exchange per (kind, confidence, category) reply."""
    item = Conversation(token=token, created_at=when, handed_off=handed_off, state="{}")
    for kind, confidence, category in replies:
        about = {"kind": kind, "confidence": confidence, "category": category}
        # as web.chat.service stores them: articles offered as choices did not answer
        about["intent"] = "fallback" if kind == "choices" else kind
        item.turns.append(
            ChatTurn(created_at=when, role="user", text="質問", normalized="質問", **about)
        )
        item.turns.append(ChatTurn(created_at=when, role="bot", text="回答", **about))
    return item


def inquiry(number, when, category, channel="form", token=None):
    return Inquiry(
        receipt_number=number,
        submission_token=f"submission-{number}",
        created_at=when,
        channel=channel,
        name="山田 花子",
        facility_name="やまだ内科",
        facility_type="clinic",
        email="a@example.jp",
        category=category,
        message="質問です。",
        conversation_token=token,
    )


def seed(app) -> None:
    """Known counts (the comments give what the 7-day window up to TODAY must show)."""
    with app.app_context():
        session = db.session()
        session.add_all(
            [
                # 12-05: four searches, two of them found nothing
                search(at(TODAY, 10), "補助金 期限", top="subsidy-period"),
                search(at(TODAY, 10, 5), "補助金 いつまで", top="subsidy-period"),
                search(at(TODAY, 10, 9), "天気 予報", results=0, confidence="none"),
                # 00:30 JST is still 12-04 in UTC: it counts on the local day, 12-05
                search(at(TODAY, 0, 30), "天気 予報", results=0, confidence="none"),
                # 23:30 JST on 12-04 is 12-04 in UTC as well
                search(at(day(12, 4), 23, 30), "電話番号", top="call-center", confidence="weak"),
                # the previous 7 days: the same gap once; and one search long before
                search(at(day(11, 28), 9), "天気 予報", results=0, confidence="none"),
                search(at(day(10, 1), 9), "古い", top="call-center"),
            ]
        )
        session.add_all(
            [
                conversation("c1", at(day(12, 3), 12), True, ("handoff", None, None)),
                conversation(
                    "c2",
                    at(TODAY, 9),
                    False,
                    ("answer", "confident", "subsidy"),
                    ("answer", "weak", "subsidy"),
                    ("out_of_scope", "none", None),
                ),
                conversation(
                    "c3",
                    at(day(12, 1), 9),
                    False,
                    ("choices", "weak", None),
                    ("smalltalk", None, None),
                ),
                # a reply stored before kinds were recorded: not guessed
                conversation("c4", at(day(12, 2), 9), False, (None, None, None)),
                conversation("c5", at(day(11, 20), 9), True, ("handoff", None, None)),
            ]
        )
        session.add_all(
            [
                inquiry("R-1", at(day(12, 3), 13), "subsidy", token="c1"),
                inquiry("R-2", at(day(12, 4), 10), "contact"),
                inquiry("R-3", at(day(12, 4), 11), "contact", channel="phone"),
                inquiry("R-4", at(day(11, 1), 11), "contact"),
            ]
        )
        session.add_all(
            [
                ArticleView(article_id="subsidy-period", day=TODAY, views=7),
                ArticleView(article_id="subsidy-period", day=day(12, 4), views=3),
                ArticleView(article_id="call-center", day=TODAY, views=4),
                ArticleView(article_id="retired-article", day=day(12, 2), views=1),
                ArticleView(article_id="subsidy-period", day=day(11, 20), views=100),
            ]
        )
        for helpful in (True, True, True, False):
            session.add(
                Feedback(created_at=at(TODAY, 8), article_id="subsidy-period", helpful=helpful)
            )
        session.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request):
    app = request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")
    app.config["CLOCK"] = lambda: NOW
    seed(app)
    return app


def window(app, days=7, category=None) -> metrics.Window:
    with app.app_context():
        from web.core.knowledge import search_engine

        articles = search_engine().articles
    ids = [a.id for a in articles.values() if a.category == category] if category else ()
    return metrics.Window.ending(TODAY, days, ZoneInfo("Asia/Tokyo"), category, ids)


@pytest.mark.parametrize("timezone", [ZoneInfo("Asia/Tokyo"), JST], ids=["zone", "offset"])
def test_each_day_counts_what_happened_on_that_local_day(seeded, timezone):
    with seeded.app_context():
        days = metrics.daily(db.session(), replace(window(seeded), timezone=timezone))
    counted = {
        d.day: (d.searches, d.not_found, d.conversations, d.inquiries, d.views)
        for d in days
        if (d.searches, d.conversations, d.inquiries, d.views) != (0, 0, 0, 0)
    }
    assert [d.day for d in days] == [TODAY - dt.timedelta(days=n) for n in range(6, -1, -1)]
    assert counted == {
        TODAY: (4, 2, 1, 0, 11),
        day(12, 4): (1, 0, 0, 2, 3),
        day(12, 3): (0, 0, 1, 1, 0),
        day(12, 2): (0, 0, 1, 0, 1),
        day(12, 1): (0, 0, 1, 0, 0),
    }


def test_the_rates_follow_their_definitions(seeded):
    with seeded.app_context():
        rates = metrics.rates(db.session(), window(seeded))
    assert (rates.searches, rates.conversations, rates.handed_off) == (5, 4, 1)
    assert (rates.form_inquiries, rates.chat_inquiries) == (2, 1)  # the phone call is not one
    assert rates.self_service == pytest.approx(1 - 2 / (4 + 5))
    assert rates.handoff == pytest.approx(1 / 4)


def test_replies_and_searches_are_counted_by_confidence(seeded):
    with seeded.app_context():
        replies = metrics.chat_replies(db.session(), window(seeded))
        levels = metrics.search_confidence(db.session(), window(seeded))
    assert [(group, n) for group, _, n in replies] == [
        ("answer_confident", 1),
        ("answer_weak", 1),
        ("choices", 1),
        ("clarify", 0),
        ("out_of_scope", 1),
        ("handoff", 1),
        ("other", 1),
    ]
    assert [(level, n) for level, _, n in levels] == [("confident", 2), ("weak", 1), ("none", 2)]


def test_the_most_viewed_articles_carry_their_helpful_ratio(seeded):
    with seeded.app_context():
        viewed = metrics.most_viewed(db.session(), window(seeded))
    assert [(u.article_id, u.views, u.helpful, u.not_helpful) for u in viewed] == [
        ("subsidy-period", 10, 3, 1),
        ("call-center", 4, 0, 0),
        ("retired-article", 1, 0, 0),
    ]
    assert viewed[0].ratio == 0.75 and viewed[1].ratio is None


def test_a_category_counts_only_what_was_about_it(seeded):
    with seeded.app_context():
        subsidy = window(seeded, category="subsidy")
        rates = metrics.rates(db.session(), subsidy)
        viewed = metrics.most_viewed(db.session(), subsidy)
        replies = dict((g, n) for g, _, n in metrics.chat_replies(db.session(), subsidy))
    assert (rates.searches, rates.conversations, rates.form_inquiries) == (2, 1, 1)
    assert [u.article_id for u in viewed] == ["subsidy-period"]
    assert replies["answer_confident"] == 1 and replies["out_of_scope"] == 0


def test_a_longer_period_reaches_further_back(seeded):
    with seeded.app_context():
        rates = metrics.rates(db.session(), window(seeded, days=30))
    assert (rates.searches, rates.conversations, rates.form_inquiries) == (6, 5, 2)


def test_knowledge_gaps_are_compared_with_the_previous_period(seeded):
    with seeded.app_context():
        from web.core.knowledge import search_engine

        board = dashboard.build(db.session(), window(seeded), search_engine().articles, TODAY)
    (gap,) = board.gaps["zero-searches"]
    assert (gap.key, gap.count, gap.previous, gap.trend) == ("天気 予報", 2, 1, "増加")
    # articles offered as choices (c3) and an out-of-scope reply (c2): both unanswered
    (gap,) = board.gaps["chat-fallbacks"]
    assert (gap.key, gap.count, gap.previous, gap.trend) == ("質問", 2, 0, "新規")


# --- the page and its downloads ----------------------------------------------------------------


def cell_text(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def page_table(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table class="data-table" id="table-{table_id}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S).group(1)
    return [
        [cell_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def term_table(page: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table class="term-table" id="{table_id}">(.*?)</table>', page, re.S)
    if table is None:  # the page says there is nothing in the period instead
        assert 'class="empty"' in page
        return []
    rows = re.findall(r'<tr class="gap">(.*?)</tr>', table.group(1), re.S)
    return [[cell_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def downloaded(client, view: str, **args) -> list[list[str]]:
    response = client.get("/console/analytics.csv", query_string={"view": view, **args})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel reads the Japanese as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("args", [{"days": "7"}, {"days": "30", "category": "subsidy"}])
def test_each_csv_download_holds_the_numbers_of_the_page(seeded, logged_in, args):
    client = logged_in(seeded, "editor")
    page = client.get("/console/analytics", query_string=args).get_data(as_text=True)
    for view in ("rates", "daily", "replies", "search-confidence", "articles"):
        header, *rows = downloaded(client, view, **args)
        assert rows == page_table(page, view), view
        assert header[0]
    for view, columns in (("zero-searches", (0, 2, 4, 5)), ("chat-fallbacks", (0, 2, 4, 5))):
        _, *rows = downloaded(client, view, **args)
        on_page = [[row[i] for i in columns] for row in term_table(page, view)]
        assert [[row[0], row[2], row[3], row[4]] for row in rows] == on_page, view
    _, *rows = downloaded(client, "feedback", **args)
    rated = re.search(r'<table class="feedback-table".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    on_page = [
        [cell_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][1:4]
        for row in re.findall(r"<tr>(.*?)</tr>", rated, re.S)
    ]
    assert [row[1:] for row in rows] == on_page
    if args.get("category") == "subsidy":  # an article of another category is not counted
        assert [row[0] for row in rows] == ["助成金の申請期間はいつまでですか"]
    if args["days"] == "7":
        assert ["2026-12-05", "4", "2", "1", "0", "11"] in downloaded(client, "daily", **args)
        assert page_table(page, "rates")[0][1] == f"{(1 - 2 / 9) * 100:.1f}%"


def test_the_page_says_how_each_rate_is_defined(seeded, logged_in):
    page = logged_in(seeded, "editor").get("/console/analytics?days=7").get_data(as_text=True)
    for sentence in metrics.DEFINITIONS.values():
        assert html_lib.escape(sentence, quote=False) in page


def test_an_unknown_download_is_a_japanese_404_and_agents_get_none(seeded, logged_in):
    editor = logged_in(seeded, "editor")
    response = editor.get("/console/analytics.csv?view=passwords")
    assert response.status_code == 404
    assert "ダウンロードできる表" in response.get_data(as_text=True)
    agent = logged_in(seeded, "agent")
    assert agent.get("/console/analytics.csv?view=daily").status_code == 403


def test_every_chart_is_an_image_with_a_title_and_a_description(seeded, logged_in):
    page = logged_in(seeded, "editor").get("/console/analytics?days=7").get_data(as_text=True)
    figures = re.findall(r'<figure class="chart" id="chart-([\w-]+)">(.*?)</figure>', page, re.S)
    assert {name for name, _ in figures} == {
        "searches",
        "conversations",
        "inquiries",
        "views",
        "replies",
        "search-confidence",
    }
    for name, figure in figures:
        assert 'role="img"' in figure
        assert f'aria-labelledby="chart-{name}-title chart-{name}-desc"' in figure
        assert re.search(r"<desc [^>]*>[^<]*件[^<]*</desc>", figure), name


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (480, 500), (2001, 5000)],
)
def test_the_value_axis_ends_at_a_round_number(value, top):
    assert charts.nice_maximum(value) == top


def test_columns_are_as_tall_as_their_share_of_the_axis():
    chart = charts.columns([("12/1", 0), ("12/2", 5), ("12/3", 10)])
    heights = [bar.height for bar in chart.bars]
    assert heights == [0, charts.COLUMN_HEIGHT / 2, charts.COLUMN_HEIGHT]
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert [bar.x for bar in chart.bars] == sorted(bar.x for bar in chart.bars)


def test_the_chat_and_the_search_record_what_the_dashboard_counts(app, client):
    answered = client.post("/api/chat", json={"message": "補助金の申請期限はいつまで？"}).get_json()
    assert answered["kind"] == "answer"
    client.post("/api/chat", json={"message": "今日の天気は？", "session": answered["session"]})
    client.get("/search", query_string={"q": "補助金の申請期限はいつまで"})
    with app.app_context():
        turns = db.session().scalars(select(ChatTurn).order_by(ChatTurn.id)).all()
        logged = db.session().scalars(select(SearchLog).where(SearchLog.source == "web")).one()
    first, second = turns[1], turns[3]  # the bot's turns
    assert (first.kind, first.confidence, first.category) == (
        "answer",
        answered["confidence"],
        "subsidy",
    )
    assert turns[0].kind == first.kind  # the question carries what its reply was
    assert second.kind == "out_of_scope" and second.category is None
    assert logged.confidence == "confident"


def test_an_inquiry_sent_from_a_conversation_counts_in_the_conversations_category(seeded):
    with seeded.app_context():
        before = metrics.rates(db.session(), window(seeded, category="subsidy")).form_inquiries
        # the form's own category is another one; the conversation (c2) was about 助成金
        db.session().add(inquiry("R-5", at(TODAY, 11), "other", token="c2"))
        db.session().commit()
        after = metrics.rates(db.session(), window(seeded, category="subsidy")).form_inquiries
        contact = metrics.rates(db.session(), window(seeded, category="contact")).form_inquiries
    assert (before, after) == (1, 2)
    assert contact == 1  # R-2, chosen on the form; R-5 is not about お問い合わせ


def test_the_articles_review_state_reads_as_the_review_queue_does():
    from dataclasses import replace as changed

    from kb import ARTICLES_DIR
    from kb.articles import load_articles

    article = next(iter(load_articles(ARTICLES_DIR).articles.values()))
    due = changed(article, review_by=TODAY + dt.timedelta(days=4))
    assert dashboard.review_state(due, TODAY, 30) == f"期限間近（{due.review_by.isoformat()}まで）"
    assert (
        dashboard.review_state(changed(article, review_by=TODAY - dt.timedelta(days=1)), TODAY, 30)
        == "期限切れ（要確認）"
    )
    later = changed(article, review_by=TODAY + dt.timedelta(days=200))
    assert dashboard.review_state(later, TODAY, 30) == "確認済み"


@pytest.mark.parametrize("query", ["days=5", "days=abc", "category=bogus"])
def test_a_period_or_category_the_page_does_not_offer_is_said_not_silently_replaced(
    seeded, logged_in, query
):
    page = logged_in(seeded, "editor").get(f"/console/analytics?{query}").get_data(as_text=True)
    assert "から選べます" in page or "指定された分類はありません" in page
