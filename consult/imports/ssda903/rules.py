"""The DfE's validation rules that touch the Reviews table, as its validator applies them
(csc-validator-be-903, rules 166, 167, 399, 440, 441, 1012, INT08 and INT17).

They run over plain rows, so they check our export before it is written, whatever
Header and Episodes tables it is checked against (ours, or the council's own files).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from consult.imports.ssda903.periods import SHORT_BREAK_LEGAL_STATUSES
from consult.meeting_record import fourth_birthday_of
from consult.models import ParticipationCode

PN_CODES = tuple(code.value for code in ParticipationCode)
RULES = {
    "166": "REVIEW is missing or not a valid date",
    "167": "REVIEW_CODE is not one of PN0 to PN7",
    "399": "the child was on short breaks only (LS V3 or V4) and has reviews",
    "440": "PN0 after the child's 4th birthday",
    "441": "PN1 to PN7 before the child's 4th birthday",
    "1012": "a review for a child with no episode in the year",
    "INT08": "the child is not in the Header table",
    "INT17": "DOB differs between the Header and Reviews tables",
}


@dataclass(frozen=True)
class ReviewRow:
    """One row of the Reviews table, as written: CHILD, DOB, REVIEW, REVIEW_CODE."""

    child: str
    dob: str
    review: str
    code: str


@dataclass(frozen=True)
class Breach:
    rule: str
    row: ReviewRow

    @property
    def key(self) -> str:
        """What accepts this breach: RULE:CHILD:REVIEW (or RULE for all of that rule)."""
        return f"{self.rule}:{self.row.child}:{self.row.review}"

    def __str__(self) -> str:
        return (f"Rule {self.rule}: CHILD {self.row.child}, review "
                f"{self.row.review or '(no date)'}: {RULES[self.rule]}.")


def parse_dmy(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


@dataclass(frozen=True)
class EpisodeDates:
    legal_status: str


def check_reviews(rows: Iterable[ReviewRow], header: dict[str, str],
                  episodes: dict[str, list[EpisodeDates]]) -> list[Breach]:
    """Every breach of the review rules. `header`: CHILD -> DOB as written in the Header
    table; `episodes`: CHILD -> the year's episodes (their legal status)."""
    breaches = []
    for row in rows:
        def breach(rule: str, row=row) -> None:
            breaches.append(Breach(rule, row))

        review, born = parse_dmy(row.review), parse_dmy(row.dob)
        if review is None:
            breach("166")
        if row.code not in PN_CODES:
            breach("167")
        child_episodes = episodes.get(row.child, [])
        if child_episodes and all(e.legal_status in SHORT_BREAK_LEGAL_STATUSES
                                  for e in child_episodes):
            breach("399")
        if review and born:
            fourth = fourth_birthday_of(born)
            if row.code == "PN0" and review > fourth:
                breach("440")
            if row.code in PN_CODES[1:] and review < fourth:
                breach("441")
        if not child_episodes:
            breach("1012")
        if row.child not in header:
            breach("INT08")
        elif born and parse_dmy(header[row.child]) not in (None, born):
            breach("INT17")
    return breaches


def unaccepted(breaches: list[Breach], accepted: Iterable[str]) -> list[Breach]:
    """The breaches not accepted, by their key or by their rule as a whole."""
    accepted = {key.strip() for key in accepted}
    return [b for b in breaches if b.key not in accepted and b.rule not in accepted]
