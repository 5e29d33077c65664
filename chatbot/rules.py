"""The chat's rules: intents as data (`rules.yaml`), loaded and validated like the articles.

Every problem is reported as `path:line: message` in Japanese, all at once (`kb check`): unknown
article ids, empty triggers, duplicate intent ids, unknown topics, fields of the wrong type, and
examples that do not reach their own intent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chatbot.matching import Phrase, compile_phrase
from kb.categories import CATEGORY_BY_ID
from kb.problems import Problem

RULES_PATH = Path(__file__).parent / "rules.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

KINDS = ("answer", "clarify", "smalltalk", "handoff")
INTENT_FIELDS = (
    "id",
    "kind",
    "triggers",
    "required",
    "any",
    "excluded",
    "articles",
    "topic",
    "reply",
    "quick_replies",
    "call_centre",
    "unanswered",
    "examples",
)
TOP_LEVEL_FIELDS = ("messages", "topics", "filler", "intents")
MESSAGE_KEYS = (
    "article_link",
    "choices",
    "fallback",
    "handoff_after_unanswered",
    "privacy",
    "empty",
)
MESSAGE_LIST_KEYS = ("fallback_quick_replies",)
# Words that ask something but name nothing: a trigger made only of these (「何から始める」
# analyzes to 何 once the analyzer drops 始める) would catch almost any question.
WEAK_TERMS = frozenset(
    {"何", "どれ", "どの", "どこ", "どう", "いつ", "誰", "何故", "ない", "無い", "良く"}
)


class RulesError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    kind: str = "answer"
    triggers: tuple[Phrase, ...] = ()
    required: tuple[Phrase, ...] = ()
    any: tuple[Phrase, ...] = ()
    excluded: tuple[Phrase, ...] = ()
    articles: tuple[str, ...] = ()
    topic: str | None = None
    reply: str = ""
    quick_replies: tuple[str, ...] = ()
    call_centre: bool = False
    unanswered: bool = False
    examples: tuple[str, ...] = ()
    line: int = 0
    example_lines: tuple[int, ...] = field(default=(), compare=False)
    trigger_lines: tuple[int, ...] = field(default=(), compare=False)

    @property
    def exclusive(self) -> bool:
        """Clarifying questions and small talk answer only a message that is nothing more."""
        return self.kind in ("clarify", "smalltalk")


@dataclass(frozen=True, slots=True)
class Rules:
    intents: tuple[Intent, ...]
    subjects: dict[str, tuple[Phrase, ...]]  # topic → the words that name it
    filler: frozenset[str]  # terms that never make a message more than small talk
    messages: dict[str, object]
    path: Path

    def intent(self, intent_id: str) -> Intent:
        return next(intent for intent in self.intents if intent.id == intent_id)

    def message(self, key: str) -> str:
        return str(self.messages[key])


def load_rules(path: Path = RULES_PATH, articles: Mapping | None = None) -> Rules:
    """The rules, or RulesError listing every problem. `articles` (id → Article) enables the
    article id checks and gives an intent without a topic its first article's category."""
    rules, problems = read_rules(path, articles)
    if problems or rules is None:
        raise RulesError(problems)
    return rules


def check_rules(articles_dir: Path, rules_path: Path | None = None) -> list[Problem]:
    """Every problem of the rules against the articles in `articles_dir` (for `kb check`)."""
    from kb.articles import load_articles

    articles = load_articles(Path(articles_dir)).articles
    path = Path(rules_path) if rules_path else RULES_PATH
    rules, problems = read_rules(path, articles)
    if rules is not None and not problems:
        problems.extend(_example_problems(rules))
    return sorted(problems)


def read_rules(path: Path, articles: Mapping | None = None) -> tuple[Rules | None, list[Problem]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(Path(path), 0, "ルールのファイルがありません")]
    except UnicodeDecodeError:
        return None, [Problem(Path(path), 1, "UTF-8 として読めません")]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        return None, [
            Problem(Path(path), mark.line + 1 if mark else 1, f"YAML が読めません: {reason}")
        ]
    return _Reader(Path(path), articles).read(root)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _plain(node: yaml.Node):
    return yaml.SafeLoader("").construct_document(node) if node is not None else None


