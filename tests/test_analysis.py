"""The Japanese analyzer: normalization, synonyms, dates, kana, compounds."""

import re

import pytest

from kb.analysis import (
    analyze,
    kana_only_reading_runs,
    parse_synonyms,
    reading_bigrams,
    term_texts,
)
from kb.normalization import normalize_with_offsets


def terms(text: str) -> set[str]:
    return set(term_texts(text))


def test_full_width_and_half_width_forms_meet():
    assert terms("ＣＤ") == terms("cd") == terms("CD")
    assert terms("ｵﾝﾗｲﾝ") == terms("オンライン")
    assert terms("２０２４年") == terms("2024年")


def test_offsets_point_into_the_original_text():
    text = "ｶﾞｲﾄﾞの補助金"
    normalized, offsets = normalize_with_offsets(text)
    assert normalized.startswith("ガイド")
    hit = next(t for t in analyze(text) if t.text == "補助金")
    assert text[hit.start : hit.end] == "補助金"


def test_particles_auxiliaries_and_symbols_are_dropped():
    assert terms("補助金は、申請できますか？") == terms("補助金 申請")


@pytest.mark.parametrize("said", ["じゃあ", "じゃ", "しかし", "ただし"])
def test_a_conjunction_is_not_a_word_of_the_question(said):
    # じゃあ was the term で: a follow-up (「じゃあ申請期間は？」) had a word no article explains.
    assert term_texts(f"{said}申請期間は？") == term_texts("申請期間は？")


def test_spelling_variants_share_a_normalized_form():
    assert terms("見積り") & terms("見積もり")
    assert terms("問合せ") & terms("問い合わせ")


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("オン資", "オンライン資格確認"),
        ("レセコン", "レセプトコンピュータ"),
        ("生保", "生活保護"),
        ("社保", "医療保険"),
        ("補助金", "助成金"),
        ("マイナカード", "マイナンバーカード"),
        ("マイナ保険証", "マイナンバーカード"),
        ("ベンダ", "システム事業者"),
        ("ベンダー", "システム事業者"),
        ("問合せ", "照会"),
    ],
)
def test_domain_synonyms_share_a_term(short, long):
    assert terms(short) & terms(long), (terms(short), terms(long))


def test_synonym_file_format():
    groups = parse_synonyms("# comment\nA, B、C\n\nsingle\nD，E # trailing\n")
    assert groups == [["A", "B", "C"], ["D", "E"]]


@pytest.mark.parametrize("written", ["令和6年", "R6年", "r6", "2024年", "２０２４年", "令和６年"])
def test_a_year_written_any_way_is_the_same_term(written):
    assert "2024年" in terms(written)


def test_full_dates_match_across_eras_and_western_years():
    assert "2024年12月11日" in terms("令和6年12月11日（水）")
    assert "2024年12月11日" in terms("2024年12月11日")
    assert "12月11日" in terms("12月11日")
    assert "2019年" in terms("平成31年") and "2019年" in terms("令和元年")


@pytest.mark.parametrize(
    "written",
    [
        "2024/12/11", "2024-12-11", "2024.12.11", "R6.12.11", "R6/12/11", "r6.12.11",
        "令和6年12月11日", "令和六年十二月十一日", "２０２４／１２／１１", "2024年12月11日（水）",
    ],
)  # fmt: skip
def test_a_full_date_written_any_way_meets_the_canonical_terms(written):
    assert {"2024年", "2024年12月", "2024年12月11日", "12月11日"} <= set(terms(written))


@pytest.mark.parametrize("written", ["12/11から", "12月11日から"])
def test_a_month_and_day_without_a_year_is_the_same_term(written):
    assert "12月11日" in terms(written)


@pytest.mark.parametrize("written", ["1.5倍", "3-5日", "12/40", "2024", "0.8"])
def test_numbers_that_are_not_dates_stay_numbers(written):
    canonical = re.compile(r"\d+年(度|\d+月(\d+日)?)?|\d+月(\d+日)?")
    assert [term for term in terms(written) if canonical.fullmatch(term)] == []


def test_a_fiscal_year_in_kanji_numerals_is_the_fiscal_year():
    assert "2024年度" in terms("令和六年度")


def test_weekday_in_brackets_after_a_date_is_not_a_word():
    assert "水" not in terms("令和6年12月11日（水）から")


def test_compounds_are_also_indexed_as_their_parts():
    assert "事務所" in terms("福祉事務所")
    assert "カードリーダー" in terms("顔認証付きカードリーダー")


def test_hiho_gosha_does_not_collide_with_hogosha():
    assert "被保護者" in terms("被保護者")
    assert "保護者" not in terms("被保護者")
    assert "被保護者" not in terms("保護者")


def test_a_negating_prefix_stays_with_its_noun():
    assert "未委託" in terms("未委託の医療機関")
    assert "委託" not in terms("未委託")


