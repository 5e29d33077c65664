"""In headless Chromium: a handed-off chat becomes an inquiry, and an agent finds it in the console.

The conversation is stored through the models, as the chat stores it; the chat's own browser
test (tests/test_chat_browser.py) covers the way from the chat widget to this handoff URL.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from web.accounts import auth
from web.core import db
from web.core.models import ChatTurn, Conversation, Inquiry

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TOKEN = "browser-handoff-0123456789abcdefghij"


def handed_off_chat(app) -> None:
    with app.app_context():
        conversation = Conversation(token=TOKEN, state=json.dumps({"topic": "subsidy"}))
        conversation.turns = [
            ChatTurn(role="user", text="補助金の申請書類は？"),
            ChatTurn(role="bot", text="領収書などが必要です。", intent="subsidy-documents"),
            ChatTurn(role="user", text="担当者と話したい"),
            ChatTurn(role="bot", text="お問い合わせフォームをご案内します。", intent="handoff"),
        ]
        conversation.handed_off = True
        db.session().add(conversation)
        db.session().commit()


def fill_contact_form(page) -> None:
    page.get_by_label("お名前").fill("山田 花子")
    page.get_by_label("医療機関・薬局名").fill("やまだ内科クリニック")
    page.get_by_label("診療所").check()
    page.get_by_label("メールアドレス").fill("uketsuke@yamada.example.jp")
    page.get_by_label("内容", exact=False).last.fill("領収書の写しでもよいか教えてください。")
    page.get_by_label("個人情報の取り扱いに同意します").check()


def inquiries(app) -> list[Inquiry]:
    with app.app_context():
        return list(db.session().scalars(select(Inquiry)))


def test_handoff_form_receipt_and_the_agent_finds_the_inquiry(page, live_server, app, screenshot):
    handed_off_chat(app)
    with app.app_context():
        auth.create_user("agent@helpdesk.example.jp", "agent", PASSWORD)

    page.goto(f"{live_server.url}/contact?chat={TOKEN}")
    transcript = page.locator(".transcript")
    expect(transcript).to_contain_text("補助金の申請書類は？")
    expect(transcript).to_contain_text("お問い合わせフォームをご案内します。")
    expect(page.get_by_label("お問い合わせの分類")).to_have_value("subsidy")

    page.get_by_role("button", name="送信する").click()  # nothing filled in yet
    expect(page.locator("#error-summary")).to_contain_text("入力内容を確認してください")
    expect(page.locator("#name-error")).to_have_text("エラー：お名前を入力してください。")
    expect(page.locator(".transcript")).to_contain_text("担当者と話したい")  # still attached
    screenshot(page, "contact-errors")

    fill_contact_form(page)
    screenshot(page, "contact-form")
    page.get_by_role("button", name="送信する").click()
    page.wait_for_url("**/contact/thanks")
    receipt = page.locator("#receipt-number").inner_text()
    assert re.fullmatch(r"HD-\d{8}-[0-9A-Z]{8}", receipt)
    expect(page.locator("main")).to_contain_text("受付番号")
    expect(page.locator("main")).to_contain_text("メールで回答")
    screenshot(page, "contact-thanks")

    page.reload()  # the reload never sends the inquiry twice
    assert page.locator("#receipt-number").inner_text() == receipt
    page.goto(f"{live_server.url}/contact?chat={TOKEN}")  # a fresh copy of the same question
    fill_contact_form(page)
    page.get_by_role("button", name="送信する").click()
    page.wait_for_url("**/contact/thanks")
    assert page.locator("#receipt-number").inner_text() == receipt
    stored = inquiries(app)
    assert [i.receipt_number for i in stored] == [receipt]
    assert "利用者: 補助金の申請書類は？" in stored[0].transcript

    page.goto(f"{live_server.url}/console/")
    page.wait_for_url(re.compile(r"/console/login\?next="))
    page.get_by_label("メールアドレス").fill("agent@helpdesk.example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/")
    row = page.locator("table.inquiries tbody tr").first
    expect(row).to_contain_text(receipt)
    expect(row).to_contain_text("新規")
    screenshot(page, "console-inquiries")

    page.get_by_role("link", name=receipt).click()
    expect(page.locator("h1")).to_contain_text(receipt)
    expect(page.locator(".transcript-text")).to_contain_text("担当者と話したい")
    page.locator("select#status").select_option("in_progress")
    page.get_by_role("button", name="変更する").click()
    expect(page.locator(".flash")).to_have_text("状態を「対応中」にしました。")
    screenshot(page, "console-inquiry")
    assert page.js_errors == []


def test_the_agent_looks_up_an_answer_with_the_keyboard_and_copies_it(
    page, live_server, app, screenshot
):
    with app.app_context():
        auth.create_user("agent@helpdesk.example.jp", "agent", PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/console/login?next=/console/lookup")
    page.get_by_label("メールアドレス").fill("agent@helpdesk.example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/lookup")

    box = page.locator("#lookup-q")
    expect(box).to_be_focused()
    page.keyboard.type("コールセンターの電話番号")
    first = page.locator("#lookup-results a[data-first-result]")
    expect(first).to_have_attribute("href", f"{live_server.url}/articles/call-center")
    copy = page.locator("#lookup-results button.copy-answer").first
    expect(copy).to_be_visible()
    screenshot(page, "console-lookup")
    copy.click()
    expect(copy).to_have_text("コピーしました")
    copied = page.evaluate("navigator.clipboard.readText()")
    answer, url = copied.split("\n")
    assert "0800-080-4583" in answer and url == f"{live_server.url}/articles/call-center"

    box.focus()
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")  # Enter again opens the first answer, in a new tab
    opened.value.wait_for_url("**/articles/call-center")
    assert "/console/lookup" in page.url  # the console stayed where it was
    opened.value.close()

    # 「/」 from any console page goes to the lookup box.
    page.goto(f"{live_server.url}/console/")
    page.keyboard.press("/")
    page.wait_for_url("**/console/lookup")
    expect(page.locator("#lookup-q")).to_be_focused()
    assert page.js_errors == []


def test_the_editor_sees_gaps_as_bars_and_previews_an_article(page, live_server, app, screenshot):
    with app.app_context():
        auth.create_user("editor@helpdesk.example.jp", "editor", PASSWORD)
    for query in ("ラーメンの作り方", "ラーメン 作り方", "天気予報", "補助金はいつまで"):
        page.goto(f"{live_server.url}/search?q={query}")
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("メールアドレス").fill("editor@helpdesk.example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/analytics")
    zero = page.locator("#zero-searches tbody tr")
    expect(zero).to_have_count(2)
    expect(zero.first).to_contain_text("ラーメン 作り方 作る")
    assert page.locator("#zero-searches svg.bar").count() == 2
    screenshot(page, "console-analytics")
    zero.first.get_by_role("link").click()  # the gap links to the search it came from
    page.wait_for_url("**/search?q=*")
    page.goto(f"{live_server.url}/console/preview/call-center")
    expect(page.locator(".preview-panel")).to_contain_text("kb check の結果")
    expect(page.locator("table.ranks tbody tr").first).to_contain_text("合格")
    screenshot(page, "console-preview")
    assert page.js_errors == []
