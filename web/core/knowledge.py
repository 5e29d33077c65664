"""The app's handle on the knowledge base: one KnowledgeBase per process, refreshed at start."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from kb.analysis import use_synonyms
from kb.library import KnowledgeBase
from kb.search import SearchEngine

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    use_synonyms(settings.synonyms_file)
    library = KnowledgeBase(
        settings.articles_dir, settings.resolved_index_dir, sources_dir=settings.sources_dir
    )
    app.extensions["kb"] = library
    if settings.refresh_index_on_start:
        report = library.refresh()
        if report.built:
            log.info("索引を作り直しました: %s", report.generation)
        for problem in report.problems:
            log.error("%s", problem)
        # Each worker copies the index into memory now, so damage to the files later never
        # reaches a worker that has not searched yet.
        library.engine()


def knowledge_base() -> KnowledgeBase:
    return current_app.extensions["kb"]


def search_engine() -> SearchEngine:
    return knowledge_base().engine()
