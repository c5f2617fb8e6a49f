"""Row conditions for cleaning steps: a small typed form, parsed from text by hand and compiled by code.

``Quantity < 0 and Country == "France"`` becomes a tree of comparisons (column, operator, value) joined by
and / or / not. Nothing in the text is ever evaluated: the tokenizer knows names, quoted strings, numbers and a
fixed set of operators, and anything else (``@``, ``.``, a call, a lambda) is a one-line error. Each comparison
compiles to one pandas method from a fixed table (``eq``, ``lt``, ``isin``, ``str.contains``...) with the
parsed value as its argument; the same call is what ``apply`` makes and what the exported script writes, so
the two cannot drift apart.

A comparison with a missing value is false; ``!=``, ``not in`` and ``not`` are exact negations, so they are true
there (``status != "paid"`` holds for a row with no status, as in pandas).
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass
from functools import reduce
from typing import Union

import pandas as pd

from stocktake.errors import StocktakeError, UnknownNameError

SYNTAX = ('comparisons such as: Quantity < 0 and Country == "France" (operators = != < <= > >=, in [..], not in '
          '[..], is null, is not null, contains, startswith, endswith; joined with and, or, not, and parentheses)')


@dataclass(frozen=True)
class ConditionLimits:
    max_chars: int = 2_000
    max_depth: int = 32  # nested parentheses and nots
    max_terms: int = 200  # comparisons in one condition
    max_list: int = 1_000  # values in one ``in [...]``


Value = Union[int, float, str, bool]


@dataclass(frozen=True)
class Compare:
    column: str
    op: str  # = != < <= > >= in notin null notnull contains startswith endswith
    value: Value | tuple[Value, ...] | None = None


@dataclass(frozen=True)
class Join:
    op: str  # and, or
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Union[Compare, Join, Not]

# The one pandas method each operator compiles to (after ``df[column]``), and how its value is passed.
_METHODS = {"=": "eq", "!=": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge", "in": "isin", "notin": "isin",
            "null": "isna", "notnull": "isna", "contains": "str.contains", "startswith": "str.startswith",
            "endswith": "str.endswith"}
_TEXT_OPS = ("contains", "startswith", "endswith")
_ORDER_OPS = ("<", "<=", ">", ">=")
_NEGATED = ("!=", "notin", "notnull")  # compiled as ``~`` of the positive call, so a missing value is true
_ALIASES = {"==": "=", "<>": "!="}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?![\w.])
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<quoted>`[^`]*`)
  | (?P<name>[^\W\d]\w*)
  | (?P<op>==|!=|<>|<=|>=|=|<|>|&|\||~|\(|\)|\[|\]|,)
""", re.VERBOSE)
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t"}
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "none", "true", "false", *_TEXT_OPS}


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    at: int
    value: object = None


