"""Emphasis that works in Japanese: CommonMark's flanking rules, amended for CJK text.

CommonMark decides whether `**` may open or close by looking at the characters on each side, as
if words were separated by spaces. Japanese has no spaces, so `**「当分の間」**申請` stays literal:
the closing run follows a punctuation mark (」) and precedes a letter (申), which plain CommonMark
forbids. The CommonMark issue is commonmark/commonmark-spec#650; the amendment implemented here
is the "CJK-friendly" specification of tats-u/markdown-cjk-friendly (the rules behind the
markdown-it, remark, markdig and comrak plugins). Only the flanking decision changes; markdown-it's
own emphasis and strikethrough rules still do the tokenizing, and code is never scanned for
delimiters, so code spans and blocks are untouched.

A Python package exists (mdit-py-cjk-friendly), but it patches markdown-it's StateInline for the
whole process, pins markdown-it-py below 4 and also rewrites soft line breaks; this module changes
one parser only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline import emphasis, strikethrough
from markdown_it.rules_inline.state_inline import Scanned, StateInline

# Blocks where a wide symbol is an emoji rather than CJK writing (UTS #51 "default emoji
# presentation"). The standard library has no emoji property; these blocks hold every wide emoji,
# and the few wide non-emoji symbols in them (enclosed ideographs such as U+1F202) are
# approximated as emoji too.
_EMOJI_BLOCKS = ((0x2300, 0x2BFF), (0x1F000, 0x1FAFF))
# Unassigned code points that UAX #11 already counts as wide (future ideographs). unicodedata
# reports other unassigned code points as "F" too, which must not make them CJK.
_WIDE_UNASSIGNED = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFD))
# Standardized variation selectors other than the emoji one (U+FE0F), which may follow a CJK
# character without changing what it is.
_TEXT_VARIATION_SELECTORS = range(0xFE00, 0xFE0F)
_IDEOGRAPHIC_VARIATION_SELECTORS = range(0xE0100, 0xE01F0)
# A curly quote followed by U+FE01 asks for its full-width (CJK) form.
_AMBIGUOUS_QUOTES = frozenset("\u2018\u2019\u201c\u201d")
_FULLWIDTH_FORM_SELECTOR = "\ufe01"


def is_cjk(char: str) -> bool:
    """A Chinese, Japanese or Korean character: wide or half-width by UAX #11 and not an emoji,
    or Hangul.

    The standard library's Unicode data may be older than the specification's (3.11 has Unicode
    14): a few symbols made wide later (trigrams, hexagrams) are not CJK here, which no Japanese
    sentence notices.
    """
    code = ord(char)
    if code < 0x1100:  # below Hangul Jamo, the first CJK block
        return False
    if unicodedata.category(char) == "Cn":
        return any(low <= code <= high for low, high in _WIDE_UNASSIGNED)
    if unicodedata.east_asian_width(char) in ("W", "F", "H"):
        emoji_block = any(low <= code <= high for low, high in _EMOJI_BLOCKS)
        return not (emoji_block and unicodedata.category(char).startswith("S"))
    return unicodedata.name(char, "").startswith("HANGUL")


def _is_punctuation(char: str) -> bool:
    # What CommonMark calls a Unicode punctuation character: ASCII punctuation, P* and S*.
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


def _is_whitespace(char: str) -> bool:
    return isWhiteSpace(ord(char))


def scan_delimiters(state: StateInline, start: int, can_split_word: bool) -> Scanned:
    """`StateInline.scanDelims` with the CJK-friendly left- and right-flanking rules."""
    src, maximum = state.src, state.posMax
    marker = src[start]
    end = start
    while end < maximum and src[end] == marker:
        end += 1
    # The start and the end of the line count as whitespace.
    before = src[start - 1] if start > 0 else " "
    after = src[end] if end < maximum else " "

    # The character before may be the second half of a sequence (a CJK character or a quote
    # followed by a variation selector): judge the sequence by its first character.
    base_before = before
    if ord(before) in _TEXT_VARIATION_SELECTORS and start > 1:
        base_before = src[start - 2]
    cjk_quote_before = base_before in _AMBIGUOUS_QUOTES and before == _FULLWIDTH_FORM_SELECTOR

    before_space = _is_whitespace(before)
    after_space = _is_whitespace(after)
    before_punctuation = _is_punctuation(base_before)
    after_punctuation = _is_punctuation(after)
    before_cjk = is_cjk(base_before) or cjk_quote_before
    after_cjk = is_cjk(after)
    before_other_punctuation = before_punctuation and not before_cjk
    after_other_punctuation = after_punctuation and not after_cjk

    left_flanking = not after_space and (
        not after_other_punctuation
        or before_space
        or before_other_punctuation
        or before_cjk
        or ord(before) in _IDEOGRAPHIC_VARIATION_SELECTORS
    )
    right_flanking = not before_space and (
        not before_other_punctuation or after_space or after_punctuation or after_cjk
    )

    # `*` may split a word; `_` only opens or closes at a word's edge (rules 2, 4, 6 and 8).
    can_open = left_flanking and (can_split_word or not right_flanking or before_punctuation)
    can_close = right_flanking and (can_split_word or not left_flanking or after_punctuation)
    return Scanned(can_open, can_close, end - start)


def _with_cjk_flanking(rule: Callable[[StateInline, bool], bool]):
    def tokenize(state: StateInline, silent: bool) -> bool:
        # An instance attribute, so only the states of this parser see the amended rules.
        state.scanDelims = lambda start, can_split: scan_delimiters(state, start, can_split)
        return rule(state, silent)

    return tokenize


def cjk_friendly_emphasis(md: MarkdownIt) -> None:
    """Plugin: `MarkdownIt(...).use(cjk_friendly_emphasis)` for `*`, `_` and `~~` in CJK text."""
    md.inline.ruler.at("emphasis", _with_cjk_flanking(emphasis.tokenize))
    md.inline.ruler.at("strikethrough", _with_cjk_flanking(strikethrough.tokenize))
