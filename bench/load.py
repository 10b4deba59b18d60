"""Load benchmark: the app under gunicorn and PostgreSQL, against a Flask "hello" ceiling.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/load.py                      # 60 s of mixed load
    .venv/bin/python bench/load.py --soak-seconds 300   # the 5-minute soak

1. Peak throughput, closed loop: --clients browsers each send their next request as soon
   as the last one is answered, for --peak-seconds; first to the "hello" app (the ceiling:
   the same gunicorn configuration, workers and JSON access log), then to the child's
   question page. Goal: the question page reaches at least half the ceiling's throughput.
2. Mixed load, open loop at --rate requests a second for --soak-seconds: children answering
   (open link, start page, then each question's page and answer, check answers, send,
   thank you), carers sending their form (the same steps), IROs opening their dashboard
   and a review. Latency is measured from the moment each request was due, so a slow
   server cannot hide its queue (coordinated omission).
   Goals: p95 at most 50 ms; no errors; every answer sent is stored exactly once.

The client is a small asyncio program on aiohttp, not locust: one process and a few lines
give exact pacing and full control of the journeys, and aiohttp's low cost per request
keeps the client from being what limits the ceiling on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import check  # noqa: E402

JOURNEY_WEIGHTS = {"child": 6, "carer": 3, "iro": 1}


class Pacer:
    """Hands out send times `1/rate` apart; a late sender gets the time it should have sent."""

    def __init__(self, rate: float, seconds: float) -> None:
        self.interval = 1 / rate
        self.start = asyncio.get_running_loop().time()
        self.next = self.start
        self.end = self.start + seconds

    async def slot(self) -> float | None:
        loop = asyncio.get_running_loop()
        due, self.next = self.next, self.next + self.interval
        if due >= self.end:
            return None
        await asyncio.sleep(max(0.0, due - loop.time()))
        return due


class Finished(Exception):
    """The run is over: no more send times, or no more links."""


@dataclass
class Mixed:
    base: str
    pacer: Pacer
    seed: harness.Seed
    iro_browsers: list[tuple[aiohttp.ClientSession, str]]
    figures: harness.Figures
    answers_sent: int = 0
    people: int = 0
    seconds: float = 0.0

    async def request(self, kind: str, session: aiohttp.ClientSession, method: str, path: str,
                      expected: int, **kwargs) -> tuple[str, str] | None:
        """(body, Location) when the status is the expected one, else None."""
        due = await self.pacer.slot()
        if due is None:
            raise Finished
        loop = asyncio.get_running_loop()
        try:
            async with session.request(method, self.base + path, allow_redirects=False,
                                       **kwargs) as response:
                body = await response.text()
        except (aiohttp.ClientError, TimeoutError) as error:
            self.figures.failed(kind, error)
            return None
        self.figures.record(kind, loop.time() - due, response.status, expected)
        if response.status != expected:
            return None
        return body, response.headers.get("Location", "")

    async def answer(self, who: str, tokens: list[str]) -> None:
        """Open the link, answer every question on its own page, check, send."""
        if not tokens:
            raise Finished
        token = tokens.pop()
        self.people += 1
        async with harness.browser(harness.address(self.people)) as session:
            # A fresh link answers with the start page itself (issue 17).
            start = await self.request(f"{who}: open link", session, "GET", f"/start/{token}",
                                       200)
            if start is None:
                return
            path = harness.first_question(start[0])
            while path.startswith("/your-say/questions/"):
                page = await self.request(f"{who}: question page", session, "GET", path, 200)
                if page is None:
                    return
                sent = await self.request(f"{who}: answer", session, "POST", path, 303, data={
                    "csrf_token": harness.csrf_token(page[0]), "action": "next",
                    **harness.answers_for(page[0])})
                if sent is None:
                    return
                path = sent[1]
            check = await self.request(f"{who}: check answers", session, "GET",
                                       "/your-say/check", 200)
            if check is None:
                return
            sent = await self.request(f"{who}: send", session, "POST", "/your-say/send", 303,
                                      data={"csrf_token": harness.csrf_token(check[0]),
                                            "idempotency_key": harness.idempotency_key(check[0])})
            if sent is not None:
                self.answers_sent += 1
                await self.request(f"{who}: thank you", session, "GET", "/your-say/thank-you",
                                   200)

    async def iro(self) -> None:
        session, email = random.choice(self.iro_browsers)
        await self.request("IRO: dashboard", session, "GET", "/staff/", 200)
        review_id = random.choice(self.seed.review_ids[email])
        await self.request("IRO: review page", session, "GET", f"/staff/reviews/{review_id}",
                           200)

    async def person(self) -> None:
        kinds, weights = zip(*JOURNEY_WEIGHTS.items(), strict=True)
        try:
            while True:
                kind = random.choices(kinds, weights)[0]
                if kind == "child":
                    await self.answer("child", self.seed.child_tokens)
                elif kind == "carer":
                    await self.answer("carer", self.seed.carer_tokens)
                else:
                    await self.iro()
        except Finished:
            return


async def sign_in_iros(base: str, seed: harness.Seed, count: int):
    browsers = []
    for n, email in enumerate(seed.iro_emails[:count]):
        session = harness.browser(harness.address(200_000 + n))
        async with session.get(base + "/staff/sign-in") as page:
            token = harness.csrf_token(await page.text())
        async with session.post(base + "/staff/sign-in", allow_redirects=False, data={
                "csrf_token": token, "email": email, "password": harness.IRO_PASSWORD}) as done:
            if done.status != 303:
                raise SystemExit(f"IRO sign-in failed with {done.status}")
            code_url = base + done.headers["Location"]
        async with session.get(code_url) as page:
            token = harness.csrf_token(await page.text())
        async with session.post(code_url, allow_redirects=False, data={
                "csrf_token": token,
                "code": pyotp.TOTP(harness.IRO_TOTP_SECRET).now()}) as done:
            if done.status != 303:
                raise SystemExit(f"IRO sign-in code refused with {done.status}")
        browsers.append((session, email))
    return browsers


async def closed_loop(url: str, sessions: list[aiohttp.ClientSession], seconds: float,
                      label: str, server_pid: int) -> tuple[harness.Figures, float, float]:
    """The figures, the seconds taken, and the server's CPU seconds in that time."""
    figures = harness.Figures()
    loop = asyncio.get_running_loop()
    cpu_before = harness.cpu_seconds(server_pid)
    start = loop.time()
    end = start + seconds

    async def client(session: aiohttp.ClientSession) -> None:
        while loop.time() < end:
            sent = loop.time()
            try:
                async with session.get(url, allow_redirects=False) as response:
                    await response.read()
            except (aiohttp.ClientError, TimeoutError) as error:
                figures.failed(label, error)
                continue
            figures.record(label, loop.time() - sent, response.status, 200)

    await asyncio.gather(*(client(session) for session in sessions))
    return figures, loop.time() - start, harness.cpu_seconds(server_pid) - cpu_before


