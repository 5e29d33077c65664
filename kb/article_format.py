"""An article's file, field by field: read into `ArticleSource`, written back in the house style.

The console's editor edits these fields; `to_text` writes them as the files in kb/articles/ are
written by hand (key order, inline lists for ids and tags, block lists for questions, quoted
evidence, `review_by`'s reason as a trailing comment), so a file saved by the console and one
typed in an editor cannot be told apart (tests/test_article_format.py round-trips every article).

Nothing here validates content: `kb.articles.parse_article_text` and `kb check` do, on the text
`to_text` returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import yaml

from kb.schema import split_front_matter

# Characters that would make a plain YAML scalar mean something else, in a block or a flow.
_BLOCK_UNSAFE = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: |\s#|:$|\s$|^$")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")
_COMMENT = re.compile(r"\s+#\s?(.*)$")


@dataclass(slots=True)
class ArticleSource:
    """The fields of an article file as text, in file order (dates as YYYY-MM-DD)."""

    id: str = ""
    title: str = ""
    category: str = ""
    answer: str = ""
    tags: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    reviewed: str = ""
    review_by: str = ""
    review_note: str = ""  # why review_by is that date: the comment after it
    updated: str = ""
    body: str = ""
    order: str = ""  # only when not the default

    def to_text(self) -> str:
        """The file's text, front matter and body, ending with one newline."""
        lines = [
            "---",
            f"id: {_plain(self.id)}",
            f"title: {_plain(self.title)}",
            f"category: {_plain(self.category)}",
            f"answer: {_plain(self.answer)}",
            f"tags: {_flow(self.tags)}",
            "queries:",
            *(f"  - {_plain(query)}" for query in self.queries),
            f"related: {_flow(self.related)}",
            f"sources: {_flow(self.sources)}",
            "evidence:",
            *(f"  - {_quoted(passage)}" for passage in self.evidence),
            f"reviewed: {self.reviewed}",
            f"review_by: {self.review_by}"
            + (f"  # {_one_line(self.review_note)}" if self.review_note.strip() else ""),
            f"updated: {self.updated}",
        ]
        if self.order.strip():
            lines.append(f"order: {self.order.strip()}")
        lines.append("---")
        body = self.body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        return "\n".join(lines) + "\n" + body + "\n"

    def with_review(self, reviewed: str, review_by: str, note: str) -> ArticleSource:
        return replace(self, reviewed=reviewed, review_by=review_by, review_note=note)


def from_text(text: str) -> ArticleSource | None:
    """The fields of an article file; None when it has no readable front matter (the editor
    then shows the problems of `kb check` instead)."""
    split, problems = split_front_matter(text, None)
    if split is None or problems:
        return None
    try:
        front = yaml.safe_load(split.front)
    except yaml.YAMLError:
        return None
    if not isinstance(front, dict):
        return None

    def text_of(name: str) -> str:
        value = front.get(name)
        return "" if value is None else str(value)

    def texts_of(name: str) -> list[str]:
        value = front.get(name) or []
        return [str(item) for item in value] if isinstance(value, list) else [str(value)]

    note = ""
    for line in split.front.splitlines():
        if line.startswith("review_by:"):
            found = _COMMENT.search(line)
            note = found.group(1).strip() if found else ""
    return ArticleSource(
        id=text_of("id"),
        title=text_of("title"),
        category=text_of("category"),
        answer=text_of("answer"),
        tags=texts_of("tags"),
        queries=texts_of("queries"),
        related=texts_of("related"),
        sources=texts_of("sources"),
        evidence=texts_of("evidence"),
        reviewed=text_of("reviewed"),
        review_by=text_of("review_by"),
        review_note=note,
        updated=text_of("updated"),
        body=split.body,
        order=text_of("order"),
    )


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _plain(value: str) -> str:
    """`value` as a plain scalar when YAML reads it back unchanged, else double-quoted."""
    value = _one_line(value)
    if _BLOCK_UNSAFE.search(value) or not _reads_back(value):
        return _quoted(value)
    return value


def _flow(values: list[str]) -> str:
    items = []
    for value in values:
        value = _one_line(value)
        unsafe = _BLOCK_UNSAFE.search(value) or _FLOW_UNSAFE.search(value)
        items.append(_quoted(value) if unsafe or not _reads_back(value) else value)
    return "[" + ", ".join(items) + "]"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar on one line; tabs stay as typed (evidence is verbatim)."""
    value = " ".join(part.strip(" ") for part in value.splitlines()) if "\n" in value else value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _reads_back(value: str) -> bool:
    try:
        return yaml.safe_load(f"k: {value}") == {"k": value}
    except yaml.YAMLError:
        return False
