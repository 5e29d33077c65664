"""Console users: passwords (Werkzeug's scrypt), roles, and who is logged in on this request.

Roles: `agent` answers inquiries, `editor` keeps the articles (analytics, preview), `admin` can
do everything, including managing users. The quick lookup is open to every role.

The session holds the user's id, a fingerprint of the password hash and the user's session
epoch (so a logout, a password change or reset, or a disabled account ends every session of
that user at its next request, checked against the database each time) and the time of login
(so a console left logged in ends after `console_session_hours`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from web.core import db
from web.core.fields import EMAIL_PATTERN
from web.core.models import User
from web.core.vocabulary import Role
from web.settings import current_settings

ROLE_NAMES = tuple(Role)
MIN_PASSWORD_CHARS = 12
# Checked against when the e-mail is unknown, so that both failures take the same time.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing", method="scrypt")


class UserError(ValueError):
    """A user cannot be created or changed; the message is Japanese and says why."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"パスワードは{MIN_PASSWORD_CHARS}文字以上にしてください。")
    if len(password) > 200:
        raise UserError("パスワードは200文字以内にしてください。")
    if password != password.strip():
        raise UserError("パスワードの先頭と末尾に空白は使えません。")


def find_user(email: str) -> User | None:
    return db.session().scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def create_user(email: str, role: str, password: str) -> User:
    """Create and commit a user; UserError (in Japanese) when something is not acceptable."""
    email = normalize_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise UserError(f"メールアドレスの形式が正しくありません: {email}")
    if role not in ROLE_NAMES:
        raise UserError(f"役割は {', '.join(ROLE_NAMES)} のいずれかを指定してください。")
    check_new_password(password)
    if find_user(email) is not None:
        raise UserError(f"{email} はすでに登録されています。")
    user = User(email=email, role=role, password_hash=hash_password(password), active=True)
    database = db.session()
    database.add(user)
    database.commit()
    return user


def set_active(email: str, active: bool) -> User:
    user = find_user(email)
    if user is None:
        raise UserError(f"{normalize_email(email)} というユーザーは登録されていません。")
    user.active = active
    db.session().commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (unknown, wrong or disabled)."""
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def login(user: User) -> None:
    """Start a fresh session for `user` (nothing of the previous session survives)."""
    session.clear()
    session["user_id"] = user.id
    session["auth"] = _fingerprint(user)
    session["login_at"] = int(time.time())
    user.last_login_at = dt.datetime.now(dt.UTC)
    db.session().commit()


def logout() -> None:
    """End this session and every other of the same user: a copied cookie dies with it."""
    user = current_user()
    if user is not None:
        user.session_epoch = (user.session_epoch or 0) + 1
        db.session().commit()
    session.clear()
    g.pop("console_user", None)


def set_password(user: User, password: str, *, keep_session: bool = False) -> None:
    """Set `user`'s password (UserError when it is not acceptable) and end every session of
    theirs; with `keep_session`, the session of this request continues (changing one's own)."""
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.session_epoch = (user.session_epoch or 0) + 1
    db.session().commit()
    if keep_session:
        session["auth"] = _fingerprint(user)
        g.console_user = user


def change_own_password(user: User, current: str, new: str) -> None:
    """The logged-in user's own change: the current password first (UserError otherwise)."""
    if not check_password_hash(user.password_hash, current):
        raise UserError("いまのパスワードが正しくありません。")
    if current == new:
        raise UserError("新しいパスワードは、いまのパスワードと違うものにしてください。")
    set_password(user, new, keep_session=True)


def current_user() -> User | None:
    """The logged-in, active user of this request, or None."""
    if "console_user" in g:
        return g.console_user
    user = None
    user_id = session.get("user_id")
    if user_id is not None:
        hours = current_settings().console_session_hours
        fresh = time.time() - session.get("login_at", 0) < hours * 3600
        candidate = db.session().get(User, user_id) if fresh else None
        if candidate and candidate.active and session.get("auth") == _fingerprint(candidate):
            user = candidate
        else:
            session.clear()
    g.console_user = user
    return user


def can(user: User | None, *roles: str) -> bool:
    return user is not None and (user.role == "admin" or user.role in roles)


def roles_required(*roles: str):
    """Views for some roles only: anonymous people go to the login page, others get a 403."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
            if roles and not can(user, *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _fingerprint(user: User) -> str:
    # The password hash and the session epoch: changing either ends every older session.
    text = f"{user.password_hash}\x1f{user.session_epoch or 0}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
