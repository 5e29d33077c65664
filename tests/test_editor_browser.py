"""Editing in the browser against the real server: one editor edits with the live preview,
sees a problem and fixes it, saves and submits; a second editor approves; both gunicorn
workers serve the change within 5 s, without a restart; a revert restores the file."""

from __future__ import annotations

import time
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from kb.article_format import from_text
from tests.support import PASSWORD

pytestmark = pytest.mark.browser

ARTICLE = "subsidy-period"
MARKER = "麒麟草"  # a word no article contains
PUBLISH_SECONDS = 5.0


def log_in(browser, server, email):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    page.viewport_name = "desktop"  # for the screenshot fixture
    page.goto(f"{server.url}/console/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/**")
    return page


def served_by(server, path: str) -> tuple[str, str]:
    """(body, pid of the worker that answered): each request on a new connection, and the
    access log's line for it names the worker (gunicorn.conf.py). The browsers may still be
    loading something meanwhile: the line is the first new one for this path."""
    before = len(server.access_log.read_text(encoding="utf-8").splitlines())
    with urllib.request.urlopen(server.url + path, timeout=10) as response:
        body = response.read().decode("utf-8")
    wanted = f'"GET {urllib.parse.urlsplit(path).path} '
    for _ in range(100):  # the line is written right after the response
        lines = server.access_log.read_text(encoding="utf-8").splitlines()[before:]
        mine = [line for line in lines if wanted in line]
        if mine:
            return body, mine[0].rsplit("pid=", 1)[1]
        time.sleep(0.02)
    raise AssertionError(f"no access log line for {path}")


def workers_serving(server, changed) -> set[str]:
    """Ask until both workers have answered, or 5 s have passed; the workers whose answer
    `changed` accepts."""
    seen: set[str] = set()
    ok: set[str] = set()
    deadline = time.monotonic() + PUBLISH_SECONDS
    while time.monotonic() < deadline and len(ok) < 2:
        for path in (f"/articles/{ARTICLE}", "/api/search?q=" + urllib.parse.quote(MARKER)):
            body, pid = served_by(server, path)
            seen.add(pid)
            if changed(path, body):
                ok.add(pid)
            else:
                ok.discard(pid)
    assert len(seen) == 2, f"only {seen} answered"
    return ok


def shows_marker(path: str, body: str) -> bool:
    if path.startswith("/api/search"):
        return f'"id":"{ARTICLE}"' in body.replace(" ", "")
    return MARKER in body


