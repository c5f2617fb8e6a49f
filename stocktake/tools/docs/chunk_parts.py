"""What every chunker makes: a table's chunk, a column's, prose passages cut to size, and where each sits in its
document (``SEP`` joins the document, the heading or table, and the column); the headers a data dictionary uses."""

from __future__ import annotations

from stocktake.tools.docs.model import COLUMNS_LINE, Chunk

SEP = " › "

NAME_HEADERS = {"column", "column_name", "field", "field_name", "name", "attribute", "variable"}
DESC_HEADERS = {"description", "meaning", "definition", "comment", "comments", "notes", "note", "details"}
TYPE_HEADERS = {"type", "data_type", "dtype", "datatype", "column_type"}
TABLE_HEADERS = {"table", "table_name", "model", "entity", "dataset", "file"}


def lines_label(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}-{end}"


def table_chunk(name: str, table: str, description: str, columns: list[str], source: str,
                line: int | None, heading: str | None = None, end: int | None = None) -> Chunk:
    text = f"{table}: {description.strip() or 'table'}"
    if columns:
        text += f"{COLUMNS_LINE}{', '.join(columns)}"
    return Chunk(text=text, source=source, location=SEP.join([name, heading or table]), table=table,
                 line_start=line, line_end=end or line)


def column_chunk(name: str, table: str | None, column: str, description: str, source: str, line: int | None,
                 ctype: str | None = None, heading: str | None = None, end: int | None = None) -> Chunk:
    typed = f" ({ctype})" if ctype else ""
    prefix = table or heading or name
    return Chunk(text=f"{prefix}{SEP}{column}{typed}: {description.strip()}".rstrip(": "), source=source,
                 location=SEP.join([name, heading or table or name, column]), table=table, column=column,
                 line_start=line, line_end=end or line)


def split_prose(paragraphs: list[tuple[int, int, str]], limit: int) -> list[tuple[int, int, str]]:
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


def header_positions(header: list[str]) -> tuple[int | None, ...]:
    """Positions of the column-name, description, type and table headers of a dictionary (None if absent)."""
    return tuple(next((i for i, h in enumerate(header) if h in names), None)
                 for names in (NAME_HEADERS, DESC_HEADERS, TYPE_HEADERS, TABLE_HEADERS))
