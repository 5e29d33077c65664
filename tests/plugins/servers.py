"""Real servers for the topology tests: gunicorn as `make run` starts it, redis-server and
nginx from Debian, each on a free loopback port in a folder of the test's own.

- `site`          gunicorn with two workers on a copy of the articles (see its docstring)
- `redis_server`  a redis-server; its URL is `redis_server.url`
- `smtp_server`   aiosmtpd on loopback, collecting what it receives
- `nginx`         deploy/nginx/helpdesk.conf in front of an upstream
- `free_port()`   a free loopback port
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kb import ARTICLES_DIR
from tests.support import unavailable

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`make run`'s server: the same WSGI app and settings, two workers, an instance folder of
    its own."""

    def __init__(self, environment: dict[str, str]):
        self.environment = environment
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> Gunicorn:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        logs = Path(self.environment["HELPDESK_INSTANCE"]).parent
        self.access_log = logs / f"access-{port}.log"
        self.error_log = logs / f"error-{port}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=self.environment,
            stdout=self.access_log.open("wb"),
            # a file, not a pipe: nobody reads a pipe while the server runs, and a full one
            # would block the server
            stderr=self.error_log.open("wb"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.error_log.read_text(encoding="utf-8", errors="replace"))
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def get(self, path: str) -> tuple[int, dict | str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, _body(response)
        except urllib.error.HTTPError as error:
            return error.code, _body(error)

    def search_ids(self, query: str) -> list[str]:
        status, body = self.get("/api/search?" + urllib.parse.urlencode({"q": query}))
        assert status == 200, body
        return [result["id"] for result in body["results"]]


def _body(response) -> dict | str:
    text = response.read().decode("utf-8")
    return json.loads(text) if response.headers.get_content_type() == "application/json" else text


@pytest.fixture
def site(tmp_path):
    """The site as `make run` serves it: `site.start()` → a running Gunicorn (stopped at the
    end), `site.env` its environment (change it before starting), `site.kb(args)` a `kb`
    command on it, `site.articles_dir` and `site.index`. A copy of the real articles and an
    instance folder of its own, both free to damage."""
    articles = tmp_path / "articles"
    shutil.copytree(ARTICLES_DIR, articles)
    environment = {
        **os.environ,
        "HELPDESK_INSTANCE": str(tmp_path / "instance"),
        "HELPDESK_ARTICLES_DIR": str(articles),
    }
    environment.pop("DATABASE_URL", None)
    kb(["db", "upgrade"], environment)
    servers: list[Gunicorn] = []

    class Site:
        index = tmp_path / "instance" / "index"
        articles_dir = articles
        env = environment

        @staticmethod
        def start() -> Gunicorn:
            server = Gunicorn(environment).start()
            servers.append(server)
            return server

        @staticmethod
        def kb(arguments: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
            return kb(arguments, environment, stdin)

    yield Site
    for server in servers:
        server.stop()


def kb(
    arguments: list[str], environment: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *arguments],
        cwd=PROJECT_ROOT,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("redis-server did not answer PING within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server from Debian on a free port (`.url`), stopped at the end."""
    if shutil.which("redis-server") is None:
        unavailable(
            "redis-server がありません（.ci/run が apt-get install redis-server で入れます）"
        )
    server = RedisServer(tmp_path)
    yield server
    server.stop()


class Nginx:
    """deploy/nginx/helpdesk.conf itself, with its deployment values replaced for loopback."""

    HOST = "helpdesk.example.jp"

    def __init__(self, folder: Path, upstream: str):
        self.folder = folder
        self.https_port, self.http_port = free_port(), free_port()
        certificate, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN={self.HOST}", "-addext", f"subjectAltName=DNS:{self.HOST}",
             "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True,
        )  # fmt: skip
        site = (PROJECT_ROOT / "deploy" / "nginx" / "helpdesk.conf").read_text(encoding="utf-8")
        replacements = {
            "server 127.0.0.1:8000;": f"server {upstream};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https_port} ssl http2;",
            "listen 80;": f"listen 127.0.0.1:{self.http_port};",
            "/etc/ssl/helpdesk/fullchain.pem": str(certificate),
            "/etc/ssl/helpdesk/privkey.pem": str(key),
            "root /srv/helpdesk/deploy/nginx;": f"root {PROJECT_ROOT / 'deploy' / 'nginx'};",
        }
        for old, new in replacements.items():
            assert old in site, f"deploy/nginx/helpdesk.conf no longer has {old!r}"
            site = site.replace(old, new)
        (folder / "helpdesk.conf").write_text(site, encoding="utf-8")
        (folder / "nginx.conf").write_text(
            f"""
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/helpdesk.conf;
}}
""",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "stderr.log").open("wb"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError((folder / "stderr.log").read_text(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("nginx did not listen within 20 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def nginx():
    """`nginx(folder, upstream)`: deploy/nginx/helpdesk.conf served on free loopback ports with a
    fresh self-signed certificate (`.https_port`, `.http_port`, `.HOST`); stopped at the end."""
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        unavailable("nginx がありません（.ci/run が apt-get install nginx で入れます）")
    started = []

    def start(folder: Path, upstream: str) -> Nginx:
        folder.mkdir(parents=True, exist_ok=True)
        server = Nginx(folder, upstream)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class SmtpServer:
    """aiosmtpd on a loopback port: every message it accepts, parsed, in `.messages`."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list = []
        self.refused: set[str] = set()  # recipients answered with 550, as a real server would
        self._controller = None

    def start(self) -> SmtpServer:
        from email import message_from_bytes, policy

        from aiosmtpd.controller import Controller

        received, refused = self.messages, self.refused

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
                if address in refused:
                    return "550 5.1.1 No such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                received.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, seconds: float = 10.0) -> list:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port: `.url`, `.messages` (parsed,
    in arrival order), `.wait_for(n)`, `.stop()` and `.start()` again on the same port."""
    server = SmtpServer().start()
    yield server
    server.stop()
