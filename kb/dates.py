"""Japanese dates: 令和6年, R6, 2024年 and 平成31年 written any way become the same terms.

A recognized date is replaced by canonical terms (`2024年`, `2024年12月`, `12月11日`,
`2024年12月11日`, `2024年度`), so a date typed in one form finds it written in another:
令和6年12月11日, 令和六年十二月十一日 (kanji numerals arrive as digits), 2024/12/11, 2024-12-11,
2024.12.11, R6.12.11, R6/12/11 and 12/11 all meet.
"""

from dataclasses import dataclass

ERA_START_YEARS = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}
ERA_LETTERS = {"r": "令和", "h": "平成", "s": "昭和"}
WEEKDAYS = set("月火水木金土日")
# Between numbers of a date written the short way: 2024/12/11, 2024-12-11, R6.12.11.
SEPARATORS = {"/", "-", "."}


@dataclass(frozen=True, slots=True)
class Piece:
    """A morpheme reduced to what date recognition needs."""

    surface: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class DateMatch:
    first: int  # index of the first piece covered
    last: int  # index one past the last piece covered
    terms: tuple[str, ...]


def era_to_western(era: str, year: int) -> int:
    return ERA_START_YEARS[era] + year - 1


def _number(surface: str) -> int | None:
    if surface == "元":
        return 1
    return int(surface) if surface.isdigit() and len(surface) <= 4 else None


def match_date(pieces: list[Piece], i: int) -> DateMatch | None:
    """Recognize a date starting at piece i, or None."""
    first = pieces[i].surface
    # Every date starts with a number or an era (checked below): most pieces are neither, and
    # this is asked of every morpheme of every article.
    if first not in ERA_START_YEARS and first not in ERA_LETTERS and _number(first) is None:
        return None
    j = i
    year: int | None = None
    fiscal = False
    era = pieces[j].surface
    if era in ERA_LETTERS and j + 1 < len(pieces) and pieces[j + 1].start == pieces[j].end:
        era = ERA_LETTERS[era]
    if era in ERA_START_YEARS and j + 1 < len(pieces) and pieces[j + 1].surface == "元年":
        year = era_to_western(era, 1)  # the dictionary reads 元年 as one word
        j += 2
        month, day, j = _month_day(pieces, j)
        return _terms(i, _skip_weekday(pieces, j), year, False, month, day)
    if era in ERA_START_YEARS and j + 1 < len(pieces):
        number = _number(pieces[j + 1].surface)
        if number is None or number > 99:
            return None
        year = era_to_western(era, number)
        j += 2
    elif (
        (number := _number(pieces[j].surface)) is not None
        and 1900 <= number <= 2100
        and len(pieces[j].surface) == 4
    ):
        year = number
        j += 1
    if year is not None:
        suffix = pieces[j].surface if j < len(pieces) else ""
        if suffix in ("年", "年度"):
            fiscal = suffix == "年度"
            j += 1
        elif suffix in SEPARATORS:
            month, day, k = _short_month_day(pieces, j)
            if month is None:
                return None
            return _terms(i, _skip_weekday(pieces, k), year, False, month, day)
        elif era not in ERA_START_YEARS:
            return None  # a bare four-digit number is not a year
    elif j + 1 < len(pieces) and pieces[j + 1].surface == "/":
        # 12/11: a month and a day with a slash (a dot or hyphen could be a decimal or a range)
        month, day, k = _short_month_day(pieces, j - 1, first_is_month=True)
        if month is not None and day is not None:
            return _terms(i, _skip_weekday(pieces, k), None, False, month, day)
    month, day, j = _month_day(pieces, j)
    if year is None and month is None:
        return None
    if month is None and year is not None and j == i + 1:
        return None
    return _terms(i, _skip_weekday(pieces, j), year, fiscal, month, day)


def _terms(
    i: int, j: int, year: int | None, fiscal: bool, month: int | None, day: int | None
) -> DateMatch:
    terms: list[str] = []
    if year is not None:
        terms.append(f"{year}年")
        if fiscal:
            terms.append(f"{year}年度")
        if month is not None:
            terms.append(f"{year}年{month}月")
            if day is not None:
                terms.append(f"{year}年{month}月{day}日")
    if month is not None and day is not None:
        terms.append(f"{month}月{day}日")
    elif month is not None and year is None:
        terms.append(f"{month}月")
    return DateMatch(first=i, last=j, terms=tuple(terms))


def _month_day(pieces: list[Piece], j: int) -> tuple[int | None, int | None, int]:
    if j + 1 < len(pieces) and pieces[j + 1].surface == "月":
        month = _number(pieces[j].surface)
        if month is not None and 1 <= month <= 12:
            j += 2
            if j + 1 < len(pieces) and pieces[j + 1].surface == "日":
                day = _number(pieces[j].surface)
                if day is not None and 1 <= day <= 31:
                    return month, day, j + 2
            return month, None, j
    return None, None, j


def _short_month_day(
    pieces: list[Piece], j: int, first_is_month: bool = False
) -> tuple[int | None, int | None, int]:
    """Month and day written with separators: j is at the separator after the year (2024/…),
    or, with `first_is_month`, j + 1 is the month itself (12/11). Pieces must touch."""
    if first_is_month:
        j += 1
        month = _number(pieces[j].surface)
        if month is None or not 1 <= month <= 12:
            return None, None, j
        j += 1
    else:
        if j + 1 >= len(pieces) or not _touch(pieces, j):
            return None, None, j
        month = _number(pieces[j + 1].surface)
        if month is None or not 1 <= month <= 12:
            return None, None, j
        j += 2
    if (
        j + 1 < len(pieces)
        and pieces[j].surface in SEPARATORS
        and _touch(pieces, j)
        and (day := _number(pieces[j + 1].surface)) is not None
        and 1 <= day <= 31
    ):
        return month, day, j + 2
    return month, None, j


def _touch(pieces: list[Piece], j: int) -> bool:
    """The separator at j is written right between the numbers around it."""
    return (
        0 < j < len(pieces) - 1
        and pieces[j - 1].end == pieces[j].start
        and pieces[j].end == pieces[j + 1].start
    )


def _skip_weekday(pieces: list[Piece], j: int) -> int:
    """Skip a weekday in brackets after a date, 「（水）」, so it is not indexed as 水."""
    if (
        j + 2 < len(pieces)
        and pieces[j].surface in "(（"
        and pieces[j + 1].surface in WEEKDAYS
        and pieces[j + 2].surface in ")）"
    ):
        return j + 3
    return j
