#!/usr/bin/env python3
"""Search quality on a TSV of (query, expected article id): Recall@1, Recall@3, MRR, and misses.

Evaluates our engine and the two baselines on the same articles, side by side:

    .venv/bin/python scripts/eval_search.py ../shared/eval/search-dev.tsv [--articles DIR]

Rows whose `expected` is `-` (out of scope) are left out of the recall. When the TSV has a
`style` column, R@1 / R@3 are also printed per style for every engine.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_engines import ENGINES, ROOT  # noqa: E402

from kb.articles import load_articles  # noqa: E402


@dataclass
class Score:
    recall_1: float = 0.0
    recall_3: float = 0.0
    mrr: float = 0.0
    misses: list[tuple[str, str, int | None, list[str]]] = field(default_factory=list)


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """(query, expected, style) of every answerable row."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["query"], row["expected"], row.get("style") or "")
            for row in csv.DictReader(handle, delimiter="\t")
            if row["expected"] != "-"
        ]


def evaluate(engine, cases: list[tuple[str, str, str]]) -> Score:
    score = Score()
    for query, expected, _style in cases:
        ids = engine.search(query, limit=10)
        rank = ids.index(expected) + 1 if expected in ids else None
        score.recall_1 += rank == 1
        score.recall_3 += rank is not None and rank <= 3
        score.mrr += 1 / rank if rank else 0.0
        if rank != 1:
            score.misses.append((query, expected, rank, ids[:3]))
    n = len(cases) or 1
    score.recall_1 /= n
    score.recall_3 /= n
    score.mrr /= n
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", type=Path)
    parser.add_argument("--articles", type=Path, default=ROOT / "kb" / "articles")
    parser.add_argument("--quiet", action="store_true", help="only the table, no list of misses")
    args = parser.parse_args()

    loaded = load_articles(args.articles)
    if loaded.problems:
        print(f"warning: {len(loaded.problems)} article problems (run kb check)", file=sys.stderr)
    cases = read_cases(args.tsv)
    unknown = sorted({expected for _, expected, _ in cases if expected not in loaded.articles})
    if unknown:
        print(f"warning: expected ids with no article: {', '.join(unknown)}", file=sys.stderr)

    engines = {engine.name: engine(loaded.articles) for engine in ENGINES}
    scores = {name: evaluate(engine, cases) for name, engine in engines.items()}
    print(f"{len(cases)} answerable queries, {len(loaded.articles)} articles ({args.tsv})\n")
    print(f"{'engine':<24}{'R@1':>8}{'R@3':>8}{'MRR':>8}")
    for name, score in scores.items():
        print(f"{name:<24}{score.recall_1:>8.3f}{score.recall_3:>8.3f}{score.mrr:>8.3f}")
    styles = sorted({style for _, _, style in cases if style})
    if styles:
        print(f"\n{'style (R@1 / R@3)':<18}" + "".join(f"{name:>24}" for name in engines))
        for style in styles:
            subset = [case for case in cases if case[2] == style]
            cells = [evaluate(engine, subset) for engine in engines.values()]
            line = "".join(f"{f'{c.recall_1:.2f} / {c.recall_3:.2f}':>24}" for c in cells)
            print(f"{f'{style} ({len(subset)})':<18}{line}")
    if not args.quiet:
        for name, score in scores.items():
            print(f"\nmisses at rank 1 — {name}: {len(score.misses)}")
            for query, expected, rank, top in score.misses:
                where = f"rank {rank}" if rank else "not in top 10"
                print(f"  {query}  → expected {expected} ({where}); top: {', '.join(top) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
