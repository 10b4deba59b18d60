"""Periods of care from 903 episodes.

An episode with RNE = S starts a period; the next episodes (placement changes, RNE P, B,
T, U) continue it. An episode that ceased with any REC but X1 ends the period on its DEC;
an episode still open (no DEC) leaves it open. A period is short breaks only when every
episode in it has legal status V3 or V4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from consult.care_periods import PeriodDates
from consult.imports.csvfile import Row

SHORT_BREAK_LEGAL_STATUSES = ("V3", "V4")
CONTINUES = "X1"  # REC: the episode ceased, the child stays looked after
NEW_PERIOD = "S"


@dataclass(frozen=True)
class Episode:
    row: Row
    decom: date
    rne: str
    ls: str
    dec: date | None
    rec: str


def periods_from(episodes: list[Episode], known: Callable[[date], PeriodDates | None],
                 error: Callable[[Row, str], None]) -> list[PeriodDates]:
    """One child's periods, from their episodes (any order). A first episode that does not
    start a period continues one `known` from an earlier import, or it is a problem."""
    periods: list[PeriodDates] = []
    start: date | None = None
    short = True
    previous: Episode | None = None
    for episode in sorted(episodes, key=lambda e: e.decom):
        if previous is not None and previous.dec is None:
            error(episode.row, f"DECOM {episode.decom:%d/%m/%Y} follows an episode that has "
                  f"not ceased (line {previous.row.line}); give that episode its DEC.")
            return periods
        if previous is not None and previous.dec > episode.decom:
            error(episode.row, f"DECOM {episode.decom:%d/%m/%Y} is before the previous "
                  f"episode ceased (line {previous.row.line}).")
            return periods
        if episode.rne == NEW_PERIOD:
            if start is not None:
                error(episode.row, "RNE S starts a period of care, but the previous episode "
                      f"(line {previous.row.line}) did not end one: its REC is X1.")
                return periods
            start, short = episode.decom, True
        elif start is None:
            earlier = known(episode.decom)
            if earlier is None:
                error(episode.row, f"RNE {episode.rne} continues a period of care whose start "
                      "is in none of these files and not imported before: import the "
                      "earlier year's files first.")
                return periods
            start = earlier.started_on
            short = earlier.short_breaks_only
        short = short and episode.ls in SHORT_BREAK_LEGAL_STATUSES
        if episode.dec is not None and episode.rec != CONTINUES:
            periods.append(PeriodDates(start, episode.dec, episode.rec, short))
            start = None
        previous = episode
    if start is not None:
        periods.append(PeriodDates(start, None, None, short))
    return periods
