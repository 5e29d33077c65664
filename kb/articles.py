"""Articles: the typed content model, loaded from Markdown files with YAML front matter.

Loading never raises on bad content. Every problem is collected with the file and line it was
found at, so an editor sees all of them at once (`kb check`), and the valid articles stay usable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.categories import CATEGORY_BY_ID
from kb.problems import Problem
from kb.schema import Field, Fields, Style, TextDatesLoader, YamlFile, split_front_matter
from kb.sources import SOURCES_DIR, Source, evidence_key, load_sources

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
    sources: tuple[str, ...]  # ids in kb/sources/
    evidence: tuple[str, ...]  # verbatim passages of the cited sources (checked)
    reviewed: dt.date  # last confirmed against current official information
    review_by: dt.date  # to be confirmed again by then; stale after it
    updated: dt.date  # the article's own text last changed
    body: str
    path: Path
    order: int = DEFAULT_ORDER
    # The date of the newest source it cites: what its information is as of.
    as_of: dt.date | None = None
    # What the page shows of each cited source (kb.sources.Source.citation), newest first.
    citations: tuple[dict, ...] = field(default=(), compare=False, hash=False)
    # 1-based file line of each front-matter field and of each query, for precise reports.
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    query_lines: tuple[int, ...] = field(default=(), compare=False, hash=False)
    evidence_lines: tuple[int, ...] = field(default=(), compare=False, hash=False)

    @property
    def url(self) -> str:
        return f"/articles/{self.id}"

    def stale(self, today: dt.date) -> bool:
        """Past its `review_by`: what it says may have changed since its sources."""
        return today > self.review_by

    def review_due(self, today: dt.date, within_days: int) -> bool:
        """Stale, or to be reviewed within `within_days` days."""
        return today + dt.timedelta(days=within_days) >= self.review_by


@dataclass(slots=True)
class LoadResult:
    articles: dict[str, Article]
    problems: list[Problem]
    # Worth an editor's attention but not blocking: an article citing a superseded source.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_articles(directory: Path, sources_dir: Path = SOURCES_DIR) -> LoadResult:
    """Load and validate every `*.md` file in `directory`, sorted by category order then `order`,
    with their citations checked against the sources in `sources_dir`."""
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
    sources, source_problems = load_sources(sources_dir)
    problems.extend(source_problems)
    cited, citation_problems, warnings = _cite(parsed, sources)
    problems.extend(citation_problems)
    articles, cross_problems = _check_across_articles(cited)
    problems.extend(cross_problems)
    return LoadResult(articles=articles, problems=sorted(problems), warnings=sorted(warnings))


def _cite(
    parsed: list[Article], sources: dict[str, Source]
) -> tuple[list[Article], list[Problem], list[Problem]]:
    """Articles with their as-of date and citations; the citations that do not hold."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    superseded = {old: new.id for new in sources.values() for old in new.supersedes}
    cited = []
    for article in parsed:
        line = article.field_lines.get("sources", 2)
        known = [sources[i] for i in article.sources if i in sources]
        for source_id in article.sources:
            if source_id not in sources:
                problems.append(
                    Problem(article.path, line, f"出典「{source_id}」は kb/sources/ にありません")
                )
            elif source_id in superseded:
                warnings.append(
                    Problem(
                        article.path,
                        line,
                        f"出典「{source_id}」は「{superseded[source_id]}」で改められています。"
                        "記事を新しい出典で確かめてください",
                    )
                )
        text = evidence_key("\n".join(source.text for source in known))
        for passage, passage_line in zip(article.evidence, article.evidence_lines, strict=False):
            if evidence_key(passage) not in text:
                problems.append(
                    Problem(
                        article.path,
                        passage_line,
                        f"evidence「{passage[:40]}」が出典（{', '.join(article.sources)}）の本文にありません",
                    )
                )
        newest_first = sorted(known, key=lambda source: source.date, reverse=True)
        cited.append(
            dataclasses.replace(
                article,
                as_of=newest_first[0].date if newest_first else None,
                citations=tuple(source.citation() for source in newest_first),
            )
        )
    return cited, problems, warnings


# Front matter reports every problem at its key's line, names a wrong value's type, judges a list
# as a whole, and lets a repeated key's last value win, as it always has.
FRONT_MATTER = Style(at_key=True, type_detail=True)


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
    split, problems = split_front_matter(text, path)
    if split is None:
        return None, problems
    front_text, body, body_first_line = split.front, split.body, split.body_first_line
    front = YamlFile(
        path, style=FRONT_MATTER, first_line=2, loader=TextDatesLoader, label="front matter の "
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


def _not_empty(name: str):
    def check(values: tuple[str, ...]) -> str | None:
        return None if values else f"{name} に1件以上書いてください"

    return check


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
    Field("sources", "texts", required=True, check=_not_empty("sources")),
    Field("evidence", "texts", required=True, check=_not_empty("evidence")),
    Field("reviewed", "date", required=True),
    Field("review_by", "date", required=True),
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
        sources=fields["sources"],
        evidence=fields["evidence"],
        reviewed=fields["reviewed"],
        review_by=fields["review_by"],
        updated=fields["updated"],
        body=body,
        path=path,
        order=fields["order"],
        field_lines={name: value.key_line for name, value in fields.values.items() if value.present}
        | {"body": body_first_line},
        query_lines=fields.get("queries").item_lines,
        evidence_lines=fields.get("evidence").item_lines,
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
        "sources": list(article.sources),
        "evidence": list(article.evidence),
        "reviewed": article.reviewed.isoformat(),
        "review_by": article.review_by.isoformat(),
        "updated": article.updated.isoformat(),
        "as_of": article.as_of.isoformat() if article.as_of else None,
        "citations": list(article.citations),
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
        sources=tuple(data["sources"]),
        evidence=tuple(data["evidence"]),
        reviewed=dt.date.fromisoformat(data["reviewed"]),
        review_by=dt.date.fromisoformat(data["review_by"]),
        updated=dt.date.fromisoformat(data["updated"]),
        as_of=dt.date.fromisoformat(data["as_of"]) if data.get("as_of") else None,
        citations=tuple(data.get("citations", ())),
        body=data["body"],
        path=Path(data["path"]),
        order=data.get("order", DEFAULT_ORDER),
    )
