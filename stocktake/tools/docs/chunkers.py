"""Chunkers per format: each turns one document into chunks that point at one table, one column or one passage.

Markdown and plain text (stocktake/tools/docs/chunk_text.py) and SQL DDL (chunk_ddl.py) have modules of their own;
dbt ``schema.yml`` and CSV data dictionaries are read here, for their models, tables and columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import yaml

from stocktake.errors import StocktakeError
from stocktake.tools.docs.chunk_ddl import chunk_sql
from stocktake.tools.docs.chunk_parts import SEP, column_chunk, header_positions, table_chunk
from stocktake.tools.docs.chunk_text import chunk_markdown
from stocktake.tools.docs.model import Chunk, DocsSettings, snake

__all__ = ["CHUNKERS", "SEP", "chunk_csv_dictionary", "chunk_file", "chunk_markdown", "chunk_sql", "chunk_yaml",
           "chunker_for"]


# ---- dbt / YAML ----------------------------------------------------------------------------------------
def _line_of(lines: list[str], name: str, after: int = 0) -> int | None:
    pattern = re.compile(rf"^\s*-?\s*name:\s*['\"]?{re.escape(str(name))}['\"]?\s*$")
    return next((i + 1 for i in range(after, len(lines)) if pattern.match(lines[i])), None)


def chunk_yaml(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StocktakeError(
            f"{name} is not valid YAML ({exc.__class__.__name__}); fix it or rename it to .txt to index it as text."
        ) from None
    if not isinstance(data, dict):
        raise StocktakeError(f"{name} holds no YAML mapping: expected a dbt schema.yml with 'models:' or 'sources:'.")
    models = [m for m in data.get("models") or [] if isinstance(m, dict)]
    models += [t for s in data.get("sources") or [] if isinstance(s, dict) for t in s.get("tables") or []
               if isinstance(t, dict)]
    models += [m for key in ("seeds", "snapshots") for m in data.get(key) or [] if isinstance(m, dict)]
    lines = text.splitlines()
    if not models:
        return chunk_markdown(text, name, source, settings)  # any other YAML: indexed as text passages
    chunks = []
    for model in models:
        table = str(model.get("name", "")).strip()
        if not table:
            continue
        line = _line_of(lines, table)
        cols = [c for c in model.get("columns") or [] if isinstance(c, dict) and c.get("name")]
        chunks.append(table_chunk(name, table, str(model.get("description") or ""),
                                   [str(c["name"]) for c in cols], source, line))
        for col in cols:
            declared = col.get("tests") or col.get("data_tests") or []
            tests = [t if isinstance(t, str) else next(iter(t), "") for t in declared]
            desc = str(col.get("description") or "") + (f" Tests: {', '.join(map(str, tests))}." if tests else "")
            chunks.append(column_chunk(name, table, str(col["name"]), desc, source,
                                        _line_of(lines, col["name"], (line or 1) - 1), col.get("data_type")))
    return chunks


# ---- CSV data dictionaries -----------------------------------------------------------------------------
def chunk_csv_dictionary(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    dialect = csv.excel_tab if name.lower().endswith(".tsv") else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [snake(h) for h in next(reader, [])]
    col_i, desc_i, type_i, table_i = header_positions(header)
    if col_i is None or desc_i is None:
        raise StocktakeError(
            f"{name} does not look like a data dictionary: it needs a column-name header (column, field, name) and a "
            f"description header (description, meaning, comment); found {', '.join(header[:6]) or 'no header'}"
            f"{', …' if len(header) > 6 else ''}."
        )
    default_table = re.sub(r"(_?(data_)?dictionary|_?schema)$", "", Path(name).stem, flags=re.IGNORECASE) or None
    tables: dict[str | None, list[tuple[int, str, str | None, str]]] = {}
    table_desc: dict[str | None, str] = {}
    for row_no, row in enumerate(reader, start=2):
        def cell(i: int | None, row: list[str] = row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        table = cell(table_i) or default_table
        if not cell(col_i):
            table_desc[table] = cell(desc_i)
            continue
        tables.setdefault(table, []).append((row_no, cell(col_i), cell(type_i) or None, cell(desc_i)))
    chunks = []
    for table, rows in tables.items():
        chunks.append(table_chunk(name, table or name, table_desc.get(table, ""), [r[1] for r in rows], source,
                                   rows[0][0], end=rows[-1][0]))
        chunks += [column_chunk(name, table, col, desc, source, n, ctype) for n, col, ctype, desc in rows]
    return chunks


# ---- dispatch ------------------------------------------------------------------------------------------
Chunker = Callable[[str, str, str, DocsSettings], list[Chunk]]
CHUNKERS: dict[str, Chunker] = {
    ".md": chunk_markdown, ".markdown": chunk_markdown, ".txt": chunk_markdown, ".rst": chunk_markdown,
    ".yml": chunk_yaml, ".yaml": chunk_yaml, ".csv": chunk_csv_dictionary, ".tsv": chunk_csv_dictionary,
    ".sql": chunk_sql, ".ddl": chunk_sql,
}


def chunker_for(path: Path) -> Chunker | None:
    if path.suffix.lower() in CHUNKERS:
        return CHUNKERS[path.suffix.lower()]
    if path.name.upper().startswith(("README", "CHANGELOG", "NOTES")) and not path.suffix:
        return chunk_markdown  # plain-text READMEs: the section parser handles underlined headings
    return None


def chunk_file(path: Path, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    chunker = chunker_for(path)
    if chunker is None:
        raise StocktakeError(
            f"Cannot index {path}: supported docs are {', '.join(sorted(CHUNKERS))} files and READMEs."
        )
    text = path.read_bytes().decode("utf-8", errors="replace")
    return chunker(text, path.name, str(path.resolve()), settings)
