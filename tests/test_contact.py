"""The contact form: what a clinic's receptionist fills in when the FAQ and the chat did not help."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from sqlalchemy import func, select, text

from kb import ARTICLES_DIR
from kb.articles import load_articles
from kb.categories import CATEGORIES
from web.contact.service import RECEIPT_ALPHABET, new_receipt_number
from web.core import db
from web.core.models import ChatTurn, Conversation, Inquiry

RECEIPT_PATTERN = re.compile(r"^HD-\d{8}-[" + RECEIPT_ALPHABET + r"]{8}$")


def open_form(client, url: str = "/contact") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


@pytest.fixture
def filled(csrf_token_from):
    def filled(html: str, **changes) -> dict:
        """What a person types into the form just rendered in `html`."""
        data = {
            "csrf_token": csrf_token_from(html),
            "submission_token": hidden_value(html, "submission_token"),
            "name": "山田 花子",
            "facility_name": "やまだ内科クリニック",
            "facility_type": "clinic",
            "institution_code": "1312345678",
            "email": "uketsuke@yamada-clinic.example.jp",
            "phone": "03-1234-5678",
            "category": "subsidy",
            "message": "助成金の申請に必要な書類を教えてください。",
            "consent": "y",
        }
        chat = re.search(r'name="chat" value="([^"]*)"', html)
        if chat:
            data["chat"] = chat.group(1)
        data.update(changes)
        return {key: value for key, value in data.items() if value is not None}

    return filled


@pytest.fixture
def submit(filled):
    def submit(client, **changes):
        return client.post("/contact", data=filled(open_form(client), **changes))

    return submit


def receipt_on(client) -> str:
    response = client.get("/contact/thanks")
    assert response.status_code == 200
    match = re.search(r'id="receipt-number">([^<]+)<', response.get_data(as_text=True))
    assert match, "the thanks page shows no receipt number"
    return match.group(1)


def stored_inquiries(app) -> list[Inquiry]:
    with app.app_context():
        return list(db.session().scalars(select(Inquiry).order_by(Inquiry.id)))


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).removeprefix("エラー：") if match else None


# --- the form as people see it ---------------------------------------------------------------


def test_form_has_the_field_names_other_tools_post_to(client):
    html = open_form(client)
    for name in (
        "name",
        "facility_name",
        "facility_type",
        "institution_code",
        "email",
        "phone",
        "category",
        "message",
        "consent",
        "csrf_token",
    ):
        assert f'name="{name}"' in html, name
    for value, label in (
        ("hospital", "病院"),
        ("clinic", "診療所"),
        ("pharmacy", "薬局"),
        ("other", "その他"),
    ):
        assert re.search(rf'name="facility_type"[^>]*value="{value}"[^>]*> {label}', html)
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options == ["", *(c.id for c in CATEGORIES), "other"]


def test_form_warns_not_to_enter_patient_data_and_has_a_hidden_honeypot(client):
    html = open_form(client)
    assert "患者さんの情報は入力しないでください" in html
    honeypot = re.search(r'<div class="hp-field" aria-hidden="true">.*?</div>', html, re.S)
    assert honeypot and 'tabindex="-1"' in honeypot.group(0)


def test_the_call_centre_hours_on_the_form_are_those_of_the_call_centre_article(client):
    article = load_articles(ARTICLES_DIR).articles["call-center"]
    assert "0800-080-4583" in article.answer
    for fact in ("0800-080-4583", "平日8:00〜18:00", "土曜日8:00〜16:00", "祝日を除"):
        assert fact in article.answer
        assert fact in open_form(client)


# --- CSRF, validation, kept values -----------------------------------------------------------


def test_a_post_without_csrf_token_is_refused_and_keeps_what_was_typed(app, client, submit):
    response = submit(client, csrf_token=None, message="CSRF なしの送信です")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "入力内容はそのまま残っています" in html
    assert "CSRF なしの送信です" in html and 'value="山田 花子"' in html
    assert stored_inquiries(app) == []


def test_a_post_with_a_forged_csrf_token_is_refused(app, client, submit):
    response = submit(client, csrf_token="forged")
    assert response.status_code == 400
    assert stored_inquiries(app) == []


REQUIRED_MESSAGES = {
    "name": "お名前を入力してください。",
    "facility_name": "医療機関・薬局名を入力してください。",
    "facility_type": "種別を選択してください。",
    "email": "メールアドレスを入力してください。",
    "category": "お問い合わせの分類を選択してください。",
    "message": "お問い合わせの内容を入力してください。",
    "consent": "個人情報の取り扱いへの同意が必要です。内容をご確認のうえチェックしてください。",
}


@pytest.mark.parametrize("field", sorted(REQUIRED_MESSAGES))
def test_each_missing_required_field_gets_its_japanese_message_next_to_it(
    app, client, field, submit
):
    response = submit(client, **{field: None if field in {"consent", "facility_type"} else "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, field) == REQUIRED_MESSAGES[field]
    assert "入力内容を確認してください（1件）" in html
    assert stored_inquiries(app) == []


INVALID_VALUES = {
    "institution_code": ("13-1234", "医療機関コードは数字10桁で入力してください。"),
    "email": ("uketsuke@", "メールアドレスの形式が正しくありません（例: uketsuke@example.jp）。"),
    "phone": ("でんわ", "電話番号は数字とハイフンで入力してください（例: 03-1234-5678）。"),
    "facility_type": ("zoo", "種別を選択してください。"),
    "category": ("weather", "お問い合わせの分類を選択してください。"),
    "name": ("あ" * 101, "お名前は100文字以内で入力してください。"),
    "message": ("あ" * 4001, "内容は4000文字以内で入力してください。"),
}


@pytest.mark.parametrize("field", sorted(INVALID_VALUES))
def test_each_invalid_value_gets_its_japanese_message(app, client, field, submit):
    value, message = INVALID_VALUES[field]
    response = submit(client, **{field: value})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field) == message
    assert stored_inquiries(app) == []


def test_everything_typed_is_kept_when_the_form_comes_back_with_errors(client, submit):
    response = submit(
        client,
        email="not-an-address",
        facility_type="pharmacy",
        category="display",
        message="1行目\n2行目の内容",
        consent=None,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="山田 花子"' in html
    assert 'value="やまだ内科クリニック"' in html
    assert 'value="not-an-address"' in html
    assert 'value="1312345678"' in html and 'value="03-1234-5678"' in html
    assert re.search(r'value="pharmacy"\s+checked', html)
    assert '<option value="display" selected>' in html
    assert "1行目\n2行目の内容</textarea>" in html
    assert field_error(html, "consent")


def test_full_width_digits_and_letters_are_accepted(app, client, submit):
    response = submit(
        client,
        institution_code="１３１２３４５６７８",
        email="ＵＫＥＴＳＵＫＥ＠ｅｘａｍｐｌｅ．ｊｐ",
        phone="０３－１２３４－５６７８",
    )
    assert response.status_code == 303
    (inquiry,) = stored_inquiries(app)
    assert inquiry.institution_code == "1312345678"
    assert inquiry.email == "uketsuke@example.jp"
    assert inquiry.phone == "03-1234-5678"


@pytest.mark.parametrize(
    "typed",
    ["03ー1234ー5678", "03−1234−5678", "03(1234)5678", "(03) 1234-5678", "03.1234.5678",
     "03 1234 5678", "０３ｰ１２３４ｰ５６７８", "03‐1234‐5678"],
)  # fmt: skip
def test_a_phone_number_is_accepted_whatever_separates_its_groups(app, client, submit, typed):
    assert submit(client, phone=typed).status_code == 303
    (inquiry,) = stored_inquiries(app)
    assert inquiry.phone == "03-1234-5678"


def test_hostile_text_is_escaped_when_the_form_is_shown_again(client, submit):
    hostile = '<script>alert("x")</script>'
    html = submit(client, name=hostile, message=hostile, email="bad").get_data(as_text=True)
    assert hostile not in html
    assert "&lt;script&gt;" in html


def test_a_patient_number_in_the_message_asks_before_sending(app, client, filled):
    html = open_form(client)
    message = "受給者番号 12345678 の方の資格が表示されません"
    response = client.post("/contact", data=filled(html, message=message))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "患者さんの情報は入力しないでください" in page and 'name="personal_data_ok"' in page
    assert stored_inquiries(app) == []
    confirmed = client.post(
        "/contact", data={**filled(html, message=message), "personal_data_ok": "y"}
    )
    assert confirmed.status_code == 303
    assert len(stored_inquiries(app)) == 1


# --- bots and floods ---------------------------------------------------------------------------


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(app, client, submit):
    response = submit(client, website="http://spam.example/")
    assert response.status_code == 303
    assert RECEIPT_PATTERN.match(receipt_on(client))
    assert stored_inquiries(app) == []


def test_too_many_posts_get_a_japanese_429_page_that_keeps_the_form(
    index_dir, tmp_path, database_url, make_app, submit
):
    app = make_app(
        index_dir, tmp_path / "instance", database_url, contact_rate_limit="2 per minute"
    )
    client = app.test_client()
    for _ in range(2):
        assert submit(client, email="bad").status_code == 422
    response = submit(client, message="3回目の送信です")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "受け付けを一時的に止めています" in html and "入力内容はそのまま残っています" in html
    assert "3回目の送信です" in html and 'value="山田 花子"' in html
    assert stored_inquiries(app) == []
    assert client.get("/contact").status_code == 200  # reading the form is never limited


# --- storing and the receipt (SQLite and PostgreSQL) --------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def test_an_inquiry_is_committed_and_its_receipt_number_shown(storage_app, submit):
    client = storage_app.test_client()
    response = submit(client, message="レセコンの設定について <b>質問</b>")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/contact/thanks")
    receipt = receipt_on(client)
    assert RECEIPT_PATTERN.match(receipt)
    # A separate connection sees the row: it was committed before the receipt was shown.
    from web.core.db import make_engine

    engine = make_engine(storage_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT status, message, category FROM inquiries WHERE receipt_number = :r"),
                {"r": receipt},
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("new", "レセコンの設定について <b>質問</b>", "subsidy")


def test_a_second_click_a_reload_or_back_and_resubmit_store_one_inquiry(storage_app, filled):
    client = storage_app.test_client()
    data = filled(open_form(client))
    first = client.post("/contact", data=data)
    receipt = receipt_on(client)
    second = client.post("/contact", data=data)  # the second click, or back and resubmit
    assert first.status_code == second.status_code == 303
    assert receipt_on(client) == receipt  # the reload of the thanks page
    other_browser = storage_app.test_client()  # a replay from another session is refused
    assert other_browser.post("/contact", data=data).status_code == 400
    assert [i.receipt_number for i in stored_inquiries(storage_app)] == [receipt]


def test_the_same_text_sent_again_from_a_fresh_form_is_one_inquiry(storage_app, submit):
    client = storage_app.test_client()
    submit(client)
    receipt = receipt_on(client)
    submit(client)  # a new copy of the form (back, then reload), the same question
    assert receipt_on(client) == receipt
    assert len(stored_inquiries(storage_app)) == 1
    submit(client, message="別の質問です。")
    assert receipt_on(client) != receipt
    assert len(stored_inquiries(storage_app)) == 2


def test_receipt_numbers_are_unique_random_and_not_sequential(app):
    with app.app_context():  # the day is the helpdesk's local day (settings.timezone)
        numbers = [new_receipt_number() for _ in range(2000)]
    assert len(set(numbers)) == len(numbers)
    assert all(RECEIPT_PATTERN.match(number) for number in numbers)
    tails = [number.rsplit("-", 1)[1] for number in numbers]
    assert tails != sorted(tails)
    # every character of the alphabet appears in every position: random, not counted up
    for position in range(8):
        assert {tail[position] for tail in tails} == set(RECEIPT_ALPHABET)


def test_the_thanks_page_says_what_happens_next(app, client, submit):
    submit(client)
    html = client.get("/contact/thanks").get_data(as_text=True)
    assert "受付番号" in html
    assert "uketsuke@yamada-clinic.example.jp" in html and "メールで回答" in html
    assert "日数がかかる場合があります" in html
    assert "0800-080-4583" in html and "平日8:00〜18:00・土曜日8:00〜16:00" in html


def test_the_thanks_page_without_an_inquiry_goes_back_to_the_form(client):
    response = client.get("/contact/thanks")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/contact")


# --- from the chat -------------------------------------------------------------------------------


def make_conversation(app, token: str = "chat-token-0123456789abcdef", topic="subsidy") -> str:
    with app.app_context():
        session = db.session()
        conversation = Conversation(token=token, state=json.dumps({"topic": topic}))
        conversation.turns = [
            ChatTurn(role="user", text="補助金の申請書類は？", intent=None),
            ChatTurn(role="bot", text="申請に必要な書類はこちらです。", intent="subsidy-documents"),
            ChatTurn(role="user", text="折り返しは ＊＊＊-＊＊＊＊-＊＊＊＊ へ <b>至急</b>"),
            ChatTurn(role="bot", text="担当者におつなぎします。", intent="handoff"),
        ]
        session.add(conversation)
        session.commit()
    return token


def test_from_the_chat_the_form_shows_the_transcript_and_preselects_its_topic(app, client):
    token = make_conversation(app, topic="forms")
    html = open_form(client, f"/contact?chat={token}")
    assert "チャットでのやりとり" in html
    assert "補助金の申請書類は？" in html and "担当者におつなぎします。" in html
    assert "＊＊＊-＊＊＊＊-＊＊＊＊ へ &lt;b&gt;至急&lt;/b&gt;" in html
    assert '<option value="forms" selected>' in html
    assert f'name="chat" value="{token}"' in html


def test_an_inquiry_from_the_chat_carries_the_masked_transcript(storage_app, filled):
    token = make_conversation(storage_app)
    client = storage_app.test_client()
    html = open_form(client, f"/contact?chat={token}")
    assert client.post("/contact", data=filled(html)).status_code == 303
    (inquiry,) = stored_inquiries(storage_app)
    assert inquiry.conversation_token == token
    lines = inquiry.transcript.splitlines()
    assert len(lines) == 4
    assert lines[0].endswith("利用者: 補助金の申請書類は？")
    assert lines[3].endswith("チャット: 担当者におつなぎします。")
    assert "＊＊＊-＊＊＊＊-＊＊＊＊" in lines[2]


def test_from_the_chat_the_message_may_be_left_empty_and_what_was_asked_is_the_message(
    storage_app, filled
):
    # The chat says the conversation is passed on and need not be written again; the agents'
    # list, search and suggested articles, and the acknowledgement, read what was asked there.
    token = make_conversation(storage_app)
    client = storage_app.test_client()
    html = open_form(client, f"/contact?chat={token}")
    assert "空欄のまま送れます" in html
    assert 'name="message" rows="8" required' not in html
    assert client.post("/contact", data=filled(html, message="")).status_code == 303
    (inquiry,) = stored_inquiries(storage_app)
    assert (
        inquiry.message
        == "補助金の申請書類は？\n折り返しは ＊＊＊-＊＊＊＊-＊＊＊＊ へ <b>至急</b>"
    )
    assert "担当者におつなぎします。" in inquiry.transcript


def test_two_chats_sent_with_empty_messages_are_two_inquiries(storage_app, filled):
    # The same person, the same category and an empty message: only the chat differs.
    client = storage_app.test_client()
    receipts = []
    for token in ("chat-token-first-0123456789", "chat-token-second-0123456789"):
        make_conversation(storage_app, token=token)
        html = open_form(client, f"/contact?chat={token}")
        assert client.post("/contact", data=filled(html, message="")).status_code == 303
        receipts.append(receipt_on(client))
    assert receipts[0] != receipts[1]
    tokens = {inquiry.conversation_token for inquiry in stored_inquiries(storage_app)}
    assert tokens == {"chat-token-first-0123456789", "chat-token-second-0123456789"}


def test_without_the_chat_the_message_is_still_required(client, filled):
    html = open_form(client)
    assert 'name="message" rows="8" required' in html
    response = client.post("/contact", data=filled(html, message="  "))
    assert response.status_code == 422
    assert "お問い合わせの内容を入力してください。" in response.get_data(as_text=True)


def test_an_unknown_chat_token_does_not_make_the_message_optional(client, filled):
    html = open_form(client)
    data = filled(html, message="", chat="does-not-exist")
    response = client.post("/contact", data=data)
    assert response.status_code == 422
    assert "お問い合わせの内容を入力してください。" in response.get_data(as_text=True)


def test_after_the_inquiry_is_sent_the_chat_starts_a_new_conversation(app, client, filled):
    with client.session_transaction() as session:  # the conversation of /chat without JS
        session["chat_token"] = make_conversation(app)
    assert "補助金の申請書類は？" in client.get("/chat").get_data(as_text=True)
    token = make_conversation(app, token="chat-token-other-0123456789")
    html = open_form(client, f"/contact?chat={token}")
    assert client.post("/contact", data=filled(html)).status_code == 303
    thanks = client.get("/contact/thanks").get_data(as_text=True)
    assert f'data-chat-ended="{token}"' in thanks  # the widget of this tab starts afresh
    assert "補助金の申請書類は？" in client.get("/chat").get_data(as_text=True)  # another one

    html = open_form(client, "/contact?chat=chat-token-0123456789abcdef")
    assert client.post("/contact", data=filled(html, message="別の質問です。")).status_code == 303
    assert "補助金の申請書類は？" not in client.get("/chat").get_data(as_text=True)


def test_a_conversation_sent_with_an_inquiry_is_not_continued(app, client, filled):
    # (The form may still show it: the back button and a fresh copy of the same question
    # find the first inquiry again, tests/test_contact_browser.py.)
    token = make_conversation(app)
    html = open_form(client, f"/contact?chat={token}")
    assert client.post("/contact", data=filled(html)).status_code == 303
    reply = client.post("/api/chat", json={"message": "補助金について", "session": token})
    assert reply.get_json()["session"] != token  # a new conversation, not the handed-over one


def test_an_unknown_chat_token_shows_the_plain_form(client):
    html = open_form(client, "/contact?chat=does-not-exist")
    assert "チャットでのやりとり" not in html
    assert 'name="chat"' not in html


def test_a_chat_topic_that_is_not_a_category_selects_nothing(app, client):
    token = make_conversation(app, topic="<script>")
    html = open_form(client, f"/contact?chat={token}")
    assert " selected>" not in html.split('id="category"', 1)[1].split("</select>", 1)[0]


# --- when the database fails -------------------------------------------------------------------


def test_a_database_failure_shows_an_apology_and_keeps_what_was_typed(app, client, filled):
    html = open_form(client)
    with app.app_context(), db.engine().begin() as connection:
        connection.execute(text("DROP TABLE inquiry_notes"))
        connection.execute(text("DROP TABLE inquiries"))
    response = client.post("/contact", data=filled(html, message="保存できないはずの質問"))
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "申し訳ありません" in page and "入力内容はそのまま残っています" in page
    assert "保存できないはずの質問</textarea>" in page and 'value="山田 花子"' in page
    assert "0800-080-4583" in page
    assert hidden_value(page, "submission_token") == hidden_value(html, "submission_token")


def test_an_unreachable_database_shows_the_same_apology(index_dir, tmp_path, make_app, submit):
    missing = tmp_path / "no" / "such" / "folder" / "helpdesk.sqlite3"
    app = make_app(index_dir, tmp_path / "instance", f"sqlite:///{missing}")
    client = app.test_client()
    response = submit(client, message="データベースがありません")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "申し訳ありません" in page and "データベースがありません</textarea>" in page


def test_after_the_database_recovers_the_kept_form_submits_once(app, client, tmp_path, filled):
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    backup = tmp_path / "backup.sqlite3"
    shutil.copy(path, backup)
    html = open_form(client)
    with app.app_context(), db.engine().begin() as connection:
        connection.execute(text("ALTER TABLE inquiries RENAME TO inquiries_away"))
    failed = client.post("/contact", data=filled(html))
    assert failed.status_code == 503
    with app.app_context(), db.engine().begin() as connection:
        connection.execute(text("ALTER TABLE inquiries_away RENAME TO inquiries"))
    kept = failed.get_data(as_text=True)
    retry = filled(kept)
    assert retry["submission_token"] == hidden_value(html, "submission_token")
    assert client.post("/contact", data=retry).status_code == 303
    assert client.post("/contact", data=retry).status_code == 303
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Inquiry)) == 1
