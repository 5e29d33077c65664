"""Behind a proxy: exactly the configured hops of X-Forwarded-* are believed, only the
trusted host names are answered, and limits count each real client."""

from __future__ import annotations

import re

import pytest

PUBLIC = "helpdesk.example.jp"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": PUBLIC, "X-Forwarded-Port": "443"}


def chat(client, address: str, **headers):
    return client.post(
        "/api/chat",
        json={"message": "補助金の申請期間は？"},
        headers={"X-Forwarded-For": address, **headers},
    )


@pytest.fixture
def proxied(make_app):
    def proxied(**overrides):
        app = make_app(
            proxy_hops=1, chat_rate_limit="3 per minute", RATELIMIT_ENABLED=True, **overrides
        )
        return app, app.test_client()

    return proxied


def test_each_client_behind_the_proxy_has_its_own_limit(proxied):
    _, client = proxied()
    assert [chat(client, "203.0.113.7").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert chat(client, "198.51.100.9").status_code == 200  # another clinic


def test_without_a_configured_proxy_a_forwarded_address_is_not_believed(make_app):
    app = make_app(chat_rate_limit="3 per minute", RATELIMIT_ENABLED=True)
    client = app.test_client()
    statuses = [chat(client, f"203.0.113.{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # one client, however many addresses it claims


def test_only_the_last_hop_is_believed_when_one_proxy_is_configured(proxied):
    _, client = proxied()
    # A client that sends its own X-Forwarded-For: the proxy appends the real address.
    forged = [chat(client, f"10.0.0.{n}, 203.0.113.7").status_code for n in range(4)]
    assert forged == [200, 200, 200, 429]


def test_the_chat_and_the_contact_form_work_over_https_through_the_proxy(proxied, csrf_token_from):
    _, client = proxied(insecure_cookies=False)
    headers = {"X-Forwarded-For": "203.0.113.7", **FORWARDED}
    assert chat(client, "203.0.113.7", Origin=f"https://{PUBLIC}", **FORWARDED).status_code == 200
    page = client.get("/contact", headers=headers)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    response = client.post(
        "/contact",
        headers={**headers, "Referer": f"https://{PUBLIC}/contact", "Origin": f"https://{PUBLIC}"},
        data={
            "csrf_token": csrf_token_from(html),
            "submission_token": re.search(r'name="submission_token" value="([^"]*)"', html).group(
                1
            ),
            "name": "山田 花子",
            "facility_name": "やまだ内科クリニック",
            "facility_type": "clinic",
            "email": "uketsuke@yamada-clinic.example.jp",
            "category": "other",
            "message": "プロキシ越しの送信です。",
            "consent": "y",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    assert response.headers["Location"].startswith(("/contact/thanks", f"https://{PUBLIC}/"))


def test_another_host_name_is_refused_in_japanese(make_app):
    app = make_app(trusted_hosts=(PUBLIC,))
    client = app.test_client()
    assert client.get("/", headers={"Host": PUBLIC}).status_code == 200
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "リクエストの内容を確認できませんでした" in refused.get_data(as_text=True)


def test_the_sitemap_names_only_the_public_host(proxied):
    app, client = proxied(trusted_hosts=(PUBLIC,))
    sitemap = client.get("/sitemap.xml", headers={"Host": "127.0.0.1:8000", **FORWARDED})
    assert sitemap.status_code == 200
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap.get_data(as_text=True))
    assert urls and all(url.startswith(f"https://{PUBLIC}/") for url in urls)


def test_the_search_api_has_a_generous_but_real_limit(proxied):
    _, client = proxied(search_rate_limit="5 per minute")
    headers = {"X-Forwarded-For": "203.0.113.7"}
    statuses = [client.get("/api/search?q=補助金", headers=headers).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert (
        "短い時間に"
        in client.get("/api/search?q=x", headers=headers).get_json()["error"]["message"]
    )
