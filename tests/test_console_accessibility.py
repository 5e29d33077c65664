"""axe-core on the console's pages and the contact form's other states, in headless Chromium."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD
from web.accounts import auth

pytestmark = pytest.mark.browser

CONSOLE_PAGES = {
    "inquiries": "/console/",
    "inquiry": "/console/inquiries/{id}",
    "lookup": "/console/lookup?q=補助金はいつまで",
    "analytics": "/console/analytics",
    "preview-index": "/console/preview/",
    "preview": "/console/preview/subsidy-period",
    "users": "/console/users",
    "mails": "/console/mails",
    "password": "/console/account/password",
    "phone-inquiry": "/console/inquiries/new",
}


@pytest.fixture
def admin_page(page, live_server, app):
    with app.app_context():
        auth.create_user("admin@helpdesk.example.jp", "admin", PASSWORD)
    page.goto(f"{live_server.url}/console/login")
    page.get_by_label("メールアドレス").fill("admin@helpdesk.example.jp")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/console/")
    return page


def test_the_login_page_has_no_serious_accessibility_violations(
    page, live_server, axe_source, axe_violations, describe_violations
):
    page.goto(f"{live_server.url}/console/login")
    found = axe_violations(page, axe_source)
    assert not found, describe_violations(found)


@pytest.mark.parametrize("name", sorted(CONSOLE_PAGES))
def test_console_page_has_no_serious_accessibility_violations(
    admin_page,
    live_server,
    app,
    axe_source,
    name,
    add_inquiry,
    axe_violations,
    describe_violations,
):
    inquiry_id = add_inquiry(app, transcript="[2026-11-25 10:00] 利用者: 補助金は？")
    admin_page.goto(live_server.url + CONSOLE_PAGES[name].format(id=inquiry_id))
    found = axe_violations(admin_page, axe_source)
    assert not found, describe_violations(found)


def test_the_contact_form_with_errors_has_no_serious_accessibility_violations(
    page,
    live_server,
    axe_source,
    axe_violations,
    describe_violations,
):
    page.goto(f"{live_server.url}/contact")
    page.get_by_role("button", name="送信する").click()
    page.locator("#error-summary").wait_for()
    found = axe_violations(page, axe_source)
    assert not found, describe_violations(found)
