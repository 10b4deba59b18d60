"""Requests for help and the forms that raised a concern, with the median time to
acknowledge each, counted in one statement and laid out as two tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Float, String, case, cast, func, literal_column, select, union_all

from consult.extensions import db
from consult.figures.period import Period
from consult.figures.sql import seconds_between
from consult.figures.tables import Cell, Column, Row, Table
from consult.models import (
    Child,
    HelpRequest,
    Invitation,
    RaisedConcern,
    RequestKind,
    RequestState,
    Review,
)
from consult.questionnaires import definitions

if TYPE_CHECKING:
    from consult.figures.report import Scope


REQUEST_LABELS = {
    RequestKind.INDEPENDENT_VISITOR: "Independent visitor",
    RequestKind.ADVOCATE: "Advocate",
    RequestKind.TALK_TO_IRO: "Talk to my IRO",
    RequestKind.URGENT: "Urgent: worried or unsafe",
}


CLOSED_STATES = (RequestState.RESOLVED, RequestState.DECLINED, RequestState.WITHDRAWN)


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
