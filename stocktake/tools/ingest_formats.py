"""One source file as parsed tables, by its format: delimited text (delimiter, header and encoding sniffed),
Parquet, JSON, Excel and SQLite. Each table comes back as Arrow, named and within the ingest bounds; a file that
cannot be read is refused with one line naming it (and the line, sheet or table at fault).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stocktake.errors import Option, Remedy, StocktakeError
from stocktake.settings import IngestSettings
from stocktake.tools import infer, ingest_excel, ingest_files, ingest_sqlite
from stocktake.tools.ingest_files import shown
from stocktake.tools.ingest_table import check_bounds, overflow_warnings, to_arrow
from stocktake.tools.progress import Progress, no_progress
from stocktake.words import plural

TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".psv", ".dat", ".data", ".item", ".user", ".base", ".test",
                 ".genre", ".occupation"}


OTHER_SUFFIXES = {".parquet", ".pq", ".json", ".jsonl", ".ndjson", ".xlsx", ".xlsm", ".db", ".sqlite", ".sqlite3"}


SUPPORTED = sorted(TEXT_SUFFIXES | OTHER_SUFFIXES | {".gz"})


_SEP_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": infer.WHITESPACE,
              "whitespace": infer.WHITESPACE}


@dataclass(frozen=True)
class ReadOptions:
    sep: str | None = None
    header: bool | None = None  # None: sniffed
    columns: tuple[str, ...] | None = None
    encoding: str | None = None
    table: str | None = None


@dataclass(frozen=True)
class ParsedTable:
    """A table read from a source, not yet registered."""
    name: str
    frame: pd.DataFrame | pa.Table
    source: str
    fmt: str
    details: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


NOT_TABLES = {".md", ".pdf", ".png", ".jpg", ".html", ".py", ".zip"}


def sniffs_as_table(p: Path, settings: IngestSettings) -> bool:
    if p.suffix.lower() in NOT_TABLES:
        return False
    raw = ingest_files.read_head(p, 65536, settings)
    if not raw:
        return False
    try:
        text, _ = infer.decode(raw.rsplit(b"\n", 1)[0] if b"\n" in raw else raw)
    except UnicodeDecodeError:
        return False
    return not infer.looks_binary(text) and infer.sniff_delimiter(text) is not None


def format_of(p: Path) -> str | None:
    suffixes = [s.lower() for s in p.suffixes]
    last = suffixes[-1] if suffixes else ""
    if last == ".gz":
        inner = suffixes[-2] if len(suffixes) > 1 else ""
        return "gzip+" + ("jsonl" if inner in (".jsonl", ".ndjson") else "json" if inner == ".json" else "text")
    if last in TEXT_SUFFIXES:
        return "text"
    return {".parquet": "parquet", ".pq": "parquet", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".xlsx": "excel", ".xlsm": "excel", ".db": "sqlite", ".sqlite": "sqlite", ".sqlite3": "sqlite"}.get(last)


_GENERIC_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ".psv", ".dat", *OTHER_SUFFIXES}


_MAX_NAME = 60  # a snapshot folder is named after its asset: 60 characters stay under 255 bytes in any script


def asset_name_for(p: Path) -> str:
    """``orders.csv.gz`` → ``orders``; ``u.data`` → ``u_data`` (a suffix that names the content stays)."""
    stem = p.name.removesuffix(".gz").removesuffix(".GZ")
    suffix = Path(stem).suffix
    if suffix.lower() in _GENERIC_SUFFIXES:
        stem = stem[: -len(suffix)]
    return _slug(stem, "asset")


def _slug(text: str, fallback: str = "table") -> str:
    """Letters of any script, digits and ``_``: ``Sheet A`` → ``Sheet_A``, ``订单`` stays ``订单``."""
    slug = re.sub(r"\W+", "_", unicodedata.normalize("NFC", str(text))).strip("_")
    return slug[:_MAX_NAME].strip("_") or fallback


def read_file(p: Path, options: ReadOptions, settings: IngestSettings,
              scratch: Path | None = None, progress: Progress = no_progress) -> list[ParsedTable]:
    fmt = format_of(p)
    if fmt is None:
        if not sniffs_as_table(p, settings):
            raise StocktakeError(
                f"{shown(p)}: unknown format '{shown(p.suffix or p.name)}'. Supported: {', '.join(SUPPORTED)} and "
                "sqlite:///FILE.db."
            )
        fmt = "text"
    if fmt == "sqlite":
        return read_sqlite(p, options, settings, scratch)
    raw = ingest_files.read_bytes(p, settings, progress)
    if fmt.startswith("gzip+"):
        raw = ingest_files.gunzip(p, raw, settings)
        fmt = fmt.removeprefix("gzip+")
    if not raw.strip():
        raise StocktakeError(f"{shown(p)}: the file is empty. Nothing to ingest.")
    progress("parsing", 0, None)
    if fmt == "text":
        parsed = read_delimited(p, raw, options, fmt, settings, progress)
    else:
        parsed = {"parquet": _read_parquet, "json": _read_json, "jsonl": _read_json,
                  "excel": _read_excel}[fmt](p, raw, options, fmt, settings)
    return [_checked(p, t, settings) for t in parsed]


def _checked(p: Path, table: ParsedTable, settings: IngestSettings) -> ParsedTable:
    """The table as Arrow, named and within the bounds; refused with one line naming the file (and sheet) if not."""
    where = shown(p) + "".join(f", {key} '{shown(table.details[key])}'" for key in ("sheet", "table")
                               if key in table.details)
    arrow, mixed = to_arrow(where, table.frame) if isinstance(table.frame, pd.DataFrame) else (table.frame, ())
    check_bounds(where, arrow, settings)
    warnings = table.warnings + mixed + overflow_warnings(arrow)
    return ParsedTable(table.name or asset_name_for(p), arrow, table.source, table.fmt, table.details, warnings)


def read_delimited(p: Path, raw: bytes, options: ReadOptions, fmt: str, settings: IngestSettings,
                   progress: Progress = no_progress) -> list[ParsedTable]:
    text, encoding = _decode(p, raw, options.encoding)
    if infer.looks_binary(text):
        raise StocktakeError(f"{shown(p)}: looks like a binary file, not delimited text.",
                             ("Check the file or its extension (", Remedy("utf16-without-mark"), ")"), file=shown(p))
    sep = _SEP_NAMES.get(options.sep, options.sep) if options.sep else infer.sniff_delimiter(text)
    rows = _split_rows(text, sep or ",", limit=50)
    width = max(map(len, rows), default=0)
    if width > settings.max_columns:
        raise StocktakeError(f"{shown(p)}: {width:,} columns or more, more than one ingest reads "
                             f"({settings.limit('max_columns')}).", ("Check the file, or ", Remedy("give-delimiter")),
                             file=shown(p))
    header = options.header if options.header is not None else infer.has_header(rows)
    # a header row and one too many
    frame = _parse_text(p, text, sep or ",", nrows=settings.max_rows + 2, progress=progress)
    names, warnings = [f"col_{i}" for i in range(1, frame.shape[1] + 1)], []
    if options.sep and frame.shape[1] == 1 and len(rows) > 1:
        warnings.append(_one_column_warning(options.sep, infer.sniff_delimiter(text)))
    if header:
        names, renamed = infer.clean_names([str(v) if isinstance(v, str) else "" for v in frame.iloc[0]])
        frame = frame.iloc[1:].reset_index(drop=True)
        if frame.empty:
            warnings.append("only a header row, no data rows: registered with 0 rows")
    else:
        renamed = []
    if options.columns:
        if len(options.columns) != frame.shape[1]:
            raise StocktakeError(
                (f"{shown(p)}: ", Option("columns"), f" gives {plural(len(options.columns), 'name')} but the file has "
                 f"{plural(frame.shape[1], 'column')}."), "Give one name per column.", file=shown(p))
        names, renamed = infer.clean_names(list(options.columns))
    warnings += renamed
    frame.columns = names
    frame = infer.infer_frame(frame)
    details = {"encoding": encoding, "delimiter": "whitespace" if sep == infer.WHITESPACE else sep,
               "header": bool(header), "line_endings": "CRLF" if "\r\n" in text[:100_000] else "LF"}
    return [ParsedTable("", frame, shown(p), "delimited", details, tuple(warnings))]


def _decode(p: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    try:
        return infer.decode(raw, encoding)
    except UnicodeDecodeError as exc:
        problem = f"{shown(p)}: byte {exc.start:,} is not valid {exc.encoding} text."
        if encoding:
            raise StocktakeError(problem, Remedy("detect-encoding"), file=shown(p)) from None
        # only a byte-order mark makes detection strict: it promises an encoding the bytes then break
        raise StocktakeError(problem + " The file starts with a byte-order mark but mixes encodings:",
                             Remedy("one-encoding"), file=shown(p)) from None


def _one_column_warning(sep: str, sniffed: str | None) -> str:
    hint = ""
    if sniffed:
        hint = f" (it looks {'whitespace' if sniffed == infer.WHITESPACE else repr(sniffed)}-separated)"
    return f"--sep {sep!r} splits no row, so the table has one column. Leave --sep out to detect the delimiter{hint}."


def _split_rows(text: str, sep: str, limit: int) -> list[list[str]]:
    lines = [line for line in text[:infer.SAMPLE_CHARS].splitlines() if line.strip()][:limit]
    if sep == infer.WHITESPACE:
        return [line.split() for line in lines]
    if len(sep) > 1:
        return [line.split(sep) for line in lines]
    return list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))


_CHUNK_ROWS = 200_000  # rows parsed between progress reports: a few per second on a large file


def _parse_text(p: Path, text: str, sep: str, nrows: int, progress: Progress = no_progress) -> pd.DataFrame:
    kwargs = dict(header=None, dtype=str, keep_default_na=False, na_values=list(infer.NULL_TOKENS),
                  skip_blank_lines=True, sep=sep, engine="c", nrows=nrows, chunksize=_CHUNK_ROWS)
    if sep == infer.WHITESPACE:
        kwargs["sep"] = r"\s+"
    elif len(sep) > 1:
        # The C parser takes one-character delimiters only; the Python one splits on a regex (no quoting).
        kwargs.update(sep=re.escape(sep), engine="python")
    # Lines bound the rows from above (blank lines and quoted newlines make fewer), so the count is an estimate.
    lines = max(text.count("\n") + (not text.endswith("\n")), 1)
    try:
        chunks = []
        for chunk in pd.read_csv(io.StringIO(text), **kwargs):
            chunks.append(chunk)
            progress("rows parsed", min(sum(map(len, chunks)), lines), lines)
        return pd.concat(chunks, ignore_index=True)
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            want, line, got = match.groups()
            raise StocktakeError(f"{shown(p)}, line {line}: expected {want} fields, saw {got} (ragged row).",
                                 ("Fix or quote that row, or ", Remedy("give-delimiter")), file=shown(p),
                                 row=int(line)) from None
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:  # rows count from 0 and the header is read as a row
            line = int(quote.group(1)) + 1
            raise StocktakeError(f"{shown(p)}, line {line}: a quoted field is never closed (an unbalanced \").",
                                 ("Fix the quote in that line, or ", Remedy("give-delimiter")), file=shown(p),
                                 row=line) from None
        raise StocktakeError(f"{shown(p)}: could not parse as delimited text ({shown(exc)}).",
                             Remedy("delimiter-or-encoding"), file=shown(p)) from None
    except pd.errors.EmptyDataError:
        raise StocktakeError(f"{shown(p)}: the file is empty. Nothing to ingest.") from None


def _read_parquet(p: Path, raw: bytes, options: ReadOptions, fmt: str, settings: IngestSettings) -> list[ParsedTable]:
    try:
        parquet = pq.ParquetFile(io.BytesIO(raw))
        _check_parquet_size(p, parquet.metadata, settings)
        # Batch by batch, so that pages that decode far beyond their stored size (a dictionary bomb) are stopped.
        batches, size = [], 0
        for batch in parquet.iter_batches(batch_size=65_536):
            size += batch.nbytes
            if size > settings.max_bytes:
                raise ingest_files.expands_too_far(p, settings)
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise StocktakeError(f"{shown(p)}: not a readable Parquet file ({shown(exc)}).") from None
    names, warnings = infer.clean_names(table.column_names)
    return [ParsedTable("", table.rename_columns(names), shown(p), "parquet", {}, tuple(warnings))]


def _check_parquet_size(p: Path, meta: pq.FileMetaData, settings: IngestSettings) -> None:
    """Rows and decompressed size as the file declares them: refused before any page is read."""
    if meta.num_rows > settings.max_rows:
        raise StocktakeError(f"{shown(p)}: {meta.num_rows:,} rows, more than one ingest reads "
                             f"({settings.limit('max_rows')}).")
    declared = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if declared > settings.max_bytes:
        raise ingest_files.expands_too_far(p, settings)


def _read_json(p: Path, raw: bytes, options: ReadOptions, fmt: str, settings: IngestSettings) -> list[ParsedTable]:
    text, encoding = _decode(p, raw, options.encoding)
    try:
        frame = pd.read_json(io.StringIO(text), lines=fmt == "jsonl", dtype=False)
        if frame.shape[1] == 1 and frame.iloc[:, 0].map(lambda v: isinstance(v, dict)).all() and len(frame):
            frame = pd.DataFrame(frame.iloc[:, 0].tolist())  # {"rows": [{...}, ...]}: the records are the table
    except ValueError as exc:
        where = "one JSON object per line" if fmt == "jsonl" else "an array of objects or an object of columns"
        raise StocktakeError(f"{shown(p)}: not valid JSON for a table ({shown(exc)}); expected {where}.") from None
    return [_frame_table(p, frame, fmt, {"encoding": encoding})]


def _read_excel(p: Path, raw: bytes, options: ReadOptions, fmt: str, settings: IngestSettings) -> list[ParsedTable]:
    sheets = ingest_excel.read_sheets(p, raw, options.table, settings)
    empty = [sheet for sheet, frame in sheets.items() if frame.shape[1] == 0]
    if len(empty) < len(sheets):  # empty sheets beside ones with data are left out; an empty workbook is refused
        sheets = {sheet: frame for sheet, frame in sheets.items() if sheet not in empty}
    many = len(sheets) > 1
    tables = [_frame_table(p, frame, "excel", {"sheet": sheet},
                           name=f"{asset_name_for(p)}_{_slug(sheet)}" if many else "") for sheet, frame in sheets.items()]
    skipped = tuple(f"sheet '{shown(sheet)}' is empty; left out" for sheet in empty if sheet not in sheets)
    tables[0] = ParsedTable(tables[0].name, tables[0].frame, tables[0].source, tables[0].fmt, tables[0].details,
                            tables[0].warnings + skipped)
    return _distinct_names(tables, "sheet")


def read_sqlite(p: Path, options: ReadOptions, settings: IngestSettings, scratch: Path | None) -> list[ParsedTable]:
    if not p.exists():
        raise StocktakeError(f"{shown(p)}: no such SQLite database file.")
    frames = ingest_sqlite.read_tables(p, options.table, settings, scratch)
    tables = [_frame_table(p, frame, "sqlite", {"table": n}, name=_slug(n)) for n, frame in frames.items()]
    return _distinct_names([_checked(p, t, settings) for t in tables], "table")


def _distinct_names(tables: list[ParsedTable], what: str) -> list[ParsedTable]:
    """Sheets or tables whose names make the same asset name (``Sheet A``, ``Sheet-A``) get ``_2``, ``_3`` …"""
    seen: set[str] = set()
    out = []
    for table in tables:
        name, n = table.name, 1
        while name in seen:
            n += 1
            name = f"{table.name}_{n}"
        seen.add(name)
        note = (f"{what} '{shown(table.details[what])}' would also be asset '{table.name}'; registered as "
                f"'{name}'",) if name != table.name else ()
        out.append(ParsedTable(name, table.frame, table.source, table.fmt, table.details, table.warnings + note))
    return out


def _frame_table(p: Path, frame: pd.DataFrame, fmt: str, details: dict, name: str = "") -> ParsedTable:
    names, warnings = infer.clean_names([str(c) if c is not None else "" for c in frame.columns])
    frame = frame.set_axis(names, axis=1)
    return ParsedTable(name, infer.infer_frame(frame), shown(p), fmt, details, tuple(warnings))
