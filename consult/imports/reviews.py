"""Import reviews: one row per review, matched on case_ref and review_date.

A held review brings its meeting record: attendance by role, the participation (PN) code
and how each consulted role's views reached it. An empty review_type is derived from the
reviews held before it, counting those already stored and those in the file.

Linear in the file (issue 22): the children and their stored reviews are read a chunk of
keys at a time (`csvfile.CHUNK`), the stored reviews as plain rows rather than ORM objects, and
the new and changed reviews are written with one executemany per table, so the SQL
statements grow with the number of chunks, not of rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache

from sqlalchemy import bindparam, delete, func, insert, select, update

from consult import allocation, audit, care_periods, meeting_record, schedule
from consult.extensions import db
from consult.imports.children import children_named
from consult.imports.csvfile import ImportResult, RowChecker, chunks, read_rows
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
from consult.models.reviews import LOCAL_TIME, meeting_day
from consult.policy import may_allocate

COLUMNS = ("case_ref", "review_date", "status", "review_type", "attended", "pn_code",
           "consulted_child", "consulted_foster_carer", "consulted_parent")
# The columns an import writes on a review: compared with the file's, updated if they differ.
WRITTEN = ("status", "review_type", "due_on", "held_on", "scheduled_for", "chair_id",
           "participation_code", "record_source")
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


@dataclass
class _Stored:
    """A review already in the database, read as plain values."""

    id: int
    fields: dict[str, object]  # the WRITTEN columns
    attended: set[AttendeeRole]
    views: set[tuple[ConsultedRole, ViewsChannel]]  # a role's views may come by several

    @property
    def day(self) -> date:
        return meeting_day(self.fields["held_on"], self.fields["scheduled_for"],
                           self.fields["due_on"])


def _stored_reviews(child_ids) -> dict[int, list[_Stored]]:
    """These children's reviews with their attendance and views, by child: three queries
    per chunk of children, and no ORM object per review."""
    stored: dict[int, list[_Stored]] = defaultdict(list)
    by_id: dict[int, _Stored] = {}
    table = Review.__table__
    for chunk in chunks(child_ids):
        for row in db.session.execute(
                select(table.c.id, table.c.child_id, *(table.c[name] for name in WRITTEN))
                .where(table.c.child_id.in_(chunk)).order_by(table.c.due_on, table.c.id)):
            review_id, child_id, *values = row
            review = _Stored(review_id, dict(zip(WRITTEN, values, strict=True)), set(), set())
            stored[child_id].append(review)
            by_id[review_id] = review
        for review_id, role in db.session.execute(
                select(ReviewAttendance.review_id, ReviewAttendance.role)
                .join(Review).where(Review.child_id.in_(chunk))):
            by_id[review_id].attended.add(role)
        for review_id, role, channel in db.session.execute(
                select(ReviewViews.review_id, ReviewViews.role, ReviewViews.channel)
                .join(Review).where(Review.child_id.in_(chunk))):
            by_id[review_id].views.add((role, channel))
    return stored


def import_reviews(data: bytes, *, today: date, timetable: schedule.Timetable,
                   by: StaffUser, path: str) -> ImportResult:
    """Create or update every review in the file, or nothing at all if any row is wrong.

    `by` is held to `allocation.refusal`: an IRO's file touches only their own children's
    reviews, and to them a child on no caseload looks the same as one on someone else's.
    """
    rows, errors = read_rows(data, COLUMNS)
    result = ImportResult(errors=errors)
    children = children_named({row.cells["case_ref"] for row in rows})

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

    stored_reviews = _stored_reviews({plan.child.id for plan in planned})
    held_days = _held_days(planned, stored_reviews)
    stored = {child: _by_day(stored_reviews[child.id]) for child in held_days}
    new_reviews: list[_NewReview] = []
    changed: list[_Changed] = []
    for plan in planned:
        _apply(plan, held_days[plan.child], stored[plan.child], timetable, result,
               new_reviews, changed)
    _insert(new_reviews)
    _update(changed)
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


def _held_days(planned: list[_Planned], stored_reviews: dict[int, list[_Stored]]
               ) -> dict[Child, list[date]]:
    """Each child's days of held reviews, sorted: the file's and the database's, the file's
    word winning for a day both name. One pass over the file and each child's reviews."""
    in_file: dict[Child, dict[date, ReviewStatus]] = defaultdict(dict)
    for plan in planned:
        in_file[plan.child][plan.on] = plan.status
    held_days = {}
    for child, statuses in in_file.items():
        days = {on for on, status in statuses.items() if status is ReviewStatus.HELD}
        days |= {review.day for review in stored_reviews[child.id]
                 if review.fields["status"] is ReviewStatus.HELD and review.day not in statuses}
        held_days[child] = sorted(days)
    return held_days