def parse(text: object, limits: ConditionLimits = ConditionLimits()) -> Condition:
    """The typed form of a condition text, or a one-line error saying where and what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise StocktakeError(f"A condition is text with {SYNTAX}; got {text!r}.")
    if len(text) > limits.max_chars:
        raise StocktakeError(f"The condition is {len(text):,} characters long; at most {limits.max_chars:,} are "
                             "allowed. Split it into several steps.")
    parser = _Parser(text, _tokens(text), limits)
    tree = parser.expression(0)
    parser.expect_end()
    return tree


def _fail(text: str, at: int, what: str) -> StocktakeError:
    shown = text if len(text) <= 80 else text[:77] + "…"
    return StocktakeError(f"Condition {shown!r} is not valid: {what} at character {at + 1}. Write {SYNTAX}.")


def _tokens(text: str) -> list[_Token]:
    out, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise _fail(text, at, "a quote that is never closed" if text[at] in "\"'`" else f"unexpected {text[at]!r}")
        kind, raw = match.lastgroup, match.group()
        if kind == "number":
            value = float(raw) if re.search(r"[.eE]", raw) else int(raw)
            if not (math.isfinite(value) if isinstance(value, float) else -2**63 <= value < 2**63):
                raise _fail(text, at, f"the number {raw} is out of range")
            out.append(_Token("number", raw, at, value))
        elif kind == "string":
            out.append(_Token("string", raw, at, _unquote(text, at, raw)))
        elif kind == "quoted":
            out.append(_Token("name", raw, at, raw[1:-1]))
        elif kind == "name":
            low = raw.lower()
            out.append(_Token("keyword", low, at) if low in _KEYWORDS else _Token("name", raw, at, raw))
        elif kind == "op":
            out.append(_Token("op", _ALIASES.get(raw, raw), at))
        at = match.end()
    return [*out, _Token("end", "", len(text))]


def _unquote(text: str, at: int, raw: str) -> str:
    body, out, i = raw[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            if body[i + 1] not in _ESCAPES:
                raise _fail(text, at + i + 1, f"unknown escape \\{body[i + 1]}")
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


class _Parser:
    """Recursive descent: or < and < not < comparison, with the depth and size limits checked as it goes."""

    def __init__(self, text: str, tokens: list[_Token], limits: ConditionLimits):
        self.text, self.tokens, self.limits, self.pos, self.terms = text, tokens, limits, 0, 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def at(self, *texts: str) -> bool:
        return self.token.kind in ("keyword", "op") and self.token.text in texts

    def error(self, what: str, found: bool = True) -> StocktakeError:
        if not found:
            return _fail(self.text, self.token.at, what)
        return _fail(self.text, self.token.at, f"{what}, found {self.token.text!r}" if self.token.kind != "end"
                     else f"{what}, but the condition ends")

    def expect_end(self) -> None:
        if self.token.kind != "end":
            raise self.error("expected and, or or the end")

    def expression(self, depth: int) -> Condition:
        if depth > self.limits.max_depth:
            raise self.error(f"more than {self.limits.max_depth} levels of nesting")
        return self.joined("or", ("or", "|"), lambda: self.joined("and", ("and", "&"), lambda: self.negated(depth)))

    def joined(self, op: str, words: tuple[str, ...], part) -> Condition:
        parts = [part()]
        while self.at(*words):
            self.take()
            parts.append(part())
        return parts[0] if len(parts) == 1 else Join(op, tuple(parts))

    def negated(self, depth: int) -> Condition:
        if self.at("not", "~"):
            self.take()
            if depth + 1 > self.limits.max_depth:
                raise self.error(f"more than {self.limits.max_depth} levels of nesting")
            return Not(self.negated(depth + 1))
        if self.at("("):
            self.take()
            inner = self.expression(depth + 1)
            if not self.at(")"):
                raise self.error("expected ')'")
            self.take()
            return inner
        return self.comparison()

    def comparison(self) -> Compare:
        if self.token.kind != "name":
            raise self.error("expected a column name (quote a name with spaces in backticks: `Unit Price`)")
        column = self.take().value
        self.terms += 1
        if self.terms > self.limits.max_terms:
            raise self.error(f"more than {self.limits.max_terms} comparisons")
        if self.at("=", "!=", *_ORDER_OPS):
            op = self.take().text
            return Compare(column, op, self.value(f"a value to compare {column} with"))
        if self.at("is"):
            self.take()
            negate = self.at("not")
            if negate:
                self.take()
            if not self.at("null", "none"):
                raise self.error("expected null after 'is'")
            self.take()
            return Compare(column, "notnull" if negate else "null")
        if self.at("not", "in"):
            negate = self.take().text == "not"
            if negate:
                if not self.at("in"):
                    raise self.error("expected 'in' after 'not'")
                self.take()
            return Compare(column, "notin" if negate else "in", self.values())
        if self.at(*_TEXT_OPS):
            op = self.take().text
            if self.token.kind != "string":
                raise self.error(f"expected a quoted text after {op}")
            return Compare(column, op, self.take().value)
        raise self.error(f"expected an operator after the column {column!r}")

    def value(self, what: str) -> Value:
        token = self.token
        if token.kind in ("number", "string"):
            return self.take().value
        if self.at("true", "false"):
            return self.take().text == "true"
        if self.at("null", "none"):
            raise self.error("a comparison with null is never true; write 'is null' or 'is not null'", found=False)
        raise self.error(f"expected {what} (a number, a quoted text, true or false)")

    def values(self) -> tuple[Value, ...]:
        if not self.at("[", "("):
            raise self.error("expected a list such as [1, 2] or ['a', 'b']")
        close = "]" if self.take().text == "[" else ")"
        items = [self.value("a value in the list")]
        while self.at(","):
            self.take()
            if self.at(close):
                break
            items.append(self.value("a value in the list"))
            if len(items) > self.limits.max_list:
                raise self.error(f"more than {self.limits.max_list:,} values in one list")
        if not self.at(close):
            raise self.error(f"expected ',' or '{close}'")
        self.take()
        return tuple(items)


# ---- checking against a table ---------------------------------------------------------------------

def comparisons(tree: Condition) -> list[Compare]:
    if isinstance(tree, Compare):
        return [tree]
    if isinstance(tree, Not):
        return comparisons(tree.part)
    return [c for part in tree.parts for c in comparisons(part)]


def check_columns(tree: Condition, columns: list[str]) -> None:
    for c in comparisons(tree):
        if c.column not in columns:
            raise UnknownNameError("column", c.column, [str(n) for n in columns])


def check_types(tree: Condition, dtypes: pd.Series) -> None:
    """Every value fits its column's type, and every operator makes sense for it; else a one-line error."""
    check_columns(tree, list(dtypes.index))
    for c in comparisons(tree):
        _check_one(c, dtypes[c.column])


