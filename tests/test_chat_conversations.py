"""Conversation tests as data: every YAML file in tests/chat_cases/ is a list of conversations.

A new behaviour of the chat is a new rule plus a new case, no code (as in Rasa's test stories).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from chatbot.engine import ChatState, Engine
from chatbot.rules import load_rules
from web import settings
from web.chat.service import build_engine

CASES_DIR = Path(__file__).parent / "chat_cases"
DEFAULT_NOW = "2026-11-25T10:00"  # a Wednesday morning, Japan time
TURN_KEYS = {
    "say", "intent", "kind", "article", "topic", "articles_include", "articles_count",
    "quick_replies", "quick_replies_include", "quick_replies_count", "text_has", "text_lacks",
    "handoff", "call_centre_open", "personal_data", "stored_lacks", "confidence",
}  # fmt: skip


def load_cases() -> list:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return cases


CASES = load_cases()


@pytest.fixture(scope="module")
def chat(engine) -> Engine:
    return build_engine(engine, settings.load())


def moment(value) -> dt.datetime:
    # YAML reads an unquoted timestamp as a datetime already.
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def converse(chat: Engine, case: dict):
    now = moment(case.get("now", DEFAULT_NOW))
    state = ChatState()
    for turn in case["turns"]:
        reply, state = chat.reply(state, turn["say"], now)
        yield turn, reply, state


@pytest.mark.parametrize("case", CASES)
def test_conversation(chat, case):
    for number, (turn, reply, state) in enumerate(converse(chat, case), 1):
        unknown = set(turn) - TURN_KEYS
        assert not unknown, f"unknown keys in the case: {unknown}"
        where = f"turn {number} 「{turn['say']}」 → {reply.intent}: {reply.text}"
        if "intent" in turn:
            assert reply.intent == turn["intent"], where
        if "kind" in turn:
            assert reply.kind == turn["kind"], where
        if "confidence" in turn:
            assert reply.confidence == turn["confidence"], where
        if "article" in turn:
            assert reply.article_ids[:1] == [turn["article"]], where
        if "articles_include" in turn:
            assert set(turn["articles_include"]) <= set(reply.article_ids), where
        if "articles_count" in turn:
            assert len(reply.articles) == turn["articles_count"], where
        if "topic" in turn:
            assert state.topic == turn["topic"], where
        if "quick_replies" in turn:
            assert reply.quick_replies == turn["quick_replies"], where
        if "quick_replies_include" in turn:
            assert set(turn["quick_replies_include"]) <= set(reply.quick_replies), where
        if "quick_replies_count" in turn:
            assert len(reply.quick_replies) == turn["quick_replies_count"], where
        if "text_has" in turn:
            assert turn["text_has"] in reply.text, where
        if "text_lacks" in turn:
            assert turn["text_lacks"] not in reply.text, where
        if "handoff" in turn:
            assert reply.handoff is turn["handoff"], where
        if "call_centre_open" in turn:
            assert reply.call_centre["open"] is turn["call_centre_open"], where
        if "personal_data" in turn:
            assert reply.personal_data is turn["personal_data"], where
        if "stored_lacks" in turn:
            # `normalized` is the engine's record of the message; the web masks its own copy.
            assert turn["stored_lacks"] not in reply.normalized, where


def test_every_intent_has_a_conversation_case(engine):
    rules = load_rules(articles=engine.articles)
    covered = {
        turn.get("intent") for case in CASES for turn in case.values[0]["turns"] if "intent" in turn
    }
    missing = [intent.id for intent in rules.intents if intent.id not in covered]
    assert not missing, f"intents without a case in tests/chat_cases/: {missing}"


def test_cases_cover_search_fallback_handoff_hours_and_privacy():
    kinds = {path.stem for path in CASES_DIR.glob("*.yaml")}
    assert {
        "clarify", "context", "fallback", "handoff", "hours", "privacy", "out_of_scope", "smalltalk",
    } <= kinds  # fmt: skip


def test_the_engine_does_not_change_the_state_it_was_given(chat):
    state = ChatState(topic="subsidy")
    before = state.to_dict()
    chat.reply(state, "要否意見書は紙のまま？", moment(DEFAULT_NOW))
    assert state.to_dict() == before


def test_state_from_damaged_json_is_a_fresh_state():
    assert ChatState.from_dict({"topic": 3, "unanswered_streak": -1, "turns": "x"}) == ChatState()
    assert ChatState.from_dict("not a dict") == ChatState()


def test_a_very_long_message_is_answered_from_its_beginning(chat):
    reply, _ = chat.reply(
        ChatState(), "補助金の申請はいつまで？" + "あ" * 5000, moment(DEFAULT_NOW)
    )
    assert reply.article_ids[:1] == ["subsidy-period"]


def test_a_state_stored_with_the_retired_keys_still_loads():
    # Conversations saved before last_intent and last_articles were removed still hold them.
    stored = {
        "topic": "subsidy",
        "unanswered_streak": 1,
        "last_intent": "subsidy-period",
        "last_articles": ["subsidy-period", "subsidy-documents"],
        "turns": 4,
        "handed_off": True,
    }
    state = ChatState.from_dict(stored)
    assert state == ChatState(topic="subsidy", unanswered_streak=1, turns=4, handed_off=True)
    assert "last_intent" not in state.to_dict() and "last_articles" not in state.to_dict()
