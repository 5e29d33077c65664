"""The chat's rules are validated like the articles: every problem, with its line, in Japanese."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from chatbot.check import check_rules
from chatbot.rules import RULES_PATH, RulesError, load_rules
from kb import ARTICLES_DIR

MESSAGES = """\
messages:
  answer_lead: "「{title}」について。"
  next_question: "もう一つは「{title}」をご覧ください。"
  handoff_with_article: "「{title}」もご覧ください。"
  other_question_unanswered: もう一つにはお答えできませんでした。
  choices: 選んでください。
  fallback: お答えできませんでした。
  out_of_scope: ここではお答えしていません。
  handoff_after_unanswered: 担当者へどうぞ。
  privacy: 個人情報は入力しないでください。
  personal_lookup: お調べできません。
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
        - id: person
          kind: handoff
          triggers: [担当者]
          reply: 担当者へどうぞ。
          articles: [no-such-article]
        """,
    )
    assert len(problems) == 1
    assert "rules.yaml:18:" in problems[0] and "記事「no-such-article」はありません" in problems[0]


def test_a_rule_that_answers_with_an_article_is_refused_with_where_its_words_belong(tmp_path):
    # The articles are the answers: an answer rule would overrule the ranking (issue 11).
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          kind: answer
          triggers: [申請期間]
          articles: [subsidy-period]
        """,
    )
    assert any("kind「answer」は使えません" in p and "queries:" in p for p in problems)


def test_a_rule_without_a_kind_is_an_error_that_names_the_kinds(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: periods
          triggers: [申請期間]
          articles: [subsidy-period]
        """,
    )
    assert any("kind がありません" in p and "handoff" in p for p in problems)


def test_empty_triggers_are_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: person
          kind: handoff
          triggers: []
          reply: 担当者へどうぞ。
        """,
    )
    assert any("triggers が空です" in problem for problem in problems)


def test_a_missing_trigger_list_is_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: person
          kind: handoff
          reply: 担当者へどうぞ。
        """,
    )
    assert any("triggers が空です" in problem for problem in problems)


def test_a_duplicate_intent_id_is_an_error_naming_the_first(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: person
          kind: handoff
          triggers: [担当者]
          reply: 担当者へどうぞ。
        - id: person
          kind: handoff
          triggers: [オペレーター]
          reply: 担当者へどうぞ。
        """,
    )
    assert any("「person」が重複しています（最初は 14 行目）" in problem for problem in problems)


def test_a_trigger_the_analyzer_reduces_to_a_question_word_is_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: lost
          kind: smalltalk
          triggers: [どこにあるの]
          reply: すみません。
        """,
    )
    # The analyzer keeps only the question word どこ: it would catch any question with どこ.
    assert any("「どこにあるの」" in p and "どんな質問にも一致します" in p for p in problems)


def test_a_negated_word_in_a_trigger_keeps_its_negation_and_a_bare_one_is_literal():
    from chatbot.matching import compile_phrase

    # 解決しない is 解決 negated, not 解決 and a ない that any negative sentence has.
    assert compile_phrase("解決しない").terms == {"解決", "解決ない"}
    # わからない: 分かる says nothing and neither does its negation, so it is compared as written.
    assert compile_phrase("わからない").is_literal


def test_two_intents_with_the_same_trigger_after_analysis_are_an_error(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: person
          kind: handoff
          triggers: [導入するには]
          reply: 担当者へどうぞ。
        - id: setup
          kind: clarify
          triggers: [導入]
          reply: 何を知りたいですか？
          quick_replies: [導入の流れ]
        """,
    )
    assert any("意図「person」の「導入するには」" in problem for problem in problems)


def test_an_example_that_reaches_another_intent_is_reported(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: person
          kind: handoff
          triggers: [担当者]
          reply: 担当者へどうぞ。
          examples: [コールセンターの番号]
        """,
    )
    assert problems == [
        f"{tmp_path / 'rules.yaml'}:18: 例文「コールセンターの番号」が意図「person」になりません（結果: ルールなし）"
    ]


@pytest.mark.parametrize(
    ("intents", "expected"),
    [
        (
            "- id: Bad_Id\n  kind: handoff\n  triggers: [a]\n  reply: r\n",
            "英小文字・数字・ハイフン",
        ),
        ("- id: x\n  kind: chatty\n  triggers: [a]\n  reply: r\n", "kind「chatty」"),
        ("- id: x\n  kind: clarify\n  triggers: [補助金]\n  reply: r\n", "quick_replies が必要"),
        (
            "- id: x\n  kind: handoff\n  triggers: [a]\n  reply: r\n  topic: weather\n",
            "未知のカテゴリ",
        ),
        (
            "- id: x\n  kind: handoff\n  triggers: [a]\n  reply: r\n  colour: red\n",
            "未知の項目「colour」",
        ),
        ("- id: x\n  triggers: [a]\n  reply: r\n", "kind がありません"),
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
          kind: handoff
          triggers: []
          reply: r
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
    broken = write_rules(
        tmp_path,
        "- id: a\n  kind: handoff\n  triggers: [担当者]\n  reply: r\n  articles: [nowhere]\n",
    )
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


def test_urgent_is_only_for_a_handoff(tmp_path):
    problems = problems_of(
        tmp_path,
        """\
        - id: hello
          kind: smalltalk
          urgent: true
          triggers: [こんにちは]
          reply: こんにちは。
        """,
    )
    assert len(problems) == 1 and "urgent は handoff の意図にだけ書けます" in problems[0]
