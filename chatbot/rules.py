"""The chat's dialogue rules as data (`rules.yaml`), loaded and validated like the articles.

Rules are dialogue only: small talk, asking for a person, and clarifying questions for vague
subjects, with the chat's messages. Which article answers a question is the knowledge base's
ranking (its titles, `queries:`, tags and text): an editor who adds an article with good
`queries:` gets chat answers without touching this file, so a rule cannot name an article to
answer with (kind `answer` is refused with a message that says where such words belong).

Every problem is reported as `path:line: message` in Japanese, all at once (`kb check`): unknown
article ids, empty triggers, duplicate intent ids, unknown topics, fields of the wrong type.
Whether each example reaches its own intent is checked in chatbot.check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chatbot.matching import Phrase, compile_phrase, surface_form
from kb.categories import CATEGORY_BY_ID
from kb.problems import Problem
from kb.schema import Field, Style, YamlFile

RULES_PATH = Path(__file__).parent / "rules.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

KINDS = ("clarify", "smalltalk", "handoff")
MESSAGE_KEYS = (
    "answer_lead",
    "next_question",
    "handoff_with_article",
    "other_question_unanswered",
    "choices",
    "fallback",
    "out_of_scope",
    "handoff_after_unanswered",
    "privacy",
    "personal_lookup",
    "empty",
)
MESSAGE_LIST_KEYS = ("fallback_quick_replies",)
# Words that ask something but name nothing: a trigger made only of these (「何から始める」
# analyzes to 何 once the analyzer drops 始める) would catch almost any question.
WEAK_TERMS = frozenset(
    {"何", "どれ", "どの", "どこ", "どう", "いつ", "誰", "何故", "幾ら", "ない", "無い", "良く"}
)


class RulesError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    kind: str = "clarify"
    triggers: tuple[Phrase, ...] = ()
    required: tuple[Phrase, ...] = ()
    any: tuple[Phrase, ...] = ()
    excluded: tuple[Phrase, ...] = ()
    articles: tuple[str, ...] = ()  # linked under the reply (a handoff's contact pages)
    topic: str | None = None
    reply: str = ""
    quick_replies: tuple[str, ...] = ()
    call_centre: bool = False
    unanswered: bool = False
    # A handoff that speaks even beside a question an article answers: an angry or desperate
    # message, or an explicit request for a person, is offered a person at once.
    urgent: bool = False
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
    # How people ask the chat to look a person up (調べて): with a patient's number, refused.
    lookup: tuple[str, ...] = ()
    # The filler and the question words (いつ, どこ, 何): what a message may hold besides a
    # request for a person, or a follow-up besides its question, and still be only that.
    question_filler: frozenset[str] = frozenset()

    def message(self, key: str) -> str:
        return str(self.messages[key])


def load_rules(path: Path = RULES_PATH, articles: Mapping | None = None) -> Rules:
    """The rules, or RulesError listing every problem. `articles` (id → Article) enables the
    article id checks and gives an intent without a topic its first article's category."""
    rules, problems = read_rules(path, articles)
    if problems or rules is None:
        raise RulesError(problems)
    return rules


def read_rules(path: Path, articles: Mapping | None = None) -> tuple[Rules | None, list[Problem]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(Path(path), 0, "ルールのファイルがありません")]
    except UnicodeDecodeError:
        return None, [Problem(Path(path), 1, "UTF-8 として読めません")]
    source = YamlFile(Path(path), style=RULES_STYLE)
    root = source.compose(text)
    if source.problems:
        return None, source.problems
    return _Reader(source, articles).read(root)


# The rules report a value's problem at the value's own line, check list items one by one (a
# lone string is a list of one) and refuse a key written twice.
RULES_STYLE = Style(each_item=True, lone_item=True, repeated_keys=True)


def _kind_check(kind: str) -> str | None:
    if kind == "answer":
        return (
            "kind「answer」は使えません。記事で答える質問は、その記事の queries: に書いてください"
            "（チャットは記事の検索順位で答えます）"
        )
    if kind and kind not in KINDS:
        return f"kind「{kind}」は {', '.join(KINDS)} のどれかにしてください"
    return None


def _id_check(intent_id: str) -> str | None:
    if intent_id and not ID_PATTERN.match(intent_id):
        return f"id「{intent_id}」は英小文字・数字・ハイフンだけで書いてください"
    return None


def _unknown_topic(topic: str) -> str:
    return f"topic「{topic}」は未知のカテゴリです（使えるカテゴリ: {', '.join(CATEGORY_BY_ID)}）"


def _topic_check(topic: str) -> str | None:
    return _unknown_topic(topic) if topic and topic not in CATEGORY_BY_ID else None


TOP_LEVEL_FIELDS = (
    Field("messages", "node", required=True, missing="「messages」がありません"),
    Field("topics", "node"),
    Field("filler", "texts"),
    Field("lookup", "texts"),
    Field("intents", "node", required=True, missing="「intents」がありません"),
)
MESSAGE_FIELDS = tuple(
    Field(key, "text", required=True, missing="messages に「{name}」がありません")
    for key in MESSAGE_KEYS
) + tuple(Field(key, "texts") for key in MESSAGE_LIST_KEYS)
INTENT_FIELDS = (
    Field("id", "text", required=True, missing="意図に「id」がありません", check=_id_check),
    Field("kind", "text", check=_kind_check),
    Field("triggers", "texts"),
    Field("required", "texts"),
    Field("any", "texts"),
    Field("excluded", "texts"),
    Field("articles", "texts"),
    Field("topic", "text", check=_topic_check),
    Field("reply", "text"),
    Field("quick_replies", "texts"),
    Field("call_centre", "flag"),
    Field("unanswered", "flag"),
    Field("urgent", "flag"),
    Field("examples", "texts"),
)


