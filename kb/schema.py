"""Reading YAML that people write (article front matter, the chat's rules) against declared fields.

A loader declares its fields once (`Field`: name, kind, required, a validator, the Japanese
message when it is missing) and reads a YAML mapping with `YamlFile.fields`. Every problem —
a YAML syntax error, an unknown or missing field, a value of the wrong type — becomes a
`Problem` (`path:line: message`, in Japanese) and reading goes on, so an editor sees all of a
file's problems at once.

Kinds of value (`Field.kind`) and what a wrong one is told:
    "text"    a string, stripped; 「x」は文字列で書いてください / 「x」が空です
    "texts"   a list of strings (null: empty); 「x」は文字列のリストで書いてください（例: [a, b]）
    "flag"    true or false; 「x」は true か false で書いてください
    "integer" an int (not a bool); 「x」は整数で書いてください
    "date"    YYYY-MM-DD; 「x」の日付「…」が正しくありません（YYYY-MM-DD で書いてください）
    "node"    the YAML node itself, for a nested section the loader reads on its own

The two file formats differ in a few conventions, declared once per format in a `Style`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.problems import Problem

KINDS = ("text", "texts", "flag", "integer", "date", "node")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str = "text"
    required: bool = False
    # Said when a required field is absent; {name} is the field's name.
    missing: str = "必須項目「{name}」がありません"
    # Given the read value, returns a message for a value of the right type that is still wrong
    # (reported at the field's line), or None.
    check: Callable[[Any], str | None] | None = None
    # The value of an absent field; None means the kind's own empty value ("", (), False, …).
    default: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of field {self.name!r}")


@dataclass(frozen=True, slots=True)
class Style:
    """How a file format has always reported its problems."""

    # Report a value's problem at its key's line (front matter) or at the value's own line.
    at_key: bool = False
    # Name the type of a wrong value: 「title」は文字列で書いてください（今は int）.
    type_detail: bool = False
    # Lists: check each item at its own line and drop the bad ones (the rules), or judge the
    # list as a whole and keep every item (front matter, whose counts then stay the same).
    each_item: bool = False
    # Lists: a lone string is a list of one.
    lone_item: bool = False
    # A key written twice is a problem (the first value counts), or the last value silently wins
    # as in plain YAML.
    repeated_keys: bool = False


@dataclass(slots=True)
class Value:
    """A field as read: its value, the lines of its key and value, and of each list item."""

    value: Any
    present: bool = False
    key_line: int = 0
    line: int = 0
    item_lines: tuple[int, ...] = ()
    node: yaml.Node | None = None


@dataclass(slots=True)
class Fields:
    values: dict[str, Value] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name].value

    def __contains__(self, name: str) -> bool:
        return self.values[name].present

    def get(self, name: str) -> Value:
        return self.values[name]


class YamlFile:
    """One YAML file being read: where it is, the line its YAML starts at, its problems so far."""

    def __init__(
        self,
        path: Path,
        *,
        style: Style = Style(),
        first_line: int = 1,
        loader: type[yaml.SafeLoader] = yaml.SafeLoader,
        label: str = "",
    ):
        self.path = Path(path)
        self.style = style
        self.first_line = first_line  # front matter starts on the file's second line
        self.loader = loader
        self.label = label  # what the YAML is, for the syntax error: 「front matter の 」
        self.problems: list[Problem] = []

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line

    def plain(self, node: yaml.Node | None) -> Any:
        """The Python value of a node, as the file's YAML loader constructs it."""
        return self.loader("").construct_document(node) if node is not None else None

    def compose(self, text: str) -> yaml.Node | None:
        """The document's root node, or None (and one problem at the error's line) when the text
        is not YAML. Values are constructed here too, so that an error only constructing
        reveals (an unhashable key, an impossible timestamp) is reported, not raised later."""
        try:
            node = yaml.compose(text, Loader=self.loader)
            self.plain(node)
        except (yaml.YAMLError, ValueError) as error:
            mark = getattr(error, "problem_mark", None)
            reason = getattr(error, "problem", None) or str(error)
            line = mark.line + self.first_line if mark else 1
            self.report(line, f"{self.label}YAML が読めません: {reason}")
            return None
        return node

    def fields(
        self,
        node: yaml.MappingNode,
        declared: Sequence[Field],
        *,
        where: str = "",
        missing_line: int | None = None,
    ) -> Fields:
        """Read a mapping's declared fields: unknown keys, repeated keys (by the style), absent
        required fields (at `missing_line`, default the mapping's line) and wrong values are
        reported; every declared field gets a Value, the absent ones their default."""
        by_name = {item.name: item for item in declared}
        nodes: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        prefix = f"{where}の" if where else ""
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in by_name:
                known = ", ".join(by_name)
                self.report(
                    self.line(key_node), f"{prefix}未知の項目「{key}」です（使える項目: {known}）"
                )
                continue
            if key in nodes and self.style.repeated_keys:
                self.report(self.line(key_node), f"{prefix}項目「{key}」が2回書かれています")
                continue
            nodes[key] = (key_node, value_node)

        at = self.line(node) if missing_line is None else missing_line
        read = Fields()
        for item in declared:
            if item.name not in nodes:
                if item.required:
                    self.report(at, item.missing.format(name=item.name))
                read.values[item.name] = Value(self._empty(item))
                continue
            key_node, value_node = nodes[item.name]
            value = self._read(item, key_node, value_node)
            read.values[item.name] = value
            if item.check is not None and value.present:
                message = item.check(value.value)
                if message:
                    self.report(value.key_line, message)
        return read

    def text_list(self, node: yaml.Node | None, name: str) -> list[tuple[str, int]]:
        """(text, line) of each item of a list of strings outside declared fields (a section
        keyed by data, such as the rules' topics); None is an empty list."""
        return [] if node is None else self._texts(name, node, self.line(node))

    # --- one value of each kind ------------------------------------------------------------

    def _empty(self, item: Field) -> Any:
        if item.default is not None:
            return item.default
        return {"text": "", "texts": (), "flag": False, "date": dt.date.min}.get(item.kind)

    def _read(self, item: Field, key_node: yaml.Node, node: yaml.Node) -> Value:
        value = Value(None, True, self.line(key_node), self.line(node), node=node)
        at = value.key_line if self.style.at_key else value.line
        if item.kind == "node":
            value.value = node
        elif item.kind == "texts":
            items = self._texts(item.name, node, at)
            value.value = tuple(text for text, _ in items)
            value.item_lines = tuple(line for _, line in items)
        else:
            reader = {
                "text": self._text,
                "flag": self._flag,
                "integer": self._integer,
                "date": self._date,
            }[item.kind]
            value.value = reader(item, self.plain(node), at)
        return value

    def _wrong_type(self, message: str, value: Any) -> str:
        if self.style.type_detail:
            return f"{message}（今は {type(value).__name__}）"
        return message

    def _text(self, item: Field, value: Any, at: int) -> str:
        if not isinstance(value, str):
            self.report(at, self._wrong_type(f"「{item.name}」は文字列で書いてください", value))
            return ""
        if not value.strip():
            self.report(at, f"「{item.name}」が空です")
        return value.strip()

    def _texts(self, name: str, node: yaml.Node, at: int) -> list[tuple[str, int]]:
        """(text, line) of each item of a list of strings."""
        not_a_list = f"「{name}」は文字列のリストで書いてください（例: [a, b]）"
        empty_item = f"「{name}」に空の項目があります"
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        items = node.value if isinstance(node, yaml.SequenceNode) else None
        if self.style.lone_item and isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
            items = [node]
        if items is None:
            self.report(at, not_a_list)
            return []
        values = [(self.plain(item), self.line(item)) for item in items]
        if not self.style.each_item:
            if not all(isinstance(value, str) for value, _ in values):
                self.report(at, not_a_list)
                return []
            stripped = [(value.strip(), line) for value, line in values]
            if any(not value for value, _ in stripped):
                self.report(at, empty_item)
            return stripped
        result = []
        for value, line in values:
            if not isinstance(value, str):
                self.report(line, f"「{name}」の項目は文字列で書いてください")
            elif not value.strip():
                self.report(line, empty_item)
            else:
                result.append((value.strip(), line))
        return result

    def _flag(self, item: Field, value: Any, at: int) -> bool:
        if not isinstance(value, bool):
            self.report(at, f"「{item.name}」は true か false で書いてください")
            return self._empty(item)
        return value

    def _integer(self, item: Field, value: Any, at: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.report(at, f"「{item.name}」は整数で書いてください")
            return self._empty(item)
        return value

    def _date(self, item: Field, value: Any, at: int) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if value is None or value == "":
            self.report(at, f"「{item.name}」に日付を書いてください（YYYY-MM-DD）")
        else:
            self.report(
                at,
                f"「{item.name}」の日付「{value}」が正しくありません（YYYY-MM-DD で書いてください）",
            )
        return self._empty(item)


class TextDatesLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as text: an impossible date is then reported, not raised,
    and a date may be a month only (a source's 「令和6年9月改訂版」)."""


TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class FrontMatterFile:
    """A Markdown file split at its YAML front matter (`---` … `---`)."""

    front: str  # the YAML between the markers; it starts at file line 2
    body: str  # the Markdown after it, without leading blank lines or trailing space
    body_first_line: int  # 1-based file line of the body's first line


def split_front_matter(text: str, path: Path) -> tuple[FrontMatterFile | None, list[Problem]]:
    """The file's front matter and body, or the problem that keeps them apart."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(path, 1, "先頭行が front matter の開始「---」ではありません")]
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(path, 1, "front matter の終わり「---」が見つかりません")]
    body_lines = lines[closing + 1 :]
    leading_blank = next((i for i, line in enumerate(body_lines) if line.strip()), len(body_lines))
    return FrontMatterFile(
        front="\n".join(lines[1:closing]),
        body="\n".join(body_lines[leading_blank:]).rstrip(),
        body_first_line=closing + 2 + leading_blank,
    ), []
