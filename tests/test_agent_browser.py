"""An agent's journey in headless Chromium, desktop and phone: find an inquiry, take it, start
the reply from an article, send it (回答待ち), see it delivered in the thread, finish it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from web.accounts import auth
from web.core import outbox

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
RECEIPT = "HD-20261130-JOURNEY1"


@pytest.fixture
def app(make_app, smtp_server, tmp_path, database_url):
    return make_app(instance=tmp_path / "instance", database_url=database_url,
                    smtp_url=smtp_server.url)  # fmt: skip


def test_an_agent_finds_takes_answers_and_finishes_an_inquiry(
    page, live_server, app, add_inquiry, smtp_server, screenshot
):
    inquiry_id = add_inquiry(
        app, receipt_number=RECEIPT, message="補助金の申請期間はいつまでですか？"
    )
    with app.app_context():
        auth.create_user("agent@helpdesk.example.jp", "agent", PASSWORD)
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("メールアドレス").fill("agent@helpdesk.example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/")

    # Find it by its receipt number, as the inquirer reads it out on the phone.
    page.get_by_label("検索").fill(RECEIPT)
    page.get_by_role("button", name="絞り込む").click()
    page.get_by_role("link", name=RECEIPT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(RECEIPT)

    page.get_by_role("button", name="自分が担当する").click()
    expect(page.locator(".thread")).to_contain_text("担当を agent@helpdesk.example.jp にしました。")
    expect(page.locator("h1 .status")).to_have_text("対応中")

    # Start the reply from the article the search suggests, then send it.
    page.get_by_role("link", name="申請期間").first.click()
    reply = page.get_by_label("回答（")
    assert "/articles/" in reply.input_value()
    reply.press("End")
    reply.type("\nご不明な点はお気軽にお問い合わせください。")
    page.get_by_role("button", name="回答を送信する").click()
    expect(page.locator("h1 .status")).to_have_text("回答待ち")

    with app.app_context():
        assert outbox.deliver_app(app)["sent"] == 1
    (mail,) = smtp_server.wait_for(1)
    assert RECEIPT in mail["Subject"] and "/articles/" in mail.get_content()
    page.reload()
    expect(page.locator(".thread-reply")).to_contain_text("送信済み")

    page.get_by_role("combobox", name="状態").select_option("done")
    page.get_by_role("button", name="変更する").click()
    expect(page.locator("h1 .status")).to_have_text("完了")
    screenshot(page, "agent-journey")
    assert inquiry_id and page.js_errors == []