class _Reader:
    def __init__(self, source: YamlFile, articles: Mapping | None):
        self.source = source
        self.path = source.path
        self.articles = articles
        self.problems = source.problems

    def report(self, line: int, message: str) -> None:
        self.source.report(line, message)

    def read(self, root: yaml.Node | None) -> tuple[Rules | None, list[Problem]]:
        if not isinstance(root, yaml.MappingNode):
            self.report(1, "ルールは「項目: 値」の形式で書いてください（intents: など）")
            return None, self.problems
        sections = self.source.fields(
            root, TOP_LEVEL_FIELDS, where="ルールの最上位", missing_line=1
        )
        messages = self.messages(sections["messages"])
        subjects = self.topics(sections["topics"])
        filler: frozenset[str] = frozenset().union(
            *(compile_phrase(text).terms for text in sections["filler"])
        )
        intents = self.intents(sections["intents"])
        self.ambiguous_triggers(intents)
        if self.problems:
            return None, self.problems
        # Greetings and thanks around a vague question do not make it specific; a question word
        # one of them holds (「どうも」 is どう) still asks (「どうやって申請するの」).
        for intent in intents:
            if intent.kind == "smalltalk":
                filler = filler.union(*(trigger.terms - WEAK_TERMS for trigger in intent.triggers))
        lookup = tuple(surface_form(text) for text in sections["lookup"])
        rules = Rules(
            tuple(intents), subjects, filler, messages, self.path, lookup, filler | WEAK_TERMS
        )
        return rules, self.problems

    # --- sections ----------------------------------------------------------------------

    def messages(self, node: yaml.Node | None) -> dict[str, object]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.report(self.source.line(node), "「messages」は「名前: 文」の形式で書いてください")
            return {}
        fields = self.source.fields(node, MESSAGE_FIELDS, where="messages ")
        return {item.name: fields[item.name] for item in MESSAGE_FIELDS}

    def topics(self, node: yaml.Node | None) -> dict[str, tuple[Phrase, ...]]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.report(
                self.source.line(node),
                "「topics」は「カテゴリid: [言葉, …]」の形式で書いてください",
            )
            return {}
        subjects: dict[str, tuple[Phrase, ...]] = {}
        for key_node, value_node in node.value:
            topic = key_node.value
            if topic not in CATEGORY_BY_ID:
                self.report(self.source.line(key_node), _unknown_topic(topic))
                continue
            words = self.source.text_list(value_node, f"topics.{topic}")
            if not words:
                self.report(self.source.line(key_node), f"topics の「{topic}」に言葉がありません")
            subjects[topic] = tuple(compile_phrase(text) for text, _ in words)
        return subjects

    def intents(self, node: yaml.Node | None) -> list[Intent]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.report(self.source.line(node), "「intents」は「- id: …」のリストで書いてください")
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
            self.report(
                self.source.line(node),
                "意図は「id: …」から始まる「項目: 値」の形式で書いてください",
            )
            return None
        fields = self.source.fields(node, INTENT_FIELDS, where="意図")
        line = fields.get("id").key_line if "id" in fields else self.source.line(node)

        def key_line(name: str) -> int:
            return fields.get(name).key_line if name in fields else line

        intent_id = fields["id"]
        kind = fields["kind"]
        triggers = fields["triggers"]
        if not triggers:
            self.report(
                key_line("triggers"),
                f"意図「{intent_id}」の triggers が空です（この意図になる言い方を1つ以上書いてください）",
            )
        if not kind and "kind" not in fields:
            self.report(
                line,
                f"意図「{intent_id}」に kind がありません（{', '.join(KINDS)} のどれか。"
                "記事で答える質問は、その記事の queries: に書いてください）",
            )
        articles = fields["articles"]
        for article_id, article_line in zip(
            articles, fields.get("articles").item_lines, strict=True
        ):
            if self.articles is not None and article_id not in self.articles:
                self.report(article_line, f"記事「{article_id}」はありません")
        topic = fields["topic"] or None
        reply = fields["reply"]
        if kind and not reply:
            self.report(line, f"意図「{intent_id}」に reply がありません（{kind} の意図の返答）")
        if kind == "clarify" and not fields["quick_replies"]:
            self.report(line, f"意図「{intent_id}」は clarify なので quick_replies が必要です")
        if fields["urgent"] and kind != "handoff":
            self.report(line, f"意図「{intent_id}」の urgent は handoff の意図にだけ書けます")
        intent = Intent(
            id=intent_id,
            kind=kind or "clarify",
            triggers=tuple(compile_phrase(text) for text in triggers),
            required=tuple(compile_phrase(text) for text in fields["required"]),
            any=tuple(compile_phrase(text) for text in fields["any"]),
            excluded=tuple(compile_phrase(text) for text in fields["excluded"]),
            articles=articles,
            topic=topic,
            reply=reply,
            quick_replies=fields["quick_replies"],
            call_centre=fields["call_centre"],
            unanswered=fields["unanswered"],
            urgent=fields["urgent"],
            examples=fields["examples"],
            line=line,
            example_lines=fields.get("examples").item_lines,
            trigger_lines=fields.get("triggers").item_lines,
        )
        return intent if intent_id else None
