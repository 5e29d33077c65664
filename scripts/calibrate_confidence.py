"""Where the confidence thresholds of kb/confidence.py come from: a grid over labelled questions.

    python scripts/calibrate_confidence.py [FILE.tsv …]

Every file is TSV with `query` and `expected` (`-`: out of scope). For each combination of
thresholds it prints, over the answerable questions, the share answered confidently and right,
the share answered confidently and wrong, and how many out-of-scope questions would be
answered confidently or left with no confident match. The chosen row is marked with `*`.
The rule: at most 3 % wrong among the answerable, at most 3 out-of-scope answered, and then
as many right as possible.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import ARTICLES_DIR, confidence  # noqa: E402
from kb.library import KnowledgeBase  # noqa: E402

DEFAULT_SETS = [
    ROOT.parent / "shared/eval/search-dev.tsv",
    ROOT / "scripts/eval/search-extra.tsv",
    ROOT / "scripts/eval/search-messy.tsv",
    ROOT / "scripts/eval/chat-questions.tsv",
]


def features(engine, paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                response = engine.search(row["query"], limit=3, highlight=False, evidence=True)
                hits = response.hits
                top = hits[0] if hits else None
                rows.append(
                    {
                        "expected": row["expected"],
                        "top": top.id if top else None,
                        "coverage": top.coverage if top else 0.0,
                        "margin": hits[1].score / top.score if len(hits) > 1 else 0.0,
                        "neighbour": confidence.names_a_neighbour(row["query"]),
                        "agree": response.views_agree,
                    }
                )
    return rows


def level(row: dict, thresholds: tuple[float, float, float, float, float, float]) -> str:
    confident_coverage, margin, agreed_coverage, agreed_margin, weak_coverage, full_margin = (
        thresholds
    )
    if row["top"] is None or row["neighbour"]:
        return confidence.NONE
    if (
        (row["coverage"] >= confident_coverage and row["margin"] <= margin)
        or (row["agree"] and row["coverage"] >= agreed_coverage and row["margin"] <= agreed_margin)
        or (row["coverage"] >= confidence.FULL_COVERAGE and row["margin"] <= full_margin)
    ):
        return confidence.CONFIDENT
    return confidence.WEAK if row["coverage"] >= weak_coverage else confidence.NONE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_SETS)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        library = KnowledgeBase(ARTICLES_DIR, Path(folder))
        library.refresh()
        rows = features(library.engine(), arguments.files)
    answerable = [r for r in rows if r["expected"] != "-"]
    outside = [r for r in rows if r["expected"] == "-"]
    print(f"{len(answerable)} answerable, {len(outside)} out of scope")
    print(
        "conf.cov  margin  agr.cov  agr.margin  full.margin   right   wrong"
        "  oos-confident  oos-none"
    )
    chosen = (
        confidence.CONFIDENT_COVERAGE,
        confidence.CONFIDENT_MARGIN,
        confidence.AGREED_COVERAGE,
        confidence.AGREED_MARGIN,
        confidence.WEAK_COVERAGE,
        confidence.FULL_MARGIN,
    )
    # Agreement of the views (words, character bigrams) as a second, looser way to be sure;
    # an agreed threshold of 2.0 turns it off (coverage and margin alone).
    grid = itertools.product(
        (0.4, 0.5, 0.6),
        (0.7, 0.8, 0.9),
        (0.3, 0.5, 2.0),
        (0.8, 0.85, 0.9),
        (confidence.WEAK_COVERAGE,),
        # An article that explains every word of the question, with a runner-up this far
        # behind; 0.0 turns it off.
        (0.0, 0.85, 0.9, 0.95),
    )
    for thresholds in sorted(set(grid) | {chosen}):
        levels = [level(r, thresholds) for r in answerable]
        right = sum(
            lv == "confident" and r["top"] == r["expected"]
            for lv, r in zip(levels, answerable, strict=True)
        )
        wrong = sum(
            lv == "confident" and r["top"] != r["expected"]
            for lv, r in zip(levels, answerable, strict=True)
        )
        oos_levels = [level(r, thresholds) for r in outside]
        mark = "*" if thresholds == chosen else " "
        print(
            f"{mark}{thresholds[0]:>7}{thresholds[1]:>8}{thresholds[2]:>9}{thresholds[3]:>12}"
            f"{thresholds[5]:>13}"
            f"{right / len(answerable):>8.3f}{wrong / len(answerable):>8.3f}"
            f"{oos_levels.count('confident'):>15}{oos_levels.count('none'):>10}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
