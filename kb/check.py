"""`kb check` for articles: every validation problem, and every query that misses its article."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.articles import Article, LoadResult, load_articles
from kb.index import memory_index
from kb.problems import Problem
from kb.rendering import leftover_emphasis
from kb.search import SearchEngine
from kb.sources import SOURCES_DIR

TOP_N = 3


@dataclass(frozen=True, slots=True)
class QueryRank:
    query: str
    line: int
    rank: int | None  # 1-based; None when the article is not in the results at all

    @property
    def ok(self) -> bool:
        return self.rank is not None and self.rank <= TOP_N


def query_ranks(article: Article, engine: SearchEngine) -> list[QueryRank]:
    """Where each of the article's own queries ranks it."""
    ranks = []
    for position, query in enumerate(article.queries):
        ids = [hit.id for hit in engine.search(query, limit=20, highlight=False).hits]
        rank = ids.index(article.id) + 1 if article.id in ids else None
        line = (
            article.query_lines[position]
            if position < len(article.query_lines)
            else article.field_lines.get("queries", 2)
        )
        ranks.append(QueryRank(query, line, rank))
    return ranks


def emphasis_problems(article: Article) -> list[Problem]:
    """Emphasis markers that would show as literal `**` or `__` on the page."""
    first_line = article.field_lines.get("body", 1)
    return [
        Problem(
            article.path,
            first_line + leftover.line,
            f"強調の記号 {leftover.marker} が閉じていません（ページにそのまま表示されます）",
        )
        for leftover in leftover_emphasis(article.body)
    ]


def review_interval_problems(articles, days: int) -> list[Problem]:
    """Articles whose next review is set later than the longest interval allowed, or before
    their last review."""
    problems = []
    for article in articles:
        line = article.field_lines.get("review_by", 2)
        if article.review_by < article.reviewed:
            problems.append(Problem(article.path, line, "review_by が reviewed より前です"))
        elif (article.review_by - article.reviewed).days > days:
            problems.append(
                Problem(
                    article.path,
                    line,
                    f"review_by は reviewed から{days}日以内にしてください"
                    f"（今は{(article.review_by - article.reviewed).days}日後）",
                )
            )
    return problems


def check_articles(
    articles_dir: Path,
    sources_dir: Path = SOURCES_DIR,
    review_interval_days: int | None = None,
    *,
    loaded: LoadResult | None = None,
) -> list[Problem]:
    """Every problem of the articles: loading and citations (`load_articles`), emphasis left
    showing, own queries that miss the top 3, and a `review_by` further than
    `review_interval_days` after `reviewed`. `loaded`: the articles already loaded from there."""
    loaded = loaded or load_articles(articles_dir, sources_dir)
    problems = list(loaded.problems)
    if review_interval_days is not None:
        problems.extend(review_interval_problems(loaded.articles.values(), review_interval_days))
    if loaded.articles:
        engine = SearchEngine(memory_index(loaded.articles))
        for article in loaded.articles.values():
            problems.extend(emphasis_problems(article))
            for rank in query_ranks(article, engine):
                if not rank.ok:
                    where = f"{rank.rank}位" if rank.rank else "圏外"
                    problems.append(
                        Problem(
                            article.path,
                            rank.line,
                            f"「{rank.query}」で検索するとこの記事が上位{TOP_N}件に入りません（{where}）",
                        )
                    )
    return sorted(problems)
