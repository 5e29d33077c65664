"""The knowledge base: articles, Japanese analysis, the search index and search.

A plain library: no Flask, no database. Articles in, ranked answers out.
"""

from pathlib import Path

ARTICLES_DIR = Path(__file__).parent / "articles"
