"""The participation figures an IRO service reports (seed §3.2 to §3.4), counted in SQL.

Every figure comes from a fixed handful of statements whatever the size of the data: the
database groups and counts, and Python only lays the few aggregate rows out as tables.
What each figure counts is said once, here, and shown beside it on every page and export.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale
from sqlalchemy import (
    Float,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    union_all,
)

from consult import i18n, vocabulary
from consult.extensions import db
from consult.models import (
    Answer,
    AnswerFigures,
    AnswerFiguresMonthly,
    AnswerFiguresStale,
    AttendeeRole,
    Child,
    ConsultedRole,
    FreeTextAnswer,
    HelpRequest,
    Invitation,
    InvitationPurpose,
    InviteeRole,
    PaperResponse,
    ParticipationCode,
    RaisedConcern,
    RecordSource,
    RequestKind,
    RequestState,
    Response,
    Review,
    ReviewAttendance,
    ReviewFigures,
    ReviewFiguresDaily,
    ReviewFiguresIroMonthly,
    ReviewFiguresMonthly,
    ReviewFiguresStale,
    ReviewStatus,
    ReviewType,
    ReviewViews,
    StaffUser,
    ViewsChannel,
)
from consult.models.reports import MONTHLY_MEASURES
from consult.questionnaires import definitions
from consult.questionnaires.model import IN_PERSON
from consult.reports.period import Period
from consult.reports.sql import day_number, seconds_between, utc_day
from consult.reports.tables import Cell, Column, Row, Table, no_cycle_collection, suppress

REVIEW_TYPE_LABELS = {
    ReviewType.INITIAL: "Initial reviews",
    ReviewType.SECOND: "Second reviews",
    ReviewType.SUBSEQUENT: "Subsequent reviews",
}
AGE_BANDS = (("under_5", "Under 5"), ("5_to_10", "5 to 10"), ("11_to_15", "11 to 15"),
             ("16_and_over", "16 and over"))
CONSULTED_LABELS = vocabulary.CONSULTED_LABELS
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
)
AUDIENCE_LABELS = {
    "child": "Children and young people",
    "foster_carer": "Foster carers",
    "parent_or_family": "Parents and family members",
    "social_worker": "Social workers",
    "other": "Others",
}
PARTICIPATION_LABELS = vocabulary.PN_HEADINGS
REQUEST_LABELS = {
    RequestKind.INDEPENDENT_VISITOR: "Independent visitor",
    RequestKind.ADVOCATE: "Advocate",
    RequestKind.TALK_TO_IRO: "Talk to my IRO",
    RequestKind.URGENT: "Urgent: worried or unsafe",
}
CLOSED_STATES = (RequestState.RESOLVED, RequestState.DECLINED, RequestState.WITHDRAWN)

HELD_DEFINITION = (
    "A review counts when its status is held and the day it was held falls in the period. "
    "Scheduled and cancelled reviews are not counted.")
VIEWS_DEFINITION = (
    "The IRO's record of how each person's views reached the review (online, on paper, "
    "spoken to the IRO, or through an advocate) decides. Where the IRO recorded nothing for "
    "a role, a form that person sent online on or before the day of the meeting (UTC) counts "
    "as online. A form sent after the meeting does not count for that review, and neither "
    "does a record of 'none'.")


@dataclass(frozen=True)
class Scope:
    """Whose reviews: the whole service, or those one IRO chaired."""

    iro_id: int | None = None
    label: str = "the whole service"
    by_iro: bool = False


@dataclass(frozen=True)
class Report:
    period: Period
    scope: Scope
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)


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
    recorded = (
        select(ReviewViews.review_id, *[
            func.max(case((ReviewViews.role == role, cast(ReviewViews.channel, String)))
                     ).label(role.value)
            for role in ConsultedRole])
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
        **{f"views_{role.value}": func.coalesce(
            recorded.c[role.value], case((online.c[role.value] == 1, ViewsChannel.ONLINE.value)))
           for role in ConsultedRole},
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


# Marks named in one statement: at most four times this many values are bound, within the
# limits of SQLite and PostgreSQL. More reviews than this (a first build, an import) are
# read from the table of marks instead, where the database plans for many.
MARKS_AT_ONCE = 5000


def _in_chunks(values: list) -> list[list]:
    return [values[start:start + MARKS_AT_ONCE]
            for start in range(0, len(values), MARKS_AT_ONCE)]


def refresh_figures() -> None:
    """Bring the rollups up to date: the rows of every review and day the triggers marked.

    Runs in its own short transaction, committed at once, so the caller's session and the
    rows it holds are untouched. Costs one statement when nothing changed. On PostgreSQL
    the marks are locked for the moment of the refresh: a review or day marked meanwhile
    waits for that moment, and is never lost. (The monthly sums follow review_figures and
    answer_figures by their own triggers.)

    The marks are read first and, when they are few, named in each statement, so the
    database plans for the few rows they are (a table of marks it has not analysed lately
    can look to it like thousands, and it would then read every review instead of looking
    a few up); only the marks named are taken away.
    """
    with db.engine.begin() as connection:
        marks = connection.execute(union_all(
            select(ReviewFiguresStale.review_id, literal_column("NULL").label("sent_on")),
            select(literal_column("NULL"), AnswerFiguresStale.sent_on))).all()
        if not marks:
            return
        review_ids = sorted(mark.review_id for mark in marks if mark.review_id is not None)
        days = sorted({_as_date(mark.sent_on) for mark in marks if mark.sent_on is not None})
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            connection.execute(text("LOCK TABLE review_figures_stale, answer_figures_stale "
                                    "IN SHARE ROW EXCLUSIVE MODE"))
        done = []
        if review_ids:
            many = len(review_ids) > MARKS_AT_ONCE  # then every mark there is, from here on
            marked = select(ReviewFiguresStale.review_id) if many else review_ids
            connection.execute(delete(ReviewFigures).where(ReviewFigures.review_id.in_(marked)))
            names, query = _figures_of(marked)
            connection.execute(insert(ReviewFigures).from_select(names, query))
            done.append(delete(ReviewFiguresStale) if many else delete(ReviewFiguresStale)
                        .where(ReviewFiguresStale.review_id.in_(review_ids)))
        for some_days in _in_chunks(days):
            connection.execute(delete(AnswerFigures).where(AnswerFigures.sent_on.in_(some_days)))
            names, query = _answer_figures_of(some_days)
            connection.execute(insert(AnswerFigures).from_select(names, query))
            done.append(delete(AnswerFiguresStale)
                        .where(AnswerFiguresStale.sent_on.in_(some_days)))
        if postgresql and len(done) == 2:  # both kinds of marks in one statement
            connection.execute(done[1].add_cte(done[0].cte("reviews_done")))
        else:
            for statement in done:
                connection.execute(statement)


def _as_date(value) -> date:
    """A day as the database returned it (SQLite gives a union's dates as text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _per_review(figures, names=MONTHLY_MEASURES) -> list:
    """What one row of review_figures adds to each monthly measure (as the triggers add it)."""
    def one_if(condition, name):
        return case((condition, 1), else_=0).label(name)

    measures = {
        "held": literal_column("1").label("held"),
        "in_time": figures.c.in_time.label("in_time"),
        **{f"att_{key}": figures.c[f"att_{key}"].label(f"att_{key}")
           for key, _label, _roles in ATTENDANCE_GROUPS},
        **{f"views_{role.value}_{channel}": one_if(
            figures.c[f"views_{role.value}"] == channel, f"views_{role.value}_{channel}")
           for role in ConsultedRole for channel in GIVEN},
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
                *(f"views_{role.value}_{channel}" for role in ConsultedRole for channel in GIVEN),
                "unrecorded")


def _measures(facts, *, breakdown: bool) -> list:
    """Every figure about reviews, summed over the rows of `facts` (monthly measures); a
    breakdown needs only seven of them, and leaves the rest 0."""
    def total(name, label=None):
        label = label or name
        if breakdown and label not in BREAKDOWN_MEASURES:
            return literal_column("0").label(label)
        return func.sum(facts.c[name]).label(label)

    def given(role):
        return func.sum(sum(facts.c[f"views_{role.value}_{channel}"] for channel in GIVEN)
                        ).label(f"given_{role.value}")

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


def _n(row: dict | None, key: str) -> int:
    return int((row or {}).get(key) or 0)


def _reviews_by_type(totals: dict, by_type: dict) -> Table:
    held = _n(totals, "held")
    rows = []
    for review_type in ReviewType:
        group = by_type.get(review_type.value)
        rows.append(Row(review_type.value, REVIEW_TYPE_LABELS[review_type], (
            Cell(_n(group, "held"), held),
            Cell(_n(group, "in_time"), _n(group, "held")))))
    rows.append(Row("all", "All reviews", (Cell(held, held), Cell(_n(totals, "in_time"), held))))
    return Table(
        key="reviews_by_type", title="Reviews held, by type, and within timescales",
        definition=HELD_DEFINITION + " Within timescales: held on or before the day it was due "
        "(20 working days after the child became looked after for an initial review, 3 months "
        "after it for the second, 6 months after the previous one after that).",
        numerator="Reviews held of each type; of those, reviews held on or before their due date",
        denominator="All reviews held in the period; for timescales, the reviews of that type",
        columns=(Column("held", "Reviews held", share=True),
                 Column("in_time", "Held within timescales", share=True)),
        rows=tuple(rows), chart_column=1, row_heading="Review type",
        # Each column's types add up to its "All reviews".
        partitions=tuple(tuple((r, c) for r in range(len(ReviewType))) for c in (0, 1)),
        denominators=tuple(((r, 1), (r, 0)) for r in range(len(ReviewType))),
    )


UNRECORDED_LABEL = "Not recorded: imported from the 903 return"
UNRECORDED_DEFINITION = (
    " A review whose meeting record was imported from the 903 return, which holds only its "
    "date and PN code, has this not recorded until the IRO records the meeting: it is "
    "counted apart, not as none, and left out of the shares.")


def _views_by_role(totals: dict) -> Table:
    held = _n(totals, "held")
    unrecorded = _n(totals, "unrecorded")
    recorded = held - unrecorded
    rows, partitions = [], []
    for r, role in enumerate(ConsultedRole):
        counts = [_n(totals, f"views_{role.value}_{channel.value}")
                  for channel, _label in GIVEN_CHANNELS]
        rows.append(Row(role.value, CONSULTED_LABELS[role],
                        (*(Cell(count, recorded) for count in counts),
                         Cell(sum(counts), recorded))))
        partitions.append(tuple((r, c) for c in range(len(GIVEN_CHANNELS))))
    if unrecorded:
        rows.append(Row("not_recorded", UNRECORDED_LABEL, (
            *(Cell() for _channel in GIVEN_CHANNELS), Cell(unrecorded, held))))
    return Table(
        key="views_by_role", title="Views given before or at the review, by role and channel",
        definition=VIEWS_DEFINITION + UNRECORDED_DEFINITION,
        numerator="Held reviews where that person's views were given by that channel",
        denominator="The reviews held in the period whose views were recorded",
        columns=(*(Column(channel.value, label, share=True) for channel, label in GIVEN_CHANNELS),
                 Column("any", "By any channel", share=True)),
        rows=tuple(rows), chart_column=len(GIVEN_CHANNELS), row_heading="Whose views",
        partitions=tuple(partitions),
    )


def _attendance(totals: dict) -> Table:
    held = _n(totals, "held")
    unrecorded = _n(totals, "unrecorded")
    rows = [Row(key, label, (Cell(_n(totals, f"att_{key}"), held - unrecorded),))
            for key, label, _roles in ATTENDANCE_GROUPS]
    if unrecorded:
        rows.append(Row("not_recorded", UNRECORDED_LABEL, (Cell(unrecorded, held),)))
    return Table(
        key="attendance_by_role", title="Attendance at reviews, by role",
        definition="A role counts once per review when the IRO recorded at least one person "
        "of that role as present; a parent and a family member at the same review count once."
        + UNRECORDED_DEFINITION,
        numerator="Held reviews where someone of that role attended",
        denominator="The reviews held in the period whose attendance was recorded",
        columns=(Column("attended", "Reviews attended", share=True),),
        rows=tuple(rows),
        row_heading="Role",
    )


def _participation_codes(totals: dict) -> Table:
    held = _n(totals, "held")
    rows = [Row(code.value, PARTICIPATION_LABELS[code], (Cell(_n(totals, f"pn_{code.value}"),
                                                              held),))
            for code in ParticipationCode]
    rows.append(Row("none", "Not recorded", (Cell(_n(totals, "pn_none"), held),)))
    return Table(
        key="participation_codes", title="How children took part (participation codes)",
        definition="The SSDA903 participation code the IRO recorded for each held review.",
        numerator="Held reviews with that code",
        denominator="All reviews held in the period",
        columns=(Column("reviews", "Reviews", share=True),),
        rows=tuple(rows), row_heading="Code",
        partitions=(tuple((r, 0) for r in range(len(rows))),),
    )


def _language_name(code: str) -> str:
    """The name staff know a language by: ours ('Dari', 'Kurdish (Sorani)') for the languages
    we offer, else CLDR's English name, with the code the case system sent."""
    if code in i18n.LANGUAGES:
        return f"{i18n.english_name(code)} ({code})"
    try:
        return f"{Locale.parse(code).get_display_name('en')} ({code})"
    except (ValueError, UnknownLocaleError):
        return code


BREAKDOWNS = {
    "review_type": ("Review type", "by review type"),
    "age_band": ("Age at the review", "by the child's age on the day of the review"),
    "language": ("Child's language", "by the child's preferred language"),
    "iro": ("IRO", "by the IRO who chaired the review (else the child's IRO)"),
}


def _breakdown(dimension: str, groups: list[tuple[str, str, dict]]) -> Table:
    heading, description = BREAKDOWNS[dimension]
    rows = []
    for value, label, group in groups:
        held = _n(group, "held")
        recorded = held - _n(group, "unrecorded")
        rows.append(Row(value, label, (
            Cell(held),
            Cell(_n(group, "in_time"), held),
            *(Cell(_n(group, key), recorded) for key in GIVEN_KEYS),
            Cell(_n(group, "att_child"), recorded),
        )))
    return Table(
        key=f"by_{dimension}", title=f"Participation {description}",
        definition=HELD_DEFINITION + " Views given as in the table of views by channel."
        " Views and attendance are shares of the reviews whose meeting record has them (not "
        "those imported from the 903 return and not yet recorded by the IRO).",
        numerator="Held reviews in the group within timescales, with each role's views given, "
        "and with the child present",
        denominator="The reviews held in that group",
        columns=(Column("held", "Reviews held"),
                 Column("in_time", "Within timescales", share=True),
                 *(Column(f"views_{role.value}", f"{CONSULTED_LABELS[role]}'s views given",
                          share=True) for role in ConsultedRole),
                 Column("child_attended", "Child attended", share=True)),
        rows=tuple(rows), chart_column=2, row_heading=heading,
        # Every column's groups add up to a figure of the whole scope shown in another table.
        partitions=tuple(tuple((r, c) for r in range(len(rows))) for c in range(6)),
        denominators=tuple(((r, c), (r, 0)) for r in range(len(rows)) for c in range(1, 6)),
    )


def _breakdowns(aggregates: dict, scope: Scope) -> list[Table]:
    def groups_of(dimension):
        return {value: row for (dim, value), row in aggregates.items() if dim == dimension}

    by_type = groups_of("review_type")
    by_age = groups_of("age_band")
    by_language = groups_of("language")
    tables = [
        _breakdown("review_type", [(t.value, REVIEW_TYPE_LABELS[t], by_type.get(t.value))
                                   for t in ReviewType]),
        _breakdown("age_band", [(key, label, by_age.get(key)) for key, label in AGE_BANDS]),
        _breakdown("language", sorted(
            ((code, _language_name(code), row) for code, row in by_language.items()),
            key=lambda group: group[1])),
    ]
    if scope.by_iro:
        tables.append(_breakdown("iro", sorted(
            ((value, row["label"], row) for value, row in groups_of("iro").items()),
            key=lambda group: group[1])))
    return tables


def _requests_in(period: Period, scope: Scope, query):
    query = query.where(HelpRequest.created_at >= period.starts_at,
                        HelpRequest.created_at < period.ends_before)
    if scope.iro_id is not None:
        query = query.join(Child, Child.id == HelpRequest.child_id).where(
            Child.iro_id == scope.iro_id)
    return query


def _concerns_in(period: Period, scope: Scope, query):
    query = query.where(RaisedConcern.raised_at >= period.starts_at,
                        RaisedConcern.raised_at < period.ends_before)
    if scope.iro_id is not None:
        query = query.join(Child, Child.id == RaisedConcern.child_id).where(
            Child.iro_id == scope.iro_id)
    return query


def _forms_sent_in(period: Period, scope: Scope):
    query = select(func.count()).select_from(Invitation).where(
        Invitation.sent_at >= period.starts_at, Invitation.sent_at < period.ends_before)
    if scope.iro_id is not None:
        query = query.join(Review, Review.id == Invitation.review_id).join(
            Child, Child.id == Review.child_id).where(Child.iro_id == scope.iro_id)
    return query


ANY_CONCERN = "any"


def _requests_and_concerns(period: Period, scope: Scope) -> tuple[Table, Table]:
    """The requests of each kind and the forms that raised each concern, with the median time
    to acknowledge each, in one statement."""
    # Typed, so that PostgreSQL unions the parts' NULLs with the medians' numbers.
    none, zero = cast(literal_column("NULL"), Float), literal_column("0")
    per_kind = _requests_in(period, scope, select(
        literal_column("'count'", String).label("part"),
        cast(HelpRequest.kind, String).label("grp"),
        func.count().label("expressed"),
        func.sum(case((HelpRequest.state == RequestState.MATCHED, 1), else_=0)).label("matched"),
        func.sum(case((HelpRequest.state.in_((RequestState.MATCHED, *CLOSED_STATES)), 0),
                      else_=1)).label("waiting"),
        none.label("median"), zero.label("n"),
    )).group_by(HelpRequest.kind)
    concern_keys = list(definitions.concerns())
    # Each concern's group is named "concern:<key>"; a key no form has any more (none is ever
    # removed) would count under "concern:other".
    concern_group = case(
        {key: literal_column(f"'concern:{key}'", String) for key in concern_keys},
        value=RaisedConcern.concern_key, else_=literal_column("'concern:other'", String))
    forms_per_concern = _concerns_in(period, scope, select(
        literal_column("'count'", String), concern_group,
        func.count(func.distinct(RaisedConcern.response_id)), zero, zero, none, zero,
    )).group_by(concern_group)
    forms_with_any = _concerns_in(period, scope, select(
        literal_column("'count'", String), literal_column(f"'concern:{ANY_CONCERN}'", String),
        func.count(func.distinct(RaisedConcern.response_id)), zero, zero, none, zero))
    forms_sent = _forms_sent_in(period, scope).with_only_columns(
        literal_column("'count'", String), literal_column("'forms_sent'", String),
        func.count(), zero, zero, none, zero)

    seconds = seconds_between(HelpRequest.created_at, HelpRequest.acknowledged_at)
    # Each group also has a number to rank within: sorting by it is much cheaper than by
    # its name under the database's collation.
    kind_number = case({kind.value: number for number, kind in enumerate(RequestKind, 1)},
                       value=HelpRequest.kind)
    acknowledged = _requests_in(period, scope, select(
        cast(HelpRequest.kind, String).label("grp"), kind_number.label("grp_number"),
        seconds.label("seconds"))
        .where(HelpRequest.acknowledged_at.is_not(None)))
    every_kind = _requests_in(period, scope, select(
        literal_column("'all'", String), literal_column("0"), seconds)
        .where(HelpRequest.acknowledged_at.is_not(None)))
    concern_seconds = seconds_between(RaisedConcern.raised_at, RaisedConcern.acknowledged_at)
    concern_number = case({key: 100 + number for number, key in enumerate(concern_keys, 1)},
                          value=RaisedConcern.concern_key, else_=100)
    concerns_acknowledged = _concerns_in(period, scope, select(
        concern_group, concern_number, concern_seconds)
        .where(RaisedConcern.acknowledged_at.is_not(None)))
    any_concern_acknowledged = _concerns_in(period, scope, select(
        literal_column(f"'concern:{ANY_CONCERN}'", String), literal_column("99"),
        concern_seconds).where(RaisedConcern.acknowledged_at.is_not(None)))
    both = union_all(acknowledged, every_kind, concerns_acknowledged,
                     any_concern_acknowledged).subquery("acknowledged")
    ranked = select(
        both.c.grp, both.c.seconds,
        func.row_number().over(partition_by=both.c.grp_number,
                               order_by=both.c.seconds).label("rank"),
        func.count().over(partition_by=both.c.grp_number).label("n"),
    ).subquery("ranked")
    per_group_median = (
        select(literal_column("'median'", String), ranked.c.grp, zero, zero, zero,
               func.avg(ranked.c.seconds), func.max(ranked.c.n))
        .where(ranked.c.rank.between((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2))
        .group_by(ranked.c.grp))
    counts, medians = {}, {}
    for row in db.session.execute(union_all(
            per_kind, forms_per_concern, forms_with_any, forms_sent, per_group_median)):
        if row.part == "count":
            counts[row.grp] = row
        else:
            medians[row.grp] = (row.median, row.n)

    def median_cell(group: str) -> Cell:
        median, n = medians.get(group, (None, 0))
        return Cell(value=None if median is None else float(median) / 3600, based_on=n)

    return _requests_table(counts, median_cell), _concerns_table(counts, median_cell)


def _requests_table(counts: dict, median_cell) -> Table:
    rows = []
    for kind in (RequestKind.INDEPENDENT_VISITOR, RequestKind.ADVOCATE):
        row = counts.get(kind)
        expressed = row.expressed if row else 0
        rows.append(Row(kind.value, REQUEST_LABELS[kind], (
            Cell(expressed),
            Cell(int(row.matched) if row else 0, expressed),
            Cell(int(row.waiting) if row else 0, expressed),
            median_cell(kind.value))))
    for kind in (RequestKind.TALK_TO_IRO, RequestKind.URGENT):
        row = counts.get(kind)
        rows.append(Row(kind.value, REQUEST_LABELS[kind], (
            Cell(row.expressed if row else 0), Cell(), Cell(), median_cell(kind.value))))
    rows.append(Row("all", "All requests", (
        Cell(sum(counts[kind].expressed for kind in RequestKind if kind in counts)),
        Cell(), Cell(), median_cell("all"))))
    return Table(
        key="requests", title="Requests for an independent visitor, an advocate or the IRO",
        definition="Requests made in the period. Expressed interest: every request of that "
        "kind. Matched: its state is matched now. Waiting: neither matched nor closed (resolved, "
        "declined or withdrawn). Median hours to acknowledge: over the requests acknowledged, "
        "from the request to its acknowledgement, in hours. A request sent without a link "
        "counts for the whole service only until staff link it to a child.",
        numerator="Requests of each kind, matched, and waiting",
        denominator="Requests of that kind made in the period",
        columns=(Column("expressed", "Expressed interest"),
                 Column("matched", "Matched", share=True),
                 Column("waiting", "Waiting", share=True),
                 Column("median_hours", "Median hours to acknowledge")),
        rows=tuple(rows), chart_column=0, row_heading="Request",
        # The kinds add up to "All requests".
        partitions=(tuple((r, 0) for r in range(len(RequestKind))),),
        denominators=tuple(((r, c), (r, 0)) for r in (0, 1) for c in (1, 2)),
    )




def _concerns_table(counts: dict, median_cell) -> Table:
    def forms(group: str) -> int:
        row = counts.get(group)
        return int(row.expressed) if row else 0

    sent = forms("forms_sent")
    rows = [Row("forms_sent", "Forms sent", (Cell(sent), Cell())),
            Row(ANY_CONCERN, "Any concern", (
                Cell(forms(f"concern:{ANY_CONCERN}"), sent),
                median_cell(f"concern:{ANY_CONCERN}")))]
    for key, concern in definitions.concerns().items():
        rows.append(Row(key, concern.reason, (
            Cell(forms(f"concern:{key}"), sent), median_cell(f"concern:{key}"))))
    return Table(
        key="concerns", title="Forms whose answers raised a concern",
        definition="Forms sent in the period (online or typed in from paper, by the time they "
        "were sent, every audience) and those with an answer that raises a concern for the "
        "child's IRO (docs/concerns.md lists them). A form with several concerns counts once "
        "for 'Any concern' and once under each of its concerns. Median hours to acknowledge: "
        "over the concerns the IRO has acknowledged, from the form being sent to the IRO "
        "recording what they did, in hours. For one IRO: the forms about their children.",
        numerator="Forms with that concern",
        denominator="Forms sent in the period",
        columns=(Column("forms", "Forms", share=True),
                 Column("median_hours", "Median hours to acknowledge")),
        rows=tuple(rows), chart_column=0, row_heading="Concern",
        denominators=tuple(((r, 0), (0, 0)) for r in range(1, len(rows))),
    )


def _audience():
    return case((Invitation.role.in_((InviteeRole.PARENT, InviteeRole.FAMILY_MEMBER)),
                 literal_column("'parent_or_family'", String)),
                else_=cast(Invitation.role, String))


def _reviews_of(iro_id: int):
    """The ids of the reviews an IRO chaired, or whose child is theirs when no chair was
    recorded: the same as `_review_iro() == iro_id`, in a form the indexes on the chair
    and on the child's IRO can find."""
    return union_all(
        select(Review.id).where(Review.chair_id == iro_id),
        select(Review.id).join(Child, Child.id == Review.child_id)
        .where(Review.chair_id.is_(None), Child.iro_id == iro_id))


def _answer_counts(sent, *groups) -> list:
    """Per audience and questionnaire (and `groups`, columns of `sent`): the forms sent, the
    forms in which each question was answered, and the forms with each answer.

    `sent` has one row per form sent: response_id, audience, questionnaire_key, groups.
    """
    empty = literal_column("''", String)
    by = [*(sent.c[name] for name in groups), sent.c.audience, sent.c.questionnaire_key]
    chosen = (select(*by, Answer.response_id, Answer.question_key, Answer.value)
              .join(Answer, Answer.response_id == sent.c.response_id).cte("chosen"))
    chosen_by = [chosen.c[column.name] for column in by]
    per_value = select(
        *chosen_by, literal_column("'value'", String).label("kind"),
        chosen.c.question_key, chosen.c.value, func.count().label("forms"),
    ).group_by(*chosen_by, chosen.c.question_key, chosen.c.value)
    per_question = select(
        *chosen_by, literal_column("'question'", String), chosen.c.question_key, empty,
        func.count(func.distinct(chosen.c.response_id)),
    ).group_by(*chosen_by, chosen.c.question_key)
    respondents = select(
        *by, literal_column("'respondents'", String), empty, empty, func.count(),
    ).group_by(*by)
    return [*groups, "audience", "questionnaire_key", "kind", "question_key", "value",
            "forms"], union_all(per_value, per_question, respondents)


def _answer_figures_of(days: list[date]):
    """The rows of answer_figures for these days (UTC)."""
    sent_on = [and_(Invitation.sent_at >= Period(first, last).starts_at,
                    Invitation.sent_at < Period(first, last).ends_before)
               for first, last in _runs_of(days)]
    sent = (select(utc_day(Invitation.sent_at).label("sent_on"),
                   Response.id.label("response_id"), _audience().label("audience"),
                   Response.questionnaire_key)
            .join(Invitation, Invitation.id == Response.invitation_id)
            .where(or_(*sent_on))
            .cte("sent"))
    return _answer_counts(sent, "sent_on")


def _runs_of(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days, first and last: each a range to look up."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _structured_questions() -> dict[str, tuple[object, list]]:
    """Per questionnaire: its newest version and every structured question any version asked.

    Read from the questionnaire definitions, so a new question is counted without a change
    here; a question asked only in an older version is listed after the current ones.
    """
    by_key: dict[str, list] = defaultdict(list)
    for questionnaire in definitions.ALL.values():
        by_key[questionnaire.key].append(questionnaire)
    found = {}
    for key, versions in by_key.items():
        versions.sort(key=lambda q: q.version, reverse=True)
        questions, seen = [], set()
        for questionnaire in versions:
            for question in questionnaire.questions:
                if not question.is_free_text and question.key not in seen:
                    seen.add(question.key)
                    questions.append(question)
        found[key] = (versions[0], questions)
    return found


def _answers(period: Period, scope: Scope) -> list[Table]:
    if scope.iro_id is None:  # the whole service: whole months' and other days' rollups
        daily, monthly = AnswerFigures.__table__, AnswerFiguresMonthly.__table__
        keys = ("audience", "questionnaire_key", "kind", "question_key", "value")
        parts = []
        if (months := period.whole_months) is not None:
            parts.append(select(*(monthly.c[key] for key in keys), monthly.c.forms)
                         .where(monthly.c.month.between(*months)))
        parts += [select(*(daily.c[key] for key in keys), daily.c.forms)
                  .where(daily.c.sent_on.between(days.start, days.end))
                  for days in period.days_outside_whole_months]
        sums = _union(parts).subquery("sums")
        by = [sums.c[key] for key in keys]
        # A month's sum taken back to nothing stays as a zero: it is no form sent.
        query = (select(*by, func.sum(sums.c.forms).label("forms"))
                 .group_by(*by).having(func.sum(sums.c.forms) > 0))
    else:  # one IRO's forms, a few hundred a year, counted from the answers themselves
        sent = (select(Response.id.label("response_id"), _audience().label("audience"),
                       Response.questionnaire_key)
                .join(Invitation, Invitation.id == Response.invitation_id)
                .where(Invitation.review_id.in_(_reviews_of(scope.iro_id)),
                       Invitation.sent_at >= period.starts_at,
                       Invitation.sent_at < period.ends_before)
                .cte("sent"))
        _names, query = _answer_counts(sent)
    counts: dict[tuple[str, str], dict] = defaultdict(dict)
    for row in db.session.execute(query).mappings():
        counts[(row["audience"], row["questionnaire_key"])][
            (row["kind"], row["question_key"], row["value"])] = int(row["forms"])
    with force_locale(i18n.STAFF_LOCALE):  # staff read figures in English, also on the command line
        return _answer_tables(counts)


def _answer_tables(counts: dict[tuple[str, str], dict]) -> list[Table]:
    questions_of = _structured_questions()
    tables = []
    for (audience_key, questionnaire_key), found in sorted(counts.items()):
        if questionnaire_key not in questions_of:
            continue
        questionnaire, questions = questions_of[questionnaire_key]
        sent = found.get(("respondents", "", ""), 0)
        rows, partitions, denominators = [], [], []
        for question in questions:
            answered = found.get(("question", question.key, ""), 0)
            first = len(rows)
            rows.append(Row(question.key, f"{question.text}: answered", (Cell(answered, sent),)))
            offered = [(choice.value, str(choice.label)) for choice in question.choices]
            if getattr(question, "in_person", False):
                offered.append((IN_PERSON, "I'd rather tell my IRO in person"))
            for value, label in offered:
                rows.append(Row(f"{question.key}.{value}", f"{question.text}: {label}",
                                (Cell(found.get(("value", question.key, value), 0),
                                      answered),)))
            if not question.kind.value.startswith("multiple"):
                partitions.append(tuple((r, 0) for r in range(first + 1, len(rows))))
            denominators.extend(((r, 0), (first, 0)) for r in range(first + 1, len(rows)))
        audience_label = AUDIENCE_LABELS.get(audience_key, audience_key)
        tables.append(Table(
            key=f"answers_{audience_key}_{questionnaire_key}",
            title=f"{audience_label}: {questionnaire.title}",
            definition=f"Structured answers in the forms {audience_label.lower()} sent in the "
            f"period ({sent} sent). Every question can be skipped, so each answer's share is of "
            "those who answered that question; 'answered' is out of the forms sent. Words "
            "people wrote are never counted or shown here.",
            numerator="Forms in which that answer was chosen",
            denominator="Forms in which the question was answered",
            columns=(Column("forms", "Forms", share=True),),
            rows=tuple(rows), row_heading="Question and answer",
            partitions=tuple(partitions), denominators=tuple(denominators),
        ))
    return tables


def build_report(period: Period, scope: Scope) -> Report:
    refresh_figures()
    with no_cycle_collection():
        aggregates = _review_aggregates(period, scope)
        totals = aggregates.get(("all", ""), {})
        by_type = {value: row for (dim, value), row in aggregates.items()
                   if dim == "review_type"}
        tables = [
            _reviews_by_type(totals, by_type),
            _views_by_role(totals),
            _attendance(totals),
            _participation_codes(totals),
            *_breakdowns(aggregates, scope),
            *_requests_and_concerns(period, scope),
            *_answers(period, scope),
        ]
    return Report(period, scope, tuple(tables))


ROLE_QUOTED = {
    InviteeRole.CHILD: "A child or young person",
    InviteeRole.FOSTER_CARER: "A foster carer",
    InviteeRole.PARENT: "A parent or family member",
    InviteeRole.FAMILY_MEMBER: "A parent or family member",
    InviteeRole.SOCIAL_WORKER: "A social worker",
    InviteeRole.OTHER: "Someone at the review",
}
QUOTES_SHOWN = 40


@dataclass(frozen=True)
class Quote:
    who: str
    text: str


def consented_quotes(period: Period) -> list[Quote]:
    """Feedback its writer agreed to share, without their name: never text only for the IRO.

    The first QUOTES_SHOWN in the order the forms were sent. Every form with something to
    quote gives at least one quote, so all of them are among the forms sent no later than
    the QUOTES_SHOWN-th such form: finding that moment first (in the order of an index on
    feedback forms by the time sent) spares reading every feedback form of the year.
    """
    consented = exists().where(
        Answer.response_id == Response.id, Answer.question_key == "may_quote",
        Answer.value == "yes")
    quotable = exists().where(Response.invitation_id == Invitation.id,
                              FreeTextAnswer.response_id == Response.id,
                              FreeTextAnswer.only_for_iro == false(), consented)
    feedback_sent = and_(Invitation.purpose == InvitationPurpose.FEEDBACK,
                         Invitation.sent_at >= period.starts_at,
                         Invitation.sent_at < period.ends_before)
    first_forms = (select(Invitation.sent_at)
                   .where(feedback_sent, quotable)
                   .order_by(Invitation.sent_at)
                   .limit(QUOTES_SHOWN)
                   .subquery("first_forms"))
    last_needed = select(func.max(first_forms.c.sent_at)).scalar_subquery()
    rows = db.session.execute(
        select(Invitation.role, FreeTextAnswer.text)
        .select_from(FreeTextAnswer)
        .join(Response, Response.id == FreeTextAnswer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(feedback_sent, Invitation.sent_at <= last_needed,
               FreeTextAnswer.only_for_iro == false(), consented)
        .order_by(Invitation.sent_at, FreeTextAnswer.id)
        .limit(QUOTES_SHOWN))
    return [Quote(ROLE_QUOTED.get(role, "Someone at the review"), text) for role, text in rows]


def suppressed(report: Report, threshold: int) -> Report:
    """The report as it may leave the IRO's own screen."""
    with no_cycle_collection():
        return replace(report, tables=tuple(suppress(table, threshold)
                                            for table in report.tables))
