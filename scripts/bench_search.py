#!/usr/bin/env python3
"""Search speed: index build time, warm query latency, memory — ours and both baselines.

    .venv/bin/python scripts/bench_search.py [--queries 2000]
    .venv/bin/python scripts/bench_search.py --scale 1,10,100 [--queries 2000]

- build: the real articles, and a synthetic corpus ten times larger (each article repeated
  with its sentences shuffled and a suffix on its id), so growth can be seen;
- latency: warm queries (after one pass) over the articles' own queries, titles and tags,
  cycled to --queries, p50/p95/p99 in milliseconds, on the 10× corpus too;
- memory: peak RSS of a fresh process that loads the engine and runs the queries.
Each engine runs in its own process so that one's memory does not count for another.
Also times the real on-disk reindex (kb.library: write a new generation and swap it in).

With --scale, the synthetic corpus at each factor for ours, SQLite FTS5 and tantivy fed the
terms of our own analyzer (the practical limit of the engine; tantivy is in the dev extra),
side by side in one run: build seconds, p50/p95/p99 ms, peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_engines import ENGINES, ROOT, SPEED_ENGINES  # noqa: E402

from kb.articles import Article, load_articles  # noqa: E402


def synthetic_corpus(
    articles: dict[str, Article], factor: int, seed: int = 7
) -> dict[str, Article]:
    rng = random.Random(seed)
    corpus: dict[str, Article] = {}
    for copy in range(factor):
        for article in articles.values():
            lines = [line for line in article.body.splitlines() if line.strip()]
            if copy:
                rng.shuffle(lines)
            new_id = article.id if copy == 0 else f"{article.id}-{copy}"
            related = tuple(r for r in article.related) if copy == 0 else ()
            corpus[new_id] = replace(article, id=new_id, body="\n\n".join(lines), related=related)
    return corpus


def workload(articles: dict[str, Article], count: int) -> list[str]:
    base = [q for a in articles.values() for q in (*a.queries, a.title, " ".join(a.tags[:2]))]
    return [base[i % len(base)] for i in range(count)]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


ALL_ENGINES = list(dict.fromkeys([*ENGINES, *SPEED_ENGINES]))


def run_one(engine_index: int, factor: int, query_count: int) -> dict:
    """Runs inside a child process: build, warm up, time queries, report peak memory."""
    articles = load_articles(ROOT / "kb" / "articles").articles
    corpus = synthetic_corpus(articles, factor) if factor > 1 else articles
    engine_class = ALL_ENGINES[engine_index]
    started = time.perf_counter()
    engine = engine_class(corpus)
    build_seconds = time.perf_counter() - started
    queries = workload(articles, query_count)
    for query in queries[: min(len(queries), 300)]:
        engine.search(query)
    timings = []
    for query in queries:
        started = time.perf_counter()
        engine.search(query, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "engine": engine_class.name,
        "docs": len(corpus),
        "build_s": build_seconds,
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99),
        "queries": len(timings),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def time_reindex() -> float:
    """Seconds for kb.library to write and swap in a fresh on-disk generation (analyzer warm)."""
    from kb.library import KnowledgeBase

    with tempfile.TemporaryDirectory() as folder:
        library = KnowledgeBase(ROOT / "kb" / "articles", Path(folder) / "index")
        library.refresh(force=True)  # warm: Sudachi dictionary loaded, articles cached by the OS
        started = time.perf_counter()
        library.refresh(force=True)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument(
        "--scale",
        type=lambda value: [int(part) for part in value.split(",")],
        help="factors of the synthetic corpus, e.g. 1,10,100: ours, FTS5 and tantivy only",
    )
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(*args.child)))
        return 0

    factors = args.scale or [1, 10]
    engines = SPEED_ENGINES if args.scale else ENGINES
    rows = []
    for factor in factors:
        for index in (ALL_ENGINES.index(engine) for engine in engines):
            output = subprocess.run(
                [sys.executable, __file__, "--child", str(index), str(factor), str(args.queries)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            rows.append(json.loads(output.strip().splitlines()[-1]))

    print(
        f"{'engine':<24}{'docs':>6}{'build s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'RSS MiB':>9}"
    )
    for row in rows:
        print(
            f"{row['engine']:<24}{row['docs']:>6}{row['build_s']:>9.3f}{row['p50_ms']:>9.2f}"
            f"{row['p95_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['peak_rss_mib']:>9.0f}"
        )
    print(f"\nwarm queries per run: {rows[0]['queries']}")
    if not args.scale:
        print(
            "full on-disk reindex of the real articles (kb reindex work, warm): "
            f"{time_reindex():.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
