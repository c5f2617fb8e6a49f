"""Cleaning step types: each applies itself with direct pandas calls on validated parameters, and writes the
same calls as a few lines of pandas code for the exported script.

Nothing is ever evaluated: ``apply`` calls pandas methods, and ``lines`` renders those calls with the
parameters as ``repr`` of validated values, never by pasting raw text. That the script does exactly what
``apply`` does is checked by running the script for every step kind (tests/test_clean_script.py).

Steps keep the DataFrame index (the row number in the session's base table) so that previews can put a
row's before and after side by side and relabelling can name rows of the base table.
"""

from __future__ import annotations

import hashlib
import operator
import os
import re
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from stocktake.errors import ParameterError, Remedy, StocktakeError, UnknownNameError
from stocktake.tools.clean import condition
from stocktake.tools.profile import is_id_name

EMAIL_PATTERN = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
PHONE_PATTERN = r"(?<![\w+])\+?\(?\d[\d ().-]{6,}\d(?!\w)"
# A phone number has at least this many digits and doesn't look like a date ("10.10.2018", "2018-08-15 10").
PHONE_MIN_DIGITS = 9
DATE_LIKE = r"\d{4}-\d\d-\d\d|\d\d?[./-]\d\d?[./-]\d{2,4}"

_REQUIRED = object()
JSON_NAMES = {str: "a text", int: "a whole number", float: "a number", bool: "true or false", dict: "an object",
              list: "a list"}


