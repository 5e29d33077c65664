"""Search over the real articles with a real Whoosh index."""

import shutil
import threading

import pytest

from kb.index import IndexStore
from kb.library import KnowledgeBase
from web.faq.highlight import marked

HOSTILE = [
    'title:助成金 AND NOT body:"x"',
    "補助金*",
    "補助金~2",
    "((([[[{{{",
    '"unterminated',
    "\x00\x01\x07補助金\x1b[31m",
    "補助金" * 7000,
    "😀🙏🏥 補助金",
    "<script>alert(1)</script>",
    "\ud800",
    "　　",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(engine, query):
    response = engine.search(query)
    assert isinstance(response.hits, list)
    for hit in response.hits:
        html = marked(hit.snippet, hit.snippet_spans) + marked(hit.title, hit.title_spans)
        assert "<script>" not in html


@pytest.mark.parametrize(
    ("query", "reason"), [("", "empty"), ("   ", "empty"), ("!?・…（）", "no_terms")]
)
def test_empty_or_symbol_only_input_returns_a_reason(engine, query, reason):
    response = engine.search(query)
    assert response.hits == [] and response.reason == reason and response.message


def test_very_long_input_is_cut_and_still_answers(engine):
    response = engine.search("オン資の補助金はいつまで？" + "あ" * 20000)
    assert response.truncated and response.hits[0].id == "subsidy-period"


def test_results_carry_what_a_page_needs(engine):
    hit = engine.search("補助金の申請期間", limit=1).hits[0]
    assert (hit.id, hit.category, hit.url) == (
        "subsidy-period",
        "subsidy",
        "/articles/subsidy-period",
    )
    assert hit.title and hit.answer and hit.score > 0
    assert hit.snippet_spans  # the words that matched, for web/ to mark


def test_highlighting_marks_synonyms_and_escapes_text(engine):
    hit = engine.search("補助金", limit=1).hits[0]
    # 補助金 is found as 助成金: the synonym is what is marked.
    marked_words = [hit.snippet[a:b] for a, b in hit.snippet_spans]
    marked_words += [hit.title[a:b] for a, b in hit.title_spans]
    assert "助成金" in marked_words
    assert "<mark>" in marked(hit.snippet, hit.snippet_spans) + marked(hit.title, hit.title_spans)


def test_spans_are_character_offsets_into_the_texts_kb_gives(engine):
    for hit in engine.search("未委託の医療機関での資格確認の表示", limit=5).hits:
        for text, spans in ((hit.title, hit.title_spans), (hit.snippet, hit.snippet_spans)):
            assert spans == sorted(spans)
            assert all(0 <= a < b <= len(text) for a, b in spans)
            assert all(b <= c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))


def test_search_without_highlighting_carries_no_spans(engine):
    hit = engine.search("補助金", limit=1, highlight=False).hits[0]
    assert hit.snippet == "" and hit.title_spans == [] and hit.snippet_spans == []


def test_facets_count_every_category_before_filtering(engine):
    everything = engine.search("申請", limit=50)
    only_subsidy = engine.search("申請", limit=50, category="subsidy")
    assert everything.facets["subsidy"] == len(only_subsidy.hits)
    assert {hit.category for hit in only_subsidy.hits} == {"subsidy"}
    assert sum(everything.facets.values()) == everything.total


def test_more_matched_words_rank_higher(engine, top_ids):
    # A long natural question: the article covering most of its words wins.
    assert top_ids(
        engine, "未委託の医療機関で資格確認したときの画面の表示はどうなりますか", n=1
    ) == ["unentrusted-display"]


@pytest.mark.parametrize("greeting", ["こんばんは、", "こんにちは。", "すみません、", "どうも "])
@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Can patients use their My Number card as a patient registration card at reception?",
         "card-as-patient-card"),
        ("When did online eligibility checks for medical assistance start?", "start-of-operations"),
        ("Do we need to buy new equipment or get a new network line for this?",
         "existing-infrastructure"),
        ("What fields are shown on the eligibility screen?", "ticket-info-fields"),
    ],
)  # fmt: skip
def test_a_kana_word_beside_english_ones_does_not_read_the_question_as_typed_in_kana(
    engine, greeting, question, article
):
    # Without kanji, a question used to be read by its kana alone, its English words not
    # counting: 「こんばんは、Can patients use…」 was answered confidently with another article.
    response = engine.search(greeting + question, limit=3, highlight=False)
    assert response.hits[0].id == article or response.confidence != "confident"
    assert article in [hit.id for hit in response.hits]


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("PCのせっていでいりょうふじょをおんにする", "enable-medical-assistance-setting"),
        ("ようひいけんしょはwebでだせる？", "opinion-forms"),
        ("ほじょきんのしんせいはいつまで？ASAP", "subsidy-period"),
    ],
)
def test_a_kana_question_with_a_latin_word_is_still_read_as_typed_in_kana(
    engine, question, article
):
    assert engine.search(question, limit=3, highlight=False).hits[0].id == article


