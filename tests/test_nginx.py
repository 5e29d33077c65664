"""The production topology through real nginx with TLS (deploy/nginx/helpdesk.conf itself):
nginx → gunicorn (two gthread workers) → SQLite, with Redis for the limits."""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import time
import urllib.parse

import pytest

pytestmark = pytest.mark.slow

HOST = "helpdesk.example.jp"


def tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


class Browser:
    """An https client from one loopback address, keeping cookies as a browser would."""

    def __init__(self, proxy, source: str = "127.0.0.1"):
        self.proxy, self.source, self.cookies = proxy, source, {}
        # What a browser sends for https://helpdesk.example.jp:<port>/ (443 in production).
        self.host = f"{HOST}:{proxy.https_port}"
        self.origin = f"https://{self.host}"

    def request(self, method: str, path: str, body: bytes | None = None, **headers):
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.proxy.https_port, context=tls(), timeout=15,
            source_address=(self.source, 0),
        )  # fmt: skip
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body, {"Host": self.host, **headers})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, response.headers, text

    def chat(self, message: str = "補助金の申請期間は？") -> int:
        body = json.dumps({"message": message}).encode()
        status, _, _ = self.request(
            "POST", "/api/chat", body,
            **{"Content-Type": "application/json", "Origin": self.origin},
        )  # fmt: skip
        return status


@pytest.fixture
def topology(site, redis_server, nginx, tmp_path):
    site.env.update(
        RATELIMIT_STORAGE_URI=redis_server.url,
        HELPDESK_PROXY_HOPS="1",
        # The public name, and loopback for health checks on the machine itself.
        HELPDESK_TRUSTED_HOSTS=f"{HOST},127.0.0.1",
        HELPDESK_CHAT_RATE_LIMIT="6 per minute",
    )
    site.env.pop("HELPDESK_INSECURE_COOKIES", None)  # https all the way to the browser
    server = site.start()
    return nginx(tmp_path / "nginx", server.url.removeprefix("http://"))


def test_each_client_has_its_own_limit_counted_by_both_workers_in_redis(topology):
    clinic, other = Browser(topology, "127.0.0.2"), Browser(topology, "127.0.0.3")
    assert [clinic.chat() for _ in range(8)] == [200] * 6 + [429] * 2
    assert other.chat() == 200


def test_the_chat_and_the_contact_form_work_over_https_with_the_host_passed_through(topology):
    browser = Browser(topology, "127.0.0.4")
    assert browser.chat() == 200
    status, headers, form = browser.request("GET", "/contact")
    assert status == 200 and "Strict-Transport-Security" in headers
    fields = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1),
        "submission_token": re.search(r'name="submission_token" value="([^"]*)"', form).group(1),
        "name": "山田 花子", "facility_name": "やまだ内科クリニック", "facility_type": "clinic",
        "email": "uketsuke@yamada-clinic.example.jp", "category": "other",
        "message": "nginx 越しに送信しています。", "consent": "y",
    }  # fmt: skip
    status, headers, page = browser.request(
        "POST", "/contact", urllib.parse.urlencode(fields).encode(),
        **{"Content-Type": "application/x-www-form-urlencoded",
           "Referer": f"{browser.origin}/contact", "Origin": browser.origin},
    )  # fmt: skip
    assert status == 303, page[:400]
    assert "/contact/thanks" in headers["Location"]
    status, _, thanks = browser.request("GET", "/contact/thanks")
    assert status == 200 and re.search(r'id="receipt-number">HD-', thanks)


def test_plain_http_is_sent_to_https(topology):
    connection = http.client.HTTPConnection("127.0.0.1", topology.http_port, timeout=10)
    connection.request("GET", "/search?q=x", headers={"Host": HOST})
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/search?q=x"


def test_healthz_answers_within_a_second_while_five_clients_send_slowly(topology):
    slow = []
    try:
        for n in range(5):
            raw = socket.create_connection(("127.0.0.1", topology.https_port), timeout=10)
            connection = tls().wrap_socket(raw, server_hostname=HOST)
            if n % 2:  # headers that never end
                connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            else:  # a body that never arrives
                connection.sendall(
                    f"POST /api/chat HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json"
                    "\r\nContent-Length: 100000\r\n\r\n{".encode()
                )
            slow.append(connection)
        browser = Browser(topology)
        for _ in range(10):
            started = time.monotonic()
            status, _, body = browser.request("GET", "/healthz")
            assert status == 200 and json.loads(body)["status"] in {"ok", "degraded"}
            assert time.monotonic() - started < 1.0
    finally:
        for connection in slow:
            connection.close()


def test_a_long_search_is_answered_in_japanese_at_every_length(topology):
    browser = Browser(topology)
    status, _, body = browser.request(
        "GET", "/api/search?" + urllib.parse.urlencode({"q": "補" * 400})
    )
    assert status == 200 and json.loads(body)["results"] is not None
    status, _, body = browser.request(
        "GET", "/api/search?" + urllib.parse.urlencode({"q": "補" * 800})
    )
    assert status == 400 and "400文字以内" in json.loads(body)["error"]["message"]
    # Longer than any request line nginx accepts: its own Japanese page, never an English one.
    status, _, page = browser.request(
        "GET", "/search?" + urllib.parse.urlencode({"q": "補" * 3000})
    )
    assert status == 414 and "長すぎます" in page and '<html lang="ja">' in page


def test_a_body_over_the_limit_is_refused_by_nginx_in_japanese(topology):
    browser = Browser(topology)
    status, _, page = browser.request(
        "POST",
        "/contact",
        b"x" * (300 * 1024),
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 413 and "大きすぎます" in page
