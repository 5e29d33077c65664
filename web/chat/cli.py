"""`kb chat`: the chat in a terminal, for editors trying rules and for scripts (`--json`).

`kb chat --json` reads one message per line from stdin as one conversation and prints one JSON
reply per line: the API's object without `session` (with `kind` and `confidence`). With
`--one-per-line` each line starts a new conversation (for evaluations). Nothing is stored.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from chatbot.engine import ChatState, Reply
from web.settings import current_settings

QUIT_WORDS = {"exit", "quit", ":q", "終了する"}


def reply_json(reply: Reply) -> dict:
    """The API's reply without a session: a handoff goes to the plain contact form."""
    return {**reply.as_json(), "handoff_url": "/contact" if reply.handoff else None}


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return current_settings().call_centre.local(dt.datetime.fromisoformat(value))
    except ValueError as error:
        raise click.BadParameter(
            "日時は ISO 形式で指定してください（例: 2026-11-28T17:00）", param_hint="--now"
        ) from error


def register(cli: click.Group) -> None:
    @cli.command("chat")
    @click.option(
        "--json", "as_json", is_flag=True, help="1行に1つの発言を読み、1行に1つ JSON で返す"
    )
    @click.option(
        "--now",
        "now_text",
        default=None,
        help="この日時として答える（受付時間の確認用、設定のタイムゾーン）",
    )
    @click.option(
        "--one-per-line",
        is_flag=True,
        help="--json で、各行を新しい会話として答える（評価用）",
    )
    def chat_command(as_json: bool, now_text: str | None, one_per_line: bool) -> None:
        """チャットを試します（--json: 標準入力の各行を1つの会話の発言として答えます）。"""
        from web.chat.service import chat_engine

        fixed_now = _parse_now(now_text)
        engine = chat_engine()
        state = ChatState()

        def answer(message: str) -> Reply:
            nonlocal state
            moment = fixed_now or dt.datetime.now(dt.UTC)
            reply, state = engine.reply(ChatState() if one_per_line else state, message, moment)
            return reply

        if as_json:
            for line in sys.stdin:
                reply = answer(line.rstrip("\r\n"))
                click.echo(json.dumps(reply_json(reply), ensure_ascii=False))
            return
        _interactive(answer)


def _interactive(answer) -> None:
    click.echo(
        "チャットを試します。質問を入力してください（番号でボタンを選択、終了は exit か Ctrl-D）。"
    )
    quick: list[str] = []
    while True:
        try:
            line = input("あなた> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        text = line.strip()
        if text in QUIT_WORDS:
            return
        if text.isdigit() and 1 <= int(text) <= len(quick):
            text = quick[int(text) - 1]
            click.echo(f"（選択: {text}）")
        reply = answer(text)
        click.echo(f"チャット> {reply.text}")
        for article in reply.articles:
            click.echo(f"  - {article['title']}  {article['url']}")
        quick = list(reply.quick_replies)
        for number, option in enumerate(quick, 1):
            click.echo(f"  [{number}] {option}")
        if reply.handoff:
            click.echo("  → お問い合わせフォーム: /contact")
        click.echo(click.style(f"  （意図: {reply.intent} / 種類: {reply.kind}）", dim=True))
