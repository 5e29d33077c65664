"""Editing articles in the console (editors; admins too): the pages of web.console.revisions.

- `/console/articles/`                   approvals waiting, the editor's drafts, every article
- `/console/articles/new`, `…/<id>/edit` the form; 「プレビュー」 posts it into the preview frame
                                         (no JavaScript needed), editor.js does so while typing
- `/console/articles/preview`            the draft as the public page, with its kb check problems
                                         and the rank of each of its queries (framed, same origin)
- `/console/revisions/<n>`               one revision: its diff, preview, approve / reject / revert
- `/console/articles/<id>/history`       every revision; a diff between any two
- `/console/audit`                       admins: who changed what and when
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from kb.article_format import ArticleSource, from_text
from kb.categories import CATEGORY_BY_ID
from kb.check import TOP_N
from kb.drafts import Conflict, Refused, Retired, retired_article, sha256_text
from web.accounts.auth import current_user, roles_required
from web.console import bp
from web.console import revisions as service
from web.console.editor_forms import ArticleForm
from web.console.preview import site_context, working_tree
from web.core import clock, db
from web.core.knowledge import search_engine
from web.core.models import ArticleRevision, AuditEvent
from web.core.security import FRAMEABLE_ENDPOINTS, frameable
from web.settings import current_settings

NEW_ARTICLE_REVIEW_DAYS = 90
# The preview frame shows these, and their error pages (413, an expired login) too.
FRAMEABLE_ENDPOINTS.update({"console.preview_draft", "console.revision_preview", "console.preview"})
ARTICLE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _article_id_or_404(article_id: str) -> str:
    if not ARTICLE_ID.match(article_id) or len(article_id) > 100:
        abort(404)
    return article_id


def _me() -> str:
    return current_user().email


@bp.get("/articles/")
@roles_required("editor")
def articles():
    database = db.session()
    waiting = database.scalars(
        select(ArticleRevision)
        .where(ArticleRevision.status == "submitted")
        .order_by(ArticleRevision.updated_at)
    ).all()
    mine = database.scalars(
        select(ArticleRevision)
        .where(
            ArticleRevision.author_email == _me(),
            ArticleRevision.status.in_(("draft", "rejected")),
        )
        .order_by(ArticleRevision.updated_at.desc())
    ).all()
    tree = working_tree()
    return render_template(
        "console/articles.html",
        section="articles",
        waiting=waiting,
        mine=mine,
        articles=sorted(tree.loaded.articles.values(), key=lambda a: (a.category, a.id)),
        categories=CATEGORY_BY_ID,
        status_labels=service.STATUS_LABELS,
        kind_labels=service.KIND_LABELS,
        four_eyes=_four_eyes(),
    )


@bp.route("/articles/new", methods=["GET", "POST"])
@roles_required("editor")
def new_article():
    form = ArticleForm()
    if request.method == "GET":
        today = clock.today()
        # The shortest review interval the README asks for (content with dates or undecided
        # points): editors lengthen it for stable content.
        form.fill(
            ArticleSource(
                reviewed=today.isoformat(),
                updated=today.isoformat(),
                review_by=(today + dt.timedelta(days=NEW_ARTICLE_REVIEW_DAYS)).isoformat(),
                review_note="新しい記事: 3か月後に確認",
                category="overview",
            )
        )
        return _edit_page(form, None)
    return _save(form, None)


@bp.route("/articles/<article_id>/edit", methods=["GET", "POST"])
@roles_required("editor")
def edit_article(article_id: str):
    article_id = _article_id_or_404(article_id)
    current = service.current_text(article_id)
    draft = service.open_draft(db.session(), article_id, _me())
    if current is None and draft is None:
        abort(404)
    form = ArticleForm()
    if request.method == "GET":
        source = from_text(draft.text if draft else current)
        if source is None:  # a file that does not load: fix it in the file first
            return redirect(url_for("console.preview", article_id=article_id))
        form.fill(source)
        form.reason.data = draft.reason if draft else ""
        return _edit_page(form, article_id, draft=draft)
    return _save(form, article_id, draft=draft)


def _save(form: ArticleForm, article_id: str | None, draft=None):
    action = request.form.get("action", "save")
    if not form.validate():
        return _edit_page(form, article_id, draft=draft), 422
    published = service.current_text(article_id) if article_id else None
    before = from_text(published) if published else None
    source = form.source(order=before.order if before else "")
    if article_id is None:  # new: the id is the one typed, and must be free
        article_id = source.id
        if not ARTICLE_ID.match(article_id):
            form.article_id.errors = ["記事のIDは英小文字・数字・ハイフンだけで書いてください。"]
            return _edit_page(form, None), 422
        if service.current_text(article_id) is not None:
            form.article_id.errors = [f"「{article_id}」という記事はすでにあります。"]
            return _edit_page(form, None), 422
        if retired_article(service.articles_dir(), article_id) is not None:
            form.article_id.errors = [
                f"「{article_id}」は公開を終えた記事のIDです（URL が同じになるため使えません）。"
            ]
            return _edit_page(form, None), 422
    elif source.id != article_id:
        form.article_id.errors = ["記事のIDは変えられません（URL が変わるため）。"]
        return _edit_page(form, article_id, draft=draft), 422
    if request.form.get("draft_version", "") != draft_version(draft):
        # Another tab (or window) saved this draft after this page was opened.
        return _edit_page(form, article_id, draft=draft, overtaken=True), 409
    if before is not None and source.updated == before.updated and _text_changed(before, source):
        source.updated = clock.today().isoformat()  # 「文章を変えた日」 follows the text
    database = db.session()
    kind = "new" if published is None else "edit"
    revision = service.save_draft(
        database,
        article_id,
        source.to_text(),
        _me(),
        form.reason.data or "",
        kind=kind,
        rebase=bool(request.form.get("rebase")),
    )
    if action == "submit":
        problems = service.submit(database, revision, _me())
        database.commit()
        if problems:
            return _edit_page(form, article_id, draft=revision, problems=problems), 422
        flash("承認を依頼しました。ほかの編集者が承認すると公開されます。", "success")
        return redirect(url_for("console.revision", revision_id=revision.id), code=303)
    database.commit()
    flash("下書きを保存しました（まだ公開されていません）。", "success")
    return redirect(url_for("console.edit_article", article_id=article_id), code=303)


def draft_version(draft: ArticleRevision | None) -> str:
    """What the edit page saw of the editor's draft: saving checks it is still so."""
    return f"{draft.id}-{sha256_text(draft.text)[:16]}" if draft is not None else ""


