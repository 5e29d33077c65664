"""Article revisions: drafts, approval (four-eyes), publication, revert, retirement, audit.

Every change an editor makes in the console is an `ArticleRevision`:
    draft ─submit→ submitted ─approve→ published
                       └────reject→ rejected (the author can edit the draft again)
Approval is by another editor unless HELPDESK_FOUR_EYES is off. Publishing runs the checks of
`kb check` (kb.drafts), writes the file atomically (committing it in a Git working tree), and
refreshes the index, which every worker serves within its check interval. The first publication
of an article through the console keeps the file as it was as a "baseline" revision, so that any
console change can be reverted. Every step is recorded as an `AuditEvent`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.article_format import from_text
from kb.check import TOP_N
from kb.drafts import (
    Conflict,
    DraftCheck,
    Refused,
    Retired,
    check_draft,
    check_retirement,
    file_sha256,
    publish,
    rank_problems,
    retire,
    retired_article,
)
from kb.problems import Problem
from web.core.knowledge import knowledge_base
from web.core.models import ArticleRevision, AuditEvent, utcnow
from web.settings import current_settings

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "draft": "下書き",
    "submitted": "承認待ち",
    "published": "公開済み",
    "rejected": "差し戻し",
}
KIND_LABELS = {
    "baseline": "ファイルの版",
    "new": "新しい記事",
    "edit": "編集",
    "revert": "以前の版に戻す",
    "review": "確認済み",
    "retire": "公開終了",
}
AUDIT_LABELS = {
    "save": "下書きを保存",
    "submit": "承認を依頼",
    "approve": "承認して公開",
    "reject": "差し戻し",
    "revert": "以前の版に戻す依頼",
    "review": "確認済みの依頼",
    "retire": "公開終了の依頼",
    "conflict": "競合のため公開せず",
    "refused": "問題があるため公開せず",
}
BASELINE_AUTHOR = "（ファイル）"


class NotAllowed(Exception):
    """The step is not allowed for this user or in this state; the message says why (Japanese)."""


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "add", "remove", "context", "hunk"
    text: str


def articles_dir() -> Path:
    return current_settings().articles_dir


def current_text(article_id: str) -> str | None:
    path = articles_dir() / f"{article_id}.md"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def audit(
    database: Session, actor: str, action: str, article_id: str, revision=None, detail=""
) -> None:
    database.add(
        AuditEvent(
            actor_email=actor,
            action=action,
            article_id=article_id,
            revision_id=revision.id if revision is not None else None,
            detail=detail[:300],
        )
    )


CONFLICT_NOTE = (
    "この版を書き始めたあとに、記事のファイルが変わりました（ほかの版の公開か、ファイルの直接の"
    "編集）。最新の公開内容との違いを確かめてから、もう一度依頼してください。"
)


RETIRED_NOTE = (
    "この記事は公開を終了しています。内容を使うときは、新しい記事として（別のIDで）書いてください。"
)


def is_retired(article_id: str) -> bool:
    return (
        current_text(article_id) is None and retired_article(articles_dir(), article_id) is not None
    )


def open_draft(database: Session, article_id: str, author: str) -> ArticleRevision | None:
    """The author's unpublished edit of the article (draft, rejected, or submitted: editing it
    again withdraws it from approval), if any."""
    return database.scalar(
        select(ArticleRevision)
        .where(
            ArticleRevision.article_id == article_id,
            ArticleRevision.author_email == author,
            ArticleRevision.kind.in_(("edit", "new", "revert")),
            ArticleRevision.status.in_(("draft", "rejected", "submitted")),
        )
        .order_by(ArticleRevision.id.desc())
    )


def pending(database: Session, article_id: str, kind: str) -> ArticleRevision | None:
    """A revision of this kind already waiting for approval (asking twice makes no second)."""
    return database.scalar(
        select(ArticleRevision).where(
            ArticleRevision.article_id == article_id,
            ArticleRevision.kind == kind,
            ArticleRevision.status == "submitted",
        )
    )


def is_stale(revision: ArticleRevision) -> bool:
    """The published file is no longer the one the revision began from."""
    return file_sha256(articles_dir() / f"{revision.article_id}.md") != revision.base_sha256


def save_draft(
    database: Session,
    article_id: str,
    text: str,
    author: str,
    reason: str,
    kind: str = "edit",
    base_sha256: str | None = None,
    rebase: bool = False,
) -> ArticleRevision:
    """Store `text` as the author's draft of the article (updating their open draft; a
    double-click on 「承認を依頼」 finds the same text already submitted and changes nothing).
    `rebase`: the author has seen the published file change and writes over the new one."""
    revision = open_draft(database, article_id, author) if kind in ("edit", "new") else None
    if revision is not None and revision.status == "submitted" and revision.text == text:
        return revision
    if revision is not None and rebase:
        revision.base_sha256 = file_sha256(articles_dir() / f"{article_id}.md")
    if revision is None:
        keep_file_state(database, article_id)
        base = base_sha256
        if base is None:
            base = file_sha256(articles_dir() / f"{article_id}.md")
        revision = ArticleRevision(
            article_id=article_id, author_email=author, kind=kind, base_sha256=base, text=text
        )
        database.add(revision)
    revision.text = text
    revision.reason = reason[:300]
    revision.status = "draft"
    database.flush()
    audit(database, author, "save", article_id, revision, reason)
    return revision


def check(revision_text: str, article_id: str) -> tuple[DraftCheck, list]:
    """The draft's check and every problem that blocks publication, as `kb check` words them."""
    settings = current_settings()
    result = check_draft(
        revision_text,
        article_id,
        settings.articles_dir,
        settings.sources_dir,
        settings.review_interval_days,
    )
    return result, result.problems + rank_problems(result, TOP_N)


