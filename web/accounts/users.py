"""Console users for admins: list, create, disable (and enable again)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from web.accounts import auth, bp
from web.accounts.auth import roles_required
from web.accounts.forms import ROLE_CHOICES, UserActionForm, UserForm
from web.core import db
from web.core.models import User
from web.core.vocabulary import Role


@bp.get("/users")
@roles_required("admin")
def users():
    return _users_page(UserForm(role="agent"))


@bp.post("/users")
@roles_required("admin")
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = auth.create_user(form.email.data, form.role.data, form.password.data)
        except auth.UserError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{user.email} を{Role(user.role).label}として登録しました。", "info")
            return redirect(url_for("accounts.users"), code=303)
    return _users_page(form), 400


@bp.post("/users/<int:user_id>/disable")
@roles_required("admin")
def disable_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/enable")
@roles_required("admin")
def enable_user(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    form = UserActionForm()
    if not form.validate_on_submit():
        abort(400)
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    if not active and user.id == auth.current_user().id:
        flash("自分自身を無効にすることはできません。", "error")
        return redirect(url_for("accounts.users"), code=303)
    user.active = active
    db.session().commit()
    flash(f"{user.email} を{'有効' if active else '無効'}にしました。", "info")
    return redirect(url_for("accounts.users"), code=303)


def _users_page(form: UserForm):
    people = db.session().scalars(select(User).order_by(User.email)).all()
    return render_template(
        "console/users.html",
        users=people,
        form=form,
        roles=ROLE_CHOICES,
        action_form=UserActionForm(),
    )
