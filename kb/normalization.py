"""Character normalization: NFKC and case folding, keeping a map back to the original offsets.

Highlighting marks words in the text a person typed or an editor wrote, so every normalized
character must know which original characters it came from.
"""

import functools
import re
import unicodedata

from kb.text import clean, katakana_dashes

# Half-width voiced marks and combining marks belong to the character before them; NFKC must see
# them together (ｶﾞ → ガ), so they are normalized as one cluster.
_JOINING = {"\uff9e", "\uff9f", "\u3099", "\u309a", "\u309b", "\u309c"}
# Hangul jamo compose into syllables across characters under NFKC (ㄱㅏ → 가).
_HANGUL_JAMO = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff\uffa0-\uffdc]")


def normalize(text: str) -> str:
    """NFKC, case folded, cleaned by `kb.text.clean` (zero-width characters vanish, controls
    separate words)."""
    return clean(unicodedata.normalize("NFKC", text).casefold())


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return the normalized text and, for each of its characters, the original start offset.

    The list has one extra entry at the end (the original length), so `offsets[end]` is valid.
    """
    if (
        "\r" not in text
        and text.replace("\n", " ").replace("\t", " ").isprintable()
        and not _joining_marks().search(text)
        and not _HANGUL_JAMO.search(text)
    ):
        # Most text maps one character to one (kanji, kana, ASCII, full-width forms, line
        # breaks): without marks or jamo that join across characters, NFKC works character by
        # character and deletes none, so when the length is kept every character mapped to
        # one, and the per-character walk below can be skipped.
        normalized = normalize(text)
        if len(normalized) == len(text):
            return normalized, list(range(len(text) + 1))
    return normalize_by_character(text)


@functools.cache
def _joining_marks() -> re.Pattern:
    """Characters that join the one before them: combining marks (all below U+30000 and in
    plane 14) and the kana voicing marks."""
    ranges = (range(0x30000), range(0xE0000, 0xE1000))
    marks = {chr(cp) for r in ranges for cp in r if unicodedata.combining(chr(cp))} | _JOINING
    return re.compile("[" + "".join(re.escape(mark) for mark in sorted(marks)) + "]")


def normalize_by_character(text: str) -> tuple[str, list[int]]:
    """`normalize_with_offsets` the long way, one character cluster at a time."""
    # A dash is ー by the katakana before it, which a walk of single characters cannot see.
    text = katakana_dashes(text)
    pieces: list[str] = []
    offsets: list[int] = []
    i = 0
    length = len(text)
    while i < length:
        j = i + 1
        if text[i] == "\r" and j < length and text[j] == "\n":
            j += 1  # one line break, as `clean` reads it
        while j < length and (text[j] in _JOINING or unicodedata.combining(text[j])):
            j += 1
        piece = normalize(text[i:j])
        pieces.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(length)
    return "".join(pieces), offsets


def hiragana_to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


_KANJI = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")


def has_kanji(text: str) -> bool:
    return _KANJI.search(text) is not None
