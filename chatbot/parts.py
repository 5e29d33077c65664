"""A message of several questions, split into the parts that ask something.

Split at sentence ends, at the words people use to add a second question (あと、それと、
それから、ついでに、ところで) and after 「…ですが、」「…ので、」. A part that only sets the situation
(「見積りが来たのですが」「院長に言われました」) is dropped: in Japanese the question comes
after its situation, and a statement answered as if it were the question misleads. Parts too
short to ask anything are dropped too.
"""

from __future__ import annotations

import re

from kb.analysis import ends_in_a_name

_BOUNDARY = re.compile(
    r"([。？！?!\n]+)"
    r"|[、,]\s*(?:あと|それと|それから|また|ついでに|ところで)[、,]?"
    r"|(?:^|(?<=[。？！?!\s]))(?:あと|それと|それから|ついでに|ところで)[、,]"
    # 「…のですが、…ですか」「…ので、…」: the situation or the reason, then the question.
    r"|(?:(?<=ですが)|(?<=ますが)|(?<=けど)|(?<=けれど)|(?<=ので))[、,]"
)
_QUESTION_MARK = re.compile(r"[？?]")
# How a statement ends (without a question mark after it): です, ました, …のですが, …けど.
_STATEMENT_END = re.compile(r"(?:です|ます|ました|でした|ません|が|けど|けれど|ので|た|だ)$")
MIN_PART_CHARS = 4


def question_parts(text: str) -> list[str]:
    """The parts of `text` that ask something, in order; [text] when there is nothing to split."""
    pieces = _BOUNDARY.split(text)
    # re.split with a group gives text, terminator, text, …; other boundaries give None.
    parts: list[tuple[str, str]] = []
    for index in range(0, len(pieces), 2):
        part = (pieces[index] or "").strip(" 　、,")
        end = pieces[index + 1] if index + 1 < len(pieces) else ""
        if len(part) >= MIN_PART_CHARS:
            parts.append((part, end or ""))
    if len(parts) < 2:
        return [text]
    asking = [
        part for part, end in parts if _QUESTION_MARK.search(end) or not _STATEMENT_END.search(part)
    ]
    return asking or [text]


_SENTENCE = re.compile(r"(?<=[。！？!?\n])")
# How a person introduces themselves before asking: humbly (〇〇薬局の田中と申します, 〇〇の者です),
# or by a name and です/といいます (担当の山田です). 「…と言います」 after anything but a name is
# reported speech (「業者が設定は要らないと言います」), which is part of the question.
_HUMBLE_INTRODUCTION = re.compile(r"(?:と申します|と申す者です|の者です)$")
_NAME_THEN = re.compile(r"(?:です|と言います|といいます)$")
# A letter's salutation at the very start (ご担当者様、…): not a request for a person.
_SALUTATION = re.compile(r"^\s*(?:ご|御)?担当(?:者|の方)?(?:様|さま|各位)\s*[、,。:：\s]\s*")


def without_introductions(text: str) -> str:
    """`text` without a leading salutation (「ご担当者様、」) and without the sentences in which
    the writer introduces themselves (「さくら調剤薬局の田中と申します。」「担当の山田です。」):
    their words, a name and a facility, are not what is asked, and no article explains them.
    `text` itself when nothing else is left."""
    text_after = _SALUTATION.sub("", text, count=1)
    kept = [
        sentence
        for sentence in _SENTENCE.split(text_after)
        if not _introduces(sentence.strip(" \u3000。．.！!？?\n"))
    ]
    rest = "".join(kept).strip()
    return rest or text


def _introduces(sentence: str) -> bool:
    if _HUMBLE_INTRODUCTION.search(sentence):
        return True
    before = _NAME_THEN.split(sentence)
    return len(before) > 1 and before[-1] == "" and ends_in_a_name(before[-2])
