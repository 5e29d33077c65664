"""`POST /api/chat` and the `/chat` page, through Flask's test client on a real database."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from web.core.models import ChatTurn, Conversation

MY_NUMBER = "123456789018"  # a valid check digit


def ask(client, message, session=None, **headers):
    body = {"message": message}
    if session is not None:
        body["session"] = session
    return client.post("/api/chat", json=body, headers=headers)


def stored(database_url):
    engine = create_engine(database_url)
    try:
        with Session(engine) as db:
            conversations = db.scalars(select(Conversation)).all()
            turns = db.scalars(select(ChatTurn).order_by(ChatTurn.id)).all()
            return [(c.token, json.loads(c.state), c.handed_off) for c in conversations], [
                (t.role, t.text, t.intent, t.article_ids) for t in turns
            ]
    finally:
        engine.dispose()


def test_a_question_gets_the_contracted_reply(client):
    response = ask(client, "補助金の申請はいつまで？")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    reply = response.get_json()
    assert set(reply) == {
        "session", "kind", "confidence", "text", "articles", "quick_replies", "handoff",
        "handoff_url", "call_centre",
    }  # fmt: skip
    assert reply["kind"] == "answer" and reply["confidence"] in {"confident", "weak"}
    assert reply["articles"][0] == {
        "id": "subsidy-period",
        "title": reply["articles"][0]["title"],
        "url": "/articles/subsidy-period",
        # What the information is as of, and whether it is past its review date (it is).
        "as_of": "2024-12-09",
        "reviewed": "2024-12-09",
        "review_by": "2025-03-09",
        "stale": True,
    }
    assert reply["handoff"] is False and reply["handoff_url"] is None
    assert set(reply["call_centre"]) >= {"open", "hours"}
    assert len(reply["session"]) >= 32


def test_the_session_carries_the_topic_to_a_follow_up(client, database_url):
    first = ask(client, "補助金について").get_json()
    assert first["quick_replies"] == ["申請期間", "対象", "必要書類", "申請方法"]
    follow_up = ask(client, "必要な書類は？", session=first["session"]).get_json()
    assert follow_up["session"] == first["session"]
    assert follow_up["articles"][0]["id"] == "subsidy-documents"
    conversations, turns = stored(database_url)
    assert len(conversations) == 1
    token, state, handed_off = conversations[0]
    assert token == first["session"] and state["topic"] == "subsidy" and not handed_off
    assert [(role, intent) for role, _, intent, _ in turns] == [
        ("user", "subsidy-topic"), ("bot", "subsidy-topic"),
        ("user", "search"), ("bot", "search"),  # the ranking answered, not a rule
    ]  # fmt: skip
    assert turns[3][3].split()[0] == "subsidy-documents"


def test_an_unknown_session_starts_a_new_conversation(client):
    reply = ask(client, "こんにちは", session="not-a-real-token").get_json()
    assert reply["session"] != "not-a-real-token"


def test_handoff_links_to_the_contact_form_with_the_conversation(client, database_url):
    reply = ask(client, "担当者と話したい").get_json()
    assert reply["handoff"] is True
    assert reply["handoff_url"] == f"/contact?chat={reply['session']}"
    conversations, _ = stored(database_url)
    assert conversations[0][2] is True  # handed_off


def test_personal_data_is_answered_with_a_reminder_and_stored_masked(client, database_url):
    reply = ask(client, f"マイナンバー{MY_NUMBER}、電話 090-1234-5678 の患者").get_json()
    assert "入力しないでください" in reply["text"]
    _, turns = stored(database_url)
    everything = " ".join(text for _, text, _, _ in turns)
    assert MY_NUMBER not in everything and "1234-5678" not in everything
    assert "＊" in turns[0][1]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ('{"message": "補助金"}', "text/plain", 415, "application/json"),
        ("message=補助金", "application/x-www-form-urlencoded", 415, "application/json"),
        ("{not json", "application/json", 400, "JSON として読めません"),
        ('"just a string"', "application/json", 400, "の形で送信してください"),
        ('{"message": 42}', "application/json", 400, "文字列で指定"),
        ('{"message": ["a"]}', "application/json", 400, "文字列で指定"),
        ('{"message": "   "}', "application/json", 400, "ご質問を入力してください"),
        ("{}", "application/json", 400, "ご質問を入力してください"),
        ('{"message": "' + "あ" * 1001 + '"}', "application/json", 400, "1000文字以内"),
        ('{"message": "補助金", "session": 5}', "application/json", 400, "session"),
        (b'{"message": "\xff\xfe"}', "application/json", 400, "JSON として読めません"),
    ],
)
def test_bad_input_is_a_japanese_json_error_never_a_500(
    client, body, content_type, status, message
):
    response = client.post("/api/chat", data=body, content_type=content_type)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_a_nul_character_does_not_break_storage(client):
    response = ask(client, "補助金\x00の申請はいつまで？")
    assert response.status_code == 200


def test_a_cross_origin_request_is_refused(client):
    response = ask(client, "補助金について", Origin="https://evil.example")
    assert response.status_code == 403
    assert "このサイト以外" in response.get_json()["error"]["message"]


def test_a_same_origin_request_is_answered(client):
    assert ask(client, "補助金について", Origin="http://localhost").status_code == 200


def test_the_json_api_needs_no_form_csrf_token(index_dir, tmp_path, database_url, make_app):
    app = make_app(index_dir, tmp_path / "csrf", database_url, WTF_CSRF_ENABLED=True)
    assert ask(app.test_client(), "こんにちは").status_code == 200


def test_the_chat_answers_when_the_database_is_down(index_dir, tmp_path, caplog, make_app):
    broken = f"sqlite:///{tmp_path / 'missing-dir' / 'no.sqlite3'}"
    app = make_app(index_dir, tmp_path / "instance-down", broken)
    with caplog.at_level(logging.WARNING):
        response = ask(app.test_client(), f"補助金の申請はいつまで？ {MY_NUMBER}")
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["articles"][0]["id"] == "subsidy-period"
    assert "保存できません" in caplog.text or "読み込めません" in caplog.text
    assert MY_NUMBER not in caplog.text and "補助金" not in caplog.text


def test_a_handoff_without_a_database_goes_to_the_plain_form(index_dir, tmp_path, make_app):
    app = make_app(index_dir, tmp_path / "i", f"sqlite:///{tmp_path / 'nope' / 'x.sqlite3'}")
    reply = ask(app.test_client(), "オペレーターにつないで").get_json()
    assert reply["handoff"] is True and reply["handoff_url"] == "/contact"


def test_business_hours_come_from_the_time_of_the_request(
    index_dir, tmp_path, database_url, make_app
):
    sunday = dt.datetime(2026, 11, 29, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    app = make_app(index_dir, tmp_path / "clock", database_url, CLOCK=lambda: sunday)
    reply = ask(app.test_client(), "コールセンターの受付時間").get_json()
    assert reply["call_centre"]["open"] is False
    assert "日曜日" in reply["text"]


# --- /chat without JavaScript ------------------------------------------------------------------


@pytest.fixture
def post_form(csrf_token_from):
    def post_form(client, **data):
        token = csrf_token_from(client.get("/chat").get_data(as_text=True))
        return client.post("/chat", data={"csrf_token": token, **data})

    return post_form


def test_the_chat_page_is_a_plain_form_with_csrf(client, csrf_token_from):
    page = client.get("/chat")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/chat"' in html and csrf_token_from(html)
    assert '<label for="chat-message"' in html
    assert "<script>" not in html


def test_the_chat_page_answers_a_posted_question_and_shows_the_transcript(
    index_dir, tmp_path, database_url, make_app, post_form
):
    app = make_app(index_dir, tmp_path / "form", database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = post_form(client, message="補助金について")
    assert response.status_code == 303
    html = client.get("/chat").get_data(as_text=True)
    assert "補助金について" in html and "どのようなことをお知りになりたいですか" in html
    assert 'name="quick" value="必要書類"' in html
    # a quick reply is a submit button: its text is sent even when the text box is empty
    post_form(client, quick="必要書類", message="")
    html = client.get("/chat").get_data(as_text=True)
    assert "/articles/subsidy-documents" in html


def test_the_chat_page_handoff_links_to_the_contact_form(client, post_form):
    post_form(client, message="担当者と話したい")
    html = client.get("/chat").get_data(as_text=True)
    assert 'href="/contact?chat=' in html


def test_the_chat_page_foot_links_the_form_with_the_conversation_after_the_offer_is_gone(
    client, post_form
):
    # Offered after two unanswered turns, then thanked: the offer's box goes, the
    # conversation still goes with the form linked at the foot of the page.
    assert 'href="/contact"' in client.get("/chat").get_data(as_text=True)  # nothing to attach
    for message in ("明日の天気は？", "確定申告のやり方は？", "ありがとう"):
        post_form(client, message=message)
    html = client.get("/chat").get_data(as_text=True)
    assert "data-chat-handoff hidden" in html
    foot = html.rsplit("チャットで解決しないときは", 1)[1]
    assert 'href="/contact?chat=' in foot


def test_the_chat_page_refuses_a_post_without_csrf(index_dir, tmp_path, database_url, make_app):
    app = make_app(index_dir, tmp_path / "nocsrf", database_url, WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/chat", data={"message": "補助金"})
    assert response.status_code == 400


def test_an_empty_question_on_the_page_keeps_what_was_typed(client, post_form):
    response = post_form(client, message="   ")
    assert response.status_code == 400
    assert "ご質問を入力してください" in response.get_data(as_text=True)
    long = "あ" * 1200
    response = post_form(client, message=long)
    assert response.status_code == 400 and long in response.get_data(as_text=True)


def test_the_chat_page_escapes_what_was_typed(client, post_form):
    post_form(client, message="<script>alert(1)</script>")
    html = client.get("/chat").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_every_page_loads_the_widget_script(client):
    html = client.get("/").get_data(as_text=True)
    assert "/static/js/chat.js" in html


def test_the_handoff_url_opens_the_contact_form_with_the_masked_transcript(client):
    first = ask(client, "補助金について 受給者番号 8765432").get_json()
    reply = ask(client, "担当者と話したい", session=first["session"]).get_json()
    page = client.get(reply["handoff_url"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "チャットでのやりとり" in html and "担当者と話したい" in html
    assert "8765432" not in html
    assert 'value="subsidy" selected' in html or 'selected value="subsidy"' in html


def test_weak_search_choices_are_stored_as_unanswered_with_the_articles_offered(
    client, database_url
):
    reply = ask(client, "福祉事務所に確認する").get_json()
    assert len(reply["quick_replies"]) == 3
    _, turns = stored(database_url)
    assert [intent for _, _, intent, _ in turns] == ["fallback", "fallback"]
    assert turns[1][3].split() == [article["id"] for article in reply["articles"]]


def test_the_chat_page_says_whether_the_call_centre_is_open_once(client, post_form):
    # The handoff reply already says it; the block under the handoff link used to repeat it.
    post_form(client, message="担当者と話したい")
    html = client.get("/chat").get_data(as_text=True)
    status = "コールセンターは"
    assert html.count(status) == 1, html


def test_a_telephone_number_in_a_chat_page_reply_is_a_tel_link(client, post_form):
    post_form(client, message="コールセンターの電話番号は？")
    html = client.get("/chat").get_data(as_text=True)
    assert '<a href="tel:0800-080-4583">0800-080-4583</a>' in html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("電話は0800-080-4583です", '電話は<a href="tel:0800-080-4583">0800-080-4583</a>です'),
        (
            "TEL 03-5253-1111（内線2829）",
            'TEL <a href="tel:03-5253-1111">03-5253-1111</a>（内線2829）',
        ),
        (
            "<b>0800-080-4583</b>",
            '&lt;b&gt;<a href="tel:0800-080-4583">0800-080-4583</a>&lt;/b&gt;',
        ),
        ("令和6年12月11日から", "令和6年12月11日から"),
        ("受給者番号 ********", "受給者番号 ********"),
    ],
)
def test_phone_links_mark_telephone_numbers_and_escape_the_rest(text, html):
    from web.chat.phone_links import phone_links

    assert str(phone_links(text)) == html
