"""Chunkers per format: each turns one document into chunks that point at one table, one column or one passage.

Markdown and plain text share a section parser (ATX and underlined headings); within a section, column bullets
(``- `col`: text``), Markdown tables with a column header and ``name -- text`` entries become their own chunks.
dbt ``schema.yml``, CSV data dictionaries and SQL DDL are parsed for their models, tables and columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from stocktake.errors import StocktakeError
from stocktake.tools.docs.model import COLUMNS_LINE, Chunk, DocsSettings, snake, table_name

SEP = " › "


# ---- shared helpers ----------------------------------------------------------------------------------
def _lines_label(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}-{end}"


def _table_chunk(name: str, table: str, description: str, columns: list[str], source: str,
                 line: int | None, heading: str | None = None, end: int | None = None) -> Chunk:
    text = f"{table}: {description.strip() or 'table'}"
    if columns:
        text += f"{COLUMNS_LINE}{', '.join(columns)}"
    return Chunk(text=text, source=source, location=SEP.join([name, heading or table]), table=table,
                 line_start=line, line_end=end or line)


def _column_chunk(name: str, table: str | None, column: str, description: str, source: str, line: int | None,
                  ctype: str | None = None, heading: str | None = None, end: int | None = None) -> Chunk:
    typed = f" ({ctype})" if ctype else ""
    prefix = table or heading or name
    return Chunk(text=f"{prefix}{SEP}{column}{typed}: {description.strip()}".rstrip(": "), source=source,
                 location=SEP.join([name, heading or table or name, column]), table=table, column=column,
                 line_start=line, line_end=end or line)


def _split_prose(paragraphs: list[tuple[int, int, str]], limit: int) -> list[tuple[int, int, str]]:
    """Merge consecutive paragraphs up to ``limit`` characters; a single longer paragraph is cut at sentences."""
    pieces: list[tuple[int, int, str]] = []
    for start, end, text in paragraphs:
        if pieces and len(pieces[-1][2]) + len(text) + 2 <= limit:
            s, _, t = pieces[-1]
            pieces[-1] = (s, end, f"{t}\n\n{text}")
            continue
        while len(text) > limit:
            cut = text.rfind(". ", 0, limit)
            cut = cut + 1 if cut > limit // 3 else limit
            pieces.append((start, end, text[:cut].strip()))
            text = text[cut:].strip()
        if text:
            pieces.append((start, end, text))
    return pieces


# ---- Markdown and plain text ---------------------------------------------------------------------------
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*(=+|-+)\s*$")
_HTML_ONLY = re.compile(r"^\s*(<[^>]+>\s*)+$")
_BULLET = re.compile(
    r"^\s*[-*+]\s+(?:`(?P<code>[^`]+)`|\*\*(?P<bold>[^*]+)\*\*|(?P<plain>[A-Za-z_][\w.]*))"
    r"\s*(?:\((?P<type>[^)]{1,40})\))?\s*(?::|\s[-–—])\s*(?P<desc>.*)$"
)
_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_][\w.\-]*)\s+--\s+(?P<desc>.*)$")
_FILE_IN_TEXT = re.compile(r"`?([A-Za-z0-9_\-]+)\.(?:csv|tsv|parquet|json|jsonl|dat|xlsx)`?", re.IGNORECASE)
_IDENT_ONLY = re.compile(r"^`?([A-Za-z_][\w.\-]*)`?$")
_TABLE_WORD = re.compile(r"^(?:table|model|dataset)\s*:\s*`?([\w.\-]+)`?$|^`?([\w.\-]+)`?\s+(?:table|dataset)$",
                         re.IGNORECASE)
_NAME_HEADERS = {"column", "column_name", "field", "field_name", "name", "attribute", "variable"}
_DESC_HEADERS = {"description", "meaning", "definition", "comment", "comments", "notes", "note", "details"}
_TYPE_HEADERS = {"type", "data_type", "dtype", "datatype", "column_type"}
_TABLE_HEADERS = {"table", "table_name", "model", "entity", "dataset", "file"}


_GENERIC_HEADINGS = {
    "columns", "fields", "schema", "attributes", "structure", "definitions", "description", "details", "overview",
    "notes", "summary", "introduction", "keys", "examples", "usage", "license", "citation", "contents", "data",
}


def _header_positions(header: list[str]) -> tuple[int | None, ...]:
    """Positions of the column-name, description, type and table headers of a dictionary (None if absent)."""
    return tuple(next((i for i, h in enumerate(header) if h in names), None)
                 for names in (_NAME_HEADERS, _DESC_HEADERS, _TYPE_HEADERS, _TABLE_HEADERS))


@dataclass
class _Section:
    heading: str | None
    level: int
    table: str | None  # named by this heading or an ancestor's for sure
    weak_table: str | None = None  # a plain word ("Orders", or an ancestor's): a table only if columns confirm it
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    start: int
    end: int
    name: str
    type: str | None
    description: str
    table: str | None = None  # a table column in a dictionary table row
    is_file: bool = False  # "u.data -- ..." entries describe files, i.e. tables


def _table_from_heading(heading: str) -> tuple[str | None, str | None]:
    """(table, weak table) named by a heading: identifiers, backticks, file names and "Table: x" are sure."""
    text = re.sub(r"\*\*", "", heading).strip()
    if m := _IDENT_ONLY.match(text):
        name = m.group(1)
        if re.search(r"[_.]", name) or text.startswith("`"):
            return name, None
        return None, (name if name.lower() not in _GENERIC_HEADINGS else None)
    if m := _TABLE_WORD.match(text):
        return m.group(1) or m.group(2), None
    if m := _FILE_IN_TEXT.search(text):
        return m.group(1), None
    if m := re.search(r"`([A-Za-z_][\w.]*)`", text):
        return m.group(1), None
    return None, None


def _sections(text: str) -> list[_Section]:
    raw = text.splitlines()
    sections = [_Section(None, 0, None)]
    stack: list[_Section] = []
    fenced = False
    i = 0
    while i < len(raw):
        line, lineno = raw[i], i + 1
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = level = None
        if not fenced:
            if m := _ATX.match(line):
                heading, level = m.group(2), len(m.group(1))
            elif (line.strip() and i + 1 < len(raw) and _UNDERLINE.match(raw[i + 1])
                  and len(raw[i + 1].strip()) >= 3 and not _BULLET.match(line)):
                heading, level = line.strip(), 1 if raw[i + 1].strip()[0] == "=" else 2
                i += 1
        if heading is not None:
            stack = [s for s in stack if s.level < level]
            table, weak = _table_from_heading(heading)
            inherited = next((s.table for s in reversed(stack) if s.table), None)
            inherited_weak = next((s.weak_table for s in reversed(stack) if s.weak_table), None)
            section = _Section(heading, level, table or inherited, weak or inherited_weak)
            stack.append(section)
            sections.append(section)
        elif not _HTML_ONLY.match(line):
            sections[-1].lines.append((lineno, line))
        i += 1
    return sections


def _markdown_table_items(rows: list[tuple[int, str]]) -> list[_Item] | None:
    """The rows of a Markdown table whose header names columns, or None for any other table."""
    cells = [(n, [c.strip().strip("`") for c in line.strip().strip("|").split("|")]) for n, line in rows]
    header = [snake(c) for c in cells[0][1]]
    name_i, desc_i, type_i, table_i = _header_positions(header)
    if name_i is None:
        return None
    items = []
    for n, row in cells[2:]:
        def get(i: int | None, row: list[str] = row) -> str | None:
            return row[i] if i is not None and i < len(row) and row[i] else None

        if get(name_i):
            extra = [c for i, c in enumerate(row) if i not in (name_i, desc_i, type_i, table_i) and c]
            items.append(_Item(n, n, get(name_i), get(type_i), " ".join(filter(None, [get(desc_i), *extra])),
                               get(table_i)))
    return items


def _is_item(line: str) -> bool:
    return bool(_BULLET.match(line) or _ENTRY.match(line))


def _parse_body(lines: list[tuple[int, str]]) -> tuple[list[_Item], list[tuple[int, int, str]]]:
    """A section body as column items (bullets, dictionary table rows, entries) and prose paragraphs."""
    items: list[_Item] = []
    prose: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        n, line = lines[i]
        if line.strip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|?[\s:|-]+\|?\s*$", lines[i + 1][1]):
            j = i
            while j < len(lines) and lines[j][1].strip().startswith("|"):
                j += 1
            found = _markdown_table_items(lines[i:j])
            if found is None:
                prose.append((n, lines[j - 1][0], "\n".join(t for _, t in lines[i:j])))
            items += found or []
        elif m := _BULLET.match(line) or _ENTRY.match(line):
            is_file = m.re is _ENTRY
            j, desc = i + 1, [m.group("desc")]
            # Continuation: indented lines, or for "name -- text" entries anything up to a blank line.
            while (j < len(lines) and lines[j][1].strip() and not _is_item(lines[j][1])
                   and (lines[j][1][:1].isspace() or is_file)):
                desc.append(lines[j][1].strip())
                j += 1
            name = next(v for k, v in m.groupdict().items() if k in ("code", "bold", "plain", "name") and v)
            items.append(_Item(n, lines[j - 1][0], name.strip(), m.groupdict().get("type"), " ".join(desc),
                               is_file=is_file))
        elif line.strip():
            j = i
            while j < len(lines) and lines[j][1].strip() and not _is_item(lines[j][1]):
                j += 1
            prose.append((n, lines[j - 1][0], "\n".join(t.rstrip() for _, t in lines[i:j])))
        else:
            j = i + 1
        i = j
    return items, prose


def chunk_markdown(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    """Markdown or plain text: a chunk per table (its prose and all its columns), per column, per passage."""
    parsed = [(s, *_parse_body(s.lines)) for s in _sections(text)]
    confirmed = {s.weak_table for s, items, _ in parsed if any(not it.is_file for it in items)}
    tables = [(s, s.table or (s.weak_table if s.weak_table in confirmed else None), items, prose)
              for s, items, prose in parsed]
    columns: dict[str, list[str]] = {}
    for _, table, items, _ in tables:
        for it in items:
            if not it.is_file and (it.table or table):
                columns.setdefault(it.table or table, []).append(it.name)
    chunks, described = [], set()
    for section, table, items, prose in tables:
        heading = section.heading and re.sub(r"[`*]", "", section.heading).strip()
        label = heading or name
        pieces = _split_prose(prose, settings.max_chunk_chars)
        if table and table not in described and (pieces or columns.get(table)):
            start, end, desc = pieces.pop(0) if pieces else (items[0].start, items[-1].end, "")
            chunks.append(_table_chunk(name, table, desc, columns.get(table, []), source, start, heading=label,
                                       end=max([end] + [it.end for it in items])))
            described.add(table)
        for start, end, body in pieces:
            where = SEP.join([name, label]) if heading else name
            chunks.append(Chunk(text=f"{heading}\n{body}" if heading else body, source=source, table=table,
                                location=f"{where} ({_lines_label(start, end)})", line_start=start, line_end=end))
        for it in items:
            if it.is_file:
                chunks.append(Chunk(text=f"{it.name}: {it.description}", source=source,
                                    location=SEP.join([name, label, it.name]), table=table_name(it.name),
                                    line_start=it.start, line_end=it.end))
            else:
                owner = it.table or table
                chunks.append(_column_chunk(name, owner, it.name, it.description, source, it.start, it.type,
                                            heading=None if owner else label, end=it.end))
    return chunks


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
        chunks.append(_table_chunk(name, table, str(model.get("description") or ""),
                                   [str(c["name"]) for c in cols], source, line))
        for col in cols:
            declared = col.get("tests") or col.get("data_tests") or []
            tests = [t if isinstance(t, str) else next(iter(t), "") for t in declared]
            desc = str(col.get("description") or "") + (f" Tests: {', '.join(map(str, tests))}." if tests else "")
            chunks.append(_column_chunk(name, table, str(col["name"]), desc, source,
                                        _line_of(lines, col["name"], (line or 1) - 1), col.get("data_type")))
    return chunks


# ---- CSV data dictionaries -----------------------------------------------------------------------------
def chunk_csv_dictionary(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    dialect = csv.excel_tab if name.lower().endswith(".tsv") else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [snake(h) for h in next(reader, [])]
    col_i, desc_i, type_i, table_i = _header_positions(header)
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
        chunks.append(_table_chunk(name, table or name, table_desc.get(table, ""), [r[1] for r in rows], source,
                                   rows[0][0], end=rows[-1][0]))
        chunks += [_column_chunk(name, table, col, desc, source, n, ctype) for n, col, ctype, desc in rows]
    return chunks


# ---- SQL DDL -------------------------------------------------------------------------------------------
_CREATE = re.compile(r"create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?table\s+(?:if\s+not\s+exists\s+)?"
                     r"(?P<name>[\w.\"`\[\]]+)\s*\(", re.IGNORECASE)
_COMMENT_ON = re.compile(
    r"comment\s+on\s+(?P<what>table|column)\s+(?P<target>[\w.\"`]+)\s+is\s+'(?P<text>(?:[^']|'')*)'", re.IGNORECASE
)
_INLINE_COMMENT = re.compile(r"\bcomment\s+'((?:[^']|'')*)'", re.IGNORECASE)
_CONSTRAINT = re.compile(r"^(primary|foreign|constraint|unique|check|key|index|exclude)\b", re.IGNORECASE)


def _bare(identifier: str) -> str:
    return re.sub(r"[\"`\[\]]", "", identifier).split(".")[-1]


def _ddl_columns(body: list[str], first_line: int, table: str, notes: dict) -> list[tuple[int, str, str | None, str]]:
    """(line, column, type, description) of each column definition in the body of a CREATE TABLE."""
    columns, pending, depth = [], [], 0
    for offset, line in enumerate(body):
        code, _, comment = line.partition("--")
        depth += code.count("(") - code.count(")")
        definition = code.strip().strip(",").strip()
        if depth < 0:
            break
        if definition and not _CONSTRAINT.match(definition):
            col, *rest = definition.split()
            inline = _INLINE_COMMENT.search(definition)
            ctype = re.split(r"\s(?:not|null|default|primary|references|comment|unique|check)\b",
                             " ".join(rest), flags=re.IGNORECASE)[0].strip() or None
            desc = " ".join(filter(None, [*pending, comment.strip(), inline and inline.group(1).replace("''", "'"),
                                          notes.get((table, _bare(col)))]))
            columns.append((first_line + offset, _bare(col), ctype, desc))
            pending = []
        elif not definition and comment.strip():
            pending.append(comment.strip())  # a comment line describes the column below it
    return columns


def chunk_sql(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    lines = text.splitlines()
    notes: dict[tuple[str, str | None], str] = {}
    for m in _COMMENT_ON.finditer(text):
        parts = [_bare(p) for p in m.group("target").split(".")]
        key = (parts[-1], None) if m.group("what").lower() == "table" else (parts[-2], parts[-1])
        notes[key] = m.group("text").replace("''", "'")
    chunks = []
    for m in _CREATE.finditer(text):
        table = _bare(m.group("name"))
        first = text.count("\n", 0, m.start())  # 0-based line of CREATE TABLE
        above, k = [], first - 1
        while k >= 0 and lines[k].strip().startswith("--"):
            above.insert(0, lines[k].strip()[2:].strip())
            k -= 1
        columns = _ddl_columns(text[m.end():].split("\n"), first + 1, table, notes)
        description = " ".join(filter(None, [*above, notes.get((table, None))]))
        end = columns[-1][0] + 1 if columns else first + 1
        chunks.append(_table_chunk(name, table, description, [c[1] for c in columns], source, first + 1, end=end))
        chunks += [_column_chunk(name, table, col, desc, source, n, ctype) for n, col, ctype, desc in columns]
    if not chunks:
        raise StocktakeError(f"{name} holds no CREATE TABLE statement; index prose documentation as .md or .txt.")
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