def test_hiragana_is_matched_by_reading():
    [[whole_run]] = kana_only_reading_runs("ほうもんしんりょう")
    assert set(whole_run) <= set(reading_bigrams("訪問診療"))


def test_partial_word_finds_the_compound_article(engine, top_ids):
    assert "unentrusted-display" in top_ids(engine, "事務所に電話で確認する 未委託", n=5)
    assert "existing-infrastructure" in top_ids(engine, "カードリーダーは新しく必要？", n=3)


@pytest.mark.parametrize(
    ("query", "article"),
    [("ほうもんしんりょう", "home-visits"), ("りょうしゅうしょ", "subsidy-documents")],
)
def test_hiragana_only_queries_reach_their_articles(engine, top_ids, query, article):
    assert article in top_ids(engine, query)


def test_the_analyzer_is_thread_safe():
    from concurrent.futures import ThreadPoolExecutor

    text = "オン資の補助金は令和6年12月11日から申請できますか"
    expected = term_texts(text)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: term_texts(text), range(200)))
    assert all(result == expected for result in results)


def test_a_verb_after_its_subject_is_kept_but_an_auxiliary_verb_is_not():
    assert "掛かる" in terms("費用はかかりますか")
    assert "掛かる" in terms("時間かかる？")  # the particle left out, as people type
    assert terms("設定を入れておく") == {"設定", "入れる", "導入"}  # 入れる = 導入 (synonyms)


def test_demonstratives_say_nothing_about_the_subject():
    assert terms("どのくらい時間がかかる") == terms("時間がかかる")


def test_a_phrase_synonym_makes_its_pieces_one_word():
    groups = {term.group for term in analyze("オン資") if not term.synonym}
    assert len(groups) == 1


def test_kana_only_questions_are_also_read_in_half_width_katakana(engine, top_ids):
    assert "home-visits" in top_ids(engine, "ﾎｳﾓﾝｼﾝﾘｮｳ")


def test_one_shared_kana_pair_is_not_a_match(engine):
    # ジョ alone is in half the articles; ほじょ must match most of its reading to count.
    response = engine.search("ほじょ", limit=50, highlight=False)
    assert all(hit.category == "subsidy" for hit in response.hits[:3])


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("ようひいけんしょはかみのまま？", "opinion-forms"),
        ("ほうもんしんりょうでもつかえる？", "home-visits"),
    ],
)
def test_a_sentence_typed_all_in_hiragana_finds_its_article(engine, top_ids, question, article):
    assert top_ids(engine, question, n=1) == [article]


def test_a_sentence_that_starts_with_its_verb_keeps_it():
    assert terms("忘れた") == {"忘れる"}


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("資格情報が表示されない", {"表示ない"}),
        ("医療券が登録されていない", {"登録ない"}),
        ("電話がつながらない", {"繋がるない"}),
        ("まだ導入していない", {"導入ない"}),
        ("受付で確認できず", {"確認ない"}),  # 確認できない: できる inflects 確認
        ("薬剤情報は見られないんですか", set()),  # 見る is a stop word: nothing to negate
        ("ほかに方法はありませんか", set()),
        ("マイナンバーカードがない", set()),  # ない here is the adjective 無い, kept as itself
    ],
)
def test_a_negation_belongs_to_the_word_it_negates_and_never_stands_alone(text, negated):
    found = {term.text for term in analyze(text) if not term.synonym}
    assert "ない" not in found
    assert {term for term in found if term.endswith("ない") and term != "無い"} == negated


def test_a_negative_question_does_not_match_every_negative_article(engine):
    # 「方法はありませんか」 used to share a bare ない with 表示されない and rank not-displayed.
    hits = engine.search("ほかに問い合わせる方法はありませんか", highlight=False).hits
    assert "not-displayed" not in [hit.id for hit in hits[:2]]


# --- long text: SudachiPy refuses input over 49,149 bytes ------------------------------------


@pytest.mark.parametrize(
    "separator", ["\n", "。", " ", ""], ids=["lines", "sentences", "spaces", "one-run"]
)
def test_a_text_far_over_the_dictionarys_limit_is_analyzed_whole(separator):
    sentence = "医療扶助のオンライン資格確認を導入する手順です"
    text = separator.join([sentence] * 2_000) + separator + "最後に補助金の申請期間"
    assert len(text.encode()) > 2 * 49_149
    terms = analyze(text)
    assert sum(term.text == "導入" for term in terms) >= 1_990  # none lost at the cuts
    last = [term for term in terms if term.text == "申請"][-1]
    assert text[last.start : last.end] == "申請"
    assert reading_bigrams(text)[-2:] == ["キカ", "カン"]


def test_words_are_never_split_where_a_long_text_is_cut_at_a_sentence():
    sentence = "資格確認端末の設定を変更します。"
    terms = analyze(sentence * 5_000)
    assert {term.text for term in terms} == {term.text for term in analyze(sentence)}
