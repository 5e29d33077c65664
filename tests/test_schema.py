"""The declarative YAML field reader shared by the article and the chat-rules loaders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kb.schema import Field, Style, YamlFile

PATH = Path("doc.yaml")
FIELDS = (
    Field("name", "text", required=True, missing="「{name}」を書いてください"),
    Field("words", "texts"),
    Field("on", "flag"),
    Field("count", "integer", default=7),
    Field("day", "date"),
    Field("kind", "text", check=lambda v: None if v in ("", "a", "b") else f"kind「{v}」は a か b"),
)


PLAIN = Style()


def read(text: str, style: Style = PLAIN, first_line: int = 1):
    source = YamlFile(PATH, style=style, first_line=first_line)
    node = source.compose(text)
    fields = source.fields(node, FIELDS, missing_line=first_line) if node is not None else None
    return fields, [str(problem) for problem in source.problems]


def test_valid_fields_are_read_with_their_lines():
    fields, problems = read("name: x \nwords:\n  - a\n  - b\non: true\nday: 2024-12-09\n")
    assert problems == []
    assert fields["name"] == "x" and fields["words"] == ("a", "b") and fields["on"] is True
    assert fields["day"] == dt.date(2024, 12, 9)
    assert fields["count"] == 7 and "count" not in fields  # absent: the declared default
    assert fields.get("words").key_line == 2 and fields.get("words").item_lines == (3, 4)


def test_a_yaml_error_is_one_problem_at_its_line_counted_from_the_first_line():
    _, problems = read("name: x\nwords: [a\non: true\n", first_line=2)
    assert len(problems) == 1
    assert problems[0].startswith("doc.yaml:4: YAML が読めません: ")


def test_a_value_that_cannot_be_constructed_is_a_yaml_problem_not_an_exception():
    _, problems = read("name: x\n? [a]\n: b\n")
    assert problems and "YAML が読めません" in problems[0]


def test_unknown_missing_and_wrong_fields_are_each_reported_at_their_line():
    _, problems = read(
        "colour: red\nwords: 3\non: yes please\ncount: '2'\nday: '2024-13-40'\nkind: c\n"
    )
    assert problems == [
        "doc.yaml:1: 未知の項目「colour」です（使える項目: name, words, on, count, day, kind）",
        "doc.yaml:1: 「name」を書いてください",
        "doc.yaml:2: 「words」は文字列のリストで書いてください（例: [a, b]）",
        "doc.yaml:3: 「on」は true か false で書いてください",
        "doc.yaml:4: 「count」は整数で書いてください",
        "doc.yaml:5: 「day」の日付「2024-13-40」が正しくありません（YYYY-MM-DD で書いてください）",
        "doc.yaml:6: kind「c」は a か b",
    ]


def test_the_style_decides_how_lists_and_repeated_keys_are_judged():
    text = "name: x\nwords:\n  - a\n  - 3\n  - ''\nname: y\n"
    whole, whole_problems = read(text, Style(at_key=True))
    assert whole_problems == ["doc.yaml:2: 「words」は文字列のリストで書いてください（例: [a, b]）"]
    assert whole["name"] == "y"  # plain YAML: the last value wins
    each, each_problems = read(text, Style(each_item=True, repeated_keys=True))
    assert each_problems == [
        "doc.yaml:6: 項目「name」が2回書かれています",
        "doc.yaml:4: 「words」の項目は文字列で書いてください",
        "doc.yaml:5: 「words」に空の項目があります",
    ]
    assert each["name"] == "x" and each["words"] == ("a",)


def test_a_lone_string_is_a_list_of_one_only_when_the_style_says_so():
    fields, problems = read("name: x\nwords: a\n", Style(lone_item=True))
    assert fields["words"] == ("a",) and problems == []
    assert read("name: x\nwords: a\n")[1] == [
        "doc.yaml:2: 「words」は文字列のリストで書いてください（例: [a, b]）"
    ]


def test_an_impossible_timestamp_is_a_yaml_problem_not_an_exception():
    # The safe loader builds dates itself and raises ValueError for month 13.
    _, problems = read("name: x\nkind: 2024-13-40\n")
    assert problems == ["doc.yaml:1: YAML が読めません: month must be in 1..12"]


def test_a_wrong_type_is_named_when_the_style_says_so():
    _, problems = read("name: 3\n", Style(type_detail=True))
    assert problems == ["doc.yaml:1: 「name」は文字列で書いてください（今は int）"]
