"""The council's own Reviews table against ours, child by child: what an IRO manager
checks before the return is sent.

Reviews are paired on the child and the day. What is left unpaired is paired again with
the nearest review of the same child on the other side within DATE_SLACK_DAYS (the same
review with its date typed differently); what is still unpaired is only in one of the two.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from consult.imports.ssda903.export import held_reviews, review_rows
from consult.imports.ssda903.read import Check, read_files
from consult.imports.ssda903.rules import parse_dmy

DATE_SLACK_DAYS = 31


class Kind(enum.StrEnum):
    ONLY_OURS = "only_ours"
    ONLY_THEIRS = "only_theirs"
    DATE = "date"
    CODE = "code"


@dataclass(frozen=True)
class Difference:
    child: str
    kind: Kind
    ours: tuple[date, str] | None  # (day, PN code) as we hold it
    theirs: tuple[date, str] | None  # as the council's table has it

    def __str__(self) -> str:
        def said(side):
            return f"{side[0]:%d/%m/%Y} {side[1] or '(no code)'}"

        if self.kind is Kind.ONLY_OURS:
            return f"CHILD {self.child}: review of {said(self.ours)} is only in ours."
        if self.kind is Kind.ONLY_THEIRS:
            return f"CHILD {self.child}: review of {said(self.theirs)} is only in the council's."
        if self.kind is Kind.DATE:
            return (f"CHILD {self.child}: the review is on {self.ours[0]:%d/%m/%Y} in ours, "
                    f"{self.theirs[0]:%d/%m/%Y} in the council's.")
        return (f"CHILD {self.child}: review of {self.ours[0]:%d/%m/%Y} has "
                f"{self.ours[1] or '(no code)'} in ours, {self.theirs[1] or '(no code)'} in "
                "the council's.")


@dataclass
class Reconciliation:
    differences: list[Difference]
    problems: list[str]
    ours: int = 0
    theirs: int = 0


def _pair(child: str, ours: dict[date, str], theirs: dict[date, str]) -> list[Difference]:
    found = [Difference(child, Kind.CODE, (day, ours[day]), (day, theirs[day]))
             for day in sorted(ours.keys() & theirs.keys()) if ours[day] != theirs[day]]
    left = sorted(ours.keys() - theirs.keys())
    right = sorted(theirs.keys() - ours.keys())
    for day in list(left):
        near = [other for other in right if abs((other - day).days) <= DATE_SLACK_DAYS]
        if near:
            other = min(near, key=lambda candidate: abs((candidate - day).days))
            right.remove(other)
            left.remove(day)
            found.append(Difference(child, Kind.DATE, (day, ours[day]), (other, theirs[other])))
            if ours[day] != theirs[other]:
                found.append(Difference(child, Kind.CODE, (day, ours[day]),
                                        (other, theirs[other])))
    found += [Difference(child, Kind.ONLY_OURS, (day, ours[day]), None) for day in left]
    found += [Difference(child, Kind.ONLY_THEIRS, None, (day, theirs[day])) for day in right]
    return sorted(found, key=lambda d: ((d.ours or d.theirs)[0], d.kind.value))


def reconcile(name: str, data: bytes, first: date, last: date) -> Reconciliation:
    found = read_files([(name, data)])
    problems = [str(error) for error in found.errors]
    if not problems and set(found.tables) != {"Reviews"}:
        problems.append(f"{name}: give the council's Reviews table "
                        "(CHILD,DOB,REVIEW,REVIEW_CODE).")
    theirs: dict[str, dict[date, str]] = {}
    errors = []
    for row in found.rows("Reviews"):
        check = Check(row, errors)
        day = check.dmy("REVIEW")
        if day is not None and first <= day <= last:
            theirs.setdefault(check.text("CHILD", max_length=40), {})[day] = row.cells[
                "REVIEW_CODE"]
    problems += [str(error) for error in errors]
    if problems:
        return Reconciliation([], problems)
    ours: dict[str, dict[date, str]] = {}
    for row in review_rows(held_reviews(first, last)):
        day = parse_dmy(row.review)
        if day is not None:
            ours.setdefault(row.child, {})[day] = row.code
    differences = []
    for child in sorted(ours.keys() | theirs.keys()):
        differences += _pair(child, ours.get(child, {}), theirs.get(child, {}))
    return Reconciliation(differences, [], sum(map(len, ours.values())),
                          sum(map(len, theirs.values())))
