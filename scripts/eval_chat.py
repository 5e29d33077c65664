#!/usr/bin/env python3
"""How often the chat answers a one-line question with the article a search set expects.

    .venv/bin/python scripts/eval_chat.py FILE.tsv [FILE.tsv ...] [--misses]

The files are the search sets (columns `query`, `expected`). Each question opens a new
conversation; it counts as answered when the chat replies with the expected article first (a
rule's answer or a confident search), and the kinds of reply are tallied, so a rule that fires
on the wrong question or thresholds that give up too early show up here before a caller sees
them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.engine import ChatState  # noqa: E402
from kb import ARTICLES_DIR  # noqa: E402
from kb.library import KnowledgeBase  # noqa: E402
from web import settings  # noqa: E402
from web.chat.service import build_engine  # noqa: E402

# A weekday morning: the call centre is open, which no answer here depends on.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--misses", action="store_true", help="list every question not answered")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        library = KnowledgeBase(ARTICLES_DIR, Path(folder))
        library.refresh()
        search_engine = library.engine()
        engine = build_engine(search_engine, settings.load())
        answered = total = 0
        kinds: Counter = Counter()
        misses = []
        for path in arguments.files:
            with path.open(encoding="utf-8") as rows:
                for row in csv.DictReader(rows, delimiter="\t"):
                    reply, _ = engine.reply(ChatState(), row["query"], NOW)
                    total += 1
                    kinds[reply.kind] += 1
                    first = reply.article_ids[0] if reply.article_ids else None
                    if reply.kind != "choices" and first == row["expected"]:
                        answered += 1
                    else:
                        misses.append((row["query"], row["expected"], reply))

    print(
        f"{total} questions: answered with the expected article {answered} ({answered / total:.3f})"
    )
    print("replies by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    if arguments.misses:
        for query, expected, reply in misses:
            print(f"  {query}  → {reply.kind} {list(reply.article_ids[:3])} (expected {expected})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
