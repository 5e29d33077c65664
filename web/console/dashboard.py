"""The editors' dashboard as tables: what the page shows and what each CSV download holds.

`build` runs the queries of web.console.metrics and web.console.analytics for one window and
returns `Table`s; the page draws each table (and a chart of it), `/console/analytics.csv`
writes the same table, so the two cannot disagree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from kb.articles import Article
from web.console import analytics, charts, metrics


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    href: str | None = None
    numeric: bool = False


def number(value: int) -> Cell:
    return Cell(str(value), numeric=True)


def percent(value: float | None) -> Cell:
    """「87.5%」, one decimal, or 「—」 when there is nothing to divide."""
    return Cell("—" if value is None else f"{value * 100:.1f}%", numeric=True)


@dataclass(slots=True)
class Table:
    id: str  # also the CSV view's name
    title: str
    header: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    chart: charts.Chart | None = None
    summary: str = ""  # the chart's text alternative in one sentence

    def csv(self) -> str:
        """The table as CSV text (UTF-8 with a BOM added by the view, for Excel)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows([cell.text for cell in row] for row in self.rows)
        return out.getvalue()


@dataclass(slots=True)
class Dashboard:
    window: metrics.Window
    rates: metrics.Rates
    totals: dict[str, int]
    tables: dict[str, Table]
    gaps: dict[str, list[analytics.TermGroup]]  # zero-searches, chat-fallbacks, top-searches
    feedback: list[analytics.ArticleFeedback]
    day_charts: list[tuple[str, str, charts.Chart, str]]  # (key, label, chart, summary)


def _day_label(day: dt.date) -> str:
    return f"{day.month}/{day.day}"


def _busiest(points: list[tuple[dt.date, int]]) -> str:
    day, value = max(points, key=lambda point: (point[1], point[0]))
    return f"最多は{day.month}月{day.day}日の{value}件" if value else "すべての日が0件"


