"""The `kb` command line: its JSON contract is relied on by scripts and other tools."""

import json
import shutil

import pytest

from tests.support import FIXTURES


@pytest.fixture(scope="module")
def instance(tmp_path_factory, index_dir):
    folder = tmp_path_factory.mktemp("instance")
    shutil.copytree(index_dir, folder / "index")
    return folder


def test_search_json_prints_one_object_with_ranked_results(instance, run_kb):
    result = run_kb(["search", "--json", "--limit", "2", "補助金はいつまで？"], instance)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    payload = json.loads(lines[0])
    assert payload["query"] == "補助金はいつまで？"
    assert len(payload["results"]) == 2
    assert set(payload["results"][0]) == {
        "id", "title", "category", "answer", "score", "as_of", "reviewed", "review_by", "stale",
    }  # fmt: skip
    assert payload["results"][0]["id"] == "subsidy-period"


def test_search_stdin_answers_each_line_in_order(instance, run_kb):
    queries = ["コールセンターの電話番号", "", "要否意見書は紙？", "<script>"]
    result = run_kb(
        ["search", "--json", "--stdin", "--limit", "3"], instance, stdin="\n".join(queries) + "\n"
    )
    assert result.returncode == 0, result.stderr
    payloads = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["query"] for p in payloads] == queries
    assert payloads[0]["results"][0]["id"] == "call-center"
    assert payloads[1]["results"] == [] and payloads[1]["reason"] == "empty"
    assert payloads[2]["results"][0]["id"] == "opinion-forms"


def test_search_for_a_person_prints_titles_and_urls(instance, run_kb):
    result = run_kb(["search", "要否意見書"], instance)
    assert result.returncode == 0
    assert "/articles/opinion-forms" in result.stdout


def test_check_passes_on_the_real_articles(instance, run_kb):
    result = run_kb(["check"], instance)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_fails_and_lists_problems_one_per_line(tmp_path, run_kb):
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURES / "articles" / "valid", articles)
    for name in ("unknown-category", "broken-link"):
        shutil.copy(FIXTURES / "articles" / "broken" / f"{name}.md", articles)
    result = run_kb(["check"], tmp_path / "instance", env={"HELPDESK_ARTICLES_DIR": str(articles)})
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith(f"{articles}/unknown-category.md:4: ") for line in lines)
    assert any(line.startswith(f"{articles}/broken-link.md:18: ") for line in lines)


def test_reindex_builds_a_new_generation(tmp_path, run_kb):
    result = run_kb(["reindex"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "index" / "CURRENT").exists()


def test_reindex_replaces_only_what_changed_unless_told_to_build_it_all(tmp_path, run_kb):
    assert "作り直しました" in run_kb(["reindex"], tmp_path).stderr
    again = run_kb(["reindex"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "差分で更新しました" in again.stderr
    full = run_kb(["reindex", "--full"], tmp_path)
    assert full.returncode == 0 and "作り直しました" in full.stderr
