#!/usr/bin/env python3
"""Index build speed: full builds (cold and warm analysis cache) and one-article reindexes.

    .venv/bin/python scripts/bench_build.py [--scale 1,10,100] [--edits 5]

For each factor of the synthetic corpus of bench_search.py (the real articles repeated with
their sentences shuffled), in a fresh process, on disk, as `kb reindex` writes it (kb.index):
- cold: a full build with an empty analysis cache (every article analyzed);
- warm: a full build again, every article's analysis taken from the cache;
- reindex: one article's body changed, then `IndexStore.publish` (incremental), --edits times
  with a different article each time: the median and the slowest;
- open: what a web worker then spends loading the new generation (SearchEngine over it).
Seconds of wall time; the machine's other work counts, so compare the best of several runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import synthetic_corpus  # noqa: E402
from search_engines import ROOT  # noqa: E402

from kb.articles import load_articles  # noqa: E402
from kb.index import IndexStore  # noqa: E402
from kb.search import SearchEngine  # noqa: E402


def run_one(factor: int, edits: int) -> dict:
    """Runs inside a child process: the timings of one corpus size."""
    articles = load_articles(ROOT / "kb" / "articles").articles
    corpus = synthetic_corpus(articles, factor) if factor > 1 else articles
    with tempfile.TemporaryDirectory() as folder:
        store = IndexStore(Path(folder) / "index")
        started = time.perf_counter()
        store.build(corpus, "cold")
        cold = time.perf_counter() - started
        started = time.perf_counter()
        store.build(corpus, "warm")
        warm = time.perf_counter() - started
        reindex = []
        ids = list(corpus)
        for edit in range(edits):
            article_id = ids[(edit * 7919) % len(ids)]
            article = corpus[article_id]
            corpus = {**corpus, article_id: replace(article, body=f"{article.body}\n\n追記 {edit}")}
            started = time.perf_counter()
            published = store.publish(corpus, f"edit {edit}")
            reindex.append(time.perf_counter() - started)
            if not published.incremental:
                raise SystemExit(f"edit {edit} was not incremental")
        started = time.perf_counter()
        SearchEngine(store.open())
        opened = time.perf_counter() - started
    return {
        "docs": len(corpus),
        "cold_s": cold,
        "warm_s": warm,
        "reindex_median_s": statistics.median(reindex) if reindex else float("nan"),
        "reindex_max_s": max(reindex) if reindex else float("nan"),
        "open_s": opened,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=lambda value: [int(part) for part in value.split(",")],
        default=[1, 10, 100],
        help="factors of the synthetic corpus (default 1,10,100)",
    )
    parser.add_argument("--edits", type=int, default=5, help="one-article reindexes per size")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(*args.child)))
        return 0
    print(f"{'docs':>6}{'cold s':>9}{'warm s':>9}{'reindex 1 (median / max) s':>29}{'open s':>9}")
    for factor in args.scale:
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(factor), str(args.edits)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        print(
            f"{row['docs']:>6}{row['cold_s']:>9.2f}{row['warm_s']:>9.2f}"
            f"{row['reindex_median_s']:>20.3f} / {row['reindex_max_s']:.3f}{row['open_s']:>9.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
