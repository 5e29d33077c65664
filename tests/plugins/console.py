"""The console's people and work: users, logging in as them, and inquiries to work on.

In the spirit of Flask's tutorial `AuthActions`: `login(client, email)` posts the login form,
`logged_in(app, role)` gives a client already logged in with a new user of that role.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import PASSWORD


@pytest.fixture(scope="session")
def add_user():
    """`add_user(app, email, role, password=PASSWORD)`: a console user, as `kb user create`."""

    def add_user(app, email: str, role: str, password: str = PASSWORD) -> None:
        from web.accounts import auth

        with app.app_context():
            auth.create_user(email, role, password)

    return add_user


@pytest.fixture(scope="session")
def login(csrf_token_from):
    """`login(client, email, password=PASSWORD, next_path=None)`: the login form, posted."""

    def login(client, email: str, password: str = PASSWORD, next_path: str | None = None):
        html = client.get("/console/login").get_data(as_text=True)
        data = {"csrf_token": csrf_token_from(html), "email": email, "password": password}
        if next_path:
            data["next"] = next_path
        return client.post("/console/login", data=data)

    return login


@pytest.fixture(scope="session")
def logged_in(add_user, login):
    """`logged_in(app, role, email=None)`: a new client, logged in as a new user of `role`."""

    def logged_in(app, role: str, email: str | None = None):
        email = email or f"{role}@helpdesk.example.jp"
        add_user(app, email, role)
        client = app.test_client()
        assert login(client, email).status_code == 303
        return client

    return logged_in


@pytest.fixture(scope="session")
def add_inquiry():
    """`add_inquiry(app, minutes_ago=0, **fields)`: a stored inquiry; returns its id."""

    def add_inquiry(app, minutes_ago: int = 0, **fields) -> int:
        from web.core import db
        from web.core.models import Inquiry

        values = {
            "receipt_number": f"HD-20261125-TEST{minutes_ago:04d}",
            "submission_token": f"token-{minutes_ago}-{fields.get('name', '')}",
            "status": "new",
            "name": "山田 花子",
            "facility_name": "やまだ内科クリニック",
            "facility_type": "clinic",
            "email": "uketsuke@yamada.example.jp",
            "category": "subsidy",
            "message": "助成金の申請書類について",
            "created_at": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago),
        }
        values.update(fields)
        with app.app_context():
            inquiry = Inquiry(**values)
            db.session().add(inquiry)
            db.session().commit()
            return inquiry.id

    return add_inquiry
