"""Concerns on staff pages: the caseload's "Concern:" tag with flagged children first, the
review page's panel linking each concern to its answer, and acknowledging by the IRO."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from consult.extensions import db
from consult.models import RaisedConcern, StaffRole
from tests import factories
from tests.html_checks import check_page, csrf_token


def _text(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _caseload():
    """Three children of one IRO; the last by name ("Zara") said she does not feel safe."""
    iro = factories.staff(StaffRole.IRO)
    social_worker = factories.staff(StaffRole.SOCIAL_WORKER)
    for name in ("Abel", "Bea"):
        factories.invitation(factories.review(factories.child(iro, social_worker, name=name)))
    review = factories.review(factories.child(iro, social_worker, name="Zara"))
    invitation, _token = factories.invitation(review, name="Zara")
    db.session.commit()
    response = factories.send_answers(invitation, {"home_safe": "no", "went_well": "Art"})
    return iro, social_worker, review, response


def _rows(html: str) -> list:
    return check_page(html).findall(".//table/tbody/tr")


def test_a_flagged_child_is_first_on_the_caseload_with_a_concern_tag(client, app):
    iro, social_worker, _review, _response = _caseload()
    for reader in (iro, social_worker):
        browser = app.test_client()
        factories.sign_in(browser, reader)
        rows = _rows(browser.get("/staff/").get_data(as_text=True))
        assert [_text(row.find("th")).split()[0] for row in rows] == ["Zara", "Abel", "Bea"]
        needs_attention = _text(rows[0].findall("td")[2])
        assert needs_attention.startswith("Concern: Does not feel safe where they live")
        assert "Concern" not in _text(rows[1])


def test_an_overdue_concern_says_so_and_sorts_before_a_newer_one(client, app):
    iro, _sw, _review, response = _caseload()
    concern = db.session.scalar(select(RaisedConcern))
    concern.raised_at = datetime(2026, 3, 2, 12, tzinfo=UTC)
    db.session.commit()
    factories.sign_in(client, iro)
    rows = _rows(client.get("/staff/").get_data(as_text=True))
    assert "Overdue" in _text(rows[0].findall("td")[2])
    review_page = check_page(client.get(
        f"/staff/reviews/{response.invitation.review_id}").get_data(as_text=True))
    assert "Overdue" in _text(review_page.find(".//*[@id='concerns']"))


def test_the_review_page_lists_each_concern_first_and_links_to_its_answer(client, app):
    iro, _sw, review, response = _caseload()
    factories.sign_in(client, iro)
    root = check_page(client.get(f"/staff/reviews/{review.id}").get_data(as_text=True))

    main = root.find(".//main")
    panel = main.find(".//section[@id='concerns']")
    assert panel is not None
    # The panel comes straight after the page's heading.
    children = list(main)
    assert children.index(panel) == children.index(main.find("h1")) + 1
    assert "Concern: Does not feel safe where they live" in _text(panel)
    link = next(a for a in panel.iter("a") if a.get("href", "").startswith("#answer-"))
    target = root.find(f".//*[@id='{link.get('href')[1:]}']")
    assert target is not None and "Do you feel safe where you live?" in _text(target)
    assert link.get("href") == f"#answer-{response.id}-home_safe"


def _acknowledge(client, review, concern, text: str):
    page = client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    return client.post(f"/staff/concerns/{concern.id}/acknowledge",
                       data={"csrf_token": csrf_token(page), "action_taken": text})


def test_the_iro_acknowledges_with_a_note_and_the_tag_clears(client, app):
    iro, _sw, review, _response = _caseload()
    concern = db.session.scalar(select(RaisedConcern))
    factories.sign_in(client, iro)

    refused = _acknowledge(client, review, concern, "   ")
    assert refused.status_code == 400
    root = check_page(refused.get_data(as_text=True))
    assert "Say what you did about this concern." in _text(root.find(".//*[@role='alert']"))
    too_long = _acknowledge(client, review, concern, "Visited. " * 80)
    assert too_long.status_code == 400
    kept = check_page(too_long.get_data(as_text=True)).find(
        f".//textarea[@id='action-{concern.id}']")
    assert (kept.text or "").strip().startswith("Visited. Visited.")

    done = _acknowledge(client, review, concern, "Phoned Zara and her carer; visiting today.")
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/staff/reviews/{review.id}#concerns")
    db.session.expire_all()
    assert concern.acknowledged_at is not None and concern.acknowledged_by_id == iro.id

    rows = _rows(client.get("/staff/").get_data(as_text=True))
    assert "Concern" not in " ".join(_text(row) for row in rows)
    panel = check_page(client.get(f"/staff/reviews/{review.id}").get_data(as_text=True)).find(
        ".//*[@id='concerns']")
    assert "Phoned Zara and her carer" in _text(panel) and panel.find(".//form") is None
    assert _acknowledge(client, review, concern, "Again").status_code == 400


def test_only_the_childs_iro_may_acknowledge_and_read_what_was_done(client, app):
    iro, social_worker, review, _response = _caseload()
    concern = db.session.scalar(select(RaisedConcern))
    other_iro = factories.staff(StaffRole.IRO)
    db.session.commit()

    sw_browser = app.test_client()
    factories.sign_in(sw_browser, social_worker)
    panel = check_page(sw_browser.get(f"/staff/reviews/{review.id}").get_data(
        as_text=True)).find(".//*[@id='concerns']")
    assert panel is not None and panel.find(".//form") is None
    assert _acknowledge(sw_browser, review, concern, "I did it").status_code == 404
    other = app.test_client()
    factories.sign_in(other, other_iro)
    page = other.get("/staff/").get_data(as_text=True)
    assert other.post(f"/staff/concerns/{concern.id}/acknowledge", data={
        "csrf_token": csrf_token(page), "action_taken": "x"}).status_code == 404
    db.session.expire_all()
    assert concern.acknowledged_at is None

    factories.sign_in(client, iro)
    assert _acknowledge(client, review, concern, "Private note of the IRO").status_code == 303
    sw_page = sw_browser.get(f"/staff/reviews/{review.id}").get_data(as_text=True)
    assert "Acknowledged by" in sw_page and "Private note of the IRO" not in sw_page
