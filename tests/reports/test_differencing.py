"""The differencing attacks of issue 22, replayed: no two figures anyone may see, taken one
from the other, single a child out.

A busy May: twelve reviews of English-speaking children held from 1 to 9 May, and on 10 May
one more, of IRO A's Tigrinya-speaking child, aged 16, who did not attend, gave no views
and had PN5. A manager, or IRO B looking at the whole service, compares the figures of two
periods that differ by that one day.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from consult.extensions import db
from consult.models import ParticipationCode, ReviewType, StaffRole
from tests import factories
from tests.html_checks import parse
from tests.reports.dataset import _child, _review

THRESHOLD = 5
BEFORE = "from=2015-05-01&to=2015-05-09"
AFTER = "from=2015-05-01&to=2015-05-10"
ONE_DAY = "from=2015-05-10&to=2015-05-10"
MAY = "from=2015-05-01&to=2015-05-31"


@pytest.fixture
def may(app):
    iro_a = factories.staff(StaffRole.IRO, name="Imani A")
    iro_b = factories.staff(StaffRole.IRO, name="Idris B")
    manager = factories.staff(StaffRole.MANAGER, name="Morgan")
    for day in range(1, 10):
        for _ in range(1 if day > 3 else 2):
            child = _child(iro_b, "Busy", date(2008, 1, 1), "en_GB")
            _review(child, ReviewType.SUBSEQUENT, date(2015, 5, day), date(2015, 5, day),
                    chair=iro_b, pn=ParticipationCode.PN1)
    lone = _child(iro_a, "Amanuel", date(1999, 1, 15), "ti")
    _review(lone, ReviewType.SUBSEQUENT, date(2015, 5, 10), date(2015, 5, 10), chair=iro_a,
            pn=ParticipationCode.PN5)
    db.session.commit()
    return iro_a, iro_b, manager


def signed_in(app, user):
    browser = app.test_client()
    factories.sign_in(browser, user)
    return browser


def figures(browser, query: str, scope: str = "service") -> dict | None:
    """Every figure on the page, by (table, row, column); None when the period is refused."""
    response = browser.get(f"/staff/reports/?{query}&scope={scope}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        return None
    found = {}
    # Each figure is an element of class "figure" (a details on the page) with the table's key.
    for section in parse(response.get_data(as_text=True)).iter():
        if "figure" not in (section.get("class") or "").split():
            continue
        table = section.find(".//table")
        if table is None:
            continue
        columns = ["".join(th.itertext()).strip() for th in table.findall("./thead/tr/th")][1:]
        for row in table.findall("./tbody/tr"):
            label = "".join(row.find("th").itertext()).strip()
            for column, cell in zip(columns, row.findall("td"), strict=True):
                found[(section.get("id"), label, column)] = " ".join(
                    "".join(cell.itertext()).split())
    return found


def number(text: str) -> int | None:
    match = re.fullmatch(r"(\d+)( \(\d+%\))?", text)
    return int(match.group(1)) if match else None


def revealed(before: dict | None, after: dict | None) -> list:
    """What taking one page from the other tells about the reviews in only one of them: a
    count that grew by 1 to THRESHOLD-1, or a 0 that became hidden (so some are there)."""
    if before is None or after is None:
        return []
    found = []
    for place, was in before.items():
        now = after.get(place)
        if now is None:
            continue
        a, b = number(was), number(now)
        grew_a_little = a is not None and b is not None and 0 < abs(b - a) < THRESHOLD
        if grew_a_little or {was, now} == {"0", "[c]"}:
            found.append((place, was, now))
    # A row only one page has (a language) says its group is in the other days.
    found += [(place, None, now) for place, now in after.items()
              if place not in before and now not in ("0", "–")]
    return found


def small_counts_shown(page: dict) -> list:
    return [(place, text) for place, text in page.items()
            if (n := number(text)) is not None and 0 < n < THRESHOLD]


def test_a_manager_cannot_learn_one_childs_review_from_two_overlapping_periods(app, may):
    _iro_a, _iro_b, manager = may
    browser = signed_in(app, manager)
    assert revealed(figures(browser, BEFORE), figures(browser, AFTER)) == []
    # A period shorter than a whole month is refused, with a message, not a 500.
    response = browser.get(f"/staff/reports/?{AFTER}&scope=service")
    assert response.status_code == 400
    assert "whole calendar months that are over" in response.get_data(as_text=True)
    # One IRO's reviews are suppressed for a manager too, so the same rule holds.
    iro_a = may[0]
    assert browser.get(f"/staff/reports/?{AFTER}&scope={iro_a.id}").status_code == 400


def test_an_iro_cannot_read_another_iros_child_in_the_whole_service(app, may):
    iro_a, iro_b, _manager = may
    browser = signed_in(app, iro_b)
    one_day = figures(browser, ONE_DAY)
    assert one_day is None or small_counts_shown(one_day) == []
    assert revealed(figures(browser, BEFORE), figures(browser, AFTER)) == []
    # The whole month of the whole service: small numbers hidden, as for a manager.
    month = figures(browser, MAY)
    assert month is not None and small_counts_shown(month) == []
    assert any(text == "[c]" for text in month.values())
    # Their own reviews stay exact, for any period.
    mine = figures(signed_in(app, iro_a), ONE_DAY, scope="mine")
    assert mine[("reviews_by_type", "All reviews", "Reviews held (%)")] == "1 (100%)"
    # Downloads are suppressed, so they are not offered for a part of a month.
    page = parse(signed_in(app, iro_a).get(f"/staff/reports/?{ONE_DAY}&scope=mine")
                 .get_data(as_text=True))
    assert not [link for link in page.iter("a")
                if "/staff/reports/tables/" in (link.get("href") or "")]


def test_downloads_and_the_command_refuse_part_months(app, cli, may):
    iro_a, _iro_b, manager = may
    for user, scope in ((manager, "service"), (iro_a, "mine"), (iro_a, "service")):
        response = signed_in(app, user).get(
            f"/staff/reports/tables/reviews_by_type.csv?{AFTER}&scope={scope}")
        assert response.status_code == 400
        assert "whole calendar months that are over" in response.get_data(as_text=True)
    month = signed_in(app, manager).get(
        f"/staff/reports/tables/by_language.csv?{MAY}&scope=service")
    assert month.status_code == 200
    rows = list(csv.reader(io.StringIO(month.get_data(as_text=True))))
    assert all(not (cell.isdigit() and 0 < int(cell) < THRESHOLD)
               for row in rows[1:] for cell in row[1:])
    refused = cli.invoke(args=["report", "--from", "2015-05-01", "--to", "2015-05-10"])
    assert refused.exit_code == 2 and "whole calendar months that are over" in refused.output
    whole = cli.invoke(args=["report", "--from", "2015-05-01", "--to", "2015-05-31"])
    assert whole.exit_code == 0, whole.output
    assert json.loads(whole.output)["period"] == {"from": "2015-05-01", "to": "2015-05-31"}


BREAKDOWNS = ("by_review_type", "by_age_band", "by_language", "by_iro")


def test_no_total_rebuilds_a_hidden_cell_of_a_breakdown(app, may):
    # IRO B's May: 12 English-speaking children's reviews, all in time, and 5 of
    # Arabic-speaking children, 1 in time. Each column of a breakdown adds up to a figure of
    # the whole scope shown elsewhere (13 in time): the Arabic 1, hidden alone in its column,
    # would be 13 less the English 12.
    _iro_a, iro_b, manager = may
    for late in (True, True, True, True, False):
        child = _child(iro_b, "Arabic", date(2008, 1, 1), "ar")
        _review(child, ReviewType.SUBSEQUENT, date(2015, 5, 18 if late else 25),
                date(2015, 5, 20), chair=iro_b, pn=ParticipationCode.PN1)
    db.session.commit()
    month = figures(signed_in(app, manager), MAY, scope=str(iro_b.id))
    assert month[("reviews_by_type", "All reviews", "Reviews held (%)")] == "17 (100%)"
    assert month[("by_language", "Arabic (ar)", "Reviews held")] == "5"
    for table in BREAKDOWNS:
        for column in {column for (key, _row, column) in month if key == table}:
            cells = [text for (key, _row, name), text in month.items()
                     if key == table and name == column]
            assert cells.count("[c]") != 1, (table, column, cells)
    assert month[("by_language", "English (en_GB)", "Within timescales (%)")] \
        == "[c]"


def test_hidden_figures_cover_only_months_that_are_over(app, cli, may):
    # Watching this month's figures day by day would show each review as it is recorded.
    _iro_a, _iro_b, manager = may
    with time_machine.travel(datetime(2015, 6, 10, 12, tzinfo=UTC), tick=False):
        browser = signed_in(app, manager)
        default = browser.get("/staff/reports/")
        assert default.status_code == 200
        assert "1 April 2015 to 31 May 2015: the whole service." in default.get_data(
            as_text=True)
        june = browser.get("/staff/reports/?from=2015-06-01&to=2015-06-30&scope=service")
        assert june.status_code == 400
        assert "end on or before 2015-05-31, the last day of last month" in june.get_data(
            as_text=True)
        assert figures(browser, MAY) is not None
        refused = cli.invoke(args=["report", "--from", "2015-06-01", "--to", "2015-06-30"])
        assert refused.exit_code == 2 and "the last day of last month" in refused.output
        data = json.loads(cli.invoke(args=["report"]).output)
        assert data["period"] == {"from": "2015-04-01", "to": "2015-05-31"}
        # The annual pack offers this year only as far as it is over, and by default the last.
        pack = browser.get("/staff/reports/annual").get_data(as_text=True)
        assert "Annual report pack 2014/2015" in pack
        assert "1 April 2015 to 31 May 2015" in pack
    with time_machine.travel(datetime(2015, 4, 10, 12, tzinfo=UTC), tick=False):
        # In April no month of this council year is over: the last council year.
        browser = signed_in(app, manager)
        assert "2014/2015: the whole service." in browser.get(
            "/staff/reports/").get_data(as_text=True)
