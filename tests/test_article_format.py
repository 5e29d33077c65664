"""Article files written by the console are written as by hand: every article round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb import ARTICLES_DIR
from kb.article_format import ArticleSource, from_text
from kb.articles import parse_article_text

ARTICLE_FILES = sorted(ARTICLES_DIR.glob("*.md"))


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda path: path.stem)
def test_every_article_file_is_written_back_byte_for_byte(path):
    text = path.read_text(encoding="utf-8")
    source = from_text(text)
    assert source is not None
    assert source.to_text() == text


@pytest.mark.parametrize(
    "value",
    [
        "a: b",
        "# 見出し",
        "- 箇条書き",
        "100",
        "2024-12-09",
        "yes",
        "null",
        '"引用"',
        "'引用'",
        "[リスト]",
        "タグ, カンマ",
        "末尾のコロン:",
        "途中の #記号",
        "*強調*",
        "&参照",
        "!タグ",
        "%",
        "@",
        "`",
        "{波括弧}",
        "改行\nを含む",
    ],
)
def test_any_text_in_any_field_reads_back_as_typed(value):
    source = ArticleSource(
        id="sample",
        title=value,
        category="setup",
        answer=value,
        tags=[value, "通常"],
        queries=[value + "？", "二つ目", "三つ目"],
        related=[],
        sources=["mhlw-guide-2024-09"],
        evidence=[value],
        reviewed="2024-12-09",
        review_by="2025-03-09",
        review_note=value,
        updated="2024-12-09",
        body="本文",
    )
    text = source.to_text()
    front = yaml.safe_load(text.split("---\n")[1])
    typed = " ".join(value.split())  # one line: a field of the front matter holds one line
    assert front["title"] == typed and front["answer"] == typed
    assert front["tags"] == [typed, "通常"] and front["queries"][0] == typed + "？"
    assert front["evidence"] == [typed]
    assert from_text(text).review_note == typed
    article, problems = parse_article_text(text, Path("sample.md"))
    assert problems == [] and article.title == typed


def test_the_body_keeps_its_text_and_ends_with_one_newline():
    source = ArticleSource(body="\r\n本文の1行目\r\n\r\n- 項目\r\n\r\n\r\n")
    assert source.to_text().endswith("---\n本文の1行目\n\n- 項目\n")
