"""The caseload list: search, filters with their counts, sort and pages, asked of SQL.

A caseload of any size costs the same statements: one counts every filter, one picks the
page's children in order (and loads them), and the page's reviews and invitations follow in
a fixed number more. Which children are overdue, due soon, without a date or with paperwork
not sent is decided in SQL from a few cut-off days worked out here with the schedule's own
functions (`consult.schedule`): a deadline never falls earlier for a later start, so "due
before X" is "started on or before the last day whose deadline is before X".

The flags shown on each row are still `consult.schedule.flags_for` and
`paperwork_flags` over the loaded reviews; the SQL below picks the same children.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property, lru_cache
from math import ceil

from sqlalchemy import (
    and_,
    bindparam,
    case,
    false,
    func,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased, joinedload, selectinload

from consult import concerns, schedule
from consult.caseload_dates import Cutoffs, concern_late_before, day_of, due_after
from consult.caseload_query import (
    PAGE_SIZE,
    CaseloadQuery,
    Scope,
    Show,
    Sort,
    scopes_for,
    shows_for,
)
from consult.extensions import db
from consult.models import (
    CarePeriod,
    Child,
    Invitation,
    RaisedConcern,
    Review,
    ReviewStatus,
    StaffRole,
    StaffUser,
)
from consult.policy import READS_CHILDRENS_WORDS


def scope_clause(user: StaffUser, scope: Scope):
    """Which children a list holds, as SQL; None when this person may have no list."""
    if scope not in scopes_for(user):
        return None
    if scope is Scope.ALL:
        return true()
    if user.role is StaffRole.IRO:
        return Child.iro_id == user.id
    return Child.social_worker_id == user.id




# The facts of each child, as SQL columns ---------------------------------------------------


# The `_Facts` expression of each filter but "all".
_FILTERS = {Show.CONCERNS: "concerns", Show.OVERDUE: "overdue", Show.DUE_SOON: "due_soon",
            Show.NOT_SENT: "not_sent", Show.NO_DATE: "no_date"}


# When a concern is late in being acknowledged moves with the clock, so it is given to each
# statement as this parameter: the expressions below stay the same all day.
LATE_BEFORE = "concern_late_before"


@dataclass(eq=False)
class _Facts:
    """SQL expressions about each child, over `Child` with the booked and last held review
    joined (`joined`). Each statement that holds them is given `LATE_BEFORE`."""

    cutoffs: Cutoffs
    timetable: schedule.Timetable
    reads_concerns: bool
    booked: type = field(default_factory=lambda: aliased(Review, name="booked"))
    last_held: type = field(default_factory=lambda: aliased(Review, name="last_held"))

    def joined(self, query):
        booked_on, held_on = self._joins
        return query.outerjoin(self.booked, booked_on).outerjoin(self.last_held, held_on)

    @cached_property
    def _joins(self):
        """How the booked review and the last held one join each child."""
        review = aliased(Review, name="earliest")
        booked_id = (select(review.id).where(
            review.child_id == Child.id, review.status == ReviewStatus.SCHEDULED)
            .order_by(review.due_on, review.id).limit(1).correlate(Child).scalar_subquery())
        held = aliased(Review, name="latest")
        held_id = (select(held.id).where(
            held.child_id == Child.id, held.status == ReviewStatus.HELD,
            held.held_on.is_not(None))
            .order_by(held.held_on.desc(), held.id.desc()).limit(1)
            .correlate(Child).scalar_subquery())
        return self.booked.id == booked_id, self.last_held.id == held_id

    def _held_in_period(self, column):
        held = aliased(Review, name="in_period")
        return (select(column(held)).where(
            held.child_id == Child.id, held.status == ReviewStatus.HELD,
            held.held_on >= Child.looked_after_since)
            .correlate(Child).scalar_subquery())

    @cached_property
    def held_count(self):
        return self._held_in_period(lambda held: func.count(held.id))

    @cached_property
    def previous_held_on(self):
        return self._held_in_period(lambda held: func.max(held.held_on))

    @cached_property
    def reviewed(self):
        """Open, and the current period is not short breaks only."""
        period = aliased(CarePeriod, name="current_period")
        short_breaks = (select(period.short_breaks_only).where(period.child_id == Child.id)
                        .order_by(period.started_on.desc()).limit(1)
                        .correlate(Child).scalar_subquery())
        return and_(Child.ceased_on.is_(None), not_(func.coalesce(short_breaks, false())))

    def _by_interval(self, per_interval: Callable[[int, object], object]):
        """An expression for the unbooked next review, chosen by how many reviews were held
        in the period: the first interval from the start, then the second, then later."""
        count, previous = self.held_count, self.previous_held_on
        return case((count == 0, per_interval(0, Child.looked_after_since)),
                    (count == 1, per_interval(1, previous)),
                    else_=per_interval(2, previous))

    @cached_property
    def overdue(self):
        cut = self.cutoffs
        unbooked = self._by_interval(lambda n, start: start <= cut.overdue[n])
        return and_(self.reviewed, case(
            (self.booked.id.is_not(None), self.booked.due_on < cut.today), else_=unbooked))

    @cached_property
    def due_soon(self):
        cut = self.cutoffs
        unbooked = self._by_interval(lambda n, start: start <= cut.soon[n])
        return and_(self.reviewed, not_(self.overdue), case(
            (self.booked.id.is_not(None), self.booked.due_on <= cut.soon_until),
            else_=unbooked))

    @cached_property
    def no_date(self):
        return and_(self.reviewed, or_(self.booked.id.is_(None),
                                       self.booked.scheduled_for.is_(None)))

    @cached_property
    def booked_late(self):
        return and_(self.reviewed, self.booked.scheduled_for.is_not(None),
                    day_of(self.booked.scheduled_for) > self.booked.due_on)

    @cached_property
    def not_sent(self):
        cut, held = self.cutoffs, self.last_held
        return and_(self.reviewed, held.id.is_not(None), or_(
            and_(held.decisions_sent_on.is_(None), held.held_on <= cut.decisions_overdue),
            and_(held.record_sent_on.is_(None), held.held_on <= cut.record_overdue)))

    def _concerns(self, *only):
        if not self.reads_concerns:
            return None
        return (select(func.count(RaisedConcern.id)).where(
            RaisedConcern.child_id == Child.id, RaisedConcern.acknowledged_at.is_(None), *only)
            .correlate(Child).scalar_subquery())

    @cached_property
    def concerns(self):
        found = self._concerns()
        return found > 0 if found is not None else None

    @cached_property
    def late_concerns(self):
        found = self._concerns(RaisedConcern.raised_at < bindparam(LATE_BEFORE))
        return found > 0 if found is not None else None

    @cached_property
    def due_on(self):
        timetable = (self.timetable.first, self.timetable.second, self.timetable.later)
        planned = self._by_interval(
            lambda n, start: due_after(timetable[n], start, self.cutoffs.today))
        return case((self.booked.id.is_not(None), self.booked.due_on), else_=planned)

    def matches(self, show: Show):
        # Only the filter asked for is built: each is a tree of correlated subqueries.
        return true() if show is Show.ALL else getattr(self, _FILTERS[show])

    def order(self, sort: Sort) -> list:
        by_name = [Child.preferred_name, Child.id]
        inactive_last = case((self.reviewed, 0), else_=1)
        if sort is Sort.NAME:
            return by_name
        if sort is Sort.NEXT_MEETING:
            meeting = self.booked.scheduled_for
            return [inactive_last, case((meeting.is_(None), 1), else_=0), meeting,
                    self.due_on, *by_name]
        if sort is Sort.DUE:
            return [inactive_last, self.due_on, *by_name]
        attention = [(self.late_concerns, 0), (self.concerns, 1)] if self.reads_concerns else []
        attention += [(or_(self.overdue, self.booked_late, self.no_date, self.not_sent), 2),
                      (self.due_soon, 3)]
        return [case(*attention, else_=4), inactive_last, self.due_on, *by_name]


@lru_cache(maxsize=32)
def _facts(cutoffs: Cutoffs, timetable: schedule.Timetable, reads_concerns: bool,
           dialect: str) -> _Facts:
    """The expressions of a day's lists, built once and kept (they are immutable, and take
    longer to build than the database takes to run them). They differ by database, so its
    dialect is part of what they are kept by."""
    del dialect  # only a key: the expressions ask the session's dialect as they are built
    return _Facts(cutoffs, timetable, reads_concerns)


# The list ----------------------------------------------------------------------------------


def open_concerns_of(children: list[Child],
                     now: datetime | None = None) -> dict[int, list[concerns.ShownConcern]]:
    """Each child's concerns not yet acknowledged, as the "Needs attention" cell lists them."""
    return {child.id: concerns.shown(child.open_concerns, now)
            for child in children if child.open_concerns}


