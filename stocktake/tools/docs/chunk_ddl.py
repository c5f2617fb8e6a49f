"""SQL DDL: a chunk per ``CREATE TABLE`` and per column it defines, with the comments that describe them.

A column's description gathers the ``--`` comment lines above it, the ``--`` comment on its own line, an inline
``COMMENT '…'`` and a ``COMMENT ON COLUMN``; a table's, the comment lines above it and a ``COMMENT ON TABLE``.
Definitions are split at the commas outside parentheses and quotes, so a one-line ``CREATE TABLE t (a INT, b INT)``
has its columns too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stocktake.errors import StocktakeError
from stocktake.tools.docs.chunk_parts import column_chunk, table_chunk
from stocktake.tools.docs.model import Chunk, DocsSettings

_CREATE = re.compile(r"create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?table\s+(?:if\s+not\s+exists\s+)?"
                     r"(?P<name>[\w.\"`\[\]]+)\s*\(", re.IGNORECASE)
_COMMENT_ON = re.compile(
    r"comment\s+on\s+(?P<what>table|column)\s+(?P<target>[\w.\"`]+)\s+is\s+'(?P<text>(?:[^']|'')*)'", re.IGNORECASE
)
_INLINE_COMMENT = re.compile(r"\bcomment\s+'((?:[^']|'')*)'", re.IGNORECASE)
_CONSTRAINT = re.compile(r"^(primary|foreign|constraint|unique|check|key|index|exclude)\b", re.IGNORECASE)
_QUOTED = re.compile(r"'(?:[^']|'')*'?")


def _bare(identifier: str) -> str:
    return re.sub(r"[\"`\[\]]", "", identifier).split(".")[-1]


@dataclass
class _Definition:
    line: int  # where its text starts
    text: str = ""
    notes: list[str] = field(default_factory=list)  # the -- comments that describe it


def _definitions(body: str, line: int) -> tuple[list[_Definition], int]:
    """The comma-separated definitions of a ``CREATE TABLE`` body (``body`` starts after its opening parenthesis,
    on line ``line``), and the line of the closing parenthesis. A ``--`` comment on a line of its own describes the
    definition below it; one after a definition, the definition on its line."""
    done: list[_Definition] = []
    current, pending, depth, i, ended = _Definition(line), [], 0, 0, -1  # ended: the line the last one ended on

    def finish(definition: _Definition) -> None:
        nonlocal pending
        if definition.text.strip():
            definition.notes[:0], pending = pending, []
            done.append(definition)

    while i < len(body):
        char = body[i]
        if char == "'":
            quoted = _QUOTED.match(body, i).group()
            current.text += quoted
            line += quoted.count("\n")
            i += len(quoted)
            continue
        if body.startswith("--", i):
            stop = body.find("\n", i)
            stop = len(body) if stop < 0 else stop
            note = body[i + 2:stop].strip()
            owner = current if current.text.strip() else done[-1] if done and ended == line else None
            (owner.notes if owner else pending).append(note)
            i = stop
            continue
        depth += (char == "(") - (char == ")")
        if depth < 0 or (char == "," and depth == 0):
            finish(current)
            ended, current = line, _Definition(line)
            if depth < 0:
                return done, line
        else:
            if not current.text.strip():
                current.line = line
            current.text += char
        line += char == "\n"
        i += 1
    finish(current)  # a body cut off before its closing parenthesis
    return done, line


def _column(definition: _Definition, table: str, notes: dict) -> tuple[int, str, str | None, str] | None:
    """(line, column, type, description) of a column definition; None for a constraint."""
    text = definition.text.strip()
    if _CONSTRAINT.match(text):
        return None
    col, *rest = text.split()
    inline = _INLINE_COMMENT.search(text)
    ctype = re.split(r"\s(?:not|null|default|primary|references|comment|unique|check)\b", " ".join(rest),
                     flags=re.IGNORECASE)[0].strip() or None
    desc = " ".join(filter(None, [*definition.notes, inline and inline.group(1).replace("''", "'"),
                                  notes.get((table, _bare(col)))]))
    return definition.line, _bare(col), ctype, desc


def _comments_on(text: str) -> dict[tuple[str, str | None], str]:
    """``COMMENT ON TABLE t`` as ``(t, None)``, ``COMMENT ON COLUMN t.c`` as ``(t, c)``."""
    notes: dict[tuple[str, str | None], str] = {}
    for m in _COMMENT_ON.finditer(text):
        parts = [_bare(p) for p in m.group("target").split(".")]
        key = (parts[-1], None) if m.group("what").lower() == "table" else (parts[-2], parts[-1])
        notes[key] = m.group("text").replace("''", "'")
    return notes


def chunk_sql(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.DOTALL)
    lines, notes = text.splitlines(), _comments_on(text)
    chunks = []
    for m in _CREATE.finditer(text):
        table = _bare(m.group("name"))
        first = text.count("\n", 0, m.start())  # 0-based line of CREATE TABLE
        above, k = [], first - 1
        while k >= 0 and lines[k].strip().startswith("--"):
            above.insert(0, lines[k].strip()[2:].strip())
            k -= 1
        definitions, end = _definitions(text[m.end():], first + 1)
        columns = [c for c in (_column(d, table, notes) for d in definitions) if c]
        description = " ".join(filter(None, [*above, notes.get((table, None))]))
        chunks.append(table_chunk(name, table, description, [c[1] for c in columns], source, first + 1, end=end))
        chunks += [column_chunk(name, table, col, desc, source, n, ctype) for n, col, ctype, desc in columns]
    if not chunks:
        raise StocktakeError(f"{name} holds no CREATE TABLE statement; index prose documentation as .md or .txt.")
    return chunks
