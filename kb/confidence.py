"""How sure the search is of its top article: one confidence shared by search and chat.

    confident  the top article may be presented as the answer;
    weak       it is offered among choices, never as the answer;
    none       nothing matches confidently: say so, and offer the contact channels.

The evidence does not depend on the corpus's score scale (BM25F points move whenever articles
change): the share of the question's words the top article explains (`coverage`), its margin
over the runner-up (the second's score as a share of the first's), and whether the two views
of the question agree on the top article (its words, analyzed by Sudachi, and its character
bigrams: kb.search). A question naming a neighbouring subject this helpdesk does not answer
(`kb/neighbours.txt`) is never confident.

Thresholds come from `scripts/calibrate_confidence.py` over the labelled sets in
scripts/eval/ and ../shared/eval/ (dev, extra, messy search, chat questions: 573 answerable
and 49 out-of-scope questions on 2026-11-30): the most answered right with at most 3 %
answered wrong. Coverage and margin alone: 81.7 % right, 1.4 % wrong; with the views'
agreement: 84.6 % right, 1.6 % wrong, and 2 of the 49 out-of-scope questions confident.
The views are the words alone and the bigrams alone, never the fused ranking, which leans on
the bigrams: with a bigram share that grew with the words' unexplained part, agreement with
the fused ranking answered more of our sets but 2 of 45 more wrong on a fresh tester's set.
(The neighbour list was written with the out-of-scope questions in view, so that count
flatters.) A logistic model over the same evidence and more (5-fold cross-validated) did
no better than these two rules at the same share wrong.
    confident: coverage ≥ 0.5 and second ≤ 0.8 × first,
               or the views agree, coverage ≥ 0.3 and second ≤ 0.85 × first,
               or the top article explains every word and second ≤ 0.9 × first
    weak:      coverage ≥ 0.5 (a close runner-up)

The third way to be sure (2026-12, issue 11): within the weak level, a top article that explains
every word of the question was right 8 times in 8 when its runner-up was at least 10 % behind
(same sets, 573 answerable and 49 out-of-scope questions): with it, 87.3 % right and still 1.4 %
wrong (85.9 % and 1.4 % without), no more out-of-scope questions confident. At 0.95 it answered
more (88.3 %) but wrong too (1.7 %) and one more out-of-scope question. A lone question after
its situation is not asked on its own (chatbot.engine): full coverage of one word is cheap.
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

CONFIDENT_COVERAGE = 0.5
CONFIDENT_MARGIN = 0.8
AGREED_COVERAGE = 0.3
AGREED_MARGIN = 0.85
WEAK_COVERAGE = 0.5
FULL_COVERAGE = 1.0 - 1e-9  # every word of the question (the share is a float)
FULL_MARGIN = 0.9  # with full coverage: scripts/calibrate_confidence.py, see above

NEIGHBOURS_PATH = Path(__file__).parent / "neighbours.txt"


def assess(hits, question: str = "", views_agree=False) -> str:
    """The confidence in `hits[0]` (anything with `score` and `coverage`, best first) for
    `question`. `views_agree`: whether the words alone and the character bigrams alone rank
    the same first article, or a function that says it (called only when it could decide:
    the bigram ranking is then computed only for those questions)."""
    if not hits:
        return NONE
    top = hits[0]
    margin = hits[1].score / top.score if len(hits) > 1 and top.score > 0 else 0.0
    if names_a_neighbour(question):
        return NONE
    if top.coverage >= CONFIDENT_COVERAGE and margin <= CONFIDENT_MARGIN:
        return CONFIDENT
    if top.coverage >= FULL_COVERAGE and margin <= FULL_MARGIN:
        return CONFIDENT
    if (
        top.coverage >= AGREED_COVERAGE
        and margin <= AGREED_MARGIN
        and (views_agree() if callable(views_agree) else views_agree)
    ):
        return CONFIDENT
    if top.coverage >= WEAK_COVERAGE:
        return WEAK
    return NONE


def names_a_neighbour(question: str) -> bool:
    """Whether the question names a subject next to ours that this helpdesk does not answer."""
    folded = _fold(question)
    return any(phrase in folded for phrase in neighbour_phrases())


@functools.cache
def neighbour_phrases() -> tuple[str, ...]:
    lines = NEIGHBOURS_PATH.read_text(encoding="utf-8").splitlines()
    phrases = (_fold(line.split("#", 1)[0]) for line in lines)
    return tuple(phrase for phrase in phrases if phrase)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
