"""Machine-readable views of the FAQ: /sitemap.xml for search engines, /feed.atom for updates.

Both are rendered from Jinja templates ending in .xml, so Flask's autoescape applies to every
title and answer; URLs are absolute because both formats require it.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, render_template, url_for

from kb.categories import CATEGORIES
from web.core import clock
from web.core.knowledge import search_engine
from web.faq import answer_cache

bp = Blueprint("feeds", __name__)

FEED_ENTRIES = 20


@bp.get("/sitemap.xml")
def sitemap():
    articles = list(search_engine().articles.values())
    newest = max((a.updated for a in articles), default=None)
    entries = [(url_for("faq.index", _external=True), newest)]
    entries += [
        (url_for("faq.category", category_id=category.id, _external=True), None)
        for category in CATEGORIES
    ]
    entries += [
        (url_for("faq.article", article_id=a.id, _external=True), a.updated) for a in articles
    ]
    xml = render_template("faq/sitemap.xml", entries=entries)
    return Response(xml, mimetype="application/xml")


@bp.get("/feed.atom")
def atom_feed():
    articles = sorted(search_engine().articles.values(), key=lambda a: (a.updated, a.id))
    newest_first = list(reversed(articles))[:FEED_ENTRIES]
    xml = render_template(
        "faq/feed.xml",
        entries=[
            {
                "article": a,
                "url": url_for("faq.article", article_id=a.id, _external=True),
                "updated": atom_time(a.updated),
                "html": answer_cache.article_html(a),
            }
            for a in newest_first
        ],
        feed_url=url_for("feeds.atom_feed", _external=True),
        site_url=url_for("faq.index", _external=True),
        updated=atom_time(newest_first[0].updated) if newest_first else atom_time(clock.today()),
    )
    return Response(xml, mimetype="application/atom+xml")


def atom_time(day: dt.date) -> str:
    """An article's date as the RFC 3339 time Atom requires: the start of that day in Japan."""
    return clock.start_of_day(day).isoformat()


@bp.get("/robots.txt")
def robots():
    # The console is behind a login anyway; keeping crawlers out of it keeps its login page out
    # of search results, and the sitemap lists every public page.
    lines = [
        "User-agent: *",
        "Disallow: /console/",
        "Disallow: /api/",
        f"Sitemap: {url_for('feeds.sitemap', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
