"""Ingestion: read a user's file, folder or SQLite database into typed tables and register them.

Everything is read and checked before anything is written, so a failure leaves the catalog and the
workspace exactly as they were. Sources are untrusted: they are only ever opened for reading, nothing is
created beside them, and every read is bounded by ``IngestSettings`` (stocktake/tools/ingest_files.py). How one
file of each format is read is stocktake.tools.ingest_formats'.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from stocktake.catalog import Asset, Catalog, ingest_description
from stocktake.errors import Option, Remedy, StocktakeError
from stocktake.settings import IngestSettings
from stocktake.tools import ingest_files
from stocktake.tools.ingest_files import shown
from stocktake.tools.ingest_formats import (NOT_TABLES, SUPPORTED, ParsedTable, ReadOptions, format_of, read_file,
                                            read_sqlite, sniffs_as_table)
from stocktake.tools.progress import Progress, no_progress, prefixed
from stocktake.words import plural

__all__ = ["SUPPORTED", "IngestResult", "ParsedTable", "ReadOptions", "infer_kind", "ingest_path", "read_source"]


@dataclass(frozen=True)
class IngestResult:
    asset: Asset
    warnings: tuple[str, ...]
    details: dict
    unchanged: bool = False  # --replace with the same content as the latest version: no version added

    def to_dict(self) -> dict:
        return {**self.asset.to_dict(), "warnings": list(self.warnings), "read": self.details,
                "unchanged": self.unchanged}


def ingest_path(
    catalog: Catalog, path: str | Path, *, name: str | None = None, kind: str | None = None,
    options: ReadOptions = ReadOptions(), replace: bool = False,
    on_skip: Callable[[str], None] | None = None, settings: IngestSettings | None = None,
    progress: Progress = no_progress,
) -> list[IngestResult]:
    """Read a file, a folder of files or ``sqlite:///file.db`` and register every table in it.

    A folder is all or nothing: one unreadable file fails the whole ingest, naming every bad file,
    unless ``on_skip`` is given; then bad files are left out and each is reported to it.
    ``settings`` bounds what is read (default: ``IngestSettings()``, as the environment sets it); ``progress`` hears
    which file is read, its bytes and rows as they come, then each table as it is registered.
    """
    tables = read_source(path, options, settings or IngestSettings(), scratch=catalog.ws.dir("cache"),
                         on_skip=on_skip, progress=progress)
    if name and len(tables) > 1:
        raise StocktakeError(f"{shown(path)} holds {len(tables)} tables", Remedy("ingest-each-table"), file=shown(path))
    if name:
        tables = [_with_name(tables[0], name)]
    if not replace:
        taken = [t.name for t in tables if catalog.exists(t.name)]
        if taken:
            listed, one = ", ".join(f"'{t}'" for t in taken), len(taken) == 1
            raise StocktakeError(f"{'An asset' if one else 'Assets'} named {listed} already exist{'s' if one else ''}.",
                                 Remedy("replace-or-rename"), asset=taken[0])
    results, done = [], []
    try:
        for i, table in enumerate(tables):
            progress(f"registering {table.name} ({i + 1}/{len(tables)})", i, len(tables))
            before = catalog.get(table.name) if catalog.exists(table.name) else None
            asset = catalog.register(
                table.name, table.frame, kind=kind or infer_kind(_column_names(table.frame)), source=table.source,
                fmt=table.fmt, description=ingest_description(table.source), replace=replace,
            )
            unchanged = before is not None and asset.version == before.version
            if not unchanged:
                done.append((table.name, asset.version))
            change = _shape_change(before, asset) if before is not None and not unchanged else None
            warnings = table.warnings + ((change,) if change else ())
            results.append(IngestResult(asset, warnings, table.details, unchanged))
    except BaseException:
        _undo(catalog, done)
        raise
    return results


def _shape_change(before: Asset, after: Asset) -> str | None:
    """A warning when a new version loses columns, gains some, or keeps less than half of the rows: a replaced
    file that is really another table would otherwise slip in unnoticed (the earlier version is kept)."""
    old, new = [c.name for c in before.columns], [c.name for c in after.columns]
    dropped, added = [c for c in old if c not in new], [c for c in new if c not in old]
    parts = [f"drops {', '.join(dropped)}"] if dropped else []
    if added:
        parts.append(f"adds {', '.join(added)}")
    if after.rows < before.rows / 2:
        parts.append(f"has {plural(after.rows, 'row')} where version {before.version} had "
                     f"{before.rows:,}")
    if not parts:
        return None
    return (f"{after.name} version {after.version} {'; '.join(parts)} (version {before.version} is kept; "
            "check this is the same table).")


def _undo(catalog: Catalog, done: list[tuple[str, int]]) -> None:
    """Roll back the tables of a multi-table ingest that were registered before one failed."""
    for asset_name, version in done:
        if version == 1:
            catalog.remove(asset_name)
        else:
            catalog.drop_version(asset_name, version)


def read_source(path: str | Path, options: ReadOptions, settings: IngestSettings, *, scratch: Path | None = None,
                on_skip: Callable[[str], None] | None = None, progress: Progress = no_progress) -> list[ParsedTable]:
    """Every table in a file, a folder or ``sqlite:///file.db``; ``scratch`` is where a copy may be read from."""
    check_options(options)
    text = str(path)
    if text.startswith("sqlite:///"):
        return read_sqlite(Path(text.removeprefix("sqlite:///")), options, settings, scratch)
    p = Path(path).expanduser()
    if not p.exists():
        raise StocktakeError(f"{shown(p)}: no such file or folder. Check the path.")
    if p.is_dir():
        return _read_folder(p, options, settings, scratch, on_skip, progress)
    return read_file(p, options, settings, scratch, prefixed(progress, shown(p)))


