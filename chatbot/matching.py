"""Phrases and messages through the knowledge base's analyzer, and how a phrase meets a message.

A phrase (a trigger, a required term, a topic's subject) becomes a list of *slots*: one per
content word, each the set of terms that count as that word (the word's normalized form and the
synonym group it belongs to, never its sub-words: 要否意見書 must not be met by 意見). A phrase
matches a message when every slot meets one of the message's terms, which do include sub-words
(a trigger 保険 is met by 医療保険). Words the analyzer drops entirely (はじめまして, わからない)
are compared on the normalized text instead, and so is a phrase written in 「」 (「問い合わせしたい」
is a wish to write to someone, 「問い合わせ先」 is a question: the analyzer keeps 問い合わせ of both).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kb.analysis import analyze, synonym_table
from kb.normalization import hiragana_to_katakana, normalize

Slot = frozenset[str]


@lru_cache(maxsize=1)
def synonym_canonicals() -> frozenset[str]:
    """The representative term of every synonym group (what the analyzer adds for a synonym)."""
    table = synonym_table()
    return frozenset(
        canonical for candidates in table.by_first_word.values() for _, canonical in candidates
    )


def surface_form(text: str) -> str:
    """Normalized text for literal comparison: NFKC, case folded, katakana, no spaces."""
    return hiragana_to_katakana(normalize(text)).replace(" ", "").replace("　", "")


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    slots: tuple[Slot, ...]
    surface: str  # compared literally when the phrase is 「quoted」 or analyzes to nothing
    quoted: bool = False

    @property
    def is_literal(self) -> bool:
        return self.quoted or not self.slots

    @property
    def weight(self) -> float:
        """What a literal match counts for: the words it holds, and more for being exact."""
        return max(len(self.slots), 1) + (0.5 if self.quoted else 0.0)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset().union(*self.slots) if self.slots else frozenset()


@lru_cache(maxsize=4096)
def compile_phrase(text: str) -> Phrase:
    """A phrase as slots; 「…」 around it asks for the exact wording (after normalization)."""
    quoted = len(text) > 2 and text.startswith("「") and text.endswith("」")
    if quoted:
        text = text[1:-1]
    canonicals = synonym_canonicals()
    terms = analyze(text)
    words: dict[int, list] = {}
    for term in terms:
        words.setdefault(term.group, []).append(term)
    slots: list[Slot] = []
    covered_until = -1
    for group in sorted(words):
        group_terms = words[group]
        word = group_terms[0]
        if word.start < covered_until:
            continue  # part of a multi-word synonym already taken as one slot
        synonyms = [t for t in group_terms[1:] if t.text in canonicals]
        spanning = [t for t in synonyms if t.end > word.end]
        if spanning:
            # オン資 → オン + 資: the synonym stands for the whole phrase, as one slot.
            longest = max(spanning, key=lambda t: t.end)
            slots.append(frozenset({longest.text}))
            covered_until = longest.end
            continue
        slots.append(frozenset({word.text, *(t.text for t in synonyms)}))
    return Phrase(text, tuple(slots), surface_form(text), quoted)


@dataclass(slots=True)
class Message:
    """A message analyzed once: its terms, its content words and its normalized surface."""

    text: str
    terms: frozenset[str]
    groups: tuple[frozenset[str], ...]  # per content word: every term derived from it
    surface: str
    normalized: str  # analyzed terms, space-joined (stored with the turn for analytics)

    @classmethod
    def from_text(cls, text: str) -> Message:
        analyzed = analyze(text)
        by_group: dict[int, list] = {}
        for term in analyzed:
            by_group.setdefault(term.group, []).append(term)
        # A multi-word synonym (オン資 = オン + 資) explains every word it spans.
        spans = {group: (items[0].start, items[0].end) for group, items in by_group.items()}
        groups: list[set[str]] = [set(t.text for t in by_group[g]) for g in sorted(by_group)]
        order = sorted(by_group)
        for group in order:
            for term in by_group[group]:
                for other_index, other in enumerate(order):
                    start, end = spans[other]
                    if other != group and term.start <= start and end <= term.end:
                        groups[other_index].add(term.text)
        normalized = " ".join(dict.fromkeys(term.text for term in analyzed))
        return cls(
            text=text,
            terms=frozenset(t.text for t in analyzed),
            groups=tuple(frozenset(g) for g in groups),
            surface=surface_form(text),
            normalized=normalized[:400],
        )

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.surface.strip()


def phrase_matches(phrase: Phrase, terms: frozenset[str], surface: str) -> bool:
    if phrase.is_literal:
        return bool(phrase.surface) and phrase.surface in surface
    return all(slot & terms for slot in phrase.slots)


def explained_groups(message: Message, matched_terms: set[str]) -> set[int]:
    return {index for index, group in enumerate(message.groups) if group & matched_terms}
