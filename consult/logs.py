"""JSON log lines that carry a request id and nothing personal.

Every response echoes its request id in `X-Request-ID`: taken from the reverse proxy's
header when it is well formed, made here otherwise, so one id follows a request through
the proxy's log, the access log and any error logged on the way. Gunicorn's access log
records method, path (never the query string), status, size and duration; the client's
address and user agent are personal data and are left to the proxy's own, shorter-lived log.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from consult.web import RedactSecretLinks, redact_secret_links

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
# Gunicorn names a response header atom in lower case: "{x-request-id}o".
_REQUEST_ID_ATOM = "{" + REQUEST_ID_HEADER.lower() + "}o"


def request_id_from(header_value: str | None) -> str:
    """The caller's id if it is safe to log and repeat, else a new one."""
    if header_value and _WELL_FORMED_REQUEST_ID.fullmatch(header_value):
        return header_value
    return uuid.uuid4().hex


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        # A request turned away before `before_request` ran still gets an id.
        response.headers[REQUEST_ID_HEADER] = g.get("request_id") or request_id_from(None)
        return response


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was logged in, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class AppJsonFormatter(JsonFormatter):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s", timestamp="time",
            rename_fields={"levelname": "level", "name": "logger"}, **kwargs)


class AccessJsonFormatter(JsonFormatter):
    """One JSON object per request from gunicorn's access atoms."""

    def __init__(self, **kwargs) -> None:
        super().__init__("%(message)s", timestamp="time", **kwargs)

    def add_fields(self, log_record: dict, record: logging.LogRecord, message_dict: dict) -> None:
        super().add_fields(log_record, record, message_dict)
        atoms = record.args if isinstance(record.args, Mapping) else None
        if atoms is None:
            return
        # Gunicorn leaves atoms empty (None) on its own error responses.
        path = redact_secret_links(str(atoms["U"] or "-"))
        status = str(atoms["s"] or "-")
        log_record.update({
            "message": f"{atoms['m']} {path} {status}",
            "method": atoms["m"],
            "path": path,
            "status": int(status) if status.isdigit() else None,
            "bytes": int(atoms["B"]) if str(atoms["B"]).isdigit() else 0,
            "duration_ms": round(int(atoms["D"]) / 1000, 1) if str(atoms["D"]).isdigit()
            else None,
            "request_id": None if atoms[_REQUEST_ID_ATOM] in ("-", None)
            else atoms[_REQUEST_ID_ATOM],
        })


def gunicorn_logging(level: str = "INFO") -> dict:
    """A `logging.config.dictConfig` for gunicorn: JSON everywhere, secret links redacted.

    Access lines go to stdout and everything else to stderr, as gunicorn does by default.
    """
    filters = ["redact_secret_links", "request_id"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact_secret_links": {"()": RedactSecretLinks},
            "request_id": {"()": RequestIdFilter},
        },
        "formatters": {
            "app": {"()": AppJsonFormatter},
            "access": {"()": AccessJsonFormatter},
        },
        "handlers": {
            "app": {"class": "logging.StreamHandler", "formatter": "app",
                    "filters": filters, "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access",
                       "filters": filters, "stream": "ext://sys.stdout"},
        },
        "root": {"level": level, "handlers": ["app"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["app"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }
