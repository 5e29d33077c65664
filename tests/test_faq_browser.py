"""The FAQ in headless Chromium, on a desktop and a phone: search → article → feedback, the
suggestions while typing, the keyboard, and the pages without JavaScript.

Screenshots land in screenshots/ (faq-*-desktop.png, faq-*-phone.png) for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import VIEWPORTS
from web.core import db
from web.core.models import Feedback, SearchLog

pytestmark = pytest.mark.browser


def stored(app, model):
    with app.app_context():
        return list(db.session().scalars(select(model).order_by(model.id)))


def fits_the_screen(page) -> bool:
    """Nothing wider than the viewport: no sideways scrolling on a phone."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def focus_ring(page) -> dict:
    """How the focused element shows its focus (outline and box-shadow, as computed)."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            const style = getComputedStyle(element);
            return {
                tag: element.tagName.toLowerCase(),
                text: (element.textContent || element.value || "").trim().slice(0, 40),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
                shadow: style.boxShadow !== "none",
            };
        }"""
    )


def test_search_open_the_answer_and_say_it_helped(page, live_server, app, screenshot):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.get_by_text("0800-080-4583").first).to_be_visible()
    screenshot(page, "faq-home")
    assert fits_the_screen(page)

    box = page.get_by_label("知りたいことを入力して検索してください")
    box.fill("補助金いつまで")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    first = page.locator(".result").first
    expect(first.locator(".result-title")).to_contain_text("助成金の申請期間はいつまでですか")
    expect(first.locator(".result-answer")).to_contain_text("申請を受け付けるとされています")
    expect(first.locator("mark").first).to_be_visible()
    expect(page.get_by_label("よくある質問を検索")).to_have_value("補助金いつまで")
    screenshot(page, "faq-search")
    assert fits_the_screen(page)

    first.locator(".result-title a").click()
    expect(page).to_have_url(re.compile(r"/articles/subsidy-period$"))
    expect(page.locator(".answer-box")).to_contain_text("申請を受け付けるとされています")
    expect(page.get_by_role("navigation", name="現在位置")).to_contain_text("助成金")
    expect(page.get_by_role("heading", name="この記事は役に立ちましたか？")).to_be_visible()
    screenshot(page, "faq-article")
    assert fits_the_screen(page)  # the article's tables scroll inside themselves on a phone

    page.get_by_label("ご意見（任意）").fill("期限がすぐにわかりました。")
    page.get_by_role("button", name="はい").click()
    expect(page.get_by_role("heading", name="ご回答ありがとうございました")).to_be_visible()
    expect(page).to_have_url(re.compile(r"feedback=yes#feedback$"))
    screenshot(page, "faq-feedback-thanks")

    [row] = stored(app, Feedback)
    assert row.article_id == "subsidy-period" and row.helpful is True
    assert row.comment == "期限がすぐにわかりました。"
    assert [entry.query for entry in stored(app, SearchLog)] == ["補助金いつまで"]
    assert page.js_errors == []


def test_not_helpful_leads_to_the_contact_channels(page, live_server, app):
    page.goto(live_server.url + "/articles/not-displayed")
    page.get_by_role("button", name="いいえ").click()
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("ご回答ありがとうございました")
    expect(feedback.get_by_role("link", name="お問い合わせフォーム")).to_be_visible()
    expect(feedback).to_contain_text("0800-080-4583")
    assert stored(app, Feedback)[0].helpful is False
    assert page.js_errors == []


