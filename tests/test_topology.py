"""The production topology, proven with real servers: limits counted per real client in Redis
by every worker, surviving a restart (nginx in front: tests/test_nginx.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow


def chat(server, address: str) -> int:
    request = urllib.request.Request(
        server.url + "/api/chat",
        data=json.dumps({"message": "補助金の申請期間は？"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": address},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def limited_site(site, redis_server):
    site.env.update(
        RATELIMIT_STORAGE_URI=redis_server.url,
        HELPDESK_PROXY_HOPS="1",
        HELPDESK_CHAT_RATE_LIMIT="6 per minute",
    )
    return site


def test_two_workers_count_each_client_once_in_redis_and_a_restart_keeps_the_count(
    limited_site, redis_server
):
    import redis

    server = limited_site.start()
    # Each request is a new connection: the two workers take turns at them.
    statuses = [chat(server, "203.0.113.7") for _ in range(10)]
    assert statuses == [200] * 6 + [429] * 4
    assert chat(server, "198.51.100.9") == 200  # another clinic behind the same proxy
    keys = redis.Redis.from_url(redis_server.url).keys("*")
    assert any(b"203.0.113.7" in key for key in keys), keys

    server.stop()
    restarted = limited_site.start()
    assert chat(restarted, "203.0.113.7") == 429
