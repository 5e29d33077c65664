"""Source documents as data: the official notices the articles are written from.

`kb/sources/<id>.md` holds one document: front matter (`id`, `title`, `issuer`, `number`,
`date`, `url`, `supersedes`) and the document's full text as the body, verbatim. Articles cite
sources by id and quote them (`evidence:`); `kb check` finds every quoted passage in the cited
text (`evidence_key` on both sides), so an article cannot claim what its source does not say.

`date` is YYYY-MM-DD, or YYYY-MM when the document gives only a month (「令和6年9月改訂版」):
no day is invented. `url` only where the document prints one for itself.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.problems import Problem
from kb.schema import Field, Style, TextDatesLoader, YamlFile, split_front_matter

SOURCES_DIR = Path(__file__).parent / "sources"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WHITE_SPACE = re.compile(r"\s+")


def evidence_key(text: str) -> str:
    """What a quoted passage and a source are compared as: NFKC, without any white space.

    PDF text puts spaces inside words (「令 和 6 年」) and breaks lines anywhere; full- and
    half-width forms are the same character to a reader.
    """
    return _WHITE_SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    issuer: str
    date: dt.date  # the first of the month when only the month is known
    date_text: str  # as written: YYYY-MM-DD or YYYY-MM
    number: str = ""
    url: str = ""
    supersedes: tuple[str, ...] = ()
    text: str = ""
    path: Path = Path()

    @property
    def month_only(self) -> bool:
        return len(self.date_text) == 7

    def citation(self) -> dict:
        """What an article keeps of its source (shown on its page, stored with the index)."""
        return {
            "id": self.id,
            "title": self.title,
            "issuer": self.issuer,
            "number": self.number,
            "date": self.date_text,
            "url": self.url,
        }


def _source_date(value: str) -> str | None:
    if _MONTH.match(value):
        return None
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return f"date「{value}」は YYYY-MM-DD か YYYY-MM で書いてください"
    return None


FIELDS = (
    Field("id", "text", required=True),
    Field("title", "text", required=True),
    Field("issuer", "text", required=True),
    Field("date", "text", required=True, check=_source_date),
    Field("number", "text"),
    Field("url", "text"),
    Field("supersedes", "texts"),
)


def load_sources(directory: Path = SOURCES_DIR) -> tuple[dict[str, Source], list[Problem]]:
    """Every `*.md` source in `directory` by id, and the problems of those that do not load."""
    sources: dict[str, Source] = {}
    problems: list[Problem] = []
    for path in sorted(Path(directory).glob("*.md")):
        source, found = parse_source(path)
        problems.extend(found)
        if source is not None:
            sources[source.id] = source
    for source in sources.values():
        for old in source.supersedes:
            if old not in sources:
                problems.append(
                    Problem(source.path, 2, f"supersedes の「{old}」という出典はありません")
                )
    return sources, problems


def parse_source(path: Path) -> tuple[Source | None, list[Problem]]:
    split, problems = split_front_matter(path.read_text(encoding="utf-8"), path)
    if split is None:
        return None, problems
    front = YamlFile(
        path, style=Style(at_key=True, type_detail=True), first_line=2, loader=TextDatesLoader
    )
    node = front.compose(split.front)
    if front.problems or not isinstance(node, yaml.MappingNode):
        return None, front.problems or [
            Problem(path, 2, "front matter は「項目: 値」の形式で書いてください")
        ]
    fields = front.fields(node, FIELDS, missing_line=2)
    if fields["id"] and fields["id"] != path.stem:
        front.report(
            fields.get("id").key_line,
            f"id「{fields['id']}」がファイル名「{path.stem}」と一致しません",
        )
    if not split.body.strip():
        front.report(split.body_first_line, "本文（出典の全文）が空です")
    if front.problems:
        return None, front.problems
    date_text = fields["date"]
    month = _MONTH.match(date_text)
    date = dt.date(int(month[1]), int(month[2]), 1) if month else dt.date.fromisoformat(date_text)
    return Source(
        id=fields["id"],
        title=fields["title"],
        issuer=fields["issuer"],
        date=date,
        date_text=date_text,
        number=fields["number"],
        url=fields["url"],
        supersedes=fields["supersedes"],
        text=split.body,
        path=path,
    ), []
