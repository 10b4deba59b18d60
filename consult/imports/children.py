"""Import children: one row per child, matched on case_ref."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from consult import allocation, audit, care_periods
from consult.extensions import db
from consult.i18n import LANGUAGES
from consult.imports.csvfile import ImportResult, RowChecker, chunks, read_rows
from consult.models import CarePeriod, Child, StaffRole, StaffUser

COLUMNS = ("case_ref", "preferred_name", "date_of_birth", "language", "looked_after_since",
           "ceased_on", "iro_email", "social_worker_email")


def _staff_by_email(role: StaffRole) -> dict[str, StaffUser]:
    return {user.email.lower(): user for user in db.session.scalars(
        select(StaffUser).where(StaffUser.role == role, StaffUser.active))}


def children_named(case_refs: set[str]) -> dict[str, Child]:
    """The children these case references name, by case reference, with their periods: a
    query per chunk of references (both imports read their children this way)."""
    children = {}
    for chunk in chunks(case_refs):
        for child in db.session.scalars(
                select(Child).where(Child.case_ref.in_(chunk))
                .options(joinedload(Child.periods))).unique():
            children[child.case_ref] = child
    return children


def _insert(new_children: list[dict]) -> list[Child]:
    """Create these children and their first period of care with an executemany each (the
    ORM sends SQLite a statement per row when it needs their ids back), and return them.

    Each child's period is the one `care_periods.sync_current_period` gives a new child.
    """
    if not new_children:
        return []
    rows = []
    for fields in new_children:
        values = {name: value for name, value in fields.items()
                  if name not in ("iro", "social_worker")}
        rows.append({**values, "iro_id": fields["iro"].id,
                     "social_worker_id": fields["social_worker"] and fields["social_worker"].id})
    db.session.execute(insert(Child.__table__), rows)
    created = children_named({fields["case_ref"] for fields in new_children})
    periods = []
    for fields in new_children:
        child = created[fields["case_ref"]]
        unsaved = Child(looked_after_since=child.looked_after_since, ceased_on=child.ceased_on)
        care_periods.sync_current_period(unsaved)
        periods += [{"child_id": child.id, "started_on": period.started_on,
                     "ended_on": period.ended_on, "end_reason": period.end_reason}
                    for period in unsaved.periods]
    db.session.execute(insert(CarePeriod.__table__), periods)
    for child in created.values():  # their periods were read before being written
        db.session.expire(child, ["periods"])
    return [created[fields["case_ref"]] for fields in new_children]


def import_children(data: bytes, *, by: StaffUser, path: str) -> ImportResult:
    """Create or update every child in the file, or nothing at all if any row is wrong.

    `by` is held to `allocation.refusal` row by row: an IRO's file creates and updates only
    their own children. `path` names the way in for the audit trail.
    """
    rows, errors = read_rows(data, COLUMNS)
    result = ImportResult(errors=errors)
    iros = _staff_by_email(StaffRole.IRO)
    social_workers = _staff_by_email(StaffRole.SOCIAL_WORKER)
    existing = children_named({row.cells["case_ref"] for row in rows})

    planned = []
    first_line: dict[str, int] = {}
    for row in rows:
        check = RowChecker(row, errors)
        case_ref = check.text("case_ref", max_length=40)
        if case_ref in first_line:
            check.error(f"case_ref {case_ref} is also on line {first_line[case_ref]}.")
        first_line.setdefault(case_ref, row.line)
        name = check.text("preferred_name", max_length=80)
        born = check.date("date_of_birth")
        language = check.choice("language", tuple(LANGUAGES))
        since = check.date("looked_after_since")
        ceased = check.date("ceased_on", required=False)
        iro_email = check.text("iro_email", max_length=254)
        iro = iros.get(iro_email.lower())
        if iro is None and iro_email:
            check.error(f"iro_email '{iro_email}' is not an active IRO's account.")
        social_worker = None
        social_worker_email = check.text("social_worker_email", required=False, max_length=254)
        if social_worker_email:
            social_worker = social_workers.get(social_worker_email.lower())
            if social_worker is None:
                check.error(f"social_worker_email '{social_worker_email}' is not an active "
                            "social worker's account.")
        refused = allocation.refusal(
            by, existing.get(case_ref), iro_id=iro.id if iro else None,
            social_worker_id=social_worker.id if social_worker else None)
        staff_known = iro is not None and (social_worker is not None or not social_worker_email)
        if refused is allocation.Refusal.NOT_YOUR_CHILD:
            result.refused += 1
            check.error(f"case_ref {case_ref} {refused.message}")
        elif refused is not None and staff_known:
            result.refused += 1
            check.error(refused.message)
        for problem in care_periods.date_problems(born, since, ceased).values():
            check.error(problem)
        planned.append({
            "case_ref": case_ref, "preferred_name": name, "date_of_birth": born,
            "preferred_language": language, "looked_after_since": since, "ceased_on": ceased,
            "iro": iro, "social_worker": social_worker,
        })
    if errors:
        errors.sort(key=lambda error: error.line)
        return result

    allocations = []
    new_children = []
    for fields in planned:
        child = existing.get(fields["case_ref"])
        if child is None:
            new_children.append(fields)
            result.created += 1
            continue
        allocations.append((child, allocation.Allocation.of(child)))
        changed = {name: value for name, value in fields.items()
                   if getattr(child, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(child, name, value)
            care_periods.sync_current_period(child)
            result.updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    allocations += [(child, allocation.Allocation()) for child in _insert(new_children)]
    audit.record("import.children", staff=by, created=result.created, updated=result.updated,
                 unchanged=result.unchanged, path=path)
    allocation.record_changes(allocations, by=by, path=path)
    return result

