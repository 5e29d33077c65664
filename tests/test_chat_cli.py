"""`kb chat`: the conversation set in ../shared/eval/chat-dev.json passes through the CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from chatbot.evaluation import case_failures
from tests.support import unavailable

DEV_SET = Path(
    os.environ.get("CHAT_DEV_SET", Path(__file__).parents[2] / "shared/eval/chat-dev.json")
)
WEEKDAY_MORNING = "2026-11-25T10:00"


@pytest.fixture(scope="module")
def instance(tmp_path_factory, index_dir):
    folder = tmp_path_factory.mktemp("chat-instance")
    shutil.copytree(index_dir, folder / "index")
    return folder


@pytest.fixture
def chat_json(run_kb):
    def chat_json(instance, messages, now=WEEKDAY_MORNING) -> list[dict]:
        result = run_kb(
            ["chat", "--json", "--now", now], instance, stdin="\n".join(messages) + "\n"
        )
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    return chat_json


def test_the_dev_conversation_set_passes_in_full_through_kb_chat_json(instance, chat_json):
    if not DEV_SET.exists():
        unavailable(f"{DEV_SET} がありません（CHAT_DEV_SET で場所を指定できます）")
    cases = json.loads(DEV_SET.read_text(encoding="utf-8"))
    failures = {}
    for case in cases:
        replies = chat_json(instance, [turn["say"] for turn in case["turns"]])
        problems = case_failures(case, replies)
        if problems:
            failures[case["name"]] = problems
    passed = len(cases) - len(failures)
    print(f"chat-dev: {passed}/{len(cases)} conversations pass")
    assert not failures, f"{passed}/{len(cases)} pass; failing: {failures}"


def test_each_line_is_one_turn_of_one_conversation_with_the_api_object(instance, chat_json):
    replies = chat_json(
        instance, ["補助金について", "必要な書類は？", "", "オペレーターにつないで"]
    )
    assert len(replies) == 4
    assert set(replies[0]) == {
        "kind", "confidence", "text", "articles", "quick_replies", "handoff", "handoff_url",
        "call_centre",
    }  # fmt: skip
    assert [reply["kind"] for reply in replies] == ["clarify", "answer", "empty", "handoff"]
    assert replies[0]["confidence"] is None and replies[1]["confidence"] is not None
    assert replies[1]["articles"][0]["id"] == "subsidy-documents"  # the topic carried over
    assert "入力してください" in replies[2]["text"]
    assert replies[3]["handoff"] is True and replies[3]["handoff_url"] == "/contact"


def test_now_sets_the_call_centre_hours(instance, chat_json):
    [saturday_evening] = chat_json(instance, ["コールセンターの番号"], now="2026-11-28T17:00")
    assert saturday_evening["call_centre"]["open"] is False
    [weekday] = chat_json(instance, ["コールセンターの番号"])
    assert weekday["call_centre"]["open"] is True


def test_a_bad_now_is_a_japanese_usage_error(instance, run_kb):
    result = run_kb(["chat", "--json", "--now", "next tuesday"], instance, stdin="こんにちは\n")
    assert result.returncode == 2
    assert "ISO 形式" in result.stderr


def test_interactive_chat_lets_an_editor_pick_a_quick_reply_by_number(instance, run_kb):
    result = run_kb(["chat", "--now", WEEKDAY_MORNING], instance, stdin="補助金について\n4\nexit\n")
    assert result.returncode == 0, result.stderr
    assert "[4] 申請方法" in result.stdout
    assert "（選択: 申請方法）" in result.stdout
    assert "（意図: search / 種類: answer）" in result.stdout
    assert "/articles/subsidy-how-to-apply" in result.stdout


def test_one_per_line_starts_a_new_conversation_for_each_line(instance, run_kb):
    # Two unanswerable messages in one conversation offer a person; in two, neither does.
    lines = "今日の天気は？\nおすすめのランチは？\n"
    args = ["chat", "--json", "--now", "2026-11-25T10:00"]
    together = [
        json.loads(line) for line in run_kb(args, instance, stdin=lines).stdout.splitlines()
    ]
    apart = run_kb([*args, "--one-per-line"], instance, stdin=lines)
    assert apart.returncode == 0, apart.stderr
    separate = [json.loads(line) for line in apart.stdout.splitlines()]
    assert [reply["handoff"] for reply in together] == [False, True]
    assert [reply["handoff"] for reply in separate] == [False, False]
    assert [reply["kind"] for reply in separate] == ["out_of_scope", "out_of_scope"]
