"""Mail that is sent and recorded: the outbox stores each mail with the event that caused it,
and a real SMTP server on loopback (aiosmtpd) receives what the helpdesk sends."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import select

from web.core import db, outbox
from web.core.models import Inquiry, OutboxMail
from web.settings import SettingsError, load

AGENTS = "agents@helpdesk.example.jp"
LATER = dt.timedelta(hours=2)  # past every retry delay


def contact(client, csrf_token_from, message="助成金の申請に必要な書類を教えてください。", **more):
    html = client.get("/contact").get_data(as_text=True)
    response = client.post(
        "/contact",
        data={
            "csrf_token": csrf_token_from(html),
            "submission_token": re.search(r'name="submission_token" value="([^"]*)"', html)[1],
            "name": "山田 花子", "facility_name": "やまだ内科クリニック",
            "facility_type": "clinic", "email": "uketsuke@yamada-clinic.example.jp",
            "category": "subsidy", "message": message, "consent": "y", **more,
        },
    )  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with client.application.app_context():
        return db.session().scalars(select(Inquiry).order_by(Inquiry.id.desc())).first()


def rows(app) -> list[OutboxMail]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMail).order_by(OutboxMail.id)))


def deliver(app, later: dt.timedelta = dt.timedelta(0)):
    with app.app_context():
        return outbox.deliver_app(app, dt.datetime.now(dt.UTC) + later)


@pytest.fixture(params=["sqlite", "postgresql"])
def mail_app(request, make_app, smtp_server):
    database_url = None
    if request.param == "postgresql":
        # pg_app empties the test database; this app uses it with the SMTP settings.
        database_url = request.getfixturevalue("pg_app").config["SQLALCHEMY_DATABASE_URI"]
    return make_app(database_url=database_url, smtp_url=smtp_server.url, agent_notify=AGENTS)


def test_an_inquiry_is_acknowledged_with_its_receipt_number_and_the_question_as_stored(
    mail_app, smtp_server, csrf_token_from
):
    inquiry = contact(mail_app.test_client(), csrf_token_from)
    # Stored with the inquiry, before anything is sent.
    assert [(m.kind, m.state) for m in rows(mail_app)] == [
        ("acknowledgement", "waiting"), ("agent_notice", "waiting"),
    ]  # fmt: skip
    assert deliver(mail_app)["sent"] == 2
    acknowledgement, notice = smtp_server.wait_for(2)
    assert acknowledgement["To"] == "uketsuke@yamada-clinic.example.jp"
    assert inquiry.receipt_number in acknowledgement["Subject"]
    assert acknowledgement["X-Helpdesk-Receipt"] == inquiry.receipt_number
    text = acknowledgement.get_content()
    assert "> 助成金の申請に必要な書類を教えてください。" in text and "山田 花子 様" in text
    # The agents' notice: the receipt number, never a name, facility or address in the subject.
    assert notice["To"] == AGENTS and inquiry.receipt_number in notice["Subject"]
    for personal in ("山田", "やまだ", "uketsuke"):
        assert personal not in notice["Subject"]
    assert f"/console/inquiries/{inquiry.id}" in notice.get_content()
    assert {m.state for m in rows(mail_app)} == {"sent"}


def test_the_acknowledgement_repeats_the_question_masked_as_stored(
    make_app, smtp_server, csrf_token_from
):
    app = make_app(smtp_url=smtp_server.url)
    inquiry = contact(
        app.test_client(), csrf_token_from, "患者 123456789018 の件で質問です",
        personal_data_ok="y",  # confirmed after the form's warning
    )  # fmt: skip
    assert "123456789018" not in inquiry.message  # masked as stored (kb.privacy)
    deliver(app)
    (acknowledgement,) = smtp_server.wait_for(1)
    assert "123456789018" not in acknowledgement.get_content()
    assert inquiry.message.splitlines()[0] in acknowledgement.get_content()


def test_a_reply_from_the_console_arrives_and_appears_in_the_thread(
    mail_app, smtp_server, csrf_token_from, logged_in, page_text
):
    inquiry = contact(mail_app.test_client(), csrf_token_from)
    deliver(mail_app)
    agent = logged_in(mail_app, "agent")
    page = page_text(agent.get(f"/console/inquiries/{inquiry.id}"))
    response = agent.post(
        f"/console/inquiries/{inquiry.id}/reply",
        data={"csrf_token": csrf_token_from(page), "body": "必要な書類は申請書と領収書です。"},
    )
    assert response.status_code == 303
    assert deliver(mail_app)["sent"] == 1
    reply = smtp_server.wait_for(3)[2]
    assert reply["To"] == "uketsuke@yamada-clinic.example.jp"
    assert inquiry.receipt_number in reply["Subject"] and reply["Reply-To"]
    assert "必要な書類は申請書と領収書です。" in reply.get_content()
    thread = page_text(agent.get(f"/console/inquiries/{inquiry.id}"))
    assert "回答（agent@helpdesk.example.jp）" in thread and "送信済み" in thread


def test_an_empty_reply_is_explained_and_nothing_is_queued(
    mail_app, csrf_token_from, logged_in, page_text
):
    inquiry = contact(mail_app.test_client(), csrf_token_from)
    agent = logged_in(mail_app, "agent")
    page = page_text(agent.get(f"/console/inquiries/{inquiry.id}"))
    response = agent.post(
        f"/console/inquiries/{inquiry.id}/reply",
        data={"csrf_token": csrf_token_from(page), "body": "   "},
    )
    assert response.status_code == 400 and "回答を入力してください" in page_text(response)
    assert [m.kind for m in rows(mail_app)] == ["acknowledgement", "agent_notice"]


def test_with_the_server_down_a_reply_waits_and_is_delivered_exactly_once_when_it_is_back(
    mail_app, smtp_server, csrf_token_from, logged_in, page_text
):
    inquiry = contact(mail_app.test_client(), csrf_token_from)
    smtp_server.stop()
    counts = deliver(mail_app)
    assert counts == {"sent": 0, "retry": 2, "failed": 0}
    waiting = rows(mail_app)
    assert {m.state for m in waiting} == {"waiting"}
    assert all("接続できません" in m.last_error and m.attempts == 1 for m in waiting)
    agent = logged_in(mail_app, "agent")
    assert "送信待ち" in page_text(agent.get("/console/mails"))
    assert deliver(mail_app)["sent"] == 0  # not yet due: the backoff holds it

    smtp_server.start()
    assert deliver(mail_app, LATER)["sent"] == 2
    assert deliver(mail_app, 2 * LATER) == {"sent": 0, "retry": 0, "failed": 0}
    received = smtp_server.wait_for(2)
    assert len(received) == 2
    assert len({message["Message-ID"] for message in received}) == 2
    assert inquiry.receipt_number in received[0]["Subject"]


def test_two_senders_at_once_send_every_mail_exactly_once(mail_app, smtp_server):
    app = mail_app
    with app.app_context():
        session = db.session()
        for n in range(30):
            outbox.queue(
                session, kind="reply", sender="help@example.jp", to=f"clinic{n}@example.jp",
                subject=f"件名 {n}", body="本文",
            )  # fmt: skip
        session.commit()
    barrier = threading.Barrier(3)

    def sender():
        barrier.wait()
        deliver(app)

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    received = smtp_server.wait_for(30)
    assert sorted(message["To"] for message in received) == sorted(
        f"clinic{n}@example.jp" for n in range(30)
    )
    assert {m.state for m in rows(app)} == {"sent"}


def test_without_smtp_settings_mails_are_written_to_the_outbox_folder_and_listed(
    make_app, csrf_token_from, logged_in, page_text
):
    app = make_app()  # the `make run` default
    inquiry = contact(app.test_client(), csrf_token_from)
    assert deliver(app)["sent"] == 1  # no agent address: only the acknowledgement
    files = list((app.extensions["settings"].instance / "outbox").glob("*.eml"))
    assert len(files) == 1
    from email import message_from_bytes, policy

    saved = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert inquiry.receipt_number in saved["Subject"]
    listing = page_text(logged_in(app, "agent").get("/console/mails"))
    assert "送信済み" in listing and inquiry.receipt_number in listing and ".eml" in listing


def test_the_senders_thread_delivers_within_seconds_without_any_command(
    make_app, smtp_server, csrf_token_from
):
    app = make_app(smtp_url=smtp_server.url, mail_in_background=True)
    inquiry = contact(app.test_client(), csrf_token_from)
    (acknowledgement,) = smtp_server.wait_for(1, seconds=10)
    assert inquiry.receipt_number in acknowledgement["Subject"]


def test_kb_mail_send_flushes_the_outbox(mail_app, smtp_server, csrf_token_from, run_kb):
    contact(mail_app.test_client(), csrf_token_from)
    result = run_kb(
        ["mail", "send"],
        mail_app.instance_path,
        env={
            "DATABASE_URL": mail_app.config["SQLALCHEMY_DATABASE_URI"],
            "HELPDESK_SMTP_URL": smtp_server.url,
        },
    )
    assert result.returncode == 0, result.stderr
    assert "送信しました: 2 件" in result.stdout
    assert len(smtp_server.wait_for(2)) == 2


@pytest.mark.parametrize("url", ["http://mail.example.jp", "smtp://", "mail.example.jp:25"])
def test_a_wrong_smtp_url_is_refused_in_japanese(url):
    with pytest.raises(SettingsError, match="HELPDESK_SMTP_URL"):
        load(environ={"HELPDESK_SMTP_URL": url})


def test_a_recipient_the_server_refuses_for_good_fails_at_once_with_the_reason(
    mail_app, smtp_server, csrf_token_from, logged_in, page_text
):
    smtp_server.refused.add("uketsuke@yamada-clinic.example.jp")
    contact(mail_app.test_client(), csrf_token_from)
    assert deliver(mail_app) == {"sent": 1, "retry": 0, "failed": 1}  # the notice still goes
    failed = next(m for m in rows(mail_app) if m.kind == "acknowledgement")
    assert failed.state == "failed" and "550" in failed.last_error
    assert "送信失敗" in page_text(logged_in(mail_app, "agent").get("/console/mails"))


def test_any_failure_while_sending_is_one_attempt_and_the_mail_waits(make_app):
    app = make_app()
    with app.app_context():
        outbox.queue(db.session(), kind="reply", sender="help@example.jp",
                     to="clinic@example.jp", subject="件名", body="本文")  # fmt: skip
        db.session().commit()
        sessions = app.extensions["db_sessionmaker"]

        def broken(message):
            raise ValueError("not a mail")

        assert outbox.deliver_due(sessions, broken, "help@example.jp") == {
            "sent": 0, "retry": 1, "failed": 0,
        }  # fmt: skip
    (row,) = rows(app)
    assert row.state == "waiting" and row.attempts == 1 and "ValueError" in row.last_error


def test_the_same_reply_sent_twice_is_one_mail(mail_app, csrf_token_from, logged_in, page_text):
    inquiry = contact(mail_app.test_client(), csrf_token_from)
    agent = logged_in(mail_app, "agent")
    token = csrf_token_from(page_text(agent.get(f"/console/inquiries/{inquiry.id}")))
    for _ in range(2):  # a double click
        response = agent.post(
            f"/console/inquiries/{inquiry.id}/reply",
            data={"csrf_token": token, "body": "ご回答です。"},
        )
        assert response.status_code == 303
    assert [m.kind for m in rows(mail_app)].count("reply") == 1


def test_the_agents_notice_never_links_to_the_host_the_sender_chose(
    mail_app, smtp_server, csrf_token_from
):
    client = mail_app.test_client()
    client.environ_base["HTTP_HOST"] = "evil.example"
    contact(client, csrf_token_from)
    notice = next(m for m in rows(mail_app) if m.kind == "agent_notice")
    assert "evil.example" not in notice.body and "/console/inquiries/" in notice.body
