"""Errors as Japanese pages for people and as JSON for /api/, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from web.core import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "リクエストの内容を確認できませんでした。",
    403: "このページを表示する権限がありません。",
    404: "お探しのページは見つかりませんでした。",
    405: "この操作はできません。",
    413: "送信された内容が大きすぎます。",
    415: "送信の形式が正しくありません。",
    429: "短い時間にたくさんの操作がありました。しばらく待ってからもう一度お試しください。",
    500: "申し訳ありません。システムで問題が発生しました。時間をおいてもう一度お試しください。",
    503: "ただいま混み合っているか、保守中です。時間をおいてもう一度お試しください。",
}
DATABASE_MESSAGE = (
    "申し訳ありません。ただいまシステムに記録を保存できません。時間をおいてもう一度お試しいただくか、"
    "お急ぎの場合はコールセンターにお電話ください。"
)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SQLAlchemyError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if wants_json():
        return jsonify(error={"status": status, "message": message}), status
    if request_ctx.url_adapter is None:
        # A Host outside HELPDESK_TRUSTED_HOSTS: no URL of this site can be built for it, so
        # the page names none (the site's layout links everywhere).
        page = (
            '<!doctype html><html lang="ja"><meta charset="utf-8">'
            f"<title>{status}</title><p>{escape(message)}</p></html>"
        )
        return page, status, {"Content-Type": "text/html; charset=utf-8"}
    return render_template("errors/error.html", status=status, message=message), status


def _csrf_error(error: CSRFError):
    return error_response(
        400,
        "フォームの有効期限が切れたか、正しくない送信です。ページを再読み込みしてからもう一度送信してください。",
    )


def _http_error(error: HTTPException):
    status = error.code or 500
    return error_response(
        status, MESSAGES.get(status) if status != 400 or not error.description else None
    )


def _database_error(error: SQLAlchemyError):
    # The type only: SQLAlchemy's message carries the statement's parameters, which can be
    # what a person typed.
    log.error(
        "データベースの処理に失敗しました（%s）: %s %s",
        type(error).__name__, request.method, request.path,
    )  # fmt: skip
    db.session().rollback()  # the error page reads who is logged in through the same session
    return error_response(503, DATABASE_MESSAGE)


def _unexpected_error(error: Exception):
    log.exception("処理中にエラーが発生しました: %s %s", request.method, request.path)
    return error_response(500)
