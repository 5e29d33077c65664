"""What the chat remembers between turns of one conversation (stored as JSON with it)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(slots=True)
class ChatState:
    """The conversation's memory; the engine never changes one in place, it returns a new one."""

    topic: str | None = None  # a KB category id: follow-ups are read within it
    article: str | None = None  # the article last answered with: a follow-up may be about it
    unanswered_streak: int = 0
    turns: int = 0
    handed_off: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> ChatState:
        """A state from stored JSON; unknown keys and values of the wrong type are ignored.

        Conversations stored before 2025 also hold `last_intent` and `last_articles`, which
        nothing read: they are among the ignored keys."""
        state = cls()
        if not isinstance(data, dict):
            return state
        for item in fields(cls):
            value = data.get(item.name)
            default = getattr(state, item.name)
            if item.name in ("topic", "article"):
                if value is None or isinstance(value, str):
                    setattr(state, item.name, value)
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    setattr(state, item.name, value)
            elif (
                isinstance(default, int)
                and isinstance(value, int)
                and not isinstance(value, bool)
                and value >= 0
            ):
                setattr(state, item.name, value)
        return state
