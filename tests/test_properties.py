"""Properties that hold for any text a person could type (hypothesis draws the text).

Reception staff paste anything into the search box: fragments of screens, full-width digits,
emoji, markup. Whatever it is, the analyzer and the search answer without raising, the pages
answer with 2xx/4xx, and nothing typed comes back as live markup.
"""

from __future__ import annotations

import shutil
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.analysis import analyze, term_texts
from kb.normalization import normalize_by_character, normalize_with_offsets
from web.faq.highlight import marked

# Any Unicode, surrogates excluded (they cannot be encoded in a request), plus the text this
# product meets most: Japanese, full-width forms, query syntax and markup.
JAPANESE = st.text(
    alphabet=st.sampled_from(
        list(
            "オン資格確認レセコン生保補助金いつまで令和６年ＡＢＣ１２３　ー・？！（）「」*~\"'<>&/"
        )
    ),
    max_size=40,
)
ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200), JAPANESE
)
MARKUP = st.sampled_from(
    ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']
)

FAST = settings(max_examples=200, deadline=None)
WEB = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(ANY_TEXT)
def test_analyzer_never_raises_and_spans_stay_inside_the_text(text):
    for term in analyze(text):
        assert term.text
        assert 0 <= term.start <= term.end <= len(text)


# Characters whose NFKC form differs in length or joins its neighbour: full-width forms,
# ligatures and squared words (㍻ → 平成), half-width kana and marks, jamo, accents, ß, lines.
TRICKY_NORMALIZATION = st.text(
    alphabet=st.sampled_from(
        list("アｱｶﾞﾊﾟ゛゜\u3099ー－-（）：１Ａａ㍻㈱½ﬁßİΣ\u0301éㄱㅏ\u1100\u1161가\n\t\r 　漢字か")
    ),
    max_size=20,
)


@FAST
@given(ANY_TEXT)
def test_the_fast_normalization_path_agrees_with_the_character_walk(text):
    assert normalize_with_offsets(text) == normalize_by_character(text)


@settings(max_examples=400, deadline=None)
@given(TRICKY_NORMALIZATION)
def test_the_fast_normalization_path_agrees_on_characters_that_change_length(text):
    assert normalize_with_offsets(text) == normalize_by_character(text)


@FAST
@given(st.text(alphabet=st.sampled_from(list("abcXYZ0123456789 ")), min_size=1, max_size=30))
def test_full_width_input_analyzes_like_half_width(text):
    full_width = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text
    )
    assert term_texts(full_width) == term_texts(text)


@FAST
@given(ANY_TEXT, st.integers(min_value=1, max_value=20))
def test_search_answers_any_text_in_order_within_the_limit(engine, text, limit):
    response = engine.search(text, limit=limit)
    assert len(response.hits) <= limit
    scores = [hit.score for hit in response.hits]
    assert scores == sorted(scores, reverse=True)
    assert bool(response.hits) != bool(response.reason)
    for hit in response.hits:
        # The snippet as the page shows it: the only markup in it is the highlighting.
        html = str(marked(hit.snippet, hit.snippet_spans))
        assert "<" not in html.replace("<mark>", "").replace("</mark>", "")


@pytest.fixture(scope="module")
def web_client(index_dir, tmp_path_factory, migrated_sqlite, make_app):
    folder = tmp_path_factory.mktemp("properties")
    shutil.copy(migrated_sqlite, folder / "db.sqlite3")
    app = make_app(
        index_dir,
        folder / "instance",
        f"sqlite:///{folder / 'db.sqlite3'}",
        chat_rate_limit="100000 per minute",  # hypothesis sends hundreds of messages
    )
    return app.test_client()


@WEB
@given(ANY_TEXT, MARKUP)
def test_search_page_never_fails_and_never_reflects_markup(web_client, text, markup):
    response = web_client.get("/search", query_string={"q": text + markup})
    assert response.status_code < 500
    assert markup not in response.get_data(as_text=True)


@WEB
@given(ANY_TEXT, st.one_of(st.none(), st.text(max_size=5)), st.one_of(st.none(), ANY_TEXT))
def test_search_api_answers_json_for_any_parameters(web_client, text, limit, category):
    query = {"q": text}
    if limit is not None:
        query["limit"] = limit
    if category is not None:
        query["category"] = category
    response = web_client.get("/api/search", query_string=query)
    assert response.status_code < 500
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = response.get_json()
    assert ("results" in body) if response.status_code == 200 else body["error"]["message"]


def test_invisible_characters_are_not_words():
    text = "\u0301\u0302\u200b\x00\x07" + unicodedata.lookup("ZERO WIDTH JOINER")
    assert analyze(text) == []


def test_a_zero_width_space_inside_a_word_does_not_split_it():
    assert term_texts("レセ\u200bコン") == term_texts("レセコン")


@WEB
@given(ANY_TEXT, MARKUP)
def test_chat_api_answers_any_message_without_failing(web_client, text, markup):
    response = web_client.post(
        "/api/chat",
        json={"message": text + markup},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 200:
        assert body["text"] and markup not in body["text"]
    else:
        assert body["error"]["message"]


@WEB
@given(st.one_of(ANY_TEXT.map(lambda t: {"message": t}), st.dictionaries(ANY_TEXT, ANY_TEXT)))
def test_chat_api_rejects_malformed_bodies_with_a_message(web_client, body):
    response = web_client.post("/api/chat", json=body, headers={"Origin": "http://localhost"})
    assert response.status_code in (200, 400)
    assert response.status_code == 200 or response.get_json()["error"]["message"]
