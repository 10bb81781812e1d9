"""The export writers (QUALITY R8): every cell, headers included, that a spreadsheet would
run as a formula is neutralised in CSV, XLSX and JSON; numbers stay numbers; the XLSX has
typed cells, a frozen header row and one sheet per table."""

import csv
import io
import json
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from maturity.exports.writers import (
    FORMATS,
    FORMULA_TRIGGERS,
    Sheet,
    guard_cell,
    unguard_cell,
    write_export,
)

DANGEROUS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x","y")']


def _bytes(fmt: str, sheets) -> bytes:
    out = io.BytesIO()
    write_export(fmt, sheets, out)
    return out.getvalue()


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))


@pytest.mark.parametrize("value", DANGEROUS)
def test_guard_neutralises_formula_text_and_unguard_restores_it(value):
    guarded = guard_cell(value)
    assert guarded == "'" + value
    assert unguard_cell(guarded) == value


@pytest.mark.parametrize("value", [-3, -2.5, 0, 7, None, True, "plain", "a=b", "'quoted"])
def test_guard_leaves_numbers_and_harmless_text_alone(value):
    assert guard_cell(value) == value
    if isinstance(value, str):
        assert unguard_cell(value) == value


def test_csv_neutralises_every_cell_headers_included():
    sheet = Sheet("t", ["=header", "ok"], [[value, -4] for value in DANGEROUS])
    rows = read_csv(_bytes("csv", [sheet]))
    assert rows[0] == ["'=header", "ok"]
    for row, value in zip(rows[1:], DANGEROUS, strict=True):
        assert row == ["'" + value, "-4"]
    assert not any(cell.startswith(FORMULA_TRIGGERS) for row in rows for cell in row[:1])


def test_xlsx_has_no_formula_cell_typed_values_frozen_header_and_one_sheet_per_table():
    results = Sheet("results", ["=h1", "n", "mean", "when"], [["=1+1", 12, -0.5, date(2026, 1, 2)]])
    responses = Sheet("responses", ["response", "@x"], [["r1", "+cmd"], ["r2", 3]])
    workbook = read_xlsx(_bytes("xlsx", [results, responses]))
    assert workbook.sheetnames == ["results", "responses"]
    first, second = workbook["results"], workbook["responses"]
    assert first.freeze_panes == "A2" and second.freeze_panes == "A2"
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not any(_is_formula(cell) for cell in cells)
    assert [c.value for c in first[1]] == ["'=h1", "n", "mean", "when"]
    assert first["A2"].value == "'=1+1"
    assert first["B2"].value == 12 and first["B2"].data_type == "n"
    assert first["C2"].value == -0.5 and first["C2"].data_type == "n"
    assert first["D2"].is_date
    assert [c.value for c in second[1]] == ["response", "'@x"]
    assert second["B2"].value == "'+cmd" and second["B3"].value == 3


def test_xlsx_drops_characters_a_workbook_cannot_hold():
    workbook = read_xlsx(_bytes("xlsx", [Sheet("t", ["h"], [["a\x01b\x0bc"]])]))
    assert workbook["t"]["A2"].value == "abc"


def test_json_objects_keyed_by_guarded_headers_with_numbers_kept():
    sheets = [Sheet("results", ["=h", "n"], [["-x", 5], ["y", None]]), Sheet("b", ["k"], [])]
    data = json.loads(_bytes("json", sheets))
    assert data == {"results": [{"'=h": "'-x", "n": 5}, {"'=h": "y", "n": None}], "b": []}


def test_csv_holds_one_table_only():
    with pytest.raises(ValueError, match="one table"):
        _bytes("csv", [Sheet("a", ["h"], []), Sheet("b", ["h"], [])])


def test_unknown_format_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="csv, xlsx, json"):
        _bytes("ods", [Sheet("a", ["h"], [])])


def test_rows_are_consumed_lazily_in_chunks():
    consumed = []

    def rows():
        for number in range(2000):
            consumed.append(number)
            yield [number]

    chunks = FORMATS["csv"].chunks([Sheet("t", ["n"], rows())])
    next(chunks)
    assert len(consumed) < 2000


cells = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(headers=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=4, unique=True))
@example(headers=["\x1f=0"])  # a character XLSX cannot hold, then a formula (found by a run)
@example(headers=["\x00\x08+1", "\x0b@x"])
def test_any_header_or_cell_comes_back_neutralised(headers):
    row = list(headers)
    sheet = Sheet("t", headers, [row])
    for written in read_csv(_bytes("csv", [sheet])):
        assert not any(cell.startswith(FORMULA_TRIGGERS) for cell in written)
    workbook = read_xlsx(_bytes("xlsx", [Sheet("t", headers, [row])]))
    for sheet_cells in workbook["t"].iter_rows():
        assert not any(_is_formula(cell) for cell in sheet_cells)


@pytest.mark.parametrize("value", ["\x1f=1+1", "\x01\x02-3", "\x1e@cmd"])
def test_a_formula_behind_characters_xlsx_cannot_hold_is_still_guarded(value):
    workbook = read_xlsx(_bytes("xlsx", [Sheet("t", ["h"], [[value]])]))
    cell = workbook["t"]["A2"]
    assert not _is_formula(cell)
    assert cell.value == "'" + value.lstrip("\x01\x02\x1e\x1f")


@settings(max_examples=60, deadline=None)
@given(row=st.lists(cells, min_size=1, max_size=5))
def test_numbers_stay_numbers_and_text_never_starts_a_formula(row):
    headers = [f"c{n}" for n in range(len(row))]
    workbook = read_xlsx(_bytes("xlsx", [Sheet("t", headers, [row])]))
    written = [cell for cell in next(workbook["t"].iter_rows(min_row=2, max_row=2))]
    for cell, value in zip(written, row, strict=True):
        assert not _is_formula(cell)
        if isinstance(value, int | float):
            assert cell.data_type == "n"
            assert cell.value == pytest.approx(value)
