"""`kb user create|list|disable|enable|set-password`: console users from the command line."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from web.accounts import auth
from web.cli.errors import CommandError, database_errors
from web.core import db
from web.core.clock import format_local
from web.core.models import User
from web.core.vocabulary import Role


def _read_password(from_stdin: bool, label: str) -> str:
    """The first line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(label, hide_input=True, confirmation_prompt=f"{label}（確認）")


def register(cli: click.Group) -> None:
    @cli.group("user")
    def user_group() -> None:
        """管理画面のユーザー（オペレーター・編集者・管理者）を管理します。"""

    @user_group.command("create")
    @click.argument("email")
    @click.option(
        "--role",
        required=True,
        metavar="ROLE",
        help="agent（問い合わせ対応）/ editor（分析・記事プレビュー）/ admin（すべて）",
    )
    @click.option(
        "--password-stdin",
        is_flag=True,
        help="パスワードを標準入力の1行目から読む（指定しないときは画面で入力）",
    )
    def create_command(email: str, role: str, password_stdin: bool) -> None:
        """ユーザーを登録します（パスワードは12文字以上）。"""
        password = _read_password(password_stdin, "パスワード")
        try:
            with database_errors():
                user = auth.create_user(email, role, password)
        except auth.UserError as error:
            raise CommandError(str(error)) from None
        click.echo(f"{user.email} を {user.role}（{Role(user.role).label}）として登録しました。")

    @user_group.command("list")
    def list_command() -> None:
        """登録されているユーザーを表示します（メール・役割・状態・最終ログイン）。"""
        with database_errors():
            users = db.session().scalars(select(User).order_by(User.email)).all()
        if not users:
            click.echo("ユーザーは登録されていません。", err=True)
            return
        for user in users:
            state = "有効" if user.active else "無効"
            last = format_local(user.last_login_at) if user.last_login_at else "ログインなし"
            click.echo(f"{user.email}\t{user.role}\t{state}\t{last}")

    @user_group.command("disable")
    @click.argument("email")
    def disable_command(email: str) -> None:
        """ユーザーを無効にします（ログイン中でも次の操作からログアウトされます）。"""
        try:
            with database_errors():
                user = auth.set_active(email, False)
        except auth.UserError as error:
            raise CommandError(str(error)) from None
        click.echo(f"{user.email} を無効にしました。")

    @user_group.command("enable")
    @click.argument("email")
    def enable_command(email: str) -> None:
        """無効にしたユーザーを有効に戻します。"""
        try:
            with database_errors():
                user = auth.set_active(email, True)
        except auth.UserError as error:
            raise CommandError(str(error)) from None
        click.echo(f"{user.email} を有効にしました。")

    @user_group.command("set-password")
    @click.argument("email")
    @click.option(
        "--password-stdin",
        is_flag=True,
        help="パスワードを標準入力の1行目から読む（指定しないときは画面で入力）",
    )
    def set_password_command(email: str, password_stdin: bool) -> None:
        """パスワードを設定し直します（その人のログインはすべて終了します）。"""
        password = _read_password(password_stdin, "新しいパスワード")
        try:
            with database_errors():
                user = auth.find_user(email)
                if user is None:
                    raise auth.UserError(
                        f"{auth.normalize_email(email)} というユーザーは登録されていません。"
                    )
                auth.set_password(user, password)
        except auth.UserError as error:
            raise CommandError(str(error)) from None
        click.echo(f"{user.email} のパスワードを設定し直しました。")
