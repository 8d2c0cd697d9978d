"""Streaming the ledger out: JSON lines or CSV, in constant memory.

Records come from the store's own streaming read (keyset pages on SQLite, a
server-side cursor on PostgreSQL) and go straight to the output, one at a time.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Literal, TextIO

from .base import Store
from .codec import COLUMNS, to_json

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")
# Built once: json.dumps with options builds a new encoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# A spreadsheet would run a cell starting with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# Identifiers are exported exactly as stored (a receipt id may start with "-"): every
# cell is quoted, and an id's alphabet ([A-Za-z0-9_-]) cannot call a function.
_IDENTIFIERS = frozenset({"receipt_id", "visitor_id"})


class Progress:
    """A one-line progress bar, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO, total: int | None, label: str = "export") -> None:
        self.stream, self.total, self.label = stream, total, label
        self.done = 0
        self._drawn = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._drawn >= 0.1:
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            text = f"\r{self.label} [{bar:<30}] {share:6.1%} {self.done:,}/{self.total:,}"
        else:
            text = f"\r{self.label} {self.done:,} records"
        self.stream.write(text)
        self.stream.flush()

    def finish(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else _ENCODER.encode(value)
    if column in _IDENTIFIERS:
        return text
    # Free text (a browser family parsed from a User-Agent) must not become a formula.
    return "'" + text if text.startswith(_FORMULA) else text


async def export(
    store: Store,
    out: TextIO,
    *,
    fmt: Format = "jsonl",
    since: datetime | None = None,
    progress: Progress | None = None,
    categories: Sequence[str] | None = None,
    choices_json: bool = True,
) -> int:
    """Write every record from ``since`` on to ``out``; the number written.

    ``jsonl``: one JSON object per line, as ``codec.to_json`` gives it. ``csv``: a
    header of the column names, then one row per record, every cell quoted, with
    ``choices`` and ``extra`` as JSON text in their cells; identifiers as stored.
    With ``categories``, a ``choice_<category>`` column for each (``true``,
    ``false``, or empty when the record does not name it), for a spreadsheet; the
    ``choices`` JSON column stays only with ``choices_json``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} is unknown: use one of {', '.join(FORMATS)}")
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL) if fmt == "csv" else None
    columns = [c for c in COLUMNS if choices_json or categories is None or c != "choices"]
    wanted = tuple(categories or ())
    if writer is not None:
        writer.writerow([*columns, *(f"choice_{c}" for c in wanted)])
    written = 0
    async for record in store.iter_records(since):
        data = to_json(record)
        if writer is not None:
            choices = record.choices
            writer.writerow([*(_cell(column, data[column]) for column in columns),
                             *(_cell(c, choices.get(c)) for c in wanted)])
        else:
            out.write(_ENCODER.encode(data) + "\n")
        written += 1
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    return written


async def lines(
    store: Store, *, fmt: Format = "jsonl", since: datetime | None = None, until: datetime | None = None
) -> AsyncIterator[str]:
    """The same export as text, a line at a time (the CSV header first), for a
    response that streams it (the console's export), records in [since, until)."""
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} is unknown: use one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def row(cells: list[str]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    if fmt == "csv":
        yield row(list(COLUMNS))
    async for record in store.iter_records(since, until):
        data = to_json(record)
        yield row([_cell(column, data[column]) for column in COLUMNS]) if fmt == "csv" else _ENCODER.encode(data) + "\n"
