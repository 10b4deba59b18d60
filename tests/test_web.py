"""What every response carries, and what the audit trail refuses to hold."""

from __future__ import annotations

import pytest

from consult import audit


def test_security_headers_on_every_page(client):
    response = client.get("/staff/sign-in")

    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        "img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert "camera=()" in response.headers["Permissions-Policy"]


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
