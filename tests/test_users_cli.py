"""`kb user create|list|disable`: how an admin sets up the console's users."""

from __future__ import annotations

import pytest

PASSWORD = "correct horse battery staple"


@pytest.fixture
def instance(tmp_path, run_kb):
    folder = tmp_path / "instance"
    result = run_kb(["db", "upgrade"], folder, env={"DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert "データベースを更新しました" in result.stderr
    return folder


@pytest.fixture
def kb(run_kb):
    def kb(instance, *args, stdin=None):
        return run_kb(list(args), instance, stdin=stdin, env={"DATABASE_URL": ""})

    return kb


def test_create_list_and_disable_a_user(instance, kb):
    created = kb(
        instance,
        "user",
        "create",
        "Agent@Example.jp",
        "--role",
        "agent",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "agent@example.jp を agent（オペレーター）として登録しました。" in created.stdout
    kb(
        instance,
        "user",
        "create",
        "editor@example.jp",
        "--role",
        "editor",
        "--password-stdin",
        stdin=PASSWORD,
    )
    listed = kb(instance, "user", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        "agent@example.jp\tagent\t有効\tログインなし",
        "editor@example.jp\teditor\t有効\tログインなし",
    ]
    disabled = kb(instance, "user", "disable", "AGENT@example.jp")
    assert disabled.returncode == 0 and "agent@example.jp を無効にしました。" in disabled.stdout
    assert "agent@example.jp\tagent\t無効\tログインなし" in kb(instance, "user", "list").stdout
    assert PASSWORD not in listed.stdout + listed.stderr + created.stdout + created.stderr


def test_a_user_created_on_the_command_line_logs_in_and_a_disabled_one_does_not(
    instance, index_dir, kb, login, make_app, page_text
):
    kb(
        instance,
        "user",
        "create",
        "agent@example.jp",
        "--role",
        "agent",
        "--password-stdin",
        stdin=PASSWORD,
    )
    app = make_app(index_dir, instance, f"sqlite:///{instance / 'helpdesk.sqlite3'}")
    client = app.test_client()
    assert login(client, "agent@example.jp").status_code == 303
    assert client.get("/console/").status_code == 200
    kb(instance, "user", "disable", "agent@example.jp")
    assert client.get("/console/").status_code == 302  # the open session ends too
    refused = login(app.test_client(), "agent@example.jp")
    assert "メールアドレスまたはパスワードが正しくありません。" in page_text(refused)


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (
            ["user", "create", "a@example.jp", "--role", "boss", "--password-stdin"],
            PASSWORD,
            "役割は agent, editor, admin のいずれか",
        ),
        (
            ["user", "create", "a@example.jp", "--role", "agent", "--password-stdin"],
            "short\n",
            "パスワードは12文字以上",
        ),
        (
            ["user", "create", "not-an-address", "--role", "agent", "--password-stdin"],
            PASSWORD,
            "メールアドレスの形式が正しくありません",
        ),
        (
            ["user", "disable", "nobody@example.jp"],
            None,
            "nobody@example.jp というユーザーは登録されていません。",
        ),
    ],
)
def test_mistakes_are_explained_in_japanese_with_exit_status_1(instance, args, stdin, message, kb):
    result = kb(instance, *args, stdin=stdin)
    assert result.returncode == 1
    assert result.stderr.startswith("エラー: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_same_e_mail_cannot_be_registered_twice(instance, kb):
    args = ["user", "create", "agent@example.jp", "--role", "agent", "--password-stdin"]
    assert kb(instance, *args, stdin=PASSWORD).returncode == 0
    again = kb(instance, *args, stdin=PASSWORD)
    assert again.returncode == 1 and "すでに登録されています" in again.stderr


def test_no_users_yet_is_said_plainly(instance, kb):
    result = kb(instance, "user", "list")
    assert result.returncode == 0 and result.stdout == ""
    assert "ユーザーは登録されていません。" in result.stderr


def test_a_database_not_created_yet_is_explained_without_a_traceback(tmp_path, run_kb):
    empty = tmp_path / "empty-instance"
    result = run_kb(["user", "list"], empty, env={"DATABASE_URL": ""})
    assert result.returncode == 1
    assert "kb db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_the_readme_example_of_kb_user_create_is_a_password_the_command_accepts():
    import re
    from pathlib import Path

    from web.accounts.auth import check_new_password

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"echo '([^']+)' \| \.venv/bin/kb user create", readme)
    assert examples, "the README shows how to create a user"
    for password in examples:
        check_new_password(password)  # raises UserError with the Japanese reason if refused
