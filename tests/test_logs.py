"""JSON log lines: a request id on each, and no personal data or secret links in any."""

from __future__ import annotations

import io
import json
import logging

import pytest

from consult.logs import (
    AccessJsonFormatter,
    AppJsonFormatter,
    RequestIdFilter,
    gunicorn_logging,
    request_id_from,
)
from consult.web import RedactSecretLinks
from tests.conftest import make_app
from tests.test_health import UNREACHABLE_DATABASE

TOKEN = "LGiz7EVNnAhi1O4qxyLsqQqQnHb3A_W3l3-v8N0qtKQ"


def test_a_well_formed_request_id_from_the_proxy_is_kept_and_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "req-0a1b2c3d"})
    assert response.headers["X-Request-ID"] == "req-0a1b2c3d"


@pytest.mark.parametrize("sent", [None, "short", "x" * 129, "has spaces in it", 'quote"d-id',
                                  "<script>1</script>"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_fresh_one(client, sent):
    headers = {"X-Request-ID": sent} if sent else {}
    echoed = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert echoed != sent
    assert len(echoed) == 32 and int(echoed, 16) >= 0


def test_request_ids_differ_between_requests():
    assert request_id_from(None) != request_id_from(None)


@pytest.fixture
def json_log():
    """What the app logs, through the handler gunicorn's configuration gives it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AppJsonFormatter())
    handler.addFilter(RedactSecretLinks())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_an_error_is_one_json_line_with_the_request_id_and_no_secrets(json_log):
    client = make_app(UNREACHABLE_DATABASE).test_client()

    response = client.get(f"/start/{TOKEN}?token={TOKEN}", headers={"X-Request-ID": "probe-1234"})

    assert response.status_code == 503
    lines = json_log()
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors == [{"time": errors[0]["time"], "level": "ERROR",
                       "logger": "consult.participation.views",
                       "message": "database unavailable: OperationalError",
                       "request_id": "probe-1234"}]
    assert TOKEN not in json.dumps(lines)


def test_what_a_child_wrote_never_reaches_the_log(json_log):
    client = make_app(UNREACHABLE_DATABASE).test_client()

    client.post("/your-say/questions/went_well", data={"went_well": "I miss my brother Yonas"})

    assert "Yonas" not in json.dumps(json_log())


class _Atoms(dict):
    """Gunicorn's access atoms as its SafeAtoms presents them: '-' for anything missing."""

    def __getitem__(self, key):
        return super().get(key.lower() if key.startswith("{") else key, "-")


def _access_line(**atoms) -> dict:
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s %(s)s",
                               None, None)
    record.args = _Atoms(atoms)  # a mapping, as gunicorn passes it
    RedactSecretLinks().filter(record)
    return json.loads(AccessJsonFormatter().format(record))


def test_an_access_line_holds_the_request_but_not_the_person_or_the_query():
    line = _access_line(h="203.0.113.9", m="GET", U=f"/start/{TOKEN}", q=f"token={TOKEN}",
                        s="303", B="0", D="12345", a="Mozilla/5.0 (iPhone)",
                        **{"{x-request-id}o": "req-0a1b2c3d"})

    assert line == {"time": line["time"], "message": "GET /start/[redacted] 303",
                    "method": "GET", "path": "/start/[redacted]", "status": 303, "bytes": 0,
                    "duration_ms": 12.3, "request_id": "req-0a1b2c3d"}


def test_the_gunicorn_logging_configuration_is_valid():
    import logging.config

    config = gunicorn_logging()
    # Validated without installing it: dictConfig would replace the test run's own handlers.
    configurator = logging.config.DictConfigurator(config)
    assert configurator.configure_formatter(config["formatters"]["app"]).__class__ \
        is AppJsonFormatter


def test_gunicorns_own_error_response_still_logs_one_clean_line():
    line = _access_line(m="GET", U=None, s="500", B=0, D=339009,
                        **{"{cookie}i": "session=secret-cookie"})

    assert (line["message"], line["status"], line["path"]) == ("GET - 500", 500, "-")
    assert "secret-cookie" not in json.dumps(line)


def test_a_name_searched_for_in_the_caseload_is_not_in_the_development_servers_log():
    """Werkzeug's request line keeps the query string: the search's words are taken out,
    the rest of the request (which filter, which page) stays."""
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
        ("127.0.0.1", "03/Dec/2026 17:00:00", "GET /staff/?show=all&q=Amanuel+DEMO-001&page=2 "
         "HTTP/1.1", "200", "-"), None)
    RedactSecretLinks().filter(record)
    line = record.getMessage()
    assert "Amanuel" not in line and "DEMO-001" not in line
    assert "GET /staff/?show=all&q=[redacted]&page=2 HTTP/1.1" in line
