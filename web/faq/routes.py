"""The FAQ's pages: the top page, search results, articles with feedback, and categories.

Every page is complete without JavaScript; search-as-you-type (static/js/search-suggest.js)
only adds to the search box.
"""

from __future__ import annotations

import math
import time

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from kb.articles import Article
from kb.categories import CATEGORIES, CATEGORY_BY_ID, Category
from kb.drafts import retired_article
from kb.search import SearchEngine
from web.core import clock
from web.core.knowledge import search_engine
from web.core.security import limiter
from web.core.text_input import QUERY_MAX_CHARS, one_line, query_arg
from web.faq import answer_cache, article_views, feedback
from web.faq.search_log import record_search
from web.settings import current_settings

bp = Blueprint("faq", __name__)

RESULTS_PER_PAGE = 10
MAX_RESULT_PAGES = 20
POPULAR_COUNT = 6
# 「いいえ」 answers send the reader to the contact form; the page says so after the vote.
FEEDBACK_THANKS = {"yes", "no"}


@bp.get("/")
def index():
    engine = search_engine()
    popular = article_views.popular_article_ids_cached(engine.articles, limit=POPULAR_COUNT)
    return render_template(
        "faq/index.html",
        categories=categories_with_counts(engine),
        popular=[engine.articles[article_id] for article_id in popular],
    )


@bp.get("/search")
@limiter.limit(lambda: current_settings().search_rate_limit)
def search():
    engine = search_engine()
    query = query_arg("q")
    category = request.args.get("category") or None
    if category not in CATEGORY_BY_ID:
        category = None  # a stale or mistyped filter: search everything rather than fail
    page = _page_number(request.args.get("page"))

    started = time.perf_counter()
    response = answer_cache.search(query, limit=page * RESULTS_PER_PAGE, category=category)
    elapsed_ms = (time.perf_counter() - started) * 1000
    # Turning a page repeats a search already logged; an empty box is not a question.
    if page == 1 and response.reason != "empty":
        record_search("web", query, response, elapsed_ms, category)

    page_count = max(1, math.ceil(response.total / RESULTS_PER_PAGE))
    page = min(page, page_count)
    shown_query = one_line(query)[:QUERY_MAX_CHARS]
    return render_template(
        "faq/search.html",
        query=shown_query,
        # Headings and the window title quote the query; a long one would push the results away.
        short_query=shown_query if len(shown_query) <= 40 else shown_query[:40] + "…",
        category=category,
        response=response,
        hits=response.hits[(page - 1) * RESULTS_PER_PAGE : page * RESULTS_PER_PAGE],
        page=page,
        page_count=page_count,
        facets=_facets(response.facets),
        categories=categories_with_counts(engine),
    )


@bp.get("/articles/<article_id>")
def article(article_id: str):
    engine = search_engine()
    found = _article_or_404(engine, article_id)
    if request.method == "GET":  # a HEAD (link checkers, monitors) is not a reader
        article_views.record_view(found.id)
    thanks = request.args.get("feedback")
    return _render_article(engine, found, thanks=thanks if thanks in FEEDBACK_THANKS else None)


@bp.post("/articles/<article_id>/feedback")
@limiter.limit(lambda: current_settings().feedback_rate_limit)
def article_feedback(article_id: str):
    engine = search_engine()
    found = _article_or_404(engine, article_id)
    form = feedback.read_form(request.form)
    if not form.valid:
        return _render_article(engine, found, form=form), 400
    if not feedback.store(found.id, form):
        message = "送信できませんでした。時間をおいてもう一度お試しください。"
        return _render_article(engine, found, form=form, store_error=message), 503
    answer = "yes" if form.helpful else "no"
    target = url_for("faq.article", article_id=found.id, feedback=answer, _anchor="feedback")
    return redirect(target, code=303)  # after a POST, a reload must not send it again


@bp.get("/categories/<category_id>")
def category(category_id: str):
    current = CATEGORY_BY_ID.get(category_id)
    if current is None:
        abort(404)
    engine = search_engine()
    return render_template(
        "faq/category.html",
        category=current,
        articles=[a for a in engine.articles.values() if a.category == current.id],
        categories=categories_with_counts(engine),
    )


def _render_article(
    engine: SearchEngine,
    found: Article,
    form: feedback.FeedbackForm | None = None,
    thanks: str | None = None,
    store_error: str | None = None,
):
    return render_template(
        "faq/article.html",
        article=found,
        category=CATEGORY_BY_ID[found.category],
        body_html=Markup(answer_cache.article_html(found)),  # sanitized by nh3 in kb.rendering
        related=engine.related(found.id),
        structured_data=faq_page_data(found),
        form=form,
        thanks=thanks,
        store_error=store_error,
        comment_max_chars=feedback.COMMENT_MAX_CHARS,
        stale=found.stale(clock.today()),
    )


def _article_or_404(engine: SearchEngine, article_id: str) -> Article:
    """The article; 410 with a link to its successor when it was retired; else 404."""
    found = engine.articles.get(article_id)
    if found is None:
        retired = retired_article(current_settings().articles_dir, article_id)
        if retired is not None:
            successor = engine.articles.get(retired.replaced_by or "")
            page = render_template("faq/retired.html", retired=retired, successor=successor)
            abort(Response(page, status=410, mimetype="text/html"))
        abort(404)
    return found


def categories_with_counts(engine: SearchEngine) -> list[tuple[Category, int]]:
    counts: dict[str, int] = {}
    for item in engine.articles.values():
        counts[item.category] = counts.get(item.category, 0) + 1
    return [(each, counts.get(each.id, 0)) for each in CATEGORIES]


def _facets(counts: dict[str, int]) -> list[tuple[Category, int]]:
    """The categories that have results, in the site's category order."""
    return [(each, counts[each.id]) for each in CATEGORIES if counts.get(each.id)]


def _page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_RESULT_PAGES)


def faq_page_data(found: Article) -> dict:
    """schema.org FAQPage for the article (rendered with |tojson, so it is JSON-escaped)."""
    url = url_for("faq.article", article_id=found.id, _external=True)
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": url,
        "inLanguage": "ja",
        "dateModified": found.updated.isoformat(),
        "mainEntity": [
            {
                "@type": "Question",
                "name": found.title,
                "acceptedAnswer": {"@type": "Answer", "text": found.answer, "url": url},
            }
        ],
    }
