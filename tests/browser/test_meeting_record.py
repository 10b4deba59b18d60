"""The IRO records a meeting in Chromium: channels ticked, decisions added with the "add
another" button and refused when half typed, then shown as agreed last time on the next
review's page; axe-core finds nothing on any of those pages (the gates)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from consult.extensions import db
from consult.models import Review
from tests import factories
from tests.browser.journeys import IroJourney


def test_an_iro_records_channels_decisions_and_sees_them_agreed_last_time(phone, live_server):
    login, _child_link = live_server.iro_with_child_link()
    page, gates = phone(viewport={"width": 1280, "height": 800}, is_mobile=False,
                        has_touch=False, device_scale_factor=1)
    iro = IroJourney(page, gates)
    iro.sign_in(live_server.url, login.email, login.password, login.authenticator_key)
    iro.open_child("Layla")
    iro.open_review()
    iro.open_meeting_record()

    form = page.locator("main form")
    form.locator("#attended-0").check()  # the child
    form.locator("#participation_code-1").check()  # PN1
    for field, values in (("views_child", ("verbal", "advocate")),
                          ("views_foster_carer", ("none",)),
                          ("views_parent_or_family", ("none",))):
        for value in values:
            form.locator(f"input[name={field}][value={value}]").check()
    due = (date.today() + timedelta(days=28)).isoformat()
    form.locator("#decision_0_what").fill("Find a football club near home")
    form.locator("#decision_0_who").fill("Grace, foster carer")
    form.locator("#decision_0_due_on").fill(due)
    iro.arrive("add another decision",
               lambda: form.locator("button[name=add_decision]").click(),
               path=re.compile(r"/staff/reviews/\d+/record"), public=False)
    assert page.locator("main fieldset.decision").count() == 4
    assert form.locator("#decision_0_what").input_value() == "Find a football club near home"
    assert form.locator("input[name=views_child][value=advocate]").is_checked()

    form.locator("#decision_3_what").fill("Ask about a college course")
    iro.post_refused("save a half-typed decision",
                     form.locator("button[type=submit]:not([name])").last)
    assert page.locator("#decision_3_who-error").inner_text().endswith("Say who will do it.")
    assert form.locator("#decision_3_what").input_value() == "Ask about a college course"

    form.locator("#decision_3_who").fill("Sam, social worker")
    form.locator("#decision_3_due_on").fill(due)
    iro.arrive("save the meeting record",
               lambda: form.locator("button[type=submit]:not([name])").last.click(),
               path=re.compile(r"/staff/reviews/\d+"), public=False)
    assert page.locator("#decisions-table tbody tr").count() == 2

    held_id = int(iro.path.rsplit("/", 1)[1])
    with live_server._lock, live_server.app.app_context():
        next_review = factories.review(db.session.get(Review, held_id).child, days_ahead=180)
        db.session.commit()
        next_id = next_review.id
    iro.arrive("open the next review",
               lambda: page.goto(f"{live_server.url}/staff/reviews/{next_id}"),
               path=f"/staff/reviews/{next_id}", public=False)
    agreed = page.locator("#agreed-table tbody tr")
    assert [agreed.nth(n).locator("th").inner_text() for n in range(agreed.count())] == [
        "Find a football club near home", "Ask about a college course"]
    assert gates.checked[-6:] == [
        "open the review", "open the meeting record", "add another decision",
        "save a half-typed decision", "save the meeting record", "open the next review"]