def _family(dtype) -> str:
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


def _check_one(c: Compare, dtype) -> None:
    if c.op in ("null", "notnull"):
        return
    family = _family(dtype)
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    if c.op in _TEXT_OPS and family != "text":
        raise StocktakeError(f"Column {c.column!r} holds {family} values, so '{c.op}' does not apply; it is for text "
                             "columns. Compare it with = != < <= > >= instead.")
    if c.op in _ORDER_OPS and family == "boolean":
        raise StocktakeError(f"Column {c.column!r} holds true/false values; compare it with = or != only.")
    if family == "date" and c.op in ("in", "notin"):
        raise StocktakeError(f"Column {c.column!r} holds dates; select a range with >= and < instead of a list.")
    for v in values:
        if not _fits(v, family, dtype):
            wanted = {"number": "a number", "boolean": "true or false", "text": "a quoted text",
                      "date": "a quoted date such as '2024-01-31'"}[family]
            raise StocktakeError(f"Column {c.column!r} holds {family} values; compare it with {wanted}, "
                                 f"not {json.dumps(v)}.")


def _fits(value: Value, family: str, dtype) -> bool:
    if family == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if family == "boolean":
        return isinstance(value, bool)
    if family == "text":
        return isinstance(value, str)
    try:
        stamp = pd.Timestamp(value) if isinstance(value, str) else None
    except (ValueError, TypeError, OverflowError):
        return False
    # A zone-less column compares with zone-less dates only (pandas refuses the mix).
    zoned_column = getattr(dtype, "tz", None) is not None
    return stamp is not None and stamp is not pd.NaT and (stamp.tzinfo is None or zoned_column)


# ---- compiling: one pandas call per comparison, made directly or written as code -------------------

def _arguments(c: Compare) -> tuple[tuple, dict]:
    if c.op in ("null", "notnull"):
        return (), {}
    if c.op in ("in", "notin"):
        return (list(c.value),), {}
    if c.op == "contains":
        return (c.value,), {"regex": False, "na": False}
    if c.op in ("startswith", "endswith"):
        return (c.value,), {"na": False}
    return (c.value,), {}


def mask(tree: Condition, df: pd.DataFrame) -> pd.Series:
    """The rows of ``df`` the condition holds for, as a boolean Series (missing values count as false)."""
    if isinstance(tree, Not):
        return ~mask(tree.part, df)
    if isinstance(tree, Join):
        return reduce(operator.and_ if tree.op == "and" else operator.or_, (mask(p, df) for p in tree.parts))
    method = df[tree.column]
    for name in _METHODS[tree.op].split("."):
        method = getattr(method, name)
    args, kwargs = _arguments(tree)
    result = method(*args, **kwargs).fillna(False).astype(bool)
    return ~result if tree.op in _NEGATED else result


def code(tree: Condition) -> str:
    """The pandas expression ``mask`` computes, over a DataFrame named ``df``."""
    if isinstance(tree, Not):
        return f"~{code(tree.part)}"
    if isinstance(tree, Join):
        return "(" + (" & " if tree.op == "and" else " | ").join(code(p) for p in tree.parts) + ")"
    args, kwargs = _arguments(tree)
    written = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    call = f"df[{tree.column!r}].{_METHODS[tree.op]}({written}).fillna(False).astype(bool)"
    return f"~{call}" if tree.op in _NEGATED else call


def text(tree: Condition, top: bool = True) -> str:
    """The condition written back in its own grammar, as it was understood (for descriptions)."""
    if isinstance(tree, Not):
        inner = text(tree.part, False)
        return f"not {inner}" if inner.startswith("(") else f"not ({inner})"
    if isinstance(tree, Join):
        inner = f" {tree.op} ".join(text(p, False) for p in tree.parts)
        return inner if top else f"({inner})"
    name = tree.column if re.fullmatch(r"[^\W\d]\w*", tree.column) and tree.column.lower() not in _KEYWORDS \
        else f"`{tree.column}`"
    if tree.op in ("null", "notnull"):
        return f"{name} is {'not ' if tree.op == 'notnull' else ''}null"
    if tree.op in ("in", "notin"):
        listed = ", ".join(json.dumps(v, ensure_ascii=False) for v in tree.value)
        return f"{name} {'not in' if tree.op == 'notin' else 'in'} [{listed}]"
    return f"{name} {tree.op} {json.dumps(tree.value, ensure_ascii=False)}"
