"""Import reviews: one row per review, matched on case_ref and review_date.

A held review brings its meeting record: attendance by role, the participation (PN) code
and how each consulted role's views reached it. An empty review_type is derived from the
reviews held before it, counting those already stored and those in the file.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from consult import allocation, audit, care_periods, meeting_record, schedule
from consult.extensions import db
from consult.imports.csvfile import ImportResult, RowChecker, read_rows
from consult.models import (
    AttendeeRole,
    Child,
    ConsultedRole,
    ParticipationCode,
    RecordSource,
    Review,
    ReviewAttendance,
    ReviewStatus,
    ReviewType,
    ReviewViews,
    StaffUser,
    ViewsChannel,
)
from consult.models.reviews import LOCAL_TIME
from consult.policy import may_allocate

COLUMNS = ("case_ref", "review_date", "status", "review_type", "attended", "pn_code",
           "consulted_child", "consulted_foster_carer", "consulted_parent")
CONSULTED_COLUMNS = {
    "consulted_child": ConsultedRole.CHILD,
    "consulted_foster_carer": ConsultedRole.FOSTER_CARER,
    "consulted_parent": ConsultedRole.PARENT_OR_FAMILY,
}


@cache
def _values(enum_class) -> tuple[str, ...]:
    return tuple(member.value for member in enum_class)


@dataclass
class _Planned:
    child: Child
    on: date
    status: ReviewStatus
    review_type: ReviewType | None
    attended: frozenset[AttendeeRole]
    pn_code: ParticipationCode | None
    views: dict[ConsultedRole, ViewsChannel]


def _date_of(review: Review) -> date:
    return review.meeting_date


def import_reviews(data: bytes, *, today: date, timetable: schedule.Timetable,
                   by: StaffUser, path: str) -> ImportResult:
    """Create or update every review in the file, or nothing at all if any row is wrong.

    `by` is held to `allocation.refusal`: an IRO's file touches only their own children's
    reviews, and to them a child on no caseload looks the same as one on someone else's.
    """
    rows, errors = read_rows(data, COLUMNS)
    result = ImportResult(errors=errors)
    children = {child.case_ref: child for child in db.session.scalars(
        select(Child).where(Child.case_ref.in_({row.cells["case_ref"] for row in rows}))
        .options(selectinload(Child.periods), selectinload(Child.reviews).options(
            selectinload(Review.attendance), selectinload(Review.views_received))))}

    planned: list[_Planned] = []
    first_line: dict[tuple[str, date], int] = {}
    for row in rows:
        check = RowChecker(row, errors)
        case_ref = check.text("case_ref", max_length=40)
        child = children.get(case_ref)
        if child is not None and allocation.refusal(
                by, child, iro_id=child.iro_id, social_worker_id=child.social_worker_id):
            result.refused += 1
            check.error(f"case_ref '{case_ref}' {allocation.Refusal.NOT_YOUR_CHILD.message}")
            child = None
        elif child is None and case_ref and not may_allocate(by):
            check.error(f"case_ref '{case_ref}' {allocation.Refusal.NOT_YOUR_CHILD.message}")
        elif child is None and case_ref:
            check.error(f"case_ref '{case_ref}' is not a child we know; "
                        "import the children first.")
        on = check.date("review_date")
        if on is not None and child is not None:
            key = (child.case_ref, on)
            if key in first_line:
                check.error(f"this review is also on line {first_line[key]}.")
            first_line.setdefault(key, row.line)
        status = check.choice("status", _values(ReviewStatus))
        review_type = check.choice("review_type", _values(ReviewType), required=False)
        roles = [role.strip() for role in check.raw("attended").split(";") if role.strip()]
        unknown_roles = [role for role in roles if role not in _values(AttendeeRole)]
        if unknown_roles:
            check.error(f"attended names unknown roles: {', '.join(unknown_roles)}; use "
                        f"{', '.join(_values(AttendeeRole))} separated by ;.")
        pn_code = check.choice("pn_code", _values(ParticipationCode), required=False)
        views = {}
        for column, role in CONSULTED_COLUMNS.items():
            channel = check.choice(column, _values(ViewsChannel), required=False)
            if channel:
                views[role] = ViewsChannel(channel)
        held = status == ReviewStatus.HELD.value
        if status and not held and (roles or pn_code or any(
                channel is not ViewsChannel.NONE for channel in views.values())):
            check.error(f"a {status} review has no attendance, pn_code or views; "
                        "leave those cells empty.")
        attended = frozenset(AttendeeRole(role) for role in roles
                             if role in _values(AttendeeRole))
        code = ParticipationCode(pn_code) if pn_code else None
        if child is not None and on is not None:
            for problem in _record_problems(child, on, held=held, code=code,
                                            attended=attended, today=today):
                check.error(problem)
        if child is not None and on is not None and status:
            planned.append(_Planned(
                child, on, ReviewStatus(status), ReviewType(review_type) if review_type else None,
                attended, code, views))
    if errors:
        errors.sort(key=lambda error: error.line)
        return result

    held_days = _held_days(planned)
    stored = {child: _by_day(child.reviews) for child in held_days}
    new_reviews: list[_NewReview] = []
    for plan in planned:
        _apply(plan, held_days[plan.child], stored[plan.child], timetable, result,
               new_reviews)
    db.session.flush()
    _insert(new_reviews)
    audit.record("import.reviews", staff=by, created=result.created, updated=result.updated,
                 unchanged=result.unchanged, path=path)
    return result


def _record_problems(child: Child, on: date, *, held: bool, code: ParticipationCode | None,
                     attended: frozenset[AttendeeRole], today: date) -> list[str]:
    """The meeting record's own checks (consult.meeting_record), as the IRO's form makes
    them: any review falls in a period of care; a held one is not in the future and its PN
    code fits the child's age and agrees with whether the child attended."""
    if not held:
        found = [meeting_record.care_problem(child, on)]
    else:
        found = [meeting_record.held_on_problem(child, on, today),
                 meeting_record.participation_problem(child.date_of_birth, on, code, attended)]
    return [problem for problem in found if problem]


