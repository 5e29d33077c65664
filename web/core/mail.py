"""Mail as the standard library makes it: a message built with `email.message.EmailMessage`,
sent by `smtplib` to HELPDESK_SMTP_URL, or written as an .eml file to the instance's outbox
folder when no SMTP server is configured (the `make run` default: a newcomer sees exactly what
would be sent, and nothing is lost).

Delivery is web.core.outbox's; this module only turns one stored mail into bytes on a wire or
in a file, and raises `DeliveryError` (with a short reason, never the message) when it cannot.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

# A server that accepts the connection and then says nothing must not hold the sender.
SMTP_TIMEOUT_SECONDS = 15


class DeliveryError(Exception):
    """The mail was not delivered; str() is the reason to show (no content of the mail).
    `permanent`: the server refused it for good (5xx), so trying again would not help."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Mail:
    message_id: str  # <…@…>, also the outbox row's key
    sender: str
    to: str
    subject: str
    body: str
    reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = ()  # more headers, such as X-Helpdesk-Receipt


def message(mail: Mail, date) -> EmailMessage:
    """The RFC 5322 message: UTF-8 text, headers encoded as the standard library does."""
    built = EmailMessage()
    built["From"] = mail.sender
    built["To"] = mail.to
    built["Subject"] = mail.subject
    built["Date"] = format_datetime(date)
    built["Message-ID"] = mail.message_id
    if mail.reply_to:
        built["Reply-To"] = mail.reply_to
    for name, value in mail.headers:
        built[name] = value
    built.set_content(mail.body, charset="utf-8")
    return built


class SmtpTransport:
    """HELPDESK_SMTP_URL: smtp:// (plain, as on a relay on the same network),
    smtp+starttls:// (usually port 587) or smtps:// (TLS from the start, usually port 465);
    user and password, if any, in the URL."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "localhost"
        self.port = parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.name = f"SMTP {self.host}:{self.port}"

    def send(self, built: EmailMessage) -> None:
        try:
            if self.scheme == "smtps":
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
            with client:
                if self.scheme == "smtp+starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(built)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            raise DeliveryError(
                f"宛先を受け付けられませんでした（SMTP {codes}）",
                permanent=all(code >= 500 for code in codes),
            ) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(
                f"SMTP サーバーが断りました（{error.smtp_code}）", permanent=error.smtp_code >= 500
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(
                f"SMTP サーバーに接続できません（{type(error).__name__}）"
            ) from None


class FolderTransport:
    """Each mail as an .eml file in `folder` (the instance's outbox/), named by time and id."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.name = f"フォルダ {folder}"

    def send(self, built: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            stamp = built["Date"] and built["Message-ID"].strip("<>").split("@")[0]
            path = self.folder / f"{stamp}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(bytes(built))
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)  # a reader never sees half a file
        except OSError as error:
            raise DeliveryError(f"outbox フォルダに書けません（{type(error).__name__}）") from None


def transport(smtp_url: str | None, instance: Path):
    return SmtpTransport(smtp_url) if smtp_url else FolderTransport(instance / "outbox")
