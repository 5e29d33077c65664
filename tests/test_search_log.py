"""The search log: every search on the site and the API, stored for editors without personal data."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from web.core import db
from web.core.models import SearchLog
from web.faq.search_log import record_search

SEARCH_URLS = {"web": "/search", "api": "/api/search"}


def logged(app) -> list[SearchLog]:
    with app.app_context():
        return list(db.session().scalars(select(SearchLog).order_by(SearchLog.id)))


@pytest.mark.parametrize("source", ["web", "api"])
def test_a_search_is_logged_with_terms_count_top_article_and_time(app, client, engine, source):
    response = client.get(SEARCH_URLS[source], query_string={"q": "補助金いつまで"})
    assert response.status_code == 200

    [row] = logged(app)
    expected = engine.search("補助金いつまで", limit=10)
    assert row.source == source
    assert row.query == "補助金いつまで"
    assert row.normalized == " ".join(expected.terms) == "補助金 補助 助成金 いつ"
    assert row.result_count == expected.total
    assert row.top_article_id == "subsidy-period"
    assert row.category is None
    assert 0 < row.elapsed_ms < 10_000
    assert row.created_at is not None


@pytest.mark.parametrize("source", ["web", "api"])
def test_the_category_filter_is_logged(app, client, source):
    client.get(SEARCH_URLS[source], query_string={"q": "補助金", "category": "setup"})
    [row] = logged(app)
    assert row.category == "setup"
    assert row.top_article_id is not None


def test_a_search_that_found_nothing_is_logged_for_editors(app, client):
    client.get("/search", query_string={"q": "レセコソ"})
    [row] = logged(app)
    assert row.result_count == 0 and row.top_article_id is None
    assert row.normalized == "レセコソ"


PERSONAL_QUERIES = [
    ("受給者 123456789018 補助金", ["123456789018"]),
    ("１２３４５６７８９０１８ 補助金", ["123456789018", "１２３４５６７８９０１８"]),
    ("1234 5678 9018 補助金", ["1234 5678 9018", "9018"]),
    ("090-1234-5678 に折り返し 補助金", ["090-1234-5678", "090", "1234", "5678"]),
    ("09012345678 補助金", ["09012345678"]),
    ("電話０９０－１２３４－５６７８ 補助金", ["５６７８", "5678", "1234"]),
]


@pytest.mark.parametrize("source", ["web", "api"])
@pytest.mark.parametrize(("query", "secrets"), PERSONAL_QUERIES)
def test_my_number_and_phone_numbers_are_masked_before_storing(app, client, source, query, secrets):
    assert client.get(SEARCH_URLS[source], query_string={"q": query}).status_code == 200
    [row] = logged(app)
    for secret in secrets:
        assert secret not in row.query
        assert secret not in row.normalized
    assert "＊" in row.query
    assert "補助金" in row.query and "補助金" in row.normalized.split()


def test_the_public_call_centre_number_is_not_masked(app, client):
    client.get("/search", query_string={"q": "0800-080-4583 つながらない"})
    [row] = logged(app)
    assert row.query == "0800-080-4583 つながらない"


def test_a_query_with_control_characters_is_stored_printable(app, client):
    client.get("/search", query_string={"q": "補助金\x00\x1b[31m いつまで\x7f"})
    [row] = logged(app)
    assert row.query == "補助金 [31m いつまで"


def test_a_very_long_query_is_stored_within_its_column(app, client):
    client.get("/api/search", query_string={"q": "補助金 " * 80})  # 320 characters
    client.get("/search", query_string={"q": "補助金 " * 5000})  # 20,000 characters
    rows = logged(app)
    assert len(rows) == 2
    for row in rows:
        assert len(row.query) <= 400 and len(row.normalized) <= 400


def test_empty_searches_and_later_pages_are_not_logged_again(app, client):
    client.get("/search?q=")
    client.get("/api/search?q=")
    client.get("/search", query_string={"q": "補助金"})
    client.get("/search", query_string={"q": "補助金", "page": 2})
    assert [row.query for row in logged(app)] == ["補助金"]


def test_suggestions_while_typing_are_not_logged(app, client):
    for prefix in ("補", "補助", "補助金"):
        client.get("/api/suggest", query_string={"q": prefix})
    assert logged(app) == []


def test_a_broken_log_table_does_not_break_the_search(app, client, caplog):
    with app.app_context():
        db.session().execute(text("DROP TABLE search_logs"))
        db.session().commit()
    query = "補助金いつまで 090-1234-5678"
    with caplog.at_level(logging.INFO):
        page = client.get("/search", query_string={"q": query})
        api = client.get("/api/search", query_string={"q": query})
    assert page.status_code == 200 and 'href="/articles/subsidy-period"' in page.get_data(
        as_text=True
    )
    assert api.status_code == 200 and api.get_json()["results"][0]["id"] == "subsidy-period"
    failures = [r for r in caplog.records if "検索ログを保存できませんでした" in r.getMessage()]
    assert len(failures) == 2
    everything_logged = "\n".join(
        r.getMessage() + str(r.exc_info or "") + str(r.exc_text or "") for r in caplog.records
    )
    assert "090" not in everything_logged and "補助金いつまで" not in everything_logged


def test_record_search_can_be_called_by_other_features(app, engine):
    response = engine.search("要否意見書", limit=5)
    with app.test_request_context():
        assert record_search("chat", "要否意見書", response, 12.5) is True
    [row] = logged(app)
    assert row.source == "chat" and row.elapsed_ms == 12.5
    assert row.top_article_id == response.hits[0].id


# --- written behind the request, as under gunicorn --------------------------------------------


@pytest.fixture
def background_app(index_dir, tmp_path, database_url, make_app):
    """The production setting: searches and views are queued and written in batches."""
    return make_app(index_dir, tmp_path / "instance", database_url, log_writes_in_background=True)


def test_searches_are_written_behind_the_request_and_none_is_lost(background_app):
    client = background_app.test_client()
    queries = ["補助金いつまで", "受給者 123456789018", "レセコソ"] * 20
    for index, query in enumerate(queries):
        url = "/search" if index % 2 else "/api/search"
        assert client.get(url, query_string={"q": query}).status_code == 200
    assert background_app.extensions["search_log"].flush() >= 0  # what the thread left over

    rows = logged(background_app)
    assert len(rows) == len(queries)
    assert {row.source for row in rows} == {"web", "api"}
    assert all("123456789018" not in row.query + row.normalized for row in rows)
    assert sum(row.top_article_id == "subsidy-period" for row in rows) == 20
    assert [row.created_at for row in rows] == sorted(row.created_at for row in rows)


def test_the_writer_thread_writes_without_being_asked(background_app):
    client = background_app.test_client()
    client.get("/api/search", query_string={"q": "補助金いつまで"})
    writer = background_app.extensions["search_log"]
    deadline = time.monotonic() + 10
    while writer.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    while not logged(background_app) and time.monotonic() < deadline:
        time.sleep(0.05)  # the batch is taken from the queue just before it is committed
    assert [row.query for row in logged(background_app)] == ["補助金いつまで"]


def test_queued_searches_are_written_when_the_process_exits(index_dir, tmp_path, database_url):
    """gunicorn ends a worker with sys.exit: what is still queued is written then."""
    program = textwrap.dedent(
        f"""
        from pathlib import Path
        from tests.plugins.webapp import make_app

        app = make_app(
            Path({str(index_dir)!r}), Path({str(tmp_path / "worker")!r}), {database_url!r},
            log_writes_in_background=True,
        )
        app.extensions["search_log"]._interval = 3600  # only the exit may write
        client = app.test_client()
        for _ in range(5):
            assert client.get("/api/search?q=補助金").status_code == 200
        assert app.extensions["search_log"].pending() == 5
        """
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    engine = create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM search_logs")).scalar_one()
    engine.dispose()
    assert count == 5


def test_a_repeated_search_is_answered_again_and_logged_again(app, client):
    first = client.get("/api/search", query_string={"q": "補助金いつまで"}).get_json()
    second = client.get("/api/search", query_string={"q": "補助金いつまで"}).get_json()
    assert first == second
    assert len(logged(app)) == 2
