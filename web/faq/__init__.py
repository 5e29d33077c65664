"""The public FAQ: top page, search, articles with feedback, categories, feeds and sitemap.

Its services are used by the API and the chat too: `answer_cache` (searches and rendered
articles per index), `search_log` (what people asked), `article_views` (what they read).
Every page is complete without JavaScript; search-as-you-type only adds to the search box.
"""

from __future__ import annotations

from flask import Flask

from kb.categories import CATEGORIES, category_label
from kb.freshness import as_of_sentence, japanese_date, japanese_month, source_date, stale_sentence
from web.core import clock


def init_app(app: Flask) -> None:
    from web.faq import article_views, feeds, highlight, routes, search_log

    search_log.init_app(app)
    article_views.init_app(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(feeds.bp)
    app.add_template_filter(japanese_date, "japanese_date")
    app.add_template_filter(japanese_month, "japanese_month")
    app.add_template_filter(as_of_sentence, "as_of_sentence")
    app.add_template_filter(stale_sentence, "stale_sentence")
    app.add_template_filter(source_date, "source_date")
    # Search results: the words that matched, in <mark> (kb gives the spans, HTML is made here).
    app.add_template_filter(highlight.marked, "marked")
    # Lists, search results and articles say whether they are past their review date today
    # (a global, so imported macros see it too).
    app.jinja_env.globals["today"] = clock.today
    app.add_template_filter(category_label, "category_label")
    # The error pages (any blueprint's 404) offer the categories next to the search box.
    app.context_processor(lambda: {"site_categories": CATEGORIES})
