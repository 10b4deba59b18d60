"""The figures pages: who sees what, suppression, CSV, the annual pack, and SQL statement counts."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, StaffRole
from tests import factories
from tests.reports.dataset import build_year
from tests.staff.test_query_budget import counted_statements

YEAR = "from=2015-04-01&to=2016-03-31"


@pytest.fixture
def year(app):
    return build_year()


def signed_in(app, user):
    browser = app.test_client()
    factories.sign_in(browser, user)
    return browser


def table_html(page: str, key: str) -> str:
    return page.split(f'id="{key}"', 1)[1].split("</section>", 1)[0]


def test_an_iro_sees_exact_figures_for_their_own_reviews_only(app, year):
    browser = signed_in(app, year.iro_a)
    mine = browser.get(f"/staff/reports/?{YEAR}")
    assert mine.status_code == 200
    page = mine.get_data(as_text=True)
    assert "reviews you chaired" in page
    # IRO A chaired R1, R2, R4 and R7: 4 reviews, 3 of them in time.
    assert "3 <span class=\"secondary\">(75%)</span>" in table_html(page, "reviews_by_type")
    assert "[c]" not in table_html(page, "reviews_by_type")
    # The whole service holds other IROs' children: suppressed, as a manager sees it.
    service = browser.get(f"/staff/reports/?{YEAR}&scope=service").get_data(as_text=True)
    by_type = table_html(service, "reviews_by_type")
    assert "<td class=\"numeric\">5 <span class=\"secondary\">(100%)</span></td>" in by_type
    assert "(80%)" not in by_type and by_type.count("[c]") >= 6
    assert "Small numbers are hidden" in service
    assert 'id="by_iro"' not in service  # comparing IROs is for managers


def test_a_manager_sees_small_numbers_suppressed_and_the_breakdown_by_iro(app, year):
    page = signed_in(app, year.manager).get(f"/staff/reports/?{YEAR}").get_data(as_text=True)
    by_type = table_html(page, "reviews_by_type")
    # 5 reviews held is shown; 3 initial, 1 second and 1 subsequent are not, nor their shares.
    assert "<td class=\"numeric\">5 <span class=\"secondary\">(100%)</span></td>" in by_type
    assert by_type.count("[c]") >= 6
    assert "(60%)" not in by_type and "(20%)" not in by_type
    assert 'id="by_iro"' in page and "Imani A" in page


def test_a_manager_may_look_at_one_iro_but_not_a_made_up_one(app, year):
    browser = signed_in(app, year.manager)
    page = browser.get(f"/staff/reports/?{YEAR}&scope={year.iro_b.id}").get_data(as_text=True)
    assert "reviews Idris B chaired" in page
    bad = browser.get(f"/staff/reports/?{YEAR}&scope=999999")
    assert bad.status_code == 400
    assert "Choose whose reviews to count" in bad.get_data(as_text=True)


def test_bad_dates_are_explained_and_kept(app, year):
    browser = signed_in(app, year.manager)
    response = browser.get("/staff/reports/?from=2016-13-01&to=2016-03-31")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count("The first day must be a real date") == 2  # summary and field
    assert 'value="2016-13-01"' in page
    backwards = browser.get("/staff/reports/?from=2016-03-31&to=2015-04-01")
    assert "must be the same as or after the first day" in backwards.get_data(as_text=True)


def test_social_workers_and_strangers_get_no_figures(app, year):
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    db.session.commit()
    assert signed_in(app, social_worker).get("/staff/reports/").status_code == 404
    anonymous = app.test_client().get("/staff/reports/")
    assert anonymous.status_code == 302 and "/staff/sign-in" in anonymous.location


def test_csv_is_suppressed_even_for_the_iro_and_audited(app, year):
    browser = signed_in(app, year.iro_a)
    response = browser.get(f"/staff/reports/tables/reviews_by_type.csv?{YEAR}&scope=service")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Review type", "Reviews held", "Reviews held (%)",
                       "Held within timescales", "Held within timescales (%)"]
    assert rows[1] == ["Initial reviews", "[c]", "[c]", "[c]", "[c]"]
    assert rows[4] == ["All reviews", "5", "100", "[c]", "[c]"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "report.exported")).one()
    assert event.actor_staff_id == year.iro_a.id
    assert event.details == {"table": "reviews_by_type", "format": "csv",
                             "period_from": "2015-04-01", "period_to": "2016-03-31",
                             "iro_id": None, "rows": 4}


def test_every_table_on_the_page_downloads(app, year):
    browser = signed_in(app, year.manager)
    page = browser.get(f"/staff/reports/?{YEAR}").get_data(as_text=True)
    links = sorted(set(part.split('"', 1)[0] for part in page.split('href="')[1:]
                       if part.startswith("/staff/reports/tables/")))
    assert len(links) >= 10
    for link in links:
        assert browser.get(link.replace("&amp;", "&")).status_code == 200
    assert browser.get(f"/staff/reports/tables/nothing.csv?{YEAR}").status_code == 404


def test_the_annual_pack_follows_the_seed_and_quotes_only_with_consent(app, year, monkeypatch):
    browser = signed_in(app, year.iro_a)
    # The pack is the whole service's, so suppressed for an IRO too: the sentences are read
    # here with a threshold that hides nothing, and below with the default one.
    hidden = browser.get("/staff/reports/annual?year=2015").get_data(as_text=True)
    assert "3 were initial" not in hidden and "Small numbers are hidden" in hidden
    monkeypatch.setitem(app.config, "REPORT_SUPPRESSION_THRESHOLD", 1)
    page = browser.get("/staff/reports/annual?year=2015").get_data(as_text=True)
    assert "Annual report pack 2015/2016" in page
    assert ("5 statutory reviews were held in 2015/2016. 3 were initial reviews, "
            "1 was a second review, and 1 was a subsequent review.") \
        in page
    assert "within timescales 80% of the time" in page
    assert "foster carers attended 100% of the 5 reviews" in page
    assert "My IRO listens to me" in page and "A child or young person" in page
    for private in ("A private worry", "Please do not quote", "Amanuel", "Named Person"):
        assert private not in page
    monkeypatch.setitem(app.config, "REPORT_SUPPRESSION_THRESHOLD", 5)
    manager_page = signed_in(app, year.manager).get("/staff/reports/annual?year=2015")
    assert "3 were initial" not in manager_page.get_data(as_text=True)
    assert signed_in(app, year.manager).get("/staff/reports/annual?year=abc").status_code == 400


def _figures_statements(app, user) -> int:
    browser = signed_in(app, user)
    with counted_statements() as statements:
        assert browser.get(f"/staff/reports/?{YEAR}").status_code == 200
    return len(statements)


# The signed-in user, the IROs to choose from, bringing the rollups up to date (one statement
# if nothing changed, seven at most: the check, on PostgreSQL the lock, two for the reviews
# and two for the days of answers marked, and deleting the marks: one statement on
# PostgreSQL, two on SQLite), then one statement each for the reviews, the requests with
# their median times, and the answers.
BUDGET = 12


# Real commits: the page ends in a rollback, which in a test's savepoint would undo the
# rollups' refresh too (in production it is committed on a connection of its own).
@pytest.mark.real_commits
def test_the_figures_page_costs_the_same_statements_for_one_year_as_for_five(app):
    small = build_year()
    few = _figures_statements(app, small.manager)
    for _ in range(4):
        build_year()
    assert _figures_statements(app, small.manager) == few <= BUDGET
    # Nothing changed since: the rollups cost one statement instead of seven.
    assert _figures_statements(app, small.manager) == few - 6
    assert _figures_statements(app, small.iro_a) <= BUDGET