def _held_days(planned: list[_Planned]) -> dict[Child, list[date]]:
    """Each child's days of held reviews, sorted: the file's and the database's, the file's
    word winning for a day both name. One pass over the file and each child's reviews."""
    in_file: dict[Child, dict[date, ReviewStatus]] = defaultdict(dict)
    for plan in planned:
        in_file[plan.child][plan.on] = plan.status
    held_days = {}
    for child, statuses in in_file.items():
        days = {on for on, status in statuses.items() if status is ReviewStatus.HELD}
        days |= {_date_of(review) for review in child.reviews
                 if review.status is ReviewStatus.HELD and _date_of(review) not in statuses}
        held_days[child] = sorted(days)
    return held_days


def _by_day(reviews: list[Review]) -> dict[date, Review]:
    by_day: dict[date, Review] = {}
    for review in reviews:
        by_day.setdefault(_date_of(review), review)
    return by_day


def _apply(plan: _Planned, held_days: list[date], stored: dict[date, Review],
           timetable: schedule.Timetable, result: ImportResult,
           new_reviews: list[_NewReview]) -> None:
    """Update the stored review of this day, or plan a new one into `new_reviews`."""
    child = plan.child
    period = care_periods.period_on(care_periods.periods_of(child), plan.on)
    # The child's held days are sorted: those of this period before this day lie between
    # two bisections, so numbering restarts on re-entry and the import stays linear.
    first_in_period = bisect_left(held_days, period.started_on)
    before = bisect_left(held_days, plan.on)
    review_type = plan.review_type or schedule.review_type_after(before - first_in_period)
    due_on = schedule.due_date(
        review_type, looked_after_since=period.started_on,
        previous_held_on=held_days[before - 1] if before > first_in_period else None,
        timetable=timetable)
    held = plan.status is ReviewStatus.HELD
    wanted = {
        "status": plan.status,
        "review_type": review_type,
        "due_on": due_on,
        "held_on": plan.on if held else None,
        "scheduled_for": (None if held else
                          datetime.combine(plan.on, time(0), tzinfo=LOCAL_TIME).astimezone(UTC)),
        "chair_id": child.iro_id,
        "participation_code": plan.pn_code,
        "record_source": RecordSource.IMPORT if held else None,
    }
    views = plan.views if held else {}
    review = stored.get(plan.on)
    if review is None:
        new_reviews.append(_NewReview({"child_id": child.id, **wanted}, plan.attended, views))
        result.created += 1
        return
    changed = any(getattr(review, name) != value for name, value in wanted.items())
    for name, value in wanted.items():
        setattr(review, name, value)
    if {row.role for row in review.attendance} != plan.attended:
        review.attendance = [ReviewAttendance(role=role) for role in sorted(plan.attended)]
        changed = True
    if {row.role: row.channel for row in review.views_received} != views:
        review.views_received = [ReviewViews(role=role, channel=channel)
                                 for role, channel in views.items()]
        changed = True
    if changed:
        result.updated += 1
    else:
        result.unchanged += 1


@dataclass(frozen=True)
class _NewReview:
    fields: dict[str, object]
    attended: frozenset[AttendeeRole]
    views: dict[ConsultedRole, ViewsChannel]


def _insert(new_reviews: list[_NewReview]) -> None:
    """The new reviews, their attendance and views: three statements whatever their number."""
    if not new_reviews:
        return
    # Inserted without RETURNING and read back by child and day (unique in the file): with
    # RETURNING, SQLAlchemy sends SQLite a statement per row and splices every result.
    def day_of(fields) -> tuple[int, object]:
        return fields["child_id"], fields["held_on"] or fields["scheduled_for"]

    db.session.execute(insert(Review.__table__), [new.fields for new in new_reviews])
    stored = db.session.execute(
        select(Review.id, Review.child_id, Review.held_on, Review.scheduled_for)
        .where(Review.child_id.in_({new.fields["child_id"] for new in new_reviews})))
    ids = {day_of(row._mapping): row.id for row in stored}
    attendance = [{"review_id": ids[day_of(new.fields)], "role": role}
                  for new in new_reviews for role in sorted(new.attended)]
    views = [{"review_id": ids[day_of(new.fields)], "role": role, "channel": channel}
             for new in new_reviews for role, channel in new.views.items()]
    if attendance:
        db.session.execute(insert(ReviewAttendance), attendance)
    if views:
        db.session.execute(insert(ReviewViews), views)
