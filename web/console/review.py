"""The editors' review queue: articles to confirm against current official information.

Articles citing a superseded source come first, then those past their `review_by` or due within
`review_warning_days`, most viewed (last 30 days) first. `kb review` prints the same list.
"""

from __future__ import annotations

from flask import render_template

from kb.freshness import ReviewItem, review_queue
from web.accounts.auth import roles_required
from web.console import bp
from web.core import clock
from web.core.knowledge import knowledge_base, search_engine
from web.faq.article_views import POPULAR_WINDOW_DAYS, view_counts
from web.settings import current_settings


def current_queue() -> list[ReviewItem]:
    """The queue as of today, from the live articles and the view counts."""
    articles = search_engine().articles
    superseded = {
        article.id
        for article in articles.values()
        for warning in knowledge_base().warnings
        if warning.path == article.path
    }
    return review_queue(
        articles.values(),
        clock.today(),
        current_settings().review_warning_days,
        view_counts(POPULAR_WINDOW_DAYS),
        superseded,
    )


@bp.get("/review")
@roles_required("editor")
def review():
    return render_template(
        "console/review.html",
        items=current_queue(),
        within_days=current_settings().review_warning_days,
        window_days=POPULAR_WINDOW_DAYS,
    )
