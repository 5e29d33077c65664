"""A kanji word typed with the wrong conversion is read as the articles' word (kb.homophones)."""

import pytest

from kb.analysis import analyze
from kb.homophones import Homophones, amend

# The wrong conversions an input method offers for the articles' words: the same reading,
# other characters, often cut by the dictionary into pieces no article contains.
WRONG_CONVERSIONS = [
    ("運要", "運用"),
    ("対称", "対象"),
    ("委宅", "委託"),
    ("保助", "補助"),
    ("表時", "表示"),
    ("申生", "申請"),
    ("紹介先", "照会先"),
    ("医寮", "医療"),
    ("資各", "資格"),
    ("過苦人", "確認"),
]


@pytest.mark.parametrize(("typed", "meant"), WRONG_CONVERSIONS)
def test_every_wrong_conversion_of_an_article_word_is_read_as_it(typed, meant):
    homophones = Homophones({meant, "画面", "期間"})
    found = homophones.corrections(f"{typed}について")
    assert [(c.start, c.end, c.words) for c in found] == [(0, len(typed), (meant,))]


@pytest.mark.parametrize("text", ["運用について", "期間はいつまで", "画面の表示"])
def test_a_word_the_articles_contain_is_never_corrected(text):
    assert Homophones({"運用", "期間", "機関", "画面", "表示", "表時"}).corrections(text) == []


def test_a_short_reading_is_not_read_as_another_word():
    # 市 and 氏 (シ), 木 and 気 (キ): one or two kana name too many words to pick one.
    assert Homophones({"市", "気"}).corrections("氏の木") == []


def test_kana_and_latin_words_are_left_to_the_other_readings():
    assert Homophones({"運用"}).corrections("うんよう unyou ウンヨウ") == []


def test_the_pieces_of_a_mistyped_word_become_one_word_with_the_meant_word_as_synonym():
    text = "委宅の患者"
    terms = analyze(text)
    amended = amend(terms, Homophones({"委託", "患者"}).corrections(text))
    meant = [t for t in amended if t.text == "委託"]
    assert len(meant) == 1 and meant[0].synonym
    pieces = [t for t in amended if t.start >= 0 and t.end <= 2 and not t.synonym]
    assert {t.text for t in pieces} == {"委", "宅"}
    assert {t.group for t in pieces} == {meant[0].group}
    patient = next(t for t in amended if t.text == "患者")
    assert patient.group != meant[0].group


@pytest.mark.parametrize(
    ("typed", "article"),
    [
        ("運要テストでは何をしますか", "operation-test"),
        ("助成の対称になる医療機関", "subsidy-eligibility"),
        ("委宅されていない患者さんの資格確認の表示", "unentrusted-display"),
    ],
)
def test_a_wrong_conversion_finds_the_article_first(engine, typed, article):
    assert engine.search(typed, limit=3, highlight=False).hits[0].id == article
