"""Telephone numbers in the chat's text as tel: links, so that a phone can call them.

Only published numbers reach the chat's text (a number a person typed is masked before it is
stored or answered), so every number shown is one the helpdesk gives out. The same pattern is
used by the widget (web/static/js/chat.js, PHONE_PATTERN).
"""

from __future__ import annotations

import re

from markupsafe import Markup

from web.faq.highlight import wrapped

# 0800-080-4583, 03-5253-1111: a Japanese number written with hyphens.
PHONE = re.compile(r"0\d{1,4}-\d{1,4}-\d{3,4}")


def phone_links(text: str) -> Markup:
    """`text` escaped, with each telephone number in it an <a href="tel:…">."""
    spans = [match.span() for match in PHONE.finditer(text)]
    return wrapped(text, spans, Markup('<a href="tel:{0}">{0}</a>').format)
