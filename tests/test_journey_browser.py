"""One journey across every feature, in headless Chromium on a desktop and a phone.

A clinic searches the way people type (a typo, half-width katakana), reads an answer, says it did
not help, asks the chat, hands off to the contact form and gets a receipt number; an agent
created on the command line logs in and finds that inquiry by its number. The per-feature
browser tests (test_faq_browser, test_chat_browser, test_contact_browser) cover each step's
details; this one proves the steps join up. Screenshots: screenshots/journey-*-{desktop,phone}.png.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.support import SCREENSHOTS
from web.core import db
from web.core.models import Conversation, Feedback, Inquiry, SearchLog

pytestmark = pytest.mark.browser

AGENT = "uketsuke-agent@helpdesk.example.jp"
PASSWORD = "correct horse battery staple"
COMMENT = "どこで「医療扶助」を選ぶのか、画面の場所がわかりませんでした。"
QUESTION = "医療扶助の設定をしたのに資格情報が表示されません。確認する順番を教えてください。"
RECEIPT = re.compile(r"HD-\d{8}-[0-9A-Z]{8}")


def window_shot(page, name: str) -> None:
    """What the window shows: a full-page shot stretches the fixed chat panel to the page."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_name}.png"))


def stored(app, model):
    with app.app_context():
        return list(db.session().scalars(select(model).order_by(model.id)))


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def create_agent_on_the_command_line(run_kb):
    def create_agent_on_the_command_line(app, database_url: str) -> None:
        """`kb user create`, as an admin does it, against the database the live server uses."""
        result = run_kb(
            ["user", "create", AGENT, "--role", "agent", "--password-stdin"],
            app.instance_path,
            stdin=PASSWORD + "\n",
            env={"DATABASE_URL": database_url},
        )
        assert result.returncode == 0, result.stderr
        assert f"{AGENT} を agent（オペレーター）として登録しました。" in result.stdout

    return create_agent_on_the_command_line


def an_earlier_inquiry(app) -> None:
    """Someone else's inquiry, so that finding ours by its number has something to tell apart."""
    with app.app_context():
        db.session().add(
            Inquiry(
                receipt_number="HD-20261124-7Q2M9K4P",
                submission_token="earlier-inquiry-token",
                name="佐藤 一郎",
                facility_name="さとう薬局",
                facility_type="pharmacy",
                email="info@sato-pharmacy.example.jp",
                category="subsidy",
                message="助成金の申請書類について",
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
            )
        )
        db.session().commit()


def rect(locator) -> dict:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }"
    )


def overlaps(a: dict, b: dict) -> bool:
    return not (
        a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
        or a["right"] <= b["left"]
        or b["right"] <= a["left"]
    )


def bot_turns(page):
    return page.locator(".chat-widget .chat-turn--bot")


def ask_the_chat(page, text: str) -> None:
    box = page.get_by_label("ご質問", exact=True)
    box.fill(text)
    box.press("Enter")


