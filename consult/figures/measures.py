"""What the figures count about held reviews: each review's facts, what each adds to the
monthly measures, and their sums for a period and scope in one statement.

Every figure comes from a fixed handful of statements whatever the size of the data: the
database groups and counts, and Python only lays the few aggregate rows out as tables.
The triggers that keep the monthly sums (migrations 5e2b8c41d7a9 and 9c03a1e5b903) add
exactly what `_per_review` says a row adds; tests/reports/test_measures.py holds the two
together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String, and_, case, cast, func, literal_column, select, union_all

from consult import vocabulary
from consult.extensions import db
from consult.figures.period import Period
from consult.figures.sql import day_number, utc_day
from consult.models import (
    AttendeeRole,
    Child,
    ConsultedRole,
    Invitation,
    PaperResponse,
    ParticipationCode,
    RecordSource,
    Response,
    Review,
    ReviewAttendance,
    ReviewFigures,
    ReviewFiguresDaily,
    ReviewFiguresIroMonthly,
    ReviewFiguresMonthly,
    ReviewStatus,
    ReviewViews,
    StaffUser,
    ViewsChannel,
)
from consult.models.reports import MONTHLY_MEASURES

if TYPE_CHECKING:
    from consult.figures.report import Scope


AGE_BANDS = (("under_5", "Under 5"), ("5_to_10", "5 to 10"), ("11_to_15", "11 to 15"),
             ("16_and_over", "16 and over"))


GIVEN_CHANNELS = tuple((channel, vocabulary.CHANNEL_HEADINGS[channel]) for channel in (
    ViewsChannel.ONLINE, ViewsChannel.PAPER, ViewsChannel.VERBAL, ViewsChannel.ADVOCATE))


# Attendance is counted per role group: a parent or a family member present counts once.
ATTENDANCE_GROUPS = (
    ("child", "Child or young person", (AttendeeRole.CHILD,)),
    ("foster_carer", "Foster carer", (AttendeeRole.FOSTER_CARER,)),
    ("parent_or_family", "Parent or family member",
     (AttendeeRole.PARENT, AttendeeRole.FAMILY_MEMBER)),
    ("supervising_social_worker", "Supervising social worker",
     (AttendeeRole.SUPERVISING_SOCIAL_WORKER,)),
    ("partner_agency", "Partner agencies", (AttendeeRole.PARTNER_AGENCY,)),
    ("social_worker", "The child's social worker", (AttendeeRole.SOCIAL_WORKER,)),
    ("advocate", "Advocate", (AttendeeRole.ADVOCATE,)),
    ("interpreter", "Interpreter", (AttendeeRole.INTERPRETER,)),
)


def _review_iro():
    """The IRO a review belongs to: who chaired it, else the child's IRO."""
    return func.coalesce(Review.chair_id, Child.iro_id)


