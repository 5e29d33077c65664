"""Failures of the `kb` commands explained in Japanese, never as a traceback."""

from __future__ import annotations

import contextlib

import click
from sqlalchemy.exc import SQLAlchemyError


class CommandError(click.ClickException):
    """A failure explained in Japanese (exit status 1)."""

    def show(self, file=None) -> None:
        click.echo(f"エラー: {self.format_message()}", err=True, file=file)


@contextlib.contextmanager
def database_errors():
    """A missing or unreachable database becomes a hint to run `kb db upgrade`."""
    try:
        yield
    except SQLAlchemyError as error:
        # The exception's text can quote parameters (e-mail addresses): name the type only.
        raise CommandError(
            f"データベースを読み書きできませんでした（{type(error).__name__}）。"
            "DATABASE_URL を確認し、まだなら `kb db upgrade` を実行してください。"
        ) from None
