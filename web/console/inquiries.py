"""Inquiries for agents: the newest first, filters, search, detail, status changes and notes."""

from __future__ import annotations

from urllib.parse import quote

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from kb.text import clean
from web.accounts.auth import current_user, roles_required
from web.console import STATUS_LABELS, bp, replies
from web.console.forms import NoteForm, ReplyForm, StatusForm
from web.core import db, outbox
from web.core.knowledge import search_engine
from web.core.models import Inquiry, InquiryNote
from web.core.vocabulary import INQUIRY_CATEGORIES, FacilityType
from web.settings import current_settings

PER_PAGE = 50
CATEGORY_LABELS = dict(INQUIRY_CATEGORIES)
FACILITY_LABELS = FacilityType.labels()


def inquiry_list():
    """`/console/`: the inquiry list (the console's home for agents and admins)."""
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    category = request.args.get("category", "")
    category = category if category in CATEGORY_LABELS else ""
    query = clean(request.args.get("q"), nfkc=True).strip()[:200]
    page = _page_number(request.args.get("page"))

    filters = []
    if category:
        filters.append(Inquiry.category == category)
    if query:
        filters.append(
            or_(
                *(
                    column.icontains(query, autoescape=True)
                    for column in (
                        Inquiry.receipt_number,
                        Inquiry.name,
                        Inquiry.facility_name,
                        Inquiry.message,
                        Inquiry.email,
                        Inquiry.institution_code,
                    )
                )
            )
        )
    database = db.session()
    counts = dict(
        database.execute(
            select(Inquiry.status, func.count()).where(*filters).group_by(Inquiry.status)
        ).all()
    )
    if status:
        filters.append(Inquiry.status == status)
    rows = database.scalars(
        select(Inquiry)
        .where(*filters)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    return render_template(
        "console/inquiries.html",
        inquiries=rows[:PER_PAGE],
        has_next=len(rows) > PER_PAGE,
        page=page,
        status=status,
        category=category,
        query=query,
        counts=counts,
        total=sum(counts.values()),
        categories=INQUIRY_CATEGORIES,
        category_labels=CATEGORY_LABELS,
        statuses=list(STATUS_LABELS.items()),
    )


@bp.get("/inquiries/<int:inquiry_id>")
@roles_required("agent")
def inquiry_detail(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    reply_form = ReplyForm(formdata=None)
    article = search_engine().articles.get(request.args.get("insert", ""))
    if article is not None:
        # 「この記事の回答を入れる」: the article's answer and link start the reply.
        reply_form.body.data = replies.article_reply(article)
    return _detail_page(inquiry, StatusForm(status=inquiry.status), NoteForm(), reply_form)


@bp.post("/inquiries/<int:inquiry_id>/reply")
@roles_required("agent")
def reply(inquiry_id: int):
    """Send a reply: queued in the outbox with the inquiry's change, delivered in seconds."""
    inquiry = _inquiry_or_404(inquiry_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _detail_page(inquiry, StatusForm(status=inquiry.status), NoteForm(), form), 400
    database = db.session()
    replies.queue_reply(database, inquiry, form.body.data, current_user().email, current_settings())
    database.commit()
    outbox.wake(current_app)
    flash("回答を送信しました（送信待ちに入り、数秒で送られます）。", "info")
    return redirect(
        url_for("console.inquiry_detail", inquiry_id=inquiry.id, _anchor="thread"), code=303
    )


@bp.post("/inquiries/<int:inquiry_id>/status")
@roles_required("agent")
def change_status(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail_page(inquiry, form, NoteForm(), ReplyForm(formdata=None)), 400
    if form.status.data != inquiry.status:
        before = STATUS_LABELS.get(inquiry.status, inquiry.status)
        inquiry.status = form.status.data
        inquiry.notes.append(
            InquiryNote(
                author_email=current_user().email,
                text=f"状態を「{before}」から「{STATUS_LABELS[form.status.data]}」に変更しました。",
            )
        )
        db.session().commit()
        flash(f"状態を「{STATUS_LABELS[form.status.data]}」にしました。", "info")
    return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry.id), code=303)


@bp.post("/inquiries/<int:inquiry_id>/notes")
@roles_required("agent")
def add_note(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return (
            _detail_page(
                inquiry, StatusForm(status=inquiry.status), form, ReplyForm(formdata=None)
            ),
            400,
        )
    inquiry.notes.append(InquiryNote(author_email=current_user().email, text=form.text.data))
    db.session().commit()
    flash("メモを追加しました。", "info")
    return redirect(
        url_for("console.inquiry_detail", inquiry_id=inquiry.id, _anchor="notes"), code=303
    )


def _detail_page(
    inquiry: Inquiry, status_form: StatusForm, note_form: NoteForm, reply_form: ReplyForm
):
    hits = search_engine().search(inquiry.message[:400], limit=3, highlight=False).hits
    return render_template(
        "console/inquiry.html",
        inquiry=inquiry,
        status_form=status_form,
        note_form=note_form,
        reply_form=reply_form,
        thread=replies.thread(inquiry),
        mail_states=outbox.STATE_LABELS,
        suggested=hits,
        statuses=list(STATUS_LABELS.items()),
        category_labels=CATEGORY_LABELS,
        facility_labels=FACILITY_LABELS,
        mailto=reply_link(inquiry),
    )


def reply_link(inquiry: Inquiry) -> str:
    """A mailto: link for the reply, with the receipt number in the subject."""
    subject = f"【受付番号 {inquiry.receipt_number}】お問い合わせへのご回答"
    return f"mailto:{quote(inquiry.email, safe='@')}?subject={quote(subject)}"


def _inquiry_or_404(inquiry_id: int) -> Inquiry:
    inquiry = db.session().get(Inquiry, inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 10_000)
    except ValueError:
        return 1
