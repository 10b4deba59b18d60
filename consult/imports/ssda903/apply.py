"""The 903 import: children, their periods of care and their held reviews with PN codes.

All or nothing, like the other imports: `check_files` lists every problem first. Children
are matched on CHILD (our case_ref), periods on their start, reviews on the child and the
day. The 903 holds only a review's date and PN code, so what it lacks (attendance, how
views arrived) stays unrecorded. A meeting record the IRO typed in is never overwritten:
where the file differs, the difference is reported and the IRO's record kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from consult import allocation, audit, care_periods, schedule
from consult.extensions import db
from consult.imports.children import children_named
from consult.imports.csvfile import ImportResult, RowError, chunks
from consult.imports.ssda903.check import ChildPlan, Staff, check_files
from consult.imports.ssda903.read import read_files
from consult.models import (
    CarePeriod,
    Child,
    RecordSource,
    Review,
    ReviewStatus,
    StaffRole,
    StaffUser,
)


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class Import903Result(ImportResult):
    children: Counts = field(default_factory=Counts)
    reviews: Counts = field(default_factory=Counts)


def import_problem(by: StaffUser, child: Child | None, iro: StaffUser | None) -> str | None:
    """Whether `by` may create or update this child (giving them this IRO) by an import.

    The one place for that rule. For now an administrator's operation; the rule that an
    IRO's import may create and update only their own children, and only an administrator
    may change a child's IRO, plugs in here.
    """
    if by.role is StaffRole.ADMIN and by.active:
        return None
    return "Only an administrator may import 903 files."


def _staff() -> Staff:
    users = list(db.session.scalars(select(StaffUser).where(StaffUser.active)))
    return Staff(
        iros={u.email.lower(): u for u in users if u.role is StaffRole.IRO},
        social_workers={u.email.lower(): u for u in users if u.role is StaffRole.SOCIAL_WORKER})


def import_903(files: list[tuple[str, bytes]], *, by: StaffUser, today: date,
               timetable: schedule.Timetable, path: str = "cli:import-903") -> Import903Result:
    """Import the 903 files (name, content): everything, or nothing if any problem."""
    found = read_files(files)
    ids = {row.cells.get("CHILD", "") for table in ("Header", "Supplement")
           for row in found.rows(table)}
    known = _with_reviews(children_named(ids))
    plans, errors = check_files(found, known, _staff(), today)
    result = Import903Result(errors=errors)
    for plan in plans:
        iro = plan.details.iro if plan.details else None
        refused = import_problem(by, known.get(plan.child_id), iro)
        if refused:
            result.errors.append(RowError(plan.row.line, refused, plan.row.file))
            break
    if result.errors:
        return result
    writes = _Writes()
    created = _create_children([plan for plan in plans if plan.child_id not in known])
    allocations = []
    for plan in plans:
        existing = known.get(plan.child_id)
        before = allocation.Allocation.of(existing)
        child, periods = existing or created[plan.child_id][0], None
        if existing is None:
            result.children.created += 1
            periods = created[plan.child_id][1]
        allocations.append((child, before))
        _apply_child(plan, child, periods, timetable, result, writes)
    db.session.flush()
    writes.write()
    # A supplement can give a child another IRO or social worker: audited like every
    # allocation change, with from, to, by and the way in.
    allocation.record_changes(allocations, by=by, path=path)
    audit.record("import.903", staff=by, children_created=result.children.created,
                 children_updated=result.children.updated, reviews_created=result.reviews.created,
                 reviews_updated=result.reviews.updated, differences=len(result.notices))
    result.created = result.children.created + result.reviews.created
    result.updated = result.children.updated + result.reviews.updated
    result.unchanged = result.children.unchanged + result.reviews.unchanged
    return result


def _with_reviews(children: dict[str, Child]) -> dict[str, Child]:
    """Load the children's reviews: a query per chunk of children."""
    reviews: dict[int, list[Review]] = {child.id: [] for child in children.values()}
    for chunk in chunks(reviews):
        for review in db.session.scalars(select(Review).where(Review.child_id.in_(chunk))
                                         .order_by(Review.due_on, Review.id)):
            reviews[review.child_id].append(review)
    for child in children.values():
        set_committed_value(child, "reviews", reviews[child.id])
    return children