def test_suggestions_appear_while_typing_and_open_an_article_by_keyboard(
    page, live_server, screenshot
):
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="知りたいことを入力して検索してください")
    box.press_sequentially("補助金いつ", delay=40)
    suggestions = page.get_by_role("listbox", name="検索候補")
    expect(suggestions).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = suggestions.get_by_role("option").first
    expect(first).to_contain_text("補助金いつまで？")
    screenshot(page, "faq-suggest")
    assert fits_the_screen(page)

    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_be_focused()

    box.press("ArrowDown")  # the list comes back without typing again
    expect(first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/articles/subsidy-period$"))
    assert page.js_errors == []


def test_a_suggestion_can_be_tapped(page, live_server):
    page.goto(live_server.url + "/search?q=")
    box = page.get_by_role("combobox", name="よくある質問を検索")
    box.press_sequentially("コールセンター", delay=30)
    option = page.get_by_role("option").filter(has_text="コールセンター").first
    expect(option).to_be_visible()
    option.click()
    expect(page).to_have_url(re.compile(r"/articles/call-center$"))
    expect(page.locator(".answer-box")).to_contain_text("0800-080-4583")


def test_typed_markup_is_shown_as_text_in_suggestions_and_results(page, live_server):
    hostile = "<img src=x onerror=alert(1)>補助金"
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + "/")
    box = page.get_by_label("知りたいことを入力して検索してください")
    box.press_sequentially(hostile, delay=10)
    page.wait_for_timeout(400)  # time for a suggestion request to come back
    box.press("Enter")
    expect(page.get_by_label("よくある質問を検索")).to_have_value(hostile)
    expect(page.locator("h1")).to_contain_text("<img src=x")
    assert page.locator("main img").count() == 0
    assert dialogs == [] and page.js_errors == []


def test_the_keyboard_reaches_search_results_and_feedback_with_a_visible_focus(
    page, live_server, screenshot
):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = focus_ring(page)
    assert skip["text"] == "本文へ移動" and (skip["outline"] or skip["shadow"])
    expect(page.get_by_role("link", name="本文へ移動")).to_be_in_viewport()

    seen = []
    for _ in range(8):  # header links, then the search box
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        assert ring["outline"] or ring["shadow"], ring
        seen.append(ring["tag"])
        if ring["tag"] == "input":
            break
    assert seen[-1] == "input"
    page.keyboard.type("医療券 紙")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    screenshot(page, "faq-keyboard-results")

    page.goto(live_server.url + "/articles/paper-tickets")
    page.get_by_label("ご意見（任意）").focus()
    page.keyboard.press("Tab")
    ring = focus_ring(page)
    assert ring["text"] == "はい" and (ring["outline"] or ring["shadow"])
    screenshot(page, "faq-focus-feedback")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="ご回答ありがとうございました")).to_be_visible()


def test_nothing_found_offers_words_categories_and_the_contact_form(page, live_server, screenshot):
    page.goto(live_server.url + "/search?q=レセコソ")
    expect(
        page.get_by_role("status").filter(has_text="該当する記事が見つかりませんでした")
    ).to_be_visible()
    expect(page.get_by_role("link", name="レセコン")).to_be_visible()
    expect(page.get_by_role("link", name="お問い合わせフォームへ")).to_be_visible()
    screenshot(page, "faq-no-results")
    assert fits_the_screen(page)


def test_category_and_missing_pages_fit_the_screen(page, live_server, screenshot):
    page.goto(live_server.url + "/categories/subsidy")
    expect(page.get_by_role("heading", level=1)).to_have_text("助成金")
    screenshot(page, "faq-category")
    assert fits_the_screen(page)

    response = page.goto(live_server.url + "/articles/no-such-article")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "お探しのページは見つかりませんでした。"
    )
    expect(page.get_by_role("search")).to_be_visible()
    screenshot(page, "faq-404")
    assert fits_the_screen(page)


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_search_and_feedback_work_without_javascript(browser, live_server, app, viewport):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="ja-JP", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        box = page.get_by_label("知りたいことを入力して検索してください")
        expect(box).not_to_have_attribute("role", "combobox")  # the script did not run
        box.fill("未委託 表示")
        page.get_by_role("button", name="検索").first.click()
        page.locator(".result-title a").first.click()
        expect(page.locator(".answer-box")).to_be_visible()
        page.get_by_role("button", name="いいえ").click()
        expect(page.get_by_role("heading", name="ご回答ありがとうございました")).to_be_visible()
    finally:
        context.close()
    assert [row.helpful for row in stored(app, Feedback)] == [False]