def submit(database: Session, revision: ArticleRevision, actor: str) -> list:
    """Ask for approval. Refused (the problems returned, the draft kept) when checks fail."""
    if revision.author_email != actor:
        raise NotAllowed("ほかの編集者の下書きは送れません。")
    if revision.status == "submitted":
        return []  # asked already (a second click)
    if revision.status not in ("draft", "rejected"):
        raise NotAllowed("この版はすでに公開済みです。")
    if is_retired(revision.article_id):
        return [Problem(Path(f"{revision.article_id}.md"), 0, RETIRED_NOTE)]
    if is_stale(revision):
        return [Problem(Path(f"{revision.article_id}.md"), 0, CONFLICT_NOTE)]
    if revision.kind != "retire":
        _, problems = check(revision.text, revision.article_id)
        if problems:
            return problems
    revision.status = "submitted"
    revision.reviewer_email = None  # an earlier rejection is history, not this request's state
    revision.decided_at = None
    revision.decision_note = ""
    audit(database, actor, "submit", revision.article_id, revision, revision.reason)
    return []


def approve(database: Session, revision: ArticleRevision, reviewer: str) -> None:
    """Publish a submitted revision. Raises NotAllowed (four-eyes, state), Refused (checks) or
    Conflict (the file changed on disk since the draft began)."""
    settings = current_settings()
    if revision.status != "submitted":
        raise NotAllowed("承認を依頼された版だけを承認できます。")
    if settings.four_eyes and revision.author_email == reviewer:
        raise NotAllowed("自分で書いた版は承認できません。ほかの編集者に承認を依頼してください。")
    if revision.kind == "retire":
        problems = check_retirement(
            revision.article_id, settings.articles_dir, settings.sources_dir
        )
    else:
        _, problems = check(revision.text, revision.article_id)
    if problems:
        audit(database, reviewer, "refused", revision.article_id, revision)
        raise Refused(problems)
    keep_file_state(database, revision.article_id)
    message = (
        f"{KIND_LABELS.get(revision.kind, revision.kind)}: {revision.article_id}"
        + (f"（{revision.reason}）" if revision.reason else "")
        + f"\n\n承認: {reviewer}"
    )
    lock = settings.resolved_index_dir.parent / "publish.lock"
    try:
        if revision.kind == "retire":
            published = retire(
                revision.article_id,
                settings.articles_dir,
                revision.base_sha256,
                revision.replaced_by,
                revision.author_email,
                message,
                lock,
            )
        else:
            published = publish(
                revision.text,
                revision.article_id,
                settings.articles_dir,
                revision.base_sha256,
                revision.author_email,
                message,
                lock,
            )
    except Retired:
        _send_back(revision, reviewer, RETIRED_NOTE)
        audit(database, reviewer, "conflict", revision.article_id, revision, "retired")
        raise
    except Conflict:
        # Back to its author as a draft, out of the queue: they compare and ask again.
        _send_back(revision, reviewer, CONFLICT_NOTE)
        audit(database, reviewer, "conflict", revision.article_id, revision)
        raise
    revision.status = "published"
    revision.reviewer_email = reviewer
    revision.decided_at = utcnow()
    revision.published_sha256 = published.sha256
    audit(database, reviewer, "approve", revision.article_id, revision, published.commit or "")
    for other in database.scalars(
        select(ArticleRevision).where(
            ArticleRevision.article_id == revision.article_id,
            ArticleRevision.status == "submitted",
            ArticleRevision.id != revision.id,
        )
    ):
        _send_back(other, reviewer, CONFLICT_NOTE)
    database.commit()
    # The file is published: the index follows now in this worker, the others within seconds.
    report = knowledge_base().refresh()
    if report.problems:
        log.error("公開後の索引の更新で問題がありました（%d 件）", len(report.problems))


def _send_back(revision: ArticleRevision, reviewer: str, note: str) -> None:
    revision.status = "rejected"
    revision.reviewer_email = reviewer
    revision.decided_at = utcnow()
    revision.decision_note = note[:300]


def reject(database: Session, revision: ArticleRevision, reviewer: str, note: str) -> None:
    if revision.status != "submitted":
        raise NotAllowed("承認を依頼された版だけを差し戻せます。")
    if not note.strip():
        raise NotAllowed("差し戻す理由を書いてください（書いた人が直すときの手がかりになります）。")
    revision.status = "rejected"
    revision.reviewer_email = reviewer
    revision.decided_at = utcnow()
    revision.decision_note = note[:300]
    audit(database, reviewer, "reject", revision.article_id, revision, note)


