"""Reading the 903 files: each CSV table recognised by its header row, or one XML file.

The layouts are the ones the DfE's validator (Data to Insight's csc-validator-be-903)
recognises. The supplement and the social workers' table are ours: what 903 lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from xml.parsers import expat

from consult.imports.csvfile import (
    FORMULA_STARTS,
    Row,
    RowChecker,
    RowError,
    read_body,
    read_header,
)

TABLES = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
    "Reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "SWEpisodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    # Ours: what 903 lacks, by child; and, if social workers are named by SW_ID, who they are.
    "Supplement": ("CHILD", "preferred_name", "language", "iro_email", "social_worker_email"),
    "SocialWorkers": ("SW_ID", "social_worker_email"),
}
# Old returns (before SWEpisodes) and the supplement without social workers are accepted.
OPTIONAL_COLUMNS = {"Supplement": {"social_worker_email"}}
XML_TAGS = {"HEADER": "Header", "EPISODE": "Episodes", "AREVIEW": "Reviews"}
XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}


class Check(RowChecker):
    """A row's checks, with the 903's dates (DD/MM/YYYY)."""

    def raw(self, column: str) -> str:
        return "" if column in self.row.formulas else self.row.cells.get(column, "")

    def dmy(self, column: str, *, required: bool = True) -> date | None:
        return self.date(column, required=required, day_first=True)


@dataclass
class Files:
    tables: dict[str, list[Row]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])


def _which_table(header: list[str]) -> str | None:
    names = {name.lower() for name in header}
    for table, columns in TABLES.items():
        wanted = {column.lower() for column in columns}
        optional = {column.lower() for column in OPTIONAL_COLUMNS.get(table, ())}
        if wanted - optional <= names <= wanted:
            return table
    return None


def _canonical(table: str, header: list[str]) -> list[str]:
    by_lower = {column.lower(): column for column in TABLES[table]}
    return [by_lower[name.lower()] for name in header]


def read_files(files: list[tuple[str, bytes]]) -> Files:
    """Every table in these files, each file named in its problems. One XML file holds
    the Header, Episodes and Reviews tables; CSV files may come in any order."""
    found = Files()
    for name, data in files:
        if data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
            if len(files) > 1 and not all(other.lower().endswith(".csv")
                                          for other, _ in files if other != name):
                found.errors.append(RowError(1, "Give one XML file, or CSV files.", name))
                continue
            _read_xml(name, data, found)
            continue
        header, reader, problems = read_header(data, lower=False, file=name)
        if problems:
            found.errors.extend(problems)
            continue
        table = _which_table(header)
        if table is None:
            found.errors.append(RowError(1, "The header row is not one of the 903 tables "
                                         "(Header, Episodes, Reviews, SWEpisodes), the "
                                         "supplement or the social workers' table.", name))
            continue
        if table in found.tables:
            found.errors.append(RowError(1, f"A second {table} table: give each table once.",
                                         name))
            continue
        if len(set(header)) != len(header):
            found.errors.append(RowError(1, "The header names a column twice.", name))
            continue
        rows, problems = read_body(reader, _canonical(table, header),
                                   tuple(_canonical(table, header)), name)
        found.tables[table] = rows
        found.errors.extend(problems)
    return found


class _XmlReader:
    """EXPSSDA903 > CHILD > CHILDID, HEADER / EPISODE / AREVIEW > one element per field.
    Each record becomes a row of its table, numbered by the line its element starts on."""

    def __init__(self, name: str, found: Files):
        self.name, self.found = name, found
        self.path: list[str] = []
        self.text: list[str] = []
        self.child_id = ""
        self.record: dict[str, str] | None = None
        self.record_line = 0
        self.pending: list[tuple[str, int, dict[str, str]]] = []

    def start(self, tag: str, _attributes) -> None:
        self.path.append(tag)
        self.text = []
        if tag == "CHILD":
            self.child_id, self.pending = "", []
        elif tag in XML_TAGS:
            self.record, self.record_line = {}, self.parser.CurrentLineNumber

    def data(self, text: str) -> None:
        self.text.append(text)

    def end(self, tag: str) -> None:
        self.path.pop()
        value = "".join(self.text).strip()
        self.text = []
        if tag in XML_TAGS and self.record is not None:
            self.pending.append((XML_TAGS[tag], self.record_line, self.record))
            self.record = None
        elif tag == "CHILDID":
            self.child_id = value
        elif self.record is not None:
            self.record[XML_NAMES.get(tag, tag)] = value
        elif tag == "CHILD":
            header_dob = next((record.get("DOB", "") for table, _, record in self.pending
                               if table == "Header"), "")
            for table, line, record in self.pending:
                cells = {column: "" for column in TABLES[table]}
                cells.update({key: value for key, value in record.items() if key in cells})
                cells["CHILD"] = self.child_id
                if table == "Reviews" and not cells["DOB"]:
                    cells["DOB"] = header_dob  # the XML gives the DOB once, in HEADER
                formulas = frozenset(key for key, value in cells.items()
                                     if value.startswith(FORMULA_STARTS))
                for key in sorted(formulas):
                    self.found.errors.append(RowError(
                        line, f"{key} starts with '{cells[key][0]}', which a spreadsheet "
                        "would run as a formula. Remove it.", self.name))
                self.found.tables.setdefault(table, []).append(
                    Row(line, cells, formulas, self.name))


def _read_xml(name: str, data: bytes, found: Files) -> None:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        found.errors.append(RowError(1, "The XML file declares a DOCTYPE or entities, which "
                                     "a 903 file never needs; remove them.", name))
        return
    reader = _XmlReader(name, found)
    parser = expat.ParserCreate()
    reader.parser = parser
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    for table in XML_TAGS.values():
        found.tables.setdefault(table, [])
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        found.errors.append(RowError(error.lineno, f"is not well-formed XML "
                                     f"({expat.ErrorString(error.code)}).", name))
