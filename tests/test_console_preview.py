"""Article preview: an editor sees an unpublished article as the site would, with its problems."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.support import FIXTURES


@pytest.fixture
def editor_on(make_app, logged_in):
    def editor_on(index_dir, tmp_path, database_url, articles):
        app = make_app(index_dir, tmp_path / "instance", database_url, articles_dir=articles)
        return logged_in(app, "editor")

    return editor_on


def rank_rows(html: str) -> list[tuple[str, str, str]]:
    return re.findall(
        r'<tr class="rank-(?:ok|ng)">\s*<td>([^<]*)</td>\s*<td class="num">([^<]*)</td>\s*'
        r"<td>([^<]*)</td>",
        html,
    )


def test_a_real_article_is_previewed_as_the_site_shows_it_with_its_query_ranks(
    app, logged_in, page_text
):
    client = logged_in(app, "editor")
    preview = page_text(client.get("/console/preview/call-center"))
    site = page_text(app.test_client().get("/articles/call-center"))
    title = re.search(r"<h1[^>]*>(.*?)</h1>", site, re.S).group(1)
    assert title in preview
    assert "0800-080-4583" in preview
    assert "プレビュー" in preview and "call-center.md" in preview
    assert "問題はありません。" in preview
    rows = rank_rows(preview)
    assert ("0800-080-4583", "1位", "合格") in rows
    assert rows and all(verdict == "合格" for _query, _rank, verdict in rows)


def test_an_unpublished_article_shows_its_problems_and_the_query_that_misses(
    index_dir, tmp_path, database_url, article_tree, editor_on, page_text
):
    shutil.copy(FIXTURES / "articles" / "broken" / "query-not-found.md", article_tree)
    client = editor_on(index_dir, tmp_path, database_url, article_tree)
    html = page_text(client.get("/console/preview/query-not-found"))
    assert "補助金の申請期間はいつまでですか" in html
    rows = rank_rows(html)
    assert [verdict for _query, _rank, verdict in rows] == ["合格", "合格", "不合格"]
    missed = [row for row in rows if row[0] == "領収書と完了報告書と内訳書の書類"]
    assert len(missed) == 1 and missed[0][2] == "不合格" and missed[0][1] != "1位"
    assert '<span class="problem-line">10行目</span>' in html
    assert "「領収書と完了報告書と内訳書の書類」で検索するとこの記事が上位3件に入りません" in html
    index = page_text(client.get("/console/preview/"))
    assert "kb check の問題が 1 件あります。" in index
    assert re.search(
        r'<tr class="has-problems">\s*<td><a href="/console/preview/query-not-found"', index
    )


def test_a_file_that_does_not_load_shows_its_problems_and_its_text(
    index_dir, tmp_path, database_url, article_tree, editor_on, page_text
):
    source = (FIXTURES / "articles" / "broken" / "yaml-error.md").read_text(encoding="utf-8")
    (article_tree / "yaml-error.md").write_text(
        source.replace("補助金の申請期間", "<script>補助金</script>の申請期間"), encoding="utf-8"
    )
    client = editor_on(index_dir, tmp_path, database_url, article_tree)
    index = page_text(client.get("/console/preview/"))
    assert "読み込めないファイル" in index and "yaml-error.md" in index
    response = client.get("/console/preview/yaml-error")
    html = page_text(response)
    assert response.status_code == 200
    assert "yaml-error.md は読み込めません" in html
    assert "&lt;script&gt;補助金&lt;/script&gt;" in html and "<script>補助金" not in html
    assert "YAML が読めません" in html
    assert re.search(r'<span class="problem-line">\d+行目</span>', html)


def test_preview_sees_an_edit_without_a_restart(
    index_dir, tmp_path, database_url, article_tree, editor_on, page_text
):
    client = editor_on(index_dir, tmp_path, database_url, article_tree)
    assert "当分の間、申請を受け付けています。" in page_text(client.get("/console/preview/alpha"))
    alpha = article_tree / "alpha.md"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace("当分の間、", "令和8年3月末まで、"),
        encoding="utf-8",
    )
    assert "令和8年3月末まで、申請を受け付けています。" in page_text(
        client.get("/console/preview/alpha")
    )


def test_unknown_or_odd_article_ids_are_japanese_404s(app, logged_in, page_text):
    client = logged_in(app, "editor")
    for path in ("/console/preview/no-such-article", "/console/preview/..%2Fsecret_key"):
        response = client.get(path)
        assert response.status_code == 404
        assert "お探しのページは見つかりませんでした。" in page_text(response)
