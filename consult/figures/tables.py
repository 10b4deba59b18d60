"""A figure as a table of cells, and how small numbers are suppressed before it leaves.

A cell holds a count and, where it has one, the denominator its share is taken of; a
few cells hold another number (a median). Suppression happens here, on the counts the
database returned, so every screen and export suppresses the same way.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

SUPPRESSED = "[c]"


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a report is built, suppressed or written out.

    The whole service's report is tens of thousands of small objects (a row and its cells
    for each of 1,500 IROs) that all live until it is sent; meanwhile the collector would
    run its full pass over every object the app holds, again and again: measured, three
    quarters of the time spent laying out the table by IRO, and the slowest exports. None
    of these objects form cycles, so nothing is left for the collector to find later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Cell:
    count: int | None = None
    denominator: int | None = None
    # A number that is not a count (a median), and how many records it was worked out from.
    value: float | None = None
    based_on: int | None = None
    suppressed: bool = False

    @property
    def share(self) -> float | None:
        """The count as a fraction of its denominator; None when there is none to give."""
        if self.suppressed or self.count is None or not self.denominator:
            return None
        return self.count / self.denominator

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)

    def shown_count(self) -> str:
        if self.suppressed:
            return SUPPRESSED
        if self.count is not None:
            return str(self.count)
        if self.value is not None:
            return f"{self.value:.1f}"
        return ""

    def shown_percent(self) -> str:
        if self.suppressed and self.denominator is not None:
            return SUPPRESSED
        percent = self.percent
        return "" if percent is None else f"{percent}%"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # share: the cells have a denominator, so the table shows a percentage beside the count.
    share: bool = False


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    definition: str
    numerator: str
    denominator: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    # Which column the chart draws (its shares, or its counts when it has no denominator).
    chart_column: int = 0
    # Groups of (row, column) cells that add up to a figure shown elsewhere: hiding one cell
    # of such a group alone would let anyone work it out by subtraction.
    partitions: tuple[tuple[tuple[int, int], ...], ...] = field(default_factory=tuple)
    row_heading: str = ""
    # (cell, its denominator's cell): a share whose denominator is hidden is hidden too.
    denominators: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = field(
        default_factory=tuple)

    def cell(self, row: int, column: int) -> Cell:
        return self.rows[row].cells[column]

    @property
    def chart_max(self) -> float:
        """The longest bar: 100% for shares, the largest shown count otherwise."""
        if self.columns[self.chart_column].share:
            return 1.0
        counts = [row.cells[self.chart_column].count or 0 for row in self.rows
                  if not row.cells[self.chart_column].suppressed]
        return float(max(counts, default=0) or 1)

    def bar(self, row: Row) -> float | None:
        """The bar's length as a fraction of the chart's width; None for a hidden figure."""
        cell = row.cells[self.chart_column]
        if cell.suppressed:
            return None
        if self.columns[self.chart_column].share:
            return cell.share or 0.0
        return (cell.count or 0) / self.chart_max


def _small(count: int | None, threshold: int) -> bool:
    # Zero alone identifies no one, so it is shown; 1 to threshold-1 are hidden.
    return count is not None and 0 < count < threshold


def suppress(table: Table, threshold: int) -> Table:
    """The table as it may leave the IRO's own screen: small counts and what reveals them hidden.

    1. Primary: any count from 1 to threshold-1, and any median worked out from fewer than
       threshold records.
    2. Denominators: a share whose denominator is a small count is hidden with it, so the
       count cannot be recovered from the share.
    3. Zeros too where they would tell: in a group of cells whose total is itself a small
       count, every cell is hidden, zeros included (otherwise the zeros would point at the
       few cells the children are in).
    4. Secondary: in a group of cells that adds up to a total shown elsewhere, a single
       hidden cell is joined by the smallest other non-zero cell; and a share whose
       denominator is hidden in another cell is hidden too. Repeated until stable.
    """
    hidden = {
        (r, c)
        for r, row in enumerate(table.rows)
        for c, cell in enumerate(row.cells)
        if _small(cell.count, threshold) or _small(cell.denominator, threshold)
        or (cell.based_on is not None and _small(cell.based_on, threshold))
    }
    for group in table.partitions:
        if _small(sum(table.cell(*place).count or 0 for place in group), threshold):
            hidden.update(group)
    changed = True
    while changed:
        changed = False
        for group in table.partitions:
            hidden_in_group = [place for place in group if place in hidden]
            if len(hidden_in_group) != 1:
                continue
            candidates = [place for place in group if place not in hidden
                          and (table.cell(*place).count or 0) > 0]
            if candidates:
                hidden.add(min(candidates, key=lambda place: table.cell(*place).count))
                changed = True
        for place, denominator in table.denominators:
            if denominator in hidden and place not in hidden:
                hidden.add(place)
                changed = True
    rows = tuple(
        replace(row, cells=tuple(
            replace(cell, suppressed=True) if (r, c) in hidden else cell
            for c, cell in enumerate(row.cells)))
        for r, row in enumerate(table.rows)
    )
    return replace(table, rows=rows)


def header(table: Table) -> list[str]:
    """Column names for an export: a count column, and a percentage column for shares."""
    names = [table.row_heading]
    for column in table.columns:
        names.append(column.label)
        if column.share:
            names.append(f"{column.label} (%)")
    return names


def body(table: Table) -> list[list[str]]:
    lines = []
    for row in table.rows:
        line = [row.label]
        for column, cell in zip(table.columns, row.cells, strict=True):
            line.append(cell.shown_count())
            if column.share:
                line.append(cell.shown_percent().rstrip("%"))
        lines.append(line)
    return lines


def as_json(table: Table) -> dict[str, object]:
    def cell_json(cell: Cell) -> dict[str, object]:
        if cell.suppressed:
            return {"suppressed": True}
        data: dict[str, object] = {}
        if cell.count is not None:
            data["count"] = cell.count
        if cell.denominator is not None:
            data["percent"] = cell.percent
        if cell.value is not None:
            data["value"] = round(cell.value, 1)
            data["based_on"] = cell.based_on
        return data

    return {
        "key": table.key, "title": table.title, "definition": table.definition,
        "numerator": table.numerator, "denominator": table.denominator,
        "columns": [column.label for column in table.columns],
        "rows": [{"key": row.key, "label": row.label,
                  "cells": [cell_json(cell) for cell in row.cells]} for row in table.rows],
    }
