"""SQL DDL: a chunk per ``CREATE TABLE`` and per column it defines, with the comments that describe them.

sqlglot's tokenizer reads the text (quotes, ``--`` and ``/* */`` comments, nested parentheses, line numbers);
the statements are not parsed, because whether ``COMMENT '…'`` or ``COMMENT ON`` parses depends on the dialect,
and a schema file rarely says which one it is written in. A column's description gathers the comments above it
and after it on its line, an inline ``COMMENT '…'`` and a ``COMMENT ON COLUMN``; a table's, the comments above it
and a ``COMMENT ON TABLE``. A one-line ``CREATE TABLE t (a INT, b INT)`` has its column chunks too.
"""

from __future__ import annotations

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, Tokenizer, TokenType

from stocktake.errors import StocktakeError
from stocktake.tools.docs.chunk_parts import column_chunk, table_chunk
from stocktake.tools.docs.model import Chunk, DocsSettings

# Identifier quotes the default dialect does not know (MySQL's backticks, SQL Server's brackets) come as tokens.
_QUOTES = {"`", "[", "]", '"'}
_NOT_COLUMNS = {"PRIMARY", "PRIMARY KEY", "FOREIGN", "FOREIGN KEY", "CONSTRAINT", "UNIQUE", "CHECK", "KEY", "INDEX",
                "EXCLUDE"}
# Where a column's type ends and its constraints begin.
_AFTER_TYPE = {"NOT", "NULL", "DEFAULT", "PRIMARY KEY", "PRIMARY", "REFERENCES", "COMMENT", "UNIQUE", "CHECK",
               "AUTO_INCREMENT", "GENERATED", "COLLATE", "CONSTRAINT"}


def chunk_sql(text: str, name: str, source: str, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    try:
        tokens = Tokenizer().tokenize(text)
    except TokenError as exc:
        raise StocktakeError(f"{name}: cannot read the SQL ({str(exc).splitlines()[0][:120]}).",
                             "Close the quote or comment it leaves open, then index it again.", file=name) from None
    notes = _comments_on(tokens)
    chunks = []
    for at in (i for i, t in enumerate(tokens) if t.token_type == TokenType.CREATE):
        found = _create_table(tokens, at)
        if found is None:
            continue
        table, body, end_line = found
        columns = [c for c in (_column(text, d, terminator) for d, terminator in _definitions(tokens, body)) if c]
        description = " ".join(filter(None, [*_notes(tokens[at]), notes.get((table, None))]))
        line = tokens[at].line
        chunks.append(table_chunk(name, table, description, [c[1] for c in columns], source, line, end=end_line))
        chunks += [column_chunk(name, table, col, " ".join(filter(None, [*desc, notes.get((table, col))])), source,
                                n, ctype) for n, col, ctype, desc in columns]
    if not chunks:
        raise StocktakeError(f"{name} holds no CREATE TABLE statement; index prose documentation as .md or .txt.")
    return chunks


def _create_table(tokens: list[Token], at: int) -> tuple[str, int, int] | None:
    """(table, index of the token after its opening parenthesis, line of the closing one) of the ``CREATE`` at
    ``at``; None when it creates something else or has no column list."""
    i = at + 1
    while i < len(tokens) and tokens[i].text.upper() in ("OR", "REPLACE", "TEMP", "TEMPORARY"):
        i += 1
    if i >= len(tokens) or tokens[i].token_type != TokenType.TABLE:
        return None
    opening = next((k for k in range(i + 1, len(tokens)) if tokens[k].token_type == TokenType.L_PAREN), None)
    named = [t.text for t in tokens[i + 1:opening] if t.text not in _QUOTES and t.token_type != TokenType.DOT]
    if opening is None or not named:
        return None
    depth = 0
    for k in range(opening, len(tokens)):
        depth += (tokens[k].token_type == TokenType.L_PAREN) - (tokens[k].token_type == TokenType.R_PAREN)
        if depth == 0:
            return named[-1], opening + 1, tokens[k].line
    return named[-1], opening + 1, tokens[-1].line  # a body cut off before its closing parenthesis


def _definitions(tokens: list[Token], start: int) -> list[tuple[list[Token], Token | None]]:
    """The comma-separated definitions of a ``CREATE TABLE`` body, each with the comma that ends it (None for the
    last): a comment after that comma, on the definition's line, describes the definition."""
    done, current, depth = [], [], 0
    for t in tokens[start:]:
        depth += (t.token_type == TokenType.L_PAREN) - (t.token_type == TokenType.R_PAREN)
        if depth < 0 or (t.token_type == TokenType.COMMA and depth == 0):
            if current:
                done.append((current, t if depth == 0 else None))
            current = []
            if depth < 0:
                return done
        else:
            current.append(t)
    return done + ([(current, None)] if current else [])


def _column(text: str, definition: list[Token], terminator: Token | None) -> tuple[int, str, str | None, list]:
    """(line, column, type, descriptions) of a column definition; None for a constraint."""
    if definition[0].text.upper() in _NOT_COLUMNS:
        return None
    bare = [i for i, t in enumerate(definition) if t.text not in _QUOTES]
    head, rest = definition[bare[0]], definition[bare[0] + 1:]
    rest = rest[1:] if rest and rest[0].text in _QUOTES else rest
    typed = []
    for t in rest:
        if t.text.upper() in _AFTER_TYPE:
            break
        typed.append(t)
    ctype = text[typed[0].start:typed[-1].end + 1] if typed else None
    inline = [rest[k + 1].text for k, t in enumerate(rest[:-1])
              if t.token_type == TokenType.COMMENT and rest[k + 1].token_type == TokenType.STRING]
    after = _notes(terminator) if terminator is not None and terminator.line == definition[-1].line else []
    return head.line, head.text, ctype, [*(n for t in definition for n in _notes(t)), *inline, *after]


def _comments_on(tokens: list[Token]) -> dict[tuple[str, str | None], str]:
    """``COMMENT ON TABLE t IS '…'`` as ``(t, None)``, ``COMMENT ON COLUMN t.c IS '…'`` as ``(t, c)``."""
    notes: dict[tuple[str, str | None], str] = {}
    for i, t in enumerate(tokens[:-3]):
        if t.token_type != TokenType.COMMENT or tokens[i + 1].token_type != TokenType.ON:
            continue
        what = tokens[i + 2].text.upper()
        stop = next((k for k in range(i + 3, len(tokens)) if tokens[k].text.upper() == "IS"), None)
        if what not in ("TABLE", "COLUMN") or stop is None or stop + 1 >= len(tokens):
            continue
        parts = [p.text for p in tokens[i + 3:stop] if p.token_type != TokenType.DOT and p.text not in _QUOTES]
        if tokens[stop + 1].token_type == TokenType.STRING and parts:
            key = (parts[-1], None) if what == "TABLE" else (parts[-2] if len(parts) > 1 else "", parts[-1])
            notes[key] = tokens[stop + 1].text
    return notes


def _notes(token: Token) -> list[str]:
    return [c.strip() for c in token.comments if c.strip()]