def _figures_of(reviews):
    """What the figures count about each held review among `reviews` (ids, or a SELECT of them)."""
    held = and_(Review.status == ReviewStatus.HELD, Review.held_on.is_not(None),
                Review.id.in_(reviews))
    attendance = (
        select(ReviewAttendance.review_id, *[
            func.max(case((ReviewAttendance.role.in_(roles), 1), else_=0)).label(key)
            for key, _label, roles in ATTENDANCE_GROUPS])
        .join(Review, Review.id == ReviewAttendance.review_id)
        .where(held)
        .group_by(ReviewAttendance.review_id)
        .subquery("attendance"))
    # Per role: 1 if the IRO recorded anything for it (none included), and 1 per channel.
    recorded = (
        select(ReviewViews.review_id, *[
            func.max(case((ReviewViews.role == role, 1), else_=0)).label(role.value)
            for role in ConsultedRole], *[
            func.max(case((and_(ReviewViews.role == role, ReviewViews.channel == channel), 1),
                          else_=0)).label(f"{role.value}_{channel.value}")
            for role in ConsultedRole for channel, _label in GIVEN_CHANNELS])
        .join(Review, Review.id == ReviewViews.review_id)
        .where(held)
        .group_by(ReviewViews.review_id)
        .subquery("recorded"))
    online = (
        select(Invitation.review_id, *[
            func.max(case((Invitation.role.in_(roles), 1), else_=0)).label(role.value)
            for role, roles in vocabulary.CONSULTED_INVITEES.items()])
        .join(Response, Response.invitation_id == Invitation.id)
        .join(Review, Review.id == Invitation.review_id)
        # A booklet typed in by staff came on paper (and set the recorded channel so).
        .outerjoin(PaperResponse, PaperResponse.response_id == Response.id)
        # Views given online: vocabulary.counts_as_views_online, in SQL.
        .where(held, Invitation.purpose == vocabulary.VIEWS_ONLINE_PURPOSE,
               PaperResponse.response_id.is_(None),
               Invitation.sent_at.is_not(None),
               utc_day(Invitation.sent_at) <= Review.held_on)
        .group_by(Invitation.review_id)
        .subquery("online"))
    age = day_number(Review.held_on) - day_number(Child.date_of_birth)
    age_band = case((age < 50000, "under_5"), (age < 110000, "5_to_10"),
                    (age < 160000, "11_to_15"), else_="16_and_over")
    # Each recorded channel is a code the IRO chose; none is a real answer, so it is kept
    # (and simply never counted as views given).
    columns = {
        "review_id": Review.id,
        "held_on": Review.held_on,
        "review_type": cast(Review.review_type, String),
        "in_time": case((Review.held_on <= Review.due_on, 1), else_=0),
        "participation_code": cast(Review.participation_code, String),
        "iro_id": _review_iro(),
        "language": Child.preferred_language,
        "age_band": age_band,
        **{f"att_{key}": func.coalesce(attendance.c[key], 0)
           for key, _label, _roles in ATTENDANCE_GROUPS},
        **{f"views_{role.value}_{channel.value}": _views_by(recorded, online, role, channel)
           for role in ConsultedRole for channel, _label in GIVEN_CHANNELS},
        # Imported with neither attendance nor views (the 903 return has neither): those
        # are not recorded, which is not the same as nobody attending.
        "unrecorded": case((and_(Review.record_source == RecordSource.IMPORT,
                                 attendance.c.review_id.is_(None),
                                 recorded.c.review_id.is_(None)), 1), else_=0),
    }
    query = (
        select(*(expression.label(name) for name, expression in columns.items()))
        .join(Child, Child.id == Review.child_id)
        .outerjoin(attendance, attendance.c.review_id == Review.id)
        .outerjoin(recorded, recorded.c.review_id == Review.id)
        .outerjoin(online, online.c.review_id == Review.id)
        .where(held)
    )
    return list(columns), query


def _views_by(recorded, online, role: ConsultedRole, channel: ViewsChannel):
    """1 when `role`'s views reached the review by `channel`: as the IRO recorded them, else
    (nothing recorded for the role) online when a form counts as views given online."""
    by_record = func.coalesce(recorded.c[f"{role.value}_{channel.value}"], 0)
    if channel is not ViewsChannel.ONLINE:
        return by_record
    return case((recorded.c[role.value] == 1, by_record),
                else_=func.coalesce(online.c[role.value], 0))


def _per_review(figures, names=MONTHLY_MEASURES) -> list:
    """What one row of review_figures adds to each monthly measure (as the triggers add it)."""
    def one_if(condition, name):
        return case((condition, 1), else_=0).label(name)

    measures = {
        "held": literal_column("1").label("held"),
        "in_time": figures.c.in_time.label("in_time"),
        **{f"att_{key}": figures.c[f"att_{key}"].label(f"att_{key}")
           for key, _label, _roles in ATTENDANCE_GROUPS},
        **{f"views_{role.value}_{channel}": figures.c[f"views_{role.value}_{channel}"].label(
            f"views_{role.value}_{channel}") for role in ConsultedRole for channel in GIVEN},
        **{f"views_{role.value}_any": one_if(
            sum(figures.c[f"views_{role.value}_{channel}"] for channel in GIVEN) > 0,
            f"views_{role.value}_any") for role in ConsultedRole},
        **{f"pn_{code.value.lower()}": one_if(figures.c.participation_code == code.value,
                                              f"pn_{code.value.lower()}")
           for code in ParticipationCode},
        "pn_none": one_if(figures.c.participation_code.is_(None), "pn_none"),
        "unrecorded": figures.c.unrecorded.label("unrecorded"),
    }
    return [measures[name] for name in names]  # in the rollup's order


