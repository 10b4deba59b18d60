"""Reading a CSV file from a case-management system: encoding, header, cells, line numbers,
and the chunks in which an import reads what its rows name."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from consult.inputs import DATE_RANGE_MESSAGE, clean_text, is_sane_date

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection): such
# a cell is refused, not imported, so it can never reach a later export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DMY_DATE = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}")
# Where year, month and day stand in a date of that shape (cheaper than strptime per cell).
_ISO_PARTS = ((0, 4), (5, 7), (8, 10))
_DMY_PARTS = ((6, 10), (3, 5), (0, 2))


# Keys per IN list when an import reads what its rows name: far below every backend's
# limit on bound parameters, and few round trips for a council's whole file.
CHUNK = 2000


def chunks(values) -> list[list]:
    """The values in lists of at most CHUNK, for one query each."""
    values = list(values)
    return [values[start:start + CHUNK] for start in range(0, len(values), CHUNK)]


@dataclass(frozen=True)
class RowError:
    line: int  # 1 is the header row
    message: str
    file: str | None = None  # named when an import reads several files

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}" if self.file else f"Line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Rows refused because they write about a child beyond the importer's allocation rights.
    refused: int = 0
    # What was imported but needs a person's eye (a difference kept as the IRO typed it).
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]
    # Cells refused as formulas: already reported, and read as empty by every other check.
    formulas: frozenset[str] = frozenset()
    file: str | None = None


class RowChecker:
    """Collects the problems of one row, each naming its column."""

    def __init__(self, row: Row, errors: list[RowError]):
        self.row = row
        self._errors = errors

    def error(self, message: str) -> None:
        self._errors.append(RowError(self.row.line, message, self.row.file))

    def raw(self, column: str) -> str:
        return "" if column in self.row.formulas else self.row.cells[column]

    def text(self, column: str, *, required: bool = True, max_length: int = 200) -> str:
        value = self.raw(column)
        if column in self.row.formulas:
            return value
        if required and not value:
            self.error(f"{column} is empty.")
        elif len(value) > max_length:
            self.error(f"{column} is longer than {max_length} characters.")
        return value

    def date(self, column: str, *, required: bool = True, day_first: bool = False
             ) -> date | None:
        """A date as YYYY-MM-DD, or as DD/MM/YYYY (the DfE's returns) with day_first."""
        value = self.raw(column)
        if column in self.row.formulas:
            return None
        shape, parts, form = ((_DMY_DATE, _DMY_PARTS, "DD/MM/YYYY") if day_first
                              else (_ISO_DATE, _ISO_PARTS, "YYYY-MM-DD"))
        if not value:
            if required:
                self.error(f"{column} is empty; give a date as {form}.")
            return None
        if shape.fullmatch(value):
            try:
                day = date(*(int(value[start:end]) for start, end in parts))
            except ValueError:
                pass
            else:
                if is_sane_date(day):
                    return day
                self.error(f"{column} '{value}' {DATE_RANGE_MESSAGE}.")
                return None
        self.error(f"{column} '{value}' is not a date as {form}.")
        return None

    def choice(self, column: str, allowed: tuple[str, ...], *, required: bool = True
               ) -> str | None:
        value = self.raw(column)
        if column in self.row.formulas:
            return None
        if not value:
            if required:
                self.error(f"{column} is empty; use one of {', '.join(allowed)}.")
            return None
        if value not in allowed:
            self.error(f"{column} '{value}' is not one of {', '.join(allowed)}.")
            return None
        return value


def read_header(data: bytes, *, lower: bool = True, file: str | None = None):
    """(header, the reader positioned after it, problems): the file decoded as UTF-8, with
    or without a byte-order mark (as Excel saves "CSV UTF-8")."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, None, [RowError(1, "The file is not UTF-8 text. Save it as 'CSV UTF-8'.",
                                     file)]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = [clean_text(name, multiline=False) for name in next(reader)]
        header = [name.lower() for name in names] if lower else names
    except StopIteration:
        return None, None, [RowError(1, "The file is empty: it needs a header row.", file)]
    except csv.Error as error:
        return None, None, [RowError(1, f"The header row cannot be read as CSV ({error}).",
                                     file)]
    return header, reader, []


def read_rows(data: bytes, columns: tuple[str, ...]) -> tuple[list[Row], list[RowError]]:
    """The file's rows as cells by column, or the problems that stop it being read.

    UTF-8 with or without a byte-order mark (as Excel saves "CSV UTF-8"); the header names
    exactly these columns, in any order.
    """
    header, reader, problems = read_header(data)
    if problems:
        return [], problems
    missing = [column for column in columns if column not in header]
    unknown = [name for name in header if name not in columns]
    if missing:
        problems.append(RowError(1, "The header has no column " + ", ".join(missing) + "."))
    if unknown:
        problems.append(RowError(1, "The header has unknown columns: " + ", ".join(
            name or "(blank)" for name in unknown) + f". Use exactly: {', '.join(columns)}."))
    if len(set(header)) != len(header):
        problems.append(RowError(1, "The header names a column twice."))
    if problems:
        return [], problems
    return read_body(reader, header, columns)


def read_body(reader, header: list[str], columns: tuple[str, ...], file: str | None = None
              ) -> tuple[list[Row], list[RowError]]:
    """The rows after a header already checked: cells by column, formulas refused."""
    problems: list[RowError] = []
    rows: list[Row] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(RowError(
                    line, f"has {len(cells)} cells; the header has {len(header)}.", file))
                continue
            # The one cleaning step for typed text (consult.inputs), as for every form.
            values = {name: clean_text(cell, multiline=False)
                      for name, cell in zip(header, cells, strict=True)}
            formulas = [name for name in columns if values[name].startswith(FORMULA_STARTS)]
            for name in formulas:
                problems.append(RowError(
                    line, f"{name} starts with '{values[name][0]}', which a spreadsheet would "
                    "run as a formula. Remove it.", file))
            rows.append(Row(line, values, frozenset(formulas), file))
    except csv.Error as error:
        problems.append(RowError(reader.line_num, f"cannot be read as CSV ({error}).", file))
    if not rows and not problems and file is None:
        problems.append(RowError(2, "The file has a header but no rows."))
    return rows, problems
