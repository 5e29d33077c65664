"""Shared fixtures: a real index of the real articles, built once, and apps built on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import ARTICLES_DIR
from kb.library import KnowledgeBase

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """The real articles, indexed once per test run (read-only for tests)."""
    path = tmp_path_factory.mktemp("index")
    KnowledgeBase(ARTICLES_DIR, path).refresh()
    return path


@pytest.fixture(scope="session")
def knowledge(index_dir) -> KnowledgeBase:
    return KnowledgeBase(ARTICLES_DIR, index_dir)


@pytest.fixture(scope="session")
def engine(knowledge):
    return knowledge.engine()


@pytest.fixture
def article_tree(tmp_path) -> Path:
    """A small valid article tree a test may break."""
    folder = tmp_path / "articles"
    shutil.copytree(FIXTURES / "articles" / "valid", folder)
    return folder


def top_ids(engine, query: str, n: int = 3, **kwargs) -> list[str]:
    return [hit.id for hit in engine.search(query, limit=n, highlight=False, **kwargs).hits]


# --- the web app, its database, and the things a test needs to act like a user -------------

import os  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str):
    """Skip locally when a service is missing; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"CI では必須です: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    from web.migrate import upgrade

    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def make_app(index_dir: Path, instance: Path, database_url: str, **config):
    from web import create_app
    from web.security import limiter

    settings = {
        "TESTING": True,
        "INSTANCE_PATH": instance,
        "INDEX_DIR": str(index_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REFRESH_INDEX_ON_START": False,
        "SESSION_COOKIE_SECURE": False,
    }
    settings.update(config)
    app = create_app(settings)
    with app.app_context():
        limiter.reset()  # one limiter serves every test app: start each with clean counters
    return app


@pytest.fixture
def database_url(tmp_path, migrated_sqlite) -> str:
    path = tmp_path / "helpdesk.sqlite3"
    shutil.copy(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(index_dir, tmp_path, database_url):
    return make_app(index_dir, tmp_path / "instance", database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """An empty, migrated PostgreSQL database (TEST_DATABASE_URL, started by .ci/run)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        unavailable("TEST_DATABASE_URL が設定されていません（.ci/run が PostgreSQL を起動します）")
    from sqlalchemy import text

    from web.db import make_engine
    from web.migrate import upgrade

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
def pg_app(index_dir, tmp_path, postgres_url):
    from sqlalchemy import text

    from web.db import make_engine
    from web.models import Base

    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return make_app(index_dir, tmp_path / "instance", postgres_url)


# --- a real server and a real browser ------------------------------------------------------


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        unavailable("Chromium がありません（.ci/run が Debian の chromium を入れます）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(
        viewport=VIEWPORTS[request.param], locale="ja-JP", is_mobile=request.param == "phone"
    )
    page = context.new_page()
    page.viewport_name = request.param
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- accessibility: axe-core from the npm registry (make install-dev), run inside the page ------

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        unavailable("axe-core がありません（make install-dev が npm から入れます）")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, axe_source: str) -> list[dict]:
    """The serious and critical axe violations of the page as it is now."""
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) still holds.
    page.evaluate(axe_source)
    found = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in found if v["impact"] in AXE_BLOCKING]


def describe_violations(found: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
    )
