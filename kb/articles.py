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
from kb.schema import Field, Fields, Style, YamlFile

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Internal links are written as site paths so that the Markdown reads the same everywhere.
INTERNAL_LINK = re.compile(r"\]\(/articles/([^)#?\s]*)")

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


# Front matter reports every problem at its key's line, names a wrong value's type, judges a list
# as a whole, and lets a repeated key's last value win, as it always has.
FRONT_MATTER = Style(at_key=True, type_detail=True)


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
    front = YamlFile(
        path, style=FRONT_MATTER, first_line=2, loader=_FrontMatterLoader, label="front matter の "
    )
    node = front.compose(front_text)
    if front.problems:
        return None, front.problems
    if not isinstance(node, yaml.MappingNode):
        return None, [Problem(path, 2, "front matter は「項目: 値」の形式で書いてください")]
    fields = front.fields(node, FIELDS, missing_line=2)
    article = _build(front, fields, body, body_first_line)
    return (article if not front.problems else None), front.problems


def _unknown_category(category: str) -> str | None:
    if category and category not in CATEGORY_BY_ID:
        return f"未知のカテゴリ「{category}」です（使えるカテゴリ: {', '.join(CATEGORY_BY_ID)}）"
    return None


def _bad_id(article_id: str) -> str | None:
    if article_id and not ID_PATTERN.match(article_id):
        return f"id「{article_id}」は英小文字・数字・ハイフンだけで書いてください"
    return None


def _query_count(queries: tuple[str, ...]) -> str | None:
    if not MIN_QUERIES <= len(queries) <= MAX_QUERIES:
        return f"queries は {MIN_QUERIES}〜{MAX_QUERIES} 件にしてください（今は {len(queries)} 件）"
    return None


def _repeated_queries(queries: tuple[str, ...]) -> str | None:
    duplicates = sorted({q for q in queries if queries.count(q) > 1})
    if duplicates:
        return f"queries に同じ質問が重複しています: {', '.join(duplicates)}"
    return None


FIELDS = (
    Field("id", "text", required=True, check=_bad_id),
    Field("title", "text", required=True),
    Field("category", "text", required=True, check=_unknown_category),
    Field("answer", "text", required=True),
    Field("tags", "texts", required=True),
    Field("queries", "texts", required=True, check=_query_count),
    Field("related", "texts", required=True),
    Field("source", "text", required=True),
    Field("updated", "date", required=True),
    Field("order", "integer", default=DEFAULT_ORDER),
)
REQUIRED_FIELDS = tuple(item.name for item in FIELDS if item.required)
OPTIONAL_FIELDS = tuple(item.name for item in FIELDS if not item.required)


def _build(front: YamlFile, fields: Fields, body: str, body_first_line: int) -> Article | None:
    """The checks across fields of one article, and the article when there is no problem."""
    path = front.path

    def report(name: str, message: str) -> None:
        front.report(fields.get(name).key_line, message)

    article_id, title, queries = fields["id"], fields["title"], fields["queries"]
    if article_id and article_id != path.stem:
        report("id", f"id「{article_id}」がファイル名「{path.stem}」と一致しません")
    repeated = _repeated_queries(queries)
    if repeated:
        report("queries", repeated)
    if title and title in queries:
        report("queries", "queries にタイトルと同じ質問があります。利用者の言い方で書いてください")
    if article_id and article_id in fields["related"]:
        report("related", "related に記事自身が含まれています")
    if not body.strip():
        front.report(body_first_line, "本文が空です")
    if front.problems:
        return None
    return Article(
        id=article_id,
        title=title,
        category=fields["category"],
        answer=fields["answer"],
        tags=fields["tags"],
        queries=queries,
        related=fields["related"],
        source=fields["source"],
        updated=fields["updated"],
        body=body,
        path=path,
        order=fields["order"],
        field_lines={name: value.key_line for name, value in fields.values.items() if value.present}
        | {"body": body_first_line},
        query_lines=fields.get("queries").item_lines,
    )


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
