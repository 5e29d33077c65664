"""The transactional outbox: a mail is a row written in the same transaction as the event that
caused it (an inquiry stored, a reply written), and a sender delivers the rows afterwards.

So a web request never waits for, or fails because of, a mail server, and nothing is lost when
the server is away: the row waits and is retried with backoff. Each process of the app runs one
sender thread (started by its first request, woken when a mail is queued, else every few
seconds); `kb mail send` runs the same delivery by hand.

Sent once with several workers or machines: a sender first claims a row with a conditional
UPDATE (only one can turn it from `waiting` to `sending`), then sends, then marks it `sent`. A
claim older than CLAIM_LEASE (a sender that died mid-send) may be taken over, so a crash at
that exact moment can send a mail twice, never lose it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
import weakref
from email.utils import make_msgid, parseaddr

from flask import Flask
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from web.core.mail import DeliveryError, Mail, message, transport
from web.core.models import OutboxMail, utcnow

log = logging.getLogger(__name__)

WAITING, SENDING, SENT, FAILED = "waiting", "sending", "sent", "failed"
STATE_LABELS = {WAITING: "送信待ち", SENDING: "送信中", SENT: "送信済み", FAILED: "送信失敗"}
KIND_LABELS = {"acknowledgement": "受付のお知らせ", "agent_notice": "オペレーターへの通知",
               "reply": "回答"}  # fmt: skip
CLAIM_LEASE = dt.timedelta(minutes=5)
# 30 s, 1, 2, 4 … minutes, at most an hour apart; given up after a day and a half of tries.
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 40
INTERVAL_SECONDS = 3.0
BATCH = 50


def queue(
    session: Session,
    *,
    kind: str,
    sender: str,
    to: str,
    subject: str,
    body: str,
    reply_to: str | None = None,
    inquiry=None,
    author_email: str | None = None,
) -> OutboxMail:
    """Add one mail to `session`; it is stored when the caller commits its own change."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "helpdesk.invalid"
    row = OutboxMail(
        kind=kind,
        to_address=to,
        reply_to=reply_to,
        subject=subject,
        body=body,
        message_id=make_msgid(idstring=secrets.token_hex(4), domain=domain),
        state=WAITING,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
        author_email=author_email,
    )
    if inquiry is not None:
        inquiry.mails.append(row)
    else:
        session.add(row)
    return row


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed try."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def deliver_due(
    sessions: sessionmaker, send, sender: str, now: dt.datetime | None = None
) -> dict[str, int]:
    """Deliver every mail that is due: claim, send through `send(EmailMessage)`, record.
    Returns how many were sent, put back to wait, and given up. `now` fixes the clock (tests);
    otherwise each claim and each outcome is stamped when it happens, so a long batch over a
    slow server never leaves claims that look expired to other senders."""

    def clock() -> dt.datetime:
        return now or utcnow()

    def due_at(moment: dt.datetime):
        return or_(
            and_(OutboxMail.state == WAITING, OutboxMail.next_attempt_at <= moment),
            and_(
                OutboxMail.state == SENDING,
                OutboxMail.claimed_at < moment - CLAIM_LEASE,
                OutboxMail.attempts < MAX_ATTEMPTS,
            ),
        )

    counts = {"sent": 0, "retry": 0, "failed": 0}
    with sessions() as session:
        ids = session.scalars(
            select(OutboxMail.id).where(due_at(clock())).order_by(OutboxMail.id).limit(BATCH)
        ).all()
    for mail_id in ids:
        claim = secrets.token_hex(8)
        with sessions() as session:
            moment = clock()
            # The attempt is counted when claimed: a sender that dies mid-send still used it.
            claimed = session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == mail_id, due_at(moment))
                .values(
                    state=SENDING, claim=claim, claimed_at=moment,
                    attempts=OutboxMail.attempts + 1,
                )
            ).rowcount  # fmt: skip
            session.commit()
            if not claimed:
                continue  # another sender took it
            row = session.get(OutboxMail, mail_id)
            attempts = row.attempts
            try:
                mail = Mail(
                    row.message_id, sender, row.to_address, row.subject, row.body, row.reply_to,
                    headers=_receipt_header(row),
                )  # fmt: skip
                send(message(mail, clock()))
            except Exception as error:  # noqa: BLE001  (any failure is this attempt's outcome)
                reason = str(error) if isinstance(error, DeliveryError) else (
                    f"送れませんでした（{type(error).__name__}）"
                )  # fmt: skip
                permanent = isinstance(error, DeliveryError) and error.permanent
                gave_up = permanent or attempts >= MAX_ATTEMPTS
                values = {
                    "state": FAILED if gave_up else WAITING,
                    "last_error": reason[:300],
                    "next_attempt_at": clock() + retry_delay(attempts),
                }
                counts["failed" if gave_up else "retry"] += 1
                log.warning("メールを送れませんでした（%d 回目）: %s", attempts, reason)
            else:
                values = {"state": SENT, "sent_at": clock(), "last_error": ""}
                counts["sent"] += 1
            session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == mail_id, OutboxMail.claim == claim)
                .values(**values)
            )
            session.commit()
    return counts


def _receipt_header(row: OutboxMail) -> tuple[tuple[str, str], ...]:
    # The receipt number in a header too, so a reply by mail can be matched by hand or by rule.
    if row.inquiry is None:
        return ()
    return (("X-Helpdesk-Receipt", row.inquiry.receipt_number),)


class Sender:
    """The sender thread of one process of one app."""

    def __init__(self, app: Flask):
        self._app = weakref.ref(app)
        self._wake = threading.Event()
        self._pid: int | None = None
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a forked worker starts its own thread
            threading.Thread(target=self._run, name="outbox-sender", daemon=True).start()

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait(INTERVAL_SECONDS)
            self._wake.clear()
            app = self._app()
            if app is None:
                return
            try:
                deliver_app(app)
            except Exception:  # the database away: the rows wait, the next round retries
                log.warning("送信待ちのメールを読めませんでした", exc_info=True)
            del app


def deliver_app(app: Flask, now: dt.datetime | None = None) -> dict[str, int]:
    """`deliver_due` with the app's database, transport and sender address."""
    settings = app.extensions["settings"]
    sessions = app.extensions["db_sessionmaker"]
    chosen = transport(settings.smtp_url, settings.instance)
    return deliver_due(sessions, chosen.send, settings.mail_from, now)


def init_app(app: Flask) -> None:
    sender = Sender(app)
    app.extensions["outbox_sender"] = sender
    if app.extensions["settings"].mail_in_background:
        app.before_request(sender.ensure_running)


def wake(app: Flask) -> None:
    """Ask this process's sender to deliver now (after a commit that queued mail)."""
    sender = app.extensions.get("outbox_sender")
    if sender is not None and app.extensions["settings"].mail_in_background:
        sender.ensure_running()
        sender.wake()
