"""Checking the 903 files row by row into what the import will apply: every problem with
its file, line and column, before anything is saved."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime

from consult import care_periods
from consult.i18n import LANGUAGES, SOURCE_LOCALE
from consult.imports.csvfile import Row, RowError
from consult.imports.ssda903.periods import Episode, periods_from
from consult.imports.ssda903.read import Check, Files
from consult.meeting_record import pn0_rule
from consult.models import Child, ParticipationCode, StaffUser

RNE_CODES = ("S", "P", "L", "T", "U", "B")
PN_CODES = tuple(code.value for code in ParticipationCode)
REQUIRED_TABLES = ("Header", "Episodes", "Reviews")


@dataclass
class Details:
    """What the supplement (and SWEpisodes) say about a child: 903 does not hold these."""

    preferred_name: str
    language: str
    iro: StaffUser | None
    social_worker: StaffUser | None


@dataclass
class ChildPlan:
    child_id: str
    born: date
    row: Row
    details: Details | None = None
    periods: list[care_periods.PeriodDates] = field(default_factory=list)
    known_until: date | None = None  # the last day the files know of
    reviews: dict[date, ParticipationCode] = field(default_factory=dict)


@dataclass
class Staff:
    iros: dict[str, StaffUser]
    social_workers: dict[str, StaffUser]


def check_files(files: Files, known: dict[str, Child], staff: Staff, today: date
                ) -> tuple[list[ChildPlan], list[RowError]]:
    errors = list(files.errors)
    for table in REQUIRED_TABLES:
        if table not in files.tables:
            errors.append(RowError(1, f"No {table} table among the files: the 903 import "
                                   "needs the Header, Episodes and Reviews tables.", None))
    plans = _header(files, errors)
    details = _supplement(files, plans, known, staff, errors)
    for child_id, plan in plans.items():
        plan.details = details.get(child_id)
        if plan.details is None and child_id not in known:
            Check(plan.row, errors).error(
                f"CHILD {child_id} is new, and not in the supplement: give their preferred "
                "name, language and IRO there.")
    _episodes(files, plans, known, errors)
    _reviews(files, plans, today, errors)
    known_until = _last_day(files)
    for plan in plans.values():
        plan.known_until = known_until
    errors.sort(key=lambda error: (error.file or "", error.line))
    return list(plans.values()), errors


def _last_day(files: Files) -> date | None:
    """The latest day named in the episodes and reviews: the files know nothing after it."""
    days = []
    for table, columns in (("Episodes", ("DECOM", "DEC")), ("Reviews", ("REVIEW",))):
        for row in files.rows(table):
            for column in columns:
                with suppress(ValueError):
                    days.append(datetime.strptime(row.cells.get(column, ""), "%d/%m/%Y").date())
    return max(days, default=None)


def _header(files: Files, errors: list[RowError]) -> dict[str, ChildPlan]:
    plans: dict[str, ChildPlan] = {}
    for row in files.rows("Header"):
        check = Check(row, errors)
        child_id = check.text("CHILD", max_length=40)
        born = check.dmy("DOB")
        if child_id in plans:
            check.error(f"CHILD {child_id} is also on line {plans[child_id].row.line}.")
        elif child_id and born:
            plans[child_id] = ChildPlan(child_id, born, row)
    return plans


def _in_header(check: Check, plans: dict[str, ChildPlan]) -> ChildPlan | None:
    child_id = check.text("CHILD", max_length=40)
    plan = plans.get(child_id)
    if plan is None and child_id:
        check.error(f"CHILD {child_id} is not in the Header table.")
    return plan


def _supplement(files: Files, plans: dict[str, ChildPlan], known: dict[str, Child],
                staff: Staff, errors: list[RowError]) -> dict[str, Details]:
    social_worker_of_id = {}
    for row in files.rows("SocialWorkers"):
        check = Check(row, errors)
        sw_id = check.text("SW_ID", max_length=40)
        email = check.text("social_worker_email", max_length=254)
        user = staff.social_workers.get(email.lower())
        if email and user is None:
            check.error(f"social_worker_email '{email}' is not an active social worker's "
                        "account.")
        social_worker_of_id[sw_id] = user
    current_sw: dict[str, tuple[date, str, Row]] = {}
    for row in files.rows("SWEpisodes"):
        check = Check(row, errors)
        child_id, since = check.text("CHILD", max_length=40), check.dmy("SW_DECOM")
        if check.dmy("SW_DEC", required=False) is None and since and (
                child_id not in current_sw or current_sw[child_id][0] < since):
            current_sw[child_id] = (since, check.text("SW_ID", max_length=40), row)
    found: dict[str, Details] = {}
    for row in files.rows("Supplement"):
        check = Check(row, errors)
        child_id = check.text("CHILD", max_length=40)
        if child_id and child_id not in plans and child_id not in known:
            check.error(f"CHILD {child_id} is in neither the Header table nor imported before.")
        name = check.text("preferred_name", max_length=80)
        language = check.choice("language", tuple(LANGUAGES))
        iro_email = check.text("iro_email", max_length=254)
        iro = staff.iros.get(iro_email.lower())
        if iro_email and iro is None:
            check.error(f"iro_email '{iro_email}' is not an active IRO's account.")
        email = check.text("social_worker_email", required=False, max_length=254)
        social_worker = staff.social_workers.get(email.lower()) if email else None
        if email and social_worker is None:
            check.error(f"social_worker_email '{email}' is not an active social worker's "
                        "account.")
        if not email and child_id in current_sw and files.rows("SocialWorkers"):
            _since, sw_id, sw_row = current_sw[child_id]
            if sw_id not in social_worker_of_id:
                Check(sw_row, errors).error(
                    f"SW_ID {sw_id} is not in the social workers' table.")
            social_worker = social_worker_of_id.get(sw_id)
        if child_id in found:
            check.error(f"CHILD {child_id} is in the supplement twice.")
        found[child_id] = Details(name, language or SOURCE_LOCALE, iro, social_worker)
    return found


def _episodes(files: Files, plans: dict[str, ChildPlan], known: dict[str, Child],
              errors: list[RowError]) -> None:
    by_child: dict[str, list[Episode]] = defaultdict(list)
    for row in files.rows("Episodes"):
        check = Check(row, errors)
        plan = _in_header(check, plans)
        decom, dec = check.dmy("DECOM"), check.dmy("DEC", required=False)
        rne = check.choice("RNE", RNE_CODES)
        legal_status = check.text("LS", max_length=3)
        rec = check.text("REC", required=dec is not None, max_length=3)
        if rec and dec is None:
            check.error("REC is given but DEC is empty: an episode ceases on a day.")
        if decom and dec and dec < decom:
            check.error("DEC is before DECOM.")
        if plan and decom and rne and (dec is None or dec >= decom):
            by_child[plan.child_id].append(Episode(row, decom, rne, legal_status, dec, rec))
    for child_id, episodes in by_child.items():
        child = known.get(child_id)
        stored = care_periods.periods_of(child) if child is not None else []
        plans[child_id].periods = periods_from(
            episodes, lambda day, stored=stored: care_periods.period_on(stored, day),
            lambda row, message: Check(row, errors).error(message))
    for plan in plans.values():
        if plan.child_id not in by_child and plan.child_id not in known:
            Check(plan.row, errors).error(f"CHILD {plan.child_id} has no episodes.")


def _reviews(files: Files, plans: dict[str, ChildPlan], today: date,
             errors: list[RowError]) -> None:
    lines: dict[tuple[str, date], int] = {}
    for row in files.rows("Reviews"):
        check = Check(row, errors)
        plan = _in_header(check, plans)
        born, held_on = check.dmy("DOB"), check.dmy("REVIEW")
        code = check.choice("REVIEW_CODE", PN_CODES)
        if plan is None or held_on is None:
            continue
        if born and born != plan.born:
            check.error(f"DOB differs from the Header table's ({plan.born:%d/%m/%Y}).")
        if held_on > today:
            check.error("REVIEW is in the future: only held reviews are returned.")
        if code and (problem := pn0_rule(plan.born, held_on, ParticipationCode(code))):
            check.error(f"REVIEW_CODE: {problem}")
        period = care_periods.period_on(plan.periods, held_on) if plan.periods else None
        if plan.periods and period is None:
            check.error("REVIEW is on a day the child was not looked after (no episode "
                        "covers it).")
        elif period is not None and period.short_breaks_only:
            check.error("The child was on short breaks only (LS V3 or V4): such children "
                        "have no reviews (DfE rule 399).")
        key = (plan.child_id, held_on)
        if key in lines:
            check.error(f"this review is also on line {lines[key]}.")
        lines.setdefault(key, row.line)
        if code:
            plan.reviews[held_on] = ParticipationCode(code)
