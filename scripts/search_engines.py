"""The search engines compared by eval_search.py and bench_search.py, behind one interface.

- ours: the project's engine (Sudachi analyzer + Whoosh BM25F + coverage bonus)
- whoosh-bigram: Whoosh with character bigrams of the NFKC text, same fields and weights
- fts5-trigram: SQLite FTS5 with the trigram tokenizer, bm25() with the same field weights

The baselines get the same articles, fields and field weights, so the difference measured is
the analysis: literal character n-grams against morphological analysis with synonyms.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import scoring  # noqa: E402
from whoosh.analysis import NgramTokenizer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.query import Or, Term  # noqa: E402

from kb.articles import Article  # noqa: E402
from kb.index import _PrivateRamStorage, article_document, memory_index  # noqa: E402
from kb.normalization import normalize  # noqa: E402
from kb.ranking import FIELD_WEIGHTS  # noqa: E402
from kb.search import SearchEngine, clean_query  # noqa: E402

FIELDS = tuple(FIELD_WEIGHTS)


class OurEngine:
    name = "ours (Sudachi+Whoosh)"

    def __init__(self, articles: dict[str, Article]):
        self.engine = SearchEngine(memory_index(articles))

    def search(self, query: str, limit: int = 10) -> list[str]:
        return [hit.id for hit in self.engine.search(query, limit=limit, highlight=False).hits]


def _bigrams(text: str) -> list[str]:
    text = "".join(normalize(text).split())
    return list(dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1)))


class _NormalizingBigrams(NgramTokenizer):
    def __call__(self, value, **kwargs):
        return super().__call__(normalize(value), **kwargs)


class WhooshBigramEngine:
    name = "Whoosh bigram"

    def __init__(self, articles: dict[str, Article]):
        analyzer = _NormalizingBigrams(2, 2)
        schema = Schema(
            id=ID(stored=True), **{name: TEXT(analyzer=analyzer, phrase=False) for name in FIELDS}
        )
        self.index = _PrivateRamStorage().create_index(schema)
        writer = self.index.writer()
        for article in articles.values():
            document = article_document(article)
            writer.add_document(id=article.id, **{name: document[name] for name in FIELDS})
        writer.commit()
        self.searcher = self.index.searcher(weighting=scoring.BM25F(B=0.6, K1=1.2))

    def search(self, query: str, limit: int = 10) -> list[str]:
        cleaned, _ = clean_query(query)
        grams = _bigrams(cleaned)
        if not grams:
            return []
        subqueries = [
            Term(name, gram, boost=weight)
            for gram in grams
            for name, weight in FIELD_WEIGHTS.items()
        ]
        return [hit["id"] for hit in self.searcher.search(Or(subqueries), limit=limit)]


class Fts5TrigramEngine:
    name = "SQLite FTS5 trigram"

    def __init__(self, articles: dict[str, Article]):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        columns = ", ".join(FIELDS)
        self.db.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, {columns}, tokenize='trigram')"
        )
        rows = []
        for article in articles.values():
            document = article_document(article)
            rows.append((article.id, *(normalize(document[name]) for name in FIELDS)))
        self.db.executemany(f"INSERT INTO docs VALUES (?, {', '.join('?' * len(FIELDS))})", rows)
        self.weights = ", ".join(str(FIELD_WEIGHTS[name]) for name in FIELDS)

    def search(self, query: str, limit: int = 10) -> list[str]:
        cleaned, _ = clean_query(query)
        text = "".join(normalize(cleaned).split())
        grams = list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))
        if not grams:
            return []
        match = " OR ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
        sql = (
            f"SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, {self.weights}) LIMIT ?"
        )
        return [row[0] for row in self.db.execute(sql, (match, limit))]


ENGINES = (OurEngine, WhooshBigramEngine, Fts5TrigramEngine)


class TantivyOurTokensEngine:
    """tantivy (Rust), fed the terms of our own analyzer: the same tokens in and out, so what
    differs is the engine alone — the practical limit for our query cost (bench only; tantivy
    is a dev dependency)."""

    name = "tantivy (our tokens)"

    def __init__(self, articles: dict[str, Article]):
        import tantivy

        from kb.analysis import term_texts

        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in FIELDS:
            builder.add_text_field(name, tokenizer_name="whitespace")
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer()
        for article in articles.values():
            document = article_document(article)
            fields = {name: " ".join(term_texts(document[name])) for name in FIELDS}
            writer.add_document(tantivy.Document(id=article.id, **fields))
        writer.commit()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.term_texts = term_texts

    def search(self, query: str, limit: int = 10) -> list[str]:
        tantivy = self.tantivy
        cleaned, _ = clean_query(query)
        terms = list(dict.fromkeys(self.term_texts(cleaned)))
        if not terms:
            return []
        clauses = [
            (tantivy.Occur.Should,
             tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, name, term), weight))
            for term in terms for name, weight in FIELD_WEIGHTS.items()
        ]  # fmt: skip
        hits = self.searcher.search(tantivy.Query.boolean_query(clauses), limit).hits
        return [self.searcher.doc(address)["id"][0] for _, address in hits]


# The engines of the speed comparison at scale (scripts/bench_search.py --scale).
SPEED_ENGINES = (OurEngine, Fts5TrigramEngine, TantivyOurTokensEngine)
