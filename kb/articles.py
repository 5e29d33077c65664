"""Articles: the typed content model, loaded from Markdown files with YAML front matter.

Loading never raises on bad content. Every problem is collected with the file and line it was
found at, so an editor sees all of them at once (`kb check`), and the valid articles stay usable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.categories import CATEGORY_BY_ID
from kb.problems import Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Internal links are written as site paths so that the Markdown reads the same everywhere.
INTERNAL_LINK = re.compile(r"\]\(/articles/([^)#?\s]*)")

REQUIRED_FIELDS = (
    "id",
    "title",
    "category",
    "answer",
    "tags",
    "queries",
    "related",
    "source",
    "updated",
)
OPTIONAL_FIELDS = ("order",)
MIN_QUERIES, MAX_QUERIES = 3, 6
DEFAULT_ORDER = 100


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    category: str
    answer: str
    tags: tuple[str, ...]
    queries: tuple[str, ...]
    related: tuple[str, ...]
    source: str
    updated: dt.date
    body: str
    path: Path
    order: int = DEFAULT_ORDER
    # 1-based file line of each front-matter field and of each query, for precise reports.
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    query_lines: tuple[int, ...] = field(default=(), compare=False, hash=False)

    @property
    def url(self) -> str:
        return f"/articles/{self.id}"


@dataclass(slots=True)
class LoadResult:
    articles: dict[str, Article]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def load_articles(directory: Path) -> LoadResult:
    """Load and validate every `*.md` file in `directory`, sorted by category order then `order`."""
    problems: list[Problem] = []
    parsed: list[Article] = []
    declared: dict[str, list[tuple[Path, int]]] = {}
    paths = sorted(directory.glob("*.md"))
    if not paths:
        problems.append(Problem(directory, 0, "記事ファイル（*.md）が1件もありません"))
    for path in paths:
        article, file_problems = parse_article_file(path)
        problems.extend(file_problems)
        if article is not None:
            parsed.append(article)
        declared_id, line = _declared_id(path)
        if declared_id:
            declared.setdefault(declared_id, []).append((path, line))

    for article_id, places in declared.items():
        for path, line in places[1:]:
            problems.append(
                Problem(path, line, f"id「{article_id}」が {places[0][0].name} と重複しています")
            )
    articles, cross_problems = _check_across_articles(parsed)
    problems.extend(cross_problems)
    return LoadResult(articles=articles, problems=sorted(problems))


class _FrontMatterLoader(yaml.SafeLoader):
    """A safe loader that leaves dates as text, so an impossible date is reported, not raised."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _declared_id(path: Path) -> tuple[str | None, int]:
    """The id a file claims, even when the file has other problems (for duplicate detection)."""
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:40], 2):
            if line.startswith("id:"):
                return line[3:].strip().strip("\"'") or None, number
            if line.strip() == "---":
                break
    except (OSError, UnicodeDecodeError):
        pass
    return None, 0


def parse_article_file(path: Path) -> tuple[Article | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(path, 1, "UTF-8 として読めません")]
    return parse_article_text(text, path)