def _union(parts: list):
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _review_sources(period: Period, scope: Scope):
    """The rows to sum: per (type, age band, language), and per IRO if the scope shows it.

    A whole month of the whole service is read from the monthly sums, the days outside
    whole months from the daily sums (and, by IRO, from review_figures); one IRO's reviews
    (a few hundred a year) from review_figures.
    """
    figures = ReviewFigures.__table__
    breakdown = (figures.c.review_type, figures.c.age_band, figures.c.language)
    if scope.iro_id is not None:
        mine = select(*breakdown, *_per_review(figures)).where(
            figures.c.iro_id == scope.iro_id, figures.c.held_on.between(period.start, period.end))
        return mine.cte("facts"), None
    by_breakdown, by_iro = [], []
    if (months := period.whole_months) is not None:
        monthly = ReviewFiguresMonthly.__table__
        iro_monthly = ReviewFiguresIroMonthly.__table__
        by_breakdown.append(
            select(monthly.c.review_type, monthly.c.age_band, monthly.c.language,
                   *(monthly.c[name] for name in MONTHLY_MEASURES))
            .where(monthly.c.month.between(*months)))
        by_iro.append(select(iro_monthly.c.iro_id,
                             *(iro_monthly.c[name] for name in IRO_MEASURES))
                      .where(iro_monthly.c.month.between(*months)))
    daily = ReviewFiguresDaily.__table__
    for days in period.days_outside_whole_months:
        by_breakdown.append(
            select(daily.c.review_type, daily.c.age_band, daily.c.language,
                   *(daily.c[name] for name in MONTHLY_MEASURES))
            .where(daily.c.held_on.between(days.start, days.end)))
        by_iro.append(select(figures.c.iro_id, *_per_review(figures, IRO_MEASURES))
                      .where(figures.c.held_on.between(days.start, days.end)))
    return (_union(by_breakdown).cte("facts"),
            _union(by_iro).cte("iro_facts") if scope.by_iro else None)


GIVEN = tuple(channel.value for channel, _label in GIVEN_CHANNELS)


GIVEN_KEYS = tuple(f"given_{role.value}" for role in ConsultedRole)


BREAKDOWN_MEASURES = ("held", "in_time", "att_child", *GIVEN_KEYS, "unrecorded")


# The monthly measures a breakdown's figures are summed from.
IRO_MEASURES = ("held", "in_time", "att_child",
                *(f"views_{role.value}_any" for role in ConsultedRole), "unrecorded")


def _measures(facts, *, breakdown: bool) -> list:
    """Every figure about reviews, summed over the rows of `facts` (monthly measures); a
    breakdown needs only seven of them, and leaves the rest 0."""
    def total(name, label=None):
        label = label or name
        if breakdown and label not in BREAKDOWN_MEASURES:
            return literal_column("0").label(label)
        return func.sum(facts.c[name]).label(label)

    def given(role):  # by any channel: a role's views may come by several
        return total(f"views_{role.value}_any", f"given_{role.value}")

    measures = [total("held"), total("in_time")]
    measures += [total(f"att_{key}") for key, _label, _roles in ATTENDANCE_GROUPS]
    measures += [given(role) for role in ConsultedRole]
    measures += [total(f"pn_{code.value.lower()}", f"pn_{code.value}")
                 for code in ParticipationCode]
    measures.append(total("pn_none"))
    measures.append(total("unrecorded"))
    measures += [total(f"views_{role.value}_{channel}")
                 for role in ConsultedRole for channel in GIVEN]
    return measures


def _review_aggregates(period: Period, scope: Scope) -> dict[tuple[str, str], dict]:
    """Every review figure, for the whole scope and each breakdown, in one statement."""
    facts, iro_facts = _review_sources(period, scope)
    empty = literal_column("''", String)
    parts = [select(literal_column("'all'", String).label("dimension"), empty.label("value"),
                    empty.label("label"), *_measures(facts, breakdown=False))]
    for dimension in ("review_type", "age_band", "language"):
        column = facts.c[dimension]
        parts.append(select(literal_column(f"'{dimension}'", String), column, empty,
                            *_measures(facts, breakdown=True))
                     .group_by(column).having(func.sum(facts.c.held) > 0))
    if iro_facts is not None:
        per_iro = (select(iro_facts.c.iro_id, *_measures(iro_facts, breakdown=True))
                   .group_by(iro_facts.c.iro_id).having(func.sum(iro_facts.c.held) > 0)
                   .subquery("per_iro"))
        parts.append(
            select(literal_column("'iro'", String), cast(per_iro.c.iro_id, String),
                   StaffUser.name, *(column for column in per_iro.c if column.name != "iro_id"))
            .join(StaffUser, StaffUser.id == per_iro.c.iro_id))
    rows = db.session.execute(union_all(*parts)).mappings()
    return {(row["dimension"], row["value"] or ""): row for row in rows}
