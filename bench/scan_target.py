"""A production-mode instance to scan (bench/scan.sh): PostgreSQL, the demo data, gunicorn.

    .venv/bin/python bench/scan_target.py --out /tmp/scan

Makes a scratch database, loads the demo data into it, serves it with gunicorn -c
gunicorn.conf.py on 127.0.0.1 (CONSULT_ENV=production), signs in as the demo IRO and the
demo admin (password, then the code from their authenticator key), and writes what the
scanner needs to --out: `target.json` (the base URL, a child's link, each session's
cookie, the app's routes, languages and voice-clip slots). It then serves until its
standard input closes or it is stopped, counts the server's answers by status from
gunicorn's access log into `server.json`, and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import sys
import threading
from pathlib import Path

import aiohttp
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from consult import create_app, voices  # noqa: E402
from consult.demo import load_demo  # noqa: E402
from consult.extensions import db  # noqa: E402

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
SIGNED_IN = ("iro@demo.haveyoursay.example", "admin@demo.haveyoursay.example")


def _load(database_url: str):
    # This process alone loads the data, so memory:// limits are its own (one worker).
    app = create_app({**harness.app_environment(database_url, None), "AUTO_MIGRATE": "1",
                      "WEB_CONCURRENCY": "1", "INSTANCES": "1"})
    with app.app_context():
        loaded = load_demo(app.config["INVITATION_DAYS_AFTER_REVIEW"])
        db.session.commit()
        db.engine.dispose()
    # The app's routes (bench/scan_prune.py tells two addresses of one route apart by them)
    # and its languages and voice-clip slots (bench/scan_prune.py --exclusions leaves most
    # of the voice-clip pages out of the crawl).
    routes = sorted({rule.rule for rule in app.url_map.iter_rules()})
    with app.test_request_context():  # the slots' words are translated lazily
        slots = [slot.key for slot in voices.all_slots()]
    return loaded, {"routes": routes, "languages": list(app.config["LANGUAGES"]),
                    "voice_slots": slots}


async def _sign_in(base: str, email: str, password: str, key: str) -> str:
    """The session cookie of a person who signed in with their password and a code."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{base}/staff/sign-in") as page:
            token = harness.csrf_token(await page.text())
        async with browser.post(f"{base}/staff/sign-in", allow_redirects=False, data={
                "csrf_token": token, "email": email, "password": password}) as answer:
            assert answer.status == 303, f"sign-in for {email}: {answer.status}"
            code_url = base + answer.headers["Location"]
        async with browser.get(code_url) as page:
            token = harness.csrf_token(await page.text())
        async with browser.post(code_url, allow_redirects=False, data={
                "csrf_token": token, "code": pyotp.TOTP(key).now()}) as answer:
            assert answer.status == 303, f"code for {email}: {answer.status}"
        cookies = {cookie.key: cookie.value for cookie in jar}
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _answers(log_path: Path) -> dict[str, object]:
    """The server's answers by status, and its 5xx by path, from gunicorn's JSON access
    lines (query strings are never logged)."""
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or "status" not in entry or "method" not in entry:
            continue
        status = entry["status"]
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if not isinstance(status, int) or status >= 500:
            path = re.sub(r"/\d+", "/N", str(entry.get("path", "?")))
            errors[path] = errors.get(path, 0) + 1
    return {"requests": sum(statuses.values()), "statuses": statuses, "server_errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--postgres-url", default=harness.DEFAULT_POSTGRES_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL,
                        help="rate-limit storage, shared by the workers as in production")
    parser.add_argument("--workers", type=int, default=3)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    log_path = arguments.out / "gunicorn.log"
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    with harness.scratch_database(arguments.postgres_url) as database_url:
        loaded, app_facts = _load(database_url)
        environment = harness.app_environment(database_url, arguments.redis_url)
        # The scanner talks to gunicorn directly: no proxy, so no forwarded address trusted.
        environment.update(PROXY_FIX_HOPS="0", LOG_LEVEL="INFO")
        with harness.gunicorn("consult:create_app()", environment, arguments.workers,
                              log_path) as base:
            accounts = {account.email: account for account in loaded.staff}
            sessions = {email.split("@")[0]: asyncio.run(_sign_in(
                base, email, accounts[email].password, accounts[email].authenticator_key))
                for email in SIGNED_IN}
            child_link = next(link.token for link in loaded.links
                              if "(child)" in link.description and "sent" not in link.description)
            (arguments.out / "target.json").write_text(json.dumps({
                "base": base, "child_link": f"{base}/start/{child_link}",
                "sessions": sessions, **app_facts}))
            print(f"serving {base}", flush=True)
            threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
            stop.wait()
        (arguments.out / "server.json").write_text(
            json.dumps(_answers(log_path), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
