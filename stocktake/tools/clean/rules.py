"""The proposal rules, in the order their steps should run: each turns the profiler's findings on one table (and a
small check of its own, where an issue lacks what a step needs) into proposed steps.

Profiler findings that a step would make worse are passed over, with the reason at the rule.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from stocktake.catalog import Catalog
from stocktake.tools.clean.checks import (
    cluster_spellings, is_category, is_free_text, is_text, key_of, mapping_from, spacing_fixes,
)
from stocktake.tools.clean.proposal import CleanSettings, Proposal
from stocktake.tools.clean.steps import get_step
from stocktake.words import plural


@dataclass
class Context:
    catalog: Catalog
    asset: str
    version: int
    kind: str
    df: pd.DataFrame
    issues: tuple
    semantic: dict[str, str]  # the profiler's semantic type of each column (email, free_text, category, ...)
    personal: frozenset[str]  # columns of personal data by their values' type or their name
    settings: CleanSettings
    audit: object | None = None

    def issues_of(self, kind: str) -> list:
        return [i for i in self.issues if i.kind == kind]

    @cached_property
    def strings(self) -> list[str]:
        return [c for c in self.df.columns if is_text(self.df[c])]


def counted(n: int, noun: str, verb: str, verb_many: str) -> str:
    """"1 row has", "2 rows have": a count with its noun and its verb in agreement."""
    return f"{plural(n, noun)} {verb if n == 1 else verb_many}"


def _propose_exact_duplicates(ctx: Context) -> list[Proposal]:
    n = int(ctx.df.duplicated().sum())
    if not n:
        return []
    return [Proposal("drop_duplicates", {}, "drop exact duplicate rows",
                     f"{counted(n, 'row', 'is an exact copy', 'are exact copies')} of an earlier row; keeping "
                     f"{'it' if n == 1 else 'them'} double-counts.")]


def _propose_text_spacing(ctx: Context) -> list[Proposal]:
    cols = [c for c in ctx.strings if spacing_fixes(ctx.df[c])]
    if not cols:
        return []
    counts = ", ".join(f"{c} ({spacing_fixes(ctx.df[c])})" for c in cols)
    return [Proposal("normalise_text", {"columns": cols}, f"trim and collapse spaces in {', '.join(cols)}",
                     f"values with leading, trailing or repeated spaces: {counts}; they break grouping and joins.")]


def _propose_categories(ctx: Context) -> list[Proposal]:
    out = []
    for col in ctx.strings:
        mapping = _spelling_mapping(ctx, col)
        if not mapping:
            continue
        groups = Counter(mapping.values())
        examples = "; ".join(f"{canon} <- {', '.join(repr(v) for v in mapping if mapping[v] == canon)}"
                             for canon in list(groups)[:3])
        out.append(Proposal(
            "unify_categories", {"column": col, "mapping": mapping},
            f"unify {plural(len(mapping), 'spelling')} in {col}",
            f"{col} has spellings that differ only in case, spacing, accents or one typo ({examples}); "
            "the most frequent spelling is proposed as canonical; edit 'mapping' to choose another.",
        ))
    return out


def _spelling_mapping(ctx: Context, col: str) -> dict[str, str]:
    """{variant: canonical} for a category column: the profiler's clusters, else our own."""
    if col in ctx.personal:
        return {}  # names are not categories: 'Ana Silva' and 'Ana Silvo' are two people
    issue = next((i for i in ctx.issues_of("inconsistent_categories") if i.column == col), None)
    clusters = (issue.details or {}).get("clusters") if issue else None
    if clusters:
        return mapping_from(clusters)
    return cluster_spellings(ctx.df[col], ctx.settings) if is_category(ctx.df[col], ctx.settings) else {}


def _propose_types(ctx: Context) -> list[Proposal]:
    out = []
    skip = re.compile(f"{ctx.settings.time_name}|{ctx.settings.code_name}", re.I)
    for col in ctx.strings:
        values = ctx.df[col].dropna()
        if values.empty or skip.search(col):
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        share = numbers.notna().mean()
        # All-numeric text was kept as text on ingest on purpose (leading zeros); only a few junk values are news.
        if ctx.settings.numeric_min_parsed <= share < 1:
            integral = bool((numbers.dropna() % 1 == 0).all())
            out.append(Proposal("cast_type", {"column": col, "to": "integer" if integral else "float"},
                                f"convert {col} to numbers",
                                f"{share:.1%} of {col} are numbers stored as text; the rest become missing."))
    id_name = re.compile(ctx.settings.id_name, re.I)
    for col in ctx.df.columns:
        s = ctx.df[col]
        if pd.api.types.is_float_dtype(s) and id_name.search(str(col)) and s.notna().any() \
                and bool((s.dropna() % 1 == 0).all()):
            out.append(Proposal("cast_type", {"column": col, "to": "integer"}, f"store {col} as integers",
                                f"{col} is an identifier stored as decimals (such as {s.dropna().iloc[0]}); "
                                "integers keep it exact and joinable."))
    return out