@dataclass
class _Writes:
    """What an import writes, sent at the end an executemany per table and kind: the new
    periods and reviews (the ORM would send SQLite a statement per row to learn their ids),
    and the changed children, periods and reviews (the ORM sends a statement for each run
    of rows that change different columns)."""

    periods: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    changed: dict[type, dict[int, object]] = field(default_factory=dict)
    columns: dict[type, set[str]] = field(default_factory=dict)

    def change(self, record, values: dict[str, object]) -> None:
        """Give a stored record these values: at once on the object, without making it
        dirty, and in the database by `write`."""
        for name, value in values.items():
            set_committed_value(record, name, value)
        self.changed.setdefault(type(record), {})[record.id] = record
        self.columns.setdefault(type(record), set()).update(values)

    def write(self) -> None:
        for model, records in self.changed.items():
            table, columns = model.__table__, sorted(self.columns[model])
            db.session.execute(
                update(table).where(table.c.id == bindparam("record"))
                .values({name: bindparam(name) for name in columns}),
                [{"record": record.id, **{name: getattr(record, name) for name in columns}}
                 for record in records.values()])
        for model, rows in ((CarePeriod, self.periods), (Review, self.reviews)):
            if rows:
                db.session.execute(insert(model.__table__), rows)


def _merged(child: Child | None, plan: ChildPlan) -> tuple[Child, bool]:
    """`care_periods.merge_periods` applied to an unsaved copy of the child's dates and
    periods (none for a new child): the copy and whether anything changed."""
    copy = Child(periods=[CarePeriod(id=period.id, started_on=period.started_on,
                                     ended_on=period.ended_on, end_reason=period.end_reason,
                                     short_breaks_only=period.short_breaks_only)
                          for period in (child.periods if child else [])])
    if child is not None:
        copy.looked_after_since, copy.ceased_on = child.looked_after_since, child.ceased_on
    changed = care_periods.merge_periods(copy, plan.periods, known_until=plan.known_until)
    return copy, changed


def _create_children(plans: list[ChildPlan]) -> dict[str, tuple[Child, list[CarePeriod]]]:
    """The new children with their periods, inserted an executemany per table: each child
    and its periods (unsaved copies, for the reviews' numbering) by CHILD."""
    if not plans:
        return {}
    merged = {plan.child_id: _merged(None, plan)[0] for plan in plans}
    db.session.execute(insert(Child.__table__), [{
        "case_ref": plan.child_id, "date_of_birth": plan.born,
        "preferred_name": plan.details.preferred_name,
        "preferred_language": plan.details.language, "iro_id": plan.details.iro.id,
        "social_worker_id": plan.details.social_worker and plan.details.social_worker.id,
        "looked_after_since": merged[plan.child_id].looked_after_since,
        "ceased_on": merged[plan.child_id].ceased_on} for plan in plans])
    children = children_named({plan.child_id for plan in plans})
    db.session.execute(insert(CarePeriod.__table__), [
        {"child_id": children[child_id].id, "started_on": period.started_on,
         "ended_on": period.ended_on, "end_reason": period.end_reason,
         "short_breaks_only": bool(period.short_breaks_only)}
        for child_id, copy in merged.items() for period in copy.periods])
    for child in children.values():  # read before their periods and reviews were written
        db.session.expire(child, ["periods"])
        set_committed_value(child, "reviews", [])
    return {child_id: (children[child_id], merged[child_id].periods) for child_id in merged}


def _apply_child(plan: ChildPlan, child: Child, periods: list[CarePeriod] | None,
                 timetable: schedule.Timetable, result: Import903Result,
                 writes: _Writes) -> None:
    """Update a stored child (`periods` None) from its plan, then its reviews; a child
    just created comes with its periods."""
    details = plan.details
    if periods is None:
        wanted = {"date_of_birth": plan.born}
        if details is not None:
            wanted |= {"preferred_name": details.preferred_name,
                       "preferred_language": details.language, "iro_id": details.iro.id,
                       "social_worker_id": details.social_worker.id
                       if details.social_worker else child.social_worker_id}
        changed = {name: value for name, value in wanted.items()
                   if getattr(child, name) != value}
        if changed:
            writes.change(child, changed)
        copy, periods_changed = _merged(child, plan)
        if periods_changed:
            _keep_periods(child, copy, writes)
        if periods_changed or changed:
            result.children.updated += 1
        else:
            result.children.unchanged += 1
        periods = copy.periods
    _apply_reviews(child, sorted(periods, key=lambda period: period.started_on), plan,
                   timetable, result, writes)