def _by_day(reviews: list[_Stored]) -> dict[date, _Stored]:
    by_day: dict[date, _Stored] = {}
    for review in reviews:
        by_day.setdefault(review.day, review)
    return by_day


def _apply(plan: _Planned, held_days: list[date], stored: dict[date, _Stored],
           timetable: schedule.Timetable, result: ImportResult,
           new_reviews: list[_NewReview], changed: list[_Changed]) -> None:
    """Plan the stored review of this day's update into `changed`, or a new one into
    `new_reviews`."""
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
    change = _Changed(
        review.id, wanted if review.fields != wanted else None,
        plan.attended if review.attended != plan.attended else None,
        views if review.views != set(views.items()) else None)
    if change.fields is None and change.attended is None and change.views is None:
        result.unchanged += 1
        return
    changed.append(change)
    result.updated += 1


@dataclass(frozen=True)
class _Changed:
    """What differs in a stored review: None where the file agrees with the database."""

    review_id: int
    fields: dict[str, object] | None
    attended: frozenset[AttendeeRole] | None
    views: dict[ConsultedRole, ViewsChannel] | None


def _update(changed: list[_Changed]) -> None:
    """The changed reviews: one executemany for their columns, and their attendance and
    views replaced by a delete per chunk and one insert each."""
    table = Review.__table__
    fields = [{"review": change.review_id, **change.fields} for change in changed
              if change.fields is not None]
    if fields:
        db.session.execute(update(table).where(table.c.id == bindparam("review"))
                           .values({name: bindparam(name) for name in WRITTEN}), fields)
    for model, column, rows in (
            (ReviewAttendance, "attended", [
                {"review_id": change.review_id, "role": role} for change in changed
                if change.attended is not None for role in sorted(change.attended)]),
            (ReviewViews, "views", [
                {"review_id": change.review_id, "role": role, "channel": channel}
                for change in changed if change.views is not None
                for role, channel in change.views.items()])):
        replaced = [change.review_id for change in changed
                    if getattr(change, column) is not None]
        for chunk in chunks(replaced):
            db.session.execute(delete(model.__table__).where(
                model.__table__.c.review_id.in_(chunk)))
        if rows:
            db.session.execute(insert(model.__table__), rows)


@dataclass(frozen=True)
class _NewReview:
    fields: dict[str, object]
    attended: frozenset[AttendeeRole]
    views: dict[ConsultedRole, ViewsChannel]


def _insert(new_reviews: list[_NewReview]) -> None:
    """The new reviews, their attendance and views: five statements whatever their number."""
    if not new_reviews:
        return

    def day_of(fields) -> tuple[int, object]:
        return fields["child_id"], fields["held_on"] or fields["scheduled_for"]

    table = Review.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        # RETURNING in parameter order: SQLAlchemy batches the rows into multi-row INSERTs
        # and hands back each row's id, so nothing another writer adds can be mistaken
        # for ours.
        returned = db.session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [new.fields for new in new_reviews]).scalars().all()
        ids = {day_of(new.fields): id_ for new, id_ in zip(new_reviews, returned, strict=True)}
    else:
        # SQLite: with RETURNING, SQLAlchemy sends a statement per row. After the insert
        # this transaction holds SQLite's one write lock until it commits, and the rows took
        # the ids just above what was there: so they are the highest n ids now.
        db.session.execute(insert(table), [new.fields for new in new_reviews])
        first = db.session.scalar(select(func.max(Review.id))) - len(new_reviews) + 1
        ids = {day_of(row._mapping): row.id for row in db.session.execute(
            select(Review.id, Review.child_id, Review.held_on, Review.scheduled_for)
            .where(Review.id >= first))}
    attendance = [{"review_id": ids[day_of(new.fields)], "role": role}
                  for new in new_reviews for role in sorted(new.attended)]
    views = [{"review_id": ids[day_of(new.fields)], "role": role, "channel": channel}
             for new in new_reviews for role, channel in new.views.items()]
    if attendance:
        db.session.execute(insert(ReviewAttendance.__table__), attendance)
    if views:
        db.session.execute(insert(ReviewViews.__table__), views)
