"""The call-centre workflow: business-hours clocks on the call centre's calendar, assignment
and "mine", 回答待ち after a reply, reopening, and calls recorded as inquiries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from chatbot.hours import CallCentre
from web.core import db
from web.core.models import Inquiry, OutboxMail

JST = dt.timezone(dt.timedelta(hours=9))
CENTRE = CallCentre("0800-080-4583", (dt.time(8), dt.time(18)), (dt.time(8), dt.time(16)), JST)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, make_app, tmp_path, database_url):
    """Every test of this module on SQLite and on PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_app")
    return make_app(instance=tmp_path / "instance", database_url=database_url)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-11-30 09:00", "2026-11-30 12:30", 3.5),  # Monday morning
        ("2026-11-30 17:00", "2026-12-01 09:00", 2.0),  # over a night: 1 h + 1 h
        ("2026-12-04 17:00", "2026-12-07 09:00", 10.0),  # Friday evening to Monday: Sat 8 h
        ("2026-12-05 15:00", "2026-12-07 08:00", 1.0),  # Saturday closes at 16:00, Sunday closed
        ("2026-11-22 07:00", "2026-11-24 10:00", 2.0),  # Sun; Mon 11/23 勤労感謝の日; Tue 2 h
        ("2026-11-30 20:00", "2026-11-30 23:00", 0.0),  # after hours
    ],
)
def test_business_time_counts_only_the_call_centres_opening_hours(start, end, hours):
    assert CENTRE.business_time(at(start), at(end)) == dt.timedelta(hours=hours)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        ("2026-11-30 09:00", 8, "2026-11-30 17:00"),
        ("2026-11-30 15:00", 8, "2026-12-01 13:00"),
        ("2026-12-04 19:00", 8, "2026-12-05 16:00"),  # Friday night: all of Saturday
        ("2026-12-05 15:00", 2, "2026-12-07 09:00"),  # Saturday 1 h, Monday 1 h
        ("2026-11-21 15:00", 3, "2026-11-24 10:00"),  # Sat 1 h, Sun, holiday Mon, Tue 2 h
    ],
)
def test_a_target_time_is_reached_after_that_much_opening_time(start, duration, due):
    assert CENTRE.after_business_time(at(start), dt.timedelta(hours=duration)) == at(due)


@pytest.mark.parametrize(
    ("start", "end"), [("2026-11-30 09:13", "2026-12-09 11:02"), ("2026-12-26 18:30", "2027-01-06 08:00")]
)  # fmt: skip
def test_the_target_clock_and_the_business_time_agree(start, end):
    spent = CENTRE.business_time(at(start), at(end))
    assert CENTRE.business_time(at(start), CENTRE.after_business_time(at(start), spent)) == spent