def shown(value, limit: int = 60) -> str:
    """A value for an error message, cut short: it may come from a tampered file."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Param:
    name: str
    default: Any = _REQUIRED
    choices: tuple = ()
    column: bool = False  # a column name, or a list of them, that must exist in the table
    many: bool = False  # a list; a single name is taken as a list of one
    help: str = ""
    types: tuple[type, ...] = ()  # the JSON types a value may have (None aside, where it is the default)


@dataclass(frozen=True)
class Preview:
    rows_affected: int
    rows_removed: int
    rows_changed: int
    columns_removed: tuple[str, ...]
    before: list[dict]  # the columns the step changes come first, after ``_row``
    after: list[dict | None]  # None for a row the step removes
    columns_changed: tuple[str, ...] = ()
    # For a step that keeps one row of each group of duplicates: beside each sampled row it removed, the row
    # kept in its place (None for the others), so a preview shows what stays, not only what goes.
    kept: list[dict | None] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "rows_affected": self.rows_affected, "rows_removed": self.rows_removed,
            "rows_changed": self.rows_changed, "columns_removed": list(self.columns_removed),
            "columns_changed": list(self.columns_changed),
            "before": self.before, "after": self.after, "kept": self.kept,
        }


class Step:
    """A kind of cleaning step; subclasses define ``params``, ``describe``, ``run`` and ``lines``."""

    kind: ClassVar[str]
    summary: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()

    def validate(self, params: dict, table: pd.DataFrame | None = None) -> dict:
        """Parameters with defaults filled in; a clear error for a missing, unknown or out-of-choice one, and,
        given the table the step would run on, for a column it lacks."""
        if not isinstance(params, dict):
            raise ParameterError(f"The parameters of step '{self.kind}' must be an object of names and values, "
                                 f"not {type(params).__name__}.", field="params", valid="an object")
        columns = None if table is None else list(table.columns)
        known = {p.name for p in self.params}
        unknown = sorted(map(str, set(params) - known))
        if unknown:
            raise ParameterError(
                f"Step '{self.kind}' has no parameter {', '.join(unknown)}; it takes: {', '.join(sorted(known))}.",
                field=unknown[0], valid=", ".join(sorted(known)))
        out = {}
        for p in self.params:
            value = params.get(p.name, p.default)
            if value is _REQUIRED:
                raise ParameterError(f"Step '{self.kind}' needs the parameter '{p.name}' ({p.help}).", field=p.name,
                                     valid=p.help)
            self._check_value(p, value, columns)
            out[p.name] = [value] if p.many and isinstance(value, str) else value
        return out

    def _check_value(self, p: Param, value, columns: list[str] | None) -> None:
        where = f"Parameter '{p.name}' of step '{self.kind}'"
        if p.choices and value not in p.choices:
            valid = ", ".join(map(str, p.choices))
            raise ParameterError(f"{where} is {shown(value)}; use one of: {valid}.", field=p.name, valid=valid)
        if p.types and value is not None and (not isinstance(value, p.types) or isinstance(value, bool)
                                              and bool not in p.types):
            names = " or ".join(JSON_NAMES[t] for t in p.types)
            raise ParameterError(f"{where} must be {names} ({p.help or p.name}), not {shown(value)}.", field=p.name,
                                 valid=names)
        if p.column and value is not None:
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not p.many and not isinstance(value, str) \
                    or not all(isinstance(n, str) for n in names):
                valid = f"a column name{' or a list of them' if p.many else ''}"
                raise ParameterError(f"{where} must be {valid}, not {shown(value)}.", field=p.name, valid=valid)
            for name in names if columns is not None else ():
                if name not in columns:
                    raise UnknownNameError("column", name, columns)

    def describe(self, params: dict) -> str:
        raise NotImplementedError

    def run(self, df: pd.DataFrame, p: dict) -> pd.DataFrame:
        """The step on a copy of the table, by direct pandas calls (``p`` validated)."""
        raise NotImplementedError

    def lines(self, p: dict) -> list[str]:
        """What ``run`` does, as pandas code that reads and rebinds ``df`` (``p`` validated)."""
        raise NotImplementedError

    def code(self, params: dict) -> str:
        """Pandas code that reads and rebinds ``df``; it needs only ``pd``, ``np``, ``re`` and ``hashlib``."""
        return "\n".join(self.lines(self.validate(params)))

    def apply(self, df: pd.DataFrame, params: dict) -> pd.DataFrame:
        params = self.validate(params, df)
        try:
            return self.run(df.copy(), params)
        # Parameters come from users (a column of the wrong type, a value that does not convert).
        except (KeyError, IndexError, ValueError, TypeError, AttributeError, OverflowError, OSError) as exc:
            raise StocktakeError(
                f"Step '{self.kind}' ({self.describe(params)}) failed on this table: {type(exc).__name__}: {exc}. "
                "Edit its parameters or reject it."
            ) from None

    def kept_rows(self, before: pd.DataFrame, after: pd.DataFrame, p: dict) -> pd.Series | None:
        """For a step that keeps one row of each group of duplicates: the row kept for each row removed (both as
        row numbers of the base table); None for every other step (``p`` validated)."""
        return None

    def preview(self, df: pd.DataFrame, params: dict, n: int = 5) -> Preview:
        after = self.apply(df, params)
        return compare(df, after, n, kept=self.kept_rows(df, after, self.validate(params, df)))


@dataclass(frozen=True)
class PreviewSettings:
    text_chars: int = 60  # a longer changed text is shown as this many characters around its first change
    text_lead: int = 15  # of which this many come before the change, for context


def compare(before: pd.DataFrame, after: pd.DataFrame, n: int = 5,
            settings: PreviewSettings = PreviewSettings(), kept: pd.Series | None = None) -> Preview:
    """What a step did: rows removed, rows whose values changed, and up to ``n`` of them before and after, the
    columns the step changes first, then a key column that names the row, then the rest.

    The sample leads with the notable rows, those removed or with a value that became missing (the dates that
    did not parse), then the merely rewritten ones; a long changed text shows the part around its change.
    ``kept`` (a step's ``kept_rows``) names the row that stays for each removed duplicate."""
    removed = before.index.difference(after.index)
    common = before.index.intersection(after.index)
    shared = [c for c in before.columns if c in after.columns]
    changed = np.zeros(len(common), dtype=bool)
    lost = np.zeros(len(common), dtype=bool)  # a value that was there is now missing
    touched = []
    for col in shared:
        b, a = before.loc[common, col], after.loc[common, col]
        if b.dtype != a.dtype:  # a new type changes every value, even where 17850.0 == 17850
            differs = (b.notna() | a.notna()).to_numpy()
        else:
            differs = ((b != a) & ~(b.isna() & a.isna())).fillna(True).astype(bool).to_numpy()
        changed |= differs
        lost |= (b.notna() & a.isna()).to_numpy()
        if differs.any():
            touched.append(col)
    gone_columns = tuple(c for c in before.columns if c not in after.columns)
    changed_rows = common if gone_columns else common[changed]
    affected = removed.union(changed_rows)
    notable = removed.union(common[lost])
    sample = notable[:n].append(affected.difference(notable)[:max(0, n - len(notable))])
    first = [*gone_columns, *touched]
    key = next((c for c in before.columns if c not in first and is_id_name(str(c))), None)
    order = [*first, *([key] if key is not None else []), *(c for c in before.columns if c not in first and c != key)]
    shown_before = records(before.loc[sample, order])
    shown_after = [records(after.loc[[i], [c for c in order if c in after.columns]])[0] if i in after.index else None
                   for i in sample]
    for row_before, row_after in zip(shown_before, shown_after):
        for col in touched if row_after is not None else ():
            row_before[str(col)], row_after[str(col)] = clip_change(row_before[str(col)], row_after[str(col)],
                                                                    settings)
    after_order = [c for c in order if c in after.columns]
    shown_kept = [records(after.loc[[kept[i]], after_order])[0] if kept is not None and i in kept.index else None
                  for i in sample]
    return Preview(
        rows_affected=len(affected), rows_removed=len(removed), rows_changed=len(changed_rows),
        columns_removed=gone_columns, columns_changed=tuple(touched), before=shown_before, after=shown_after,
        kept=shown_kept if any(k is not None for k in shown_kept) else [],
    )


def kept_of_duplicates(before: pd.DataFrame, after: pd.DataFrame, key: list) -> pd.Series:
    """For each row that ``after`` lacks, the row of ``after`` with the same values in ``key`` (missing values
    equal, as ``drop_duplicates`` counts them)."""
    groups = before.groupby(key, dropna=False, sort=False).ngroup()
    kept = pd.Series(after.index, index=groups.loc[after.index].to_numpy())
    kept = kept[~kept.index.duplicated()]
    removed = before.index.difference(after.index)
    return pd.Series(kept.reindex(groups.loc[removed].to_numpy()).to_numpy(), index=removed).dropna().astype(int)


def clip_change(old, new, settings: PreviewSettings = PreviewSettings()) -> tuple:
    """Two long texts cut to the same window around their first difference, with "…" where text is left out, so
    a change in the middle of a review is in view; anything else as it is."""
    if not (isinstance(old, str) and isinstance(new, str)) or max(len(old), len(new)) <= settings.text_chars:
        return old, new
    at = len(os.path.commonprefix([old, new]))
    start = max(0, min(at - settings.text_lead, max(len(old), len(new)) - settings.text_chars))

    def cut(text: str) -> str:
        end = start + settings.text_chars
        return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")

    return cut(old), cut(new)


def records(df: pd.DataFrame) -> list[dict]:
    """Rows as JSON-friendly dicts with their base row number."""
    out = []
    for idx, row in df.iterrows():
        item = {"_row": int(idx)}
        for col, value in row.items():
            item[str(col)] = None if _is_missing(value) else (value.isoformat() if hasattr(value, "isoformat") else
                                                              value.item() if hasattr(value, "item") else value)
        out.append(item)
    return out


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# ---- the step kinds ------------------------------------------------------------------------------

class DropDuplicates(Step):
    kind, summary = "drop_duplicates", "drop exact duplicate rows, keeping the first"
    params = (Param("subset", None, column=True, many=True, help="columns to compare; all by default"),)

    def describe(self, p):
        return "drop exact duplicate rows" + (f" (on {', '.join(p['subset'])})" if p["subset"] else "")

    def run(self, df, p):
        return df.drop_duplicates(subset=p["subset"], keep="first")

    def kept_rows(self, before, after, p):
        return kept_of_duplicates(before, after, p["subset"] or list(before.columns))

    def lines(self, p):
        return [f"df = df.drop_duplicates(subset={p['subset']!r}, keep='first')"]


class DedupeByKey(Step):
    kind, summary = "dedupe_key", "keep one row per key: the latest by a column, or the first/last seen"
    params = (
        Param("key", column=True, many=True, help="the key columns, a list"),
        Param("order_by", None, column=True, help="the column that says which row is latest"),
        Param("keep", "last", choices=("last", "first")),
    )

    def describe(self, p):
        which = f"the {'latest' if p['keep'] == 'last' else 'earliest'} by {p['order_by']}" if p["order_by"] \
            else f"the {p['keep']} seen"
        return f"keep one row per {', '.join(p['key'])} ({which})"

    def kept_rows(self, before, after, p):
        return kept_of_duplicates(before, after, p["key"])

    def run(self, df, p):
        if p["order_by"] is None:
            return df.drop_duplicates(subset=p["key"], keep=p["keep"])
        keep = df.sort_values(p["order_by"], kind="stable", na_position="first") \
            .drop_duplicates(subset=p["key"], keep=p["keep"]).index
        return df[df.index.isin(keep)]

    def lines(self, p):
        if p["order_by"] is None:
            return [f"df = df.drop_duplicates(subset={p['key']!r}, keep={p['keep']!r})"]
        return [
            f"keep = df.sort_values({p['order_by']!r}, kind='stable', na_position='first')"
            f".drop_duplicates(subset={p['key']!r}, keep={p['keep']!r}).index",
            "df = df[df.index.isin(keep)]",
        ]


class DropMissing(Step):
    kind, summary = "drop_missing", "drop rows where any of the columns is missing"
    params = (Param("columns", column=True, many=True, help="a list of columns"),)

    def describe(self, p):
        return f"drop rows with no {', '.join(p['columns'])}"

    def run(self, df, p):
        return df.dropna(subset=p["columns"])

    def lines(self, p):
        return [f"df = df.dropna(subset={p['columns']!r})"]


class FillMissing(Step):
    kind, summary = "fill_missing", "fill missing values of a column with a value, the median, mean or mode"
    params = (
        Param("column", column=True),
        Param("strategy", "value", choices=("value", "median", "mean", "mode")),
        Param("value", None, help="the fill value when strategy is 'value'", types=(str, int, float, bool)),
    )

    def validate(self, params, table=None):
        p = super().validate(params, table)
        if p["strategy"] == "value" and p["value"] is None:
            raise ParameterError(f"Step 'fill_missing' on '{p['column']}' needs",
                                 (Remedy("param", pair="value=..."), " (or strategy=median|mean|mode)"),
                                 field="value", valid="a fill value")
        return p

    def describe(self, p):
        how = repr(p["value"]) if p["strategy"] == "value" else f"the {p['strategy']}"
        return f"fill missing {p['column']} with {how}"

    def run(self, df, p):
        col = df[p["column"]]
        fill = {"value": lambda: p["value"], "median": col.median, "mean": col.mean,
                "mode": lambda: col.mode().iloc[0]}[p["strategy"]]()
        df[p["column"]] = col.fillna(fill)
        return df

    def lines(self, p):
        col = p["column"]
        fill = {"value": repr(p["value"]), "median": f"df[{col!r}].median()", "mean": f"df[{col!r}].mean()",
                "mode": f"df[{col!r}].mode().iloc[0]"}[p["strategy"]]
        return [f"df[{col!r}] = df[{col!r}].fillna({fill})"]


class ParseDates(Step):
    kind, summary = "parse_dates", "parse a text column as dates; unparseable values become missing or are dropped"
    params = (
        Param("column", column=True),
        Param("format", "ISO8601", help="ISO8601, mixed, or a strptime format such as %d/%m/%Y", types=(str,)),
        Param("dayfirst", False, choices=(False, True)),
        Param("unparseable", "null", choices=("null", "drop")),
    )

    def describe(self, p):
        tail = "drop rows that don't parse" if p["unparseable"] == "drop" else "unparseable values become missing"
        return f"parse {p['column']} as dates ({p['format']}; {tail})"

    def run(self, df, p):
        col = p["column"]
        parsed = pd.to_datetime(df[col], format=p["format"], errors="coerce",
                                **({"dayfirst": True} if p["dayfirst"] else {}))
        if p["unparseable"] == "drop":
            return df[parsed.notna() | df[col].isna()].assign(**{col: parsed})
        df[col] = parsed
        return df

    def lines(self, p):
        col = p["column"]
        parse = f"parsed = pd.to_datetime(df[{col!r}], format={p['format']!r}, errors='coerce'" + (
            ", dayfirst=True)" if p["dayfirst"] else ")")
        if p["unparseable"] == "drop":
            return [parse, f"df = df[parsed.notna() | df[{col!r}].isna()].assign(**{{{col!r}: parsed}})"]
        return [parse, f"df[{col!r}] = parsed"]


class NormaliseText(Step):
    kind, summary = "normalise_text", "trim text, collapse repeated spaces, optionally change case"
    params = (
        Param("columns", column=True, many=True, help="a list of text columns"),
        Param("case", None, choices=(None, "lower", "upper", "title")),
    )
    CASES = {"lower": lambda s: s.str.lower(), "upper": lambda s: s.str.upper(), "title": lambda s: s.str.title()}

    def describe(self, p):
        case = f", {p['case']} case" if p["case"] else ""
        return f"trim and collapse spaces in {', '.join(p['columns'])}{case}"

    def run(self, df, p):
        for col in p["columns"]:
            text = df[col].str.strip().str.replace(r"\s+", " ", regex=True)
            df[col] = self.CASES[p["case"]](text) if p["case"] else text
        return df

    def lines(self, p):
        case = f".str.{p['case']}()" if p["case"] else ""
        return [
            f"for col in {p['columns']!r}:",
            f"    df[col] = df[col].str.strip().str.replace(r'\\s+', ' ', regex=True){case}",
        ]


class UnifyCategories(Step):
    kind, summary = "unify_categories", "map variant spellings of a category onto one canonical value"
    params = (Param("column", column=True), Param("mapping", help="{variant: canonical}", types=(dict,)))

    def describe(self, p):
        return f"unify {len(p['mapping'])} spellings in {p['column']} onto {len(set(p['mapping'].values()))} values"

    def run(self, df, p):
        df[p["column"]] = df[p["column"]].replace(dict(p["mapping"]))
        return df

    def lines(self, p):
        return [f"df[{p['column']!r}] = df[{p['column']!r}].replace({dict(p['mapping'])!r})"]


class OutOfRange(Step):
    kind, summary = "out_of_range", "drop, cap or blank values outside [min, max]"
    params = (
        Param("column", column=True),
        Param("min", None), Param("max", None),
        Param("action", "drop", choices=("drop", "cap", "null")),
    )

    def validate(self, params, table=None):
        p = super().validate(params, table)
        if p["min"] is None and p["max"] is None:
            raise ParameterError(f"Step 'out_of_range' on '{p['column']}' needs",
                                 Remedy("param", pair="min=... or max=..."), field="min", valid="a number")
        for bound in ("min", "max"):
            if p[bound] is not None and (not isinstance(p[bound], (int, float)) or isinstance(p[bound], bool)):
                raise ParameterError(f"Parameter '{bound}' of step 'out_of_range' must be a number, not "
                                     f"{shown(p[bound])}.", field=bound, valid="a number")
        return p

    def describe(self, p):
        col, low, high = p["column"], p["min"], p["max"]
        if p["action"] == "drop":
            return f"drop rows with {col} " + " or ".join(
                f"{side} {bound}" for side, bound in (("below", low), ("above", high)) if bound is not None)
        return "set " + " and ".join(
            f"{col} {side} {bound} to {bound if p['action'] == 'cap' else 'missing'}"
            for side, bound in (("below", low), ("above", high)) if bound is not None)

    def effects(self, p) -> str:
        """What each action does to the values outside the range, the chosen one marked: for a why-text."""
        bounds = " or ".join(str(b) for b in (p["min"], p["max"]) if b is not None)
        said = {"null": "makes them missing (the rows stay)",
                "cap": f"sets them to {bounds}" + (", whichever is nearer" if " or " in bounds else ""),
                "drop": "removes their rows"}
        return "; ".join(f"action={a}{' (proposed)' if a == p['action'] else ''} {text}"
                         for a, text in said.items()) + "."

    def run(self, df, p):
        col = p["column"]
        if p["action"] == "cap":
            df[col] = df[col].clip(lower=p["min"], upper=p["max"])
            return df
        tests = [*([df[col].lt(p["min"])] if p["min"] is not None else []),
                 *([df[col].gt(p["max"])] if p["max"] is not None else [])]
        bad = reduce(operator.or_, tests).fillna(False).astype(bool)
        if p["action"] == "drop":
            return df[~bad]
        df[col] = df[col].mask(bad)
        return df

    def lines(self, p):
        col = p["column"]
        if p["action"] == "cap":
            return [f"df[{col!r}] = df[{col!r}].clip(lower={p['min']!r}, upper={p['max']!r})"]
        tests = [f"df[{col!r}].lt({p['min']!r})" if p["min"] is not None else "",
                 f"df[{col!r}].gt({p['max']!r})" if p["max"] is not None else ""]
        out = [f"bad = ({' | '.join(t for t in tests if t)}).fillna(False).astype(bool)"]
        return out + (["df = df[~bad]"] if p["action"] == "drop" else [f"df[{col!r}] = df[{col!r}].mask(bad)"])


class CastType(Step):
    kind, summary = "cast_type", "convert a column to integer, float or text; values that don't convert become missing"
    params = (Param("column", column=True), Param("to", choices=("integer", "float", "string")))
    CASTS = {"integer": lambda s: pd.to_numeric(s, errors="coerce").astype("Int64"),
             "float": lambda s: pd.to_numeric(s, errors="coerce").astype("float64"),
             "string": lambda s: s.astype("str")}

    def describe(self, p):
        return f"convert {p['column']} to {p['to']}"

    def run(self, df, p):
        df[p["column"]] = self.CASTS[p["to"]](df[p["column"]])
        return df

    def lines(self, p):
        col = p["column"]
        expr = {"integer": f"pd.to_numeric(df[{col!r}], errors='coerce').astype('Int64')",
                "float": f"pd.to_numeric(df[{col!r}], errors='coerce').astype('float64')",
                "string": f"df[{col!r}].astype('str')"}[p["to"]]
        return [f"df[{col!r}] = {expr}"]


def short_hash(value) -> str:
    return "h_" + hashlib.sha256(str(value).encode()).hexdigest()[:12]


def phone_or_text(match: re.Match) -> str:
    """``[phone]`` for a match with enough digits that is no date; the script carries a copy (``phone``)."""
    text = match.group()
    digits = len(re.sub(r"\D", "", text))
    return text if digits < PHONE_MIN_DIGITS or re.search(DATE_LIKE, text) else "[phone]"


class MaskPII(Step):
    kind, summary = "mask_pii", "hash a personal-data column, redact e-mails and phones in text, or drop the column"
    params = (Param("column", column=True), Param("method", "hash", choices=("hash", "redact", "drop_column")))

    def describe(self, p):
        how = {"hash": "replace each value by a short hash (still joinable)",
               "redact": "replace e-mail addresses and phone numbers by [email] / [phone]",
               "drop_column": "drop the column"}[p["method"]]
        return f"mask personal data in {p['column']}: {how}"

    def run(self, df, p):
        col = p["column"]
        if p["method"] == "drop_column":
            return df.drop(columns=[col])
        if p["method"] == "hash":
            df[col] = df[col].map(short_hash, na_action="ignore")
        else:
            df[col] = df[col].str.replace(EMAIL_PATTERN, "[email]", regex=True) \
                .str.replace(PHONE_PATTERN, phone_or_text, regex=True)
        return df

    def lines(self, p):
        col = p["column"]
        if p["method"] == "drop_column":
            return [f"df = df.drop(columns=[{col!r}])"]
        if p["method"] == "hash":
            return [f"df[{col!r}] = df[{col!r}].map(lambda v: 'h_' + hashlib.sha256(str(v).encode()).hexdigest()[:12],"
                    " na_action='ignore')"]
        return [
            "def phone(match):",
            "    text = match.group()",
            "    digits = len(re.sub(r'\\D', '', text))",
            f"    return text if digits < {PHONE_MIN_DIGITS} or re.search({DATE_LIKE!r}, text) else '[phone]'",
            f"df[{col!r}] = (df[{col!r}].str.replace({EMAIL_PATTERN!r}, '[email]', regex=True)"
            f".str.replace({PHONE_PATTERN!r}, phone, regex=True))",
        ]


class Relabel(Step):
    kind, summary = "relabel", "set new labels on given rows (row numbers of the base table)"
    params = (Param("column", column=True), Param("changes", help="{row: new label}", types=(dict,)))

    def describe(self, p):
        return f"relabel {len(p['changes'])} rows in {p['column']}"

    def run(self, df, p):
        labels = pd.Series({int(k): v for k, v in p["changes"].items()}, dtype=object)
        hit = labels.index.intersection(df.index)
        df.loc[hit, p["column"]] = labels[hit]
        return df

    def lines(self, p):
        changes = {int(k): v for k, v in p["changes"].items()}
        return [
            f"labels = pd.Series({changes!r}, dtype=object)",
            "hit = labels.index.intersection(df.index)",
            f"df.loc[hit, {p['column']!r}] = labels[hit]",
        ]


class DropOrphans(Step):
    kind, summary = "drop_orphans", "drop rows whose key has no match in the parent table"
    params = (
        Param("column", column=True), Param("parent_asset", types=(str,)), Param("parent_version", types=(int,)),
        Param("parent_column", types=(str,)),
        Param("parent_path", help="the parent version's Parquet snapshot", types=(str,)),
    )

    def describe(self, p):
        parent = f"{p['parent_asset']}.{p['parent_column']} (v{p['parent_version']})"
        return f"drop rows whose {p['column']} is not in {parent}"

    def run(self, df, p):
        parent_keys = pd.read_parquet(p["parent_path"], columns=[p["parent_column"]])[p["parent_column"]]
        return df[df[p["column"]].isin(parent_keys) | df[p["column"]].isna()]

    def lines(self, p):
        return [
            f"parent_keys = pd.read_parquet({p['parent_path']!r}, columns=[{p['parent_column']!r}])"
            f"[{p['parent_column']!r}]",
            f"df = df[df[{p['column']!r}].isin(parent_keys) | df[{p['column']!r}].isna()]",
        ]


class DropColumns(Step):
    kind, summary = "drop_columns", "drop columns"
    params = (Param("columns", column=True, many=True, help="a list of columns"),)

    def describe(self, p):
        return f"drop the columns {', '.join(p['columns'])}"

    def run(self, df, p):
        return df.drop(columns=p["columns"])

    def lines(self, p):
        return [f"df = df.drop(columns={p['columns']!r})"]


class DropRows(Step):
    kind, summary = "drop_rows", 'drop rows matching a condition, such as: Quantity < 0 and Country == "France"'
    params = (Param("where", types=(str,), help=(
        "the rows to drop: comparisons of a column with a value (= != < <= > >=, in [..], not in [..], is null, "
        "is not null, contains / startswith / endswith 'text'), joined with and, or, not and parentheses; "
        "`Unit Price` in backticks for a name with spaces")),)

    def validate(self, params, table=None):
        p = super().validate(params, table)
        if not p["where"].strip():
            raise ParameterError("Step 'drop_rows' needs",
                                 (Remedy("param", pair="where='<condition>'"), ', such as: price < 0 or '
                                  'status == "cancelled"'), field="where", valid="a condition")
        tree = condition.parse(p["where"])
        if table is not None:
            condition.check_types(tree, table.dtypes)
        return p

    def describe(self, p):
        return f"drop rows where {condition.text(condition.parse(p['where']))}"

    def run(self, df, p):
        return df[~condition.mask(condition.parse(p["where"]), df)]

    def lines(self, p):
        return [f"drop = {condition.code(condition.parse(p['where']))}", "df = df[~drop]"]


STEP_TYPES: dict[str, Step] = {cls.kind: cls() for cls in (
    DropDuplicates, DedupeByKey, DropMissing, FillMissing, ParseDates, NormaliseText, UnifyCategories,
    OutOfRange, CastType, MaskPII, Relabel, DropOrphans, DropColumns, DropRows,
)}


def get_step(kind: str) -> Step:
    if not isinstance(kind, str) or kind not in STEP_TYPES:
        raise UnknownNameError("cleaning step kind", shown(kind), STEP_TYPES)
    return STEP_TYPES[kind]


def describe_kinds() -> list[dict]:
    """Every step kind with its parameters, for help texts and the agent."""
    return [
        {"kind": s.kind, "summary": s.summary,
         "params": [{"name": p.name, "required": p.default is _REQUIRED,
                     "default": None if p.default is _REQUIRED else p.default,
                     "choices": list(p.choices), "help": p.help} for p in s.params]}
        for s in STEP_TYPES.values()
    ]