def build(
    database: Session,
    window: metrics.Window,
    articles: Mapping[str, Article],
    today: dt.date,
    warning_days: int = 30,
) -> Dashboard:
    """Every number of the dashboard for `window`; `articles` gives titles and review state
    (as the review queue: stale, due within `warning_days`, or confirmed)."""
    days = metrics.daily(database, window)
    rates = metrics.rates(database, window)
    totals = {
        name: sum(getattr(day, name) for day in days)
        for name in ("searches", "not_found", "conversations", "inquiries", "views")
    }
    tables: dict[str, Table] = {}

    daily = Table(
        "daily",
        "日ごとの件数",
        ("日付", "検索", "結果0件の検索", "チャットの会話", "お問い合わせ", "記事の閲覧"),
    )
    for day in days:
        daily.rows.append(
            (
                Cell(day.day.isoformat()),
                number(day.searches),
                number(day.not_found),
                number(day.conversations),
                number(day.inquiries),
                number(day.views),
            )
        )
    tables["daily"] = daily
    day_charts = []
    for key, label in metrics.SERIES:
        points = [(day.day, getattr(day, key)) for day in days]
        chart = charts.columns([(_day_label(d), value) for d, value in points])
        summary = (
            f"{label}の日ごとの件数（{window.first.isoformat()}〜{window.last.isoformat()}）。"
            f"合計{totals[key]}件、{_busiest(points)}。"
        )
        day_charts.append((key, label, chart, summary))

    rate_table = Table("rates", "自己解決率と引き継ぎ率", ("指標", "値", "内訳"))
    rate_table.rows = [
        (
            Cell("自己解決率"),
            percent(rates.self_service),
            Cell(
                f"フォームからのお問い合わせ {rates.form_inquiries}件 ／ "
                f"会話 {rates.conversations}件＋検索 {rates.searches}件"
            ),
        ),
        (
            Cell("引き継ぎ率"),
            percent(rates.handoff),
            Cell(f"担当者を案内した会話 {rates.handed_off}件 ／ 会話 {rates.conversations}件"),
        ),
        (
            Cell("チャットから送られたお問い合わせ"),
            number(rates.chat_inquiries),
            Cell(f"フォームからのお問い合わせ {rates.form_inquiries}件のうち"),
        ),
    ]
    tables["rates"] = rate_table

    replies = metrics.chat_replies(database, window)
    reply_total = sum(n for _, _, n in replies)
    tables["replies"] = _share_table(
        "replies", "チャットの回答の確かさ", "回答の種類", replies, reply_total, "チャットの回答"
    )
    levels = metrics.search_confidence(database, window)
    level_total = sum(n for _, _, n in levels)
    tables["search-confidence"] = _share_table(
        "search-confidence", "検索の1件目の確かさ", "確かさ", levels, level_total, "検索"
    )

    viewed = Table(
        "articles",
        "よく見られている記事",
        ("記事", "閲覧数", "はい", "いいえ", "役に立った割合", "状態"),
    )
    for use in metrics.most_viewed(database, window):
        article = articles.get(use.article_id)
        title = article.title if article else f"{use.article_id}（削除された記事）"
        state = (
            "—"
            if article is None
            else ("要確認（確認期限切れ）" if article.stale(today) else "確認済み")
        )
        viewed.rows.append(
            (
                Cell(title, href=article.url if article else None),
                number(use.views),
                number(use.helpful),
                number(use.not_helpful),
                percent(use.ratio),
                Cell(state),
            )
        )
    tables["articles"] = viewed

    previous = window.previous()
    gaps: dict[str, list[analytics.TermGroup]] = {}
    for view, title, current_of in (
        (
            "zero-searches",
            "見つからなかった検索",
            lambda w, **kw: analytics.search_groups(
                database,
                w.since,
                zero_only=True,
                until=w.until,
                category=w.category,
                category_articles=w.category_articles,
                **kw,
            ),
        ),
        (
            "chat-fallbacks",
            "チャットが答えられなかった質問",
            lambda w, **kw: analytics.chat_fallbacks(
                database, w.since, until=w.until, category=w.category, **kw
            ),
        ),
    ):
        current = current_of(window)
        before = current_of(previous, keys=[g.key for g in current]) if current else []
        gaps[view] = analytics.compared(current, before)
        table = Table(view, title, ("質問（例）", "解析した語", "回数", "前の期間", "傾向"))
        for group in gaps[view]:
            table.rows.append(
                (
                    Cell(group.example, href=search_link(group.example)),
                    Cell(group.key),
                    number(group.count),
                    number(group.previous or 0),
                    Cell(group.trend),
                )
            )
        tables[view] = table

    gaps["top-searches"] = analytics.search_groups(
        database,
        window.since,
        until=window.until,
        category=window.category,
        category_articles=window.category_articles,
    )
    top = Table("top-searches", "よく検索された言葉", ("質問（例）", "解析した語", "回数", "0件"))
    top.rows = [
        (
            Cell(g.example, href=search_link(g.example)),
            Cell(g.key),
            number(g.count),
            number(g.zero_results),
        )
        for g in gaps["top-searches"]
    ]
    tables["top-searches"] = top

    feedback = analytics.feedback_by_article(
        database,
        window.since,
        until=window.until,
        articles=window.category_articles if window.category else None,
    )
    rated = Table("feedback", "記事の評価", ("記事", "はい", "いいえ", "役に立った割合"))
    rated.rows = [
        (
            Cell(item.title, href=f"/articles/{item.article_id}"),
            number(item.helpful),
            number(item.not_helpful),
            percent(item.ratio if item.total else None),
        )
        for item in feedback
    ]
    tables["feedback"] = rated
    return Dashboard(window, rates, totals, tables, gaps, feedback, day_charts)


def review_state(article: Article, today: dt.date, warning_days: int) -> str:
    """The article's state in the words of the review queue (/console/review)."""
    if article.stale(today):
        return "期限切れ（要確認）"
    if article.review_due(today, warning_days):
        return f"期限間近（{article.review_by.isoformat()}まで）"
    return "確認済み"


def search_link(query: str) -> str:
    return "/search?" + urlencode({"q": query})


def _share_table(
    view: str, title: str, label: str, counts: list[tuple[str, str, int]], total: int, what: str
) -> Table:
    table = Table(view, title, (label, "件数", "割合"))
    table.rows = [
        (Cell(name), number(n), percent(n / total if total else None)) for _, name, n in counts
    ]
    table.chart = charts.bars([(name, n) for _, name, n in counts])
    parts = "、".join(f"{name} {n}件" for _, name, n in counts)
    table.summary = f"{what}{total}件の内訳: {parts}。"
    return table
