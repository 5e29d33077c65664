"""CSRF on every form and the security headers on every response."""

from __future__ import annotations

from flask import Flask, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# Limits are declared on the views that need them (contact form, login); storage from
# RATELIMIT_STORAGE_URI (memory per worker by default, Redis for several machines).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a form left open over lunch still submits
    # Before the CSRF check, which reads the form: a body over the limit is refused unread.
    app.before_request(_refuse_oversized_body)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_security_headers)


def _refuse_oversized_body():
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and (request.content_length or 0) > limit:
        abort(413)


# Views whose answers (pages and error pages alike) may be shown in a frame of this site: the
# article editor's preview (web.console.editor registers them).
FRAMEABLE_ENDPOINTS: set[str] = set()


def _security_headers(response):
    headers = response.headers
    if request.endpoint in FRAMEABLE_ENDPOINTS:
        frameable(response)
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/console"):
        headers["Cache-Control"] = "no-store"
    return response


def frameable(response):
    """Let this site's own pages show `response` in a frame (the editor's preview); every
    other page stays unframeable."""
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )
    return response


def same_origin(origin: str | None) -> bool:
    """True when a request's Origin header is absent or names this site."""
    if not origin:
        return True
    return origin.rstrip("/") == request.host_url.rstrip("/")
