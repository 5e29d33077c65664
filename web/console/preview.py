"""Article preview for editors: any article of the working tree, as the site would show it.

The articles are read from ARTICLES_DIR on every request (an editor sees unpublished edits),
with the article's `kb check` problems and where each of its `queries:` ranks it. Checking
takes a second or two, so the result is kept per content fingerprint (the same fingerprint
the live index uses): the work is redone only when an article, the synonyms or the analyzer
changed.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app, make_response, render_template
from markupsafe import Markup

from kb.articles import Article, LoadResult, load_articles
from kb.categories import CATEGORIES, CATEGORY_BY_ID
from kb.check import TOP_N, QueryRank, check_articles, query_ranks
from kb.index import content_fingerprint, memory_index
from kb.problems import Problem
from kb.rendering import render_markdown
from kb.search import SearchEngine
from web.accounts.auth import roles_required
from web.console import bp
from web.core import clock
from web.core.security import frameable
from web.faq.feedback import COMMENT_MAX_CHARS
from web.faq.routes import faq_page_data
from web.settings import current_settings

ARTICLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_lock = threading.Lock()


@dataclass(slots=True)
class WorkingTree:
    fingerprint: str
    directory: Path
    loaded: LoadResult
    problems: list[Problem]
    engine: SearchEngine | None
    _ranks: dict[str, list[QueryRank]] = field(default_factory=dict)

    def problems_for(self, path: Path) -> list[Problem]:
        target = path.resolve()
        return [p for p in self.problems if Path(p.path).resolve() == target]

    def ranks_for(self, article: Article) -> list[QueryRank]:
        if self.engine is None:
            return []
        if article.id not in self._ranks:
            self._ranks[article.id] = query_ranks(article, self.engine)
        return self._ranks[article.id]

    def files(self) -> list[Path]:
        return sorted(self.directory.glob("*.md"))


def working_tree() -> WorkingTree:
    settings = current_settings()
    directory, sources_dir = settings.articles_dir, settings.sources_dir
    fingerprint = content_fingerprint(directory, sources_dir)
    cached = current_app.extensions.get("console_preview")
    if cached is not None and cached.fingerprint == fingerprint:
        return cached
    with _lock:
        cached = current_app.extensions.get("console_preview")
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        loaded = load_articles(directory, sources_dir)
        problems = check_articles(
            directory, sources_dir, settings.review_interval_days, loaded=loaded
        )
        engine = SearchEngine(memory_index(loaded.articles)) if loaded.articles else None
        tree = WorkingTree(fingerprint, directory, loaded, problems, engine)
        # The old tree is dropped, not closed: a request may still be using it.
        current_app.extensions["console_preview"] = tree
        return tree


@bp.get("/preview/")
@roles_required("editor")
def preview_index():
    tree = working_tree()
    loaded_paths = {article.path.resolve() for article in tree.loaded.articles.values()}
    rows = [
        (article, len(tree.problems_for(article.path))) for article in tree.loaded.articles.values()
    ]
    by_category = [
        (category, [row for row in rows if row[0].category == category.id])
        for category in CATEGORIES
    ]
    broken = [path for path in tree.files() if path.resolve() not in loaded_paths]
    return render_template(
        "console/preview_index.html",
        by_category=by_category,
        broken=[(path, tree.problems_for(path)) for path in broken],
        problem_count=len(tree.problems),
        article_count=len(tree.loaded.articles),
    )


@bp.get("/preview/<article_id>")
@roles_required("editor")
def preview(article_id: str):
    if not ARTICLE_ID.match(article_id):
        abort(404)
    tree = working_tree()
    article = tree.loaded.articles.get(article_id)
    if article is None:
        path = tree.directory / f"{article_id}.md"
        if not path.is_file():
            abort(404)
        # A file that does not load: its problems and its text, so the editor can fix it.
        return render_template(
            "console/preview_broken.html",
            article_id=article_id,
            path=path,
            problems=tree.problems_for(path),
            source=path.read_text(encoding="utf-8", errors="replace"),
        )
    context = {
        "problems": tree.problems_for(article.path),
        "ranks": tree.ranks_for(article),
        "top_n": TOP_N,
        "preview_path": article.path.name,
    }
    # Also the editor's preview frame before the first keystroke (web.console.editor).
    return frameable(
        make_response(
            render_template(
                "console/preview_article.html", **site_context(tree.engine, article), **context
            )
        )
    )


def site_context(engine: SearchEngine | None, article: Article) -> dict:
    """What the FAQ's article template needs: the preview is the site's own page. `engine`:
    the articles the preview is among (its related articles)."""
    return {
        "article": article,
        "category": CATEGORY_BY_ID[article.category],
        "body_html": Markup(render_markdown(article.body)),  # sanitized by nh3 in kb.rendering
        "related": engine.related(article.id) if engine else [],
        "structured_data": faq_page_data(article),
        "form": None,
        "thanks": None,
        "store_error": None,
        "comment_max_chars": COMMENT_MAX_CHARS,
        "stale": article.stale(clock.today()),
    }