def _listed(user: StaffUser, query: CaseloadQuery):
    """The children on the list before any filter: whose, open or closed, searched."""
    scope = scope_clause(user, query.scope)
    clauses = [scope]
    if not query.include_closed:
        clauses.append(Child.ceased_on.is_(None))
    if query.search:
        # SQLAlchemy escapes % and _ in what was typed (autoescape), on both databases.
        clauses.append(or_(Child.preferred_name.icontains(query.search, autoescape=True),
                           Child.case_ref.icontains(query.search, autoescape=True)))
    return clauses


@dataclass(frozen=True)
class CaseloadPage:
    """One page of the list: its children in order, each filter's count over the searched
    list, and the children's open concerns (for the "Needs attention" cell)."""

    query: CaseloadQuery
    children: list[Child]
    counts: dict[Show, int]
    open_concerns: dict[int, list[concerns.ShownConcern]]
    page_size: int = PAGE_SIZE

    @property
    def total(self) -> int:
        return self.counts.get(self.query.show, 0)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.page_size))

    @property
    def past_the_end(self) -> bool:
        return self.query.page > self.pages

    @property
    def first_number(self) -> int:
        return (self.query.page - 1) * self.page_size + 1


def counts(user: StaffUser, query: CaseloadQuery, facts: _Facts,
           late_before: datetime) -> dict[Show, int]:
    """How many children each filter shows, over the searched list, in one statement."""
    shows = shows_for(user)
    columns = [func.count(Child.id) if show is Show.ALL
               else func.coalesce(func.sum(case((facts.matches(show), 1), else_=0)), 0)
               for show in shows]
    row = db.session.execute(
        facts.joined(select(*columns).select_from(Child)).where(*_listed(user, query)),
        {LATE_BEFORE: late_before}).one()
    return dict(zip(shows, (int(value) for value in row), strict=True))


