"""Passwords in the console: everyone changes their own (the current one first); admins reset
anyone's. Either ends every other session of that user (web.accounts.auth)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from web.accounts import auth, bp
from web.accounts.auth import roles_required
from web.accounts.forms import PasswordChangeForm, PasswordResetForm
from web.core import db
from web.core.models import User


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required()
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if form.new.data != form.confirm.data:
            form.confirm.errors.append("確認のパスワードが新しいパスワードと違います。")
        else:
            try:
                auth.change_own_password(auth.current_user(), form.current.data, form.new.data)
            except auth.UserError as error:
                form.new.errors.append(str(error))
            else:
                flash("パスワードを変更しました。ほかの端末のログインは終了しました。", "info")
                return redirect(url_for("accounts.change_password"), code=303)
        return render_template("console/password.html", form=form), 400
    status = 400 if form.errors else 200
    return render_template("console/password.html", form=form), status


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def reset_password(user_id: int):
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            auth.set_password(user, form.new.data, keep_session=user == auth.current_user())
        except auth.UserError as error:
            flash(f"{user.email}: {error}", "error")
        else:
            flash(
                f"{user.email} のパスワードを設定し直しました。その人のログインは終了しました。",
                "info",
            )
    else:
        flash("新しいパスワードを入力してください。", "error")
    return redirect(url_for("accounts.users"), code=303)
