"""What the caseload list is asked, read from its address: the search, the filter ("show"),
the order, whose children (scope) and the page; and which of those each role is offered.

Plain values with no SQL: `consult.caseload_list` turns them into statements.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace

from consult.inputs import PageError, clean_text, page_number
from consult.models import (
    StaffRole,
    StaffUser,
)
from consult.policy import READS_CHILDRENS_WORDS

PAGE_SIZE = 20
SEARCH_MAX_LENGTH = 80


class Show(enum.StrEnum):
    """Which children the list shows (`?show=`)."""

    ALL = "all"
    CONCERNS = "concerns"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NOT_SENT = "not_sent"
    NO_DATE = "no_date"


SHOW_LABELS = {
    Show.ALL: "All",
    Show.CONCERNS: "Concerns",
    Show.OVERDUE: "Overdue",
    Show.DUE_SOON: "Due soon",
    Show.NOT_SENT: "Decisions or record not sent",
    Show.NO_DATE: "No date set",
}


class Sort(enum.StrEnum):
    """The order of the list (`?sort=`)."""

    ATTENTION = "attention"
    NEXT_MEETING = "next_meeting"
    DUE = "due"
    NAME = "name"


SORT_LABELS = {
    Sort.ATTENTION: "Needs attention first",
    Sort.NEXT_MEETING: "Next meeting",
    Sort.DUE: "Due date",
    Sort.NAME: "Name",
}


class Scope(enum.StrEnum):
    """Whose children (`?scope=`): the person's own, or every child's record."""

    MINE = "mine"
    ALL = "all"


SCOPE_LABELS = {Scope.MINE: "My children", Scope.ALL: "Every child"}


def scopes_for(user: StaffUser) -> tuple[Scope, ...]:
    """The lists this person may see, the first the default. An IRO or social worker has
    their own children; an admin keeps every record straight; a manager sees no child
    (`consult.policy`: managers read figures, not children)."""
    if user.role in READS_CHILDRENS_WORDS:
        return (Scope.MINE,)
    if user.role is StaffRole.ADMIN:
        return (Scope.ALL,)
    return ()


def shows_for(user: StaffUser) -> tuple[Show, ...]:
    """The filters offered: concerns only to those who read the children's answers."""
    if user.role in READS_CHILDRENS_WORDS:
        return tuple(Show)
    return tuple(show for show in Show if show is not Show.CONCERNS)

@dataclass(frozen=True)
class CaseloadQuery:
    """What was asked of the list, read from the address."""

    search: str = ""
    show: Show = Show.ALL
    sort: Sort = Sort.ATTENTION
    scope: Scope = Scope.MINE
    page: int = 1
    include_closed: bool = False
    usual_scope: Scope = Scope.MINE  # this person's first list, left out of addresses

    def arguments(self, **changes) -> dict[str, str]:
        """The address's parameters for this query with some changed, defaults left out:
        every link on the page keeps what the others chose."""
        query, default = replace(self, **changes), CaseloadQuery()
        pairs = {"q": (query.search, default.search), "show": (query.show, default.show),
                 "sort": (query.sort, default.sort), "scope": (query.scope, query.usual_scope),
                 "page": (query.page, default.page),
                 "closed": (int(query.include_closed), int(default.include_closed))}
        return {name: str(value) for name, (value, usual) in pairs.items() if value != usual}

    def cleared(self) -> dict[str, str]:
        """The whole list again: no search, no filter, the same order."""
        return self.arguments(search="", show=Show.ALL, page=1)


def _choice(raw: str | None, allowed: tuple, default):
    """An offered choice, or the default for anything else (a stale or edited address)."""
    return next((choice for choice in allowed if choice.value == raw), default)


def read_query(args: Mapping[str, str], user: StaffUser, *,
               include_closed: bool = False) -> tuple[CaseloadQuery, str | None]:
    """The query from `?q=&show=&sort=&scope=&page=`, and what is wrong with it, if anything.

    Unknown choices fall back to the defaults; a page that is not a page number or a search
    too long to be a name or case reference is a problem to show (the search as typed)."""
    scopes = scopes_for(user)
    usual_scope = scopes[0] if scopes else Scope.MINE
    search = clean_text(args.get("q", ""), multiline=False).strip()
    problem = None
    try:
        page = page_number(args.get("page"))
    except PageError as error:
        page, problem = 1, str(error)
    if len(search) > SEARCH_MAX_LENGTH:
        problem = (f"Search for a name or case reference of at most {SEARCH_MAX_LENGTH} "
                   "characters.")
    query = CaseloadQuery(
        search=search, show=_choice(args.get("show"), shows_for(user), Show.ALL),
        sort=_choice(args.get("sort"), tuple(Sort), Sort.ATTENTION),
        scope=_choice(args.get("scope"), scopes, usual_scope), page=page,
        include_closed=include_closed, usual_scope=usual_scope)
    return query, problem

