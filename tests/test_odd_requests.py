"""Odd requests taken from public bug reports against the libraries we use: each gets a
Japanese page, or a JSON error under /api/, with the right status, never a 500."""

from __future__ import annotations

import logging

import pytest

JAPANESE = ("ください", "ません", "です")


def is_japanese_page(response) -> bool:
    text = response.get_data(as_text=True)
    return any(word in text for word in JAPANESE)


@pytest.mark.parametrize(
    "next_path",
    ["/console/\r\nSet-Cookie: x=1", "/console/%0d%0aLocation:%20http://evil.example", "\r\n"],
)
def test_a_line_break_in_the_login_next_is_never_a_500(app, client, add_user, login, next_path):
    add_user(app, "agent@helpdesk.example.jp", "agent")
    assert client.get("/console/login", query_string={"next": next_path}).status_code == 200
    response = login(client, "agent@helpdesk.example.jp", next_path=next_path)
    assert response.status_code == 303
    assert "\r" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert response.headers["Location"].startswith("/console/")


@pytest.mark.parametrize("path", ["/console/login", "/console/users", "/contact", "/api/chat"])
def test_a_body_over_the_limit_is_a_japanese_413(client, path):
    response = client.post(
        path, data=b"x" * (300 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    if path.startswith("/api/"):
        assert "大きすぎ" in response.get_json()["error"]["message"]
    else:
        assert "大きすぎ" in response.get_data(as_text=True)


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_to_the_chat_is_a_json_400(client, depth):
    body = '{"message": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/api/chat", data=body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert response.get_json()["error"]["message"]


@pytest.fixture(params=["sqlite", "postgresql"])
def storage_app(request):
    return request.getfixturevalue("app" if request.param == "sqlite" else "pg_app")


def test_a_nul_byte_in_any_search_is_answered_and_not_logged(storage_app, logged_in, caplog):
    client = logged_in(storage_app, "agent")
    with caplog.at_level(logging.DEBUG):
        for path in ("/console/lookup", "/console/", "/search", "/api/search", "/contact"):
            query = {"q": "補助金\x00受給者番号7654321", "chat": "\x00", "category": "\x00"}
            response = client.get(path, query_string=query)
            # /api/search names the unknown category; every other page answers.
            assert response.status_code == (400 if path == "/api/search" else 200), path
            assert is_japanese_page(response)
    assert "7654321" not in caplog.text and "補助金" not in caplog.text


def test_a_read_only_database_at_login_is_a_japanese_503(
    make_app, database_url, add_user, login, caplog
):
    writable = make_app(database_url=database_url)
    add_user(writable, "agent@helpdesk.example.jp", "agent")
    path = database_url.removeprefix("sqlite:///")
    app = make_app(database_url=f"sqlite:///file:{path}?mode=ro&uri=true")
    client = app.test_client()
    response = login(client, "agent@helpdesk.example.jp")
    assert response.status_code == 503
    assert "保存できません" in response.get_data(as_text=True)
    assert "last_login_at" not in caplog.text
