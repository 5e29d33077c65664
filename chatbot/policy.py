"""The answer policy: given a dialogue rule's match and the ranking's confidence, who speaks.

Pure decisions, no text: the engine builds the reply. The articles are the answers; rules are
dialogue. A rule speaks instead of the ranking only where it is the better reply:
- small talk matches only a message that is nothing more (see chatbot.selection): it speaks;
- a clarifying question matches only a message its triggers explain; it speaks when the
  message is a bare subject (「補助金について」) or the ranking is not confident, and a
  confident ranking answers a message that asks more (「補助金の申請方法」);
- asking for a person speaks when it is the whole message, or when the ranking has no
  confident answer. 「補助金の申請フォームはどこ？」 names a form but asks a question an article
  answers: the article answers it, not an offer of the contact form. An urgent handoff (an
  angry or desperate message, an explicit 「人と話したい」) speaks whatever the ranking: the
  person is offered at once, and the engine links the article for the rest of the message.
"""

from __future__ import annotations

from chatbot.selection import Match
from kb.confidence import CONFIDENT, WEAK

RULE = "rule"
ANSWER = "answer"
CHOICES = "choices"
NOTHING = "nothing"  # out of scope, or nothing read as a question


def decide(match: Match | None, level: str) -> str:
    """RULE, ANSWER (the ranking's top article), CHOICES (its top articles) or NOTHING.

    `level` is kb.confidence's for the ranking: confident, weak or none."""
    if match is not None and _rule_speaks(match, level):
        return RULE
    if level == CONFIDENT:
        return ANSWER
    if level == WEAK:
        return CHOICES
    return NOTHING


def _rule_speaks(match: Match, level: str) -> bool:
    kind = match.intent.kind
    if kind == "clarify":
        return match.bare or level != CONFIDENT
    if kind == "handoff":
        return match.whole or match.intent.urgent or level != CONFIDENT
    return True  # small talk
