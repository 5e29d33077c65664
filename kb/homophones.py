"""Homophones: a kanji word typed with the wrong conversion read as the articles' word.

A Japanese input method turns the reading a person typed into kanji, and picks the wrong ones
often enough (運用 → 運要, 対象 → 対称, 委託 → 委宅): the reading is right, the characters are
not. Such a word is absent from the articles, and the dictionary cuts it into pieces that match
nothing or the wrong thing. Read aloud, it is the articles' word again, so a run of kanji words
of the question that no article contains is looked up by its reading among the words the
articles do contain, and a word found there joins the question as a synonym of the run (kb.ranking
then scores it as any other synonym). The character-bigram view of kb.ranking covers the
look-alike kanji a reading cannot (表示 → 表時 shares 表, not its reading).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from kb.analysis import Morpheme, Term, morphemes, reading
from kb.normalization import has_kanji

# A reading of one or two kana (シ, キ, カイ…) is shared by dozens of words: only longer ones
# identify the word meant. Three kana keep 委託 (イタク) and 期間 (キカン).
MIN_READING = 3
# Wrong conversions cover one word, sometimes cut by the dictionary into two or three pieces
# (委宅 → 委 + 宅); longer runs are phrases, not a mistyped word.
MAX_RUN = 3


@dataclass(frozen=True, slots=True)
class Correction:
    """The span [start, end) of the question, read as `words` of the articles."""

    start: int
    end: int
    words: tuple[str, ...]


class Homophones:
    """The articles' kanji words by reading; `vocabulary` is every word the index holds."""

    def __init__(self, vocabulary: Iterable[str]):
        self._vocabulary = frozenset(vocabulary)

    @cached_property
    def _by_reading(self) -> dict[str, tuple[str, ...]]:
        # Built on the first question that needs it: about 20 ms per thousand words.
        found: dict[str, list[str]] = {}
        for word in sorted(self._vocabulary):
            if has_kanji(word):
                found.setdefault(reading(word), []).append(word)
        return {key: tuple(words) for key, words in found.items()}

    def corrections(self, text: str) -> list[Correction]:
        """The runs of kanji words in `text` that the articles lack, each with the articles'
        words that read the same; the longest run first at each place, runs never overlap."""
        pieces = morphemes(text)
        # Only kanji nouns (and the prefixes and suffixes joined to them) make a run.
        kanji = [piece.noun_like and has_kanji(piece.form) for piece in pieces]
        found: list[Correction] = []
        i = 0
        while i < len(pieces):
            correction = None
            if kanji[i]:
                for length in range(min(MAX_RUN, len(pieces) - i), 0, -1):
                    if all(kanji[i : i + length]):
                        correction = self._read(pieces[i : i + length])
                    if correction:
                        i += length
                        break
            if correction:
                found.append(correction)
            else:
                i += 1
        return found

    def _read(self, run: list[Morpheme]) -> Correction | None:
        """The correction for a run of kanji nouns, if the articles lack it and have a word
        that reads the same."""
        typed = "".join(piece.form for piece in run)
        sound = "".join(piece.reading for piece in run)
        if typed in self._vocabulary or len(sound) < MIN_READING:
            return None
        words = tuple(word for word in self._by_reading.get(sound, ()) if word != typed)
        return Correction(run[0].start, run[-1].end, words) if words else None


def amend(terms: list[Term], corrections: list[Correction]) -> list[Term]:
    """`terms` with each correction's words as synonyms of the terms inside its span, all of
    them now one word of the question (委 and 宅 were one mistyped word, 委託)."""
    if not corrections:
        return terms
    terms = list(terms)
    next_group = max((term.group for term in terms), default=-1) + 1
    for correction in corrections:
        inside = [
            index
            for index, term in enumerate(terms)
            if correction.start <= term.start and term.end <= correction.end
        ]
        group = min((terms[index].group for index in inside), default=next_group)
        next_group = max(next_group, group + 1)
        for index in inside:
            terms[index] = replace(terms[index], group=group)
        terms += [
            Term(word, correction.start, correction.end, group, synonym=True)
            for word in correction.words
        ]
    return terms
