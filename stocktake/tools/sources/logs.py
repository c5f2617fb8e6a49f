"""Log files as a live source: one file, or a folder whose files (rotated and gzipped ones too: ``access.log``,
``access.log.1``, ``access.log.2.gz``) are read together, oldest first, into one events table per format.

The format is ``--format`` (combined, jsonl, or regex with ``--pattern``), or sniffed from each file's first
lines. Rows are sorted by time (stable, so rows of the same second keep the files' order). A line that does not
parse is never dropped unseen: the count and the first few, with file and line number, are the table's notes,
which ``source add`` and ``sync`` print. Files are only ever opened for reading, and nothing is written beside
them; lines are read in bounded chunks (``STOCKTAKE_SOURCE_MAX_LINE_BYTES``) and all text read, decompressed
or not, is bounded by ``STOCKTAKE_INGEST_MAX_BYTES``.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import SourceSettings, byte_size
from stocktake.tools.ingest_files import folder_entry_problem, open_regular, shown
from stocktake.tools.sources.log_columns import Rows
from stocktake.tools.sources.log_formats import COMBINED, JSONL, BadLine, LogFormat, regex_format, sniff
from stocktake.tools.sources.model import ReadPlan, SourceColumn, SourceTable
from stocktake.words import plural

_GZIP = b"\x1f\x8b"
_UNREAD = (".bz2", ".xz", ".zst", ".zip", ".lz4", ".7z", ".br")  # compressions not read (gzip is)
_SNIFF = 20  # first lines tried to tell a file's format
_EXAMPLES = 5  # bad lines shown
_EXCERPT = 120  # characters shown of each
_ROTATED = re.compile(r"(.+?)(?:\.(\d+)|-(\d{8,10}))?(\.gz)?", re.S)  # app.log, app.log.3.gz, app.log-20240105.gz


def location(text: str, source: str) -> str:
    """The absolute path, kept as a plain path (a ``file://`` URL only where the path itself holds ``://``)."""
    full = os.path.abspath(os.path.expanduser(_path(text, source)))
    return "file://" + quote(full) if "://" in full else full


def _path(text: str, source: str) -> str:
    if not text.lower().startswith("file://"):
        return text
    host, _, rest = text[len("file://"):].partition("/")
    if host not in ("", "localhost"):
        raise StocktakeError(f"Source '{source}': file://{shown(host)}/… is on another machine; give a local path.",
                             Remedy("source-log-path"))
    return unquote("/" + rest)


@contextmanager
def session(location: str, source: str, options: dict, settings: SourceSettings) -> Iterator[Session]:
    fixed = _fixed_format(options, source)  # a bad --format or --pattern is refused before anything is read
    yield Session(Path(_path(location, source)), source, fixed, settings)


def _fixed_format(options: dict, source: str) -> LogFormat | None:
    name = options.get("log_format") or ("regex" if options.get("pattern") else None)
    if name == "regex":
        return regex_format(options.get("pattern"), source)
    if options.get("pattern"):
        raise StocktakeError(f"Source '{source}': --pattern goes with --format regex.", Remedy("source-log-format"))
    found = {f.name: f for f in (COMBINED, JSONL)}.get(name) if name else None
    if name and found is None:
        raise StocktakeError(f"Source '{source}': '{shown(name)}' is not a log format Stocktake reads.",
                             Remedy("source-log-format"))
    return found


class Session:
    """The files read once, on the first ``schema()``; ``read`` serves every table from that one reading."""

    def __init__(self, path: Path, source: str, fixed: LogFormat | None, settings: SourceSettings):
        self.path, self.source, self.fixed, self.settings = path, source, fixed, settings
        self._read: dict[str, tuple[SourceTable, pa.Table]] | None = None
        self._left = settings.max_bytes  # text still allowed, over all files

    def schema(self) -> list[SourceTable]:
        if self._read is None:
            try:
                self._read = self._tables()
            except StocktakeError as exc:  # a file's own error, said of the source
                raise StocktakeError((f"Source '{self.source}': ", exc.problem), exc.fix, file=exc.file) from None
        return [table for table, _ in self._read.values()]

    def read(self, table: SourceTable, plan: ReadPlan = ReadPlan()) -> pa.Table:
        self.schema()
        return _planned(self._read[table.name][1], plan, self.source)

    def _tables(self) -> dict[str, tuple[SourceTable, pa.Table]]:
        files, notes = self._files()
        by_format: dict[str, tuple[LogFormat, list[Path]]] = {}
        for p in files:
            fmt = self.fixed or self._sniff(p, notes)
            if fmt is not None:
                by_format.setdefault(fmt.name, (fmt, []))[1].append(p)
        if not by_format:
            raise StocktakeError(f"{shown(self.path)} holds no lines in a log format Stocktake recognises "
                                 "(combined or jsonl).", Remedy("source-log-format"))
        single = len(by_format) == 1
        tables = {}
        for fmt, paths in by_format.values():
            name = "events" if single else f"events_{fmt.name}"
            tables[name] = self._table(name, fmt, paths, notes if not tables else [])
        return tables

    def _files(self) -> tuple[list[Path], list[str]]:
        """The files to read, oldest first, and why any file of the folder is left out."""
        if not self.path.is_dir():
            return [self.path], []
        files, notes = [], []
        for p in sorted(self.path.iterdir(), key=_age):
            if p.name.startswith(".") or p.is_dir():
                continue  # hidden files and sub-folders are not this folder's logs
            problem = folder_entry_problem(self.path, p) or (
                f"{shown(p.name)}: skipped, a compression Stocktake does not read"
                if p.name.lower().endswith(_UNREAD) else None)
            if problem:
                notes.append(problem)
            else:
                files.append(p)
        return files, notes

    def _sniff(self, p: Path, notes: list[str]) -> LogFormat | None:
        left = self._left  # the lines sniffed are read again, and counted then
        with self._open(p) as f:
            lines = []
            for _, raw, whole in self._lines(p, f):
                if whole and raw.strip():
                    lines.append(raw.decode("utf-8", "replace"))
                if len(lines) == _SNIFF:
                    break
        self._left = left
        fmt = sniff(lines)
        if not lines:
            return None  # an empty file (the live log just after a rotation) has nothing to read
        if fmt is None and p == self.path:
            raise StocktakeError(f"{shown(p)}: the first lines are in no log format Stocktake recognises (tried "
                                 "combined and jsonl).", Remedy("source-log-format"))
        if fmt is None:
            notes.append(f"{shown(p.name)}: skipped, its first lines are in no log format Stocktake recognises")
        return fmt

    def _table(self, name: str, fmt: LogFormat, paths: list[Path], notes: list[str]) -> tuple[SourceTable, pa.Table]:
        rows, tally = Rows(fmt.types, self.settings), _Tally()
        for p in paths:
            with self._open(p) as f:
                for number, raw, whole in self._lines(p, f):
                    text = raw.decode("utf-8", "replace")
                    if whole and not text.strip():
                        continue  # blank lines hold nothing
                    tally.lines += 1
                    try:
                        if not whole:
                            raise BadLine(f"longer than {byte_size(self.settings.max_line_bytes)}")
                        rows.add(fmt.parse(text))
                    except BadLine as why:
                        tally.bad(p, number, str(why), text)
        if not rows.count:
            where = shown(paths[0]) if len(paths) == 1 else f"the {len(paths)} files of {shown(self.path)}"
            first = f" ({tally.examples[0].strip()})." if tally.examples else " (there are no lines)."
            raise StocktakeError(f"no line of {where} could be parsed as {fmt.name}{first}",
                                 Remedy("source-log-format"))
        arrow = rows.table()
        files = shown(paths[0].name) if len(paths) == 1 else (
            f"{len(paths)} files, oldest first: " + ", ".join(shown(p.name) for p in paths[:5])
            + (", …" if len(paths) > 5 else ""))
        how = "as given" if self.fixed else "detected from the first lines"
        notes = [f"read as {fmt.name} ({how}): {plural(tally.lines, 'line')} from {files}", *rows.notes(),
                 *tally.notes(), *notes]
        columns = tuple(SourceColumn(f.name, str(f.type)) for f in arrow.schema)
        table = SourceTable(name, "table", columns, comment=f"{fmt.described.capitalize()}: {shown(self.path)}",
                            row_estimate=float(arrow.num_rows), notes=tuple(notes))
        return table, arrow

    @contextmanager
    def _open(self, p: Path) -> Iterator[BinaryIO]:
        """The file, decompressed where it is gzip; a broken gzip file is one line naming it."""
        with open_regular(p, self.settings) as f:
            try:
                gz = f.read(2) == _GZIP
                f.seek(0)
                yield gzip.GzipFile(fileobj=f, mode="rb") if gz else f
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                raise StocktakeError(f"{shown(p)}: not a valid gzip file ({exc}). Check that the file is "
                                     "complete.") from None
            except OSError as exc:
                raise StocktakeError(f"{shown(p)}: cannot read the file ({exc.strerror or exc}).") from None

    def _lines(self, p: Path, f: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
        """Each line's number, bytes (without the line end) and whether it is whole: a line longer than
        ``max_line_bytes`` gives only its start, the rest is skipped a chunk at a time, never held."""
        limit = self.settings.max_line_bytes
        number = 0
        while line := self._take(p, f.readline(limit + 1)):
            number += 1
            if len(line) <= limit or line.endswith(b"\n"):
                yield number, line.rstrip(b"\r\n"), True
                continue
            head = line[:_EXCERPT * 4]
            while line and not line.endswith(b"\n"):
                line = self._take(p, f.readline(1 << 16))
            yield number, head, False

    def _take(self, p: Path, data: bytes) -> bytes:
        self._left -= len(data)
        if self._left < 0:
            raise StocktakeError(f"{shown(p)}: the log text read passes {byte_size(self.settings.max_bytes)} "
                                 f"(decompressed, all files together), so nothing was read "
                                 f"({self.settings.hint('max_bytes')}).")
        return data


def _age(p: Path) -> tuple:
    """A sort key putting each rotation series oldest first: app.log.3.gz, app.log.2, app.log.1, then app.log
    (dated copies, app.log-20240105, by date, before the live file)."""
    base, number, date, _ = _ROTATED.fullmatch(p.name).groups()
    if number is not None:
        return base, 0, -int(number), ""
    return base, 1 if date else 2, 0, date or ""


class _Tally:
    """The lines read and the lines that could not be parsed: how many in each file, and the first few."""

    def __init__(self):
        self.lines, self.per_file, self.examples = 0, Counter(), []

    def bad(self, p: Path, number: int, why: str, text: str) -> None:
        self.per_file[p] += 1
        if len(self.examples) < _EXAMPLES:
            self.examples.append(f"  {shown(p.name)} line {number:,}: {why}: '{shown(text[:_EXCERPT])}'")

    def notes(self) -> list[str]:
        if not self.per_file:
            return []
        total = sum(self.per_file.values())
        where = f" ({', '.join(f'{n:,} in {shown(p.name)}' for p, n in self.per_file.most_common())})" \
            if len(self.per_file) > 1 else ""
        first = f"; the first {len(self.examples)}" if total > len(self.examples) else ""
        return [f"{total:,} of {self.lines:,} lines could not be parsed{where}{first}:", *self.examples]


def _planned(arrow: pa.Table, plan: ReadPlan, source: str) -> pa.Table:
    """The rows ``plan`` asks for: past the cursor, then a repeatable sample (evenly spaced rows), then a limit."""
    if plan.cursor and plan.after is not None:
        column = arrow[plan.cursor]
        try:
            after = pa.scalar(plan.after).cast(column.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise StocktakeError(f"Source '{source}': the last {plan.cursor} seen, '{shown(plan.after)}', does not "
                                 f"read as {column.type}.", Remedy("source-readd", name=source)) from None
        arrow = arrow.filter(pc.fill_null(pc.greater(column, after), False))
    if plan.sample is not None and arrow.num_rows > plan.sample:
        arrow = arrow.take(np.unique(np.linspace(0, arrow.num_rows - 1, plan.sample).astype(np.int64)))
    return arrow.slice(0, plan.limit) if plan.limit is not None else arrow
