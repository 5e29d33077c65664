"""axe-core, from the npm registry, run inside headless Chromium on the pages people use.

Reception staff use these pages on old PCs, on phones, with screen magnifiers and keyboards;
a serious or critical axe violation is a page some of them cannot use.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import unavailable

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

PAGES = {
    "home": "/",
    "search": "/search?q=オン資の補助金はいつまで",
    "no-results": "/search?q=ぜんぜん関係のない質問です",
    "article": "/articles/subsidy-period",
    "category": "/categories/subsidy",
    "chat": "/chat",
    "contact": "/contact",
    "not-found": "/articles/no-such-article",
}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        unavailable("axe-core がありません（make install-dev が npm から入れます）")
    return AXE.read_text(encoding="utf-8")


def violations(page, axe_source: str) -> list[dict]:
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) still holds.
    page.evaluate(axe_source)
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in result if v["impact"] in BLOCKING]


def describe(found: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_serious_accessibility_violations(page, live_server, axe_source, name):
    page.goto(live_server.url + PAGES[name])
    found = violations(page, axe_source)
    assert not found, describe(found)


def test_open_chat_widget_has_no_serious_accessibility_violations(page, live_server, axe_source):
    page.goto(live_server.url + "/")
    toggle = page.locator("[data-chat-toggle]")
    toggle.click()
    page.locator("[data-chat-input]").fill("補助金について")
    page.locator("[data-chat-input]").press("Enter")
    page.locator("[data-chat-log] [data-role=bot]").last.wait_for()
    found = violations(page, axe_source)
    assert not found, describe(found)
