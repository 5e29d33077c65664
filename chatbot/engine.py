"""The chat engine: (conversation state, message, time) in, (reply, new state) out.

No Flask, no database, no clock: the caller passes the time (business hours are testable) and
keeps the state (chatbot.state.ChatState, which round-trips through JSON).

One turn:
1. Personal data is masked first; everything after sees only the masked text, and the words
   around a number are still answered.
2. The knowledge base ranks the articles for the message, with one confidence (kb.confidence:
   confident, weak, none) that does not depend on the score's scale. The articles are the
   answers: no rule names an article to answer with.
3. Dialogue rules (chatbot/rules.yaml: small talk, a person, a clarifying question) speak when
   the answer policy (chatbot.policy) says so; otherwise the ranking decides: confident → the
   answer; weak → choices, never an answer; none → "this is outside what this chat answers",
   with the contact form and the call centre.
4. A message of several questions (chatbot.parts) answers the first one an article answers
   confidently and offers the next. A follow-up that names no subject (「期限は？」) is read
   within the conversation's topic and the article it last answered with: among articles the
   ranking cannot tell apart, it is about that article or one of its `related:`.
5. Two consecutive turns without an answer → the contact form and the call centre are offered.
Every reply says what it is (`kind`) and how sure the ranking was (`confidence`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass

from chatbot import policy
from chatbot.hours import CallCentre
from chatbot.matching import Message
from chatbot.parts import question_parts, without_introductions
from chatbot.reply import KINDS, UNANSWERED, Reply, link
from chatbot.rules import Intent, Rules
from chatbot.selection import Match, names_a_subject, select_intent
from chatbot.state import ChatState
from kb.articles import Article
from kb.confidence import CONFIDENT, CONFIDENT_MARGIN, LEVELS, NONE, WEAK, assess, names_a_neighbour
from kb.freshness import as_of_sentence, japanese_month, stale_sentence
from kb.privacy import find, mask
from kb.search import SearchEngine, SearchHit, dates_json

__all__ = ["KINDS", "MAX_MESSAGE_CHARS", "ChatState", "Engine", "Reply", "without_personal_data"]

MAX_MESSAGE_CHARS = 1000
MAX_ARTICLES = 3  # the answer's article and up to two related ones
HANDOFF_AFTER_UNANSWERED = 2
# A part of a longer message answers on its own only with two words or more: one word cut out
# of a sentence (「どう説明すればいい」 → 説明) says too little.
MIN_PART_WORDS = 2

# A number's label goes with the number: 「受給者番号1234567」 says nothing once the digits go.
_NUMBER_LABEL = re.compile(
    r"(?:受給者番号|公費負担者番号|負担者番号|被保険者番号|保険者番号|記号番号|個人番号|"
    r"マイナンバー|電話番号|携帯番号|連絡先|保険証|番号|記号|tel|電話|携帯)?"
    r"\s*[:：は]?\s*[＊*][＊*\-\s]*",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Ranking:
    """The articles ranked for (part of) a message, and the confidence in the first."""

    text: str
    hits: list[SearchHit]
    level: str

    @property
    def top(self) -> str | None:
        return self.hits[0].id if self.hits else None


@dataclass(slots=True)
class Questions:
    """The question(s) a message asks, as the engine answers them."""

    answered: Ranking | None  # the ranking whose first article answers
    offered: Ranking | None  # a second question's, offered as a button
    other_unanswered: bool  # a second question no article answers confidently


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
        findings = find(message, self.public_numbers)
        personal = bool(findings)
        stored = mask(message, self.public_numbers) if personal else message
        question = without_personal_data(stored) if personal else stored
        question = without_introductions(question)
        analyzed = Message.from_text(question)
        status = self.call_centre.status(now)
        new_state = ChatState.from_dict(state.to_dict())
        new_state.turns += 1

        if self._asks_to_look_up(findings, analyzed):
            # 「受給者番号 … の人の資格を調べて」: no article answers that, and none should.
            reply = Reply(
                self.rules.message("privacy") + "\n" + self.rules.message("personal_lookup"),
                intent="personal_lookup",
                kind="privacy",
            )
        else:
            reply = self._respond(analyzed, state, status)
            if personal:
                reply = self._with_privacy_notice(reply)
        reply.call_centre = status
        reply.personal_data = personal
        reply.normalized = analyzed.normalized
        self._date(reply, self.call_centre.local(now).date())

        unanswered = reply.kind in UNANSWERED or (
            reply.kind == "smalltalk" and self._counts_unanswered(reply.intent)
        )
        if reply.kind in ("answer", "clarify", "handoff"):
            new_state.unanswered_streak = 0
        elif unanswered:
            new_state.unanswered_streak += 1
        # Offered with every unanswered turn from the second on, and only with those: a
        # 「ありがとう」 after the offer is thanked, not apologised to again.
        if (
            unanswered
            and new_state.unanswered_streak >= HANDOFF_AFTER_UNANSWERED
            and not reply.handoff
        ):
            reply.text += "\n\n" + self.rules.message("handoff_after_unanswered")
            reply.text += "\n" + status["message"]
            reply.handoff = True
        if reply.topic:
            new_state.topic = reply.topic
        if reply.answered:
            new_state.article = reply.answered
        new_state.handed_off = new_state.handed_off or reply.handoff
        # The rules write the number as {call_centre_phone}: its one place is the settings.
        reply.text = reply.text.replace("{call_centre_phone}", self.call_centre.phone)
        return reply, new_state

    # --- what to answer ------------------------------------------------------------------

    def _respond(self, message: Message, state: ChatState, status: dict) -> Reply:
        if message.is_empty or not (message.groups or message.surface):
            return Reply(self.rules.message("empty"), intent="empty", kind="empty")
        match = select_intent(self.rules, message, state)
        whole = self._rank(message, state)
        decision = policy.decide(match, whole.level)
        if decision == policy.RULE:
            reply = self._from_intent(match.intent, status)
            if reply.handoff and not match.whole:
                self._link_the_rest(reply, message, match)
            return reply
        questions = self._questions(message.text, whole, state)
        if questions.answered is not None:
            reply = self._article_reply(questions.answered)
            if self.call_centre.phone in reply.text:
                # An answer that gives the call centre's number says whether it is open now.
                reply.text += "\n" + status["message"]
            if questions.offered is not None:
                title = self.articles[questions.offered.top].title
                reply.text += "\n" + self.rules.message("next_question").format(title=title)
                reply.quick_replies = [title]
            elif questions.other_unanswered:
                reply.text += "\n" + self.rules.message("other_question_unanswered")
            return reply
        if decision == policy.CHOICES:
            return self._choices(whole)
        understood = bool(message.groups)
        kind = "out_of_scope" if understood else "fallback"
        return Reply(
            self.rules.message(kind),
            quick_replies=list(self.rules.messages.get("fallback_quick_replies", ())),
            intent=kind,
            kind=kind,
            confidence=whole.level,
        )

    def _questions(self, text: str, whole: Ranking, state: ChatState) -> Questions:
        """What to answer: a message of several parts answers the first part an article
        answers confidently and offers the next part answered by another article; a whole
        message ranked confidently answers itself when its parts do not ask two things."""
        # A message naming a subject next to ours is not answered by a fragment of it.
        parts = [] if names_a_neighbour(text) else question_parts(text)
        confident: list[Ranking] = []
        asked = unsure = 0
        # One question after its situation (「…と出ました。どう対応すればいいですか」) is asked by
        # the whole message: the situation holds what the question is about, and the question
        # alone (対応) would be answered by whichever article says it most. On
        # scripts/eval/chat-questions.tsv, reading the lone question on its own answered 1 of 128
        # with a wrong article and none right that the whole message does not.
        if len(parts) > 1:
            for part in parts:
                analyzed = Message.from_text(part)
                if len(analyzed.groups) < MIN_PART_WORDS:
                    continue
                asked += 1
                # Each part is read on its own: the other part, not the last turn, is its context.
                ranking = self._rank(analyzed, ChatState())
                if ranking.level != CONFIDENT:
                    unsure += 1
                elif all(r.top != ranking.top for r in confident):
                    confident.append(ranking)
        if asked < 2:
            # One question, however it is punctuated (「…何がいいの？メリット教えて」: the second
            # part too short to ask anything of its own): the whole message asks it, and a
            # fragment answered alone would be vaguer than the whole.
            return Questions(whole if whole.level == CONFIDENT else None, None, False)
        # Two questions asked and one left without a confident answer: say so, never skip it.
        left = unsure > 0
        if len(confident) > 1:
            return Questions(confident[0], confident[1], left)
        if whole.level == CONFIDENT:
            return Questions(whole, None, left)
        if confident:
            return Questions(confident[0], None, left)
        return Questions(None, None, False)

    def _rank(self, message: Message, state: ChatState) -> Ranking:
        """The articles for `message`, read within the conversation when it is a follow-up
        (`_rank_in_topic`); among articles the ranking cannot tell apart, a follow-up that names
        no subject is about the one the conversation points to (`_in_context`)."""
        query = message.text
        hits, level = self._search(query)
        if state.article in self.articles and not names_a_subject(self.rules, message):
            pointed = self._in_context(Ranking(query, hits, level), self.articles[state.article])
            if pointed is not None:
                return pointed
        return self._rank_in_topic(message, state, hits, level)

    def _in_context(self, ranking: Ranking, last: Article) -> Ranking | None:
        """The ranking of a follow-up, with the tie the margin cannot break broken by the
        conversation.

        The close articles are those whose score is more than CONFIDENT_MARGIN × the first's:
        the margin alone would not make the first confident over them (kb.confidence). The
        conversation points, in this order, to the article last answered with (「それって立ち会い
        必要？」 asks more of it), then to that article's `related:` (the questions its editor
        says come next), in ranking order. The article it points to among the close ones
        answers, when it explains the follow-up's words at least as well as the first: when the
        words say it explains less, the words and the conversation disagree and nothing is
        decided. A follow-up ranked `none` stays so: the context breaks ties, it does not make
        a question ours."""
        hits = ranking.hits
        if ranking.level == NONE or len(hits) < 2:
            return None
        first = hits[0]
        close = [hit for hit in hits if hit.score > CONFIDENT_MARGIN * first.score]
        if len(close) < 2:
            return None

        def pointed(hit: SearchHit) -> int:
            return 0 if hit.id == last.id else 1 if hit.id in last.related else 2

        chosen = min(close, key=pointed)  # the first in ranking order among equals
        if pointed(chosen) == 2 or chosen.explained < first.explained:
            return None
        ordered = [chosen, *(hit for hit in hits if hit is not chosen)]
        return Ranking(ranking.text, ordered, CONFIDENT)

    def _rank_in_topic(
        self, message: Message, state: ChatState, hits: list[SearchHit], level: str
    ) -> Ranking:
        """The articles for `message`, read within the conversation's topic when it is a
        follow-up.

        A message answered confidently on its own is answered so: when it names something new
        (「じゃあ医療券は？」 after 要否意見書), the conversation follows. Otherwise a message
        that names no subject (no topic's words) is ranked within the conversation's topic
        too, kept when it is no less sure than the ranking of the message alone; when the
        article last answered with leads it, the follow-up is about that article. A follow-up of question words only (「いつから？」「いくら？」), which
        neither finds confidently, is read as said of the last article: ranked with that
        article's title added, and answered when that ranking is confident. (With a word of
        its own, 「設定で何か変えるところは？」, the title would pull it back to the last
        article, wrongly: measured on scripts/eval/chat-conversations.json.)"""
        query = message.text
        if (
            level == CONFIDENT
            or state.topic not in self.rules.subjects
            or names_a_subject(self.rules, message)
        ):
            return Ranking(query, hits, level)
        within, within_level = self._search(query, category=state.topic)
        others = [hit for hit in hits if within and hit.id != within[0].id]
        if others:
            # The topic's first article must still stand out from every other article: within
            # a topic of one or two articles the runner-up says nothing.
            # The less sure of the two (LEVELS runs from the surest).
            within_level = max(
                within_level, assess([within[0], others[0]], query), key=LEVELS.index
            )
        if within_level == WEAK and within and within[0].id == state.article:
            within_level = CONFIDENT
        if within_level != NONE and LEVELS.index(within_level) <= LEVELS.index(level):
            hits, level = within, within_level
        if level != CONFIDENT and state.article in self.articles and self._bare_question(message):
            said_of = f"{self.articles[state.article].title} {query}"
            context, context_level = self._search(said_of, category=state.topic)
            # …unless the topic's own article for those question words is another one:
            # 「それっていつまで？」 after who is eligible asks the deadline article's question.
            if context_level == CONFIDENT and (not within or within[0].id == context[0].id):
                return Ranking(query, context, context_level)
        return Ranking(query, hits, level)

    def _asks_to_look_up(self, findings, message: Message) -> bool:
        """Whether the message gives a patient's number (not a phone or an address) and asks
        the chat to look that person up."""
        patient = any(finding.kind in ("my_number", "insurance_number") for finding in findings)
        return patient and any(phrase in message.surface for phrase in self.rules.lookup)

    def _bare_question(self, message: Message) -> bool:
        """Whether the message is question words only (いつ, どこ, 何, いくら, …) and filler."""
        ignorable = self.rules.question_filler
        return bool(message.groups) and all(group & ignorable for group in message.groups)

    def _search(self, query: str, category: str | None = None) -> tuple[list[SearchHit], str]:
        found = self.search_engine.search(
            query, limit=MAX_ARTICLES, category=category, highlight=False, suggest=False
        )
        return [hit for hit in found.hits if hit.id in self.articles], found.confidence

    def _choices(self, ranking: Ranking) -> Reply:
        choices = [self.articles[hit.id] for hit in ranking.hits[:MAX_ARTICLES]]
        return Reply(
            self.rules.message("choices"),
            articles=[link(article) for article in choices],
            quick_replies=[article.title for article in choices],
            intent="choices",
            kind="choices",
            confidence=ranking.level,
        )

    def _link_the_rest(self, reply: Reply, message: Message, match: Match) -> None:
        """「担当者につないで、補助金の締め切りは？」: the person first, and the article that
        answers the rest of the message (the words the handoff's trigger did not explain),
        when one answers it confidently, linked above the contact pages."""
        rest = [
            max(sorted(group), key=len)
            for index, group in enumerate(message.groups)
            if index not in match.explained and not group & self.rules.question_filler
        ]
        if not rest:
            return
        hits, level = self._search(" ".join(rest))
        if level != CONFIDENT or not hits:
            return
        article = self.articles[hits[0].id]
        # The article's date is said here too: the linked article answers part of the message.
        as_of = japanese_month(article.as_of) if article.as_of else "作成"
        reply.text += "\n" + self.rules.message("handoff_with_article").format(
            title=article.title, as_of=as_of
        )
        reply.articles = [link(article), *reply.articles][:MAX_ARTICLES]

    def _from_intent(self, intent: Intent, status: dict) -> Reply:
        articles = [self.articles[a] for a in intent.articles if a in self.articles]
        reply = Reply(
            intent.reply,
            articles=[link(article) for article in articles[:MAX_ARTICLES]],
            intent=intent.id,
            kind=intent.kind,
            topic=intent.topic,
            handoff=intent.kind == "handoff",
        )
        if intent.call_centre or reply.handoff:
            reply.text += "\n" + status["message"]
        reply.quick_replies = list(intent.quick_replies)
        return reply

    def _article_reply(self, ranking: Ranking) -> Reply:
        article = self.articles[ranking.top]
        linked = [article]
        for related in article.related:
            if related in self.articles and all(a.id != related for a in linked):
                linked.append(self.articles[related])
        # The question answered comes first: an answer begins as a reply to its article's own
        # question (「はい、発行されます」), which may be put the other way round from the
        # person's (「医療券もう要らなくなるんですか」).
        text = self.rules.message("answer_lead").format(title=article.title) + "\n" + article.answer
        return Reply(
            text,
            articles=[link(a) for a in linked[:MAX_ARTICLES]],
            topic=article.category,
            intent="search",
            kind="answer",
            confidence=ranking.level,
        )

    def _date(self, reply: Reply, today: dt.date) -> None:
        """Every linked article says what its information is as of, and whether it is past its
        review date; an answer says it in its text too, with the stale notice when due."""
        for item in reply.articles:
            article = self.articles.get(item["id"])
            if article is not None:
                item.update(
                    dates_json(article.as_of, article.reviewed, article.review_by),
                    stale=article.stale(today),
                )
        if reply.kind == "answer" and reply.articles:
            answered = self.articles.get(reply.articles[0]["id"])
            if answered is not None and answered.as_of is not None:
                # The stale sentence names the date itself: the date is said once.
                stale = answered.stale(today)
                reply.text += "\n" + (
                    stale_sentence(answered.as_of) if stale else as_of_sentence(answered.as_of)
                )

    def _with_privacy_notice(self, reply: Reply) -> Reply:
        notice = self.rules.message("privacy")
        if reply.kind in ("fallback", "empty"):
            # Little but the number: the notice is the answer here (and not a failure that
            # counts towards a handoff). A question around the number is still answered, and
            # one no article answers is still told so, with the contact channels.
            return Reply(notice, intent="privacy", kind="privacy", topic=reply.topic)
        reply.text = notice + "\n\n" + reply.text
        return reply

    def _counts_unanswered(self, intent_id: str) -> bool:
        intent = next((i for i in self.rules.intents if i.id == intent_id), None)
        return bool(intent and intent.unanswered)
