"""The web app on the shared index, its database (SQLite, or PostgreSQL in CI), and its client.

`make_app` is also a plain function: tests/test_search_log.py runs it in a child process.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support import unavailable


def make_app(index_dir: Path, instance: Path, database_url: str, **overrides):
    """An app on the shared index and the given database; `overrides` as for `create_app`
    (settings by field name, UPPERCASE for Flask's own config)."""
    from web import create_app
    from web.core.security import limiter

    app = create_app(
        {
            "TESTING": True,
            "instance": instance,
            "index_dir": index_dir,
            "database_url": database_url,
            "refresh_index_on_start": False,
            "insecure_cookies": True,
            # Each row is written in the request, so a test reads what it just did.
            "log_writes_in_background": False,
            # Mail is delivered by the test (outbox.deliver_app), unless a test turns it on.
            "mail_in_background": False,
            **overrides,
        }
    )
    with app.app_context():
        limiter.reset()  # one limiter serves every test app: start each with clean counters
    return app


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    from web.core.migrate import upgrade

    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(name="make_app", scope="session")
def make_app_factory(index_dir, tmp_path_factory, migrated_sqlite):
    """`make_app(index_dir=None, instance=None, database_url=None, **overrides)`: a new app.

    Left out, the index is the shared one, the instance folder a new one, and the database a
    new copy of the migrated SQLite template. Session-scoped, so module fixtures may use it.
    """

    def factory(index_dir=index_dir, instance=None, database_url=None, **overrides):
        if instance is None:
            instance = tmp_path_factory.mktemp("instance")
        if database_url is None:
            path = tmp_path_factory.mktemp("db") / "helpdesk.sqlite3"
            shutil.copy(migrated_sqlite, path)
            database_url = f"sqlite:///{path}"
        return make_app(index_dir, instance, database_url, **overrides)

    return factory


@pytest.fixture
def database_url(tmp_path, migrated_sqlite) -> str:
    path = tmp_path / "helpdesk.sqlite3"
    shutil.copy(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(make_app, tmp_path, database_url):
    return make_app(instance=tmp_path / "instance", database_url=database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(name="csrf_token_from", scope="session")
def csrf_token_from_fixture():
    """`csrf_token_from(html)`: the CSRF token of the form in the page."""
    return csrf_token_from


@pytest.fixture(scope="session")
def page_text():
    """`page_text(response)`: the body of a test client's response as text."""

    def page_text(response) -> str:
        return response.get_data(as_text=True)

    return page_text


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """An empty, migrated PostgreSQL database (TEST_DATABASE_URL, started by .ci/run)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        unavailable("TEST_DATABASE_URL が設定されていません（.ci/run が PostgreSQL を起動します）")
    from sqlalchemy import text

    from web.core.db import make_engine
    from web.core.migrate import upgrade

    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    except Exception as error:  # noqa: BLE001
        unavailable(f"PostgreSQL に接続できません: {error}")
    finally:
        engine.dispose()
    upgrade(url)
    return url


@pytest.fixture
def pg_app(make_app, tmp_path, postgres_url):
    from sqlalchemy import text

    from web.core.db import make_engine
    from web.core.models import Base

    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return make_app(instance=tmp_path / "instance", database_url=postgres_url)