def test_romaji_with_an_english_word_is_read_by_its_words_not_as_typed_in_kana(engine):
    # Typed in Latin letters, converted to kana: the question as typed decides, not the kana.
    found = engine.search("toiawase foomu ya FAQ wa doko ni arimasu ka", limit=3, highlight=False)
    assert found.hits[0].id == "contact-channels"


def test_no_match_offers_a_correction_when_a_close_word_exists(engine):
    response = engine.search("カードリーダ")
    assert response.hits or response.suggestions


def test_suggest_completes_titles_and_questions(engine):
    suggestions = engine.suggest("補助金")
    assert suggestions and all(s["url"].startswith("/articles/") for s in suggestions)
    assert engine.suggest("") == []


def test_rebuild_swaps_atomically_while_searching(tmp_path):
    from kb import ARTICLES_DIR

    library = KnowledgeBase(ARTICLES_DIR, tmp_path / "index", check_interval=0)
    library.refresh()
    errors: list[BaseException] = []
    answers: list[int] = []
    stop = threading.Event()

    def search_continuously():
        try:
            while not stop.is_set():
                answers.append(len(library.engine().search("補助金 申請期間").hits))
        except BaseException as error:  # noqa: BLE001 - any failure fails the test
            errors.append(error)

    threads = [threading.Thread(target=search_continuously) for _ in range(3)]
    for thread in threads:
        thread.start()
    generations = {library.refresh(force=True).generation for _ in range(4)}
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert answers and min(answers) > 0
    assert len(generations) == 4
    assert len(list((tmp_path / "index").glob("gen-*"))) <= 3  # old generations are pruned


def test_a_changed_article_makes_the_index_stale(tmp_path, article_tree):
    library = KnowledgeBase(article_tree, tmp_path / "index")
    assert library.refresh().built
    assert not library.refresh().built
    path = article_tree / "alpha.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("当分の間", "当面の間"), encoding="utf-8"
    )
    assert library.refresh().built


def test_a_damaged_index_keeps_serving_and_is_rebuilt_at_next_start(tmp_path, article_tree):
    library = KnowledgeBase(article_tree, tmp_path / "index", check_interval=0)
    library.refresh()
    assert library.engine().search("補助金").hits
    generation = IndexStore(tmp_path / "index").current_generation()
    for path in (tmp_path / "index" / generation).iterdir():
        path.write_bytes(b"garbage")
    assert library.engine().search("補助金").hits  # still answering from memory
    restarted = KnowledgeBase(article_tree, tmp_path / "index")
    assert restarted.refresh().built
    assert restarted.engine().search("補助金").hits
    shutil.rmtree(tmp_path / "index")
    assert library.engine().search("補助金").hits


def test_a_malformed_article_keeps_the_last_good_content(tmp_path, article_tree):
    library = KnowledgeBase(article_tree, tmp_path / "index")
    first = library.refresh().generation
    (article_tree / "broken.md").write_text("---\nid: broken\ntitle: [\n---\n", encoding="utf-8")
    report = library.refresh()
    assert report.kept_previous and report.problems and report.generation == first
    assert set(library.engine().articles) == {"alpha", "beta", "gamma", "delta", "epsilon"}


def test_a_first_search_on_a_damaged_index_rebuilds_it(tmp_path, article_tree):
    KnowledgeBase(article_tree, tmp_path / "index").refresh()
    generation = IndexStore(tmp_path / "index").current_generation()
    for path in (tmp_path / "index" / generation).iterdir():
        path.write_bytes(b"garbage")
    fresh_worker = KnowledgeBase(article_tree, tmp_path / "index")
    assert fresh_worker.engine().search("補助金").hits
    assert IndexStore(tmp_path / "index").current_generation() != generation


def test_a_suggestion_keeps_the_words_as_typed_and_latin_words_as_written(engine):
    assert engine.search("ｺｰﾙｾｿﾀｰ").suggestions == ["コールセンター"]
    assert engine.search("ＦＡＱＳ").suggestions == ["FAQ"]


def test_pieces_of_urls_are_never_suggested(engine):
    # oqs is in the portal's address (…?id=oqs_csm_top), not a word an article uses
    assert "oqs" not in " ".join(engine.search("OSS").suggestions).casefold()