def _keep_periods(child: Child, copy: Child, writes: _Writes) -> None:
    """Make the stored child's periods and dates those of its merged copy, in `writes`."""
    stored = {period.id: period for period in child.periods}
    for period in copy.periods:
        fields = {"started_on": period.started_on, "ended_on": period.ended_on,
                  "end_reason": period.end_reason,
                  "short_breaks_only": bool(period.short_breaks_only)}
        if period.id is None:
            writes.periods.append({"child_id": child.id, **fields})
            continue
        changed = {name: value for name, value in fields.items()
                   if getattr(stored[period.id], name) != value}
        if changed:
            writes.change(stored[period.id], changed)
    writes.change(child, {"looked_after_since": copy.looked_after_since,
                          "ceased_on": copy.ceased_on})


def _apply_reviews(child: Child, periods: list[CarePeriod], plan: ChildPlan,
                   timetable: schedule.Timetable, result: Import903Result,
                   writes: _Writes) -> None:
    """Create or update the child's held reviews from the file; `periods` are the child's
    periods as the import leaves them, oldest first."""
    by_day = {review.meeting_date: review for review in child.reviews
              if review.status is not ReviewStatus.CANCELLED}
    held = {day for day, review in by_day.items() if review.status is ReviewStatus.HELD}
    held |= set(plan.reviews)
    _warn_if_history_missing(child, plan, periods, held, timetable, result)
    for day, code in sorted(plan.reviews.items()):
        review = by_day.get(day)
        if (review is not None and review.status is ReviewStatus.HELD
                and review.record_source is not RecordSource.IMPORT):
            if review.participation_code is not code:
                recorded = review.participation_code.value if review.participation_code else (
                    "no code")
                result.notices.append(
                    f"CHILD {child.case_ref}, review of {day:%d/%m/%Y}: the IRO recorded "
                    f"{recorded}, the 903 file says {code.value}; kept as the IRO recorded it.")
            result.reviews.unchanged += 1
            continue
        period = care_periods.period_on(periods, day)
        before = [other for other in schedule.held_in_period(period.started_on, held)
                  if other < day]
        review_type = schedule.review_type_after(len(before))
        wanted = {
            "status": ReviewStatus.HELD, "held_on": day, "participation_code": code,
            "record_source": RecordSource.IMPORT, "review_type": review_type,
            "due_on": schedule.due_date(review_type, looked_after_since=period.started_on,
                                        previous_held_on=before[-1] if before else None,
                                        timetable=timetable)}
        if review is None:
            writes.reviews.append({"child_id": child.id, "chair_id": child.iro_id, **wanted})
            result.reviews.created += 1
            continue
        changed = {name: value for name, value in wanted.items()
                   if getattr(review, name) != value}
        if changed:
            writes.change(review, changed)
            result.reviews.updated += 1
        else:
            result.reviews.unchanged += 1


def collection_year_start(day: date) -> date:
    """1 April of the collection year (1 April to 31 March) that `day` falls in."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _warn_if_history_missing(child: Child, plan: ChildPlan, periods, held: set[date],
                             timetable: schedule.Timetable, result: Import903Result) -> None:
    """A period begun before the files' year, none of whose earlier reviews we hold: its
    reviews are numbered from the first one here, which may not be its first."""
    if not plan.reviews or plan.known_until is None:
        return
    year_start = collection_year_start(plan.known_until)
    for period in periods:
        in_file = [day for day in plan.reviews if period.includes(day)]
        if (in_file and period.started_on < year_start
                and not any(period.started_on <= day < year_start for day in held)
                and timetable.first.after(period.started_on) < year_start):
            result.notices.append(
                f"CHILD {child.case_ref}: the period of care that began on "
                f"{period.started_on:%d/%m/%Y} began before these files' year, and none of "
                "its earlier reviews is held here: its reviews are numbered from the first "
                "one in these files. Import the earlier years' files for exact review types.")
