"""The 903 return on the figures side: the Reviews table checked, refused on a breach
until it is ticked as accepted, downloaded; the council's table reconciled."""

from __future__ import annotations

import io

from sqlalchemy import select

from consult.extensions import db
from consult.imports.ssda903.apply import import_903
from consult.models import ParticipationCode, Review, StaffRole
from consult.schedule import REGULATIONS_2010
from tests import factories
from tests.html_checks import parse
from tests.ssda903.conftest import TODAY, year_files

PAGE = "/staff/reports/903?from=2023-04-01&to=2024-03-31"
PERIOD = {"from": "2023-04-01", "to": "2024-03-31"}


def _signed_in_admin(generated, council, client):
    assert import_903(year_files(generated, 0), by=council, today=TODAY,
                      timetable=REGULATIONS_2010).errors == []
    db.session.commit()
    factories.sign_in(client, council)


def test_a_clean_year_downloads_as_the_councils_reviews_table(generated, council, client):
    _signed_in_admin(generated, council, client)

    page = client.get(PAGE)
    download = factories.post_form(client, "/staff/reports/903/reviews.csv", PERIOD,
                                   page_url=PAGE)

    assert "No breach of the review rules." in page.get_data(as_text=True)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert sorted(download.get_data(as_text=True).splitlines()[1:]) == sorted(
        generated.years[0].tables["Reviews"].splitlines()[1:])


def test_a_breach_is_refused_until_ticked(generated, council, client):
    _signed_in_admin(generated, council, client)
    review = next(r for r in db.session.scalars(select(Review).order_by(Review.id))
                  if r.child.age_on(r.held_on) > 4)
    review.participation_code = ParticipationCode.PN0
    db.session.commit()
    key = f"440:{review.child.case_ref}:{review.held_on:%d/%m/%Y}"

    page = parse(client.get(PAGE).get_data(as_text=True))
    refused = factories.post_form(client, "/staff/reports/903/reviews.csv", PERIOD,
                                  page_url=PAGE)
    accepted = factories.post_form(client, "/staff/reports/903/reviews.csv",
                                   {**PERIOD, "accept": key}, page_url=PAGE)

    assert [box.get("value") for box in page.iter("input") if box.get("name") == "accept"] == [
        key]
    assert refused.status_code == 400 and "1 breach(es)" in refused.get_data(as_text=True)
    assert accepted.status_code == 200 and accepted.mimetype == "text/csv"


def test_the_councils_table_is_reconciled_on_the_page(generated, council, client):
    _signed_in_admin(generated, council, client)
    lines = generated.years[0].tables["Reviews"].splitlines()
    child = lines[1].split(",")[0]

    shown = factories.post_form(client, "/staff/reports/903/reconcile", {
        **PERIOD, "reviews_file": (io.BytesIO("\r\n".join([lines[0], *lines[2:]]).encode()),
                                   "reviews.csv")}, page_url=PAGE)
    missing = factories.post_form(client, "/staff/reports/903/reconcile", PERIOD,
                                  page_url=PAGE)

    assert shown.status_code == 200
    rows = [cell.text for cell in parse(shown.get_data(as_text=True)).iter("th")
            if cell.get("scope") == "row"]
    assert len(rows) == 1
    assert "is only in ours." in shown.get_data(as_text=True) and child in shown.get_data(
        as_text=True)
    assert missing.status_code == 400


def test_only_an_administrator_has_the_903_pages(council, client):
    for role in (StaffRole.IRO, StaffRole.MANAGER):
        user = factories.staff(role)
        db.session.commit()
        factories.sign_in(client, user)
        assert client.get(PAGE).status_code in (403, 404)
        client.post("/staff/sign-out")
