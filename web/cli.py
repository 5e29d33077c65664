"""The `kb` command: Flask's own commands (run, routes, shell) and the project's, in one group.

Commands are thin: they parse options and call into `kb/`, `chatbot/` or `web/` code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup

from kb.categories import category_label
from web import create_app
from web.knowledge import knowledge_base


def _create_cli_app():
    # Commands decide themselves whether to rebuild; only a serving app refreshes at start.
    return create_app({"REFRESH_INDEX_ON_START": False})


cli = FlaskGroup(
    create_app=_create_cli_app, help="医療扶助のオンライン資格確認 ヘルプデスクの管理コマンド"
)


def _check_problems() -> list:
    """Every problem `kb check` knows about: articles, their queries, and the chat rules."""
    from chatbot.rules import check_rules
    from kb.check import check_articles

    articles_dir = Path(current_app.config["ARTICLES_DIR"])
    return check_articles(articles_dir) + check_rules(articles_dir)


@cli.command("check")
def check_command() -> None:
    """記事（とチャットのルール）を検査し、問題を「ファイル:行: 内容」で表示します。"""
    problems = _check_problems()
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} 件の問題があります。", err=True)
        sys.exit(1)
    click.echo("問題はありません。", err=True)


@cli.command("reindex")
@click.option("--if-stale", is_flag=True, help="記事・同義語・解析器が変わったときだけ作り直す")
def reindex_command(if_stale: bool) -> None:
    """検索索引を作り直し、完成してから一度に切り替えます。"""
    report = knowledge_base().refresh(force=not if_stale)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.kept_previous:
        click.echo(
            "記事に問題があるため索引を作り直しませんでした。前回の索引を使い続けます。", err=True
        )
        sys.exit(1)
    state = "作り直しました" if report.built else "最新です"
    click.echo(f"索引を{state}: {report.generation}", err=True)


@cli.command("search")
@click.argument("query", required=False)
@click.option("--json", "as_json", is_flag=True, help="JSON で出力する（1行に1件）")
@click.option("--stdin", "from_stdin", is_flag=True, help="標準入力から1行に1つずつ検索語を読む")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--category", default=None, help="カテゴリ id で絞り込む")
def search_command(
    query: str | None, as_json: bool, from_stdin: bool, limit: int, category: str | None
) -> None:
    """記事を検索します。"""
    if from_stdin == (query is not None):
        raise click.UsageError("検索語を1つ指定するか、--stdin を付けてください。")
    engine = knowledge_base().engine()
    queries = (line.rstrip("\n") for line in sys.stdin) if from_stdin else [query]
    for text in queries:
        response = engine.search(text, limit=limit, category=category, highlight=False)
        if as_json:
            click.echo(json.dumps(response.as_json(), ensure_ascii=False))
            continue
        if not response.hits:
            click.echo(response.message)
            for suggestion in response.suggestions:
                click.echo(f"  もしかして: {suggestion}")
            continue
        for rank, hit in enumerate(response.hits, 1):
            click.echo(f"{rank}. {hit.title}  [{category_label(hit.category)}]  {hit.score:.2f}")
            click.echo(f"   {hit.answer}")
            click.echo(f"   {hit.url}")


def main() -> None:
    cli(prog_name="kb")


def _register_extra_commands() -> None:
    """Commands defined next to the code they drive (chat, database, users, inquiries)."""
    from web import chat_cli, db_cli, inquiries_cli, users_cli

    for module in (chat_cli, db_cli, users_cli, inquiries_cli):
        module.register(cli)


_register_extra_commands()


if __name__ == "__main__":
    main()
