"""Markdown to safe HTML: CommonMark (markdown-it-py) with tables, then sanitized by nh3.

Articles are written by editors, but the HTML still passes through a sanitizer so that a pasted
`<script>` or `javascript:` link can never reach a page.
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Raw HTML in Markdown is turned off: editors write Markdown, not markup.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML, safe to insert into a page as is."""
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def plain_text(text: str) -> str:
    """The Markdown's text without markup, for indexing and snippets."""
    tokens = _parser().parse(text)
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline" and token.children:
            parts.append(
                "".join(
                    child.content
                    for child in token.children
                    if child.type in {"text", "code_inline"}
                )
            )
    return "\n".join(part for part in parts if part)