def test_a_kana_word_set_apart_in_a_kanji_question_is_read_not_guessed(engine):
    # The dictionary reads しょるい as しょ塁; read by its kana, it is 書類.
    response = engine.search("補助金 しょるい", limit=3, highlight=False)
    assert "しょ塁" not in response.terms
    assert {hit.category for hit in response.hits} == {"subsidy"}
    assert "subsidy-documents" in [hit.id for hit in engine.search("書類 しょるい", limit=3).hits]


@pytest.mark.parametrize(
    ("query", "article"),
    [
        ("ようひいけんしょ の 書き方は変わりますか", "opinion-forms"),
        ("マイナンバーカードを しんさつけん として使う", "card-as-patient-card"),
        ("医療保険と へいよう の人はどう表示される", "combined-insurance"),
    ],
)
def test_kana_words_in_a_kanji_question_find_their_article(top_ids, engine, query, article):
    assert article in top_ids(engine, query)


@pytest.mark.parametrize(
    ("typed", "article"),
    [
        ("補助金の申請機関はいつまで", "subsidy-period"),  # 期間 → 機関, a homophone
        ("資格確認の画面表時の項目", "ticket-info-fields"),  # 表示 → 表時
        ("要否意見所は紙のまま？", "opinion-forms"),  # 書 → 所
    ],
)
def test_a_mistyped_kanji_still_finds_its_article(top_ids, engine, typed, article):
    assert article in top_ids(engine, typed)


def test_a_question_whose_words_all_match_is_ranked_by_its_words_alone(engine):
    # The character bigrams only join when a word is left unexplained.
    words = engine.search("補助金の申請期間", limit=5, highlight=False).hits
    assert words[0].id == "subsidy-period" and words[0].coverage == 1.0


def test_an_index_of_an_older_schema_is_rebuilt_on_first_use(tmp_path):
    # After an upgrade a command (kb search, kb chat) may be the first to open the old index:
    # here one as schema 2 wrote it, text analyzed by Whoosh and no character-bigram field.
    import json

    from whoosh import index as whoosh_index
    from whoosh.fields import ID, NUMERIC, TEXT, Schema

    from kb import ARTICLES_DIR, index
    from kb.articles import article_to_dict, load_articles
    from kb.documents import article_document
    from kb.library import KnowledgeBase

    articles = load_articles(ARTICLES_DIR).articles
    text = {name: TEXT(analyzer=index.SudachiTokenizer()) for name in index.TEXT_FIELDS}
    older = Schema(id=ID(stored=True, unique=True), category=ID(stored=True),
                   updated=NUMERIC(stored=True), kana=TEXT(), **text)  # fmt: skip
    folder = tmp_path / "gen-1-older"
    folder.mkdir()
    writer = whoosh_index.create_in(str(folder), older).writer()
    for article in articles.values():
        document = article_document(article)
        document.pop(index.GRAMS_FIELD)
        writer.add_document(**document)
    writer.commit()
    snapshot = [article_to_dict(article) for article in articles.values()]
    (folder / index.ARTICLES_SNAPSHOT).write_text(json.dumps(snapshot), encoding="utf-8")
    (folder / index.FINGERPRINT).write_text("schema 2", encoding="utf-8")
    (tmp_path / index.CURRENT).write_text(folder.name, encoding="utf-8")

    engine = KnowledgeBase(ARTICLES_DIR, tmp_path).engine()
    assert engine.opened.generation != folder.name
    assert engine.search("補助金いつまで", limit=1).hits[0].id == "subsidy-period"


@pytest.mark.parametrize(
    ("text", "spans", "html"),
    [
        ("補助金の申請", [(0, 3)], "<mark>補助金</mark>の申請"),
        ("<b>&", [(0, 3)], "<mark>&lt;b&gt;</mark>&amp;"),
        ("abc", [(1, 2), (5, 9)], "a<mark>b</mark>c"),  # a span past the end is clipped
        ("abc", [], "abc"),
    ],
)
def test_web_marks_the_spans_kb_gives_and_escapes_the_rest(text, spans, html):
    assert str(marked(text, spans)) == html


def test_a_search_for_the_chat_skips_the_did_you_mean_it_would_not_show(engine):
    # The chat offers the contacts instead; the nearest-word scan was the chat's slowest step.
    assert engine.search("ｺｰﾙｾｿﾀｰ").suggestions == ["コールセンター"]
    assert engine.search("ｺｰﾙｾｿﾀｰ", suggest=False).suggestions == []
