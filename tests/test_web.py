"""What every response carries, and what the audit trail refuses to hold."""

from __future__ import annotations

import base64
import hashlib

import pytest

from consult import audit
from consult.config import PROJECT_ROOT
from tests import factories

EXPECTED_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        "img-src 'self'; media-src 'self' blob:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'; object-src 'none'"),
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": (
        "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
        "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"),
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Every page but the static files may hold a child's name or words.
    "Cache-Control": "no-store",
}


def _stylesheet_hash() -> str:
    """The CSP source for a <style> holding app.css, computed here from the file."""
    text = (PROJECT_ROOT / "consult" / "static" / "css" / "app.css").read_bytes()
    return "'sha256-" + base64.b64encode(hashlib.sha256(text).digest()).decode() + "'"


# Where a route differs, and why: a clip is named by its content, so it is cached for a year
# (it holds no one's data); the page that records a clip may use the microphone; the start
# page at a fresh secret link carries the stylesheet, allowed by its hash and nothing else.
ROUTE_HEADERS = {
    "participation.open_link": {"Content-Security-Policy": EXPECTED_HEADERS[
        "Content-Security-Policy"].replace("style-src 'self'",
                                           f"style-src 'self' {_stylesheet_hash()}")},
    "participation.voice_clip": {"Cache-Control": "public, max-age=31536000, immutable"},
    "staff.voice": {"Permissions-Policy": (
        "accelerometer=(), browsing-topics=(), camera=(), display-capture=(), "
        "geolocation=(), gyroscope=(), magnetometer=(), microphone=(self), payment=(), "
        "usb=()")},
}


def assert_security_headers(response, endpoint: str | None = None) -> None:
    """The exact value of every security header (the access matrix applies it to every route)."""
    shown = response.status_code < 300 or response.status_code == 400  # not refused
    expected = {**EXPECTED_HEADERS, **(ROUTE_HEADERS.get(endpoint, {}) if shown else {})}
    for name, value in expected.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))


def test_security_headers_on_every_kind_of_response(client):
    _invitation, token = factories.child_with_link()
    for response in (client.get("/staff/sign-in"), client.get("/no/such/page"),
                     client.get("/your-say"), client.post("/staff/sign-in", data={})):
        assert_security_headers(response)
    assert_security_headers(client.get(f"/start/{token}"), "participation.open_link")


def test_the_stylesheet_is_served_and_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_unknown_pages_are_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_audit_trail_takes_codes_and_numbers_but_never_words(app):
    audit.record("example", count=3, flag=True, code="young_person")
    with pytest.raises(audit.UnsafeAuditDetail):
        audit.record("example", text="I am not happy at home")


def test_access_logs_never_show_a_link_token():
    import logging

    from consult.web import RedactSecretLinks

    token = "LGiz7EVNnAhi1O4qxyLsqQqQnHb3A_W3l3-v8N0qtKQ"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - "%s" %s',
                               ("127.0.0.1", f"GET /start/{token} HTTP/1.1", "303"), None)

    RedactSecretLinks().filter(record)

    assert record.getMessage() == '127.0.0.1 - "GET /start/[redacted] HTTP/1.1" 303'


def test_a_database_outage_gets_the_friendly_503_page(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from consult.extensions import db
    from tests import factories

    _invitation, token = factories.child_with_link()
    client.get(f"/start/{token}")

    def database_down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "get", database_down)
    response = client.get("/your-say")

    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)
