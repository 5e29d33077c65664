"""A real server and a real browser: the live server, headless Chromium, its pages in each
viewport, screenshots for a person to look at, and axe-core's accessibility check."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from tests.support import ROOT, SCREENSHOTS, VIEWPORTS, unavailable


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


@pytest.fixture(scope="session")
def screenshot():
    """`screenshot(page, name)`: the whole page, as screenshots/{name}-{viewport}.png."""

    def screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot


# --- accessibility: axe-core from the npm registry (make install-dev), run inside the page ------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        unavailable("axe-core がありません（make install-dev が npm から入れます）")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def axe_violations():
    """`axe_violations(page, axe_source)`: the serious and critical axe violations of the page
    as it is now."""

    def axe_violations(page, axe_source: str) -> list[dict]:
        # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) holds.
        page.evaluate(axe_source)
        found = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
        )
        return [v for v in found if v["impact"] in AXE_BLOCKING]

    return axe_violations


@pytest.fixture(scope="session")
def describe_violations():
    """`describe_violations(found)`: axe violations, one line each, for an assertion message."""

    def describe_violations(found: list[dict]) -> str:
        return "\n".join(
            f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in found
        )

    return describe_violations
