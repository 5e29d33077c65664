"""Character normalization: NFKC and case folding, keeping a map back to the original offsets.

Highlighting marks words in the text a person typed or an editor wrote, so every normalized
character must know which original characters it came from.
"""

import unicodedata

# Half-width voiced marks and combining marks belong to the character before them; NFKC must see
# them together (ｶﾞ → ガ), so they are normalized as one cluster.
_JOINING = {"\uff9e", "\uff9f", "\u3099", "\u309a", "\u309b", "\u309c"}


def _visible(text: str) -> str:
    """Zero-width and other format characters (U+200B, U+FEFF, ZWJ) vanish: pasted from a web
    page or a PDF they sit invisibly inside words. Control characters separate words."""
    return "".join(
        "" if unicodedata.category(c) == "Cf" else " " if unicodedata.category(c) == "Cc" else c
        for c in text
    )


def normalize(text: str) -> str:
    return _visible(unicodedata.normalize("NFKC", text).casefold())


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return the normalized text and, for each of its characters, the original start offset.

    The list has one extra entry at the end (the original length), so `offsets[end]` is valid.
    """
    pieces: list[str] = []
    offsets: list[int] = []
    i = 0
    length = len(text)
    while i < length:
        j = i + 1
        while j < length and (text[j] in _JOINING or unicodedata.combining(text[j])):
            j += 1
        piece = _visible(unicodedata.normalize("NFKC", text[i:j]).casefold())
        pieces.append(piece)
        offsets.extend([i] * len(piece))
        i = j
    offsets.append(length)
    return "".join(pieces), offsets


def hiragana_to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def is_kana(text: str) -> bool:
    return bool(text) and all(("ぁ" <= c <= "ゖ") or ("ァ" <= c <= "ヺ") or c == "ー" for c in text)


def has_kanji(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)
