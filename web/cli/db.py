"""`kb db upgrade`: create or upgrade the schema of the configured database; `kb purge`:
remove what people typed once it is past the retention period (web.core.retention)."""

import click

from web.core import migrate
from web.settings import current_settings


def register(cli: click.Group) -> None:
    register_purge(cli)

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


def register_purge(cli: click.Group) -> None:
    import datetime as dt

    from web.core import retention
    from web.core.db import session

    @cli.command("purge")
    @click.option(
        "--older-than",
        "days",
        type=click.IntRange(1, 3650),
        default=None,
        help="この日数より前の記録を消す（既定: HELPDESK_RETENTION_DAYS）",
    )
    def purge_command(days: int | None) -> None:
        """検索の記録・チャットの会話・記事の評価のうち、保存期間を過ぎたものを消します。"""
        days = days or current_settings().retention_days
        counts = retention.purge(session(), dt.timedelta(days=days), dt.datetime.now(dt.UTC))
        names = {
            "search_logs": "検索の記録",
            "conversations": "チャットの会話",
            "chat_turns": "チャットの発言",
            "feedback": "記事の評価",
        }
        for table, count in counts.items():
            click.echo(f"{names[table]}: {count} 件を削除しました（{days} 日より前）。")
