"""Liveness for load balancers and monitoring: is content loaded, how old is the index, how much
of the content is past its review date, and whether an article is broken.

`degraded` (still HTTP 200: the site answers from the last good content) when the articles on
disk have problems; 503 only when no index can be opened at all.
"""

from flask import Blueprint, jsonify

from web.core import clock
from web.core.knowledge import knowledge_base

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    library = knowledge_base()
    try:
        engine = library.engine()
    except Exception:
        return jsonify(status="error", message="索引を開けません"), 503
    today = clock.today()
    problems = len(library.problems)
    return jsonify(
        status="degraded" if problems else "ok",
        article_problems=problems,
        stale_articles=sum(article.stale(today) for article in engine.articles.values()),
        **library.status(),
    )