def _propose_dates(ctx: Context) -> list[Proposal]:
    out = []
    flagged = {i.column for i in ctx.issues_of("unparseable_values")}
    time_name = re.compile(ctx.settings.time_name, re.I)
    for col in ctx.strings:
        values = ctx.df[col].dropna()
        looks_dated = col in flagged or time_name.search(col) or values.str.match(r"^\d{4}-\d\d-\d\d").mean() > 0.5
        if values.empty or not looks_dated:
            continue
        iso = pd.to_datetime(values, format="ISO8601", errors="coerce").notna().mean()
        if iso < ctx.settings.date_min_parsed:
            continue
        bad = values[pd.to_datetime(values, format="ISO8601", errors="coerce").isna()]
        sample = ", ".join(repr(v) for v in bad.unique()[:3])
        failing = counted(len(bad), "value", "doesn't", "don't")
        why = f"{col} holds dates as text; {failing} parse as ISO dates" + (
            f" (such as {sample}) and {'becomes' if len(bad) == 1 else 'become'} missing" if len(bad) else "")
        out.append(Proposal("parse_dates", {"column": col, "format": "ISO8601"}, f"parse {col} as dates",
                            why + "; use unparseable=drop to drop those rows instead."))
    return out


def _propose_ranges(ctx: Context) -> list[Proposal]:
    """Negative prices and quantities (the profiler knows which columns are those), then outliers."""
    out = []
    entity = ctx.kind in ("users", "products")
    for issue in ctx.issues_of("negative_values"):
        col = issue.column
        if col not in ctx.df.columns:
            continue
        n = int(ctx.df[col].lt(0).fillna(False).sum())
        if not n:
            continue
        # Blanking keeps a product or user row that others point to; an order line with a negative amount goes.
        out.append(_out_of_range(
            {"column": col, "min": 0, "action": "null" if entity else "drop"},
            f"{counted(n, 'row', 'has', 'have')} a negative {col}, which cannot be right for an amount or count "
            "(returns or sign errors)",
        ))
    return out + _propose_outliers(ctx)


def _out_of_range(params: dict, reason: str) -> Proposal:
    """Title and why from the step itself, so both say what its code does with the proposed action."""
    step = get_step("out_of_range")
    checked = step.validate(params)
    return Proposal("out_of_range", checked, step.describe(checked), f"{reason}. {step.effects(checked)}")


def _propose_outliers(ctx: Context) -> list[Proposal]:
    """Prices past the profiler's upper fence and far above every ordinary price: typos (extra digits).

    Values just past the fence are the long tail of real data (furniture among gifts, postage lines, heavy
    freight), so capping them would falsify real rows; counts are left alone for the same reason
    (wholesale orders). Only an isolated, many times larger price is blanked, for the user to look at.
    """
    out = []
    factor = ctx.settings.outlier_gap_multiple
    for issue in ctx.issues_of("outliers"):
        fences = (issue.details or {}).get("fences")
        if not fences or issue.column not in ctx.df.columns or ctx.semantic.get(issue.column) != "price":
            continue
        values = ctx.df[issue.column]
        ordinary = values[values.le(fences[1]).fillna(False).astype(bool)]
        if ordinary.empty:
            continue
        limit = round(max(float(fences[1]), factor * float(ordinary.max())), 4)
        n = int(values.gt(limit).sum())
        if n:
            out.append(_out_of_range(
                {"column": issue.column, "max": limit, "action": "null"},
                f"{plural(n, 'value')} of {issue.column} {'lies' if n == 1 else 'lie'} past the profiler's outlier "
                f"fence and over {factor:g} times the "
                f"largest ordinary {issue.column} ({float(ordinary.max()):.4g}), which usually means a typo",
            ))
    return out


def _propose_missing(ctx: Context) -> list[Proposal]:
    out = []
    st = ctx.settings
    id_name, time_name = re.compile(st.id_name, re.I), re.compile(st.time_name, re.I)
    for col in ctx.df.columns:
        s = ctx.df[col]
        n, share = int(s.isna().sum()), float(s.isna().mean())
        if not n or share == 1:
            continue
        if id_name.search(str(col)):
            if share <= st.drop_max_missing:
                out.append(Proposal("drop_missing", {"columns": [col]}, f"drop rows with no {col}",
                                    f"{plural(n, 'row')} ({share:.1%}) {'has' if n == 1 else 'have'} no {col}; "
                                    "they cannot be joined or attributed."))
            continue
        if share > st.fill_max_missing or time_name.search(str(col)) or pd.api.types.is_datetime64_any_dtype(s):
            continue  # a missing timestamp usually means "not happened yet"; a mostly-empty column is no gap
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out.append(Proposal("fill_missing", {"column": col, "strategy": "median"}, f"fill missing {col}",
                                f"{counted(n, 'row', 'has', 'have')} no {col}; the median is proposed (use "
                                "strategy=mean|mode or value=...)."))
        elif is_text(s) and is_category(s, st):
            out.append(Proposal("fill_missing", {"column": col, "strategy": "value", "value": "unknown"},
                                f"fill missing {col}",
                                f"{counted(n, 'row', 'has', 'have')} no {col}; 'unknown' keeps them visible as their "
                                "own group (choose another value=...)."))
    return out


