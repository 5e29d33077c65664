"""The chat's reply: what it says, which articles it links, and what kind of reply it is."""

from __future__ import annotations

from dataclasses import dataclass, field

# What a reply is (Reply.kind, in the API as "kind").
KINDS = (
    "answer",  # answers with articles[0]
    "choices",  # offers articles, none of them as the answer
    "clarify",  # asks back which topic a vague message is about
    "smalltalk",
    "handoff",  # offers a person: the contact form and the call centre
    "out_of_scope",  # nothing here answers it: says what this chat answers, offers contacts
    "fallback",  # nothing in the message could be read as a question
    "privacy",  # the message was little but personal data
    "empty",
)
# Replies that leave the question unanswered: two in a row offer a person.
UNANSWERED = frozenset({"choices", "out_of_scope", "fallback"})


@dataclass(slots=True)
class Reply:
    text: str
    articles: list[dict] = field(default_factory=list)  # {"id", "title", "url", dates, stale}
    quick_replies: list[str] = field(default_factory=list)
    handoff: bool = False
    intent: str = "fallback"  # a dialogue rule's id, or "search", "choices", "out_of_scope", …
    kind: str = "fallback"  # exactly one of KINDS
    # How sure the ranking was of its top article (kb.confidence), None when no ranking decided.
    confidence: str | None = None
    call_centre: dict = field(default_factory=dict)
    personal_data: bool = False  # the message held personal data (the reply says so)
    normalized: str = ""  # analyzed terms of the masked message, space-joined
    topic: str | None = None

    @property
    def article_ids(self) -> list[str]:
        return [article["id"] for article in self.articles]

    @property
    def answered(self) -> str | None:
        """The id of the article answered with, or None when the reply answers with none."""
        return self.articles[0]["id"] if self.kind == "answer" and self.articles else None

    def as_json(self) -> dict:
        """The reply as the API and `kb chat --json` give it."""
        return {
            "kind": self.kind,
            "confidence": self.confidence,
            "text": self.text,
            "articles": self.articles,
            "quick_replies": self.quick_replies,
            "handoff": self.handoff,
            "call_centre": self.call_centre,
        }


def link(article) -> dict:
    """An article as a reply links it (dates are added by the engine, which knows today)."""
    return {"id": article.id, "title": article.title, "url": article.url}
