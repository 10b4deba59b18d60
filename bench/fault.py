"""Fault run: PostgreSQL restarted in the middle of a load run.

    .venv/bin/python bench/fault.py
    .venv/bin/python bench/fault.py \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5433/postgres \
        --restart-command "runuser -u postgres -- \
            /usr/lib/postgresql/15/bin/pg_ctl -D /tmp/pg -l /tmp/pg/log restart -m fast -w"

Children go through their journey (open link, start, each question, check, send) at
--rate requests a second while, --restart-after seconds in, the restart command runs.
A probe asks /readyz every 100 ms to time the outage. A child who meets a 503 does what
the page asks: tries again a second later. The run checks that
- every 503 was the friendly page and fell inside the outage (from the restart until
  /readyz answered again, plus one second for requests already under way);
- nothing but the expected statuses came outside it;
- every child who was told "sent" has exactly one stored response, and no response was
  stored for a child who was not told (counted in the database before and after).

The default restart command restarts this machine's own PostgreSQL cluster, which ends
every other connection to it: run it on a machine of its own, or point --postgres-url and
--restart-command at a scratch cluster as in the second example.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import check  # noqa: E402

DEFAULT_RESTART = ("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart")
# The unavailable page, and the journey's own pages kept on screen when a save failed.
FRIENDLY = ("Sorry, the service is unavailable", "Your answer was not saved",
            "Your answers were not sent")


@dataclass
class Timeline:
    requests: list[tuple[float, str, int, bool]] = field(default_factory=list)
    outage_start: float | None = None
    outage_end: float | None = None
    told_sent: int = 0
    gave_up: int = 0


class Run:
    def __init__(self, base: str, rate: float, timeline: Timeline) -> None:
        self.base, self.interval, self.timeline = base, 1 / rate, timeline
        self.next = 0.0

    async def slot(self) -> None:
        loop = asyncio.get_running_loop()
        due = self.next = max(self.next + self.interval, loop.time())
        await asyncio.sleep(max(0.0, due - loop.time()))

    async def step(self, session, kind: str, method: str, path: str, expected: int,
                   **kwargs) -> tuple[str, str] | None:
        """One step, repeated a second later while the service is unavailable."""
        loop = asyncio.get_running_loop()
        for _attempt in range(60):
            await self.slot()
            location = ""
            try:
                async with session.request(method, self.base + path, allow_redirects=False,
                                           **kwargs) as response:
                    body = await response.text()
                    status = response.status
                    location = response.headers.get("Location", "")
            except (aiohttp.ClientError, TimeoutError):
                status, body = 0, ""
            friendly = status == 503 and any(text in body for text in FRIENDLY)
            self.timeline.requests.append((loop.time(), kind, status, friendly))
            if status == expected:
                return body, location
            if status != 503:
                return None
            await asyncio.sleep(1)
        self.timeline.gave_up += 1
        return None

    async def child(self, token: str, number: int) -> None:
        async with harness.browser(harness.address(number)) as session:
            # A fresh link answers with the start page itself (issue 17).
            start = await self.step(session, "open link", "GET", f"/start/{token}", 200)
            if start is None:
                return
            path = harness.first_question(start[0])
            while path.startswith("/your-say/questions/"):
                page = await self.step(session, "question page", "GET", path, 200)
                if page is None:
                    return
                moved = await self.step(session, "answer", "POST", path, 303, data={
                    "csrf_token": harness.csrf_token(page[0]), "action": "next",
                    **harness.answers_for(page[0])})
                if moved is None:
                    return
                path = moved[1]
            check = await self.step(session, "check answers", "GET", "/your-say/check", 200)
            if check is None:
                return
            sent = await self.step(session, "send", "POST", "/your-say/send", 303, data={
                "csrf_token": harness.csrf_token(check[0]),
                "idempotency_key": harness.idempotency_key(check[0])})
            if sent is not None:
                self.timeline.told_sent += 1
                await self.step(session, "thank you", "GET", "/your-say/thank-you", 200)


async def probe_readiness(base: str, timeline: Timeline, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    seen_down = False
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while not stop.is_set():
            try:
                async with session.get(base + "/readyz") as response:
                    ready = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ready = False
            if timeline.outage_start is not None and not ready:
                seen_down = True
            if seen_down and timeline.outage_end is None and ready:
                timeline.outage_end = loop.time()
            await asyncio.sleep(0.1)


async def fault_run(base: str, tokens: list[str], args) -> Timeline:
    timeline = Timeline()
    run = Run(base, args.rate, timeline)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    prober = asyncio.create_task(probe_readiness(base, timeline, stop))
    end = loop.time() + args.seconds

    async def person(offset: int) -> None:
        n = offset
        while loop.time() < end and tokens:
            await run.child(tokens.pop(), n)
            n += args.people

    async def restart() -> None:
        await asyncio.sleep(args.restart_after)
        timeline.outage_start = loop.time()
        print(f"Restarting PostgreSQL at {timeline.outage_start - start:.1f} s: "
              f"{args.restart_command}")
        # Not captured: the restarted server inherits the pipes and would hold them open.
        result = await asyncio.to_thread(
            subprocess.run, args.restart_command, shell=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if result.returncode:
            print(f"the restart command failed with exit status {result.returncode}")

    start = loop.time()
    await asyncio.gather(restart(), *(person(n) for n in range(args.people)))
    stop.set()
    await prober
    timeline.requests = [(at - start, kind, status, friendly)
                         for at, kind, status, friendly in timeline.requests]
    timeline.outage_start -= start
    timeline.outage_end = (timeline.outage_end or float("nan")) - start
    return timeline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=harness.DEFAULT_POSTGRES_URL)
    parser.add_argument("--restart-command", default=DEFAULT_RESTART)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--rate", type=float, default=40, help="requests a second")
    parser.add_argument("--seconds", type=float, default=40, help="length of the run")
    parser.add_argument("--restart-after", type=float, default=12)
    parser.add_argument("--people", type=int, default=16, help="children at a time")
    parser.add_argument("--server-log", type=Path, default=None,
                        help="keep gunicorn's JSON log in this file")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    journeys = int(args.rate * args.seconds / 6) + 100
    with harness.scratch_database(args.postgres_url) as database_url:
        seed = harness.migrate_and_seed(database_url, journeys)
        env = harness.app_environment(database_url, args.redis_url)
        with harness.gunicorn("consult:create_app()", env, args.workers,
                              log_path=args.server_log) as base:
            before = harness.count_responses(database_url)
            timeline = asyncio.run(fault_run(base, seed.child_tokens, args))
            stored = harness.count_responses(database_url) - before

    start, end = timeline.outage_start, timeline.outage_end
    late = end + 1  # requests already under way when readiness returned
    outside = [(at, kind, status) for at, kind, status, _f in timeline.requests
               if not start <= at <= late and status not in (200, 303)]
    inside = [r for r in timeline.requests if start <= r[0] <= late]
    unfriendly = [(at, kind, status) for at, kind, status, friendly in timeline.requests
                  if status not in (200, 303) and not friendly]
    unavailable = sum(1 for r in timeline.requests if r[2] == 503)
    print(f"\nRequests: {len(timeline.requests)}; outage (restart to /readyz 200) from "
          f"{start:.1f} s to {end:.1f} s ({end - start:.1f} s)")
    saving = sum(1 for r in inside if r[2] == 503 and r[1] in ("answer", "send"))
    print(f"During the outage: {len(inside)} requests, "
          f"{sum(1 for r in inside if r[2] == 503)} friendly 503 pages, of which "
          f"{saving} to an answer or a send")
    print(f"Children told 'sent': {timeline.told_sent}; responses stored: {stored}; "
          f"gave up: {timeline.gave_up}")
    print("\nChecks")
    results = [
        check(f"the outage was seen: {unavailable} friendly 503 pages", unavailable > 0),
        check(f"every error page was the friendly 503: {unfriendly[:5] or 'yes'}",
              not unfriendly),
        check(f"no 503 or error outside the outage: {outside[:5] or 'none'}", not outside),
        check("no submission lost or duplicated: stored == told 'sent'",
              stored == timeline.told_sent),
        check("every child got through in the end", timeline.gave_up == 0),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
