"""Which dialogue rule (chatbot/rules.yaml) a message is, if any.

Rules are dialogue only: small talk, asking for a person, clarifying a vague subject. Which
article answers a question is the knowledge base's ranking, never a rule (see the engine).
"""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.matching import Message, explained_groups, phrase_matches
from chatbot.rules import Intent, Rules
from chatbot.state import ChatState

# Equal scores: a person first, then a question back, then small talk.
KIND_PRIORITY = {"handoff": 0.02, "clarify": 0.01, "smalltalk": 0.0}
INHERITED_WEIGHT = 0.5  # a word the message lacks but its topic supplies counts half
COVERAGE_WEIGHT = 0.5  # how much of the message the trigger explains
TOPIC_BONUS = 0.3  # staying within the conversation's topic


@dataclass(slots=True)
class Match:
    intent: Intent
    score: float
    coverage: float  # share of the message's words the trigger explains, 0–1
    inherited: bool
    # Whether the trigger explains the whole message apart from filler words.
    whole: bool = False
    # Whether the message is nothing but the intent's one-word triggers and filler
    # (「補助金について」, not 「補助金の申請方法」): a subject named and nothing asked.
    bare: bool = False
    # The message's words (indexes into Message.groups) the trigger explains.
    explained: frozenset[int] = frozenset()


def select_intent(rules: Rules, message: Message, state: ChatState) -> Match | None:
    """The intent whose trigger best explains the message, or None.

    A trigger matches when each of its words is in the message. A message that names no subject
    (no topic's words) inherits the conversation's topic: 「必要な書類は？」 after a subsidy
    question is read as if it said 助成金. Every match needs at least one word the person typed.
    Score: words matched (inherited ones count half) + how much of the message they explain +
    a bonus for the current topic; exclusive intents (small talk, clarifying) must explain the
    whole message apart from filler words.
    """
    terms, surface = message.terms, message.surface
    inherited: frozenset[str] = frozenset()
    if state.topic in rules.subjects and not names_a_subject(rules, message):
        inherited = frozenset().union(*(phrase.terms for phrase in rules.subjects[state.topic]))
    widened = terms | inherited
    best: Match | None = None
    for intent in rules.intents:
        if any(phrase_matches(phrase, terms, surface) for phrase in intent.excluded):
            continue
        condition = _conditions(intent, terms, widened, surface)
        if condition is None:
            continue
        cond_real, cond_inherited, cond_terms = condition
        for trigger in intent.triggers:
            if trigger.is_literal:
                if not phrase_matches(trigger, terms, surface):
                    continue
                real, half, matched = trigger.weight, 0, set(trigger.terms)
            else:
                real_slots = [slot for slot in trigger.slots if slot & terms]
                half_slots = [
                    slot for slot in trigger.slots if not slot & terms and slot & inherited
                ]
                if len(real_slots) + len(half_slots) < len(trigger.slots):
                    continue
                real, half = len(real_slots), len(half_slots)
                matched = set().union(*real_slots) if real_slots else set()
            real += cond_real
            half += cond_inherited
            if real == 0:
                continue
            explained = explained_groups(message, (matched | cond_terms) & terms)
            # Asking where the form is (「フォームはどこ？」) is still asking for a person.
            ignorable = rules.question_filler if intent.kind == "handoff" else rules.filler
            whole = not any(
                index not in explained and not group & ignorable
                for index, group in enumerate(message.groups)
            )
            if intent.exclusive and not whole:
                continue
            coverage = len(explained) / len(message.groups) if message.groups else 1.0
            topic_bonus = TOPIC_BONUS if intent.topic and intent.topic == state.topic else 0.0
            score = (
                real
                + INHERITED_WEIGHT * half
                + COVERAGE_WEIGHT * coverage
                + topic_bonus
                + KIND_PRIORITY.get(intent.kind, 0.0)
            )
            if best is None or score > best.score + 1e-9:
                best = Match(intent, score, coverage, bool(half), whole, False, explained)
    if best is not None:
        best.bare = _bare(best.intent, message, rules.filler)
    return best


def _bare(intent: Intent, message: Message, filler: frozenset[str]) -> bool:
    single = frozenset().union(
        *(
            trigger.slots[0]
            for trigger in intent.triggers
            if not trigger.is_literal and len(trigger.slots) == 1
        )
    )
    return bool(message.groups) and all(
        group & single or group & filler for group in message.groups
    )


def names_a_subject(rules: Rules, message: Message) -> bool:
    return any(
        phrase_matches(phrase, message.terms, message.surface)
        for phrases in rules.subjects.values()
        for phrase in phrases
    )


def _conditions(
    intent: Intent, terms: frozenset[str], widened: frozenset[str], surface: str
) -> tuple[int, int, set[str]] | None:
    """(words met by the message, words met only through the topic, terms) of `required` and
    `any`, or None when they are not met."""
    real = inherited = 0
    matched: set[str] = set()
    for phrase in intent.required:
        if phrase_matches(phrase, terms, surface):
            real += 1
            matched |= phrase.terms
        elif phrase_matches(phrase, widened, surface):
            inherited += 1
        else:
            return None
    if intent.any:
        hits = [phrase for phrase in intent.any if phrase_matches(phrase, terms, surface)]
        if hits:
            real += 1
            matched |= set().union(*(phrase.terms for phrase in hits))
        elif any(phrase_matches(phrase, widened, surface) for phrase in intent.any):
            inherited += 1
        else:
            return None
    return real, inherited, matched
