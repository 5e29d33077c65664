"""`kb settings`: every setting with its value and where the value came from."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from web.settings import current_settings, declarations, markdown_table

SECRET = {"secret_key", "database_url", "ratelimit_storage_uri"}  # may hold passwords


def register(cli: click.Group) -> None:
    cli.add_command(settings_command)


@click.command("settings")
@click.option("--markdown", is_flag=True, help="README の設定の表（宣言から作る）を出力する")
@with_appcontext
def settings_command(markdown: bool) -> None:
    """設定の一覧（値と、環境変数・既定値のどちらから来たか）を表示します。"""
    if markdown:
        click.echo(markdown_table(), nl=False)
        return
    settings = current_settings()
    for each in declarations():
        env = each.metadata["env"]
        value = getattr(settings, each.name)
        source = f"{env}" if env and os.environ.get(env) else "既定値"
        shown = "（設定済み・非表示）" if each.name in SECRET and value else _show(value)
        click.echo(f"{each.name} = {shown}  [{source}]")


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple) and value and hasattr(value[0], "strftime"):
        return f"{value[0]:%H:%M}-{value[1]:%H:%M}"
    return str(value)
