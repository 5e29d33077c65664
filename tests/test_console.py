"""The console: logging in, roles, and the pages agents, editors and admins work in."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.support import PASSWORD
from web import create_app
from web.accounts import auth
from web.core import db
from web.core.models import Inquiry, User

FAILED = "メールアドレスまたはパスワードが正しくありません。"
FORBIDDEN = "このページを表示する権限がありません。"


# --- logging in ----------------------------------------------------------------------------------

CONSOLE_PAGES = [
    "/console/",
    "/console/lookup?q=補助金",
    "/console/analytics",
    "/console/preview/",
    "/console/preview/call-center",
    "/console/users",
    "/console/inquiries/1",
]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_every_console_page_sends_anonymous_people_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/console/login?next=" in response.headers["Location"]


@pytest.mark.parametrize(
    "path", ["/console/inquiries/1/status", "/console/inquiries/1/notes", "/console/users"]
)
def test_console_forms_do_nothing_for_anonymous_people(client, path, csrf_token_from, page_text):
    token = csrf_token_from(page_text(client.get("/console/login")))
    response = client.post(path, data={"csrf_token": token, "status": "done", "text": "x"})
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


def test_an_agent_logs_in_and_lands_on_the_newest_inquiries(
    app, client, add_user, login, page_text
):
    add_user(app, "agent@helpdesk.example.jp", "agent")
    response = login(client, "Agent@Helpdesk.example.jp")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/console/")
    home = client.get("/console/")
    assert home.status_code == 200 and "お問い合わせ" in page_text(home)
    assert "agent@helpdesk.example.jp（オペレーター）" in page_text(home)


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(
    app, client, add_user, login, page_text
):
    add_user(app, "agent@helpdesk.example.jp", "agent")
    wrong = login(client, "agent@helpdesk.example.jp", "wrong password!!")
    unknown = login(client, "nobody@helpdesk.example.jp", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    for response in (wrong, unknown):
        assert FAILED in page_text(response)
    assert 'value="agent@helpdesk.example.jp"' in page_text(wrong)  # the e-mail is kept
    assert client.get("/console/").status_code == 302


def test_a_disabled_user_cannot_log_in(app, client, add_user, login, page_text):
    add_user(app, "agent@helpdesk.example.jp", "agent")
    with app.app_context():
        auth.set_active("agent@helpdesk.example.jp", False)
    response = login(client, "agent@helpdesk.example.jp")
    assert response.status_code == 200 and FAILED in page_text(response)
    assert client.get("/console/").status_code == 302


def test_disabling_a_user_ends_the_session_they_have_open(app, logged_in):
    client = logged_in(app, "agent")
    assert client.get("/console/").status_code == 200
    with app.app_context():
        auth.set_active("agent@helpdesk.example.jp", False)
    assert client.get("/console/").status_code == 302


def test_empty_login_fields_get_japanese_messages(client, csrf_token_from, page_text):
    token = csrf_token_from(page_text(client.get("/console/login")))
    html = page_text(client.post("/console/login", data={"csrf_token": token}))
    assert "メールアドレスを入力してください。" in html
    assert "パスワードを入力してください。" in html


def test_login_without_a_csrf_token_is_refused(app, client, add_user, page_text):
    add_user(app, "agent@helpdesk.example.jp", "agent")
    response = client.post(
        "/console/login", data={"email": "agent@helpdesk.example.jp", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "フォームの有効期限が切れたか" in page_text(response)
    assert client.get("/console/").status_code == 302


def test_passwords_are_stored_as_scrypt_hashes(app, add_user):
    add_user(app, "agent@helpdesk.example.jp", "agent")
    with app.app_context():
        user = db.session().scalar(select(User))
        assert user.password_hash.startswith("scrypt:")
        assert PASSWORD not in user.password_hash


def test_the_session_cookie_is_secure_http_only_and_same_site(
    index_dir, tmp_path, database_url, monkeypatch
):
    monkeypatch.delenv("HELPDESK_INSECURE_COOKIES", raising=False)
    app = create_app(
        {
            "TESTING": True,
            "instance": tmp_path / "instance",
            "index_dir": index_dir,
            "database_url": database_url,
            "refresh_index_on_start": False,
        }
    )
    response = app.test_client().get("/console/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logging_out_needs_the_form_and_ends_the_session(
    app, csrf_token_from, logged_in, page_text
):
    client = logged_in(app, "agent")
    assert client.get("/console/logout").status_code == 405
    assert client.post("/console/logout").status_code == 400  # no CSRF token: still logged in
    assert client.get("/console/").status_code == 200
    token = csrf_token_from(page_text(client.get("/console/")))
    response = client.post("/console/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert "ログアウトしました。" in page_text(client.get("/console/login"))
    assert client.get("/console/").status_code == 302


def test_too_many_login_attempts_get_a_japanese_429(
    index_dir, tmp_path, database_url, add_user, login, make_app, page_text
):
    app = make_app(index_dir, tmp_path / "instance", database_url, login_rate_limit="3 per minute")
    add_user(app, "agent@helpdesk.example.jp", "agent")
    client = app.test_client()
    for _ in range(3):
        assert login(client, "agent@helpdesk.example.jp", "wrong password!!").status_code == 200
    response = login(client, "agent@helpdesk.example.jp")  # even the right password waits
    assert response.status_code == 429
    assert "しばらく待ってから" in page_text(response)


def test_one_account_is_throttled_whatever_address_the_attempts_come_from(
    make_app, add_user, csrf_token_from, page_text
):
    app = make_app(login_account_rate_limit="3 per minute")
    add_user(app, "agent@helpdesk.example.jp", "agent")
    add_user(app, "editor@helpdesk.example.jp", "editor")

    def attempt(email: str, address: str):
        client = app.test_client()
        address_env = {"REMOTE_ADDR": address}
        html = page_text(client.get("/console/login", environ_base=address_env))
        data = {"csrf_token": csrf_token_from(html), "email": email, "password": "wrong password!!"}
        return client.post("/console/login", data=data, environ_base=address_env)

    statuses = [attempt("Agent@helpdesk.example.jp", f"10.0.0.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # four addresses, one account
    refused = attempt("agent@helpdesk.example.jp", "10.0.0.99")
    assert refused.status_code == 429 and "しばらく待ってから" in page_text(refused)
    assert attempt("editor@helpdesk.example.jp", "10.0.0.99").status_code == 200


@pytest.mark.parametrize(
    "next_path, lands_on",
    [
        ("/console/analytics", "/console/analytics"),
        ("https://evil.example/console/", "/console/"),
        ("//evil.example/console/", "/console/"),
        ("/console/../../evil", "/console/"),
    ],
)
def test_after_login_only_a_console_page_of_this_site_is_opened(
    app, next_path, lands_on, add_user, login
):
    add_user(app, "admin@helpdesk.example.jp", "admin")
    client = app.test_client()
    response = login(client, "admin@helpdesk.example.jp", next_path=next_path)
    assert response.headers["Location"] == lands_on


# --- roles ---------------------------------------------------------------------------------------

ACCESS = {
    "agent": {
        "/console/": 200,
        "/console/inquiries/{id}": 200,
        "/console/lookup": 200,
        "/console/analytics": 403,
        "/console/preview/": 403,
        "/console/preview/call-center": 403,
        "/console/users": 403,
    },
    "editor": {
        "/console/": 302,  # to the analytics: editors do not answer inquiries
        "/console/inquiries/{id}": 403,
        "/console/lookup": 200,
        "/console/analytics": 200,
        "/console/preview/": 200,
        "/console/preview/call-center": 200,
        "/console/users": 403,
    },
    "admin": {
        "/console/": 200,
        "/console/inquiries/{id}": 200,
        "/console/lookup": 200,
        "/console/analytics": 200,
        "/console/preview/": 200,
        "/console/preview/call-center": 200,
        "/console/users": 200,
    },
}


@pytest.mark.parametrize("role", sorted(ACCESS))
def test_each_role_opens_its_pages_and_gets_a_japanese_403_elsewhere(
    app, role, add_inquiry, logged_in, page_text
):
    inquiry_id = add_inquiry(app)
    client = logged_in(app, role)
    for path, status in ACCESS[role].items():
        response = client.get(path.format(id=inquiry_id))
        assert response.status_code == status, path
        if status == 403:
            assert FORBIDDEN in page_text(response)


def test_the_menu_shows_only_what_the_role_may_open(app, logged_in, page_text):
    html = page_text(logged_in(app, "agent").get("/console/lookup"))
    assert "/console/analytics" not in html and "/console/users" not in html
    html = page_text(logged_in(app, "editor").get("/console/lookup"))
    assert "/console/analytics" in html and "/console/users" not in html


def test_an_editor_cannot_change_an_inquiry(
    app, add_inquiry, csrf_token_from, logged_in, page_text
):
    inquiry_id = add_inquiry(app)
    client = logged_in(app, "editor")
    token = csrf_token_from(page_text(client.get("/console/lookup")))
    response = client.post(
        f"/console/inquiries/{inquiry_id}/status", data={"csrf_token": token, "status": "done"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session().get(Inquiry, inquiry_id).status == "new"


def test_console_pages_are_never_cached_or_indexed(app, logged_in, page_text):
    response = logged_in(app, "agent").get("/console/")
    assert response.headers["Cache-Control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page_text(response)


# --- admins manage users -----------------------------------------------------------------------


def test_an_admin_adds_and_disables_a_user_in_the_console(
    app, csrf_token_from, logged_in, login, page_text
):
    client = logged_in(app, "admin")
    token = csrf_token_from(page_text(client.get("/console/users")))
    short = client.post(
        "/console/users",
        data={
            "csrf_token": token,
            "email": "new@helpdesk.example.jp",
            "role": "agent",
            "password": "short",
        },
    )
    assert short.status_code == 400
    assert "パスワードは12文字以上" in page_text(short)
    assert 'value="new@helpdesk.example.jp"' in page_text(short)
    created = client.post(
        "/console/users",
        data={
            "csrf_token": token,
            "email": "new@helpdesk.example.jp",
            "role": "agent",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 303
    assert login(app.test_client(), "new@helpdesk.example.jp").status_code == 303
    with app.app_context():
        new_id = auth.find_user("new@helpdesk.example.jp").id
    assert (
        client.post(f"/console/users/{new_id}/disable", data={"csrf_token": token}).status_code
        == 303
    )
    assert login(app.test_client(), "new@helpdesk.example.jp").status_code == 200


# --- inquiries (the storage tests run on SQLite and PostgreSQL) -----------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def receipts_listed(html: str) -> list[str]:
    return re.findall(r'class="receipt-cell"[^>]*><a [^>]*>([^<]+)</a>', html)


def test_the_inquiry_list_shows_the_newest_first_with_japanese_statuses(
    storage_app, add_inquiry, logged_in, page_text
):
    app = storage_app
    add_inquiry(app, minutes_ago=30, receipt_number="HD-20261125-OLD00000")
    add_inquiry(app, minutes_ago=1, receipt_number="HD-20261125-NEW00000", status="in_progress")
    add_inquiry(app, minutes_ago=10, receipt_number="HD-20261125-MID00000", status="done")
    html = page_text(logged_in(app, "agent").get("/console/"))
    assert receipts_listed(html) == [
        "HD-20261125-NEW00000",
        "HD-20261125-MID00000",
        "HD-20261125-OLD00000",
    ]
    for label in ("新規", "対応中", "完了"):
        assert f">{label}</span>" in html


def test_the_list_filters_by_status_and_category_and_searches(
    storage_app, add_inquiry, logged_in, page_text
):
    app = storage_app
    add_inquiry(app, 1, receipt_number="HD-20261125-AAAA0001", category="display", status="done")
    add_inquiry(app, 2, receipt_number="HD-20261125-AAAA0002", name="佐藤 次郎")
    add_inquiry(app, 3, receipt_number="HD-20261125-AAAA0003", message="要否意見書の 100% 記入")
    client = logged_in(app, "agent")
    assert receipts_listed(page_text(client.get("/console/?status=done"))) == [
        "HD-20261125-AAAA0001"
    ]
    assert receipts_listed(page_text(client.get("/console/?category=display"))) == [
        "HD-20261125-AAAA0001"
    ]
    assert receipts_listed(page_text(client.get("/console/?q=佐藤"))) == ["HD-20261125-AAAA0002"]
    assert receipts_listed(page_text(client.get("/console/?q=aaaa0003"))) == [
        "HD-20261125-AAAA0003"
    ]
    # 「%」 is a character to look for, not a wildcard
    assert receipts_listed(page_text(client.get("/console/?q=100%"))) == ["HD-20261125-AAAA0003"]
    assert receipts_listed(page_text(client.get("/console/?q=1%25記"))) == []
    empty = page_text(client.get("/console/?q=存在しない言葉"))
    assert "条件に合うお問い合わせはありません。" in empty
    odd = client.get("/console/?status=<x>&category=zzz&page=abc")
    assert odd.status_code == 200 and len(receipts_listed(page_text(odd))) == 3


def test_the_detail_shows_everything_and_the_chat_transcript(
    app, add_inquiry, logged_in, page_text
):
    inquiry_id = add_inquiry(
        app,
        phone="03-1234-5678",
        institution_code="1312345678",
        transcript="[2026-11-25 10:00] 利用者: 補助金の書類は？\n[2026-11-25 10:00] チャット: こちらです。",
    )
    html = page_text(logged_in(app, "agent").get(f"/console/inquiries/{inquiry_id}"))
    for shown in (
        "山田 花子",
        "やまだ内科クリニック",
        "診療所",
        "1312345678",
        "03-1234-5678",
        "助成金",
        "助成金の申請書類について",
        "利用者: 補助金の書類は？",
        "チャット: こちらです。",
    ):
        assert shown in html, shown
    assert "mailto:uketsuke@yamada.example.jp?subject=" in html


def test_hostile_inquiry_text_is_escaped_everywhere_in_the_console(
    app, add_inquiry, csrf_token_from, logged_in, page_text
):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    inquiry_id = add_inquiry(
        app,
        name=hostile,
        facility_name=hostile,
        message=hostile,
        transcript=hostile,
        email='a"><script>@example.jp',
        phone=hostile[:20],
    )
    client = logged_in(app, "agent")
    for path in ("/console/", f"/console/inquiries/{inquiry_id}"):
        html = page_text(client.get(path))
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path
    token = csrf_token_from(page_text(client.get(f"/console/inquiries/{inquiry_id}")))
    client.post(
        f"/console/inquiries/{inquiry_id}/notes", data={"csrf_token": token, "text": hostile}
    )
    html = page_text(client.get(f"/console/inquiries/{inquiry_id}"))
    assert "<script>alert" not in html and html.count("&lt;script&gt;alert") >= 4


def test_status_changes_and_notes_are_kept_with_who_wrote_them(
    storage_app, add_inquiry, csrf_token_from, logged_in, page_text
):
    app = storage_app
    inquiry_id = add_inquiry(app)
    client = logged_in(app, "agent")
    token = csrf_token_from(page_text(client.get(f"/console/inquiries/{inquiry_id}")))
    changed = client.post(
        f"/console/inquiries/{inquiry_id}/status",
        data={"csrf_token": token, "status": "in_progress"},
    )
    assert changed.status_code == 303
    noted = client.post(
        f"/console/inquiries/{inquiry_id}/notes",
        data={"csrf_token": token, "text": "折り返し電話済み。\n書類を案内した。"},
    )
    assert noted.status_code == 303
    html = page_text(client.get(f"/console/inquiries/{inquiry_id}"))
    assert "状態を「新規」から「対応中」に変更しました。" in html
    assert "折り返し電話済み。\n書類を案内した。" in html
    assert html.count("agent@helpdesk.example.jp") >= 3  # the header and both notes
    with app.app_context():
        inquiry = db.session().get(Inquiry, inquiry_id)
        assert inquiry.status == "in_progress"
        assert [note.author_email for note in inquiry.notes] == ["agent@helpdesk.example.jp"] * 2


def test_bad_status_and_empty_note_are_explained_in_japanese(
    app, add_inquiry, csrf_token_from, logged_in, page_text
):
    inquiry_id = add_inquiry(app)
    client = logged_in(app, "agent")
    token = csrf_token_from(page_text(client.get(f"/console/inquiries/{inquiry_id}")))
    bad = client.post(
        f"/console/inquiries/{inquiry_id}/status", data={"csrf_token": token, "status": "lost"}
    )
    assert bad.status_code == 400 and "状態を選択してください。" in page_text(bad)
    empty = client.post(
        f"/console/inquiries/{inquiry_id}/notes", data={"csrf_token": token, "text": " "}
    )
    assert empty.status_code == 400 and "メモを入力してください。" in page_text(empty)
    no_token = client.post(f"/console/inquiries/{inquiry_id}/status", data={"status": "done"})
    assert no_token.status_code == 400
    with app.app_context():
        assert db.session().get(Inquiry, inquiry_id).status == "new"


def test_an_unknown_inquiry_is_a_japanese_404(app, logged_in, page_text):
    response = logged_in(app, "agent").get("/console/inquiries/999999")
    assert response.status_code == 404
    assert "お探しのページは見つかりませんでした。" in page_text(response)


# --- quick lookup --------------------------------------------------------------------------------


def test_the_quick_lookup_is_keyboard_first_and_offers_the_answer_to_copy(
    app, logged_in, page_text
):
    client = logged_in(app, "agent")
    empty = page_text(client.get("/console/lookup"))
    assert re.search(r'<input id="lookup-q"[^>]*autofocus', empty)
    assert '<script src="/static/js/console.js" defer></script>' in empty
    html = page_text(client.get("/console/lookup?q=コールセンターの電話番号"))
    first = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener" data-first-result>', html)
    assert first and first.group(1) == "http://localhost/articles/call-center"
    copy = re.search(r'data-copy="([^"]+)"', html)
    answer, url = unescape(copy.group(1)).split("\n")
    assert "0800-080-4583" in answer and url == "http://localhost/articles/call-center"
    assert "<script>" not in re.sub(r'<script src="[^"]+" defer></script>', "", html)


def test_the_quick_lookup_fragment_is_the_result_list_alone(app, logged_in, page_text):
    client = logged_in(app, "agent")
    html = page_text(client.get("/console/lookup?fragment=1&q=補助金はいつまで"))
    assert html.lstrip().startswith('<p class="result-count">')
    assert "<html" not in html and "subsidy-period" in html


def test_the_quick_lookup_explains_an_empty_result(app, logged_in, page_text):
    html = page_text(logged_in(app, "agent").get("/console/lookup?q=ラーメンの作り方"))
    assert 'class="lookup-empty"' in html
