"""`kb check` for the chat's rules: the file's problems, and examples that miss their intent.

Kept apart from chatbot.rules (which only reads the file) because reaching an intent needs the
selection (chatbot.selection), which itself needs the rules.
"""

from __future__ import annotations

from pathlib import Path

from chatbot.matching import Message
from chatbot.rules import RULES_PATH, Rules, read_rules
from chatbot.selection import select_intent
from chatbot.state import ChatState
from kb.problems import Problem


def check_rules(articles_dir: Path, rules_path: Path | None = None) -> list[Problem]:
    """Every problem of the rules against the articles in `articles_dir`, sorted by line."""
    from kb.articles import load_articles

    articles = load_articles(Path(articles_dir)).articles
    path = Path(rules_path) if rules_path else RULES_PATH
    rules, problems = read_rules(path, articles)
    if rules is not None and not problems:
        problems.extend(example_problems(rules))
    return sorted(problems)


def example_problems(rules: Rules) -> list[Problem]:
    """Each intent's examples, said alone at the start of a conversation, must reach it."""
    problems = []
    for intent in rules.intents:
        for example, line in zip(intent.examples, intent.example_lines, strict=True):
            match = select_intent(rules, Message.from_text(example), ChatState())
            got = match.intent.id if match else None
            if got != intent.id:
                problems.append(
                    Problem(
                        rules.path,
                        line,
                        f"例文「{example}」が意図「{intent.id}」になりません（結果: {got or 'ルールなし'}）",
                    )
                )
    return problems
