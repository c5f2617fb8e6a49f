"""The step kinds that rewrite values: fill, parse dates, normalise text, unify spellings, bound a range, cast a
type, mask personal data, relabel rows."""

from __future__ import annotations

import hashlib
import operator
import re
from functools import reduce

import pandas as pd

from stocktake.errors import ParameterError, Remedy
from stocktake.tools.clean.step import Param, Step, shown
from stocktake.tools.profile.pii import EMAIL, PHONE

# The profiler's patterns, so that redacting a column clears what its profile counted; the exported script
# carries them as text.
EMAIL_PATTERN = EMAIL.regex.pattern
PHONE_PATTERN = PHONE.regex.pattern
# A phone number has at least this many digits and doesn't look like a date ("10.10.2018", "2018-08-15 10").
PHONE_MIN_DIGITS = 9
DATE_LIKE = r"\d{4}-\d\d-\d\d|\d\d?[./-]\d\d?[./-]\d{2,4}"


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
