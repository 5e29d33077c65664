"""`kb check`, `kb reindex` and `kb search`: the knowledge base from the command line."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext

from kb.categories import category_label
from web.cli.errors import database_errors
from web.core import clock
from web.core.knowledge import knowledge_base
from web.settings import current_settings


def register(cli: click.Group) -> None:
    for command in (check_command, reindex_command, search_command, review_command):
        cli.add_command(command)


def _check() -> tuple[list, list]:
    """(problems, warnings) `kb check` knows about: articles, their sources and queries, and
    the chat rules."""
    from chatbot.check import check_rules
    from kb.articles import load_articles
    from kb.check import check_articles

    settings = current_settings()
    loaded = load_articles(settings.articles_dir, settings.sources_dir)
    problems = check_articles(
        settings.articles_dir,
        settings.sources_dir,
        settings.review_interval_days,
        loaded=loaded,
    ) + check_rules(settings.articles_dir, settings.chat_rules_file)
    return problems, loaded.warnings


@click.command("check")
@with_appcontext
def check_command() -> None:
    """記事（とチャットのルール）を検査し、問題を「ファイル:行: 内容」で表示します。"""
    problems, warnings = _check()
    for warning in warnings:
        click.echo(f"{warning}（警告）")
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} 件の問題があります。", err=True)
        sys.exit(1)
    click.echo("問題はありません。", err=True)


@click.command("reindex")
@with_appcontext
@click.option("--if-stale", is_flag=True, help="記事・同義語・解析器が変わったときだけ作り直す")
@click.option(
    "--keep-going",
    is_flag=True,
    help="記事に問題があっても、前回の索引（なければ問題のない記事）で続ける（make run が使う）",
)
@click.option("--full", is_flag=True, help="変わった記事だけでなく、すべての記事から作り直す")
def reindex_command(if_stale: bool, keep_going: bool, full: bool) -> None:
    """検索索引を更新し、完成してから一度に切り替えます（できるときは変わった記事だけ）。"""
    report = knowledge_base().refresh(force=not if_stale, full=full)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.kept_previous:
        click.echo(
            "記事に問題があるため索引を作り直しませんでした。前回の索引を使い続けます。", err=True
        )
        # `make run` starts the site on the last good content; /healthz reports the problems.
        sys.exit(0 if keep_going else 1)
    state = (
        ("差分で更新しました" if report.incremental else "作り直しました")
        if report.built
        else "最新です"
    )
    click.echo(f"索引を{state}: {report.generation}", err=True)


@click.command("search")
@with_appcontext
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
            click.echo(json.dumps(response.as_json(today=clock.today()), ensure_ascii=False))
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


@click.command("review")
@with_appcontext
def review_command() -> None:
    """確認期限を過ぎた記事と期限が近い記事を、閲覧数とともに表示します。"""
    from web.console.review import current_queue
    from web.faq.article_views import POPULAR_WINDOW_DAYS

    with database_errors():
        items = current_queue()
    if not items:
        click.echo("確認待ちの記事はありません。", err=True)
        return
    for item in items:
        state = "出典改訂" if item.superseded else "期限切れ" if item.stale else "期限間近"
        click.echo(
            f"{item.article_id}\t{state}\t確認期限 {item.review_by.isoformat()}\t"
            f"閲覧 {item.views}（{POPULAR_WINDOW_DAYS}日間）\t{item.title}"
        )