def _text_changed(before: ArticleSource, after: ArticleSource) -> bool:
    return (before.title, before.answer, before.body.strip()) != (
        after.title,
        after.answer,
        after.body.strip(),
    )


def _edit_page(
    form: ArticleForm, article_id: str | None, draft=None, problems=None, overtaken=False
):
    retired = article_id is not None and service.is_retired(article_id)
    stale = draft is not None and draft.kind != "new" and not retired and service.is_stale(draft)
    current = service.current_text(article_id) if stale else None
    return render_template(
        "console/article_edit.html",
        section="articles",
        form=form,
        article_id=article_id,
        draft=draft,
        problems=problems or [],
        four_eyes=_four_eyes(),
        status_labels=service.STATUS_LABELS,
        other_articles=sorted(search_engine().articles) if article_id else [],
        stale=stale,
        conflict_diff=service.diff(current or "", draft.text) if stale else [],
        retired=retired,
        published=article_id is not None and service.current_text(article_id) is not None,
        overtaken=overtaken,
        overtaken_diff=service.diff(draft.text, form.source().to_text()) if overtaken else [],
        draft_version=draft_version(draft),
        retired_note=service.RETIRED_NOTE,
    )


@bp.post("/articles/preview")
@roles_required("editor")
def preview_draft():
    """The form's article as the public page shows it, with its problems and query ranks."""
    form = ArticleForm()
    form.validate()  # errors are shown by kb check's own words below; the text is what counts
    source = form.source()
    article_id = source.id if ARTICLE_ID.match(source.id or "") else "new-article"
    return _framed_preview(source.to_text(), article_id)


@bp.get("/revisions/<int:revision_id>/preview")
@roles_required("editor")
def revision_preview(revision_id: int):
    revision = db.session().get(ArticleRevision, revision_id) or abort(404)
    return _framed_preview(revision.text, revision.article_id)


def _framed_preview(text: str, article_id: str):
    result, problems = service.check(text, article_id)
    context = {
        "problems": problems,
        "ranks": result.ranks,
        "top_n": TOP_N,
        "preview_path": f"{article_id}.md（下書き）",
    }
    if result.article is None:
        page = render_template(
            "console/preview_broken.html",
            article_id=article_id,
            path=f"{article_id}.md（下書き）",
            problems=problems,
            source=text,
        )
    else:
        page = render_template(
            "console/preview_article.html", **site_context(result.engine, result.article), **context
        )
    return frameable(make_response(page))


@bp.get("/revisions/<int:revision_id>")
@roles_required("editor")
def revision(revision_id: int):
    database = db.session()
    item = database.get(ArticleRevision, revision_id) or abort(404)
    current = service.current_text(item.article_id)
    compared_with = current if current is not None else ""
    return render_template(
        "console/revision.html",
        section="articles",
        revision=item,
        diff=service.diff(compared_with, item.text if item.kind != "retire" else ""),
        is_current=current is not None and current == item.text,
        can_approve=item.status == "submitted" and (not _four_eyes() or item.author_email != _me()),
        four_eyes=_four_eyes(),
        status_labels=service.STATUS_LABELS,
        kind_labels=service.KIND_LABELS,
    )


