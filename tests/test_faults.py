"""Faults while serving, against the real thing: gunicorn with two workers on loopback.

What operations staff rely on: a damaged or deleted index never stops the answers (every
worker searches its own copy in memory) and the next start rebuilds it; an editor's broken
article fails `kb check` and never replaces the good content on the site.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def generation(server) -> str:
    status, body = server.get("/healthz")
    assert status == 200
    return body["index_generation"]


def test_a_deleted_index_keeps_answering_and_the_next_start_rebuilds_it(site):
    server = site.start()
    assert server.search_ids("オン資の補助金はいつまで？")[0] == "subsidy-period"

    shutil.rmtree(site.index)
    for _ in range(6):  # both workers, several times
        assert server.search_ids("オン資の補助金はいつまで？")[0] == "subsidy-period"
        assert server.get("/articles/subsidy-period")[0] == 200

    server.stop()
    restarted = site.start()
    assert (site.index / generation(restarted)).is_dir()
    assert restarted.search_ids("訪問診療")[0] == "home-visits"


def test_a_corrupted_index_keeps_answering_and_the_next_start_rebuilds_it(site):
    server = site.start()
    damaged = generation(server)
    for path in (site.index / damaged).iterdir():
        path.write_bytes(b"\x00garbage")
    for _ in range(6):
        assert server.search_ids("レセコンの改修費用")
        assert generation(server) == damaged

    server.stop()
    restarted = site.start()
    assert generation(restarted) != damaged
    assert restarted.search_ids("要否意見書は紙のまま？")[0] == "opinion-forms"


def test_a_malformed_article_fails_the_check_and_the_site_keeps_the_good_content(site):
    server = site.start()
    status, before = server.get("/healthz")
    (site.articles_dir / "broken.md").write_text(
        "---\nid: broken\ntitle: 壊れた記事\ncategory: nowhere\n---\n本文\n", encoding="utf-8"
    )
    edited = site.articles_dir / "subsidy-period.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("---", "----", 1), "utf-8")

    checked = site.kb(["check"])
    assert checked.returncode != 0
    assert "broken.md" in checked.stdout and "subsidy-period.md" in checked.stdout

    server.stop()
    restarted = site.start()  # the start sees the problems and keeps the last good index
    status, after = restarted.get("/healthz")
    assert after["articles"] == before["articles"]
    assert after["index_generation"] == before["index_generation"]
    assert restarted.get("/articles/subsidy-period")[0] == 200
    assert restarted.get("/articles/broken")[0] == 404
    assert restarted.search_ids("補助金の申請期間")[0] == "subsidy-period"


def test_with_the_database_down_the_faq_and_chat_answer_and_the_form_keeps_the_text(site):
    import http.cookiejar
    import re

    # Nothing listens on port 9: every connection is refused at once.
    site.env["DATABASE_URL"] = "postgresql+psycopg://helpdesk:helpdesk@127.0.0.1:9/helpdesk"
    site.env["HELPDESK_INSECURE_COOKIES"] = "1"  # plain http on loopback
    server = site.start()

    assert server.get("/")[0] == 200
    status, page = server.get("/search?" + urllib.parse.urlencode({"q": "オン資 補助金"}))
    assert status == 200 and "/articles/subsidy-period" in page
    assert server.get("/articles/subsidy-period")[0] == 200

    chat = urllib.request.Request(
        server.url + "/api/chat",
        data=json.dumps({"message": "補助金の申請期間は？"}).encode(),
        headers={"Content-Type": "application/json", "Origin": server.url},
    )
    with urllib.request.urlopen(chat, timeout=10) as response:
        reply = json.loads(response.read())
    assert response.status == 200 and reply["text"]

    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with browser.open(server.url + "/contact", timeout=10) as response:
        form = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    typed = "電源を入れ直しても資格確認端末に医療扶助の画面が出てきません。"
    fields = {
        "csrf_token": token,
        "name": "山田 花子",
        "facility_name": "やまだ診療所",
        "facility_type": "clinic",
        "email": "reception@example.jp",
        "category": "display",
        "message": typed,
        "consent": "y",
    }
    submit = urllib.request.Request(
        server.url + "/contact",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Origin": server.url, "Referer": server.url + "/contact"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        browser.open(submit, timeout=10)
    page = refused.value.read().decode()
    assert refused.value.code == 503
    assert typed in page and "やまだ診療所" in page


def test_the_access_log_never_holds_what_was_typed(site):
    server = site.start()
    typed = {"q": "患者の電話 090-1234-5678 受給者番号 12345678"}
    assert server.get("/search?" + urllib.parse.urlencode(typed))[0] == 200
    server.stop()
    log = server.access_log.read_text(encoding="utf-8")
    assert '"GET /search HTTP/1.1" 200' in log
    assert "5678" not in log and "%E9" not in log.upper()


def test_slow_clients_never_stop_the_site_from_answering(site):
    server = site.start()
    host, port = server.url.removeprefix("http://").split(":")
    slow = []
    try:
        # Three connections that send the start of their headers and then nothing more: each
        # holds a thread of a worker (gunicorn.conf.py); five and more are nginx's to absorb
        # (tests/test_nginx.py).
        for _ in range(3):
            connection = socket.create_connection((host, int(port)), timeout=5)
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            slow.append(connection)
        time.sleep(0.5)
        for _ in range(10):
            started = time.monotonic()
            assert server.get("/healthz")[0] == 200
            assert time.monotonic() - started < 1.0
    finally:
        for connection in slow:
            connection.close()


def test_the_longest_search_the_app_accepts_is_answered_in_json(site):
    server = site.start()
    # 400 characters is kb.search.MAX_QUERY_CHARS; 9 bytes each once percent-encoded.
    status, body = server.get("/api/search?" + urllib.parse.urlencode({"q": "補" * 400}))
    assert status == 200 and isinstance(body, dict), body
    # Longer than the app accepts, but within the request line: the app's own Japanese error.
    status, body = server.get("/api/search?" + urllib.parse.urlencode({"q": "補" * 800}))
    assert status == 400 and "400文字以内" in body["error"]["message"]
    for length in (400, 800):
        status, page = server.get(
            "/search?" + urllib.parse.urlencode({"q": "助成金" * (length // 3)})
        )
        assert status == 200 and "検索" in page


def test_a_very_long_article_and_a_broken_one_still_let_make_runs_steps_start_the_site(site):
    # Far over the 49,149 bytes SudachiPy accepts in one piece.
    source = (site.articles_dir / "call-center.md").read_text(encoding="utf-8")
    long_body = "コールセンターでは専任のスタッフが電話で直接対応します。\n" * 700
    (site.articles_dir / "call-center.md").write_text(source + "\n" + long_body, "utf-8")
    assert len(long_body) > 17_000
    checked = site.kb(["check"])
    assert checked.returncode == 0 and "Traceback" not in checked.stderr, checked.stderr
    assert site.kb(["reindex", "--if-stale"]).returncode == 0

    (site.articles_dir / "broken.md").write_text(
        "---\nid: broken\ntitle: 壊れた記事\ncategory: nowhere\n---\n本文\n", encoding="utf-8"
    )
    # `make run`: kb db upgrade, kb reindex --if-stale --keep-going, then gunicorn.
    reindexed = site.kb(["reindex", "--if-stale", "--keep-going"])
    assert reindexed.returncode == 0, reindexed.stderr
    assert "broken.md" in reindexed.stderr and "前回の索引を使い続けます" in reindexed.stderr
    server = site.start()
    status, health = server.get("/healthz")
    assert status == 200 and health["status"] == "degraded" and health["article_problems"] >= 1
    assert server.search_ids("コールセンターの受付時間")[0] == "call-center"
