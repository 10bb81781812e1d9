"""The one place exports are written: CSV, XLSX and JSON, chosen from a registry.

Shaping functions return ``(headers, rows)``; a :class:`Sheet` names one such table. Every
cell of every format, headers included, goes through :func:`guard_cell`, so text that a
spreadsheet would run as a formula (starting with ``= + - @``, a tab or a carriage return)
is neutralised with a leading apostrophe. Numbers stay numbers.

Writers take an iterable of rows and never hold it whole: CSV and JSON come out as a
stream of chunks (flat memory however many rows), XLSX is written with openpyxl's
write-only workbook to a temporary file and then streamed.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
CHUNK_ROWS = 500
CHUNK_BYTES = 64 * 1024
MAX_SHEET_NAME = 31  # Excel's limit

Headers = Sequence[str]
Rows = Iterable[Sequence[Any]]
Table = tuple[Headers, Rows]


@dataclass(frozen=True)
class Sheet:
    """One table of an export: a name (the XLSX sheet, the JSON key), headers and rows."""

    name: str
    headers: Headers
    rows: Rows


TRIGGER_CHARACTERS = frozenset(FORMULA_TRIGGERS)


def guard_cell(value: Any) -> Any:
    """A cell made safe for spreadsheets: formula-like text gets a leading apostrophe;
    numbers, booleans, dates and empty cells are left as they are."""
    if isinstance(value, str) and value[:1] in TRIGGER_CHARACTERS:
        return NEUTRALISER + value
    return value


def unguard_cell(text: str) -> str:
    """Undo :func:`guard_cell` on text read back from an export (for imports)."""
    if text.startswith(NEUTRALISER) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _guarded(values: Sequence[Any]) -> list[Any]:
    return [guard_cell(value) for value in values]


def _csv_cell(value: Any) -> Any:
    """A guarded cell as CSV text (the hot path of a streamed export: plain text first)."""
    kind = value.__class__
    if kind is str:
        return NEUTRALISER + value if value[:1] in TRIGGER_CHARACTERS else value
    if kind is int or kind is float or value is None:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return guard_cell(value)


def _one_sheet(sheets: Sequence[Sheet], fmt: str) -> Sheet:
    if len(sheets) != 1:
        raise ValueError(f"A {fmt} export holds one table; got {len(sheets)}")
    return sheets[0]


def iter_csv(sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """One table as UTF-8 CSV (with a byte-order mark, so spreadsheets read it as UTF-8)."""
    sheet = _one_sheet(sheets, "CSV")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(list(map(_csv_cell, sheet.headers)))
    for number, row in enumerate(sheet.rows, start=1):
        writer.writerow(list(map(_csv_cell, row)))
        if number % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def iter_json(sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """Tables as one JSON object: each sheet's name maps to a list of objects, one per row,
    keyed by the headers."""
    yield b"{"
    for index, sheet in enumerate(sheets):
        headers = _guarded(sheet.headers)
        yield (("," if index else "") + json.dumps(sheet.name) + ":[").encode()
        parts: list[str] = []
        for number, row in enumerate(sheet.rows):
            record = {h: _json_value(v) for h, v in zip(headers, _guarded(row), strict=True)}
            parts.append(("," if number else "") + json.dumps(record, ensure_ascii=False))
            if len(parts) >= CHUNK_ROWS:
                yield "".join(parts).encode()
                parts.clear()
        yield ("".join(parts) + "]").encode()
    yield b"}"


def _xlsx_value(value: Any) -> Any:
    """A cell for XLSX: characters XLSX cannot hold are stripped *before* the formula
    guard, so ``"\x1f=cmd"`` (which would lose its first character) is guarded too."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return guard_cell(value)


def _sheet_title(name: str, taken: set[str]) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:MAX_SHEET_NAME] or "Sheet"
    base, number = title, 2
    while title.lower() in taken:
        suffix = f" ({number})"
        title, number = base[: MAX_SHEET_NAME - len(suffix)] + suffix, number + 1
    taken.add(title.lower())
    return title


def write_xlsx(sheets: Sequence[Sheet], out: BinaryIO) -> None:
    """Tables as an XLSX workbook: one sheet each, typed cells, the header row frozen."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        worksheet = workbook.create_sheet(_sheet_title(sheet.name, taken))
        worksheet.freeze_panes = "A2"
        worksheet.append([_xlsx_value(h) for h in sheet.headers])
        for row in sheet.rows:
            worksheet.append([_xlsx_value(cell) for cell in row])
    workbook.save(out)


def iter_xlsx(sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """An XLSX workbook, built in a temporary file (spilling to disk when large), in chunks."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        write_xlsx(sheets, spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


@dataclass(frozen=True)
class ExportFormat:
    """How one file format is named, served and written."""

    name: str
    label: str
    extension: str
    content_type: str
    chunks: Callable[[Sequence[Sheet]], Iterator[bytes]]


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "CSV", "csv", "text/csv; charset=utf-8", iter_csv),
    "xlsx": ExportFormat(
        "xlsx",
        "Excel workbook (XLSX)",
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        iter_xlsx,
    ),
    "json": ExportFormat("json", "JSON", "json", "application/json", iter_json),
}


def export_format(name: str) -> ExportFormat:
    """The registered format called ``name``; ValueError names the ones there are."""
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise ValueError(f"Unknown export format {name!r}: use one of {known}") from None


def iter_export(fmt: str, sheets: Sequence[Sheet]) -> Iterator[bytes]:
    """The export file in chunks, for streaming to a browser."""
    return export_format(fmt).chunks(sheets)


def write_export(fmt: str, sheets: Sequence[Sheet], out: BinaryIO) -> int:
    """Write ``sheets`` in format ``fmt`` ("csv", "xlsx" or "json") to ``out``; return the
    number of bytes written. A CSV export holds exactly one sheet."""
    written = 0
    for chunk in iter_export(fmt, sheets):
        out.write(chunk)
        written += len(chunk)
    return written
