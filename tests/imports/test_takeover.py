"""Issue 22's takeover, replayed: an IRO names another IRO's child in an import."""

from __future__ import annotations

import io

from sqlalchemy import select

from consult.accounts import passwords
from consult.demo import load_demo
from consult.extensions import db
from consult.models import Child, StaffUser
from tests import factories
from tests.imports.test_imports import CHILDREN_HEADER


def test_takeover_iro2_cannot_import_demo_001_onto_their_own_caseload(client):
    """Signed in as iro2, one row naming DEMO-001 with iro2's email used to give "0 new,
    1 updated" and Amanuel joined iro2's caseload, words and all."""
    load_demo(14)
    iro2 = db.session.scalar(select(StaffUser).where(
        StaffUser.email == "iro2@demo.haveyoursay.example"))
    iro2.password_hash = passwords.hash_password(factories.PASSWORD)
    amanuel = db.session.scalar(select(Child).where(Child.case_ref == "DEMO-001"))
    owner_id = amanuel.iro_id
    db.session.commit()
    factories.sign_in(client, iro2)

    row = f"DEMO-001,Amanuel,2010-03-02,ti,2025-12-10,,{iro2.email},\n"
    response = factories.post_form(client, "/staff/import", {
        "kind": "children",
        "csv_file": (io.BytesIO((CHILDREN_HEADER + row).encode()), "children.csv")})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1 updated" not in html
    assert "Line 2: case_ref DEMO-001 is not a child on your caseload" in html
    db.session.expire_all()
    amanuel = db.session.scalar(select(Child).where(Child.case_ref == "DEMO-001"))
    assert amanuel.iro_id == owner_id
    # Nothing says whose child it is.
    assert amanuel.iro.name not in html and amanuel.iro.email not in html
    assert client.get(f"/staff/children/{amanuel.id}").status_code == 404