def _latest_column(ctx: Context, key: list[str]) -> str | None:
    """The column that says which of a key's rows is the latest (an update time before any other time), if any."""
    name = re.compile(ctx.settings.latest_name, re.I)
    cols = [c for c in ctx.df.columns if c not in key and name.search(str(c))
            and (pd.api.types.is_datetime64_any_dtype(ctx.df[c]) or is_text(ctx.df[c]))]
    updated = [c for c in cols if re.search(r"updated|modified|changed", str(c), re.I)]
    return (updated or cols or [None])[0]


def _propose_key_duplicates(ctx: Context) -> list[Proposal]:
    keys = [k for k in (key_of(i) for i in ctx.issues_of("duplicate_key")) if k]
    out = []
    deduped = ctx.df.drop_duplicates()
    for key in keys:
        if not all(k in ctx.df.columns for k in key):
            continue
        n = int(deduped.duplicated(subset=key).sum())
        if not n or n > ctx.settings.key_max_duplicate_share * len(deduped):
            continue
        order_by = _latest_column(ctx, key)
        which = f"the latest by {order_by}" if order_by else "the last one in the file"
        out.append(Proposal("dedupe_key", {"key": key, "order_by": order_by, "keep": "last"},
                            f"keep one row per {', '.join(key)}",
                            f"{counted(n, 'row', 'repeats', 'repeat')} the {', '.join(key)} of another row with "
                            f"different values; {which} is kept (reject this if one key may rightly have several "
                            "rows)."))
    return out


def _propose_orphans(ctx: Context) -> list[Proposal]:
    """Rows whose identifier points nowhere; a category or zip code missing from a lookup table is no orphan."""
    out = []
    id_name = re.compile(ctx.settings.id_name, re.I)
    for issue in ctx.issues_of("orphan_foreign_keys"):
        col, parent = issue.column, (issue.details or {}).get("parent_asset")
        parent_col = (issue.details or {}).get("parent_column", col)
        if col not in ctx.df.columns or not parent or not ctx.catalog.exists(parent):
            continue
        if ctx.semantic.get(col) not in ("identifier", "foreign_key") and not id_name.search(col):
            continue
        meta = ctx.catalog.get(parent)
        keys = ctx.catalog.load(parent, columns=[parent_col])[parent_col]
        s = ctx.df[col]
        n = int((~s.isin(keys) & s.notna()).sum())
        if not n or n > ctx.settings.orphan_max_share * s.notna().sum():
            continue
        out.append(Proposal(
            "drop_orphans",
            {"column": col, "parent_asset": parent, "parent_version": meta.version, "parent_column": parent_col,
             "parent_path": str(meta.path)},
            f"drop rows whose {col} is not in {parent}",
            f"{counted(n, 'row', 'points', 'point')} to a {col} that {parent}.{parent_col} (version {meta.version}) "
            "doesn't have.",
        ))
    return out


def _propose_mislabels(ctx: Context) -> list[Proposal]:
    report = ctx.audit
    if report is None or report.label_col not in ctx.df.columns:
        return []
    # Spelled as the unify step will spell them; a "suspect" that is only a variant spelling is that step's job.
    canon = _spelling_mapping(ctx, report.label_col)
    changes = {str(s.row): canon.get(s.suggested, s.suggested) for s in report.suspects
               if s.confidence >= ctx.settings.audit_min_confidence
               and canon.get(s.suggested, s.suggested) != canon.get(s.given, s.given)}
    if not changes:
        return []
    return [Proposal("relabel", {"column": report.label_col, "changes": changes},
                     f"relabel {plural(len(changes), 'suspected mislabel')} in {report.label_col}",
                     f"the label audit ({report.method}) found {plural(len(changes), 'row')} whose text fits another "
                     f"{report.label_col} with confidence >= {ctx.settings.audit_min_confidence}; "
                     "edit 'changes' to keep some.")]


def _propose_pii(ctx: Context) -> list[Proposal]:
    out = []
    flagged = {i.column for i in ctx.issues_of("pii")}
    for col in ctx.strings:
        if col in ctx.personal:
            out.append(Proposal("mask_pii", {"column": col, "method": "hash"}, f"hash {col}",
                                f"{col} holds personal data; a short hash keeps it joinable without exposing it "
                                "(method=drop_column removes it)."))
            continue
        # Sequencing drops this proposal again where no value holds an address or number.
        if col in flagged or ctx.semantic.get(col) == "free_text" or is_free_text(ctx.df[col], ctx.settings):
            out.append(Proposal("mask_pii", {"column": col, "method": "redact"},
                                f"redact e-mails and phone numbers in {col}",
                                f"values of {col} contain e-mail addresses or phone numbers; they are replaced by "
                                "[email] / [phone] and the rest of the text is kept."))
    return out


RULES = (_propose_exact_duplicates, _propose_text_spacing, _propose_categories, _propose_types, _propose_dates,
         _propose_ranges, _propose_missing, _propose_key_duplicates, _propose_orphans, _propose_mislabels,
         _propose_pii)