@bp.post("/revisions/<int:revision_id>/approve")
@roles_required("editor")
def approve(revision_id: int):
    database = db.session()
    item = database.get(ArticleRevision, revision_id) or abort(404)
    try:
        service.approve(database, item, _me())
    except service.NotAllowed as error:
        database.rollback()
        flash(str(error), "error")
    except Refused as refused:
        database.commit()  # the refusal is audited
        flash(
            "問題があるため公開しませんでした: "
            + " / ".join(
                f"{Path(p.path).name} {p.line}行目 {p.message}" for p in refused.problems[:5]
            ),
            "error",
        )
    except Retired:
        database.commit()
        flash(service.RETIRED_NOTE, "error")
    except Conflict:
        database.commit()
        flash(
            "この下書きを書き始めたあとに、記事のファイルが変わっています（ほかの人が公開したか、"
            "ファイルが直接編集されました）。上書きはしていません。最新の内容から編集し直してください。",
            "error",
        )
    else:
        flash("承認して公開しました。数秒でサイトと検索に反映されます。", "success")
    return redirect(url_for("console.revision", revision_id=revision_id), code=303)


@bp.post("/revisions/<int:revision_id>/reject")
@roles_required("editor")
def reject(revision_id: int):
    database = db.session()
    item = database.get(ArticleRevision, revision_id) or abort(404)
    try:
        service.reject(database, item, _me(), (request.form.get("note") or "").strip())
        database.commit()
        flash("差し戻しました。書いた人が直して、もう一度依頼できます。", "success")
    except service.NotAllowed as error:
        database.rollback()
        flash(str(error), "error")
    return redirect(url_for("console.revision", revision_id=revision_id), code=303)


@bp.post("/revisions/<int:revision_id>/revert")
@roles_required("editor")
def revert(revision_id: int):
    item = db.session().get(ArticleRevision, revision_id) or abort(404)
    return _ask_approval(
        lambda database: service.revert_to(database, item, _me()),
        "この版に戻す変更を作り、承認を依頼しました。",
        url_for("console.revision", revision_id=revision_id),
    )


@bp.post("/articles/<article_id>/reviewed")
@roles_required("editor")
def mark_reviewed(article_id: str):
    article_id = _article_id_or_404(article_id)
    return _ask_approval(
        lambda database: service.mark_reviewed(database, article_id, _me(), clock.today()),
        "確認日を今日にする変更を作り、承認を依頼しました。",
        url_for("console.review"),
    )


@bp.post("/articles/<article_id>/retire")
@roles_required("editor")
def retire(article_id: str):
    article_id = _article_id_or_404(article_id)
    successor = (request.form.get("replaced_by") or "").strip() or None
    if successor is not None and (
        successor == article_id or successor not in search_engine().articles
    ):
        flash("後継の記事は、公開中のほかの記事から選んでください。", "error")
        return redirect(url_for("console.edit_article", article_id=article_id), code=303)
    reason = (request.form.get("reason") or "").strip()
    return _ask_approval(
        lambda database: service.ask_retirement(database, article_id, _me(), successor, reason),
        "公開を終える変更を作り、承認を依頼しました。",
        url_for("console.articles"),
    )


def _ask_approval(create, done: str, refused_to: str):
    """Make a revision submitted for approval (`create(database)`) and go to it; when it is
    not allowed, say why and go back to `refused_to`."""
    database = db.session()
    try:
        new = create(database)
        database.commit()
    except service.NotAllowed as error:
        database.rollback()
        flash(str(error), "error")
        return redirect(refused_to, code=303)
    flash(done, "success")
    return redirect(url_for("console.revision", revision_id=new.id), code=303)


@bp.get("/articles/<article_id>/history")
@roles_required("editor")
def history(article_id: str):
    article_id = _article_id_or_404(article_id)
    database = db.session()
    items = service.history(database, article_id)
    by_id = {item.id: item for item in items}
    compared = None
    try:
        first, second = int(request.args.get("a", "")), int(request.args.get("b", ""))
    except ValueError:
        first = second = None
    if first in by_id and second in by_id:
        compared = (
            by_id[first],
            by_id[second],
            service.diff(by_id[first].text, by_id[second].text),
        )
    if not items and service.current_text(article_id) is None:
        retired = retired_article(service.articles_dir(), article_id)
        if retired is None:
            abort(404)
    return render_template(
        "console/article_history.html",
        section="articles",
        article_id=article_id,
        revisions=items,
        compared=compared,
        status_labels=service.STATUS_LABELS,
        kind_labels=service.KIND_LABELS,
    )


@bp.get("/audit")
@roles_required("admin")
def audit():
    events = (
        db.session()
        .scalars(
            select(AuditEvent)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(500)
        )
        .all()
    )
    return render_template(
        "console/audit.html", section="audit", events=events, labels=service.AUDIT_LABELS
    )


def _four_eyes() -> bool:
    return current_settings().four_eyes
