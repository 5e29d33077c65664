"""The chat's rules are validated like the articles: every problem, with its line, in Japanese."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from chatbot.rules import RULES_PATH, RulesError, check_rules, load_rules
from kb import ARTICLES_DIR

MESSAGES = """\
messages:
  article_link: "詳しくは「{title}」をご覧ください。"
  choices: 選んでください。
  fallback: お答えできませんでした。
  out_of_scope: ここではお答えしていません。
  handoff_after_unanswered: 担当者へどうぞ。
  privacy: 個人情報は入力しないでください。
  empty: 入力してください。
"""


def write_rules(tmp_path: Path, intents: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(MESSAGES + "intents:\n" + textwrap.dedent(intents), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, intents: str) -> list[str]:
    return [str(problem) for problem in check_rules(ARTICLES_DIR, write_rules(tmp_path, intents))]


def test_the_shipped_rules_have_no_problems_and_every_example_reaches_its_intent():
    assert check_rules(ARTICLES_DIR) == []


def test_an_unknown_article_id_is_an_error_on_its_line(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          triggers: [申請期間]
          articles: [no-such-article]
        """,
    )
    assert len(problems) == 1
    assert "rules.yaml:12:" in problems[0] and "記事「no-such-article」はありません" in problems[0]


def test_empty_triggers_are_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          triggers: []
          articles: [subsidy-period]
        """,
    )
    assert any("triggers が空です" in problem for problem in problems)


def test_a_missing_trigger_list_is_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          articles: [subsidy-period]
        """,
    )
    assert any("triggers が空です" in problem for problem in problems)


def test_a_duplicate_intent_id_is_an_error_naming_the_first(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          triggers: [申請期間]
          articles: [subsidy-period]
        - id: periods
          triggers: [申請の期限]
          articles: [subsidy-period]
        """,
    )
    assert any("「periods」が重複しています（最初は 10 行目）" in problem for problem in problems)


def test_a_trigger_the_analyzer_reduces_to_a_question_word_is_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: lost
          kind: smalltalk
          triggers: [わからない]
          reply: すみません。
        """,
    )
    # The analyzer keeps only the negation of わからない: it would catch 表示されない too.
    assert any("「わからない」" in p and "どんな質問にも一致します" in p for p in problems)


def test_two_intents_with_the_same_trigger_after_analysis_are_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: steps
          triggers: [導入するには]
          articles: [setup-steps]
        - id: setup
          kind: clarify
          triggers: [導入]
          reply: 何を知りたいですか？
          quick_replies: [導入の流れ]
        """,
    )
    assert any("意図「steps」の「導入するには」" in problem for problem in problems)


def test_an_example_that_reaches_another_intent_is_reported(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          triggers: [申請期間]
          articles: [subsidy-period]
          examples: [コールセンターの番号]
        """,
    )
    assert problems == [
        f"{tmp_path / 'rules.yaml'}:13: 例文「コールセンターの番号」が意図「periods」になりません（結果: ルールなし）"
    ]


@pytest.mark.parametrize(
    ("intents", "expected"),
    [
        ("- id: Bad_Id\n  triggers: [a]\n  articles: [about]\n", "英小文字・数字・ハイフン"),
        ("- id: x\n  kind: chatty\n  triggers: [a]\n  reply: r\n", "kind「chatty」"),
        ("- id: x\n  kind: clarify\n  triggers: [補助金]\n  reply: r\n", "quick_replies が必要"),
        ("- id: x\n  triggers: [a]\n  articles: [about]\n  topic: weather\n", "未知のカテゴリ"),
        ("- id: x\n  triggers: [a]\n  articles: [about]\n  colour: red\n", "未知の項目「colour」"),
        ("- id: x\n  triggers: [a]\n", "articles がありません"),
        ("- id: x\n  kind: smalltalk\n  triggers: [やあ]\n", "reply がありません"),
    ],
)
def test_malformed_intents_are_explained(tmp_path, intents, expected):
    assert any(expected in problem for problem in problems_of(tmp_path, intents))


def test_broken_yaml_is_one_problem_with_its_line(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("messages: [\nintents:\n", encoding="utf-8")
    problems = check_rules(ARTICLES_DIR, path)
    assert len(problems) == 1 and "YAML が読めません" in str(problems[0])


def test_load_rules_refuses_broken_rules_with_every_problem(tmp_path):
    path = write_rules(
        tmp_path,
        """\
        - id: a
          triggers: []
          articles: [nowhere]
        """,
    )
    from kb.articles import load_articles

    with pytest.raises(RulesError) as raised:
        load_rules(path, load_articles(ARTICLES_DIR).articles)
    assert len(raised.value.problems) == 2


def kb_check(runner):
    from web.cli import cli

    return runner.invoke(cli, ["check"])


def test_kb_check_reports_rule_problems(app, runner, tmp_path):
    broken = write_rules(tmp_path, "- id: a\n  triggers: [申請期間]\n  articles: [nowhere]\n")
    # As HELPDESK_CHAT_RULES=<broken> would set it.
    settings = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(settings, chat_rules_file=broken)
    result = kb_check(runner)
    assert result.exit_code == 1
    assert "記事「nowhere」はありません" in result.output


def test_kb_check_passes_with_the_shipped_rules(runner):
    result = kb_check(runner)
    assert result.exit_code == 0, result.output
    assert RULES_PATH.exists()