def parse_article_text(text: str, path: Path) -> tuple[Article | None, list[Problem]]:
    """Parse one article. Returns the article only when it has no problems of its own."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(path, 1, "先頭行が front matter の開始「---」ではありません")]
    try:
        closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(path, 1, "front matter の終わり「---」が見つかりません")]

    front_text = "\n".join(lines[1:closing])
    body_lines = lines[closing + 1 :]
    leading_blank = next((i for i, line in enumerate(body_lines) if line.strip()), len(body_lines))
    body = "\n".join(body_lines[leading_blank:]).rstrip()
    body_first_line = closing + 2 + leading_blank
    try:
        node = yaml.compose(front_text, Loader=_FrontMatterLoader)
        data = yaml.load(front_text, Loader=_FrontMatterLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        reason = getattr(error, "problem", None) or str(error)
        return None, [Problem(path, line, f"front matter の YAML が読めません: {reason}")]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, 2, "front matter は「項目: 値」の形式で書いてください")]

    field_lines = {key.value: key.start_mark.line + 2 for key, _ in node.value}
    query_lines = _item_lines(node, "queries")
    checker = _FieldChecker(path, data, field_lines)
    article = checker.build(body, body_first_line, query_lines)
    return (article if not checker.problems else None), checker.problems


def _item_lines(node: yaml.MappingNode, key: str) -> tuple[int, ...]:
    for key_node, value_node in node.value:
        if key_node.value == key and isinstance(value_node, yaml.SequenceNode):
            return tuple(item.start_mark.line + 2 for item in value_node.value)
    return ()


class _FieldChecker:
    """Checks one article's fields; each check adds a problem at the field's line."""

    def __init__(self, path: Path, data: dict, field_lines: dict[str, int]):
        self.path = path
        self.data = data
        self.field_lines = field_lines
        self.problems: list[Problem] = []

    def report(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.field_lines.get(name, 2), message))

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if name not in self.data:
            return ""
        if not isinstance(value, str):
            self.report(name, f"「{name}」は文字列で書いてください（今は {type(value).__name__}）")
            return ""
        if not value.strip():
            self.report(name, f"「{name}」が空です")
        return value.strip()

    def text_list(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name)
        if name not in self.data:
            return ()
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.report(name, f"「{name}」は文字列のリストで書いてください（例: [a, b]）")
            return ()
        items = tuple(item.strip() for item in value)
        if any(not item for item in items):
            self.report(name, f"「{name}」に空の項目があります")
        return items

    def build(
        self, body: str, body_first_line: int, query_lines: tuple[int, ...]
    ) -> Article | None:
        for name in REQUIRED_FIELDS:
            if name not in self.data:
                self.problems.append(Problem(self.path, 2, f"必須項目「{name}」がありません"))
        for name in self.data:
            if name not in REQUIRED_FIELDS and name not in OPTIONAL_FIELDS:
                known = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
                self.report(name, f"未知の項目「{name}」です（使える項目: {known}）")

        article_id = self.text("id")
        if article_id and not ID_PATTERN.match(article_id):
            self.report("id", f"id「{article_id}」は英小文字・数字・ハイフンだけで書いてください")
        if article_id and article_id != self.path.stem:
            self.report("id", f"id「{article_id}」がファイル名「{self.path.stem}」と一致しません")
        title = self.text("title")
        category = self.text("category")
        if category and category not in CATEGORY_BY_ID:
            known = ", ".join(CATEGORY_BY_ID)
            self.report("category", f"未知のカテゴリ「{category}」です（使えるカテゴリ: {known}）")
        answer = self.text("answer")
        source = self.text("source")
        tags = self.text_list("tags")
        queries = self.text_list("queries")
        if "queries" in self.data and not MIN_QUERIES <= len(queries) <= MAX_QUERIES:
            self.report(
                "queries",
                f"queries は {MIN_QUERIES}〜{MAX_QUERIES} 件にしてください（今は {len(queries)} 件）",
            )
        duplicates = sorted({q for q in queries if queries.count(q) > 1})
        if duplicates:
            self.report("queries", f"queries に同じ質問が重複しています: {', '.join(duplicates)}")
        if title and title in queries:
            self.report(
                "queries", "queries にタイトルと同じ質問があります。利用者の言い方で書いてください"
            )
        related = self.text_list("related")
        if article_id and article_id in related:
            self.report("related", "related に記事自身が含まれています")
        updated = self._date("updated")
        order = self._order()
        if not body.strip():
            self.problems.append(Problem(self.path, body_first_line, "本文が空です"))

        if self.problems:
            return None
        return Article(
            id=article_id,
            title=title,
            category=category,
            answer=answer,
            tags=tags,
            queries=queries,
            related=related,
            source=source,
            updated=updated,
            body=body,
            path=self.path,
            order=order,
            field_lines=dict(self.field_lines) | {"body": body_first_line},
            query_lines=query_lines,
        )

    def _date(self, name: str) -> dt.date:
        value = self.data.get(name)
        if name not in self.data:
            return dt.date.min
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.report(
            name, f"「{name}」の日付「{value}」が正しくありません（YYYY-MM-DD で書いてください）"
        )
        return dt.date.min

    def _order(self) -> int:
        value = self.data.get("order", DEFAULT_ORDER)
        if isinstance(value, bool) or not isinstance(value, int):
            self.report("order", "「order」は整数で書いてください")
            return DEFAULT_ORDER
        return value


def _check_across_articles(parsed: Iterable[Article]) -> tuple[dict[str, Article], list[Problem]]:
    problems: list[Problem] = []
    by_id: dict[str, Article] = {}
    for article in parsed:
        by_id.setdefault(article.id, article)  # a duplicate is reported above; the first one wins

    for article in by_id.values():
        for target in article.related:
            if target not in by_id:
                problems.append(
                    Problem(
                        article.path,
                        article.field_lines.get("related", 2),
                        f"related の「{target}」という記事はありません",
                    )
                )
        for offset, line in enumerate(article.body.splitlines()):
            for match in INTERNAL_LINK.finditer(line):
                target = match.group(1)
                if target not in by_id:
                    problems.append(
                        Problem(
                            article.path,
                            article.field_lines["body"] + offset,
                            f"リンク先の記事「/articles/{target}」はありません",
                        )
                    )

    order = {category_id: position for position, category_id in enumerate(CATEGORY_BY_ID)}
    ordered = sorted(by_id.values(), key=lambda a: (order.get(a.category, 99), a.order, a.id))
    return {article.id: article for article in ordered}, problems


def article_to_dict(article: Article) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "category": article.category,
        "answer": article.answer,
        "tags": list(article.tags),
        "queries": list(article.queries),
        "related": list(article.related),
        "source": article.source,
        "updated": article.updated.isoformat(),
        "body": article.body,
        "path": str(article.path),
        "order": article.order,
    }


def article_from_dict(data: dict) -> Article:
    return Article(
        id=data["id"],
        title=data["title"],
        category=data["category"],
        answer=data["answer"],
        tags=tuple(data["tags"]),
        queries=tuple(data["queries"]),
        related=tuple(data["related"]),
        source=data["source"],
        updated=dt.date.fromisoformat(data["updated"]),
        body=data["body"],
        path=Path(data["path"]),
        order=data.get("order", DEFAULT_ORDER),
    )
