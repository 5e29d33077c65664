"""How sure the search is of its top article: one confidence shared by search and chat.

    confident  the top article may be presented as the answer;
    weak       it is offered among choices, never as the answer;
    none       nothing matches confidently: say so, and offer the contact channels.

The evidence does not depend on the corpus's score scale (BM25F points move whenever articles
change): the share of the question's information the top article explains (`explained`: each
word weighed by its idf, kb.ranking.information, so a word no article uses, インボイス or 義務,
weighs most and 確認 or 資格 least), its margin over the runner-up (the second's score as a
share of the first's), and whether the two views of the question agree on the top article (its
words, analyzed by Sudachi, and its character bigrams: kb.search). A question naming a
neighbouring subject this helpdesk does not answer (`kb/neighbours.txt`) is never confident.

    confident: the question was asked as written: it has the words (in any order) of the
               top article's title or one of its `queries:`, and the runner-up's have not;
               or it names something (a noun) and second ≤ 0.75 × first, and explained ≥ 0.4,
               or the views agree and explained ≥ 0.3
    weak:      explained ≥ 0.4 (a close runner-up): the articles are offered as choices;
               below, the chat says it has no article and offers the contact channels

A question asked as written was the right article 61 times in 61 over every labelled set
(2026-12-05; 2 of them in the fresh sets): the editor wrote that question for that article.

Thresholds come from `scripts/calibrate_confidence.py` (2026-12-05), over two groups of
labelled questions: the calibration sets (../shared/eval/search-dev and scripts/eval/
search-extra, search-messy, chat-questions: 573 answerable, 49 out of scope) and the fresh
sets written blind by testers who had not read the articles (scripts/eval/chat-fresh,
chat-fresh2 and chat-fresh3: 97 answerable, 42 out of scope). The rule: at most 3 % wrong and
3 out-of-scope questions confident in each group, at most 2.5 % wrong on the fresh group (a
margin under the 3 % target: its questions are the kind the helpdesk will meet), then the most
right on the fresh group. Before, the confidence read the plain share of words (`coverage`,
every word alike) with looser margins: 87.3 % right and 1.4 % wrong on the calibration sets,
but 7.2 % wrong and 7 of 42 out-of-scope questions confident on the fresh ones:
「インボイス制度の登録番号」 was confident for the article on 未登録 (登録 and 番号 are two of
its five words, but インボイス and 制度 are what it asks), 「PCが重くてレセコン落ちる」 for one on
レセコン. Now: 80.1 % right and 0.9 % wrong (2 out of scope confident) on the calibration sets,
64.9 % right and 2.1 % wrong (3) on the fresh ones. (chat-fresh3 was measured blind before it
joined the group: 13.3 % wrong at the start of the change, 6.7 % after it, in the chat.)
An article that explains every word with a runner-up within 0.9 had been made confident (8 of
8 right in the calibration sets) but was wrong in both groups (問い合わせ先 → the ministry's
contact, not the helpdesk's): two articles that each explain everything are a choice for the
person, unless one of them was asked as written. A logistic model over the same evidence
(5-fold cross-validated, 2026-11) did no better than rules of this kind.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

CONFIDENT = "confident"
WEAK = "weak"
NONE = "none"
LEVELS = (CONFIDENT, WEAK, NONE)

# scripts/calibrate_confidence.py, see above.
CONFIDENT_EXPLAINED = 0.4
CONFIDENT_MARGIN = 0.75
AGREED_EXPLAINED = 0.3
WEAK_EXPLAINED = 0.4

NEIGHBOURS_PATH = Path(__file__).parent / "neighbours.txt"


def assess(
    hits,
    question: str = "",
    views_agree=False,
    asked_as_written: bool = False,
    names_something: bool = True,
) -> str:
    """The confidence in `hits[0]` (anything with `score` and `explained`, best first) for
    `question`. `views_agree`: whether the words alone and the character bigrams alone rank
    the same first article, or a function that says it (called only when it could decide:
    the bigram ranking is then computed only for those questions). `asked_as_written`: the
    question has the words of one of the first article's own questions, and the runner-up's
    have not (kb.search). `names_something`: a word of the question is a noun (a thing or an
    action); 「それって誰に聞けばいい？」 names nothing, and is at most weak on its own words,
    whatever article those words fit: what it is about is in the conversation."""
    if not hits:
        return NONE
    top = hits[0]
    margin = hits[1].score / top.score if len(hits) > 1 and top.score > 0 else 0.0
    if names_a_neighbour(question):
        return NONE
    if asked_as_written:
        return CONFIDENT
    if margin <= CONFIDENT_MARGIN and names_something:
        if top.explained >= CONFIDENT_EXPLAINED:
            return CONFIDENT
        if top.explained >= AGREED_EXPLAINED and (
            views_agree() if callable(views_agree) else views_agree
        ):
            return CONFIDENT
    if top.explained >= WEAK_EXPLAINED:
        return WEAK
    return NONE


def names_a_neighbour(question: str) -> bool:
    """Whether the question names a subject next to ours that this helpdesk does not answer."""
    return _neighbours().search(_fold(question)) is not None


@functools.cache
def neighbour_phrases() -> tuple[str, ...]:
    lines = NEIGHBOURS_PATH.read_text(encoding="utf-8").splitlines()
    phrases = (_fold(line.split("#", 1)[0]) for line in lines)
    return tuple(phrase for phrase in phrases if phrase)


@functools.cache
def _neighbours() -> re.Pattern:
    # One pattern of every phrase: one scan of the question instead of one per phrase.
    return re.compile("|".join(map(re.escape, neighbour_phrases())) or "(?!)")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
