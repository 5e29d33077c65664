"""The as-of date as a reader sees it in Chromium: in search results, on an article, in the chat."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

AS_OF = "令和6年12月時点の情報です。"


def test_search_results_an_article_and_a_chat_answer_show_their_as_of_date(
    page, live_server, screenshot
):
    page.goto(live_server.url + "/search?q=補助金いつまで")
    first = page.locator(".result").first
    expect(first.locator(".as-of")).to_contain_text(AS_OF)

    first.get_by_role("link").first.click()
    page.wait_for_url("**/articles/subsidy-period")
    expect(page.locator(".answer-box .as-of")).to_have_text(AS_OF)
    # review_by (2025-03-09) is past: the notice says so, and where to check.
    notice = page.locator(".stale-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("変わっている可能性があります")
    expect(notice.get_by_role("link", name="医療機関等向け総合ポータルサイト")).to_be_visible()
    page.locator(".evidence summary").click()
    expect(page.locator(".evidence q").first).to_be_visible()
    screenshot(page, "article-as-of-stale")

    page.get_by_role("button", name="チャットで質問").click()
    box = page.get_by_label("ご質問", exact=True)
    box.fill("補助金の申請はいつまで？")
    box.press("Enter")
    answer = page.locator(".chat-widget .chat-turn--bot").last
    expect(answer).to_contain_text("令和6年12月時点の情報で、その後変わっている可能性があります")
