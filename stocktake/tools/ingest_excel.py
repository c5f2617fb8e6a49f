"""Reading the sheets of an Excel workbook (xlsx, xlsm) that may be hostile, within the ingest bounds.

An xlsx is a zip of XML: its parts are checked against ``max_bytes`` by their declared sizes before
anything is decompressed (Python's zipfile never inflates a part past its declared size). Cells are read
one row at a time, so a sheet whose few cells sit a million rows or thousands of columns apart is refused
by its row, column and cell counts instead of being padded out in memory. Formulas are never evaluated:
the values Excel saved with them are read.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd

from stocktake.errors import StocktakeError
from stocktake.settings import IngestSettings
from stocktake.tools import infer
from stocktake.tools.ingest_files import expands_too_far, shown

_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
_NULLS = set(infer.NULL_TOKENS) | _ERRORS
_CELL_BYTES = 8  # one pointer per cell of the frame that is built


def read_sheets(p: Path, raw: bytes, sheet: str | None, settings: IngestSettings) -> dict[str, pd.DataFrame]:
    """Every worksheet (or only ``sheet``) by name; a sheet with no cells is an empty frame."""
    _check_parts(p, raw, settings)
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many unrelated types for corrupt files
        raise StocktakeError(f"{shown(p)}: not a readable Excel workbook ({type(exc).__name__}).") from None
    try:
        sheets = book.worksheets
        if sheet is not None:
            sheets = [s for s in sheets if s.title == sheet]
            if not sheets:
                listed = ", ".join(f"'{shown(s.title)}'" for s in book.worksheets)
                raise StocktakeError(f"{shown(p)}: no sheet '{shown(sheet)}'. Sheets: {listed}.")
        return {s.title: _read_sheet(p, s, settings) for s in sheets}
    finally:
        book.close()


def _check_parts(p: Path, raw: bytes, settings: IngestSettings) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            declared = sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise StocktakeError(f"{shown(p)}: not a readable Excel workbook ({exc}).") from None
    if declared > settings.max_bytes:
        raise expands_too_far(p, settings)


def _read_sheet(p: Path, sheet, settings: IngestSettings) -> pd.DataFrame:
    where = f"{shown(p)}, sheet '{shown(sheet.title)}'"
    sheet.reset_dimensions()  # the size a file declares may lie; count the cells that are really there
    rows, width, cells = [], 0, 0
    try:
        for values in sheet.iter_rows(values_only=True):
            row = [_value(v) for v in values]
            while row and row[-1] is None:
                row.pop()
            if not row:
                continue  # blank rows are skipped, as in delimited text
            rows.append(row)
            width, cells = max(width, len(row)), cells + len(row)
            _check_size(where, len(rows), width, cells, settings)
    except StocktakeError:
        raise
    except Exception as exc:  # malformed sheet XML surfaces as parser, key or value errors
        raise StocktakeError(f"{where}: not readable ({type(exc).__name__}: {exc}).") from None
    if not rows:
        return pd.DataFrame()
    names = [_header(v) for v in rows[0]] + [""] * (width - len(rows[0]))
    body = [r + [None] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=range(width), dtype=object).set_axis(names, axis=1)


def _check_size(where: str, rows: int, width: int, cells: int, settings: IngestSettings) -> None:
    if width > settings.max_columns:
        raise StocktakeError(f"{where}: more than {settings.max_columns:,} columns ({settings.hint('max_columns')}).")
    if rows > settings.max_rows + 1:  # the header row is not a data row
        raise StocktakeError(f"{where}: more than {settings.max_rows:,} rows ({settings.hint('max_rows')}).")
    if max(cells, rows * width) * _CELL_BYTES > settings.max_bytes:
        raise StocktakeError(f"{where}: too many cells to read ({rows:,} rows by {width:,} columns; "
                             f"{settings.limit('max_bytes', 'bytes')}).")


def _value(v):
    """A cell as pandas reads it: Excel's error values and null words are missing, whole floats are integers."""
    if isinstance(v, str) and v in _NULLS:
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _header(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "" if v is None else str(v)
