"""The knowledge base: a real index of the real articles, built once, and its search engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb import ARTICLES_DIR
from kb.library import KnowledgeBase
from tests.support import FIXTURES


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """The real articles, indexed once per test run (read-only for tests)."""
    path = tmp_path_factory.mktemp("index")
    KnowledgeBase(ARTICLES_DIR, path).refresh()
    return path


@pytest.fixture(scope="session")
def knowledge(index_dir) -> KnowledgeBase:
    return KnowledgeBase(ARTICLES_DIR, index_dir)


@pytest.fixture(scope="session")
def engine(knowledge):
    return knowledge.engine()


@pytest.fixture
def article_tree(tmp_path) -> Path:
    """A small valid article tree a test may break."""
    folder = tmp_path / "articles"
    shutil.copytree(FIXTURES / "articles" / "valid", folder)
    return folder


@pytest.fixture(scope="session")
def top_ids():
    """`top_ids(engine, query, n=3, **search_options)`: the ids of the first `n` hits."""

    def top_ids(engine, query: str, n: int = 3, **kwargs) -> list[str]:
        return [hit.id for hit in engine.search(query, limit=n, highlight=False, **kwargs).hits]

    return top_ids
