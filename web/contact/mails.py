"""The mails an inquiry causes, in polite Japanese, each with the receipt number in its subject:
the acknowledgement to the inquirer and the notice to the agents (no personal data in its
subject). Queued in the transaction that stores the inquiry (web.core.outbox)."""

from __future__ import annotations

from flask import url_for

from web.core import outbox
from web.core.models import Inquiry
from web.core.vocabulary import INQUIRY_CATEGORIES
from web.settings import Settings

CATEGORY_LABELS = dict(INQUIRY_CATEGORIES)


def signature(settings: Settings) -> str:
    """The helpdesk's name and the call centre's number, closing every mail it sends."""
    return (
        "――――――――――――――――――――\n"
        "医療扶助のオンライン資格確認 ヘルプデスク\n"
        f"コールセンター {settings.call_centre.phone}（通話無料）\n"
    )


def acknowledgement(inquiry: Inquiry, settings: Settings) -> dict:
    body = (
        f"{inquiry.facility_name}\n{inquiry.name} 様\n\n"
        f"{_thanks(inquiry)}\n"
        "担当者が確認のうえ、ご回答します。\n\n"
        f"受付番号: {inquiry.receipt_number}\n"
        f"お問い合わせの分類: {CATEGORY_LABELS.get(inquiry.category, inquiry.category)}\n"
        "お問い合わせの内容（受け付けたとおり。番号などは伏せ字にしている場合があります）:\n"
        f"{_quoted(inquiry.message)}\n\n"
        "お急ぎの場合は、受付番号をお手元にご用意のうえ、コールセンターにお電話ください。\n"
        "※このメールは送信専用です。ご返信の際は件名の受付番号をそのまま残してください。\n"
        f"{signature(settings)}"
    )
    return {
        "kind": "acknowledgement",
        "to": inquiry.email,
        "subject": f"【受付番号 {inquiry.receipt_number}】お問い合わせを受け付けました",
        "body": body,
    }


def agent_notice(inquiry: Inquiry, settings: Settings) -> dict | None:
    if not settings.agent_notify:
        return None
    label = CATEGORY_LABELS.get(inquiry.category, inquiry.category)
    # A path, not a URL built from the request's Host, which whoever sent the form chose.
    link = url_for("console.inquiry_detail", inquiry_id=inquiry.id)
    body = (
        "新しいお問い合わせが届きました。管理画面で内容を確認して対応してください。\n\n"
        f"受付番号: {inquiry.receipt_number}\n"
        f"分類: {label}\n"
        f"管理画面のページ: {link}（管理画面で受付番号を検索しても開けます）\n"
    )
    return {
        "kind": "agent_notice",
        "to": settings.agent_notify,
        # Receipt number and category only: a shared mailbox's list shows no one's name.
        "subject": f"【受付番号 {inquiry.receipt_number}】新しいお問い合わせ（{label}）",
        "body": body,
    }


def queue_for_new_inquiry(
    session, inquiry: Inquiry, settings: Settings, notify: bool = True
) -> None:
    """Queue the acknowledgement and (with `notify`) the agents' notice in `session`, committed
    by the caller. A call an agent recorded needs no notice: an agent has it already."""
    notice = agent_notice(inquiry, settings) if notify else None
    for mail in (acknowledgement(inquiry, settings), notice):
        if mail is not None:
            outbox.queue(
                session, kind=mail["kind"], sender=settings.mail_from, to=mail["to"],
                subject=mail["subject"], body=mail["body"], inquiry=inquiry,
            )  # fmt: skip


def _thanks(inquiry: Inquiry) -> str:
    if inquiry.channel == "phone":
        return "お電話でのお問い合わせ、ありがとうございました。以下の内容で記録しました。"
    return "お問い合わせいただき、ありがとうございます。以下の内容で受け付けました。"


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])
