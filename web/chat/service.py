"""Conversations: the chat engine over the live index, one turn at a time, kept in the database.

A conversation whose database is unavailable still gets its answer: it is only not remembered.
Stored text is masked (`for_storage`); the engine's state round-trips through JSON.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from chatbot.engine import ChatState, Engine, Reply
from chatbot.rules import load_rules
from kb.categories import CATEGORY_BY_ID
from kb.search import SearchEngine
from web.core import clock, db
from web.core.knowledge import search_engine
from web.core.models import ChatTurn, Conversation, Inquiry
from web.core.text_input import for_storage
from web.settings import Settings, current_settings

log = logging.getLogger(__name__)

TOKEN_BYTES = 24  # token_urlsafe(24) → 32 characters, well inside Conversation.token
TEXT_COLUMN_CHARS = 4000
NORMALIZED_COLUMN_CHARS = 400
ARTICLE_IDS_COLUMN_CHARS = 400


# --- the engine, one per app and search index -------------------------------------------------


def build_engine(searcher: SearchEngine, settings: Settings) -> Engine:
    """A chat engine over `searcher` with the configured rules, call centre and public numbers
    (also what scripts/ and tests build, so they answer as the site does)."""
    rules = load_rules(settings.chat_rules_file, articles=searcher.articles)
    return Engine(rules, searcher, settings.call_centre, settings.public_numbers)


def chat_engine() -> Engine:
    """The engine over the live search index (rebuilt when the index generation changes)."""
    searcher = search_engine()
    cached: Engine | None = current_app.extensions.get("chat_engine")
    if cached is None or cached.search_engine is not searcher:
        cached = current_app.extensions["chat_engine"] = build_engine(searcher, current_settings())
    return cached


# --- one turn of a conversation ---------------------------------------------------------------


@dataclass(slots=True)
class Turn:
    token: str
    reply: Reply
    stored: bool  # False when the database was unavailable

    @property
    def handoff_url(self) -> str | None:
        if not self.reply.handoff:
            return None
        # Without a stored conversation there is no transcript to attach: the plain form.
        return f"/contact?chat={self.token}" if self.stored else "/contact"

    def as_json(self) -> dict:
        payload = {"session": self.token, **self.reply.as_json()}
        payload["handoff_url"] = self.handoff_url
        return payload


def converse(token: str | None, message: str) -> Turn:
    """Answer `message` in the conversation `token` (a new one when unknown or absent)."""
    database = db.session()
    conversation = None
    try:
        if token:
            conversation = database.scalar(select(Conversation).where(Conversation.token == token))
            if conversation is not None and handed_over(token):
                conversation = None  # sent with an inquiry: what is asked now starts anew
        state = ChatState.from_dict(state_dict(conversation.state)) if conversation else None
    except Exception as error:  # noqa: BLE001 - the chat answers even without its database
        database.rollback()
        log.warning("チャットの会話を読み込めませんでした（%s）", type(error).__name__)
        reply, _ = chat_engine().reply(ChatState(), message, clock.now())
        return Turn(token or new_token(), reply, stored=False)
    reply, new_state = chat_engine().reply(state or ChatState(), message, clock.now())
    if conversation is None:
        token = new_token()
    stored = store(conversation, token, new_state, message, reply)
    return Turn(token, reply, stored)


def handed_over(token: str) -> bool:
    """Whether an inquiry was sent with this conversation attached: it is over."""
    found = db.session().scalar(select(Inquiry.id).where(Inquiry.conversation_token == token))
    return found is not None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def state_dict(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def stored_intent(reply: Reply) -> str:
    """The turn's intent as the console reads it: a rule id, "search" or "fallback".

    Three weak search hits offered as choices are not an answer: editors find them among the
    questions the chat could not answer (the articles offered are kept with the turn).
    """
    return "fallback" if reply.kind == "choices" else reply.intent


def reply_category(reply: Reply) -> str | None:
    """The KB category a reply was about: its topic, else that of the first article it links."""
    if reply.topic in CATEGORY_BY_ID:
        return reply.topic
    for article_id in reply.article_ids[:1]:
        article = search_engine().articles.get(article_id)
        if article is not None:
            return article.category
    return None


def store(
    conversation: Conversation | None, token: str, state: ChatState, message: str, reply: Reply
) -> bool:
    database = db.session()
    articles = " ".join(reply.article_ids)[:ARTICLE_IDS_COLUMN_CHARS]
    intent = stored_intent(reply)
    about = {"kind": reply.kind, "confidence": reply.confidence, "category": reply_category(reply)}
    try:
        if conversation is None:
            conversation = Conversation(token=token)
            database.add(conversation)
        # The contact form reads state["topic"] to pre-select the category.
        conversation.state = json.dumps(state.to_dict(), ensure_ascii=False)
        conversation.handed_off = state.handed_off
        # Added by reference, not through conversation.turns, which would load every earlier
        # turn of the conversation on each message.
        database.add(
            ChatTurn(
                conversation=conversation,
                role="user",
                text=for_storage(message, TEXT_COLUMN_CHARS),
                intent=intent,
                normalized=reply.normalized[:NORMALIZED_COLUMN_CHARS],
                article_ids="",
                **about,
            )
        )
        database.add(
            ChatTurn(
                conversation=conversation,
                role="bot",
                text=for_storage(reply.text, TEXT_COLUMN_CHARS),
                intent=intent,
                normalized="",
                article_ids=articles,
                **about,
            )
        )
        database.commit()
    except Exception as error:  # noqa: BLE001 - never fail an answer because it cannot be kept
        database.rollback()
        # The exception can quote SQL parameters (what was typed): name its type only.
        log.warning("チャットの会話を保存できませんでした（%s）", type(error).__name__)
        return False
    return True


def transcript(token: str | None) -> list[tuple[str, str, list[dict]]]:
    """(role, masked text, linked articles) of each stored turn; [] when there are none."""
    if not token:
        return []
    database = db.session()
    try:
        conversation = database.scalar(select(Conversation).where(Conversation.token == token))
        turns = list(conversation.turns) if conversation else []
    except Exception as error:  # noqa: BLE001
        database.rollback()
        log.warning("チャットの会話を読み込めませんでした（%s）", type(error).__name__)
        return []
    articles = search_engine().articles
    lines = []
    for turn in turns:
        linked = [
            {"id": a.id, "title": a.title, "url": a.url}
            for a in (articles.get(i) for i in (turn.article_ids or "").split())
            if a is not None
        ]
        lines.append((turn.role, turn.text, linked))
    return lines
