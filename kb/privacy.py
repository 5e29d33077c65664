"""Personal data in free text: find it (to warn the person) and mask it (before storing).

Reception staff sometimes paste a patient's numbers into a search box or the chat. Nothing that
identifies a person may reach a log, so every stored free text passes through `mask`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

MASK = "＊"

# Every character people put between the groups of a number, after NFKC (which already made
# full-width forms ASCII): hyphens, dashes and minus signs, the long-vowel mark typed for a dash
# (090ー1234ー5678), dots, middle dots, spaces and brackets (03(1234)5678). Finding reads a copy
# of the text with each of them as "-", one character for one, so offsets still hold.
SEPARATORS = "-‐‑‒–—―−﹣⁃ーｰ.・･()[]{}〔〕【】「」 \t\u3000"
_AS_HYPHEN = str.maketrans(dict.fromkeys(SEPARATORS, "-"))
_SEP = "-{0,3}"  # between two groups: none, or up to three separators (03 (1234) 5678)

_MY_NUMBER = re.compile(rf"(?<!\d)(\d{{4}}){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
_PHONE = re.compile(rf"(?<!\d)0\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{3,4}}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Insurance, recipient and public-payer numbers are 6–8 digit runs; a bare run of that length
# counts only next to a word that names such a number, before it (受給者番号が7654321,
# 受給者番号：7654321) or after it (7654321（受給者番号）, 7654321が受給者番号), while 9+ digits are
# always masked.
_NUMBER_WORDS = (
    r"(?:受給者番号|公費負担者番号|負担者番号|保険者番号|被保険者番号|記号番号|記号|番号|保険証"
    r"|マイナンバー|個人番号|患者番号|患者id|カルテ番号|診察券番号|受給者証|医療券)"
)
# In the unified copy the long-vowel mark of a label (マイナンバー) reads as "-" too.
_NUMBER_WORDS = _NUMBER_WORDS.replace("ー", "[ー-]")
_GROUPED_DIGITS = rf"\d(?:{_SEP}\d){{5,}}"
_BETWEEN = r"(?:[-:：=＝、,]|は|が|を|も|の|って|という){0,4}"
_LABELLED_NUMBER = re.compile(rf"{_NUMBER_WORDS}{_BETWEEN}({_GROUPED_DIGITS})(?!\d)", re.I)
_NUMBER_LABELLED = re.compile(rf"(?<!\d)({_GROUPED_DIGITS}){_BETWEEN}{_NUMBER_WORDS}", re.I)
# Nine or more digits, written in one run or in groups of three or more (1234-5678-9012, as a
# My Number card prints it, whatever its check digit): no date or price is written that way.
_LONG_DIGITS = re.compile(r"(?<!\d)(?<!\d-)(?:\d{9,}|\d{3,}(?:-{1,3}\d{3,})+)(?!-?\d)")


_DIGIT = re.compile(r"\d")

# What masking hides: letters and digits, not the separators between them (＊＊＊ー＊＊＊＊).
_MASKED = re.compile("[^\\W" + re.escape(SEPARATORS) + "]")


def unify_separators(text: str) -> str:
    """`text` with every separator of SEPARATORS as "-" (same length, same offsets)."""
    return text.translate(_AS_HYPHEN)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str  # "my_number", "phone", "email", "insurance_number"
    start: int
    end: int


def my_number_is_valid(digits: str) -> bool:
    """Check digit of an individual number (マイナンバー), as defined by the cabinet order."""
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(d) for d in digits[:11]]
    total = 0
    for n in range(1, 12):
        p = body[11 - n]
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    check = 0 if remainder <= 1 else 11 - remainder
    return check == int(digits[11])


def find(text: str, exempt: Collection[str] = frozenset()) -> list[Finding]:
    """Personal data in `text` (positions refer to its NFKC form, which keeps digit offsets).

    `exempt`: published phone numbers, digits only (the call centre's, the ministry's: the
    app's `public_numbers` setting), which are nobody's personal data.
    """
    normalized = unicodedata.normalize("NFKC", text)
    if "@" not in normalized and not _DIGIT.search(normalized):
        # Every kind of finding has digits, or an @: most questions have neither.
        return []
    view = unify_separators(normalized)
    findings: list[Finding] = []
    for match in _MY_NUMBER.finditer(view):
        if my_number_is_valid("".join(match.groups())):
            findings.append(Finding("my_number", match.start(), match.end()))
    for match in _PHONE.finditer(view):
        digits = re.sub(r"\D", "", match.group())
        if 10 <= len(digits) <= 11 and digits not in exempt:
            findings.append(Finding("phone", match.start(), match.end()))
    for match in _EMAIL.finditer(normalized):
        findings.append(Finding("email", match.start(), match.end()))
    for pattern in (_LABELLED_NUMBER, _NUMBER_LABELLED):
        for match in pattern.finditer(view):
            # 「コールセンターの電話番号は0800-…」: a published number after a label is still
            # nobody's.
            if re.sub(r"\D", "", match.group(1)) not in exempt:
                findings.append(Finding("insurance_number", match.start(1), match.end(1)))
    for match in _LONG_DIGITS.finditer(view):
        digits = re.sub(r"\D", "", match.group())
        # A published number is nobody's, however it is typed.
        if len(digits) >= 9 and digits not in exempt:
            findings.append(Finding("insurance_number", match.start(), match.end()))
    return _without_overlaps(findings)


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def mask(text: str, exempt: Collection[str] = frozenset()) -> str:
    """The text with every finding's digits and letters replaced by ＊ (length kept);
    `exempt` as for `find`."""
    normalized = unicodedata.normalize("NFKC", text)
    findings = find(normalized, exempt)
    if not findings:
        return text
    out: list[str] = []
    position = 0
    for finding in findings:
        out.append(normalized[position : finding.start])
        out.append(_MASKED.sub(MASK, normalized[finding.start : finding.end]))
        position = finding.end
    out.append(normalized[position:])
    return "".join(out)
