"""`kb mail send`: deliver the outbox now (web.core.outbox), e.g. from cron when the app's
sender is turned off (HELPDESK_MAIL_IN_BACKGROUND=0)."""

import click
from flask import current_app

from web.core import outbox


def register(cli: click.Group) -> None:
    @cli.group("mail")
    def mail_group() -> None:
        """送信待ちのメール"""

    @mail_group.command("send")
    def send_command() -> None:
        """送信待ちで送る時刻が来たメールを、いま送ります。"""
        counts = outbox.deliver_app(current_app)
        click.echo(
            f"送信しました: {counts['sent']} 件、あとで再送: {counts['retry']} 件、"
            f"送信をあきらめました: {counts['failed']} 件"
        )
        if counts["retry"] or counts["failed"]:
            raise SystemExit(1)
