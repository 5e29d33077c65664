"""Accounts people can keep: a logout ends every session of the user (a copied cookie too), a
password change needs the current one, and an admin reset or the command ends their sessions."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD

NEW_PASSWORD = "another long passphrase"


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, make_app, tmp_path, database_url):
    """Every test of this module on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_app")
    return make_app(instance=tmp_path / "instance", database_url=database_url)


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def copy_of(app, client):
    """Another browser holding the same session cookie (a captured one)."""
    other = app.test_client()
    other.set_cookie("session", session_cookie(client))
    return other


def logged_out(client) -> bool:
    response = client.get("/console/lookup")
    return response.status_code == 302 and "/console/login" in response.headers["Location"]


def post_form(client, page: str, action: str, csrf_token_from, **fields):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **fields})


def test_a_copied_session_cookie_stops_working_at_logout(app, logged_in, csrf_token_from):
    agent = logged_in(app, "agent")
    captured = copy_of(app, agent)
    assert not logged_out(captured)
    post_form(agent, "/console/lookup", "/console/logout", csrf_token_from)
    assert logged_out(agent) and logged_out(captured)


def test_a_password_change_needs_the_current_one_and_ends_the_other_sessions(
    app, logged_in, login, csrf_token_from, page_text
):
    agent = logged_in(app, "agent")
    elsewhere = copy_of(app, agent)
    page = "/console/account/password"
    wrong = post_form(agent, page, page, csrf_token_from, current="not the password",
                      new=NEW_PASSWORD, confirm=NEW_PASSWORD)  # fmt: skip
    assert wrong.status_code == 400 and "いまのパスワードが正しくありません" in page_text(wrong)
    mismatch = post_form(agent, page, page, csrf_token_from, current=PASSWORD,
                         new=NEW_PASSWORD, confirm=NEW_PASSWORD + "x")  # fmt: skip
    assert mismatch.status_code == 400 and "確認のパスワード" in page_text(mismatch)
    short = post_form(agent, page, page, csrf_token_from, current=PASSWORD,
                      new="short", confirm="short")  # fmt: skip
    assert short.status_code == 400 and "12文字以上" in page_text(short)
    assert not logged_out(elsewhere)

    changed = post_form(agent, page, page, csrf_token_from, current=PASSWORD,
                        new=NEW_PASSWORD, confirm=NEW_PASSWORD)  # fmt: skip
    assert changed.status_code == 303
    assert not logged_out(agent)  # the one who changed it stays
    assert logged_out(elsewhere)
    fresh = app.test_client()
    assert login(fresh, "agent@helpdesk.example.jp").status_code == 200  # the old one fails
    assert login(fresh, "agent@helpdesk.example.jp", NEW_PASSWORD).status_code == 303


def test_an_admin_resets_a_password_and_that_users_sessions_end(
    app, logged_in, login, csrf_token_from
):
    agent = logged_in(app, "agent")
    admin = logged_in(app, "admin")
    with app.app_context():
        from web.accounts.auth import find_user

        agent_id = find_user("agent@helpdesk.example.jp").id
    action = f"/console/users/{agent_id}/password"
    assert (
        post_form(agent, "/console/lookup", action, csrf_token_from, new=NEW_PASSWORD).status_code
        == 403
    )
    response = post_form(admin, "/console/users", action, csrf_token_from, new=NEW_PASSWORD)
    assert response.status_code == 303
    assert logged_out(agent) and not logged_out(admin)
    assert login(app.test_client(), "agent@helpdesk.example.jp", NEW_PASSWORD).status_code == 303


def test_kb_user_set_password_reads_the_new_one_from_stdin(app, add_user, run_kb, login):
    add_user(app, "editor@helpdesk.example.jp", "editor")
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    short = run_kb(["user", "set-password", "editor@helpdesk.example.jp", "--password-stdin"],
                   app.instance_path, stdin="short\n", env=env)  # fmt: skip
    assert short.returncode != 0 and "12文字以上" in short.stderr
    result = run_kb(["user", "set-password", "Editor@helpdesk.example.jp", "--password-stdin"],
                    app.instance_path, stdin=NEW_PASSWORD + "\n", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert login(app.test_client(), "editor@helpdesk.example.jp", NEW_PASSWORD).status_code == 303
    unknown = run_kb(["user", "set-password", "nobody@example.jp", "--password-stdin"],
                     app.instance_path, stdin=NEW_PASSWORD + "\n", env=env)  # fmt: skip
    assert unknown.returncode != 0 and "登録されていません" in unknown.stderr
