"""Inquiries for agents: the newest first, filters (mine, status, category), search, detail,
assignment, status changes (with reopen), notes, replies, and calls taken on the phone."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from kb.text import clean
from web.accounts.auth import current_user, roles_required
from web.console import STATUS_LABELS, bp, replies, workflow
from web.console.forms import AssignForm, NoteForm, PhoneInquiryForm, ReplyForm, StatusForm
from web.contact.service import insert_new
from web.core import clock, db, outbox
from web.core.knowledge import search_engine
from web.core.models import Inquiry, InquiryNote, User
from web.core.text_input import masked_text
from web.core.vocabulary import INQUIRY_CATEGORIES, Channel, FacilityType, InquiryStatus
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
    mine = request.args.get("mine") == "1"

    filters = []
    if mine:
        filters.append(Inquiry.assignee_id == current_user().id)
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
        .options(selectinload(Inquiry.mails), selectinload(Inquiry.assignee))
        .where(*filters)
        .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    now = clock.now()
    settings = current_settings()
    return render_template(
        "console/inquiries.html",
        inquiries=rows[:PER_PAGE],
        clocks={
            row.id: workflow.clock(row, now, settings.call_centre, settings.reply_target_hours)
            for row in rows[:PER_PAGE]
        },
        mine=mine,
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
    if not inquiry.email:
        form.body.errors = [
            "メールアドレスのないお問い合わせです。お電話で回答し、メモに残してください。"
        ]
        return _detail_page(inquiry, StatusForm(status=inquiry.status), NoteForm(), form), 400
    if not form.validate_on_submit():
        return _detail_page(inquiry, StatusForm(status=inquiry.status), NoteForm(), form), 400
    database = db.session()
    who = current_user().email
    if replies.just_sent(inquiry, form.body.data, current_settings()):
        # The same reply a moment ago: a double click or a resend, not a second answer.
        flash("同じ回答をすでに送信しています。", "info")
        return redirect(
            url_for("console.inquiry_detail", inquiry_id=inquiry.id, _anchor="thread"), code=303
        )
    replies.queue_reply(database, inquiry, form.body.data, who, current_settings())
    if request.form.get("then_waiting") and inquiry.status != InquiryStatus.DONE:
        # Answered: the ball is in the inquirer's court until they write back.
        workflow.change_status(inquiry, InquiryStatus.WAITING, who)
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
    if workflow.change_status(inquiry, form.status.data, current_user().email):
        db.session().commit()
        flash(f"状態を「{STATUS_LABELS[form.status.data]}」にしました。", "info")
    return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry.id), code=303)


@bp.route("/inquiries/new", methods=["GET", "POST"])
@roles_required("agent")
def new_phone_inquiry():
    """Record a call to the call centre as an inquiry (channel 電話), with a receipt number to
    tell the caller; assigned to the agent who took it, acknowledged by mail if an address is
    given. Free text is stored masked, as from the form."""
    form = PhoneInquiryForm()
    if request.method == "GET":
        form.submission_token.data = secrets.token_urlsafe(16)
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("console/phone_inquiry.html", form=form), status
    me = current_user()

    def inquiry(receipt_number: str) -> Inquiry:
        return Inquiry(
            receipt_number=receipt_number,
            submission_token=f"phone-{form.submission_token.data}",
            status=InquiryStatus.IN_PROGRESS,
            channel=Channel.PHONE,
            name=form.name.data,
            facility_name=form.facility_name.data,
            facility_type=form.facility_type.data,
            email=form.email.data or "",
            phone=form.phone.data,
            category=form.category.data,
            message=masked_text(form.message.data),
            assignee=me,
        )

    # An agent has the call already: no notice to the agents.
    stored, new = insert_new(inquiry, notify=False)
    if new:
        flash(
            f"電話のお問い合わせを記録しました。受付番号は {stored.receipt_number} です。", "info"
        )
    return redirect(url_for("console.inquiry_detail", inquiry_id=stored.id), code=303)


@bp.post("/inquiries/<int:inquiry_id>/assign")
@roles_required("agent")
def assign(inquiry_id: int):
    inquiry = _inquiry_or_404(inquiry_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    me = current_user()
    choice = form.assignee.data
    assignee = me if choice == "me" else None
    if choice not in ("", "me"):
        number = int(choice) if choice.isdigit() and len(choice) <= 9 else None
        assignee = db.session().get(User, number) if number is not None else None
        if assignee is None or not assignee.active or assignee.role not in ("agent", "admin"):
            flash("担当にできるのは有効なオペレーターか管理者だけです。", "error")
            return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry.id), code=303)
    if workflow.assign(inquiry, assignee, me.email):
        db.session().commit()
        flash(f"担当を {assignee.email} にしました。" if assignee else "担当を外しました。", "info")
    return redirect(url_for("console.inquiry_detail", inquiry_id=inquiry.id), code=303)


@bp.post("/inquiries/<int:inquiry_id>/reopen")
@roles_required("agent")
def reopen(inquiry_id: int):
    """A finished inquiry that needs more work (the inquirer wrote back) goes back to 対応中."""
    inquiry = _inquiry_or_404(inquiry_id)
    if not AssignForm().validate_on_submit():
        abort(400)
    if inquiry.status in (InquiryStatus.DONE, InquiryStatus.WAITING):
        workflow.change_status(inquiry, InquiryStatus.IN_PROGRESS, current_user().email)
        db.session().commit()
        flash("対応を再開しました（対応中）。", "info")
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
    # Articles to start a reply from: those the question itself finds, or the agent's own
    # search (?find=…) when it finds something else.
    find = clean(request.args.get("find"), nfkc=True).strip()[:200]
    hits = search_engine().search(find or inquiry.message[:400], limit=5 if find else 3,
                                  highlight=False).hits  # fmt: skip
    settings = current_settings()
    agents = (
        db.session()
        .scalars(
            select(User).where(User.active, User.role.in_(("agent", "admin"))).order_by(User.email)
        )
        .all()
    )
    return render_template(
        "console/inquiry.html",
        inquiry=inquiry,
        clock=workflow.clock(
            inquiry, clock.now(), settings.call_centre, settings.reply_target_hours
        ),
        agents=agents,
        channel_labels=Channel.labels(),
        InquiryStatus=InquiryStatus,
        status_form=status_form,
        note_form=note_form,
        reply_form=reply_form,
        thread=replies.thread(inquiry),
        mail_states=outbox.STATE_LABELS,
        suggested=hits,
        find=find,
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
