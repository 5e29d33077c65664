"""Editing articles in the console: drafts, checks, four-eyes approval, publication as a file,
the index following, conflicts, history, revert, retirement and the audit trail."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from kb import ARTICLES_DIR
from kb.article_format import from_text
from web.core import db
from web.core.knowledge import search_engine
from web.core.models import ArticleRevision, AuditEvent

ARTICLE = "subsidy-period"
MARKER = "麒麟草"  # a word no article contains: search shows where it went


@pytest.fixture
def editor_app(make_app, tmp_path):
    """An app on its own copy of the articles and its own index: publishing writes both."""
    articles = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, articles)
    return make_app(
        index_dir=tmp_path / "index",
        instance=tmp_path / "instance",
        articles_dir=articles,
        refresh_index_on_start=True,
    )


@pytest.fixture
def editors(editor_app, logged_in):
    return (
        logged_in(editor_app, "editor", "hanako@helpdesk.example.jp"),
        logged_in(editor_app, "editor", "taro@helpdesk.example.jp"),
    )


def articles_dir(app):
    return app.extensions["settings"].articles_dir


def fields(app, of=ARTICLE, **changes) -> dict:
    """The edit form's fields for the article's file as it is on disk, with `changes`."""
    source = from_text((articles_dir(app) / f"{of}.md").read_text(encoding="utf-8"))
    data = {
        "article_id": source.id,
        "title": source.title,
        "category": source.category,
        "answer": source.answer,
        "tags": "\n".join(source.tags),
        "queries": "\n".join(source.queries),
        "related": "\n".join(source.related),
        "sources": "\n".join(source.sources),
        "evidence": "\n".join(source.evidence),
        "reviewed": source.reviewed,
        "review_by": source.review_by,
        "review_note": source.review_note,
        "updated": source.updated,
        "body": source.body,
        "reason": "文言の修正",
    }
    data.update(changes)
    return data


def post_form(client, url, data, csrf_token_from, action="save"):
    """The edit form posted as from a page just opened (its CSRF token and draft version)."""
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="draft_version" value="([^"]*)"', page)
    form = {"draft_version": version.group(1) if version else "", **data}
    return client.post(url, data={**form, "action": action, "csrf_token": csrf_token_from(page)})


def post(client, url, csrf_token_from, **data):
    page = client.get("/console/articles/").get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token_from(page)})


def revisions(app, **where) -> list[ArticleRevision]:
    """The revisions matching `where`, oldest first; the file's own versions ("baseline") only
    when asked for by kind."""
    with app.app_context():
        query = select(ArticleRevision).order_by(ArticleRevision.id)
        if "kind" not in where:
            query = query.where(ArticleRevision.kind != "baseline")
        for name, value in where.items():
            query = query.where(getattr(ArticleRevision, name) == value)
        return list(db.session().scalars(query))


def found(app, query: str) -> list[str]:
    with app.app_context():
        return [hit.id for hit in search_engine().search(query, highlight=False).hits]


def committed_git_tree(folder) -> list[str]:
    """Make `folder` a Git working tree with everything committed; the git command for it."""
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "articles"], check=True)
    return git


def submitted(app, client, csrf_token_from, answer) -> ArticleRevision:
    url = f"/console/articles/{ARTICLE}/edit"
    response = post_form(client, url, fields(app, answer=answer), csrf_token_from, "submit")
    assert response.status_code == 303, response.get_data(as_text=True)
    (revision,) = revisions(app, status="submitted")
    return revision


def test_a_draft_is_kept_in_the_database_and_the_file_is_untouched(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    path = articles_dir(editor_app) / f"{ARTICLE}.md"
    before = path.read_text(encoding="utf-8")
    answer = f"{MARKER}。申請は当分の間受け付けています。"
    url = f"/console/articles/{ARTICLE}/edit"
    assert (
        post_form(hanako, url, fields(editor_app, answer=answer), csrf_token_from).status_code
        == 303
    )
    assert path.read_text(encoding="utf-8") == before
    (draft,) = revisions(editor_app)
    assert (draft.status, draft.author_email) == ("draft", "hanako@helpdesk.example.jp")
    assert f"answer: {answer}" in draft.text
    # The editor comes back to their draft, not to the published file.
    assert MARKER in hanako.get(url).get_data(as_text=True)
    assert found(editor_app, MARKER) == []


def test_a_draft_with_problems_cannot_be_submitted_and_says_which(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    url = f"/console/articles/{ARTICLE}/edit"
    for changes, problem in (
        ({"queries": "補助金"}, "queries は 3〜6 件にしてください（今は 1 件）"),
        (
            {"evidence": "どの出典にも書かれていない文"},
            "evidence「どの出典にも書かれていない文」が出典",
        ),
    ):
        response = post_form(hanako, url, fields(editor_app, **changes), csrf_token_from, "submit")
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "承認を依頼できませんでした" in page and problem in page
    assert [r.status for r in revisions(editor_app)] == ["draft"]


def test_the_author_cannot_approve_and_another_editor_publishes_the_file(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    answer = f"{MARKER}。令和6年12月11日から当分の間、申請を受け付けています。"
    revision = submitted(editor_app, hanako, csrf_token_from, answer)
    page = hanako.get(f"/console/revisions/{revision.id}").get_data(as_text=True)
    assert "自分で書いた変更は承認できません" in page
    post(hanako, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert revisions(editor_app, id=revision.id)[0].status == "submitted"

    response = post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert response.status_code == 303
    published = revisions(editor_app, id=revision.id)[0]
    assert (published.status, published.reviewer_email) == (
        "published",
        "taro@helpdesk.example.jp",
    )
    path = articles_dir(editor_app) / f"{ARTICLE}.md"
    assert path.read_text(encoding="utf-8") == published.text  # the editor's text, exactly
    assert found(editor_app, MARKER)[:1] == [ARTICLE]  # the index followed, no restart
    assert MARKER in taro.get(f"/articles/{ARTICLE}").get_data(as_text=True)
    baseline = revisions(editor_app, kind="baseline")
    assert len(baseline) == 1 and MARKER not in baseline[0].text
    with editor_app.app_context():
        actions = [
            e.action for e in db.session().scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert actions == ["save", "submit", "approve"]


def test_revert_creates_a_revision_that_restores_the_file(editor_app, editors, csrf_token_from):
    hanako, taro = editors
    path = articles_dir(editor_app) / f"{ARTICLE}.md"
    original = path.read_text(encoding="utf-8")
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    (baseline,) = revisions(editor_app, kind="baseline")

    response = post(hanako, f"/console/revisions/{baseline.id}/revert", csrf_token_from)
    assert response.status_code == 303
    (revert,) = revisions(editor_app, kind="revert")
    assert revert.status == "submitted" and revert.text == original
    post(taro, f"/console/revisions/{revert.id}/approve", csrf_token_from)
    assert path.read_text(encoding="utf-8") == original
    assert found(editor_app, MARKER) == []


def test_a_file_changed_on_disk_since_the_draft_began_is_a_conflict_not_overwritten(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    path = articles_dir(editor_app) / f"{ARTICLE}.md"
    by_hand = path.read_text(encoding="utf-8").replace("## 注意点", "## 注意すること")
    path.write_text(by_hand, encoding="utf-8")
    response = post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert "上書きはしていません" in taro.get(response.headers["Location"]).get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == by_hand
    # Out of the queue, back to its author as a draft to compare and ask again.
    sent_back = revisions(editor_app, id=revision.id)[0]
    assert sent_back.status == "rejected" and "ファイルが変わりました" in sent_back.decision_note


def test_with_four_eyes_off_an_editor_publishes_alone(
    make_app, tmp_path, logged_in, csrf_token_from
):
    articles = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, articles)
    app = make_app(
        index_dir=tmp_path / "index",
        instance=tmp_path / "instance",
        articles_dir=articles,
        four_eyes=False,
    )
    alone = logged_in(app, "editor")
    revision = submitted(app, alone, csrf_token_from, f"{MARKER}。当分の間です。")
    post(alone, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert revisions(app, id=revision.id)[0].status == "published"


def test_a_new_article_is_published_and_found(editor_app, editors, csrf_token_from):
    hanako, taro = editors
    data = fields(
        editor_app,
        article_id="subsidy-period-copy",
        title="助成金の申請の受付は始まっていますか",
        queries="ぴよぴよの申請はいつから\nぴよぴよの受付開始\nぴよぴよ始まってる？",
        related="",
        answer=f"{MARKER}。令和6年12月11日から受け付けています。",
    )
    response = post_form(hanako, "/console/articles/new", data, csrf_token_from, "submit")
    assert response.status_code == 303, response.get_data(as_text=True)
    (revision,) = revisions(editor_app, status="submitted")
    assert revision.kind == "new" and revision.base_sha256 == ""
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert (articles_dir(editor_app) / "subsidy-period-copy.md").is_file()
    assert found(editor_app, MARKER)[:1] == ["subsidy-period-copy"]


def test_a_new_article_cannot_take_an_existing_id(editor_app, editors, csrf_token_from):
    hanako, _ = editors
    response = post_form(hanako, "/console/articles/new", fields(editor_app), csrf_token_from)
    assert response.status_code == 422
    assert f"「{ARTICLE}」という記事はすでにあります" in response.get_data(as_text=True)


def test_a_retired_article_leaves_search_and_answers_410_with_its_successor(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    retiring = "subsidy-amount"  # no other article links to it
    assert retiring in found(editor_app, "補助金の上限額")
    post(
        hanako,
        f"/console/articles/{retiring}/retire",
        csrf_token_from,
        replaced_by="subsidy-eligibility",
        reason="統合したため",
    )
    (revision,) = revisions(editor_app, kind="retire")
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert revisions(editor_app, id=revision.id)[0].status == "published"
    assert retiring not in found(editor_app, "補助金の上限額")
    response = taro.get(f"/articles/{retiring}")
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "公開は終了しました" in page and 'href="/articles/subsidy-eligibility"' in page
    assert not (articles_dir(editor_app) / f"{retiring}.md").exists()
    assert taro.get("/articles/no-such-article").status_code == 404


def test_an_article_others_link_to_cannot_be_retired_until_the_links_are_fixed(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    response = post(hanako, f"/console/articles/{ARTICLE}/retire", csrf_token_from, reason="古い")
    page = hanako.get(response.headers["Location"]).get_data(as_text=True)
    assert "公開を終えられません" in page and "subsidy-eligibility.md" in page
    assert revisions(editor_app, kind="retire") == []
    assert (articles_dir(editor_app) / f"{ARTICLE}.md").exists()


def test_the_reason_and_the_draft_come_back_and_a_second_click_submits_once(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    url = f"/console/articles/{ARTICLE}/edit"
    data = fields(editor_app, answer=f"{MARKER}。当分の間です。", reason="答えを短く")
    post_form(hanako, url, data, csrf_token_from)
    page = hanako.get(url).get_data(as_text=True)
    assert 'value="答えを短く"' in page
    for _ in range(2):  # a double-click
        assert post_form(hanako, url, data, csrf_token_from, "submit").status_code == 303
    (revision,) = revisions(editor_app)
    assert (revision.status, revision.reason) == ("submitted", "答えを短く")
    # Editing it again withdraws it from approval, as the same revision.
    post_form(hanako, url, {**data, "answer": f"{MARKER}。直した。"}, csrf_token_from)
    assert [(r.id, r.status) for r in revisions(editor_app)] == [(revision.id, "draft")]


def test_a_draft_overtaken_by_another_publication_must_be_rebased_before_it_is_submitted(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    url = f"/console/articles/{ARTICLE}/edit"
    post_form(hanako, url, fields(editor_app, answer=f"{MARKER}。花子の案。"), csrf_token_from)
    revision = submitted(editor_app, taro, csrf_token_from, "令和6年12月11日から当分の間です。")
    post(hanako, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    page = hanako.get(url).get_data(as_text=True)
    assert "公開内容が変わりました" in page and "花子の案" in page  # her text is still there
    data = fields(editor_app, answer=f"{MARKER}。花子の案。")
    response = post_form(hanako, url, data, csrf_token_from, "submit")
    assert response.status_code == 422 and "ファイルが変わりました" in response.get_data(
        as_text=True
    )
    data["rebase"] = "1"
    assert post_form(hanako, url, data, csrf_token_from, "submit").status_code == 303
    assert [r.status for r in revisions(editor_app, author_email="hanako@helpdesk.example.jp")] == [
        "submitted"
    ]


def test_publishing_sends_other_pending_versions_back_to_their_authors(
    editor_app, editors, logged_in, csrf_token_from
):
    hanako, taro = editors
    jiro = logged_in(editor_app, "editor", "jiro@helpdesk.example.jp")
    first = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。一つ目。")
    url = f"/console/articles/{ARTICLE}/edit"
    post_form(
        jiro, url, fields(editor_app, answer=f"{MARKER}。二つ目。"), csrf_token_from, "submit"
    )
    post(taro, f"/console/revisions/{first.id}/approve", csrf_token_from)
    (second,) = revisions(editor_app, author_email="jiro@helpdesk.example.jp")
    assert second.status == "rejected" and "ファイルが変わりました" in second.decision_note
    assert "承認待ち（0件）" in taro.get("/console/articles/").get_data(as_text=True)


def test_asking_twice_for_the_same_review_retirement_or_revert_makes_one(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    for _ in range(2):
        post(hanako, f"/console/articles/{ARTICLE}/reviewed", csrf_token_from)
        post(hanako, "/console/articles/subsidy-amount/retire", csrf_token_from, reason="統合")
    assert len(revisions(editor_app, kind="review")) == 1
    assert len(revisions(editor_app, kind="retire")) == 1


def test_dates_are_checked_in_japanese(editor_app, editors, csrf_token_from):
    hanako, _ = editors
    url = f"/console/articles/{ARTICLE}/edit"
    response = post_form(hanako, url, fields(editor_app, reviewed="2024-02-30"), csrf_token_from)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "日付は YYYY-MM-DD の形" in page and "Not a valid" not in page
    response = post_form(hanako, url, fields(editor_app, review_by=""), csrf_token_from, "submit")
    assert "「review_by」に日付を書いてください" in response.get_data(as_text=True)
    assert "None" not in response.get_data(as_text=True)


def test_a_changed_text_moves_updated_forward_and_keeps_the_files_order(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    path = articles_dir(editor_app) / f"{ARTICLE}.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "updated: 2026-11-30", "updated: 2026-11-30\norder: 5"
        )
    )
    url = f"/console/articles/{ARTICLE}/edit"
    post_form(hanako, url, fields(editor_app, answer=f"{MARKER}。"), csrf_token_from)
    (draft,) = revisions(editor_app)
    source = from_text(draft.text)
    with editor_app.app_context():
        from web.core import clock

        assert source.updated == clock.today().isoformat()
    assert source.order == "5"


def test_a_retired_id_cannot_be_taken_by_a_new_article(editor_app, editors, csrf_token_from):
    hanako, taro = editors
    post(hanako, "/console/articles/subsidy-amount/retire", csrf_token_from, reason="統合")
    (revision,) = revisions(editor_app, kind="retire")
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    data = fields(editor_app, article_id="subsidy-amount", title="新しい記事の題")
    response = post_form(hanako, "/console/articles/new", data, csrf_token_from)
    assert response.status_code == 422
    assert "公開を終えた記事のIDです" in response.get_data(as_text=True)


def test_history_lists_every_revision_and_shows_a_diff_between_any_two(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    (baseline,) = revisions(editor_app, kind="baseline")
    page = taro.get(
        f"/console/articles/{ARTICLE}/history?a={baseline.id}&b={revision.id}"
    ).get_data(as_text=True)
    assert f"第{revision.id}版" in page and f"第{baseline.id}版" in page
    assert "hanako@helpdesk.example.jp" in page and "taro@helpdesk.example.jp" in page
    assert "文言の修正" in page  # the reason
    added = re.findall(r'<span class="diff-add">.*?</span>(.*?)</span>', page, re.S)
    removed = re.findall(r'<span class="diff-remove">.*?</span>(.*?)</span>', page, re.S)
    assert any(MARKER in line for line in added)
    assert any(line.startswith("-answer:") for line in removed)


def test_the_preview_is_the_public_page_with_problems_and_ranks_in_a_same_origin_frame(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    page = hanako.get(f"/console/articles/{ARTICLE}/edit").get_data(as_text=True)
    data = fields(editor_app, body="本文の **閉じていない強調", answer=f"{MARKER}。")
    response = hanako.post(
        "/console/articles/preview", data={**data, "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    preview = response.get_data(as_text=True)
    assert MARKER in preview  # the draft, as the site's article page shows it
    assert "強調の記号 ** が閉じていません" in preview
    assert "queries の順位" in preview and "位</td>" in preview
    # The published article's preview (the frame before the first keystroke) too; every
    # other page stays unframeable.
    assert hanako.get(f"/console/preview/{ARTICLE}").headers["X-Frame-Options"] == "SAMEORIGIN"
    assert hanako.get("/console/articles/").headers["X-Frame-Options"] == "DENY"


EDIT_ROUTES = [
    ("GET", "/console/articles/"),
    ("GET", "/console/articles/new"),
    ("POST", "/console/articles/new"),
    ("GET", f"/console/articles/{ARTICLE}/edit"),
    ("POST", f"/console/articles/{ARTICLE}/edit"),
    ("POST", "/console/articles/preview"),
    ("GET", "/console/revisions/1"),
    ("GET", "/console/revisions/1/preview"),
    ("POST", "/console/revisions/1/approve"),
    ("POST", "/console/revisions/1/reject"),
    ("POST", "/console/revisions/1/revert"),
    ("POST", f"/console/articles/{ARTICLE}/reviewed"),
    ("POST", f"/console/articles/{ARTICLE}/retire"),
    ("GET", f"/console/articles/{ARTICLE}/history"),
]


@pytest.mark.parametrize(("method", "url"), EDIT_ROUTES)
def test_an_agent_gets_403_on_every_edit_route(editor_app, logged_in, csrf_token_from, method, url):
    agent = logged_in(editor_app, "agent")
    token = csrf_token_from(agent.get("/console/").get_data(as_text=True))
    response = agent.open(
        url, method=method, data={"csrf_token": token} if method == "POST" else None
    )
    assert response.status_code == 403


def test_the_audit_trail_is_for_admins(editor_app, editors, logged_in, csrf_token_from):
    hanako, _ = editors
    submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    assert hanako.get("/console/audit").status_code == 403
    page = logged_in(editor_app, "admin").get("/console/audit").get_data(as_text=True)
    assert "hanako@helpdesk.example.jp" in page and "承認を依頼" in page and ARTICLE in page


def test_marking_reviewed_is_a_revision_with_todays_date(editor_app, editors, csrf_token_from):
    hanako, taro = editors
    post(hanako, f"/console/articles/{ARTICLE}/reviewed", csrf_token_from)
    (revision,) = revisions(editor_app, kind="review")
    source = from_text(revision.text)
    with editor_app.app_context():
        from web.core import clock

        today = clock.today().isoformat()
    assert source.reviewed == today and source.review_by > today
    assert source.review_note  # the reason stays with the date
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    assert f"reviewed: {today}" in (articles_dir(editor_app) / f"{ARTICLE}.md").read_text()


def test_publishing_in_a_git_working_tree_commits_with_the_editor_as_author(
    editor_app, editors, csrf_token_from
):
    folder = articles_dir(editor_app)
    git = committed_git_tree(folder)
    hanako, taro = editors
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    log = subprocess.run(
        [*git, "log", "-1", "--format=%an <%ae>%n%B", "--name-only"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert log.startswith("hanako <hanako@helpdesk.example.jp>")
    assert "承認: taro@helpdesk.example.jp" in log and f"{ARTICLE}.md" in log
    status = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""  # nothing left uncommitted (no temporary or lock files)


def test_a_draft_of_a_retired_article_is_never_published_over_the_retirement(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    retiring = "subsidy-amount"
    url = f"/console/articles/{retiring}/edit"
    post_form(hanako, url, fields(editor_app, of=retiring, answer=f"{MARKER}。"), csrf_token_from)
    post(taro, f"/console/articles/{retiring}/retire", csrf_token_from, reason="統合")
    (retirement,) = revisions(editor_app, kind="retire")
    post(hanako, f"/console/revisions/{retirement.id}/approve", csrf_token_from)
    data = fields(editor_app, of="subsidy-eligibility", article_id=retiring, rebase="1")
    response = post_form(hanako, url, data, csrf_token_from, "submit")
    assert response.status_code == 422
    assert "公開を終了しています" in response.get_data(as_text=True)
    assert not (articles_dir(editor_app) / f"{retiring}.md").exists()
    assert hanako.get(f"/articles/{retiring}").status_code == 410


def test_a_save_from_a_second_tab_does_not_silently_replace_the_first(
    editor_app, editors, csrf_token_from
):
    hanako, _ = editors
    url = f"/console/articles/{ARTICLE}/edit"
    page = hanako.get(url).get_data(as_text=True)
    version = re.search(r'name="draft_version" value="([^"]*)"', page).group(1)
    first = fields(editor_app, answer=f"{MARKER}。一つ目のタブ。", draft_version=version)
    second = fields(editor_app, answer=f"{MARKER}。二つ目のタブ。", draft_version=version)
    token = csrf_token_from(page)
    assert (
        hanako.post(url, data={**first, "csrf_token": token, "action": "save"}).status_code == 303
    )
    response = hanako.post(url, data={**second, "csrf_token": token, "action": "save"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "別のタブかウィンドウで先に保存されています" in page
    assert "二つ目のタブ" in page and "一つ目のタブ" in page  # what was typed, and the diff
    (draft,) = revisions(editor_app)
    assert "一つ目のタブ" in draft.text


def test_a_rejection_needs_a_reason_and_a_resubmission_forgets_the_old_decision(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    post(taro, f"/console/revisions/{revision.id}/reject", csrf_token_from, note="")
    assert revisions(editor_app, id=revision.id)[0].status == "submitted"
    post(taro, f"/console/revisions/{revision.id}/reject", csrf_token_from, note="根拠が足りない")
    assert revisions(editor_app, id=revision.id)[0].decision_note == "根拠が足りない"
    url = f"/console/articles/{ARTICLE}/edit"
    data = fields(editor_app, answer=f"{MARKER}。直した。")
    assert post_form(hanako, url, data, csrf_token_from, "submit").status_code == 303
    again = revisions(editor_app, id=revision.id)[0]
    assert (again.status, again.reviewer_email, again.decision_note) == ("submitted", None, "")


def test_the_history_is_in_order_and_keeps_a_hand_edit_as_its_own_version(
    editor_app, editors, csrf_token_from
):
    hanako, taro = editors
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    (baseline,) = revisions(editor_app, kind="baseline")
    assert baseline.id < revision.id  # the file as it was comes first
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)
    path = articles_dir(editor_app) / f"{ARTICLE}.md"
    by_hand = path.read_text(encoding="utf-8").replace("## 注意点", "## 注意すること")
    path.write_text(by_hand, encoding="utf-8")
    post_form(hanako, f"/console/articles/{ARTICLE}/edit", fields(editor_app), csrf_token_from)
    *_, hand = revisions(editor_app, kind="baseline")
    assert (hand.text, hand.author_email) == (by_hand, "（ファイル）")
    assert hand.id < revisions(editor_app)[-1].id  # before the draft it began


def test_a_new_article_starts_with_a_review_date_and_no_retire_panel(editor_app, editors):
    hanako, _ = editors
    page = hanako.get("/console/articles/new").get_data(as_text=True)
    assert re.search(r'name="review_by"[^>]*value="\d{4}-\d{2}-\d{2}"', page)
    assert "この記事の公開を終える" not in page


def test_the_preview_frame_can_show_its_own_error_pages(editor_app, editors, csrf_token_from):
    hanako, _ = editors
    token = csrf_token_from(hanako.get("/console/articles/").get_data(as_text=True))
    response = hanako.post(
        "/console/articles/preview", data={"csrf_token": token, "body": "あ" * 40_000}
    )
    assert response.status_code == 413
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "大きすぎ" in response.get_data(as_text=True)


def test_a_hand_edit_left_uncommitted_is_not_credited_to_the_console_editor_in_git(
    editor_app, editors, csrf_token_from
):
    folder = articles_dir(editor_app)
    git = committed_git_tree(folder)
    path = folder / f"{ARTICLE}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## 注意点", "## 注意すること"))
    hanako, taro = editors
    revision = submitted(editor_app, hanako, csrf_token_from, f"{MARKER}。当分の間です。")
    post(taro, f"/console/revisions/{revision.id}/approve", csrf_token_from)

    def commit(ref: str) -> tuple[str, str]:
        shown = subprocess.run(
            [*git, "show", ref, "--format=%ae", "--unified=0"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return shown.split("\n", 1)[0], shown

    editor, by_editor = commit("HEAD")
    unknown, by_hand = commit("HEAD~1")
    assert editor == "hanako@helpdesk.example.jp" and unknown == "unattributed@helpdesk.invalid"
    assert MARKER in by_editor and "注意すること" not in by_editor
    assert "+## 注意すること" in by_hand and MARKER not in by_hand
