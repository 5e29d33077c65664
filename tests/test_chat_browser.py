"""The chat widget in headless Chromium: ask, pick a quick reply, hand off to the contact form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.test_contact_browser import fill_contact_form

pytestmark = pytest.mark.browser


def open_widget(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="チャットで質問").click()
    # on a phone the open panel covers the button: find it by class, not by its visible role
    return page.locator(".chat-launcher")


def send(page, text):
    box = page.get_by_label("ご質問", exact=True)
    box.fill(text)
    box.press("Enter")


def bot_turns(page):
    return page.locator(".chat-widget .chat-turn--bot")


def test_ask_pick_a_quick_reply_and_reach_the_contact_form_with_the_transcript(
    page, live_server, screenshot
):
    launcher = open_widget(page, live_server)
    assert launcher.get_attribute("aria-expanded") == "true"
    box = page.get_by_label("ご質問", exact=True)
    assert box.evaluate("el => el === document.activeElement")  # focus moved into the chat
    log = page.locator(".chat-widget [role=log]")
    assert log.get_attribute("aria-live") == "polite"

    send(page, "補助金について")
    expect(bot_turns(page)).to_have_count(2)
    assert "どのようなこと" in bot_turns(page).last.inner_text()
    screenshot(page, "chat-widget-clarify")

    page.locator(".chat-quick").get_by_role("button", name="必要書類").click()
    expect(bot_turns(page)).to_have_count(3)
    answer = bot_turns(page).last
    assert "領収書" in answer.inner_text()
    assert answer.get_by_role("link").first.get_attribute("href") == "/articles/subsidy-documents"
    assert box.evaluate("el => el === document.activeElement")  # back to the text box

    send(page, "担当者と話したい")
    handoff = page.get_by_role(
        "link", name="お問い合わせフォームへ進む（このやりとりを添付します）"
    )
    handoff.wait_for()
    screenshot(page, "chat-widget-handoff")
    href = handoff.get_attribute("href")
    assert href.startswith("/contact?chat=")
    handoff.click()
    page.wait_for_url("**/contact?chat=*")
    transcript = page.locator(".transcript")
    assert "補助金について" in transcript.inner_text()
    assert "担当者と話したい" in transcript.inner_text()
    assert page.js_errors == []


def test_the_widget_is_keyboard_operable_and_remembers_the_conversation(page, live_server):
    launcher = open_widget(page, live_server)
    send(page, "こんにちは")
    expect(bot_turns(page)).to_have_count(2)
    page.keyboard.press("Escape")
    assert page.locator("#chat-panel").is_hidden()
    assert launcher.evaluate("el => el === document.activeElement")
    assert launcher.get_attribute("aria-expanded") == "false"

    page.goto(live_server.url + "/search?q=補助金")  # another page: the chat follows
    page.get_by_role("button", name="チャットで質問").press("Enter")
    assert "こんにちは" in page.locator(".chat-widget [role=log]").inner_text()
    assert page.js_errors == []


def test_a_refused_message_keeps_what_was_typed(page, live_server):
    open_widget(page, live_server)
    long = "あ" * 1000
    box = page.get_by_label("ご質問", exact=True)
    box.fill(long + "い")  # maxlength keeps it at 1000: the server's limit
    assert len(box.input_value()) == 1000
    send(page, "   ")
    assert "入力してください" in page.locator(".chat-widget .chat-status").inner_text()


def test_the_chat_page_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/chat")
        page.get_by_label("ご質問", exact=True).fill("補助金について")
        page.get_by_role("button", name="送信").click()
        page.get_by_role("button", name="申請期間").click()
        assert "令和6年12月11日" in page.locator(".chat-log").inner_text()
        page.get_by_label("ご質問", exact=True).fill("オペレーターにつないで")
        page.get_by_role("button", name="送信").click()
        page.get_by_role(
            "link", name="お問い合わせフォームへ進む（このやりとりを添付します）"
        ).click()
        assert "申請期間" in page.locator(".transcript").inner_text()
        assert page.locator(".chat-widget").count() == 0
    finally:
        context.close()


def test_a_telephone_number_in_a_widget_reply_can_be_tapped(page, live_server):
    open_widget(page, live_server)
    send(page, "コールセンターの電話番号は？")
    expect(bot_turns(page)).to_have_count(2)
    number = bot_turns(page).last.locator("a[href^='tel:']").first
    expect(number).to_have_attribute("href", "tel:0800-080-4583")
    assert number.inner_text() == "0800-080-4583"


def page_turns(page):
    return page.locator("[data-chat-page] .chat-turn")


def test_the_widget_and_the_chat_page_share_one_conversation_in_a_tab(page, live_server):
    open_widget(page, live_server)
    send(page, "補助金の申請期限は？")
    expect(bot_turns(page)).to_have_count(2)

    page.goto(live_server.url + "/chat")  # the page continues the widget's conversation
    expect(page_turns(page)).to_have_count(2)  # the question and its answer
    assert "補助金の申請期限は？" in page.locator("[data-chat-page] .chat-log").inner_text()
    send(page, "必要な書類は？")
    expect(page.locator("[data-chat-page] .chat-turn--bot")).to_have_count(2)
    assert page.url.endswith("/chat")  # answered in place, not by a page load

    page.goto(live_server.url + "/faq")  # and the widget continues the page's
    page.get_by_role("button", name="チャットで質問").click()
    log = page.locator(".chat-widget [role=log]").inner_text()
    assert "補助金の申請期限は？" in log and "必要な書類は？" in log

    other = page.context.new_page()  # another tab is another conversation
    other.goto(live_server.url + "/chat")
    assert "補助金の申請期限は？" not in other.locator("[data-chat-page] .chat-log").inner_text()
    other.close()
    assert page.js_errors == []


def test_a_new_conversation_starts_from_the_welcome(page, live_server):
    open_widget(page, live_server)
    send(page, "補助金について")
    expect(bot_turns(page)).to_have_count(2)
    page.get_by_role("button", name="新しい会話").click()
    expect(bot_turns(page)).to_have_count(1)
    assert "補助金について" not in page.locator(".chat-widget [role=log]").inner_text()
    assert page.get_by_label("ご質問", exact=True).evaluate("el => el === document.activeElement")
    # the next question is the first of a new conversation on the server as well
    send(page, "期限は？")
    expect(bot_turns(page)).to_have_count(2)
    assert "令和6年12月11日" not in bot_turns(page).last.inner_text()

    page.goto(live_server.url + "/chat")
    page.get_by_role("button", name="新しい会話を始める").click()
    page.wait_for_url("**/chat")
    expect(page_turns(page)).to_have_count(1)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="チャットで質問").click()
    assert "期限は？" not in page.locator(".chat-widget [role=log]").inner_text()
    assert page.js_errors == []


def test_after_the_handoff_is_sent_the_widget_starts_fresh(page, live_server):
    open_widget(page, live_server)
    send(page, "担当者と話したい")
    handoff = page.get_by_role(
        "link", name="お問い合わせフォームへ進む（このやりとりを添付します）"
    )
    handoff.click()
    page.wait_for_url("**/contact?chat=*")
    fill_contact_form(page)
    page.get_by_label("お問い合わせの分類").select_option(index=1)  # the chat had no topic
    page.get_by_role("button", name="送信する").click()
    page.wait_for_url("**/contact/thanks")

    page.get_by_role("button", name="チャットで質問").click()
    expect(bot_turns(page)).to_have_count(1)
    assert "担当者と話したい" not in page.locator(".chat-widget [role=log]").inner_text()
    assert page.locator(".chat-widget .chat-handoff").is_hidden()
    assert page.js_errors == []


def test_an_article_opened_from_an_answer_is_not_covered_by_the_chat(page, live_server):
    open_widget(page, live_server)
    send(page, "補助金について")
    expect(bot_turns(page)).to_have_count(2)
    page.locator(".chat-quick").get_by_role("button", name="必要書類").click()
    expect(bot_turns(page)).to_have_count(3)
    bot_turns(page).last.get_by_role("link").first.click()
    page.wait_for_url("**/articles/**")
    expect(page.locator("#chat-panel")).to_be_hidden()
    assert page.locator(".chat-launcher").get_attribute("aria-expanded") == "false"


def test_a_reply_that_arrives_after_a_new_conversation_began_is_dropped(page, live_server):
    open_widget(page, live_server)
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/chat", hold_the_first)
    send(page, "補助金の対象は？")
    expect(page.locator(".chat-widget .chat-status")).to_contain_text("回答を準備しています")
    page.get_by_role("button", name="新しい会話").click()
    held[0].continue_()
    page.wait_for_timeout(500)  # time for the late reply to arrive, and to be dropped
    expect(bot_turns(page)).to_have_count(1)  # the welcome only
    assert "補助金の対象は？" not in page.locator(".chat-widget [role=log]").inner_text()
    send(page, "こんにちは")  # the new conversation works, on a new session
    expect(bot_turns(page)).to_have_count(2)
    stored = page.evaluate("() => JSON.parse(sessionStorage.getItem('helpdesk-chat'))")
    assert [turn["text"] for turn in stored["turns"]][0] == "こんにちは"
