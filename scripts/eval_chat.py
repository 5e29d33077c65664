"""Ask the chat labelled questions and conversations, and score it strictly.

    python scripts/eval_chat.py scripts/eval/chat-questions.tsv [more.tsv …] \
        [--conversations scripts/eval/chat-conversations.json] [--misses]

Questions (TSV with `query`, `expected`, optional `style`): each asked in a new conversation.
`expected` is the article that must be the answer, or `-` for a question this helpdesk does
not cover. Strict: an article counts only when the reply *answers* with it (not when it is one
of several choices). Printed per style:
- right: answered with the expected article;
- wrong: answered with another article (the trust failure);
- out of scope kept out: a `-` question not answered with any article.
Then a reliability table: for each confidence level, how often the top article was right.

Conversations (JSON, as scripts/eval/chat-conversations.json): a turn is right when the
reply's kind is the expected one (or one of a list) and, where given, its article is the
expected one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.engine import ChatState  # noqa: E402
from kb import ARTICLES_DIR  # noqa: E402
from kb.library import KnowledgeBase  # noqa: E402
from web import settings  # noqa: E402
from web.chat.service import build_engine  # noqa: E402

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
# Reply kinds that present an article as the answer (before the chat issue, a confident
# search hit was its own kind, "search").
ANSWERING = {"answer", "search"}


def answered_with(reply) -> str | None:
    if reply.kind in ANSWERING and reply.article_ids:
        return reply.article_ids[0]
    return None


def score_questions(engine, paths: list[Path], misses: bool) -> None:
    by_style: dict[str, Counter] = defaultdict(Counter)
    reliability: dict[str, Counter] = defaultdict(Counter)
    kinds: Counter = Counter()
    missed = []
    for path in paths:
        with path.open(encoding="utf-8") as rows:
            for row in csv.DictReader(rows, delimiter="\t"):
                reply, _ = engine.reply(ChatState(), row["query"], NOW)
                style = row.get("style") or path.stem
                expected = row["expected"]
                got = answered_with(reply)
                kinds[reply.kind] += 1
                counts = by_style[style]
                level = getattr(reply, "confidence", None) or "-"
                if expected == "-":
                    counts["oos"] += 1
                    counts["oos_kept_out"] += got is None
                    reliability[level]["oos"] += 1
                else:
                    counts["answerable"] += 1
                    counts["right"] += got == expected
                    counts["wrong"] += got is not None and got != expected
                    top = reply.article_ids[0] if reply.article_ids else None
                    reliability[level]["answerable"] += 1
                    reliability[level]["top_right"] += top == expected
                if got != (None if expected == "-" else expected):
                    missed.append((row["query"], expected, reply))
    total = Counter()
    print(f"{'style':<14}{'answerable':>11}{'right':>8}{'wrong':>8}{'oos':>6}{'kept out':>10}")
    for style, counts in sorted(by_style.items()):
        total.update(counts)
        _row(style, counts)
    _row("all", total)
    print("replies by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print("\nreliability: confidence → answerable questions whose top article is right; oos")
    for level, counts in sorted(reliability.items()):
        share = counts["top_right"] / counts["answerable"] if counts["answerable"] else 0.0
        print(
            f"  {level:<10} {counts['top_right']:>4}/{counts['answerable']:<4} ({share:.3f})"
            f"   out of scope {counts['oos']}"
        )
    if misses:
        for query, expected, reply in missed:
            print(
                f"  {query}  → {reply.kind}/{reply.intent}/{reply.confidence} "
                f"{list(reply.article_ids[:3])} (expected {expected})"
            )


def _row(style: str, counts: Counter) -> None:
    answerable, oos = counts["answerable"], counts["oos"]
    right = f"{counts['right'] / answerable:.3f}" if answerable else "—"
    wrong = f"{counts['wrong'] / answerable:.3f}" if answerable else "—"
    kept = f"{counts['oos_kept_out'] / oos:.3f}" if oos else "—"
    print(f"{style:<14}{answerable:>11}{right:>8}{wrong:>8}{oos:>6}{kept:>10}")


def score_conversations(engine, path: Path, misses: bool) -> None:
    cases = json.loads(path.read_text(encoding="utf-8"))
    turns = right = 0
    by_style: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        state = ChatState()
        for turn in case["turns"]:
            reply, state = engine.reply(state, turn["say"], NOW)
            kinds = turn.get("kind")
            kinds = [kinds] if isinstance(kinds, str) else kinds
            ok = (kinds is None or _kind(reply) in kinds) and (
                "article" not in turn or answered_with(reply) == turn["article"]
            )
            if "handoff" in turn:
                ok = ok and reply.handoff is turn["handoff"]
            turns += 1
            right += ok
            by_style[case.get("style", "-")]["turns"] += 1
            by_style[case.get("style", "-")]["right"] += ok
            if misses and not ok:
                print(
                    f"  [{case['name']}] {turn['say']} → {_kind(reply)} "
                    f"{reply.article_ids[:1]} (expected {kinds} {turn.get('article', '')})"
                )
    print(f"\nconversations: {len(cases)}, turns right {right}/{turns} ({right / turns:.3f})")
    for style, counts in sorted(by_style.items()):
        print(f"  {style:<14}{counts['right']:>4}/{counts['turns']:<4}")


def _kind(reply) -> str:
    # Before the chat issue the kinds were search (a confident hit), fallback and no
    # out_of_scope; read them as today's names so that before and after compare.
    return {"search": "answer"}.get(reply.kind, reply.kind)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--conversations", type=Path, action="append", default=[])
    parser.add_argument("--misses", action="store_true", help="list every turn not right")
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        library = KnowledgeBase(ARTICLES_DIR, Path(folder))
        library.refresh()
        engine = build_engine(library.engine(), settings.load())
        if arguments.files:
            score_questions(engine, arguments.files, arguments.misses)
        for path in arguments.conversations:
            score_conversations(engine, path, arguments.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
