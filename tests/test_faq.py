"""The public FAQ pages, as a receptionist's browser sees them (Flask test client, CSRF on)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from kb.categories import CATEGORIES
from kb.freshness import as_of_sentence, japanese_date
from kb.library import KnowledgeBase
from web.core import db
from web.core.clock import today
from web.core.models import ArticleView, Feedback
from web.faq.article_views import FALLBACK_POPULAR

CALL_CENTRE_HOURS = "平日8:00〜18:00・土曜日8:00〜16:00（いずれも祝日を除く）"


def stored(app, model):
    with app.app_context():
        return list(db.session().scalars(select(model).order_by(model.id)))


def between(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def only_our_own_scripts(html: str) -> bool:
    """Every <script> element is a static file of the site or JSON-LD data."""
    tags = re.findall(r"<script\b[^>]*>", html)
    return all('src="/static/' in tag or 'type="application/ld+json"' in tag for tag in tags)


def article_links(html: str) -> list[str]:
    return re.findall(r'href="/articles/([a-z0-9-]+)"', html)


# --- top page -------------------------------------------------------------------------------


def test_home_page_offers_search_categories_popular_articles_and_contact(client, engine):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert 'role="search"' in html and 'name="q"' in html and 'action="/search"' in html
    assert '<label for="home-q">' in html
    for category in CATEGORIES:
        count = sum(1 for a in engine.articles.values() if a.category == category.id)
        assert f'href="/categories/{category.id}"' in html
        assert category.label in html and f"{count}件" in html
    assert "よく見られている質問" in html
    assert 'href="/contact"' in html
    assert "0800-080-4583" in html and CALL_CENTRE_HOURS in re.sub(r"<[^>]+>", "", html)


def test_popular_articles_fall_back_to_a_fixed_order_before_anyone_viewed(client):
    html = client.get("/").get_data(as_text=True)
    popular = article_links(between(html, 'id="popular-heading"', "</section>"))
    assert popular == list(FALLBACK_POPULAR[: len(popular)])
    assert len(popular) >= 5


def local_today(app) -> dt.date:
    with app.app_context():
        return today()


def test_viewing_an_article_counts_it_and_makes_it_popular(app, client):
    for _ in range(3):
        assert client.get("/articles/mhlw-contact").status_code == 200
    client.get("/articles/costs")

    views = {row.article_id: row for row in stored(app, ArticleView)}
    assert views["mhlw-contact"].views == 3 and views["mhlw-contact"].day == local_today(app)
    assert views["costs"].views == 1
    html = client.get("/").get_data(as_text=True)
    popular = article_links(between(html, 'id="popular-heading"', "</section>"))
    assert popular[:2] == ["mhlw-contact", "costs"]
    assert popular[2] == FALLBACK_POPULAR[0]  # topped up with the fixed order


def test_the_top_page_reads_the_ranking_at_most_once_a_minute(app, client):
    before = article_links(
        between(client.get("/").get_data(as_text=True), 'id="popular-heading"', "</section>")
    )
    for _ in range(3):
        client.get("/articles/costs")
    html = client.get("/").get_data(as_text=True)
    assert article_links(between(html, 'id="popular-heading"', "</section>")) == before

    settings = app.extensions["settings"]  # as when the minute is over:
    app.extensions["settings"] = dataclasses.replace(settings, popular_cache_seconds=0)
    html = client.get("/").get_data(as_text=True)
    assert article_links(between(html, 'id="popular-heading"', "</section>"))[0] == "costs"


def test_views_older_than_the_window_no_longer_count_as_popular(app, client):
    with app.app_context():
        session = db.session()
        session.add(
            ArticleView(article_id="costs", day=local_today(app) - dt.timedelta(days=90), views=99)
        )
        session.commit()
    html = client.get("/").get_data(as_text=True)
    assert "costs" not in article_links(between(html, 'id="popular-heading"', "</section>"))


# --- search ---------------------------------------------------------------------------------


def test_search_shows_the_answer_first_with_highlighted_words(client, engine):
    response = client.get("/search", query_string={"q": "補助金いつまで"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    first = between(html, '<li class="result">', "</li>")
    assert 'href="/articles/subsidy-period"' in first
    assert "<mark>助成金</mark>の申請期間は<mark>いつ</mark>までですか" in first
    assert engine.articles["subsidy-period"].answer in first
    assert 'class="result-snippet"' in first and "<mark>" in between(
        first, "result-snippet", "</p>"
    )
    assert "助成金" in between(first, "result-category", "</p>")
    assert 'value="補助金いつまで"' in html  # the query stays in the box


def test_search_can_be_narrowed_to_a_category_with_counts(client, engine):
    whole = engine.search("補助金", limit=50)
    html = client.get("/search", query_string={"q": "補助金", "category": "setup"}).get_data(
        as_text=True
    )
    ids = article_links(between(html, '<ol class="results"', "</ol>"))
    assert ids and all(engine.articles[i].category == "setup" for i in ids)
    facets = between(html, 'class="facets"', "</nav>")
    assert f"すべて（{whole.total}）" in facets
    assert f"導入準備（{whole.facets['setup']}）" in facets
    assert f"助成金（{whole.facets['subsidy']}）" in facets
    assert 'aria-current="true">導入準備' in facets


def test_unknown_category_filter_searches_everything(client):
    response = client.get("/search", query_string={"q": "補助金", "category": "no-such"})
    assert response.status_code == 200
    assert "subsidy-period" in response.get_data(as_text=True)


def test_search_pages_through_many_results(client, engine):
    total = engine.search("補助金", limit=100).total
    assert total > 10
    first = client.get("/search", query_string={"q": "補助金"}).get_data(as_text=True)
    assert len(re.findall(r'<li class="result">', first)) == 10
    assert 'rel="next"' in first and "1 / 2 ページ" in first
    second = client.get("/search", query_string={"q": "補助金", "page": 2}).get_data(as_text=True)
    assert len(re.findall(r'<li class="result">', second)) == total - 10
    assert '<ol class="results" start="11">' in second and 'rel="prev"' in second
    assert not set(article_links(between(first, '<ol class="results"', "</ol>"))) & set(
        article_links(between(second, '<ol class="results"', "</ol>"))
    )


@pytest.mark.parametrize("page", ["99", "-3", "abc", "1e9", "9" * 5000])
def test_an_impossible_page_number_still_shows_results(client, page):
    response = client.get("/search", query_string={"q": "補助金", "page": page})
    assert response.status_code == 200
    assert '<li class="result">' in response.get_data(as_text=True)


def test_search_without_a_match_suggests_words_categories_and_the_contact_form(client):
    response = client.get("/search", query_string={"q": "レセコソ"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "該当する記事が見つかりませんでした" in html
    assert "もしかして" in html and 'href="/search?q=%E3%83%AC%E3%82%BB%E3%82%B3%E3%83%B3"' in html
    for category in CATEGORIES:
        assert f'href="/categories/{category.id}"' in html
    assert 'href="/contact"' in html and "0800-080-4583" in html
    assert 'value="レセコソ"' in html


def test_empty_search_asks_for_words(client):
    html = client.get("/search?q=").get_data(as_text=True)
    assert "検索する言葉を入力してください。" in html


def test_symbols_only_search_explains_why_nothing_was_searched(client):
    html = client.get("/search", query_string={"q": "！？…"}).get_data(as_text=True)
    assert "記号や短すぎる言葉だけでは検索できません" in html


def test_an_overlong_query_is_cut_with_a_notice(client):
    response = client.get("/search", query_string={"q": "補助金 " * 5000})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "はじめの400文字で検索しました" in html
    assert 'href="/articles/subsidy-period"' in html
    box = re.search(r'id="search-q" name="q" type="search" value="([^"]*)"', html).group(1)
    assert len(box) <= 400


HOSTILE_QUERIES = [
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "</textarea><script>alert(1)</script>",
    "補助金 AND (title:* OR body:[a TO z]) NOT ~2 ^3",
    'id:"subsidy-period" OR *',
    "\x00\x01\x1b[31m補助金\x7f",
    "補助金\u202e\u200b\ufeff",
    "😀🏥💊 補助金",
    "a" * 20000,
    "<script>" * 3000,
    "%00%ff' OR 1=1 --",
    "{{ 7*7 }} {% raw %}",
    "\\",
    "　",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_are_answered_and_escaped(client, query):
    response = client.get("/search", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code < 500
    assert "<script>alert" not in html
    assert only_our_own_scripts(html)
    assert "\x00" not in html
    if "<script>" in query:
        assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "raw_query",
    [
        "q=%ED%A0%80",  # a lone surrogate, as UTF-8 bytes
        "q=%FF%FE%FD",  # not UTF-8 at all
        "q=%E8%A3%9C%E5%8A%A9",  # a UTF-8 sequence cut in the middle of a character
        "q=a&q=b&category[]=x",
        "q=" + "%3Cscript%3E" * 10,
    ],
)
def test_broken_encodings_in_the_url_are_answered(client, raw_query):
    response = client.get("/search?" + raw_query)
    assert response.status_code < 500
    assert "<script>alert" not in response.get_data(as_text=True)


def test_a_search_is_rendered_without_inline_code(client):
    for url in ("/", "/search?q=補助金", "/articles/subsidy-period", "/categories/subsidy"):
        html = client.get(url).get_data(as_text=True)
        assert only_our_own_scripts(html), url
        assert " style=" not in html and not re.search(r"\son[a-z]+=", html), url
        assert "<style" not in html, url


# --- articles -------------------------------------------------------------------------------


def test_article_page_shows_answer_body_source_date_and_related(client, engine):
    article = engine.articles["subsidy-period"]
    response = client.get("/articles/subsidy-period")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<title>{article.title} | " in html
    crumbs = between(html, 'class="breadcrumbs"', "</nav>")
    assert 'href="/">トップ' in crumbs and 'href="/categories/subsidy">助成金' in crumbs
    assert f'aria-current="page">{article.title}' in crumbs
    assert f'<h1 id="article-title">{article.title}</h1>' in html
    assert article.answer in between(html, 'class="answer-box"', "</section>")
    assert "<table>" in html and "<h2>詳しく</h2>" in html  # the Markdown body, rendered
    assert "厚生労働省社会・援護局保護課" in between(html, 'class="article-meta"', "</dl>")
    assert '<time datetime="2024-12-09">令和6年12月9日（2024年）</time>' in html
    related = article_links(between(html, 'id="related-heading"', "</section>"))
    assert related == list(article.related)
    assert "この記事は役に立ちましたか？" in html


def test_article_page_carries_faq_structured_data(client, engine):
    html = client.get("/articles/subsidy-period").get_data(as_text=True)
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(payload.group(1))
    assert data["@type"] == "FAQPage"
    question = data["mainEntity"][0]
    assert question["name"] == engine.articles["subsidy-period"].title
    assert question["acceptedAnswer"]["text"] == engine.articles["subsidy-period"].answer


@pytest.fixture
def hostile_article_app(article_tree, tmp_path, database_url, make_app):
    """An app whose article title and answer try to break out of the page and the JSON-LD."""
    path = article_tree / "alpha.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "title: 補助金の申請期間はいつまでですか",
        "title: '</script><script>alert(1)</script> 補助金の期間'",
    ).replace(
        "answer: 当分の間、申請を受け付けています。",
        "answer: '当分の間です。<img src=x onerror=alert(2)> & \"引用\"'",
    )
    path.write_text(text, encoding="utf-8")
    index = tmp_path / "hostile-index"
    assert not KnowledgeBase(article_tree, index).refresh().problems
    return make_app(index, tmp_path / "hostile", database_url, articles_dir=article_tree)


def test_article_content_cannot_break_out_of_the_page_or_its_json_ld(hostile_article_app):
    client = hostile_article_app.test_client()
    for url in ("/articles/alpha", "/search?q=補助金", "/", "/categories/subsidy"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in html, url
        assert "<img src=x" not in html, url
    html = client.get("/articles/alpha").get_data(as_text=True)
    payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(payload.group(1))
    assert data["mainEntity"][0]["name"].startswith("</script><script>")
    assert "\\u003c/script\\u003e" in payload.group(1)
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "<script>" not in feed and ET.fromstring(feed.encode())  # still well-formed


def test_unknown_article_is_a_japanese_404(client):
    response = client.get("/articles/no-such-article")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="ja">' in html
    assert "お探しのページは見つかりませんでした。" in html
    assert 'role="search"' in html and 'action="/search"' in html
    assert 'href="/categories/subsidy"' in html and 'href="/contact"' in html


def test_unknown_page_is_a_japanese_404_with_search(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "知りたいことを検索してください" in response.get_data(as_text=True)


def test_hostile_article_id_is_a_404_and_escaped(client):
    response = client.get("/articles/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>alert" not in response.get_data(as_text=True)


def test_article_page_is_ready_for_printing(client):
    html = client.get("/articles/subsidy-period").get_data(as_text=True)
    assert '<div class="print-only"><dt>このページ</dt>' in html
    assert "http://localhost/articles/subsidy-period" in html
    css = client.get("/static/css/site.css").get_data(as_text=True)
    print_rules = css[css.index("@media print") :]
    for hidden in (".site-header", ".feedback", "form", ".breadcrumbs"):
        assert hidden in print_rules


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 12, 9), "令和6年12月9日（2024年）"),
        (dt.date(2019, 5, 1), "令和元年5月1日（2019年）"),
        (dt.date(2019, 4, 30), "2019年4月30日"),
    ],
)
def test_dates_are_written_the_japanese_way(day, expected):
    assert japanese_date(day) == expected


# --- feedback -------------------------------------------------------------------------------


@pytest.fixture
def post_feedback(csrf_token_from):
    def post_feedback(client, article_id: str, token: str | None = "from-page", **fields):
        if token == "from-page":
            token = csrf_token_from(client.get(f"/articles/{article_id}").get_data(as_text=True))
        data = dict(fields)
        if token:
            data["csrf_token"] = token
        return client.post(f"/articles/{article_id}/feedback", data=data)

    return post_feedback


def test_feedback_is_stored_with_the_comment_masked_and_thanked(app, client, post_feedback):
    response = post_feedback(
        client,
        "subsidy-period",
        helpful="yes",
        comment="わかりやすいです。患者 123456789018、電話 090-1234-5678 の件も解決しました。",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/articles/subsidy-period?feedback=yes#feedback")

    [row] = stored(app, Feedback)
    assert row.article_id == "subsidy-period" and row.helpful is True
    assert "わかりやすいです。" in row.comment and "解決しました" in row.comment
    assert "123456789018" not in row.comment and "5678" not in row.comment
    assert "＊＊＊＊＊＊＊＊＊＊＊＊" in row.comment

    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ご回答ありがとうございました" in thanks
    assert "この記事は役に立ちましたか？" not in thanks


def test_not_helpful_feedback_points_to_the_contact_channels(app, client, post_feedback):
    response = post_feedback(client, "costs", helpful="no")
    assert response.status_code == 303
    [row] = stored(app, Feedback)
    assert row.helpful is False and row.comment == ""
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ご回答ありがとうございました" in html
    assert 'href="/contact"' in between(html, 'id="feedback"', "</section>")


def test_feedback_without_a_csrf_token_is_rejected(app, client, post_feedback):
    response = post_feedback(client, "subsidy-period", token=None, helpful="yes")
    assert response.status_code == 400
    assert "ページを再読み込みしてから" in response.get_data(as_text=True)
    assert stored(app, Feedback) == []


def test_feedback_with_a_forged_csrf_token_is_rejected(app, client, post_feedback):
    client.get("/articles/subsidy-period")
    response = post_feedback(client, "subsidy-period", token="forged", helpful="yes")
    assert response.status_code == 400
    assert stored(app, Feedback) == []


def test_an_overlong_comment_is_refused_in_japanese_and_kept_in_the_box(app, client, post_feedback):
    comment = "あ" * 1001
    response = post_feedback(client, "subsidy-period", helpful="no", comment=comment)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "コメントは1000文字以内で入力してください（いまは1001文字です）。" in html
    assert f">{comment}</textarea>" in html and 'aria-invalid="true"' in html
    assert stored(app, Feedback) == []


def test_a_comment_of_1000_characters_counts_line_breaks_as_one(app, client, post_feedback):
    comment = "\r\n".join(["あ" * 99] * 9 + ["い" * 100])  # 1,000 as a person counts, 1,009 sent
    response = post_feedback(client, "subsidy-period", helpful="yes", comment=comment)
    assert response.status_code == 303
    assert len(stored(app, Feedback)[0].comment) == 1000


def test_feedback_without_yes_or_no_is_refused(app, client, post_feedback):
    response = post_feedback(client, "subsidy-period", helpful="maybe", comment="？")
    assert response.status_code == 400
    assert "「はい」か「いいえ」のボタンを押してください。" in response.get_data(as_text=True)
    assert stored(app, Feedback) == []


def test_feedback_comment_is_escaped_when_shown_again(client, post_feedback):
    response = post_feedback(
        client, "subsidy-period", helpful="", comment="</textarea><script>alert(1)</script>"
    )
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;" in html


def test_feedback_for_an_unknown_article_is_a_404(app, client, csrf_token_from):
    token = csrf_token_from(client.get("/articles/costs").get_data(as_text=True))
    response = client.post(
        "/articles/no-such/feedback", data={"csrf_token": token, "helpful": "yes"}
    )
    assert response.status_code == 404
    assert stored(app, Feedback) == []


# --- categories -----------------------------------------------------------------------------


def test_category_page_lists_its_articles_in_order_with_answers(client, engine):
    expected = [a for a in engine.articles.values() if a.category == "setup"]
    html = client.get("/categories/setup").get_data(as_text=True)
    listed = article_links(between(html, '<ol class="article-list">', "</ol>"))
    assert listed == [a.id for a in expected]
    for article in expected:
        assert article.answer in html
    assert "<h1>導入準備</h1>" in html


def test_unknown_category_is_a_japanese_404(client):
    response = client.get("/categories/no-such")
    assert response.status_code == 404
    assert "お探しのページは見つかりませんでした。" in response.get_data(as_text=True)


# --- sitemap and feed ------------------------------------------------------------------------

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_sitemap_lists_the_top_page_categories_and_every_article(client, engine):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locations = [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]
    assert locations[0] == "http://localhost/"
    assert len(locations) == 1 + len(CATEGORIES) + len(engine.articles)
    assert "http://localhost/articles/subsidy-period" in locations
    article = next(u for u in root if u.findtext(f"{SITEMAP}loc").endswith("/subsidy-period"))
    updated = engine.articles["subsidy-period"].updated.isoformat()
    assert article.findtext(f"{SITEMAP}lastmod") == updated


def test_atom_feed_lists_updated_articles(client, engine):
    response = client.get("/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert 0 < len(entries) <= 20
    newest = max(a.updated for a in engine.articles.values())
    assert root.findtext(f"{ATOM}updated") == f"{newest.isoformat()}T00:00:00+09:00"
    first = entries[0]
    url = first.find(f"{ATOM}link").get("href")
    assert url.startswith("http://localhost/articles/")
    article = engine.articles[url.rsplit("/", 1)[1]]
    assert first.findtext(f"{ATOM}title") == article.title
    assert (
        first.findtext(f"{ATOM}summary") == f"{article.answer}（{as_of_sentence(article.as_of)}）"
    )
    assert first.find(f"{ATOM}content").get("type") == "html"
    assert "<p>" in first.findtext(f"{ATOM}content")  # the HTML, escaped once inside the XML
    html = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml"' in html and 'href="/feed.atom"' in html


def test_every_article_page_renders(client, engine):
    for article_id in engine.articles:
        response = client.get(f"/articles/{article_id}")
        assert response.status_code == 200, article_id


# --- written behind the request, and a database that is away ---------------------------------


def test_article_views_are_added_up_behind_the_request(index_dir, tmp_path, database_url, make_app):
    app = make_app(index_dir, tmp_path / "instance", database_url, log_writes_in_background=True)
    client = app.test_client()
    for article_id in ["costs"] * 4 + ["mhlw-contact"] * 2:
        assert client.get(f"/articles/{article_id}").status_code == 200
    app.extensions["article_views"].flush()
    for _ in range(3):  # a second batch adds to the first: an upsert, not a new row
        client.get("/articles/costs")
    app.extensions["article_views"].flush()

    views = {row.article_id: row.views for row in stored(app, ArticleView)}
    assert views == {"costs": 7, "mhlw-contact": 2}


UNAVAILABLE_DATABASES = {
    "unreachable PostgreSQL": "postgresql://helpdesk@127.0.0.1:9/helpdesk?connect_timeout=2",
    "SQLite in a folder that does not exist": "sqlite:////nonexistent/helpdesk/db.sqlite3",
}


@pytest.fixture(params=sorted(UNAVAILABLE_DATABASES))
def app_without_database(request, index_dir, tmp_path, make_app):
    url = UNAVAILABLE_DATABASES[request.param]
    return make_app(index_dir, tmp_path / "instance", url)


@pytest.mark.parametrize("background", [False, True])
def test_the_faq_keeps_answering_while_the_database_is_unavailable(
    app_without_database, background, caplog
):
    app = app_without_database
    settings = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(settings, log_writes_in_background=background)
    client = app.test_client()
    personal = "補助金いつまで 090-1234-5678 123456789018"
    with caplog.at_level(logging.INFO):
        home = client.get("/")
        page = client.get("/search", query_string={"q": personal})
        api = client.get("/api/search", query_string={"q": personal})
        article = client.get("/articles/subsidy-period")
        suggest = client.get("/api/suggest", query_string={"q": "補助"})
        for name in ("search_log", "article_views"):
            app.extensions[name].flush()

    assert home.status_code == 200 and "よく見られている質問" in home.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/articles/subsidy-period"' in page.get_data(as_text=True)
    assert api.status_code == 200 and api.get_json()["results"][0]["id"] == "subsidy-period"
    assert article.status_code == 200 and "この記事は役に立ちましたか？" in article.get_data(
        as_text=True
    )
    assert suggest.status_code == 200 and suggest.get_json()["suggestions"]

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    messages = "\n".join(r.getMessage() for r in warnings)
    assert "検索ログを保存できませんでした" in messages
    assert "閲覧数を保存できませんでした" in messages
    everything = "\n".join(
        r.getMessage() + str(r.exc_info or "") + str(r.exc_text or "") for r in caplog.records
    )
    for secret in ("090", "5678", "123456789018", "補助金いつまで"):
        assert secret not in everything


def test_feedback_says_it_cannot_be_stored_and_keeps_the_comment(
    app_without_database, csrf_token_from
):
    client = app_without_database.test_client()
    token = csrf_token_from(client.get("/articles/costs").get_data(as_text=True))
    comment = "費用の表がわかりやすいです"
    response = client.post(
        "/articles/costs/feedback",
        data={"csrf_token": token, "helpful": "yes", "comment": comment},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "送信できませんでした。時間をおいてもう一度お試しください。" in html
    assert f">{comment}</textarea>" in html


def test_robots_txt_keeps_crawlers_out_of_the_console_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "Disallow: /console/" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text