def test_an_edit_is_approved_by_a_second_editor_and_served_by_both_workers(
    site, browser, screenshot
):
    site.env["HELPDESK_INSECURE_COOKIES"] = "1"  # plain http on loopback
    for email in ("hanako@helpdesk.example.jp", "taro@helpdesk.example.jp"):
        made = site.kb(["user", "create", email, "--role", "editor", "--password-stdin"], PASSWORD)
        assert made.returncode == 0, made.stderr
    server = site.start()
    path = site.articles_dir / f"{ARTICLE}.md"
    original = path.read_text(encoding="utf-8")
    assert workers_serving(server, lambda p, body: not shows_marker(p, body))

    hanako = log_in(browser, server, "hanako@helpdesk.example.jp")
    hanako.goto(f"{server.url}/console/articles/{ARTICLE}/edit")
    preview = hanako.frame_locator("#article-preview")
    answer = f"{MARKER}: 令和6年12月11日から当分の間、申請を受け付けています。"
    hanako.get_by_label("短い答え（検索結果とチャットに出ます）").fill(answer)
    body = hanako.get_by_label("本文（Markdown）")
    typed_body = body.input_value() + "\n\n**閉じていない強調"
    body.fill(typed_body)
    # Live: the preview follows the typing, with kb check's problem for this article.
    expect(preview.locator(".problems")).to_contain_text("強調の記号 ** が閉じていません")
    expect(preview.locator("main")).to_contain_text(MARKER)
    screenshot(hanako, "editor-problem")
    typed_body = typed_body.replace("**閉じていない強調", "**閉じた強調**")
    body.fill(typed_body)
    expect(preview.locator(".check-problems")).to_contain_text("問題はありません")
    expect(preview.locator(".ranks")).to_contain_text("合格")
    hanako.get_by_label("変更の理由（履歴に残ります）").fill("答えを短くした")
    hanako.get_by_role("button", name="下書きを保存").click()
    expect(hanako.locator(".flash-success")).to_contain_text("下書きを保存しました")
    assert path.read_text(encoding="utf-8") == original  # a draft publishes nothing
    hanako.get_by_role("button", name="承認を依頼", exact=True).click()
    expect(hanako.locator(".revision-status")).to_have_text("承認待ち")
    expect(hanako.locator(".decision")).to_contain_text("自分で書いた変更は承認できません")

    taro = log_in(browser, server, "taro@helpdesk.example.jp")
    taro.goto(f"{server.url}/console/articles/")
    taro.locator("#waiting").get_by_role("link", name=f"{ARTICLE}").click()
    taro.get_by_role("button", name="承認して公開").click()
    expect(taro.locator(".flash-success")).to_contain_text("承認して公開しました")
    screenshot(taro, "editor-approved")

    # Both workers serve it within 5 s of the approval, and no worker was restarted.
    assert workers_serving(server, shows_marker) == set(server_pids(server))
    written = from_text(path.read_text(encoding="utf-8"))
    assert written.answer == answer and written.body == typed_body.strip("\n")

    # The history has the file as it was; reverting to it is a new revision, approved too.
    hanako.goto(f"{server.url}/console/articles/{ARTICLE}/history")
    baseline = hanako.locator("#revisions tr", has_text="ファイルの版")
    baseline.get_by_role("link").click()  # the file before the console's change
    hanako.get_by_role("button", name="この版に戻す（承認を依頼）").click()
    expect(hanako.locator(".revision-status")).to_have_text("承認待ち")
    taro.goto(hanako.url)
    taro.get_by_role("button", name="承認して公開").click()
    expect(taro.locator(".flash-success")).to_contain_text("承認して公開しました")
    assert path.read_text(encoding="utf-8") == original
    assert workers_serving(server, lambda p, body: not shows_marker(p, body))
    assert hanako.js_errors == [] and taro.js_errors == []


def server_pids(server) -> list[str]:
    lines = server.access_log.read_text(encoding="utf-8").splitlines()
    return sorted({line.rsplit("pid=", 1)[1] for line in lines if "pid=" in line})


def test_typed_text_survives_a_lost_login_and_leaving_asks_first(page, live_server, app):
    from web.accounts import auth

    with app.app_context():
        auth.create_user("hanako@helpdesk.example.jp", "editor", PASSWORD)

    def log_in_here():
        page.goto(f"{live_server.url}/console/login")
        page.get_by_label("メールアドレス").fill("hanako@helpdesk.example.jp")
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url("**/console/**")

    log_in_here()
    page.goto(f"{live_server.url}/console/articles/{ARTICLE}/edit")
    body = page.get_by_label("本文（Markdown）")
    typed = body.input_value() + f"\n\n{MARKER}の追記。"
    body.fill(typed)
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="この記事の履歴").click()  # leaving with unsaved changes
    assert asked == ["beforeunload"] and page.url.endswith("/edit")

    page.context.clear_cookies()  # the login ends while the editor writes
    page.get_by_role("button", name="下書きを保存").click()
    page.wait_for_load_state()
    log_in_here()
    page.goto(f"{live_server.url}/console/articles/{ARTICLE}/edit")
    page.get_by_role("button", name="残っている入力を戻す").click()
    expect(page.get_by_label("本文（Markdown）")).to_have_value(typed)
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.locator(".flash-success")).to_contain_text("下書きを保存しました")
    expect(page.get_by_role("button", name="残っている入力を戻す")).to_have_count(0)