def check_options(options: ReadOptions) -> None:
    """Options that are wrong whatever the file: fail before reading anything."""
    if options.encoding:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise StocktakeError(
                ("Unknown ", Option("encoding"), f" '{shown(options.encoding)}':"),
                ("use a codec name such as utf-8, utf-8-sig, latin-1, cp1252 or utf-16 (or ",
                 Remedy("leave-encoding-out"), ")")) from None


def _with_name(table: ParsedTable, name: str | None) -> ParsedTable:
    return table if not name else ParsedTable(name, table.frame, table.source, table.fmt, table.details, table.warnings)


def _read_folder(folder: Path, options: ReadOptions, settings: IngestSettings, scratch: Path | None,
                 on_skip, progress: Progress) -> list[ParsedTable]:
    tables, problems = [], []  # each a line of text, or the error a file raised
    # Top level only: sub-folders often hold other cuts of the same tables (ingest them on their own).
    files = _folder_files(folder)
    for i, p in enumerate(files):
        problem = ingest_files.folder_entry_problem(folder, p)
        if problem:
            if format_of(p) is not None:
                problems.append(problem)
            continue  # a link out of the folder or a FIFO with no data suffix is never opened to sniff it
        try:
            if format_of(p) is None and not sniffs_as_table(p, settings):
                continue  # READMEs, notes and other non-tabular files in a data folder
            tables.extend(read_file(p, options, settings, scratch,
                                    prefixed(progress, f"file {i + 1}/{len(files)} {shown(p.name)}")))
        except StocktakeError as exc:
            problems.append(exc)
    if problems and (on_skip is None or not tables):
        listed = [part for problem in problems for part in ("\n  ", problem)]
        raise StocktakeError((f"{shown(folder)}: {plural(len(problems), 'file')} could not be read, so nothing was "
                              "ingested (fix or move them, or ", Remedy("skip-bad"), "):", *listed), file=shown(folder))
    for problem in problems:
        on_skip(str(problem))
    if not tables:
        raise StocktakeError(f"{shown(folder)}: no supported data files found (supported: {', '.join(SUPPORTED)}).")
    names = [t.name for t in tables]
    clash = next((n for n in names if names.count(n) > 1), None)
    if clash:
        raise StocktakeError(f"{shown(folder)}: two files would both become asset '{clash}';",
                             Remedy("name-each-file"), file=shown(folder), asset=clash)
    return tables


def _folder_files(folder: Path) -> list[Path]:
    """The folder's entries that may hold a table, judged by name only (nothing is opened yet)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise StocktakeError(f"{shown(folder)}: cannot list the folder ({exc.strerror or exc}). "
                             "Check its permissions.") from None
    return [p for p in entries if not p.name.startswith(".") and not _DOC_NAMES.match(p.name)
            and p.suffix.lower() not in NOT_TABLES and not p.is_dir()]


_DOC_NAMES = re.compile(r"^(readme|license|licence|changelog|provenance|notice)(\.|$)", re.I)


def _column_names(frame: pd.DataFrame | pa.Table) -> list[str]:
    return list(frame.column_names if isinstance(frame, pa.Table) else frame.columns)


_KIND_RULES: tuple[tuple[str, Callable[[set[str], str], bool]], ...] = (
    ("events", lambda t, j: bool(t & {"event", "behavior", "behaviour", "action", "pv", "click"})
     or ("session" in t and bool(t & {"item", "product", "itemid"}))),
    ("reviews", lambda t, j: "review" in t or ("rating" in t and bool(t & {"text", "comment", "title"}))),
    ("order_items", lambda t, j: bool(t & {"order", "invoice", "invoiceno"}) and bool(t & {"product", "item", "stockcode", "sku"})
     and bool(t & {"price", "quantity", "qty", "amount"})),
    ("orders", lambda t, j: bool(t & {"order", "invoice"}) and bool(t & {"status", "purchase", "customer", "user", "date"})),
    ("products", lambda t, j: bool(t & {"product", "item", "sku", "movie", "film", "book"})
     and bool(t & {"title", "name", "category", "brand", "description", "genre"})),
    ("users", lambda t, j: bool(t & {"user", "customer"}) and bool(t & {"email", "age", "gender", "city", "zip", "signup", "occupation", "country", "state"})),
    # purchases with a buyer, a date and an amount, but no product: transactions (CDNOW's master file)
    ("orders", lambda t, j: bool(t & {"user", "customer", "buyer", "client"}) and bool(t & {"date", "time", "timestamp"})
     and bool(t & {"amount", "value", "dollar", "price", "revenue", "total", "spend"})),
    ("events", lambda t, j: bool(t & {"user", "userid"}) and bool(t & {"item", "itemid", "movie", "movieid", "product"})
     and bool(t & {"rating", "timestamp", "time", "ts"})),
)


def infer_kind(columns: list[str]) -> str:
    """The kind of table, from its column names (``other`` where nothing fits)."""
    tokens: set[str] = set()
    for col in columns:
        words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", str(col)).lower())
        tokens.update(words)
        tokens.update(w[:-1] for w in words if len(w) > 3 and w.endswith("s"))  # "verified_reviews" has a review
        tokens.add("".join(words))
    joined = " ".join(columns).lower()
    for kind, rule in _KIND_RULES:
        if rule(tokens, joined):
            return kind
    return "other"