def test_a_clinic_finds_an_answer_asks_for_a_person_and_the_agent_finds_the_inquiry(
    page, live_server, app, database_url, create_agent_on_the_command_line, screenshot
):
    an_earlier_inquiry(app)
    create_agent_on_the_command_line(app, database_url)

    # 1. a typo typed in half-width katakana: nothing found, but 「もしかして」 offers the word
    page.goto(live_server.url + "/")
    box = page.get_by_label("知りたいことを入力して検索してください")
    box.fill("ｺｰﾙｾｿﾀｰ")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.get_by_label("よくある質問を検索")).to_have_value("ｺｰﾙｾｿﾀｰ")  # kept as typed
    did_you_mean = page.locator(".did-you-mean")
    expect(did_you_mean).to_contain_text("もしかして")
    screenshot(page, "journey-typo")
    did_you_mean.get_by_role("link", name="コールセンター").click()
    first = page.locator(".result").first
    expect(first.locator(".result-title")).to_contain_text("コールセンターの電話番号")
    expect(first.locator(".result-answer")).to_contain_text("0800-080-4583")

    # 2. half-width katakana that is right: the same articles as full-width
    box = page.get_by_label("よくある質問を検索")
    box.fill("ﾚｾｺﾝ 設定")
    box.press("Enter")
    first = page.locator(".result").first
    expect(first.locator(".result-title")).to_contain_text("「医療扶助」を利用する設定")
    expect(first.locator("mark").first).to_be_visible()
    expect(page.get_by_label("よくある質問を検索")).to_have_value("ﾚｾｺﾝ 設定")
    screenshot(page, "journey-halfwidth-results")
    assert fits_the_screen(page)

    # 3. the article, and feedback that it did not help
    first.locator(".result-title a").click()
    expect(page).to_have_url(re.compile(r"/articles/enable-medical-assistance-setting$"))
    expect(page.locator(".answer-box")).to_contain_text("環境設定")
    page.get_by_label("ご意見（任意）").fill(COMMENT)
    page.get_by_role("button", name="いいえ").click()
    feedback = page.locator("#feedback")
    expect(feedback.get_by_role("heading", name="ご回答ありがとうございました")).to_be_visible()
    expect(feedback.get_by_role("link", name="お問い合わせフォーム")).to_be_visible()
    screenshot(page, "journey-feedback")
    [answer] = stored(app, Feedback)
    assert (answer.article_id, answer.helpful, answer.comment) == (
        "enable-medical-assistance-setting",
        False,
        COMMENT,
    )
    logged = [(entry.query, entry.result_count > 0) for entry in stored(app, SearchLog)]
    assert logged[0] == ("ｺｰﾙｾｿﾀｰ", False)
    assert ("ﾚｾｺﾝ 設定", True) in logged

    # 4. the chat: a vague question, a quick reply, then a person
    page.get_by_role("button", name="チャットで質問").click()
    ask_the_chat(page, "画面の表示について")
    expect(bot_turns(page)).to_have_count(2)
    expect(bot_turns(page).last).to_contain_text("どのようなこと")
    quick = page.locator(".chat-widget .chat-quick")
    expect(quick.get_by_role("button")).to_have_count(4)
    window_shot(page, "journey-chat-clarify")
    quick.get_by_role("button", name="資格情報が表示されない").click()
    expect(bot_turns(page)).to_have_count(3)
    expect(bot_turns(page).last).to_contain_text("福祉事務所に確認してください")
    expect(bot_turns(page).last.get_by_role("link").first).to_have_attribute(
        "href", "/articles/not-displayed"
    )

    ask_the_chat(page, "人と話したい")
    handoff = page.get_by_role(
        "link", name="お問い合わせフォームへ進む（このやりとりを添付します）"
    )
    expect(handoff).to_be_visible()
    expect(bot_turns(page).last).to_contain_text("0800-080-4583")
    window_shot(page, "journey-chat-handoff")
    handoff.click()

    # 5. the form, with the conversation attached and its topic chosen
    page.wait_for_url("**/contact?chat=*")
    transcript = page.locator(".transcript")
    for said in ("画面の表示について", "資格情報が表示されない", "人と話したい"):
        expect(transcript).to_contain_text(said)
    expect(page.get_by_label("お問い合わせの分類")).to_have_value("display")
    # the chat handed over: its panel does not reopen on top of the form's fields
    expect(page.locator("#chat-panel")).to_be_hidden()
    expect(page.locator(".chat-launcher")).to_have_attribute("aria-expanded", "false")
    [conversation] = stored(app, Conversation)
    assert conversation.handed_off

    page.get_by_label("お名前").fill("鈴木 恵子")
    page.get_by_label("医療機関・薬局名").fill("すずき眼科クリニック")
    page.get_by_label("診療所").check()
    page.get_by_label("メールアドレス").fill("reception@suzuki-eye.example.jp")
    page.get_by_label("内容", exact=False).last.fill(QUESTION)
    page.get_by_label("個人情報の取り扱いに同意します").check()
    screenshot(page, "journey-contact-form")
    assert fits_the_screen(page)
    page.get_by_role("button", name="送信する").click()
    page.wait_for_url("**/contact/thanks")
    expect(page.locator("main")).to_contain_text("受付番号")
    receipt = page.locator("#receipt-number").inner_text()
    assert RECEIPT.fullmatch(receipt)
    screenshot(page, "journey-receipt")
    ours = [i for i in stored(app, Inquiry) if i.receipt_number == receipt]
    assert len(ours) == 1 and ours[0].message == QUESTION
    assert "利用者: 画面の表示について" in ours[0].transcript

    # 6. the agent logs in and finds the inquiry by the number the clinic reads out
    page.goto(live_server.url + "/console/login")
    page.get_by_label("メールアドレス").fill(AGENT)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/")
    expect(page.locator("table.inquiries tbody tr")).to_have_count(2)
    page.get_by_label("検索").fill(receipt)
    page.get_by_role("button", name="絞り込む").click()
    rows = page.locator("table.inquiries tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("すずき眼科クリニック")
    expect(rows.first).to_contain_text("新規")
    screenshot(page, "journey-console-found")
    rows.first.get_by_role("link", name=receipt).click()
    expect(page.locator("h1")).to_contain_text(receipt)
    expect(page.locator(".message-text")).to_have_text(QUESTION)
    conversation_text = page.locator(".transcript-text")
    expect(conversation_text).to_contain_text("画面の表示について")
    expect(conversation_text).to_contain_text("人と話したい")
    screenshot(page, "journey-console-inquiry")
    assert fits_the_screen(page)
    assert page.js_errors == []


def test_full_width_digits_find_the_same_answer_as_half_width(page, live_server):
    page.goto(live_server.url + "/search?q=" + "令和6年 運用開始")
    half = page.locator(".result-title a").first.get_attribute("href")
    box = page.get_by_label("よくある質問を検索")
    box.fill("令和６年 運用開始")
    box.press("Enter")
    expect(page.locator(".result-title a").first).to_have_attribute("href", half)
    assert half == "/articles/start-of-operations"
    expect(page.get_by_label("よくある質問を検索")).to_have_value("令和６年 運用開始")
    assert page.js_errors == []


# --- the chat button never hides what is under it ------------------------------------------


def test_the_chat_button_leaves_the_footer_and_feedback_uncovered_at_the_bottom(
    page, live_server, screenshot
):
    page.goto(live_server.url + "/articles/call-center")
    launcher = page.get_by_role("button", name="チャットで質問")
    expect(launcher).to_be_visible()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(
        "Math.ceil(window.scrollY + window.innerHeight)"
        " >= document.documentElement.scrollHeight - 1"
    )
    button = rect(launcher)
    footer_last_line = rect(page.locator(".site-footer p").last)
    assert not overlaps(button, footer_last_line), (button, footer_last_line)
    for choice in page.locator(".feedback-buttons button").all():
        assert not overlaps(button, rect(choice)), (button, rect(choice))
    screenshot(page, "journey-chat-button-bottom")
    assert page.js_errors == []


def test_a_button_reached_by_keyboard_is_scrolled_clear_of_the_chat_button(page, live_server):
    """Tab onto 「いいえ」 while it sits at the bottom edge: it must not stay under the button."""
    page.goto(live_server.url + "/articles/call-center")
    launcher = page.get_by_role("button", name="チャットで質問")
    expect(launcher).to_be_visible()
    # the feedback buttons just inside the bottom of the window, where the chat button sits
    page.evaluate(
        """() => {
            const row = document.querySelector('.feedback-buttons').getBoundingClientRect();
            window.scrollBy(0, row.bottom - window.innerHeight + 4);
            document.getElementById('feedback-comment').focus({preventScroll: true});
        }"""
    )
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="はい")).to_be_focused()
    page.keyboard.press("Tab")
    no = page.get_by_role("button", name="いいえ")
    expect(no).to_be_focused()
    page.wait_for_timeout(100)  # smooth or not, the scroll has settled
    button, target = rect(launcher), rect(no)
    assert not overlaps(button, target), (button, target)
    assert target["bottom"] <= page.viewport_size["height"]
    window_shot(page, "journey-chat-button-focus")
    assert page.js_errors == []


def test_the_chat_page_keeps_no_room_for_a_button_it_does_not_show(page, live_server):
    page.goto(live_server.url + "/chat")  # chat.css is here, but the page is the chat itself
    expect(page.get_by_label("ご質問", exact=True)).to_be_visible()
    assert page.locator(".chat-launcher").count() == 0
    padding = page.locator(".site-footer").evaluate("el => getComputedStyle(el).paddingBottom")
    assert padding == "16px"  # site.css's own 1rem
    assert page.js_errors == []
