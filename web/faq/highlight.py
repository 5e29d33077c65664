"""Spans of text as HTML, everything else escaped: kb's matched spans in search results as
`<mark>` (and, through `wrapped`, the chat's telephone numbers as links)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape


def wrapped(text: str, spans, wrap: Callable[[str], Markup]) -> Markup:
    """`text` escaped, with each [start, end) span of `spans` (sorted, not overlapping) given
    to `wrap`, which escapes it inside its markup; spans outside the text are clipped."""
    out: list[str] = []
    position = 0
    for start, stop in spans:
        start, stop = max(start, position), min(stop, len(text))
        if start >= stop:
            continue
        out.append(escape(text[position:start]))
        out.append(wrap(text[start:stop]))
        position = stop
    out.append(escape(text[position:]))
    return Markup("").join(out)


def marked(text: str, spans) -> Markup:
    """`text` escaped, with each span of `spans` in `<mark>`."""
    return wrapped(text, spans, Markup("<mark>{}</mark>").format)