async def peak_hello(url: str, clients: int, seconds: float, server_pid: int):
    sessions = [harness.browser(harness.address(n)) for n in range(clients)]
    try:
        return await closed_loop(url + "/", sessions, seconds, "hello", server_pid)
    finally:
        await asyncio.gather(*(session.close() for session in sessions))


async def peak_question_page(base: str, tokens: list[str], clients: int, seconds: float,
                             server_pid: int):
    sessions = []
    try:
        for n in range(clients):
            session = harness.browser(harness.address(100_000 + n))
            sessions.append(session)
            async with session.get(base + f"/start/{tokens.pop()}",
                                   allow_redirects=False) as opened:
                if opened.status != 200:
                    raise SystemExit(f"opening a child's link gave {opened.status}")
                first = harness.first_question(await opened.text())
        return await closed_loop(base + first, sessions, seconds, "child question page",
                                 server_pid)
    finally:
        await asyncio.gather(*(session.close() for session in sessions))


async def mixed_load(base: str, seed: harness.Seed, rate: float, seconds: float,
                     people: int, iros: int) -> Mixed:
    iro_browsers = await sign_in_iros(base, seed, iros)
    try:
        mixed = Mixed(base, Pacer(rate, seconds), seed, iro_browsers, harness.Figures())
        await asyncio.gather(*(mixed.person() for _ in range(people)))
        # From the first request due to the last answer: signing the IROs in is not load.
        mixed.seconds = asyncio.get_running_loop().time() - mixed.pacer.start
        return mixed
    finally:
        await asyncio.gather(*(session.close() for session, _email in iro_browsers))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", default=harness.DEFAULT_POSTGRES_URL,
                        help="a PostgreSQL server; the run makes and drops its own database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10",
                        help="rate-limit storage, as in production; 'none' for memory")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn.conf.py's, 2 x CPUs + 1)")
    parser.add_argument("--clients", type=int, default=32,
                        help="concurrent browsers in the peak throughput runs")
    parser.add_argument("--peak-seconds", type=float, default=20)
    parser.add_argument("--rate", type=float, default=100, help="requests a second, mixed load")
    parser.add_argument("--soak-seconds", type=float, default=60,
                        help="length of the mixed load run (300 for the 5-minute soak)")
    parser.add_argument("--people", type=int, default=64,
                        help="people going through journeys at once in the mixed load")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    redis_url = None if args.redis_url == "none" else args.redis_url

    # A journey through a form takes 10 requests or more; a margin on top.
    journeys = int(args.rate * args.soak_seconds / 6) + args.clients + 100
    print(f"Have Your Say load benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    with harness.scratch_database(args.postgres_url) as database_url:
        started = time.monotonic()
        seed = harness.migrate_and_seed(database_url, journeys)
        print(f"Seeded {journeys} children with a review, a child's and a carer's link, and "
              f"{len(seed.iro_emails)} IROs, in {time.monotonic() - started:.0f} s")
        env = harness.app_environment(database_url, redis_url)

        print(f"\n1. Peak throughput: {args.clients} browsers, closed loop, "
              f"{args.peak_seconds:.0f} s each")
        print(harness.HEADER)
        with harness.gunicorn("hello:app", {**env, "PYTHONPATH": str(harness.ROOT / "bench")},
                              args.workers):
            pass  # started once to warm the page cache for Python's imports
        with harness.gunicorn_process("hello:app",
                                      {**env, "PYTHONPATH": str(harness.ROOT / "bench")},
                                      args.workers) as (url, server):
            hello, hello_seconds, hello_cpu = asyncio.run(
                peak_hello(url, args.clients, args.peak_seconds, server.pid))
        print(harness.row("hello app (ceiling)", hello.latencies["hello"], hello_seconds))

        with harness.gunicorn_process("consult:create_app()", env, args.workers) as (base, server):
            page, page_seconds, page_cpu = asyncio.run(peak_question_page(
                base, seed.child_tokens, args.clients, args.peak_seconds, server.pid))
            print(harness.row("child question page", page.latencies["child question page"],
                              page_seconds))
            # Independent of what else the machine runs, unlike the throughput above.
            print(f"gunicorn CPU per request: hello {hello_cpu * 1000 / hello.total:.2f} ms, "
                  f"question page {page_cpu * 1000 / page.total:.2f} ms")

            before = harness.count_responses(database_url)
            print(f"\n2. Mixed load: {args.rate:.0f} requests/s for {args.soak_seconds:.0f} s, "
                  f"{args.people} people at a time")
            mixed = asyncio.run(mixed_load(base, seed, args.rate, args.soak_seconds,
                                           args.people, iros=min(20, len(seed.iro_emails))))
            elapsed = mixed.seconds
            stored = harness.count_responses(database_url) - before

        print(harness.HEADER)
        every = []
        for kind in sorted(mixed.figures.latencies):
            every += mixed.figures.latencies[kind]
            print(harness.row(kind, mixed.figures.latencies[kind], elapsed))
        print(harness.row("all requests", every, elapsed))
        errors = dict(mixed.figures.errors) | dict(hello.errors) | dict(page.errors)
        print(f"Errors: {errors or 'none'}")
        print(f"Answers sent (303): {mixed.answers_sent}; responses stored: {stored}")

    ratio = (page.total / page_seconds) / (hello.total / hello_seconds)
    print("\nGoals")
    results = [
        check(f"question page at >= 50 % of the ceiling's throughput: {ratio:.0%}", ratio >= 0.5),
        check(f"p95 <= 50 ms at {args.rate:.0f} requests/s: "
              f"{harness.percentiles(every)[1]:.1f} ms", harness.percentiles(every)[1] <= 50),
        check(f"achieved rate within 5 % of {args.rate:.0f}/s: {len(every) / elapsed:.1f}/s",
              len(every) / elapsed >= args.rate * 0.95),
        check("no errors", not errors),
        check("every answer sent stored exactly once", stored == mixed.answers_sent),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
