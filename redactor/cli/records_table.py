"""How ``redactor audit list`` prints its rows: fitted to a terminal, tab-separated elsewhere.

On a terminal every record takes one line: the fixed columns (ID, time, route, outcome)
are whole, the others share what is left and are cut with "…" (a document id from the
left, since its end names the file), and the least needed are dropped when the terminal
is narrow.  Off a terminal (a pipe, a file) each record is one line of tab-separated
fields under a header line, uncut, for grep, cut and spreadsheets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import click

#: Columns in the order shown; the name in the tab-separated header line.
COLUMNS = {"ID": "seq", "Time (UTC)": "time_utc", "Document": "document_id", "Route": "route",
           "Found": "found", "Reasons": "reasons", "Outcome": "outcome", "Source": "source"}
FIXED = ("ID", "Time (UTC)", "Route", "Outcome")
FLEXIBLE = ("Document", "Reasons", "Source", "Found")  # most needed first: the last go first on a narrow terminal
MIN_FLEXIBLE = 18  # narrower than this a column says too little to be worth its place
GAP = 2  # rich's padding between columns


class Tail:
    """Text on one line, cut from the left with "…" when it does not fit."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        width = cell_len(self.text)
        return Measurement(min(width, 4), width)

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.cells import cell_len
        from rich.text import Text

        text, room = self.text, options.max_width
        if cell_len(text) > room:
            while text and cell_len(text) > room - 1:
                text = text[1:]
            text = "…" + text
        yield Text(text, no_wrap=True, overflow="crop")


def _width(rows: list[dict[str, str]], column: str) -> int:
    from rich.cells import cell_len

    return max([cell_len(column), *(cell_len(r[column]) for r in rows)])


def _share(room: int, wants: dict[str, int]) -> dict[str, int]:
    """``room`` characters among columns that want ``wants``: a column that wants less than
    an even share gets what it wants, the rest split what is left (the first gets the odd ones)."""
    out: dict[str, int] = {}
    left = dict(wants)
    while left:
        fair = room // len(left)
        small = {c: w for c, w in left.items() if w <= fair}
        if not small:
            extra = room - fair * len(left)
            out.update({c: max(1, fair + (extra if i == 0 else 0)) for i, c in enumerate(left)})
            break
        out.update(small)
        room -= sum(small.values())
        left = {c: w for c, w in left.items() if c not in small}
    return out


def layout(rows: list[dict[str, str]], width: int) -> dict[str, int]:
    """The width of each column shown on a terminal ``width`` wide, in the order shown."""
    natural = {c: _width(rows, c) for c in COLUMNS}
    if sum(natural.values()) + GAP * (len(COLUMNS) - 1) <= width:
        return natural
    room = width - sum(natural[c] for c in FIXED)
    n = next((n for n in range(len(FLEXIBLE), 0, -1)
              if room - GAP * (len(FIXED) + n - 1) >= n * MIN_FLEXIBLE), 1)
    flexible = _share(room - GAP * (len(FIXED) + n - 1), {c: natural[c] for c in FLEXIBLE[:n]})
    return {c: natural[c] if c in FIXED else flexible[c] for c in COLUMNS if c in FIXED or c in flexible}


def print_terminal(console: Any, rows: list[dict[str, str]], styles: list[dict[str, str]]) -> bool:
    """The rows as one table, one line a record, fitted to ``console.width``.  ``styles``
    gives a rich style per cell, where any.  Returns whether anything was cut or dropped."""
    from rich.table import Table
    from rich.text import Text

    widths = layout(rows, console.width)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for c, w in widths.items():
        table.add_column(c, justify="right" if c == "ID" else "left", width=w, no_wrap=True)
    for row, style in zip(rows, styles, strict=True):
        table.add_row(*(Tail(row[c]) if c == "Document" else
                        Text(row[c], style=style.get(c, ""), no_wrap=True, overflow="ellipsis") for c in widths))
    console.print(table)
    return any(w < _width(rows, c) for c, w in widths.items()) or len(widths) < len(COLUMNS)


def echo_tsv(rows: list[dict[str, str]]) -> None:
    """The rows as tab-separated lines under a header line (a tab or line break inside a
    value becomes a space, so one record stays one line)."""
    click.echo("\t".join(COLUMNS.values()))
    for row in rows:
        click.echo("\t".join(re.sub(r"[\t\r\n]", " ", row[c]) for c in COLUMNS))
