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

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult import allocation, audit, care_periods, schedule
from consult.extensions import db
from consult.imports.csvfile import ImportResult, RowError
from consult.imports.ssda903.check import ChildPlan, Staff, check_files
from consult.imports.ssda903.read import read_files
from consult.models import (
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
    known = {child.case_ref: child for child in db.session.scalars(
        select(Child).where(Child.case_ref.in_(ids)).options(
            selectinload(Child.periods), selectinload(Child.reviews)))}
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
    allocations = []
    for plan in plans:
        existing = known.get(plan.child_id)
        before = allocation.Allocation.of(existing)
        allocations.append((_apply_child(plan, existing, timetable, result), before))
    db.session.flush()
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


def _apply_child(plan: ChildPlan, child: Child | None, timetable: schedule.Timetable,
                 result: Import903Result) -> Child:
    details = plan.details
    if child is None:
        child = Child(case_ref=plan.child_id, date_of_birth=plan.born,
                      preferred_name=details.preferred_name,
                      preferred_language=details.language, iro=details.iro,
                      social_worker=details.social_worker)
        db.session.add(child)
        care_periods.merge_periods(child, plan.periods, known_until=plan.known_until)
        result.children.created += 1
    else:
        wanted = {"date_of_birth": plan.born}
        if details is not None:
            wanted |= {"preferred_name": details.preferred_name,
                       "preferred_language": details.language, "iro_id": details.iro.id,
                       "social_worker_id": details.social_worker.id
                       if details.social_worker else child.social_worker_id}
        changed = {name: value for name, value in wanted.items()
                   if getattr(child, name) != value}
        for name, value in changed.items():
            setattr(child, name, value)
        if care_periods.merge_periods(child, plan.periods, known_until=plan.known_until) or changed:
            result.children.updated += 1
        else:
            result.children.unchanged += 1
    _apply_reviews(child, plan, timetable, result)
    return child


def _apply_reviews(child: Child, plan: ChildPlan, timetable: schedule.Timetable,
                   result: Import903Result) -> None:
    by_day = {review.meeting_date: review for review in child.reviews
              if review.status is not ReviewStatus.CANCELLED}
    held = {day for day, review in by_day.items() if review.status is ReviewStatus.HELD}
    held |= set(plan.reviews)
    periods = care_periods.periods_of(child)
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
            db.session.add(Review(child=child, chair=child.iro, **wanted))
            result.reviews.created += 1
            continue
        changed = {name: value for name, value in wanted.items()
                   if getattr(review, name) != value}
        for name, value in changed.items():
            setattr(review, name, value)
        if changed:
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
