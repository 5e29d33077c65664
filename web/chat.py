"""The chat over HTTP: `POST /api/chat` for the widget, and `/chat`, a plain form without JS.

The engine (chatbot/) decides what to answer; this module reads the request, keeps the
conversation (state and masked turns) in the database and hands off to the contact form
(`/contact?chat=<token>`). A conversation whose database is unavailable still gets its answer:
it is only not remembered.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from chatbot.engine import MAX_MESSAGE_CHARS, ChatState, Engine, Reply
from chatbot.rules import load_rules
from web import db
from web.errors import error_response
from web.knowledge import search_engine
from web.models import ChatTurn, Conversation
from web.security import csrf, limiter, same_origin
from web.text_input import for_storage, without_control_characters

bp = Blueprint("chat", __name__)
log = logging.getLogger(__name__)

TOKEN_BYTES = 24  # token_urlsafe(24) → 32 characters, well inside Conversation.token
TOKEN_MAX_CHARS = 64
TEXT_COLUMN_CHARS = 4000
NORMALIZED_COLUMN_CHARS = 400
ARTICLE_IDS_COLUMN_CHARS = 400
DEFAULT_RATE_LIMIT = "60 per minute"  # per client; CHAT_RATE_LIMIT changes it

MESSAGES = {
    "content_type": "Content-Type: application/json で送信してください。",
    "origin": "このサイト以外からの送信は受け付けていません。",
    "json": "送信された内容を JSON として読めませんでした。",
    "object": '{"message": "質問の文"} の形で送信してください。',
    "not_text": "message には質問を文字列で指定してください。",
    "empty": "ご質問を入力してください。",
    "too_long": f"ご質問は{MAX_MESSAGE_CHARS}文字以内で入力してください。",
    "session": "session には会話の番号（文字列）を指定してください。",
    "unavailable": "ただいまチャットを利用できません。時間をおいてもう一度お試しください。",
}


class ChatInputError(Exception):
    """Input the person must correct; the message says how, in Japanese."""


# --- the engine, one per app and search index -------------------------------------------------


def chat_engine() -> Engine:
    """The engine over the live search index (rebuilt when the index generation changes)."""
    searcher = search_engine()
    cached: Engine | None = current_app.extensions.get("chat_engine")
    if cached is None or cached.search_engine is not searcher:
        rules = load_rules(articles=searcher.articles)
        cached = current_app.extensions["chat_engine"] = Engine(rules, searcher)
    return cached


def now() -> dt.datetime:
    """The current time; tests set CHAT_CLOCK to try business hours through the web."""
    clock = current_app.config.get("CHAT_CLOCK")
    return clock() if clock else dt.datetime.now(dt.UTC)


def clean_message(value: object) -> str:
    if value is None:
        raise ChatInputError(MESSAGES["empty"])
    if not isinstance(value, str):
        raise ChatInputError(MESSAGES["not_text"])
    message = without_control_characters(value).strip()
    if not message:
        raise ChatInputError(MESSAGES["empty"])
    if len(message) > MAX_MESSAGE_CHARS:
        raise ChatInputError(MESSAGES["too_long"])
    return message


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
        state = ChatState.from_dict(_state_dict(conversation.state)) if conversation else None
    except Exception as error:  # noqa: BLE001 - the chat answers even without its database
        database.rollback()
        log.warning("チャットの会話を読み込めませんでした（%s）", type(error).__name__)
        reply, _ = chat_engine().reply(ChatState(), message, now())
        return Turn(token or new_token(), reply, stored=False)
    reply, new_state = chat_engine().reply(state or ChatState(), message, now())
    if conversation is None:
        token = new_token()
    stored = _store(conversation, token, new_state, message, reply)
    return Turn(token, reply, stored)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _state_dict(text: str | None) -> dict:
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


def _store(
    conversation: Conversation | None, token: str, state: ChatState, message: str, reply: Reply
) -> bool:
    database = db.session()
    articles = " ".join(reply.article_ids)[:ARTICLE_IDS_COLUMN_CHARS]
    intent = stored_intent(reply)
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
            )
        )
        database.commit()
    except Exception as error:  # noqa: BLE001 - never fail an answer because it cannot be kept
        database.rollback()
        # The exception can quote SQL parameters (what was typed): name its type only.
        log.warning("チャットの会話を保存できませんでした（%s）", type(error).__name__)
        return False
    return True


# --- JSON API -----------------------------------------------------------------------------------


@bp.post("/api/chat")
@csrf.exempt  # no cookie authority: same-origin JSON only (Origin check + content type)
@limiter.limit(lambda: current_app.config.get("CHAT_RATE_LIMIT", DEFAULT_RATE_LIMIT))
def api_chat():
    if not same_origin(request.headers.get("Origin")):
        return error_response(403, MESSAGES["origin"])
    if request.mimetype != "application/json":
        return error_response(415, MESSAGES["content_type"])
    try:
        payload = json.loads(request.get_data(cache=False) or b"")
    except (ValueError, UnicodeDecodeError):
        return error_response(400, MESSAGES["json"])
    if not isinstance(payload, dict):
        return error_response(400, MESSAGES["object"])
    token = payload.get("session")
    if token is not None and (not isinstance(token, str) or len(token) > TOKEN_MAX_CHARS):
        return error_response(400, MESSAGES["session"])
    try:
        message = clean_message(payload.get("message"))
    except ChatInputError as error:
        return error_response(400, str(error))
    turn = converse(token or None, message)
    response = jsonify(turn.as_json())
    response.headers["Cache-Control"] = "no-store"
    return response


# --- /chat without JavaScript -------------------------------------------------------------------

SESSION_KEY = "chat_token"
LAST_REPLY_KEY = "chat_last"  # the last reply's buttons: quick replies are not stored in turns


@bp.get("/chat")
def page():
    token = session.get(SESSION_KEY)
    return _page(_transcript(token), session.get(LAST_REPLY_KEY) or {}, token)


@bp.post("/chat")
@limiter.limit(lambda: current_app.config.get("CHAT_RATE_LIMIT", DEFAULT_RATE_LIMIT))
def send():
    token = session.get(SESSION_KEY)
    # A quick-reply button sends its own text; the text box may hold a half-typed question.
    typed = request.form.get("quick") or request.form.get("message", "")
    try:
        message = clean_message(typed)
    except ChatInputError as error:
        return _page(_transcript(token), {}, token, error=str(error), typed=typed[:4000]), 400
    turn = converse(token, message)
    last = {
        "quick_replies": turn.reply.quick_replies,
        "handoff_url": turn.handoff_url,
        "call_centre": turn.reply.call_centre.get("message", ""),
    }
    if not turn.stored:
        # Nothing to read back after a redirect: show this exchange once, as it is.
        lines = [("user", message, []), ("bot", turn.reply.text, turn.reply.articles)]
        return _page(lines, last, None, notice=MESSAGES["unavailable"])
    session[SESSION_KEY] = turn.token
    session[LAST_REPLY_KEY] = last
    return redirect(url_for("chat.page") + "#latest", code=303)


@bp.post("/chat/reset")
def reset():
    session.pop(SESSION_KEY, None)
    session.pop(LAST_REPLY_KEY, None)
    return redirect(url_for("chat.page"), code=303)


def _transcript(token: str | None) -> list[tuple[str, str, list[dict]]]:
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


def _page(lines, last: dict, token: str | None, error=None, typed="", notice=None):
    return render_template(
        "chat/page.html",
        lines=lines,
        quick_replies=last.get("quick_replies", []) if lines else _starters(),
        handoff_url=last.get("handoff_url"),
        call_centre=last.get("call_centre", ""),
        token=token,
        error=error,
        typed=typed,
        notice=notice,
        max_chars=MAX_MESSAGE_CHARS,
    )


def _starters() -> list[str]:
    return list(chat_engine().rules.messages.get("fallback_quick_replies", ()))


@bp.after_request
def _not_cached(response):
    if request.path in ("/chat", "/api/chat"):
        response.headers["Cache-Control"] = "no-store"
    return response