def caseload_page(user: StaffUser, query: CaseloadQuery, *, today: date, now: datetime,
                  timetable: schedule.Timetable, due_soon_days: int,
                  page_size: int = PAGE_SIZE) -> CaseloadPage:
    """One page of this person's list as asked, with every filter's count: the same
    statements for 2 children as for 2,000 (one for the counts, one for the page's
    children, their periods and concerns, then their reviews and invitations)."""
    if scope_clause(user, query.scope) is None:
        return CaseloadPage(query, [], {}, {}, page_size)
    reads = user.role in READS_CHILDRENS_WORDS
    facts = _facts(Cutoffs.on(today, timetable, due_soon_days), timetable, reads,
                   db.session.get_bind().dialect.name)
    late_before = concern_late_before(now)
    found = counts(user, query, facts, late_before)
    if query.page > max(1, ceil(found[query.show] / page_size)):
        return CaseloadPage(query, [], found, {}, page_size)
    order = facts.order(query.sort)
    picked = (facts.joined(select(
        Child.id, func.row_number().over(order_by=order).label("position")).select_from(Child))
        .where(*_listed(user, query), facts.matches(query.show))
        .order_by(*order).offset((query.page - 1) * page_size).limit(page_size).subquery())
    loaded = [joinedload(Child.periods),
              selectinload(Child.reviews).selectinload(Review.invitations)
              .joinedload(Invitation.response)]
    loaded.append(joinedload(Child.open_concerns) if reads else joinedload(Child.iro))
    children = list(db.session.scalars(
        select(Child).join(picked, picked.c.id == Child.id).options(*loaded)
        .order_by(picked.c.position), {LATE_BEFORE: late_before}).unique())
    return CaseloadPage(query, children, found, open_concerns_of(children, now) if reads else {},
                        page_size)
