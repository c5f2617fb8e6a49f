"""Markdown and plain text: sections, and within each the columns and passages it documents.

markdown-it-py finds the sections (ATX and underlined headings, never one inside a code block); within a section,
column bullets (``- `col`: text``), Markdown tables with a column header and ``name -- text`` entries become their
own chunks, and the rest is prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from stocktake.tools.docs.chunk_parts import SEP, column_chunk, header_positions, lines_label, split_prose, table_chunk
from stocktake.tools.docs.model import Chunk, DocsSettings, snake, table_name

_MARKDOWN = MarkdownIt("commonmark")  # only the block structure is read; nothing is rendered

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

_GENERIC_HEADINGS = {
    "columns", "fields", "schema", "attributes", "structure", "definitions", "description", "details", "overview",
    "notes", "summary", "introduction", "keys", "examples", "usage", "license", "citation", "contents", "data",
}


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


def _lines(text: str) -> list[str]:
    """The lines as markdown-it numbers them (only CR, LF and CRLF end a line)."""
    return re.split(r"\r\n?|\n", text)


def _headings(text: str) -> dict[int, tuple[int, int, str]]:
    """Each heading by its first line (0-based): the line after it, its level and its text on one line."""
    tokens = _MARKDOWN.parse(text)
    return {t.map[0]: (t.map[1], int(t.tag[1]), " ".join(tokens[i + 1].content.split("\n")))
            for i, t in enumerate(tokens) if t.type == "heading_open" and t.map}


def _sections(text: str) -> list[_Section]:
    raw, headings = _lines(text), _headings(text)
    sections = [_Section(None, 0, None)]
    stack: list[_Section] = []
    i = 0
    while i < len(raw):
        if i in headings:
            after, level, heading = headings[i]
            stack = [s for s in stack if s.level < level]
            table, weak = _table_from_heading(heading)
            inherited = next((s.table for s in reversed(stack) if s.table), None)
            inherited_weak = next((s.weak_table for s in reversed(stack) if s.weak_table), None)
            section = _Section(heading, level, table or inherited, weak or inherited_weak)
            stack.append(section)
            sections.append(section)
            i = after
            continue
        if not _HTML_ONLY.match(raw[i]):
            sections[-1].lines.append((i + 1, raw[i]))
        i += 1
    return sections


def _markdown_table_items(rows: list[tuple[int, str]]) -> list[_Item] | None:
    """The rows of a Markdown table whose header names columns, or None for any other table."""
    cells = [(n, [c.strip().strip("`") for c in line.strip().strip("|").split("|")]) for n, line in rows]
    header = [snake(c) for c in cells[0][1]]
    name_i, desc_i, type_i, table_i = header_positions(header)
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
        pieces = split_prose(prose, settings.max_chunk_chars)
        if table and table not in described and (pieces or columns.get(table)):
            start, end, desc = pieces.pop(0) if pieces else (items[0].start, items[-1].end, "")
            chunks.append(table_chunk(name, table, desc, columns.get(table, []), source, start, heading=label,
                                       end=max([end] + [it.end for it in items])))
            described.add(table)
        for start, end, body in pieces:
            where = SEP.join([name, label]) if heading else name
            chunks.append(Chunk(text=f"{heading}\n{body}" if heading else body, source=source, table=table,
                                location=f"{where} ({lines_label(start, end)})", line_start=start, line_end=end))
        for it in items:
            if it.is_file:
                chunks.append(Chunk(text=f"{it.name}: {it.description}", source=source,
                                    location=SEP.join([name, label, it.name]), table=table_name(it.name),
                                    line_start=it.start, line_end=it.end))
            else:
                owner = it.table or table
                chunks.append(column_chunk(name, owner, it.name, it.description, source, it.start, it.type,
                                            heading=None if owner else label, end=it.end))
    return chunks
