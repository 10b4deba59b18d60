"""What every response shares: security headers and the friendly error pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from flask import Flask, Response, render_template, request
from flask import Request as FlaskRequest
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.formparser import FormDataParser as WerkzeugFormDataParser

from consult import inputs, transactions
from consult.extensions import db

logger = logging.getLogger(__name__)


def content_security_policy(*, style_sources: tuple[str, ...] = ()) -> str:
    """The policy every page gets; `style_sources` adds the hash of a <style> element the
    page carries (the start page at the secret link), never 'unsafe-inline'."""
    if not all(source.startswith("'sha256-") for source in style_sources):
        raise ValueError(f"only hashes may allow an inline style: {style_sources}")
    return "; ".join((
        "default-src 'none'",
        # Only our own script file (the optional enhancements), and it may only talk to us.
        "script-src 'self'",
        "connect-src 'self'",
        " ".join(("style-src 'self'", *style_sources)),
        "img-src 'self'",
        # Recorded questions (Listen), and a recording played back before it is saved (blob:).
        "media-src 'self' blob:",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ))


CONTENT_SECURITY_POLICY = content_security_policy()

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # No page may tell another site where it came from: invitation links are secrets.
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": ", ".join(f"{feature}=()" for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
        "gyroscope", "magnetometer", "microphone", "payment", "usb")),
    # Sent on every response: over plain http (local development only) browsers ignore it.
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}

# Responses that set their own long caching: never anyone's data, named by their content.
CACHED_ENDPOINTS = frozenset({"static", "participation.voice_clip"})

_LINE_BREAKS = str.maketrans({"\r": "\\r", "\n": "\\n", "\x85": "\\x85",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


class OneLineLogRecord(logging.LogRecord):
    """A log message is always one line, so nothing a person typed can forge another entry."""

    def getMessage(self) -> str:
        return super().getMessage().translate(_LINE_BREAKS)


_SECRET_IN_PATH = re.compile(r"(/start/|/staff/set-password/)[^\s\"?]+")
# What staff typed into the caseload's search (`?q=`): a child's name or case reference.
# Gunicorn's access line leaves query strings out; the development server's logs them.
_SEARCHED = re.compile(r"([?&]q=)[^\s\"&#]+")


def redact_secret_links(text: str) -> str:
    """The text with link tokens, and names searched for, replaced by "[redacted]"."""
    return _SEARCHED.sub(r"\1[redacted]", _SECRET_IN_PATH.sub(r"\1[redacted]", text))


class RedactSecretLinks(logging.Filter):
    """Keeps link tokens out of access logs (a logged link would let its reader in), and the
    names staff searched the caseload for."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            # Gunicorn's access atoms: redacted in place, so a JSON formatter can still
            # read them field by field.
            for key, value in record.args.items():
                if isinstance(value, str):
                    record.args[key] = redact_secret_links(value)
            return True
        message = record.getMessage()
        redacted = redact_secret_links(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class FormDataParser(WerkzeugFormDataParser):
    """Werkzeug's, reading `application/x-www-form-urlencoded` bodies with
    `inputs.parse_form_body` (the same result, without a Python loop per %-escape)."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        # As Werkzeug's own: the stream is already limited to MAX_CONTENT_LENGTH.
        items = inputs.parse_form_body(stream.read().decode(), errors="werkzeug.url_quote")
        return stream, self.cls(items), self.cls()


class Request(FlaskRequest):
    form_data_parser_class = FormDataParser


def init_app(app: Flask) -> None:
    app.request_class = Request
    if logging.getLogRecordFactory() is logging.LogRecord:
        logging.setLogRecordFactory(OneLineLogRecord)
    for name in ("werkzeug", "gunicorn.access"):
        access_log = logging.getLogger(name)
        if not any(isinstance(f, RedactSecretLinks) for f in access_log.filters):
            access_log.addFilter(RedactSecretLinks())

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint not in CACHED_ENDPOINTS or response.status_code >= 400:
            # Pages hold children's names and words: no browser or proxy may keep a copy.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_appcontext
    def end_session_even_if_the_database_just_went(_error: BaseException | None) -> None:
        """Runs before Flask-SQLAlchemy's own teardown (registered earlier, so run later).

        A request that only read commits (see consult.transactions); any other rolls back.
        If the connection died after the view's last statement, the closing rollback
        raises; the person has their page already, so it is logged, not turned into a 500.
        """
        if db.session.registry.has():
            transactions.end_read_only(db.session(), _error)
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            db.session.registry.clear()
            logger.warning("session closed on a lost connection: %s", type(error).__name__)

    @app.errorhandler(404)
    def not_found(_error: HTTPException):
        return render_template("errors/not_found.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error: HTTPException):
        return render_template("errors/not_found.html"), 405

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError):
        return render_template("errors/form_expired.html"), 400

    @app.errorhandler(413)
    def too_large(_error: HTTPException):
        return render_template("errors/too_large.html"), 413

    @app.errorhandler(429)
    def too_many_requests(_error: HTTPException):
        return render_template("errors/too_many_requests.html"), 429

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        db.session.rollback()
        # The exception's class is enough to diagnose; its text can hold query parameters.
        logger.error("database unavailable: %s", type(error.orig).__name__)
        return render_template("errors/unavailable.html"), 503

    @app.errorhandler(500)
    def server_error(_error: Exception):
        db.session.rollback()
        return render_template("errors/server_error.html"), 500
