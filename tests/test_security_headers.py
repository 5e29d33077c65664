"""Security headers on every kind of response the FAQ and its API send."""

from __future__ import annotations

import pytest

URLS = [
    "/",
    "/search?q=補助金",
    "/search?q=<script>alert(1)</script>",
    "/articles/subsidy-period",
    "/articles/no-such",
    "/categories/subsidy",
    "/sitemap.xml",
    "/feed.atom",
    "/api/search?q=補助金",
    "/api/search?q=補助金&limit=0",
    "/api/articles/subsidy-period",
    "/api/articles/no-such",
    "/api/suggest?q=補助",
    "/static/css/site.css",
    "/static/js/search-suggest.js",
]


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.parametrize("url", URLS)
def test_every_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code < 500
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_rejected_feedback_post_carries_the_security_headers(client):
    response = client.post("/articles/subsidy-period/feedback", data={"helpful": "yes"})
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_session_cookie_is_http_only_and_same_site(client):
    response = client.get("/articles/subsidy-period")  # renders a CSRF token into the session
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
