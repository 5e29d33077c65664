"""`kb db upgrade`: create or upgrade the schema of the configured database."""

import click

from web.core import migrate
from web.settings import current_settings


def register(cli: click.Group) -> None:
    @cli.group("db")
    def db_group() -> None:
        """データベースの管理"""

    @db_group.command("upgrade")
    @click.option("--revision", default="head", show_default=True)
    def upgrade_command(revision: str) -> None:
        """スキーマを作成・更新します（何度実行しても安全です）。"""
        url = current_settings().resolved_database_url
        migrate.upgrade(url, revision)
        click.echo(f"データベースを更新しました（{migrate.current_revision(url)}）", err=True)
