"""The structured answers in the forms sent: counted per day into answer_figures, summed
for a period, and laid out as one table per audience and questionnaire."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask_babel import force_locale
from sqlalchemy import String, and_, case, cast, func, literal_column, or_, select, union_all

from consult import i18n
from consult.extensions import db
from consult.figures.measures import _union
from consult.figures.period import Period
from consult.figures.sql import utc_day
from consult.figures.tables import Cell, Column, Row, Table
from consult.models import (
    Answer,
    AnswerFigures,
    AnswerFiguresMonthly,
    Child,
    Invitation,
    InviteeRole,
    Response,
    Review,
)
from consult.questionnaires import definitions
from consult.questionnaires.model import IN_PERSON

if TYPE_CHECKING:
    from consult.figures.report import Scope


AUDIENCE_LABELS = {
    "child": "Children and young people",
    "foster_carer": "Foster carers",
    "parent_or_family": "Parents and family members",
    "social_worker": "Social workers",
    "other": "Others",
}


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