def revert_to(database: Session, revision: ArticleRevision, actor: str) -> ArticleRevision:
    """A new revision with an earlier revision's text, submitted for approval."""
    if revision.kind == "retire" or revision.status != "published":
        raise NotAllowed("公開された版にだけ戻せます。")
    if not file_sha256(articles_dir() / f"{revision.article_id}.md"):
        raise NotAllowed("公開が終わった記事は戻せません。")
    if current_text(revision.article_id) == revision.text:
        raise NotAllowed("この版は今の公開内容と同じです。")
    waiting = pending(database, revision.article_id, "revert")
    if waiting is not None and waiting.text == revision.text:
        return waiting
    return _request(
        database, revision.article_id, actor, "revert", revision.text, f"第{revision.id}版に戻す"
    )


def mark_reviewed(
    database: Session, article_id: str, actor: str, today: dt.date
) -> ArticleRevision:
    """A revision with `reviewed` today and `review_by` as far ahead as before (at most the
    longest interval), submitted for approval like any change."""
    waiting = pending(database, article_id, "review")
    if waiting is not None:
        return waiting
    text = current_text(article_id)
    source = from_text(text) if text is not None else None
    if source is None:
        raise NotAllowed("この記事のファイルを読めません。記事プレビューで問題を確かめてください。")
    try:
        span = (
            dt.date.fromisoformat(source.review_by) - dt.date.fromisoformat(source.reviewed)
        ).days
    except ValueError:
        span = current_settings().review_interval_days
    span = max(1, min(span, current_settings().review_interval_days))
    reviewed = source.with_review(
        today.isoformat(), (today + dt.timedelta(days=span)).isoformat(), source.review_note
    )
    return _request(
        database,
        article_id,
        actor,
        "review",
        reviewed.to_text(),
        "最新の公式情報と照らして確認した",
    )


def ask_retirement(
    database: Session, article_id: str, actor: str, replaced_by: str | None, reason: str
) -> ArticleRevision:
    text = current_text(article_id)
    if text is None:
        raise NotAllowed("この記事はすでに公開されていません。")
    waiting = pending(database, article_id, "retire")
    if waiting is not None:
        return waiting
    settings = current_settings()
    problems = check_retirement(article_id, settings.articles_dir, settings.sources_dir)
    if problems:
        raise NotAllowed(
            "ほかの記事がこの記事を参照しているため、公開を終えられません。先に次の箇所から"
            "この記事へのリンク（related や本文のリンク）を外してください: "
            + "、".join(f"{Path(p.path).name} {p.line}行目" for p in problems[:8])
        )
    return _request(
        database, article_id, actor, "retire", text, reason, replaced_by=replaced_by or None
    )


def _request(
    database: Session,
    article_id: str,
    actor: str,
    kind: str,
    text: str,
    reason: str,
    replaced_by: str | None = None,
) -> ArticleRevision:
    """A revision of the published file, submitted for approval at once (revert, review,
    retire), after the file's own version is kept."""
    keep_file_state(database, article_id)
    new = ArticleRevision(
        article_id=article_id,
        author_email=actor,
        kind=kind,
        status="submitted",
        base_sha256=file_sha256(articles_dir() / f"{article_id}.md"),
        text=text,
        replaced_by=replaced_by,
        reason=reason[:300],
    )
    database.add(new)
    database.flush()
    audit(database, actor, kind, article_id, new, replaced_by or new.reason)
    return new


def history(database: Session, article_id: str) -> list[ArticleRevision]:
    return list(
        database.scalars(
            select(ArticleRevision)
            .where(ArticleRevision.article_id == article_id)
            .order_by(ArticleRevision.id.desc())
        )
    )


def diff(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """A line diff of two file texts (difflib's unified diff), as lines to show."""
    lines = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), "前", "後", lineterm="", n=context
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "remove"}.get(line[:1], "context")
        lines.append(DiffLine(kind, line))
    return lines


def keep_file_state(database: Session, article_id: str) -> None:
    """Keep the published file as a revision when the history does not hold it yet: before the
    console's first change of an article, and after the file was edited outside the console
    (so that state can be compared and reverted to, and is never credited to an editor).
    Called when a new revision begins, so the history stays in order."""
    path = articles_dir() / f"{article_id}.md"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    latest = database.scalar(
        select(ArticleRevision)
        .where(ArticleRevision.article_id == article_id, ArticleRevision.status == "published")
        .order_by(ArticleRevision.id.desc())
    )
    if latest is not None and latest.kind != "retire" and latest.text == text:
        return
    database.add(
        ArticleRevision(
            article_id=article_id,
            author_email=BASELINE_AUTHOR,
            kind="baseline",
            status="published",
            text=text,
            base_sha256="",
            published_sha256=file_sha256(path),
            reason="管理画面で最初に変更する前のファイル"
            if latest is None
            else "管理画面の外でファイルが変更された",
        )
    )
    database.flush()
