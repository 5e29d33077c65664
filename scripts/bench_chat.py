#!/usr/bin/env python3
"""Chat reply latency, and the conversation set's pass count through `kb chat --json`.

    .venv/bin/python scripts/bench_chat.py [--messages 1000] [--api] [--dev-set PATH]

- engine: `Engine.reply` on a warm engine (real index, real Sudachi), messages in conversations
  of five turns: rule examples, the articles' own queries, the YAML test cases, off-topic
  questions and messages with personal data, cycled to --messages; p50/p95/p99/max in ms;
- --api: the same messages through `POST /api/chat` (Flask test client, a migrated SQLite
  database, so reading and storing the conversation is included);
- --dev-set: every conversation of the set through `kb chat --json` (one process each, as the
  test does), printing how many pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from chatbot.engine import ChatState, Engine  # noqa: E402
from chatbot.evaluation import case_failures  # noqa: E402
from kb import ARTICLES_DIR  # noqa: E402
from kb.library import KnowledgeBase  # noqa: E402
from web import settings  # noqa: E402
from web.chat.service import build_engine  # noqa: E402

OFF_TOPIC = ["今日の天気は？", "おすすめのランチ", "ほげほげ", "電車の遅延", "年末調整のやり方"]
PERSONAL = ["マイナンバー123456789018の患者", "折り返しは090-1234-5678へ", "受給者番号1234567の人"]
KINDS: dict[str, int] = {}  # how the measured replies were made (rule, search, …)
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def messages(engine: Engine, count: int, seed: int = 5) -> list[list[str]]:
    pool = [example for intent in engine.rules.intents for example in intent.examples]
    for article in engine.articles.values():
        pool.extend(article.queries)
    for path in sorted((ROOT / "tests" / "chat_cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            pool.extend(turn["say"] for turn in case["turns"])
    pool += OFF_TOPIC + PERSONAL
    pool = [text for text in pool if text.strip()]  # a blank message is a 400, not a reply
    random.Random(seed).shuffle(pool)
    cycled = [pool[i % len(pool)] for i in range(count)]
    return [cycled[i : i + 5] for i in range(0, count, 5)]


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return (
        f"n={len(ordered)}  p50={statistics.median(ordered):.2f} ms  p95={at(0.95):.2f} ms  "
        f"p99={at(0.99):.2f} ms  max={ordered[-1]:.2f} ms"
    )


FIRST_SEEN: list[float] = []  # a message's first reply: no cache of the analyzer helps it


def bench_engine(engine: Engine, conversations: list[list[str]]) -> list[float]:
    samples = []
    seen: set[str] = set()
    FIRST_SEEN.clear()
    for conversation in conversations:
        state = ChatState()
        for message in conversation:
            started = time.perf_counter()
            reply, state = engine.reply(state, message, NOW)
            samples.append((time.perf_counter() - started) * 1000)
            if message not in seen:
                seen.add(message)
                FIRST_SEEN.append(samples[-1])
            KINDS[reply.kind] = KINDS.get(reply.kind, 0) + 1
    return samples


def bench_api(index_dir: Path, conversations: list[list[str]]) -> list[float]:
    from web import create_app
    from web.core.migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="bench-chat-"))
    url = f"sqlite:///{folder / 'helpdesk.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "TESTING": True,
            "instance": folder / "instance",
            "index_dir": index_dir,
            "database_url": url,
            "refresh_index_on_start": False,
            "log_writes_in_background": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    samples = []
    for conversation in conversations:
        session = None
        for message in conversation:
            started = time.perf_counter()
            response = client.post("/api/chat", json={"message": message, "session": session})
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)
            session = response.get_json()["session"]
    return samples


def run_dev_set(path: Path, index_dir: Path) -> tuple[int, int, dict]:
    instance = Path(tempfile.mkdtemp(prefix="bench-chat-cli-"))
    (instance / "index").symlink_to(index_dir, target_is_directory=True)
    cases = json.loads(path.read_text(encoding="utf-8"))
    failures = {}
    for case in cases:
        result = subprocess.run(
            [sys.executable, "-m", "web.cli", "chat", "--json", "--now", "2026-11-25T10:00"],
            input="\n".join(turn["say"] for turn in case["turns"]) + "\n",
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "HELPDESK_INSTANCE": str(instance)},
            check=False,
        )
        if result.returncode != 0:
            failures[case["name"]] = [result.stderr.strip()[-300:]]
            continue
        replies = [json.loads(line) for line in result.stdout.splitlines()]
        problems = case_failures(case, replies)
        if problems:
            failures[case["name"]] = problems
    return len(cases) - len(failures), len(cases), failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--api", action="store_true", help="also through POST /api/chat")
    parser.add_argument("--dev-set", type=Path, help="chat-dev.json: pass count via kb chat --json")
    args = parser.parse_args()

    index_dir = Path(tempfile.mkdtemp(prefix="bench-chat-index-"))
    library = KnowledgeBase(ARTICLES_DIR, index_dir)
    library.refresh()
    searcher = library.engine()
    engine = build_engine(searcher, settings.load())
    conversations = messages(engine, args.messages)
    # Warm Sudachi and the index files on other words than the measured ones.
    bench_engine(engine, [["ウォームアップ", "準備運動の質問", "テスト文"]])
    KINDS.clear()
    print(f"engine: {percentiles(bench_engine(engine, conversations))}")
    print(f"        first time a message is seen: {percentiles(FIRST_SEEN)}")
    print(f"        replies by kind: {dict(sorted(KINDS.items()))}")
    if args.api:
        print(f"api:    {percentiles(bench_api(index_dir, conversations))}")
    if args.dev_set:
        passed, total, failures = run_dev_set(args.dev_set, index_dir)
        print(f"chat-dev via kb chat --json: {passed}/{total} conversations pass")
        for name, problems in failures.items():
            print(f"  FAIL {name}: {'; '.join(problems)}")


if __name__ == "__main__":
    main()
