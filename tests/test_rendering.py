"""Article Markdown: emphasis that works in Japanese, bare URLs as links, and nothing unsafe."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kb import ARTICLES_DIR
from kb.articles import load_articles
from kb.check import check_articles
from kb.cjk_emphasis import cjk_friendly_emphasis, is_cjk
from kb.rendering import ALLOWED_TAGS, leftover_emphasis, plain_text, render_markdown
from tests.support import FIXTURES

PORTAL = "https://iryohokenjyoho.service-now.com/csm?id=oqs_csm_top"


# Sentences from the real articles where CommonMark left the `**` on the page: the closing run
# follows 」 or ） and precedes a Japanese letter.
CLOSING_AFTER_BRACKET = [
    (
        "助成金は、**令和6年12月11日（水）から「当分の間」**申請を受け付けています。",
        "<strong>令和6年12月11日（水）から「当分の間」</strong>申請",
    ),
    (
        "受付業務で**追加で変わる点は「委託先情報の一括取得」**と想定されています。",
        "<strong>追加で変わる点は「委託先情報の一括取得」</strong>と想定",
    ),
    (
        "オン資を**まだ導入していない（入れていない）**場合や",
        "を<strong>まだ導入していない（入れていない）</strong>場合",
    ),
    (
        "**この文は強調されます。**この文が続いても大丈夫です。",
        "<strong>この文は強調されます。</strong>この文",
    ),
]


@pytest.mark.parametrize(("markdown", "expected"), CLOSING_AFTER_BRACKET)
def test_bold_closes_after_japanese_punctuation_before_a_letter(markdown, expected):
    html = render_markdown(markdown)
    assert expected in html
    assert "**" not in html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("これは**「重要」**です。", "これは<strong>「重要」</strong>です。"),
        ("申請は**（郵送）**でも", "申請は<strong>（郵送）</strong>でも"),
        ("設定は*「有効」*にします", "設定は<em>「有効」</em>にします"),
        ("旧名称は~~「オン資」~~です", "旧名称は<s>「オン資」</s>です"),
    ],
)
def test_emphasis_opens_after_a_letter_before_an_opening_bracket(markdown, expected):
    assert expected in render_markdown(markdown)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "a **bold** and *em* and __strong__ and _em_",
            ("a <strong>bold</strong> and <em>em</em> and <strong>strong</strong> and <em>em</em>"),
        ),
        ("foo**bar**baz", "foo<strong>bar</strong>baz"),
        ("snake_case_name and 2*3*4", "snake_case_name and 2<em>3</em>4"),
        ('**foo "*bar*" foo**', '<strong>foo "<em>bar</em>" foo</strong>'),
        ("*(*foo*)*", "<em>(<em>foo</em>)</em>"),
        ("これは**重要**です", "これは<strong>重要</strong>です"),
        ("~~old~~ new", "<s>old</s> new"),
    ],
)
def test_ordinary_emphasis_still_works(markdown, expected):
    assert render_markdown(markdown) == f"<p>{expected}</p>\n"


def test_underscore_between_japanese_letters_stays_literal_as_in_english_words():
    # `_` never opens or closes inside a word; Japanese letters count as a word, like CommonMark.
    assert "__" in render_markdown("これは__強調__です")


WITHOUT_CJK = st.text(alphabet=st.sampled_from(list("ab1 *_~`\\()[]!.,\"'\n-é«»😀")), max_size=30)


@settings(max_examples=400, deadline=None)
@given(WITHOUT_CJK)
def test_text_without_cjk_is_parsed_exactly_as_commonmark(text):
    commonmark = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    friendly = (
        MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(cjk_friendly_emphasis)
    )
    assert friendly.render(text) == commonmark.render(text)


def test_the_amendment_changes_only_its_own_parser():
    MarkdownIt("commonmark").use(cjk_friendly_emphasis)
    assert "**" in MarkdownIt("commonmark").render("これは**「重要」**です")
    assert "**" in MarkdownIt("commonmark").render("**「当分の間」**申請")


@pytest.mark.parametrize(
    ("char", "cjk"),
    [("申", True), ("ア", True), ("ｱ", True), ("」", True), ("（", True), ("。", True),
     ("한", True), ("〈", True), ("a", False), ("(", False), ("é", False), ("😀", False),
     ("⌚", False), ("\u1249", False)],
)  # fmt: skip
def test_cjk_characters_are_told_from_others(char, cjk):
    assert is_cjk(char) is cjk


def test_code_spans_and_blocks_keep_their_asterisks():
    html = render_markdown(
        "例: `**「当分の間」**申請` と書きます。\n\n```\n**「当分の間」**申請\n```\n\n    **インデント」**です"
    )
    assert "<code>**「当分の間」**申請</code>" in html
    assert "<pre><code>**「当分の間」**申請\n</code></pre>" in html
    assert "<pre><code>**インデント」**です\n</code></pre>" in html
    assert "<strong>" not in html


def test_escaped_asterisks_stay_literal_and_are_not_reported():
    text = "\\*\\*「記号」\\*\\*そのもの"
    assert render_markdown(text) == "<p>**「記号」**そのもの</p>\n"
    assert leftover_emphasis(text) == []


def test_bare_url_becomes_a_link_that_opens_no_window_reference():
    html = render_markdown(f"ポータルサイト:\n\n{PORTAL}")
    assert f'<a href="{PORTAL}" rel="noopener noreferrer">{PORTAL}</a>' in html


@pytest.mark.parametrize(
    "markdown",
    [
        f"ポータルサイト（{PORTAL}）から申請してください。",
        f"ポータルサイト「{PORTAL}」から申請してください。",
        f"詳しくは{PORTAL}をご覧ください。",
        f"詳しくは {PORTAL}。",
    ],
)
def test_a_url_ends_where_the_japanese_text_after_it_begins(markdown):
    html = render_markdown(markdown)
    assert f'<a href="{PORTAL}" rel="noopener noreferrer">{PORTAL}</a>' in html


def test_only_urls_with_a_scheme_become_links():
    html = render_markdown("www.mhlw.go.jp や setup.py や info@example.jp はそのままです。")
    assert "<a" not in html


def test_written_links_keep_working_with_rel():
    html = render_markdown("[総合ポータル](https://example.jp/portal) と [記事](/articles/about)")
    assert '<a href="https://example.jp/portal" rel="noopener noreferrer">総合ポータル</a>' in html
    assert '<a href="/articles/about" rel="noopener noreferrer">記事</a>' in html


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_in_markdown_is_never_live():
    html = render_markdown(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> **「太字」**です\n\n"
        '<a href="javascript:alert(1)" onclick="x()">a</a> [x](javascript:alert(1)) '
        "[y](JaVaScRiPt:alert(1)) javascript:alert(1) data:text/html,<b>x</b>"
    )
    parser = _Tags()
    parser.feed(html)
    assert parser.tags, html
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, html
        assert not any(name.startswith("on") for name in attrs), html
        assert "javascript" not in (attrs.get("href") or "").lower(), html
    assert "<strong>「太字」</strong>です" in html


def test_plain_text_has_the_words_without_markup_and_urls_as_text():
    text = f"助成金は**令和6年12月11日（水）から「当分の間」**申請できます。\n\n{PORTAL}"
    assert plain_text(text) == (
        f"助成金は令和6年12月11日（水）から「当分の間」申請できます。\n{PORTAL}"
    )


def test_no_real_article_shows_emphasis_markers_on_the_page_or_in_snippets():
    articles = load_articles(ARTICLES_DIR).articles
    assert len(articles) >= 37
    for article in articles.values():
        for marker in ("**", "__"):
            assert marker not in render_markdown(article.body), article.id
            assert marker not in plain_text(article.body), article.id
        assert leftover_emphasis(article.body) == [], article.id


def test_search_snippet_of_the_subsidy_period_shows_bold_words_without_asterisks(engine):
    hits = engine.search("補助金の申請はいつまで", limit=5).hits
    hit = next(hit for hit in hits if hit.id == "subsidy-period")
    assert "**" not in hit.snippet


def test_leftover_markers_are_found_on_the_line_they_are_written():
    text = "\n".join(
        [
            "| 項目 | 内容 |",  # 0
            "|---|---|",  # 1
            "| **「表」 | 閉じていない |",  # 2
            "",  # 3
            "段落の1行目で",  # 4
            "`**` はコードで、2行目の**「ここ」だけ閉じていない",  # 5
            "",  # 6
            f"- {PORTAL}&x__y は URL",  # 7
            "  __下線」__は語中で閉じない",  # 8
            "",  # 9
            "```",  # 10
            "**コード",  # 11
            "```",  # 12
        ]
    )
    assert [(m.line, m.marker) for m in leftover_emphasis(text)] == [
        (2, "**"),
        (5, "**"),
        (8, "__"),
    ]


def test_kb_check_reports_an_unclosed_bold_at_its_line(article_tree):
    shutil.copy(FIXTURES / "articles" / "broken" / "unclosed-emphasis.md", article_tree)
    problems = [p for p in check_articles(article_tree) if p.path.name == "unclosed-emphasis.md"]
    assert [(p.line, p.message) for p in problems] == [
        (22, "強調の記号 ** が閉じていません（ページにそのまま表示されます）")
    ]
    assert str(problems[0]).startswith(f"{article_tree / 'unclosed-emphasis.md'}:22: ")
