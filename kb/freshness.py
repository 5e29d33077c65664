"""How old an answer's information is, in the words people read.

Every answer shows the date its information is as of (the newest source it cites), and once an
article is past its `review_by`, a notice that it may have changed and where to check. The
same sentences serve the article page, search results, the chat, the agents' lookup and the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

REIWA_START = dt.date(2019, 5, 1)

# Where the current status is published, per the sources (the 医療機関等向け総合ポータルサイト),
# and who answers by phone.
WHERE_TO_CHECK = "最新の状況は医療機関等向け総合ポータルサイトかコールセンターでご確認ください。"


def japanese_month(value: dt.date) -> str:
    """「令和6年12月」: the era and month, as the source documents date themselves."""
    if value >= REIWA_START:
        year = value.year - REIWA_START.year + 1
        return f"令和{'元' if year == 1 else year}年{value.month}月"
    return f"{value.year}年{value.month}月"


def japanese_date(value: dt.date) -> str:
    """「令和6年12月9日（2024年）」: the era as in the source documents, the year as on PCs."""
    if value >= REIWA_START:
        return f"{japanese_month(value)}{value.day}日（{value.year}年）"
    return f"{value.year}年{value.month}月{value.day}日"


def as_of_sentence(as_of: dt.date | None) -> str:
    """「令和6年12月時点の情報です。」 ('' when the date is unknown)."""
    return f"{japanese_month(as_of)}時点の情報です。" if as_of else ""


def stale_sentence(as_of: dt.date | None) -> str:
    """The notice for an article past its review date."""
    when = f"{japanese_month(as_of)}時点" if as_of else "作成時点"
    return f"この回答は{when}の情報で、その後変わっている可能性があります。{WHERE_TO_CHECK}"


def source_date(value: str) -> str:
    """A source's date as written (YYYY-MM-DD or YYYY-MM) in Japanese: 「令和6年9月」 for a month."""
    parts = [int(part) for part in value.split("-")]
    day = dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    return japanese_date(day) if len(parts) > 2 else japanese_month(day)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """An article in the editors' review queue."""

    article_id: str
    title: str
    review_by: dt.date
    stale: bool  # past review_by
    superseded: bool  # cites a source that a newer one replaces
    views: int  # recent views (the caller says over which days)


def review_queue(
    articles, today: dt.date, within_days: int, views: dict[str, int], superseded: set[str]
) -> list[ReviewItem]:
    """Articles to confirm against current official information: those citing a superseded
    source first, then the stale and the due within `within_days` days, most viewed first.

    `articles`: kb.articles.Article values; `views`: recent views by article id;
    `superseded`: ids of articles citing a superseded source.
    """
    items = [
        ReviewItem(
            article.id,
            article.title,
            article.review_by,
            article.stale(today),
            article.id in superseded,
            views.get(article.id, 0),
        )
        for article in articles
        if article.id in superseded or article.review_due(today, within_days)
    ]
    return sorted(
        items, key=lambda item: (not item.superseded, -item.views, item.review_by, item.article_id)
    )
