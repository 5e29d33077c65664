"""Japanese typed in romaji (hojokin itsumade) read as kana, so the kana search can find it.

A Latin word is taken for romaji when the dictionary does not know it as a word (English
words it knows, such as before or care, stay English for the glossary), it is made only of
romaji syllables (Hepburn, kunrei or the keyboard's spelling), and it is not a short English
word the dictionary happens not to know. In a sentence typed in romaji (two such words or
more, and no fewer than the words that cannot be romaji, such as online or FAQ), its
particles and short words (ka, wa, made) are romaji too. The conversion itself is jaconv's.

Hepburn writes 運用 unyou and 導入 dounyuu: an n before y is ん+y or a ny- syllable. When a
`known_kana` test is given, the reading it knows is taken (the articles' readings decide).
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


def romaji_to_kana(text: str, known_word, known_kana=None) -> str:
    """`text` with every romaji word written in hiragana (ほじょきん); the rest as it was.

    `known_kana(kana) -> bool`, when given, says whether a reading is one the articles use;
    it chooses between the two readings of an n before y (うんよう or うにょう)."""
    words = _LATIN_WORD.findall(text)
    romaji = sum(is_romaji(word, known_word) for word in words)
    unlike = sum(not _ROMAJI.fullmatch(word.lower()) for word in words)  # online, FAQ
    sentence = romaji >= 2 and romaji >= unlike

    def convert(match: re.Match) -> str:
        word = match.group()
        if is_romaji(word, known_word) or (
            sentence and not word.isupper() and _ROMAJI.fullmatch(word.lower())
        ):
            return _to_kana(word.lower(), known_kana)
        return word

    return _LATIN_WORD.sub(convert, text)


_N_BEFORE_Y = re.compile(r"(?<=[aiueo])n(?=y[aiueo])")


def _to_kana(word: str, known_kana) -> str:
    plain = jaconv.alphabet2kana(word)
    if known_kana is None or known_kana(plain):
        return plain
    # unyou → うん + よう: each n before y read as ん, where that gives a known reading.
    pieces = _N_BEFORE_Y.split(word)
    if len(pieces) > 1:
        split = "ん".join(jaconv.alphabet2kana(piece) for piece in pieces)
        if known_kana(split):
            return split
    return plain
