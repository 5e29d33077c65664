"""Loading and validating articles: every kind of problem is reported at its line."""

import datetime as dt
import shutil

import pytest

from kb import ARTICLES_DIR
from kb.articles import REQUIRED_FIELDS, load_articles
from kb.categories import CATEGORIES
from kb.check import check_articles
from kb.rendering import render_markdown
from kb.sources import SOURCES_DIR
from tests.support import FIXTURES

INVENTORY_IDS = """
about start-of-operations benefits schedule paper-tickets verify-by-recipient-number
combined-insurance unentrusted-display bulk-retrieval not-displayed ticket-info-fields
drug-information disaster-mode card-as-patient-card opinion-forms home-visits setup-steps
existing-infrastructure enable-medical-assistance-setting vendor-estimate lead-time
package-update operation-test reception-changes not-yet-health-insurance-oqs
with-other-initiatives costs subsidy-period subsidy-eligibility subsidy-documents
subsidy-how-to-apply subsidy-popup-deadline subsidy-future-support subsidy-before-completion
contact-channels call-center mhlw-contact
""".split()


def test_valid_tree_has_no_problems(article_tree):
    assert check_articles(article_tree) == []


# (fixture file, line the problem is reported at, words the message must contain)
BROKEN = [
    ("missing-field", 2, "必須項目「sources」"),
    ("unknown-field", 6, "未知の項目「author」"),
    ("wrong-type", 6, "「tags」は文字列のリスト"),
    ("id-mismatch", 2, "ファイル名「id-mismatch」と一致しません"),
    ("duplicate-id", 2, "id「beta」が beta.md と重複"),
    ("unknown-category", 4, "未知のカテゴリ「money」"),
    ("missing-related", 11, "「nowhere」という記事はありません"),
    ("invalid-date", 16, "日付「2024-13-40」が正しくありません"),
    ("empty-answer", 5, "「answer」が空です"),
    ("broken-link", 18, "「/articles/nowhere」はありません"),
    ("yaml-error", 7, "YAML が読めません"),
    ("too-few-queries", 7, "queries は 3〜6 件"),
    ("query-not-found", 10, "上位3件に入りません"),
    # Citations: a passage not in the cited text is reported at its own line.
    ("evidence-not-in-source", 15, "evidence「申請期限は令和9年3月31日まで」が出典"),
    ("unknown-source", 12, "出典「nowhere-2024」は kb/sources/ にありません"),
    ("no-sources", 12, "sources に1件以上"),
]


@pytest.mark.parametrize(("name", "line", "words"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_kind_of_broken_article_is_reported_at_its_line(article_tree, name, line, words):
    shutil.copy(FIXTURES / "articles" / "broken" / f"{name}.md", article_tree)
    problems = [p for p in check_articles(article_tree) if p.path.name == f"{name}.md"]
    assert any(p.line == line and words in p.message for p in problems), problems
    assert all(str(p).startswith(f"{article_tree / name}.md:") for p in problems)


def test_a_broken_article_does_not_hide_the_valid_ones(article_tree):
    shutil.copy(FIXTURES / "articles" / "broken" / "unknown-category.md", article_tree)
    loaded = load_articles(article_tree)
    assert "alpha" in loaded.articles and "unknown-category" not in loaded.articles
    assert not loaded.ok


def test_real_articles_pass_every_check():
    assert [str(p) for p in check_articles(ARTICLES_DIR)] == []


def test_every_inventory_article_exists_with_all_fields():
    articles = load_articles(ARTICLES_DIR).articles
    assert set(INVENTORY_IDS) <= set(articles)
    for article_id in INVENTORY_IDS:
        article = articles[article_id]
        for name in REQUIRED_FIELDS:
            assert getattr(article, name), f"{article_id}: {name}"
        assert 3 <= len(article.queries) <= 6
        assert article.title not in article.queries
        assert article.sources and article.evidence and article.as_of is not None


def test_articles_are_ordered_by_category():
    order = [c.id for c in CATEGORIES]
    categories = [a.category for a in load_articles(ARTICLES_DIR).articles.values()]
    assert categories == sorted(categories, key=order.index)


def test_phone_numbers_in_articles_are_only_those_of_the_source():
    import re

    allowed = {"0800-080-4583", "03-5253-1111"}
    for article in load_articles(ARTICLES_DIR).articles.values():
        text = article.answer + article.body
        found = set(re.findall(r"0\d{1,3}-\d{2,4}-\d{4}", text))
        assert found <= allowed, (article.id, found)


def test_markdown_is_rendered_and_sanitized():
    html = render_markdown(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<table>" in html and "<td>1</td>" in html
    assert "<script" not in html and 'href="javascript' not in html


def test_a_review_date_beyond_the_longest_interval_is_reported(article_tree):
    shutil.copy(FIXTURES / "articles" / "broken" / "review-too-far.md", article_tree)
    problems = check_articles(article_tree, review_interval_days=730)
    assert [(p.path.name, p.line) for p in problems] == [("review-too-far.md", 15)]
    assert "730日以内" in problems[0].message
    assert check_articles(article_tree, review_interval_days=3000) == []


def test_an_article_citing_a_superseded_source_is_a_warning_not_a_failure(article_tree, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    old = (sources / "mhlw-jimurenraku-2024-12-04.md").read_text(encoding="utf-8")
    newer = old.replace("id: mhlw-jimurenraku-2024-12-04", "id: mhlw-newer-2025-04-01").replace(
        'date: "2024-12-04"', 'date: "2025-04-01"\nsupersedes: [mhlw-jimurenraku-2024-12-04]'
    )
    (sources / "mhlw-newer-2025-04-01.md").write_text(newer, encoding="utf-8")
    loaded = load_articles(article_tree, sources)
    assert loaded.problems == []
    assert {p.path.name for p in loaded.warnings} == {f"{name}.md" for name in loaded.articles}
    assert all("mhlw-newer-2025-04-01" in p.message for p in loaded.warnings)


def test_as_of_is_the_newest_cited_source_and_the_citations_come_with_the_article():
    articles = load_articles(ARTICLES_DIR).articles
    for article in articles.values():
        assert article.as_of == max(
            dt.date.fromisoformat(c["date"] + ("-01" if len(c["date"]) == 7 else ""))
            for c in article.citations
        )
        assert {c["id"] for c in article.citations} == set(article.sources)
        assert article.reviewed <= article.review_by
