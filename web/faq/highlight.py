"""Highlighted search results: kb's matched spans as HTML `<mark>`, everything else escaped."""

from __future__ import annotations

from markupsafe import Markup, escape


def marked(text: str, spans) -> Markup:
    """`text` escaped, with each [start, end) span of `spans` (sorted, not overlapping) in
    `<mark>`; spans outside the text are clipped."""
    out: list[str] = []
    position = 0
    for start, stop in spans:
        start, stop = max(start, position), min(stop, len(text))
        if start >= stop:
            continue
        out.append(escape(text[position:start]))
        out.append(Markup("<mark>") + escape(text[start:stop]) + Markup("</mark>"))
        position = stop
    out.append(escape(text[position:]))
    return Markup("").join(out)
