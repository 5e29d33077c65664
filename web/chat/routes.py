"""The chat's views: `POST /api/chat` for the widget, and `/chat`, a plain form without JS.

The engine (chatbot/) decides what to answer; this module reads the request, keeps the
conversation (state and masked turns) in the database and hands off to the contact form
(`/contact?chat=<token>`). A conversation whose database is unavailable still gets its answer:
it is only not remembered.
"""

from __future__ import annotations

import json
import logging

from flask import (
    Blueprint,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from chatbot.engine import MAX_MESSAGE_CHARS
from kb.text import clean
from web.chat.service import chat_engine, converse, transcript
from web.core.errors import error_response
from web.core.security import csrf, limiter, same_origin
from web.settings import current_settings

bp = Blueprint("chat", __name__)
log = logging.getLogger(__name__)

TOKEN_MAX_CHARS = 64

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


def clean_message(value: object) -> str:
    if value is None:
        raise ChatInputError(MESSAGES["empty"])
    if not isinstance(value, str):
        raise ChatInputError(MESSAGES["not_text"])
    message = clean(value, newlines=True).strip()
    if not message:
        raise ChatInputError(MESSAGES["empty"])
    if len(message) > MAX_MESSAGE_CHARS:
        raise ChatInputError(MESSAGES["too_long"])
    return message


# --- JSON API -----------------------------------------------------------------------------------


@bp.post("/api/chat")
@csrf.exempt  # no cookie authority: same-origin JSON only (Origin check + content type)
@limiter.limit(lambda: current_settings().chat_rate_limit)
def api_chat():
    if not same_origin(request.headers.get("Origin")):
        return error_response(403, MESSAGES["origin"])
    if request.mimetype != "application/json":
        return error_response(415, MESSAGES["content_type"])
    try:
        payload = json.loads(request.get_data(cache=False) or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: [[[[…]]]]
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
    return _page(transcript(token), session.get(LAST_REPLY_KEY) or {}, token)


@bp.post("/chat")
@limiter.limit(lambda: current_settings().chat_rate_limit)
def send():
    token = session.get(SESSION_KEY)
    # A quick-reply button sends its own text; the text box may hold a half-typed question.
    typed = request.form.get("quick") or request.form.get("message", "")
    try:
        message = clean_message(typed)
    except ChatInputError as error:
        return _page(transcript(token), {}, token, error=str(error), typed=typed[:4000]), 400
    turn = converse(token, message)
    last = {
        "quick_replies": turn.reply.quick_replies,
        "handoff_url": turn.handoff_url,
        # Said under the handoff link only when the reply has not said it already.
        "call_centre": ""
        if turn.reply.call_centre.get("message", "") in turn.reply.text
        else turn.reply.call_centre.get("message", ""),
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


def _page(lines, last: dict, token: str | None, error=None, typed="", notice=None):
    return render_template(
        "chat/page.html",
        lines=lines,
        quick_replies=last.get("quick_replies", []) if lines else _starters(),
        handoff_url=last.get("handoff_url"),
        # The form linked at the foot of the page takes the conversation along whenever there
        # is one, not only while the last reply offers it (a 「ありがとう」 after the offer).
        contact_url=last.get("handoff_url")
        or (url_for("contact.contact", chat=token) if token and lines else "/contact"),
        call_centre_status=last.get("call_centre", ""),
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
