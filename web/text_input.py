"""Text people typed: read from a request so it is safe to search and show, and made safe to store.

A query string can hold anything a URL can carry: control characters, NUL, 20,000 characters.
Everything here is plain text handling; escaping for HTML is left to Jinja's autoescape.
"""

from __future__ import annotations

import unicodedata

from flask import request

from kb.privacy import mask
from kb.search import MAX_QUERY_CHARS

# The engine searches at most this many characters; the web form and the API use the same limit.
QUERY_MAX_CHARS = MAX_QUERY_CHARS

# Unicode categories never worth keeping: controls (NUL breaks PostgreSQL text), lone
# surrogates (cannot be encoded as UTF-8), private use and unassigned code points.
_DROPPED_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
_KEPT_CONTROLS = {"\n", "\t"}


def query_arg(name: str = "q") -> str:
    """The named query-string argument as text without control characters ('' when absent)."""
    return without_control_characters(request.args.get(name, "") or "", keep_newlines=False)


def without_control_characters(text: str, keep_newlines: bool = True) -> str:
    kept = _KEPT_CONTROLS if keep_newlines else set()
    return "".join(
        char
        if char in kept or unicodedata.category(char) not in _DROPPED_CATEGORIES
        else (" " if unicodedata.category(char) == "Cc" else "\ufffd")
        for char in text
    )


def masked_text(text: str) -> str:
    """Printable, with personal data (My Number, phone numbers, e-mail, …) masked by ＊."""
    return mask(without_control_characters(text))


def for_storage(text: str, max_chars: int) -> str:
    """Masked, printable and cut to the column's size: the only form free text is stored in.

    Masking comes before cutting so that a number straddling the cut is still recognised
    whole; cutting comes after masking because NFKC (inside `mask`) can lengthen text.
    """
    return masked_text(text)[:max_chars]


def one_line(text: str) -> str:
    """White space collapsed to single spaces (a query log holds one line per search)."""
    return " ".join(text.split())
