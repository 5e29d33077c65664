"""Text people typed: read from a request so it is safe to search and show, and made safe to store.

A query string can hold anything a URL can carry: control characters, NUL, 20,000 characters.
Everything here is plain text handling; escaping for HTML is left to Jinja's autoescape.
"""

from __future__ import annotations

from flask import request

from kb.privacy import mask
from kb.search import MAX_QUERY_CHARS
from kb.text import clean
from web.settings import current_settings

# The engine searches at most this many characters; the web form and the API use the same limit.
QUERY_MAX_CHARS = MAX_QUERY_CHARS


def query_arg(name: str = "q") -> str:
    """The named query-string argument, cleaned by `kb.text.clean` ('' when absent)."""
    return clean(request.args.get(name, ""))


def masked_text(text: str) -> str:
    """Printable, with personal data (My Number, phone numbers, e-mail, …) masked by ＊."""
    return mask(clean(text, newlines=True), current_settings().public_numbers)


def for_storage(text: str, max_chars: int) -> str:
    """Masked, printable and cut to the column's size: the only form free text is stored in.

    Masking comes before cutting so that a number straddling the cut is still recognised
    whole; cutting comes after masking because NFKC (inside `mask`) can lengthen text.
    """
    return masked_text(text)[:max_chars]


def one_line(text: str | None) -> str:
    """Cleaned, white space collapsed to single spaces (a log or a name holds one line)."""
    return " ".join(clean(text).split())
