"""One rule set for cleaning text from outside (kb.text.clean), used by search, chat and forms."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.search import MAX_QUERY_CHARS, clean_query
from kb.text import REPLACEMENT, clean

# (what it is, input, newlines, nfkc, expected)
CASES = [
    ("NUL between words", "a\x00b", False, False, "a b"),
    ("BEL, ESC and DEL", "a\x07b\x1bc\x7fd", False, False, "a b c d"),
    ("a C1 control", "a\x85b", False, False, "a b"),
    ("zero-width space", "レセ\u200bコン", False, False, "レセコン"),
    ("byte order mark", "\ufeffオン資", False, False, "オン資"),
    ("zero-width joiner", "a\u200db", False, False, "ab"),
    ("zero-width non-joiner", "a\u200cb", False, False, "ab"),
    ("soft hyphen", "レセ\u00adコン", False, False, "レセコン"),
    ("right-to-left override", "a\u202eb", False, False, "ab"),
    ("word joiner", "a\u2060b", False, False, "ab"),
    ("lone surrogate", "a\ud800b", False, False, f"a{REPLACEMENT}b"),
    ("private use", "a\ue000b", False, False, f"a{REPLACEMENT}b"),
    ("unassigned", "a\U000e0fffb", False, False, f"a{REPLACEMENT}b"),
    ("noncharacter", "a\uffffb", False, False, f"a{REPLACEMENT}b"),
    ("CRLF, one line", "a\r\nb", False, False, "a b"),
    ("lone CR, one line", "a\rb", False, False, "a b"),
    ("CRLF kept as LF", "a\r\nb", True, False, "a\nb"),
    ("lone CR kept as LF", "a\rb", True, False, "a\nb"),
    ("newline and tab, one line", "a\nb\tc", False, False, "a b c"),
    ("newline and tab kept", "a\nb\tc", True, False, "a\nb\tc"),
    ("other controls with newlines kept", "a\x00\nb", True, False, "a \nb"),
    ("full width, no NFKC", "ＡＢＣ１２３", False, False, "ＡＢＣ１２３"),
    ("full width, NFKC", "ＡＢＣ１２３＠", False, True, "ABC123@"),
    ("half-width katakana, NFKC", "ﾚｾｺﾝ", False, True, "レセコン"),
    ("zero width inside a half-width word, NFKC", "ｶﾞ\u200bｲﾄﾞ", False, True, "ガイド"),
    ("ideographic space stays", "補助金\u3000いつまで", False, False, "補助金\u3000いつまで"),
    ("white space is not collapsed", "  a  b  ", False, False, "  a  b  "),
    ("None", None, False, False, ""),
    ("empty", "", True, True, ""),
]


@pytest.mark.parametrize(
    ("text", "newlines", "nfkc", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_kind_of_character_is_cleaned_by_the_one_rule(text, newlines, nfkc, expected):
    assert clean(text, newlines=newlines, nfkc=nfkc) == expected


def test_cleaned_text_can_always_be_stored_as_utf8():
    # A lone surrogate would make the database driver raise on encoding.
    clean("受付\ud800番号\udfff").encode("utf-8")


ANY = st.text(alphabet=st.characters(codec=None), max_size=300)


@settings(max_examples=500, deadline=None)
@given(ANY, st.booleans(), st.booleans())
def test_clean_output_has_no_control_format_or_surrogate_and_is_idempotent(text, newlines, nfkc):
    cleaned = clean(text, newlines=newlines, nfkc=nfkc)
    allowed_controls = {"\n", "\t"} if newlines else set()
    for char in cleaned:
        category = unicodedata.category(char)
        assert category not in {"Cf", "Cs", "Co", "Cn"}, (char, category)
        assert category != "Cc" or char in allowed_controls, repr(char)
    assert "\r" not in cleaned
    assert clean(cleaned, newlines=newlines, nfkc=nfkc) == cleaned


def test_a_query_keeps_its_words_together_across_a_zero_width_space():
    assert clean_query("レセ\u200bコン 改修") == ("レセコン 改修", False)


def test_a_query_is_one_line_cut_to_the_limit_after_cleaning():
    # Invisible characters do not count towards the limit: they are gone before the cut.
    text, truncated = clean_query("\u200b" * 50 + "あ" * MAX_QUERY_CHARS + "い")
    assert text == "あ" * MAX_QUERY_CHARS and truncated
    assert clean_query(" 補助金\r\n\t いつまで\x00 ") == ("補助金 いつまで", False)


def test_a_zero_width_space_inside_a_synonym_finds_the_same_article(engine, top_ids):
    # レセコン is a synonym of レセプトコンピュータ only while it stays one word.
    expected = top_ids(engine, "レセコン", n=1)
    assert expected
    assert top_ids(engine, "レセ\u200bコン", n=1) == expected
    assert top_ids(engine, "\ufeffレセ\u200bコン\u200d", n=1) == expected


def test_a_suggestion_ignores_a_zero_width_space(engine):
    assert engine.suggest("レセ\u200bコン") == engine.suggest("レセコン")


@pytest.mark.parametrize("dash", list("-－−‐‑–—―"))
def test_a_dash_after_katakana_is_the_long_vowel_mark(dash):
    assert clean(f"マイナンバ{dash}カード") == "マイナンバーカード"
    assert clean(f"サーバ{dash}の設定") == "サーバーの設定"


@pytest.mark.parametrize("text", ["2024-12-11", "A-1", "コード-12", "（-）", "補助金-申請"])
def test_a_dash_elsewhere_stays(text):
    assert clean(text) == text


@pytest.mark.parametrize(
    ("typed", "joined"), [("ハ゛ス", "バス"), ("ハ゜ソコン", "パソコン"), ("か゛", "が")]
)
def test_a_spacing_voiced_mark_joins_its_kana(typed, joined):
    assert clean(typed) == joined


@pytest.mark.parametrize(
    ("variant", "word"),
    [
        ("マイナンバ－カード", "マイナンバーカード"),
        ("ハ゛ス", "バス"),
        ("ベンダ", "ベンダー"),
        ("サーバ", "サーバー"),
    ],
)
def test_spelling_variants_of_loanwords_meet_in_the_search(top_ids, engine, variant, word):
    assert top_ids(engine, variant) == top_ids(engine, word)
