"""Japanese typed in romaji (hojokin itsumade) read as kana, so the kana search can find it.

A Latin word is taken for romaji when the dictionary does not know it as a word (English
words it knows, such as before or care, stay English for the glossary), it is made only of
romaji syllables (Hepburn, kunrei or the keyboard's spelling), and it is not a short English
word the dictionary happens not to know. The conversion itself is jaconv's.
"""

from __future__ import annotations

import re

import jaconv

_CONSONANT = r"(?:ky|gy|sh|sy|zy|jy|ch|cy|ty|dy|ts|ny|hy|by|py|my|ry|[kgsztdnhbpmyrwfjv])"
_ROMAJI = re.compile(rf"(?:(?:([kgsztdhbpmrfjc])(?=\1))?{_CONSONANT}?[aiueo]|nn|n(?![aiueoy])|-)+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
# Short English words the dictionary does not list but that spell like romaji (can → かん).
_ENGLISH = frozenset({"a", "i", "can", "do", "no", "so", "to", "go", "be", "me", "he", "we", "on"})


def is_romaji(word: str, known_word) -> bool:
    """Whether `word` (Latin letters) reads as Japanese; `known_word(word)` says whether the
    dictionary knows it as a word of its own."""
    lowered = word.lower()
    return (
        len(lowered) >= 3
        and lowered not in _ENGLISH
        and _ROMAJI.fullmatch(lowered) is not None
        and not known_word(word)
    )


def romaji_to_kana(text: str, known_word) -> str:
    """`text` with every romaji word written in hiragana (ほじょきん); the rest as it was."""
    return _LATIN_WORD.sub(
        lambda match: (
            jaconv.alphabet2kana(match.group().lower())
            if is_romaji(match.group(), known_word)
            else match.group()
        ),
        text,
    )
