"""Benchmark: how long a child's core journey takes, from the link to Send, on a phone.

    .venv/bin/python bench/journey_time.py                 # en, ar and ti, 3 runs each
    .venv/bin/python bench/journey_time.py --languages en_GB ar --runs 5

Debian's Chromium (playwright) at 360×740 under Lighthouse's Slow-4G profile (150 ms round
trip, 1.6 Mbps down, 750 Kbps up, 4× CPU slowdown) walks each child form's core, as the
start page counts it: open the link, Start, every question answered (the first choice, or a
sentence in a text box), Check your answers, Send. The app runs in this process on a fresh
SQLite database with a child of each age.

It prints two figures per form and language:

- the machine's part, measured: the time from each tap to the next page being ready, summed;
- the child's part, estimated from what each page shows: its words read at a young reader's
  pace (a line already read on an earlier page, such as the buttons, is not read again),
  a few seconds to choose, and a short sentence typed in each text box.

The start page and the letter say the child's part plus the machine's, rounded up to whole
minutes, for the slowest language measured (`minutes=` in consult/questionnaires/definitions.py).
The reading and typing paces are assumptions, named below, not measurements of children.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

# A young or second-language reader reads about 80 words a minute (a fluent adult, 250);
# a 9-year-old types on a phone at about 8 words a minute. Choosing an answer: 4 s.
READING_WORDS_PER_MINUTE = {"child_under_11": 80, "young_person": 110}
TYPING_WORDS_PER_MINUTE = {"child_under_11": 8, "young_person": 15}
CHOOSING_SECONDS = 4
SENTENCE = "I would like to see my brother more often and go to football."

SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8,
           "uploadThroughput": 750 * 1024 / 8}
CHROMIUM = "/usr/bin/chromium"
CHILDREN = {"child_under_11": {"age": 9, "uasc": False},
            "young_person": {"age": 16, "uasc": True}}


def make_app(database: Path):
    from consult import create_app
    return create_app({"CONSULT_ENV": "testing", "SECRET_KEY": "bench-" + "x" * 40,
                       "DATABASE_URL": f"sqlite:///{database}", "AUTO_MIGRATE": "1",
                       "WTF_CSRF_ENABLED": True})


def new_link(app, base_url: str, *, age: int, uasc: bool, language: str) -> str:
    """An IRO, a child of `age` with a review in ten days, and the child's secret link."""
    from consult import invitations
    from consult.extensions import db
    from consult.models import Child, InviteeRole, Review, ReviewType, StaffRole, StaffUser

    with app.app_context():
        stamp = time.monotonic_ns()
        iro = StaffUser(email=f"iro{stamp}@council.example", name="Imani Reviewing",
                        role=StaffRole.IRO)
        today = date.today()
        child = Child(case_ref=f"BENCH-{stamp}", preferred_name="Amanuel",
                      date_of_birth=today.replace(year=today.year - age) - timedelta(days=30),
                      preferred_language=language, looked_after_since=today - timedelta(days=200),
                      unaccompanied_asylum_seeking=uasc, iro=iro)
        meeting = today + timedelta(days=10)
        review = Review(child=child, review_type=ReviewType.SUBSEQUENT, due_on=meeting,
                        scheduled_for=datetime(meeting.year, meeting.month, meeting.day, 10,
                                               tzinfo=UTC))
        db.session.add_all([iro, child, review])
        db.session.flush()
        invitation, token = invitations.create_invitation(
            review, role=InviteeRole.CHILD, invitee_name="Amanuel", language=language,
            created_by=iro, days_after_review=14)
        invitation.handed_over_at = datetime.now(UTC)
        db.session.commit()
    return f"{base_url}/start/{token}"


# The main part of the page as it shows (innerText leaves out what is hidden), line by line.
LINES_SHOWN = "() => document.querySelector('main').innerText.split('\\n')"


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def walk(page, link: str, form: str) -> dict[str, float]:
    """The core journey once: the machine's seconds, and the child's estimated seconds."""
    machine = 0.0
    reading = choosing = typing = 0.0
    questions = 0

    def timed(action) -> None:
        nonlocal machine
        started = time.perf_counter()
        with page.expect_navigation(wait_until="load"):
            action()
        machine += time.perf_counter() - started

    seen: set[str] = set()

    def read_page() -> None:
        # A line shown on an earlier page (Next, Skip, "Your answers are saved ...") is
        # recognised, not read again.
        nonlocal reading
        new = [line.strip() for line in page.evaluate(LINES_SHOWN)
               if line.strip() and line.strip() not in seen]
        seen.update(new)
        reading += sum(map(words, new)) / READING_WORDS_PER_MINUTE[form] * 60

    timed(lambda: page.goto(link))
    read_page()
    said = int(re.search(r"\d+", page.inner_text("main .list li:first-child"))[0])
    timed(lambda: page.click("main a.button"))
    while "/your-say/questions/" in page.url:
        questions += 1
        read_page()
        box = page.locator("main textarea")
        if box.count():
            box.fill(SENTENCE)
            typing += words(SENTENCE) / TYPING_WORDS_PER_MINUTE[form] * 60
        else:
            page.locator("main .choice__input").first.check()
            choosing += CHOOSING_SECONDS
        timed(lambda: page.click("main form button[name=action][value=next]"))
    assert "/your-say/check" in page.url, page.url
    assert questions == said, (questions, said)
    read_page()
    timed(lambda: page.click("main form[action$='/your-say/send'] button[type=submit]"))
    assert page.url.endswith("/your-say/thank-you"), page.url
    return {"questions": questions, "machine": machine, "reading": reading,
            "choosing": choosing, "typing": typing,
            "child": reading + choosing + typing, "total": machine + reading + choosing + typing}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", nargs="+", default=["en_GB", "ar", "ti"])
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder) / "journey.sqlite")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_port}"
        slowest: dict[str, float] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--disable-gpu", "--no-first-run"])
            print(f"{'form':15} {'lang':6} {'q':>3} {'machine s':>10} {'reading s':>10} "
                  f"{'choosing s':>11} {'typing s':>9} {'total min':>10}")
            for form, child in CHILDREN.items():
                for language in arguments.languages:
                    runs = []
                    for _run in range(arguments.runs):
                        context = browser.new_context(
                            viewport={"width": 360, "height": 740}, device_scale_factor=2,
                            is_mobile=True, has_touch=True, locale=language.replace("_", "-"))
                        page = context.new_page()
                        cdp = context.new_cdp_session(page)
                        cdp.send("Network.enable")
                        cdp.send("Network.emulateNetworkConditions", SLOW_4G)
                        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                        runs.append(walk(page, new_link(app, base_url, language=language,
                                                        **child), form))
                        context.close()
                    median = {key: statistics.median(run[key] for run in runs)
                              for key in runs[0]}
                    slowest[form] = max(slowest.get(form, 0), median["total"])
                    print(f"{form:15} {language:6} {median['questions']:>3.0f} "
                          f"{median['machine']:>10.1f} {median['reading']:>10.1f} "
                          f"{median['choosing']:>11.1f} {median['typing']:>9.1f} "
                          f"{median['total'] / 60:>10.1f}")
            browser.close()
        server.shutdown()
    for form, seconds in slowest.items():
        print(f"{form}: about {math.ceil(seconds / 60)} minutes (slowest language, "
              f"median of {arguments.runs})")


if __name__ == "__main__":
    main()
