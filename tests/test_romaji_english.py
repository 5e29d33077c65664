"""Questions typed in romaji or English find the articles written in Japanese."""

from __future__ import annotations

import pytest

from kb.analysis import GLOSSARY_PATH, analyze, known_word, parse_synonyms
from kb.romaji import is_romaji, romaji_to_kana


@pytest.mark.parametrize(
    ("word", "romaji"),
    [
        ("hojokin", True),
        ("itsumade", True),
        ("kakunin", True),
        ("HYOUJI", True),
        ("mainanba-ka-do", True),
        ("shinsei", True),
        ("subsidy", False),  # not romaji syllables
        ("online", False),
        ("saturdays", False),
        ("before", False),  # romaji syllables, but a word the dictionary knows
        ("care", False),
        ("can", False),  # a short English word the dictionary does not list
    ],
)
def test_a_word_is_romaji_only_when_it_spells_japanese_and_is_no_known_word(word, romaji):
    assert is_romaji(word, known_word) is romaji


def test_romaji_becomes_hiragana_and_everything_else_stays():
    assert romaji_to_kana("hojokin itsumade?", known_word) == "ほじょきん いつまで?"
    assert romaji_to_kana("subsidy deadline", known_word) == "subsidy deadline"
    assert romaji_to_kana("オン資 hojokin", known_word) == "オン資 ほじょきん"


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("hojokin itsumade", "subsidy-period"),
        ("HOJOKIN SHINSEI HOUHOU", "subsidy-how-to-apply"),
        ("miitaku no hyouji", "unentrusted-display"),
        ("youhi ikensho", "opinion-forms"),
    ],
)
def test_romaji_questions_find_their_article(top_ids, engine, query, article):
    assert article in top_ids(engine, query)


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("subsidy application deadline", "subsidy-period"),
        ("What is the call center phone number?", "call-center"),
        ("documents required for the subsidy", "subsidy-documents"),
        ("welfare office contact when not entrusted", "unentrusted-display"),
        ("are paper medical tickets still issued", "paper-tickets"),
        ("home visits and telemedicine", "home-visits"),
    ],
)
def test_english_questions_find_their_article(top_ids, engine, query, article):
    assert article in top_ids(engine, query)


def test_english_function_words_are_not_search_terms():
    assert [term.text for term in analyze("what is the")] == []


def test_every_glossary_word_is_a_word_of_the_articles(engine):
    # The glossary maps English onto the articles' own words: a first phrase no article uses
    # would map English onto nothing.
    vocabulary = engine._vocabulary
    groups = parse_synonyms(GLOSSARY_PATH.read_text(encoding="utf-8"))
    missing = [
        group[0]
        for group in groups
        if not any(term.text in vocabulary for term in analyze(group[0]))
    ]
    assert missing == []