def add_call(client, csrf_token_from, **changes):
    page = client.get("/console/inquiries/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "submission_token": re.search(r'name="submission_token" value="([^"]+)"', page)[1], "name": "鈴木 一郎", "facility_name": "すずき薬局",
        "facility_type": "pharmacy", "phone": "03ー5555ー1234", "email": "",
        "category": "other", "message": "医療券の表示について電話で質問がありました。",
    }  # fmt: skip
    data.update(changes)
    return client.post("/console/inquiries/new", data=data)


def stored(app, receipt: str | None = None) -> Inquiry:
    with app.app_context():
        query = select(Inquiry).order_by(Inquiry.id.desc())
        if receipt:
            query = query.where(Inquiry.receipt_number == receipt)
        inquiry = db.session().scalars(query).first()
        inquiry.assignee  # noqa: B018  (loaded while the session is open)
        return inquiry


def test_a_call_is_recorded_as_an_inquiry_with_a_receipt_number(
    app, logged_in, csrf_token_from, page_text
):
    agent = logged_in(app, "agent")
    missing = add_call(agent, csrf_token_from, name="", phone="でんわ")
    assert missing.status_code == 400
    assert "お名前を入力してください" in page_text(missing) and "市外局番" in page_text(missing)
    response = add_call(agent, csrf_token_from, message="患者さんの受給者番号が7654321の件")
    assert response.status_code == 303
    inquiry = stored(app)
    assert re.fullmatch(r"HD-\d{8}-[0-9A-Z]{8}", inquiry.receipt_number)
    assert inquiry.channel == "phone" and inquiry.status == "in_progress"
    assert inquiry.phone == "03-5555-1234" and "7654321" not in inquiry.message
    assert inquiry.assignee.email == "agent@helpdesk.example.jp"
    detail = page_text(agent.get(response.headers["Location"]))
    assert inquiry.receipt_number in detail and "電話" in detail
    with app.app_context():  # no address given: nothing to send
        assert db.session().scalars(select(OutboxMail)).all() == []


def test_a_call_sent_twice_is_one_inquiry_and_one_without_an_address_gets_no_mail_reply(
    app, logged_in, csrf_token_from, page_text
):
    agent = logged_in(app, "agent")
    page = agent.get("/console/inquiries/new").get_data(as_text=True)
    token = re.search(r'name="submission_token" value="([^"]+)"', page)[1]
    for _ in range(2):  # a double click on 記録
        assert add_call(agent, csrf_token_from, submission_token=token).status_code == 303
    with app.app_context():
        assert len(db.session().scalars(select(Inquiry)).all()) == 1
    inquiry = stored(app)
    detail = page_text(agent.get(f"/console/inquiries/{inquiry.id}"))
    assert "メールアドレスのないお問い合わせです" in detail
    refused = agent.post(
        f"/console/inquiries/{inquiry.id}/reply",
        data={"csrf_token": csrf_token_from(detail), "body": "ご回答です。"},
    )
    assert refused.status_code == 400
    with app.app_context():
        assert db.session().scalars(select(OutboxMail)).all() == []


def test_only_an_active_agent_or_admin_can_be_given_an_inquiry(
    app, logged_in, add_inquiry, add_user, csrf_token_from, page_text
):
    inquiry_id = add_inquiry(app)
    add_user(app, "editor@helpdesk.example.jp", "editor")
    agent = logged_in(app, "agent")
    with app.app_context():
        from web.accounts.auth import find_user

        editor_id = find_user("editor@helpdesk.example.jp").id
    token = csrf_token_from(page_text(agent.get(f"/console/inquiries/{inquiry_id}")))
    for choice in (str(editor_id), "99999999999999999999"):
        response = agent.post(
            f"/console/inquiries/{inquiry_id}/assign",
            data={"csrf_token": token, "assignee": choice},
        )
        assert response.status_code == 303
        assert stored(app).assignee is None


def test_a_call_with_an_address_is_acknowledged_by_mail(app, logged_in, csrf_token_from):
    agent = logged_in(app, "agent")
    add_call(agent, csrf_token_from, email="suzuki@pharmacy.example.jp")
    with app.app_context():
        (mail,) = db.session().scalars(select(OutboxMail)).all()
        assert mail.kind == "acknowledgement" and mail.to_address == "suzuki@pharmacy.example.jp"
        assert "お電話でのお問い合わせ" in mail.body


def test_assigning_oneself_shows_the_inquiry_under_mine_and_notes_who_did_it(
    app, logged_in, add_inquiry, csrf_token_from, page_text
):
    first = add_inquiry(app, receipt_number="HD-20261130-AAAAAAAA")
    add_inquiry(app, receipt_number="HD-20261130-BBBBBBBB", submission_token="second-form")
    agent = logged_in(app, "agent")
    page = page_text(agent.get(f"/console/inquiries/{first}"))
    response = agent.post(
        f"/console/inquiries/{first}/assign",
        data={"csrf_token": csrf_token_from(page), "assignee": "me"},
    )
    assert response.status_code == 303
    detail = page_text(agent.get(f"/console/inquiries/{first}"))
    assert "担当を agent@helpdesk.example.jp にしました。" in detail
    assert "状態を「新規」から「対応中」に変更しました。" in detail
    mine = page_text(agent.get("/console/?mine=1"))
    assert "HD-20261130-AAAAAAAA" in mine and "HD-20261130-BBBBBBBB" not in mine
    everyone = page_text(agent.get("/console/"))
    assert "HD-20261130-BBBBBBBB" in everyone


def test_a_reply_puts_the_inquiry_in_waiting_and_a_finished_one_can_be_reopened(
    app, logged_in, add_inquiry, csrf_token_from, page_text
):
    inquiry_id = add_inquiry(app)
    agent = logged_in(app, "agent")
    page = page_text(agent.get(f"/console/inquiries/{inquiry_id}"))
    token = csrf_token_from(page)
    replied = agent.post(
        f"/console/inquiries/{inquiry_id}/reply",
        data={"csrf_token": token, "body": "ご回答です。", "then_waiting": "1"},
    )
    assert replied.status_code == 303, page_text(replied)[:500]
    assert stored(app).status == "waiting"
    agent.post(
        f"/console/inquiries/{inquiry_id}/status", data={"csrf_token": token, "status": "done"}
    )
    assert stored(app).status == "done"
    agent.post(f"/console/inquiries/{inquiry_id}/reopen", data={"csrf_token": token})
    assert stored(app).status == "in_progress"
    assert "状態を「完了」から「対応中」に変更しました。" in page_text(
        agent.get(f"/console/inquiries/{inquiry_id}")
    )


def test_the_list_shows_each_inquirys_target_time(app, logged_in, add_inquiry, page_text):
    add_inquiry(app, minutes_ago=60 * 24 * 10, receipt_number="HD-20261120-OLD00000")
    agent = logged_in(app, "agent")
    listing = page_text(agent.get("/console/"))
    assert "目標超過" in listing


def test_an_agent_finds_any_article_and_starts_the_reply_with_its_answer_and_link(
    app, logged_in, add_inquiry, page_text
):
    inquiry_id = add_inquiry(app, message="よろしくお願いします。")
    agent = logged_in(app, "agent")
    found = page_text(agent.get(f"/console/inquiries/{inquiry_id}?find=コールセンター 電話番号"))
    assert "「コールセンターの電話番号と受付時間を教えてください」の回答を入れる" in found
    started = page_text(agent.get(f"/console/inquiries/{inquiry_id}?insert=call-center"))
    assert "0800-080-4583" in started and "/articles/call-center" in started
    nothing = page_text(agent.get(f"/console/inquiries/{inquiry_id}?find=ｘｙｚｚｚ"))
    assert "に合う記事は見つかりませんでした" in nothing
