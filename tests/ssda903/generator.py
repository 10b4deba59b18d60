"""Realistic, wholly synthetic SSDA903 files for the tests: two collection years of the
Header, Episodes, Reviews and SWEpisodes tables (CSV, or the XML form), the supplement
and the social workers' table, and the truth they were made from.

Nothing here is anyone's data: names come from a short made-up list, CHILD ids are
serial numbers, dates are drawn from a seeded random generator.

What the files hold, as a council's return would:
- each child's periods of care, as episodes: a period starts with RNE = S, later
  episodes in it are placement changes (RNE = P) ended with REC = X1, and the last
  episode's REC (E11, E13, E4A ...) ends it; some children come back into care (a new
  period), some are on short breaks only (legal status V3, no reviews), some are under 4
  (PN0) and some turn 4 between reviews;
- reviews: the first within 20 working days of each period's start, the second within
  3 months, later ones within 6 months, a few of them late; each with its PN code;
- a year boundary: a collection year runs 1 April to 31 March, each year's files hold the
  episodes open at any time in it (one still open at the year's end has no DEC yet) and
  the reviews held in it, so a period that crosses the boundary is in both years.

The truth is computed here with weekdays only (no bank holidays) and dateutil's months,
independently of the app's schedule: a review "in time" is held on or before its
weekday-only due date, which is never later than the app's; a late one is held at least
ten days after it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from xml.sax.saxutils import escape

from dateutil.relativedelta import relativedelta

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC",
                   "REC", "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN")
REVIEW_COLUMNS = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
SW_COLUMNS = ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON")
SUPPLEMENT_COLUMNS = ("CHILD", "preferred_name", "language", "iro_email",
                      "social_worker_email")
SW_TABLE_COLUMNS = ("SW_ID", "social_worker_email")

NAMES = ("Amani", "Bo", "Cai", "Dara", "Eli", "Femi", "Gus", "Hana", "Ira", "Jo", "Kit",
         "Lior", "Mo", "Nia", "Oli", "Pax", "Quinn", "Rae", "Sol", "Tam")
LANGUAGES = ("en_GB", "en_GB", "en_GB", "ar", "ps", "ti", "so", "ro")
IRO_EMAILS = ("iro.one@council.example", "iro.two@council.example")
SOCIAL_WORKERS = {"SW0001": "sw.one@council.example", "SW0002": "sw.two@council.example"}
END_REASONS = ("E11", "E13", "E41", "E4A", "E8")


def fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def collection_year(start_year: int) -> tuple[date, date]:
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def weekdays_after(start: date, count: int) -> date:
    day = start
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


@dataclass
class Episode:
    decom: date
    rne: str
    ls: str
    place: str
    dec: date | None = None
    rec: str = ""


@dataclass
class TrueReview:
    held_on: date
    code: str
    review_type: str  # initial, second, subsequent: position in its period
    in_time: bool


@dataclass
class TruePeriod:
    started_on: date
    ended_on: date | None
    end_reason: str | None
    short_breaks: bool
    episodes: list[Episode] = field(default_factory=list)
    reviews: list[TrueReview] = field(default_factory=list)


@dataclass
class TrueChild:
    child_id: str
    name: str
    born: date
    language: str
    iro_email: str
    sw_id: str
    periods: list[TruePeriod] = field(default_factory=list)

    @property
    def reviews(self) -> list[TrueReview]:
        return [review for period in self.periods for review in period.reviews]


@dataclass
class Return903:
    """One collection year's files, as CSV text by table name."""

    start_year: int
    tables: dict[str, str]

    def csv_files(self) -> dict[str, bytes]:
        return {f"{name.lower()}_{self.start_year}.csv": text.encode()
                for name, text in self.tables.items()}


@dataclass
class Generated:
    children: list[TrueChild]
    years: list[Return903]
    supplement: bytes
    social_workers: bytes
    xml: dict[int, bytes]

    def reviews_in(self, start_year: int) -> list[tuple[TrueChild, TrueReview]]:
        first, last = collection_year(start_year)
        return [(child, review) for child in self.children for review in child.reviews
                if first <= review.held_on <= last]


