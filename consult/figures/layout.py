"""The review figures laid out as tables: their rows, columns, definitions, and the
breakdowns by review type, age, language and IRO."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError

from consult import i18n, vocabulary
from consult.figures.measures import AGE_BANDS, ATTENDANCE_GROUPS, GIVEN_CHANNELS, GIVEN_KEYS
from consult.figures.tables import Cell, Column, Row, Table
from consult.models import ConsultedRole, ParticipationCode, ReviewType

if TYPE_CHECKING:
    from consult.figures.report import Scope


REVIEW_TYPE_LABELS = {
    ReviewType.INITIAL: "Initial reviews",
    ReviewType.SECOND: "Second reviews",
    ReviewType.SUBSEQUENT: "Subsequent reviews",
}


CONSULTED_LABELS = vocabulary.CONSULTED_LABELS


PARTICIPATION_LABELS = vocabulary.PN_HEADINGS


HELD_DEFINITION = (
    "A review counts when its status is held and the day it was held falls in the period. "
    "Scheduled and cancelled reviews are not counted.")


VIEWS_DEFINITION = (
    "The IRO's record of how each person's views reached the review (online, on paper, "
    "spoken to the IRO, or through an advocate; often more than one) decides. Where the IRO "
    "recorded nothing for "
    "a role, a form that person sent online on or before the day of the meeting (UTC) counts "
    "as online. A form sent after the meeting does not count for that review, and neither "
    "does a record of 'none'.")


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
    rows = []
    for role in ConsultedRole:
        counts = [_n(totals, f"views_{role.value}_{channel.value}")
                  for channel, _label in GIVEN_CHANNELS]
        rows.append(Row(role.value, CONSULTED_LABELS[role],
                        (*(Cell(count, recorded) for count in counts),
                         Cell(_n(totals, f"given_{role.value}"), recorded))))
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
        # No partitions: one review's views may come by several channels, so the channels
        # do not add up to "By any channel".
        rows=tuple(rows), chart_column=len(GIVEN_CHANNELS), row_heading="Whose views",
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
        return f"{Locale.parse(code).get_display_name(i18n.STAFF_LOCALE)} ({code})"
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
