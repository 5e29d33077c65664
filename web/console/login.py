"""Logging in and out of the console."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from web import auth
from web.console import bp
from web.forms import LoginForm, LogoutForm
from web.security import limiter

FAILED = "メールアドレスまたはパスワードが正しくありません。"
DEFAULT_RATE_LIMIT = "10 per minute"


def _rate_limit() -> str:
    return current_app.config.get("LOGIN_RATE_LIMIT", DEFAULT_RATE_LIMIT)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def login():
    target = safe_next(request.values.get("next"))
    if request.method == "GET" and auth.current_user() is not None:
        return redirect(target)
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = auth.authenticate(form.email.data, form.password.data)
        if user is not None:
            auth.login(user)
            return redirect(target, code=303)
        error = FAILED
    elif request.method == "POST" and not form.errors:
        error = FAILED
    return render_template("console/login.html", form=form, error=error, next=target)


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        auth.logout()
        flash("ログアウトしました。", "info")
    return redirect(url_for("console.login"), code=303)


@bp.get("/")
def home():
    user = auth.current_user()
    if auth.can(user, "agent"):
        from web.console.inquiries import inquiry_list

        return inquiry_list()
    return redirect(url_for("console.analytics"))


def safe_next(value: str | None) -> str:
    """Only a console path of this site: never an open redirect to somewhere else."""
    if (
        value
        and value.startswith("/console/")
        and not value.startswith("/console/login")
        and not value.startswith("/console/logout")
        and "\\" not in value
        and "//" not in value
        and "/.." not in value
    ):
        return value
    return url_for("console.home")