def _csv(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    lines = [",".join(columns)]
    lines += [",".join(row.get(column, "") for column in columns) for row in rows]
    return "\r\n".join(lines) + "\r\n"


class _Maker:
    def __init__(self, seed: int, until: date):
        self.rng = random.Random(seed)
        self.until = until  # nothing happens after the last year's end

    def code_for(self, born: date, held_on: date) -> str:
        fourth = born + relativedelta(years=4)
        if held_on < fourth:
            return "PN0"
        if held_on == fourth:
            return self.rng.choice(("PN0", "PN1"))
        return self.rng.choice(("PN1", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"))

    def reviews(self, born: date, period: TruePeriod) -> None:
        end = min(period.ended_on or self.until, self.until)
        previous: date | None = None
        number = 0
        while True:
            if previous is None:
                due = weekdays_after(period.started_on, 20)
            elif number == 1:
                due = previous + relativedelta(months=3)
            else:
                due = previous + relativedelta(months=6)
            late = self.rng.random() < 0.15
            held = due + timedelta(days=self.rng.randint(10, 30)) if late else (
                due - timedelta(days=self.rng.randint(0, 12)))
            if held > end:
                return
            held = max(held, period.started_on)
            review_type = ("initial", "second", "subsequent")[min(number, 2)]
            period.reviews.append(TrueReview(held, self.code_for(born, held), review_type,
                                             in_time=not late))
            previous, number = held, number + 1

    def period(self, born: date, start: date, end: date | None, *, short: bool) -> TruePeriod:
        reason = self.rng.choice(END_REASONS) if end else None
        period = TruePeriod(start, end, reason, short)
        legal = self.rng.choice(("V3", "V4")) if short else self.rng.choice(("C2", "J2", "V2"))
        decom, rne = start, "S"
        # Placement changes within the period: an episode ends (REC X1) and the next begins.
        while True:
            change = decom + timedelta(days=self.rng.randint(60, 400))
            if short or change >= (end or self.until) or self.rng.random() < 0.4:
                break
            period.episodes.append(Episode(decom, rne, legal, self.rng.choice(("U1", "U4")),
                                           change, "X1"))
            decom, rne = change, "P"
        period.episodes.append(Episode(decom, rne, legal, "U1" if not short else "T4",
                                       end, reason or ""))
        if not short:
            self.reviews(born, period)
        return period


def generate(seed: int = 903, children: int = 36, first_year: int = 2023) -> Generated:
    """Two collection years (first_year and the next) for about `children` children."""
    year_start, _ = collection_year(first_year)
    _, year_end = collection_year(first_year + 1)
    maker = _Maker(seed, year_end)
    rng = maker.rng
    made: list[TrueChild] = []
    for number in range(children):
        kind = number % 6  # a mix: under 4, re-entry, short breaks, crossing the boundary
        child_id = f"{100000 + number * 7}"
        if kind == 0:  # under 4 at first, some turn 4 in between
            born = year_start - timedelta(days=rng.randint(2 * 365, 4 * 365 - 60))
        else:
            born = year_start - timedelta(days=rng.randint(5 * 365, 16 * 365))
        child = TrueChild(child_id, rng.choice(NAMES), born, rng.choice(LANGUAGES),
                          IRO_EMAILS[number % 2], sorted(SOCIAL_WORKERS)[number % 2])
        # Every period starts in the two years, so the files hold each one's whole history
        # (a period begun before the files would leave its earlier reviews unknown).
        start = max(born + timedelta(days=30), year_start + timedelta(days=rng.randint(0, 500)))
        if kind == 1:  # comes back into care: a first period that ended, then another
            start = year_start + timedelta(days=rng.randint(0, 150))
            first_end = start + timedelta(days=rng.randint(10, 300))
            child.periods.append(maker.period(born, start, first_end, short=False))
            again = first_end + timedelta(days=rng.randint(20, 200))
            child.periods.append(maker.period(born, again, None, short=False))
        elif kind == 2:  # short breaks only
            child.periods.append(maker.period(born, year_start + timedelta(days=rng.randint(
                0, 300)), None, short=True))
        elif kind == 3:  # a period that ends in the second year
            start = year_start + timedelta(days=rng.randint(0, 200))
            end = year_end - timedelta(days=rng.randint(10, 300))
            child.periods.append(maker.period(born, start, max(end, start + timedelta(5)),
                                              short=False))
        elif kind == 4 and number % 4 == 0:  # a period that ends before its first review
            child.periods.append(maker.period(born, year_start + timedelta(days=40),
                                              year_start + timedelta(days=50), short=False))
            child.periods.append(maker.period(born, year_start + timedelta(days=200), None,
                                              short=False))
        else:
            child.periods.append(maker.period(born, start, None, short=False))
        made.append(child)
    years = [_year_files(made, year) for year in (first_year, first_year + 1)]
    supplement = _csv(SUPPLEMENT_COLUMNS, [
        {"CHILD": child.child_id, "preferred_name": child.name, "language": child.language,
         "iro_email": child.iro_email,
         # Half name their social worker; the others are found through SWEpisodes.
         "social_worker_email": SOCIAL_WORKERS[child.sw_id] if n % 2 else ""}
        for n, child in enumerate(made)]).encode()
    social_workers = _csv(SW_TABLE_COLUMNS, [
        {"SW_ID": sw_id, "social_worker_email": email}
        for sw_id, email in sorted(SOCIAL_WORKERS.items())]).encode()
    return Generated(made, years, supplement, social_workers,
                     {year.start_year: to_xml(year) for year in years})


def _year_files(children: list[TrueChild], start_year: int) -> Return903:
    first, last = collection_year(start_year)
    header, episodes, reviews, sw_episodes = [], [], [], []
    for child in children:
        in_year = [episode for period in child.periods for episode in period.episodes
                   if episode.decom <= last and (episode.dec is None or episode.dec >= first)]
        if not in_year:
            continue
        header.append({"CHILD": child.child_id, "SEX": "1", "DOB": fmt(child.born),
                       "ETHNIC": "WBRI", "UPN": "", "MOTHER": "", "MC_DOB": ""})
        for episode in in_year:
            ended = episode.dec is not None and episode.dec <= last
            episodes.append({
                "CHILD": child.child_id, "DECOM": fmt(episode.decom), "RNE": episode.rne,
                "LS": episode.ls, "CIN": "N1", "PLACE": episode.place, "PLACE_PROVIDER": "PR1",
                "DEC": fmt(episode.dec) if ended else "", "REC": episode.rec if ended else "",
                "REASON_PLACE_CHANGE": "CARPL" if ended and episode.rec == "X1" else "",
                "HOME_POST": "AB1", "PL_POST": "AB2", "URN": "SC000000"})
        for review in child.reviews:
            if first <= review.held_on <= last:
                reviews.append({"CHILD": child.child_id, "DOB": fmt(child.born),
                                "REVIEW": fmt(review.held_on), "REVIEW_CODE": review.code})
        if not all(period.short_breaks for period in child.periods):
            sw_episodes.append({"CHILD": child.child_id, "DOB": fmt(child.born),
                                "SW_ID": child.sw_id, "SW_DECOM": fmt(in_year[0].decom),
                                "SW_DEC": "", "SW_REASON": ""})
    return Return903(start_year, {
        "Header": _csv(HEADER_COLUMNS, header), "Episodes": _csv(EPISODE_COLUMNS, episodes),
        "Reviews": _csv(REVIEW_COLUMNS, reviews), "SWEpisodes": _csv(SW_COLUMNS, sw_episodes)})


def _rows(text: str) -> list[dict[str, str]]:
    lines = text.strip().split("\r\n")
    columns = lines[0].split(",")
    return [dict(zip(columns, line.split(","), strict=True)) for line in lines[1:]]


XML_NAMES = {"CHILD": "CHILDID", "PLACE": "PL"}


def to_xml(year: Return903) -> bytes:
    """The same year as one XML file: EXPSSDA903 > CHILD > HEADER / EPISODE / AREVIEW."""
    by_child: dict[str, dict[str, list[dict[str, str]]]] = {}
    for table, tag in (("Header", "HEADER"), ("Episodes", "EPISODE"), ("Reviews", "AREVIEW")):
        for row in _rows(year.tables[table]):
            by_child.setdefault(row["CHILD"], {}).setdefault(tag, []).append(row)
    parts = ['<?xml version="1.0" encoding="utf-8"?>', "<EXPSSDA903>"]
    for child_id, tables in by_child.items():
        parts.append("<CHILD>")
        for tag in ("HEADER", "EPISODE", "AREVIEW"):
            for row in tables.get(tag, []):
                parts.append(f"<{tag}>" + "".join(
                    f"<{XML_NAMES.get(name, name)}>{escape(value)}</{XML_NAMES.get(name, name)}>"
                    for name, value in row.items() if name not in ("CHILD", "DOB")
                    or (tag == "HEADER" and name == "DOB")) + f"</{tag}>")
        parts.insert(len(parts) - sum(len(v) for v in tables.values()),
                     f"<CHILDID>{escape(child_id)}</CHILDID>")
        parts.append("</CHILD>")
    parts.append("</EXPSSDA903>")
    return "\n".join(parts).encode()
