"""Logging in and out of the console (the pages every other console page redirects to)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from web.accounts import auth, bp
from web.accounts.forms import LoginForm, LogoutForm
from web.core.security import limiter
from web.settings import current_settings

FAILED = "メールアドレスまたはパスワードが正しくありません。"


def _rate_limit() -> str:
    return current_settings().login_rate_limit


def _account_rate_limit() -> str:
    return current_settings().login_account_rate_limit


def _account() -> str:
    """The account a login attempt is for (case-folded e-mail): guessing one account's password
    from many addresses is counted too, in the same storage as every limit (Redis in production)."""
    return "login-account:" + (request.form.get("email") or "").strip().casefold()[:254]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
@limiter.limit(_account_rate_limit, key_func=_account, methods=["POST"])
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
    return redirect(url_for("accounts.login"), code=303)


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
        and value.isprintable()  # a line break would split the Location header
    ):
        return value
    return url_for("console.home")