class _Reader:
    def __init__(self, path: Path, articles: Mapping | None):
        self.path = path
        self.articles = articles
        self.problems: list[Problem] = []

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def read(self, root: yaml.Node | None) -> tuple[Rules | None, list[Problem]]:
        if not isinstance(root, yaml.MappingNode):
            self.report(1, "ルールは「項目: 値」の形式で書いてください（intents: など）")
            return None, self.problems
        sections = self.mapping(root, TOP_LEVEL_FIELDS, "ルールの最上位")
        if "intents" not in sections:
            self.report(1, "「intents」がありません")
        messages = self.messages(sections.get("messages"))
        subjects = self.topics(sections.get("topics"))
        filler = self.filler(sections.get("filler"))
        intents = self.intents(sections.get("intents"))
        self.ambiguous_triggers(intents)
        if self.problems:
            return None, self.problems
        # Greetings and thanks around a vague question do not make it specific.
        for intent in intents:
            if intent.kind == "smalltalk":
                filler = filler.union(*(trigger.terms for trigger in intent.triggers))
        rules = Rules(tuple(intents), subjects, filler, messages, self.path)
        return rules, self.problems

    # --- generic field readers -------------------------------------------------------

    def mapping(self, node: yaml.MappingNode, known: tuple[str, ...], where: str) -> dict:
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in known:
                self.report(
                    _line(key_node),
                    f"{where}の未知の項目「{key}」です（使える項目: {', '.join(known)}）",
                )
                continue
            if key in values:
                self.report(_line(key_node), f"{where}の項目「{key}」が2回書かれています")
                continue
            values[key] = value_node
            values[f"{key}:line"] = _line(key_node)
        return values

    def text(self, node: yaml.Node | None, name: str, line: int) -> str:
        if node is None:
            return ""
        value = _plain(node)
        if not isinstance(value, str):
            self.report(_line(node), f"「{name}」は文字列で書いてください")
            return ""
        if not value.strip():
            self.report(_line(node), f"「{name}」が空です")
        return value.strip()

    def text_list(self, node: yaml.Node | None, name: str) -> list[tuple[str, int]]:
        """(text, line) of each item; a lone string counts as a list of one."""
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        items = node.value if isinstance(node, yaml.SequenceNode) else None
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
            items = [node]
        if items is None:
            self.report(_line(node), f"「{name}」は文字列のリストで書いてください（例: [a, b]）")
            return []
        result = []
        for item in items:
            value = _plain(item)
            if not isinstance(value, str):
                self.report(_line(item), f"「{name}」の項目は文字列で書いてください")
            elif not value.strip():
                self.report(_line(item), f"「{name}」に空の項目があります")
            else:
                result.append((value.strip(), _line(item)))
        return result

    def flag(self, node: yaml.Node | None, name: str) -> bool:
        if node is None:
            return False
        value = _plain(node)
        if not isinstance(value, bool):
            self.report(_line(node), f"「{name}」は true か false で書いてください")
            return False
        return value

    # --- sections ----------------------------------------------------------------------

    def messages(self, node: yaml.Node | None) -> dict[str, object]:
        if node is None:
            self.report(1, "「messages」がありません")
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.report(_line(node), "「messages」は「名前: 文」の形式で書いてください")
            return {}
        fields = self.mapping(node, MESSAGE_KEYS + MESSAGE_LIST_KEYS, "messages ")
        messages: dict[str, object] = {}
        for key in MESSAGE_KEYS:
            if key not in fields:
                self.report(_line(node), f"messages に「{key}」がありません")
                continue
            messages[key] = self.text(fields[key], key, fields[f"{key}:line"])
        for key in MESSAGE_LIST_KEYS:
            messages[key] = tuple(text for text, _ in self.text_list(fields.get(key), key))
        return messages

    def topics(self, node: yaml.Node | None) -> dict[str, tuple[Phrase, ...]]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.report(_line(node), "「topics」は「カテゴリid: [言葉, …]」の形式で書いてください")
            return {}
        subjects: dict[str, tuple[Phrase, ...]] = {}
        for key_node, value_node in node.value:
            topic = key_node.value
            if topic not in CATEGORY_BY_ID:
                self.report(_line(key_node), self.unknown_topic(topic))
                continue
            words = self.text_list(value_node, f"topics.{topic}")
            if not words:
                self.report(_line(key_node), f"topics の「{topic}」に言葉がありません")
            subjects[topic] = tuple(compile_phrase(text) for text, _ in words)
        return subjects

    def filler(self, node: yaml.Node | None) -> frozenset[str]:
        terms: set[str] = set()
        for text, _ in self.text_list(node, "filler"):
            terms |= compile_phrase(text).terms
        return frozenset(terms)

    def unknown_topic(self, topic: str) -> str:
        return (
            f"topic「{topic}」は未知のカテゴリです（使えるカテゴリ: {', '.join(CATEGORY_BY_ID)}）"
        )

    def intents(self, node: yaml.Node | None) -> list[Intent]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.report(_line(node), "「intents」は「- id: …」のリストで書いてください")
            return []
        intents: list[Intent] = []
        first_line: dict[str, int] = {}
        for item in node.value:
            intent = self.intent(item)
            if intent is None:
                continue
            if intent.id in first_line:
                self.report(
                    intent.line,
                    f"意図の id「{intent.id}」が重複しています（最初は {first_line[intent.id]} 行目）",
                )
                continue
            first_line[intent.id] = intent.line
            intents.append(intent)
        return intents

    def ambiguous_triggers(self, intents: list[Intent]) -> None:
        """Triggers the analyzer reduces to nothing specific, or to the same words as another
        intent's trigger: which intent answers would then depend on the order of the file."""
        owner: dict[tuple, tuple[str, str, int]] = {}
        for intent in intents:
            for trigger, line in zip(intent.triggers, intent.trigger_lines, strict=True):
                if trigger.is_literal:
                    continue
                if all(slot <= WEAK_TERMS for slot in trigger.slots):
                    words = "・".join(sorted(set().union(*trigger.slots)))
                    self.report(
                        line,
                        f"意図「{intent.id}」の trigger「{trigger.text}」は解析すると「{words}」しか"
                        "残らず、どんな質問にも一致します。言葉を足すか「」で囲んでください",
                    )
                    continue
                key = trigger.slots
                first = owner.setdefault(key, (intent.id, trigger.text, line))
                if first[0] != intent.id:
                    self.report(
                        line,
                        f"意図「{intent.id}」の trigger「{trigger.text}」は解析すると意図「{first[0]}」"
                        f"の「{first[1]}」（{first[2]} 行目）と同じ言葉になります。"
                        "言葉を足すか「」で囲んでください",
                    )

    def intent(self, node: yaml.Node) -> Intent | None:
        if not isinstance(node, yaml.MappingNode):
            self.report(_line(node), "意図は「id: …」から始まる「項目: 値」の形式で書いてください")
            return None
        fields = self.mapping(node, INTENT_FIELDS, "意図")
        line = fields.get("id:line", _line(node))
        intent_id = self.text(fields.get("id"), "id", line)
        if "id" not in fields:
            self.report(_line(node), "意図に「id」がありません")
        elif intent_id and not ID_PATTERN.match(intent_id):
            self.report(line, f"id「{intent_id}」は英小文字・数字・ハイフンだけで書いてください")
        kind = self.text(fields.get("kind"), "kind", line) or "answer"
        if kind not in KINDS:
            self.report(
                fields.get("kind:line", line),
                f"kind「{kind}」は {', '.join(KINDS)} のどれかにしてください",
            )
        triggers = self.text_list(fields.get("triggers"), "triggers")
        if not triggers:
            self.report(
                fields.get("triggers:line", line),
                f"意図「{intent_id}」の triggers が空です（この意図になる言い方を1つ以上書いてください）",
            )
        articles = self.text_list(fields.get("articles"), "articles")
        for article_id, article_line in articles:
            if self.articles is not None and article_id not in self.articles:
                self.report(article_line, f"記事「{article_id}」はありません")
        if kind == "answer" and not articles and "articles" not in fields:
            self.report(line, f"意図「{intent_id}」に articles がありません（答える記事の id）")
        elif kind == "answer" and not articles:
            self.report(fields["articles:line"], f"意図「{intent_id}」の articles が空です")
        topic = self.text(fields.get("topic"), "topic", line) or None
        if topic is not None and topic not in CATEGORY_BY_ID:
            self.report(fields.get("topic:line", line), self.unknown_topic(topic))
        if topic is None and kind == "answer" and articles and self.articles is not None:
            first = self.articles.get(articles[0][0])
            topic = first.category if first is not None else None
        reply = self.text(fields.get("reply"), "reply", line)
        if kind != "answer" and not reply:
            self.report(line, f"意図「{intent_id}」に reply がありません（{kind} の意図の返答）")
        quick_replies = self.text_list(fields.get("quick_replies"), "quick_replies")
        if kind == "clarify" and not quick_replies:
            self.report(line, f"意図「{intent_id}」は clarify なので quick_replies が必要です")
        examples = self.text_list(fields.get("examples"), "examples")
        intent = Intent(
            id=intent_id,
            kind=kind,
            triggers=tuple(compile_phrase(text) for text, _ in triggers),
            required=tuple(compile_phrase(t) for t, _ in self.text_list(fields.get("required"), "required")),
            any=tuple(compile_phrase(t) for t, _ in self.text_list(fields.get("any"), "any")),
            excluded=tuple(compile_phrase(t) for t, _ in self.text_list(fields.get("excluded"), "excluded")),
            articles=tuple(article_id for article_id, _ in articles),
            topic=topic,
            reply=reply,
            quick_replies=tuple(text for text, _ in quick_replies),
            call_centre=self.flag(fields.get("call_centre"), "call_centre"),
            unanswered=self.flag(fields.get("unanswered"), "unanswered"),
            examples=tuple(text for text, _ in examples),
            line=line,
            example_lines=tuple(example_line for _, example_line in examples),
            trigger_lines=tuple(trigger_line for _, trigger_line in triggers),
        )  # fmt: skip
        return intent if intent_id else None


def _example_problems(rules: Rules) -> list[Problem]:
    """Each intent's examples, said alone at the start of a conversation, must reach it."""
    from chatbot.engine import ChatState, select_intent
    from chatbot.matching import Message

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
