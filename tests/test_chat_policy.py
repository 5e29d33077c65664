"""Who speaks — a dialogue rule or the ranking — for every kind of rule and confidence level,
and how a message of several questions is split (chatbot.policy, chatbot.parts)."""

from __future__ import annotations

import pytest

from chatbot import policy
from chatbot.parts import question_parts, without_introductions
from chatbot.rules import Intent
from chatbot.selection import Match
from kb.confidence import CONFIDENT, LEVELS, NONE, WEAK


def match(kind: str, whole: bool = True, bare: bool = False) -> Match:
    return Match(Intent("x", kind=kind, reply="r"), 1.0, 1.0, False, whole, bare)


@pytest.mark.parametrize("level", LEVELS)
def test_without_a_rule_the_ranking_decides_by_its_confidence(level):
    expected = {CONFIDENT: policy.ANSWER, WEAK: policy.CHOICES, NONE: policy.NOTHING}[level]
    assert policy.decide(None, level) == expected


@pytest.mark.parametrize("level", LEVELS)
def test_small_talk_always_speaks(level):
    assert policy.decide(match("smalltalk"), level) == policy.RULE


@pytest.mark.parametrize(
    ("bare", "level", "expected"),
    [
        (True, CONFIDENT, policy.RULE),  # 「補助金について」: a subject, nothing asked
        (True, WEAK, policy.RULE),
        (True, NONE, policy.RULE),
        (False, CONFIDENT, policy.ANSWER),  # 「補助金の申請方法」: asked, and an article answers
        (False, WEAK, policy.RULE),
        (False, NONE, policy.RULE),
    ],
)
def test_a_clarifying_question_gives_way_to_a_confident_answer_unless_only_a_subject_was_said(
    bare, level, expected
):
    assert policy.decide(match("clarify", bare=bare), level) == expected


@pytest.mark.parametrize(
    ("whole", "level", "expected"),
    [
        (True, CONFIDENT, policy.RULE),  # 「担当者と話したい」
        (True, NONE, policy.RULE),
        (False, CONFIDENT, policy.ANSWER),  # 「補助金の申請フォームはどこにありますか」
        (False, WEAK, policy.RULE),
        (False, NONE, policy.RULE),  # 「ぜんぜん分からない、誰かに代わって」
    ],
)
def test_a_request_for_a_person_gives_way_only_to_a_confident_answer_of_a_fuller_question(
    whole, level, expected
):
    assert policy.decide(match("handoff", whole=whole), level) == expected


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        # Two questions, joined every way people join them.
        ("要否意見書は紙ですか？あと、医療券はまだ紙ですか？", ["要否意見書は紙ですか", "医療券はまだ紙ですか"]),
        ("運用テストは何をしますか。それと、費用はかかりますか", ["運用テストは何をしますか", "費用はかかりますか"]),
        ("コールセンターの番号と、あと補助金の申請先を教えて", ["コールセンターの番号と", "補助金の申請先を教えて"]),
        ("補助金の対象は？ついでに、期限も教えて", ["補助金の対象は", "期限も教えて"]),
        # The situation before the question is not a question.
        ("見積りが来たのですが、費用はどこにかかりますか", ["費用はどこにかかりますか"]),
        ("電話がつながらないので、ほかの問い合わせ方法はありますか", ["ほかの問い合わせ方法はありますか"]),
        ("院長に言われました。導入の流れを教えてください", ["導入の流れを教えてください"]),
        # One question stays whole.
        ("補助金の申請期間はいつまでですか", ["補助金の申請期間はいつまでですか"]),
        ("助成金の申請に必要な書類と、申請期限を教えてください", ["助成金の申請に必要な書類と、申請期限を教えてください"]),
        ("未委託と表示されました。", ["未委託と表示されました。"]),
    ],
)  # fmt: skip
def test_a_message_is_split_into_the_parts_that_ask_something(message, parts):
    assert question_parts(message) == parts


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        # The writer introduces themselves, every way people do, before or after the question.
        ("さくら調剤薬局の田中と申します。補助金はいくらもらえますか", "補助金はいくらもらえますか"),
        ("〇〇薬局の者です。未委託と出ます", "未委託と出ます"),
        ("やまだ内科クリニックの佐藤です。運用テストとは？", "運用テストとは？"),
        ("担当の山田です！要否意見書は紙ですか", "要否意見書は紙ですか"),
        ("医療券はまだ紙ですか？事務長の鈴木といいます。", "医療券はまだ紙ですか？"),
        # Not introductions: a subject before です, a name in kana, a question about a word.
        ("補助金の件です。期限はいつですか", "補助金の件です。期限はいつですか"),
        ("マイナです。使えますか", "マイナです。使えますか"),
        ("未委託と言いますか？", "未委託と言いますか？"),
        # Reported speech is part of the question: 「…と言います」 after anything but a name.
        ("患者さんが医療券を忘れたといいます。どう確認すればいいですか",
         "患者さんが医療券を忘れたといいます。どう確認すればいいですか"),
        ("業者が設定は必要ないと言います。本当でしょうか", "業者が設定は必要ないと言います。本当でしょうか"),
        # A letter's salutation at the start goes; a person asked for by it stays.
        ("ご担当者様、補助金の申請期間を教えてください", "補助金の申請期間を教えてください"),
        ("担当者様と話したい", "担当者様と話したい"),
        # Nothing but the introduction: left as it is.
        ("田中と申します。", "田中と申します。"),
    ],
)  # fmt: skip
def test_a_self_introduction_is_not_part_of_the_question(message, asked):
    assert without_introductions(message) == asked


@pytest.mark.parametrize("level", [CONFIDENT, WEAK, NONE])
def test_an_urgent_request_for_a_person_speaks_whatever_the_ranking(level):
    # 「もういい、人と話したい」: words close to some article never keep a person from being offered.
    urgent = Match(Intent("x", kind="handoff", reply="r", urgent=True), 1.0, 0.5, False, False)
    assert policy.decide(urgent, level) == policy.RULE
