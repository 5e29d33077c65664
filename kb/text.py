"""Cleaning text that came from outside (a search box, a chat message, a form, a pasted PDF).

One rule set, applied everywhere text enters the system:

- CRLF and a lone CR become LF;
- format characters (category Cf: zero-width space U+200B, BOM U+FEFF, ZWJ U+200D, soft
  hyphen U+00AD, bidi marks, …) vanish: pasted from a web page or a PDF they sit invisibly
  inside words, and 「レセ」+U+200B+「コン」 must still be the word レセコン;
- every other control character (category Cc: NUL, BEL, ESC, DEL, C1 controls, and also LF and
  TAB) becomes a space, so it still separates words; with `newlines=True`, LF and TAB are kept;
- lone surrogates (Cs), private use (Co) and unassigned code points (Cn) become U+FFFD: visible
  to whoever reads the text, and the text can always be encoded as UTF-8 and stored;
- a dash-like character right after katakana is the long-vowel mark ー (マイナンバ－カード,
  サーバ-, with －, −, ‐, ‑, –, —, ― or -): keyboards and PDFs put any of them there;
- a spacing voiced or semi-voiced mark after kana joins it (ハ゛ス → バス, ハ゜ → パ): NFKC
  would split it off as a space and a combining mark;
- with `nfkc=True` the result is then NFKC-normalized (ＡＢＣ１２３ → ABC123, ｶﾞ → ガ).

`clean` is idempotent and never raises. It neither trims nor collapses white space: callers
that want one line do `" ".join(clean(text).split())`.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
_ANY_DASH = re.compile("[-－−‐‑–—―]")  # not ｰ: it is the half-width ー already
_SPACING_MARKS = {"\u309b": "\u3099", "\u309c": "\u309a"}  # spacing → combining
_KANA_MARKS = re.compile("(?<=[ぁ-ゖァ-ヺｦ-ﾝ])[\u309b\u309c]")
_KATAKANA_DASH = re.compile("(?<=[ァ-ヺｦ-ﾝﾞﾟ])[-－−‐‑–—―](?![0-9A-Za-z０-９Ａ-Ｚａ-ｚ])")
_KEPT_WITH_NEWLINES = frozenset("\n\t")
_REPLACED = frozenset({"Cs", "Co", "Cn"})


def katakana_dashes(text: str) -> str:
    """Dash-like characters after katakana written as ー (マイナンバ－カード → マイナンバーカード);
    one character for one, so offsets into `text` still hold."""
    if _ANY_DASH.search(text):
        return _KATAKANA_DASH.sub("ー", text)
    return text


def clean(text: str | None, *, newlines: bool = False, nfkc: bool = False) -> str:
    """`text` cleaned by the rules above (None → "")."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isprintable():
        # Printable text (the common case) has no character of the categories handled here.
        kept = _KEPT_WITH_NEWLINES if newlines else frozenset()
        pieces = []
        for char in text:
            category = unicodedata.category(char)
            if category == "Cf":
                continue
            if category == "Cc":
                pieces.append(char if char in kept else " ")
            elif category in _REPLACED:
                pieces.append(REPLACEMENT)
            else:
                pieces.append(char)
        text = "".join(pieces)
    text = katakana_dashes(text)
    if "\u309b" in text or "\u309c" in text:
        text = unicodedata.normalize(
            "NFC", _KANA_MARKS.sub(lambda mark: _SPACING_MARKS[mark.group()], text)
        )
    if nfkc:
        text = unicodedata.normalize("NFKC", text)
    return text
