"""axe-core, from the npm registry, run inside headless Chromium on the pages people use.

Reception staff use these pages on old PCs, on phones, with screen magnifiers and keyboards;
a serious or critical axe violation is a page some of them cannot use.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

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


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_serious_accessibility_violations(
    page, live_server, axe_source, name, axe_violations, describe_violations
):
    page.goto(live_server.url + PAGES[name])
    found = axe_violations(page, axe_source)
    assert not found, describe_violations(found)


def test_open_chat_widget_has_no_serious_accessibility_violations(
    page, live_server, axe_source, axe_violations, describe_violations
):
    page.goto(live_server.url + "/")
    toggle = page.locator("[data-chat-toggle]")
    toggle.click()
    page.locator("[data-chat-input]").fill("補助金について")
    page.locator("[data-chat-input]").press("Enter")
    page.locator("[data-chat-log] [data-role=bot]").last.wait_for()
    found = axe_violations(page, axe_source)
    assert not found, describe_violations(found)
