"""How sure the search is of its top article: one confidence shared by search and chat.

    confident  the top article may be presented as the answer;
    weak       it is offered among choices, never as the answer;
    none       nothing matches confidently: say so, and offer the contact channels.

The evidence does not depend on the corpus's score scale (BM25F points move whenever articles
change): the share of the question's words the top article explains (`coverage`), and its
margin over the runner-up (the second's score as a share of the first's). A question naming a
neighbouring subject this helpdesk does not answer (`kb/neighbours.txt`) is never confident.

Thresholds come from `scripts/calibrate_confidence.py` over the labelled sets in
scripts/eval/ and ../shared/eval/ (dev, extra, messy search, chat questions: 573 answerable
and 49 out-of-scope questions on 2026-11-30): the most answered right (70.9 %) with at most 3 %
answered wrong (2.3 %); 1 of the 49 out-of-scope questions confident, 48 with none. (The
neighbour list was written with the out-of-scope questions in view, so that count flatters.)
    confident: coverage ≥ 0.5 and second ≤ 0.8 × first
    weak:      coverage ≥ 0.5 (a close runner-up)
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
WEAK_COVERAGE = 0.5

NEIGHBOURS_PATH = Path(__file__).parent / "neighbours.txt"


def assess(hits, question: str = "") -> str:
    """The confidence in `hits[0]` (kb.search.SearchHit, best first) for `question`."""
    if not hits:
        return NONE
    top = hits[0]
    margin = hits[1].score / top.score if len(hits) > 1 and top.score > 0 else 0.0
    neighbour = names_a_neighbour(question)
    if top.coverage >= CONFIDENT_COVERAGE and margin <= CONFIDENT_MARGIN and not neighbour:
        return CONFIDENT
    if top.coverage >= WEAK_COVERAGE and not neighbour:
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
