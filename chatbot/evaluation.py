"""Conversation sets like ../shared/eval/chat-dev.json: what each turn expects of the reply.

A case is `{"name", "turns": [{"say", "article"?, "handoff"?, "text_has"?, "intent"?}]}`; the
reply is the JSON object of the API and `kb chat --json`. Used by the tests and
`scripts/bench_chat.py --dev-set`, so both count passes the same way.
"""

from __future__ import annotations

EXPECTATIONS = ("article", "handoff", "text_has", "intent")


def turn_failures(expected: dict, reply: dict) -> list[str]:
    """Why `reply` does not meet the turn's expectations ([] when it does)."""
    failures = []
    unknown = set(expected) - {"say", *EXPECTATIONS}
    if unknown:
        failures.append(f"unknown expectations {sorted(unknown)}")
    if "article" in expected:
        first = reply["articles"][0]["id"] if reply.get("articles") else None
        if first != expected["article"]:
            failures.append(f"article {first!r} != {expected['article']!r}")
    if "handoff" in expected and reply.get("handoff") is not expected["handoff"]:
        failures.append(f"handoff {reply.get('handoff')!r} != {expected['handoff']!r}")
    if "text_has" in expected and expected["text_has"] not in reply.get("text", ""):
        failures.append(f"text lacks {expected['text_has']!r}")
    if "intent" in expected and reply.get("intent") != expected["intent"]:
        failures.append(f"intent {reply.get('intent')!r} != {expected['intent']!r}")
    return failures


def case_failures(case: dict, replies: list[dict]) -> list[str]:
    if len(replies) != len(case["turns"]):
        return [f"{len(replies)} replies for {len(case['turns'])} turns"]
    return [
        f"「{turn['say']}」: {failure}"
        for turn, reply in zip(case["turns"], replies, strict=True)
        for failure in turn_failures(turn, reply)
    ]
