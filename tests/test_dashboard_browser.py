"""The analytics dashboard in headless Chromium, on desktop and phone: every chart is drawn,
named, described and followed by its numbers, without JavaScript too, and passes axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import PASSWORD
from tests.test_dashboard import NOW, seed
from web.accounts import auth

pytestmark = pytest.mark.browser

CHARTS = ("検索", "チャットの会話", "お問い合わせ", "記事の閲覧")


def log_in_as_editor(page, live_server, app) -> None:
    with app.app_context():
        auth.create_user("editor@helpdesk.example.jp", "editor", PASSWORD)
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("メールアドレス").fill("editor@helpdesk.example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/analytics")


@pytest.fixture
def dashboard_page(page, live_server, app):
    app.config["CLOCK"] = lambda: NOW
    seed(app)
    log_in_as_editor(page, live_server, app)
    page.goto(f"{live_server.url}/console/analytics?days=7")
    return page


def test_each_chart_has_its_name_description_and_numbers(
    dashboard_page, axe_source, axe_violations, describe_violations, screenshot
):
    page = dashboard_page
    for label in CHARTS:
        chart = page.get_by_role("img", name=f"{label}の日ごとの件数")
        expect(chart).to_be_visible()
        assert chart.bounding_box()["width"] <= page.viewport_size["width"]
    searches = page.locator("#chart-searches")
    expect(searches.locator("figcaption")).to_contain_text("合計5件")
    expect(searches.locator("figcaption")).to_contain_text("最多は12月5日の4件")
    for name in ("チャットの回答の確かさ", "検索の1件目の確かさ"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
        expect(page.get_by_role("table", name=name)).to_be_visible()

    table = page.get_by_role("table", name="日ごとの件数")
    expect(table).to_be_hidden()  # folded under its summary until asked for
    page.get_by_text("日ごとの件数を表で見る").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="2026-12-05 4 2 1 0 11")).to_be_visible()
    expect(page.get_by_role("table", name="自己解決率と引き継ぎ率")).to_contain_text("77.8%")
    screenshot(page, "console-dashboard")

    found = axe_violations(page, axe_source)
    assert not found, describe_violations(found)
    assert page.js_errors == []


def test_a_csv_link_downloads_the_view_of_the_page(dashboard_page):
    page = dashboard_page
    with page.expect_download() as download:
        page.get_by_role("link", name="日ごとの件数をCSVでダウンロード").click()
    assert download.value.suggested_filename == "daily_2026-11-29_2026-12-05.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "2026-12-05,4,2,1,0,11" in text


def test_the_charts_need_no_javascript(browser, live_server, app):
    app.config["CLOCK"] = lambda: NOW
    seed(app)
    context = browser.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    try:
        log_in_as_editor(page, live_server, app)
        page.get_by_label("期間").select_option("7")
        page.get_by_label("分類").select_option(label="助成金")
        page.get_by_role("button", name="表示").click()
        assert "category=subsidy" in page.url
        expect(page.get_by_role("img", name="検索の日ごとの件数")).to_be_visible()
        expect(page.locator("#chart-searches figcaption")).to_contain_text("合計2件")
    finally:
        context.close()
