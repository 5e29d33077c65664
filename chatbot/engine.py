"""The chat engine: (conversation state, message, time) in, (reply, new state) out.

No Flask, no database, no clock: the caller passes the time (business hours are testable) and
keeps the state (a small dataclass that round-trips through JSON).

One turn:
1. Personal data is masked first; everything after sees only the masked text.
2. The knowledge base ranks the articles for the message, with one confidence (kb.confidence:
   confident, weak, none) that does not depend on the score's scale.
3. Dialogue rules (small talk, a person, a clarifying question) answer as such. A rule that
   names an article answers with it only when the ranking agrees (its top article when
   confident, among its hits when weak): a trigger word alone never makes an answer.
4. Otherwise the ranking decides: confident → the answer; weak → choices, never an answer;
   none → "this is outside what this chat answers", with the contact form and the call centre.
5. Two consecutive turns without an answer → the contact form and the call centre are offered.
Every reply says what it is (`kind`) and how sure the ranking was (`confidence`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass, field, fields

from chatbot.hours import CallCentre
from chatbot.matching import Message, explained_groups, phrase_matches
from chatbot.rules import Intent, Rules
from kb.confidence import CONFIDENT, NONE, WEAK, assess
from kb.freshness import as_of_sentence, stale_sentence
from kb.privacy import find, mask
from kb.search import SearchEngine, SearchHit, dates_json

MAX_MESSAGE_CHARS = 1000
# What a reply is (Reply.kind, in the API as "kind").
KINDS = (
    "answer",  # answers with articles[0]
    "choices",  # offers articles, none of them as the answer
    "clarify",  # asks back which topic a vague message is about
    "smalltalk",
    "handoff",  # offers a person: the contact form and the call centre
    "out_of_scope",  # nothing here answers it: says what this chat answers, offers contacts
    "fallback",  # nothing in the message could be read as a question
    "privacy",  # the message was little but personal data
    "empty",
)
UNANSWERED = {"choices", "out_of_scope", "fallback"}
MAX_ARTICLES = 3  # the answer's article and up to two related ones
HANDOFF_AFTER_UNANSWERED = 2

# Equal scores: an article's answer first, then a person, then a question back, then small talk.
KIND_PRIORITY = {"answer": 0.03, "handoff": 0.02, "clarify": 0.01, "smalltalk": 0.0}
INHERITED_WEIGHT = 0.5  # a word the message lacks but its topic supplies counts half
COVERAGE_WEIGHT = 0.5  # how much of the message the trigger explains
TOPIC_BONUS = 0.3  # staying within the conversation's topic

# A number's label goes with the number: 「受給者番号1234567」 says nothing once the digits go.
_NUMBER_LABEL = re.compile(
    r"(?:受給者番号|公費負担者番号|負担者番号|被保険者番号|保険者番号|記号番号|個人番号|"
    r"マイナンバー|電話番号|携帯番号|連絡先|保険証|番号|記号|tel|電話|携帯)?"
    r"\s*[:：は]?\s*[＊*][＊*\-\s]*",
    re.IGNORECASE,
)


@dataclass(slots=True)
class ChatState:
    """What the engine remembers between turns; stored as JSON with the conversation."""

    topic: str | None = None  # a KB category id: follow-ups inherit it, the contact form uses it
    unanswered_streak: int = 0
    turns: int = 0
    handed_off: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> ChatState:
        """A state from stored JSON; unknown keys and values of the wrong type are ignored.

        Conversations stored before 2025 also hold `last_intent` and `last_articles`, which
        nothing read: they are among the ignored keys."""
        state = cls()
        if not isinstance(data, dict):
            return state
        for item in fields(cls):
            value = data.get(item.name)
            default = getattr(state, item.name)
            if item.name == "topic":
                if value is None or isinstance(value, str):
                    setattr(state, item.name, value)
            elif isinstance(default, bool):
                if isinstance(value, bool):
                    setattr(state, item.name, value)
            elif (
                isinstance(default, int)
                and isinstance(value, int)
                and not isinstance(value, bool)
                and value >= 0
            ):
                setattr(state, item.name, value)
        return state


@dataclass(slots=True)
class Reply:
    text: str
    articles: list[dict] = field(default_factory=list)  # {"id", "title", "url"}
    quick_replies: list[str] = field(default_factory=list)
    handoff: bool = False
    intent: str = "fallback"  # a rule id, or "search", "choices", "out_of_scope", "fallback", …
    # What the reply is: exactly one of KINDS.
    kind: str = "fallback"
    # How sure the ranking was of its top article (kb.confidence), None when no ranking decided.
    confidence: str | None = None
    call_centre: dict = field(default_factory=dict)
    personal_data: bool = False  # the message held personal data (the reply says so)
    normalized: str = ""  # analyzed terms of the masked message, space-joined
    topic: str | None = None

    @property
    def article_ids(self) -> list[str]:
        return [article["id"] for article in self.articles]

    def as_json(self) -> dict:
        """The reply as the API and `kb chat --json` give it."""
        return {
            "kind": self.kind,
            "confidence": self.confidence,
            "text": self.text,
            "articles": self.articles,
            "quick_replies": self.quick_replies,
            "handoff": self.handoff,
            "call_centre": self.call_centre,
        }


@dataclass(slots=True)
class Match:
    intent: Intent
    score: float
    coverage: float
    inherited: bool


def select_intent(rules: Rules, message: Message, state: ChatState) -> Match | None:
    """The intent whose trigger best explains the message, or None.

    A trigger matches when each of its words is in the message. A message that names no subject
    (no topic's words) inherits the conversation's topic: 「必要な書類は？」 after a subsidy
    question is read as if it said 助成金. Every match needs at least one word the person typed.
    Score: words matched (inherited ones count half) + how much of the message they explain +
    a bonus for the current topic; exclusive intents (small talk, clarifying) must explain the
    whole message apart from filler words.
    """
    terms, surface = message.terms, message.surface
    inherited: frozenset[str] = frozenset()
    if state.topic in rules.subjects and not _names_a_subject(rules, message):
        inherited = frozenset().union(*(phrase.terms for phrase in rules.subjects[state.topic]))
    widened = terms | inherited
    best: Match | None = None
    for intent in rules.intents:
        if any(phrase_matches(phrase, terms, surface) for phrase in intent.excluded):
            continue
        condition = _conditions(intent, terms, widened, surface)
        if condition is None:
            continue
        cond_real, cond_inherited, cond_terms = condition
        for trigger in intent.triggers:
            if trigger.is_literal:
                if not phrase_matches(trigger, terms, surface):
                    continue
                real, half, matched = trigger.weight, 0, set(trigger.terms)
            else:
                real_slots = [slot for slot in trigger.slots if slot & terms]
                half_slots = [
                    slot for slot in trigger.slots if not slot & terms and slot & inherited
                ]
                if len(real_slots) + len(half_slots) < len(trigger.slots):
                    continue
                real, half = len(real_slots), len(half_slots)
                matched = set().union(*real_slots) if real_slots else set()
            real += cond_real
            half += cond_inherited
            if real == 0:
                continue
            explained = explained_groups(message, (matched | cond_terms) & terms)
            if intent.exclusive and any(
                index not in explained and not group & rules.filler
                for index, group in enumerate(message.groups)
            ):
                continue
            coverage = len(explained) / len(message.groups) if message.groups else 1.0
            topic_bonus = TOPIC_BONUS if intent.topic and intent.topic == state.topic else 0.0
            score = (
                real
                + INHERITED_WEIGHT * half
                + COVERAGE_WEIGHT * coverage
                + topic_bonus
                + KIND_PRIORITY.get(intent.kind, 0.0)
            )
            if best is None or score > best.score + 1e-9:
                best = Match(intent, score, coverage, bool(half))
    return best


def _names_a_subject(rules: Rules, message: Message) -> bool:
    return any(
        phrase_matches(phrase, message.terms, message.surface)
        for phrases in rules.subjects.values()
        for phrase in phrases
    )


def _conditions(
    intent: Intent, terms: frozenset[str], widened: frozenset[str], surface: str
) -> tuple[int, int, set[str]] | None:
    """(words met by the message, words met only through the topic, terms) of `required` and
    `any`, or None when they are not met."""
    real = inherited = 0
    matched: set[str] = set()
    for phrase in intent.required:
        if phrase_matches(phrase, terms, surface):
            real += 1
            matched |= phrase.terms
        elif phrase_matches(phrase, widened, surface):
            inherited += 1
        else:
            return None
    if intent.any:
        hits = [phrase for phrase in intent.any if phrase_matches(phrase, terms, surface)]
        if hits:
            real += 1
            matched |= set().union(*(phrase.terms for phrase in hits))
        elif any(phrase_matches(phrase, widened, surface) for phrase in intent.any):
            inherited += 1
        else:
            return None
    return real, inherited, matched


def without_personal_data(masked: str) -> str:
    """The masked message without the masked numbers and the words that label them."""
    return " ".join(_NUMBER_LABEL.sub(" ", masked).split())


class Engine:
    def __init__(
        self,
        rules: Rules,
        search_engine: SearchEngine,
        call_centre: CallCentre,
        public_numbers: Collection[str] = frozenset(),
    ):
        self.rules = rules
        self.call_centre = call_centre
        self.public_numbers = public_numbers  # published numbers privacy leaves alone
        self.search_engine = search_engine
        self.articles = search_engine.articles

    # --- the one entry point ---------------------------------------------------------------

    def reply(self, state: ChatState, message: str, now: dt.datetime) -> tuple[Reply, ChatState]:
        message = (message or "")[:MAX_MESSAGE_CHARS]
        personal = bool(find(message, self.public_numbers))
        stored = mask(message, self.public_numbers) if personal else message
        question = without_personal_data(stored) if personal else stored
        analyzed = Message.from_text(question)
        status = self.call_centre.status(now)
        new_state = ChatState.from_dict(state.to_dict())
        new_state.turns += 1

        reply = self._respond(analyzed, state, status)
        if personal:
            reply = self._with_privacy_notice(reply)
        reply.call_centre = status
        reply.personal_data = personal
        reply.normalized = analyzed.normalized
        self._date(reply, self.call_centre.local(now).date())

        if reply.kind in ("answer", "clarify", "handoff"):
            new_state.unanswered_streak = 0
        elif reply.kind in UNANSWERED or (
            reply.kind == "smalltalk" and self._counts_unanswered(reply.intent)
        ):
            new_state.unanswered_streak += 1
        if new_state.unanswered_streak >= HANDOFF_AFTER_UNANSWERED and not reply.handoff:
            reply.text += "\n\n" + self.rules.message("handoff_after_unanswered")
            reply.text += "\n" + status["message"]
            reply.handoff = True
        if reply.topic:
            new_state.topic = reply.topic
        new_state.handed_off = new_state.handed_off or reply.handoff
        # The rules write the number as {call_centre_phone}: its one place is the settings.
        reply.text = reply.text.replace("{call_centre_phone}", self.call_centre.phone)
        return reply, new_state

    # --- what to answer ------------------------------------------------------------------

    def _respond(self, message: Message, state: ChatState, status: dict) -> Reply:
        if message.is_empty or not (message.groups or message.surface):
            return Reply(self.rules.message("empty"), intent="empty", kind="empty")
        hits, level = self._search(message, state)
        match = select_intent(self.rules, message, state)
        if match is not None and match.intent.kind != "answer":
            reply = self._from_intent(match.intent, status)
            if reply is not None:
                return reply
        if match is not None and self._ranking_agrees(match.intent, hits, level):
            # A trigger names the article and the ranking agrees: the trigger settles a close
            # runner-up. A trigger word alone, against the ranking, answers nothing.
            reply = self._from_intent(match.intent, status)
            if reply is not None:
                reply.confidence = level
                return reply
        return self._from_search(message, hits, level)

    def _ranking_agrees(self, intent: Intent, hits: list[SearchHit], level: str) -> bool:
        if level == NONE or not hits or not intent.articles:
            return False
        if level == CONFIDENT:
            return hits[0].id == intent.articles[0]
        return intent.articles[0] in [hit.id for hit in hits]

    def _from_intent(self, intent: Intent, status: dict) -> Reply | None:
        articles = [self.articles[a] for a in intent.articles if a in self.articles]
        if intent.kind == "answer":
            if not articles:
                return None  # the article is gone from the index: let the search answer
            reply = self._article_reply(articles[0], extra=articles[1:])
            if intent.reply:
                reply.text = intent.reply + "\n" + reply.text
            reply.intent, reply.kind = intent.id, "answer"
            reply.topic = intent.topic or articles[0].category
        else:
            reply = Reply(
                intent.reply,
                articles=[_link(article) for article in articles[:MAX_ARTICLES]],
                intent=intent.id,
                kind=intent.kind,
                topic=intent.topic,
            )
            reply.handoff = intent.kind == "handoff"
        if intent.call_centre or reply.handoff:
            reply.text += "\n" + status["message"]
        reply.quick_replies = list(intent.quick_replies)
        return reply

    def _article_reply(self, article, extra=()) -> Reply:
        linked = [article, *extra]
        for related in article.related:
            if related in self.articles and all(a.id != related for a in linked):
                linked.append(self.articles[related])
        text = (
            article.answer + "\n" + self.rules.message("article_link").format(title=article.title)
        )
        return Reply(
            text, articles=[_link(a) for a in linked[:MAX_ARTICLES]], topic=article.category
        )

    def _from_search(self, message: Message, hits: list[SearchHit], level: str) -> Reply:
        if level == CONFIDENT:
            reply = self._article_reply(self.articles[hits[0].id])
            reply.intent, reply.kind, reply.confidence = "search", "answer", level
            return reply
        if level == WEAK:
            choices = [self.articles[hit.id] for hit in hits[:MAX_ARTICLES]]
            return Reply(
                self.rules.message("choices"),
                articles=[_link(article) for article in choices],
                quick_replies=[article.title for article in choices],
                intent="choices",
                kind="choices",
                confidence=level,
            )
        understood = bool(message.groups)
        return Reply(
            self.rules.message("out_of_scope" if understood else "fallback"),
            quick_replies=list(self.rules.messages.get("fallback_quick_replies", ())),
            intent="out_of_scope" if understood else "fallback",
            kind="out_of_scope" if understood else "fallback",
            confidence=level,
        )

    def _search(self, message: Message, state: ChatState) -> tuple[list[SearchHit], str]:
        """Hits for the message and the confidence in them; a follow-up without a subject is
        searched within its topic first, and that is kept when it finds something relevant."""
        query = message.text
        if state.topic in self.rules.subjects and not _names_a_subject(self.rules, message):
            within = self.search_engine.search(
                query, limit=MAX_ARTICLES, category=state.topic, highlight=False
            ).hits
            within = [hit for hit in within if hit.id in self.articles]
            level = assess(within, query)
            if level != NONE:
                return within, level
        hits = self.search_engine.search(query, limit=MAX_ARTICLES, highlight=False).hits
        hits = [hit for hit in hits if hit.id in self.articles]
        return hits, assess(hits, query)

    def _date(self, reply: Reply, today: dt.date) -> None:
        """Every linked article says what its information is as of, and whether it is past its
        review date; an answer says it in its text too, with the stale notice when due."""
        for link in reply.articles:
            article = self.articles.get(link["id"])
            if article is not None:
                link.update(
                    dates_json(article.as_of, article.reviewed, article.review_by),
                    stale=article.stale(today),
                )
        if reply.kind in ("answer", "search") and reply.articles:
            answered = self.articles.get(reply.articles[0]["id"])
            if answered is not None and answered.as_of is not None:
                # The stale sentence names the date itself: the date is said once.
                stale = answered.stale(today)
                reply.text += "\n" + (
                    stale_sentence(answered.as_of) if stale else as_of_sentence(answered.as_of)
                )

    def _with_privacy_notice(self, reply: Reply) -> Reply:
        notice = self.rules.message("privacy")
        if reply.kind in ("fallback", "empty", "out_of_scope"):
            # Little but the number: the notice is the answer here (and not a failure that
            # counts towards a handoff). A question around the number is still answered.
            return Reply(notice, intent="privacy", kind="privacy", topic=reply.topic)
        reply.text = notice + "\n\n" + reply.text
        return reply

    def _counts_unanswered(self, intent_id: str) -> bool:
        intent = next((i for i in self.rules.intents if i.id == intent_id), None)
        return bool(intent and intent.unanswered)


def _link(article) -> dict:
    return {"id": article.id, "title": article.title, "url": article.url}
