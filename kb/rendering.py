"""Markdown to safe HTML: CommonMark (markdown-it-py) with tables, then sanitized by nh3.

Articles are written by editors, but the HTML still passes through a sanitizer so that a pasted
`<script>` or `javascript:` link can never reach a page.

Two amendments make it fit Japanese: emphasis next to full-width punctuation works
(kb.cjk_emphasis), and a bare URL becomes a link that ends where the Japanese text after it
begins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.token import Token

from kb.cjk_emphasis import cjk_friendly_emphasis, is_cjk

# markdown-it writes ~~strikethrough~~ as <s>.
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# Every link leaves the page without handing it a reference to ours or the reader's address.
LINK_REL = "noopener noreferrer"
# Runs of these left in the text mean emphasis the editor opened and the parser did not close.
EMPHASIS_MARKERS = ("**", "__")


class _JapaneseLinkify(LinkifyIt):
    """Bare URLs with an explicit scheme only, each ending at the first CJK character.

    Japanese puts no space after a URL (`…（https://example.jp/a）をご覧ください`), and linkify-it
    would otherwise take the rest of the sentence into the address. Schemeless "fuzzy" links are
    off so that a file name such as `setup.py` or a bare domain in prose stays text.
    """

    def __init__(self) -> None:
        super().__init__(options={"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
        # A bound method, so linkify-it uses it as is (a plain function is set on the class).
        self.add("http:", {"validate": self._validate_http_before_cjk})  # https: aliases it
        # The sanitizer keeps no ftp: address, and a protocol-relative one has no place here.
        self.add("ftp:", None)
        self.add("//", None)

    def _validate_http_before_cjk(self, text: str, pos: int) -> int:
        length = self._validate_http(text, pos)
        cut = next((i for i in range(pos, pos + length) if is_cjk(text[i])), None)
        if cut is None:
            return length
        # Validate again up to the CJK character, so trailing punctuation is trimmed as usual.
        return self._validate_http(text[:cut], pos)


def _new_parser() -> MarkdownIt:
    # Raw HTML in Markdown is turned off: editors write Markdown, not markup.
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.linkify = _JapaneseLinkify()
    return md.enable(["table", "strikethrough", "linkify"]).use(cjk_friendly_emphasis)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return _new_parser()


@lru_cache(maxsize=1)
def _checking_parser() -> MarkdownIt:
    # Without text_join an escaped `\*\*` stays a token of its own and is not taken for a
    # leftover marker.
    return _new_parser().disable("text_join")


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML, safe to insert into a page as is."""
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel=LINK_REL,
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


@dataclass(frozen=True, slots=True)
class LeftoverMarker:
    line: int  # 0-based line of the Markdown text
    marker: str  # "**" or "__"


def leftover_emphasis(text: str) -> list[LeftoverMarker]:
    """Each `**` or `__` that would show literally on the page, with the line it is written on.

    Code spans, code blocks, escaped markers and the text of autolinked URLs are not prose and are
    not reported.
    """
    found: list[LeftoverMarker] = []
    for token in _checking_parser().parse(text):
        if token.type != "inline" or not token.children or not token.map:
            continue
        line = token.map[0]
        previous: Token | None = None
        for child in token.children:
            if child.type in {"softbreak", "hardbreak"}:
                line += 1
            elif child.type == "text" and not _is_autolink_text(previous):
                found.extend(
                    LeftoverMarker(line, marker)
                    for marker in EMPHASIS_MARKERS
                    if marker in child.content
                )
            previous = child
    return found


def _is_autolink_text(previous: Token | None) -> bool:
    return previous is not None and previous.type == "link_open" and previous.info == "auto"
