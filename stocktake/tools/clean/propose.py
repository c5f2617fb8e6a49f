"""Proposals: an ordered list of cleaning steps for one table, each with what, why and its parameters.

The profiler's issues say where the problems are; each rule below turns them into a step. Where an issue
lacks what a step needs (a canonical spelling, the column that says which duplicate is latest), or where no
profiler issue exists for a column, a rule falls back on a small check of its own. The label audit, when
one was saved for this very version, supplies relabelling suggestions.

Every proposal is tried in order on the table left by the ones before it, so its row count is what
accepting all of them in order would do, and a proposal that would change nothing is left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

import importlib.util

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.tools.clean.steps import get_step


@dataclass(frozen=True)
class CleanSettings:
    date_min_parsed: float = 0.8  # share of a text column's values that must parse before proposing dates
    numeric_min_parsed: float = 0.95  # same for converting text to numbers
    category_max_distinct: int = 500
    category_max_distinct_share: float = 0.5
    typo_min_length: int = 5  # shorter spellings are merged only when their fingerprints match exactly
    fill_max_missing: float = 0.5  # above this share, a fill would invent most of the column
    drop_max_missing: float = 0.5
    orphan_max_share: float = 0.5  # more orphans than this means the key types or the relation are wrong
    audit_min_confidence: float = 0.5
    free_text_min_distinct_share: float = 0.5
    key_max_duplicate_share: float = 0.05  # a "key" repeated more often than this is no key
    id_name: str = r"(^id$|_id$|^id_|id$)"
    code_name: str = r"(id$|_id|^id|no$|num|number|code|zip|postal|phone|sku|invoice)"  # numbers that stay text
    time_name: str = r"(time|timestamp|date|_ts$|^ts$|_at$|created|updated)"
    non_negative_name: str = (r"(price|amount|cost|value|total|qty|quantity|freight|weight|length|height|width"
                              r"|count|installments|age|stock)")
    pii_name: str = r"(e-?mail|phone|mobile|^name$|full_?name|first_?name|last_?name|surname|address|street|ssn)"
    latest_name: str = r"(updated|modified|changed|_at$|timestamp|time|date)"


@dataclass(frozen=True)
class Proposal:
    kind: str
    params: dict
    what: str
    why: str
    rows: int | None = None


@dataclass
class _Context:
    catalog: Catalog
    asset: str
    version: int
    kind: str
    df: pd.DataFrame
    issues: tuple
    settings: CleanSettings
    audit: object | None = None
    seen: set = field(default_factory=set)

    def issues_of(self, kind: str) -> list:
        return [i for i in self.issues if i.kind == kind]

    def strings(self) -> list[str]:
        return [c for c in self.df.columns if _is_text(self.df[c])]


def propose_steps(catalog: Catalog, asset: str, version: int | None = None,
                  settings: CleanSettings = CleanSettings()) -> list[Proposal]:
    """The ordered proposals for one asset version, each with the rows it changes in sequence."""
    meta = catalog.get(asset, version)
    df = catalog.load(asset, meta.version)
    ctx = _Context(catalog, asset, meta.version, meta.kind, df, _profile_issues(catalog, asset, meta.version),
                   settings, _label_audit(catalog, asset, meta.version))
    drafts = [p for rule in RULES for p in rule(ctx)]
    return _sequence(df, drafts)


def _sequence(df: pd.DataFrame, drafts: list[Proposal]) -> list[Proposal]:
    out = []
    for draft in drafts:
        step = get_step(draft.kind)
        try:
            after = step.apply(df, draft.params)
        except StocktakeError:
            continue
        preview = step.preview(df, draft.params, 0)
        if preview.rows_affected:
            out.append(Proposal(draft.kind, step.validate(draft.params), draft.what, draft.why,
                                preview.rows_affected))
            df = after
    return out


def _profile_issues(catalog: Catalog, asset: str, version: int) -> tuple:
    if importlib.util.find_spec("stocktake.tools.profile") is None:
        return ()  # without the profiler the rules' own checks still propose steps
    from stocktake.tools.profile import profile_asset

    return tuple(profile_asset(catalog, asset, version).issues)


def _label_audit(catalog: Catalog, asset: str, version: int):
    from stocktake.tools.classify.audit import load_audit

    report = load_audit(catalog.ws, asset)
    return report if report is not None and report.asset_version == version else None


# ---- the rules, in the order their steps should run --------------------------------------------------------

def _exact_duplicates(ctx: _Context) -> list[Proposal]:
    n = int(ctx.df.duplicated().sum())
    if not n:
        return []
    return [Proposal("drop_duplicates", {}, "drop exact duplicate rows",
                     f"{n} rows are exact copies of an earlier row; keeping them double-counts.")]


def _text_spacing(ctx: _Context) -> list[Proposal]:
    cols = [c for c in ctx.strings() if _spacing_fixes(ctx.df[c])]
    if not cols:
        return []
    counts = ", ".join(f"{c} ({_spacing_fixes(ctx.df[c])})" for c in cols)
    return [Proposal("normalise_text", {"columns": cols}, f"trim and collapse spaces in {', '.join(cols)}",
                     f"values with leading, trailing or repeated spaces: {counts}; they break grouping and joins.")]


def _categories(ctx: _Context) -> list[Proposal]:
    out = []
    from_issues = {i.column: i for i in ctx.issues_of("inconsistent_categories")}
    personal = re.compile(ctx.settings.pii_name, re.I)
    for col in ctx.strings():
        if personal.search(col):
            continue  # names are not categories: 'Ana Silva' and 'Ana Silvo' are two people
        issue = from_issues.get(col)
        clusters = (issue.details or {}).get("clusters") if issue else None
        if not clusters and not _is_category(ctx.df[col], ctx.settings):
            continue
        mapping = _mapping_from(clusters, ctx.df[col]) if clusters else cluster_spellings(ctx.df[col], ctx.settings)
        if not mapping:
            continue
        groups = Counter(mapping.values())
        examples = "; ".join(f"{canon} <- {', '.join(repr(v) for v in mapping if mapping[v] == canon)}"
                             for canon in list(groups)[:3])
        out.append(Proposal(
            "unify_categories", {"column": col, "mapping": mapping},
            f"unify {len(mapping)} spellings in {col}",
            f"{col} has spellings that differ only in case, spacing, accents or one typo ({examples}); "
            "the most frequent spelling is proposed as canonical; edit 'mapping' to choose another.",
        ))
    return out


def _types(ctx: _Context) -> list[Proposal]:
    out = []
    skip = re.compile(f"{ctx.settings.time_name}|{ctx.settings.code_name}", re.I)
    for col in ctx.strings():
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


def _dates(ctx: _Context) -> list[Proposal]:
    out = []
    flagged = {i.column for i in ctx.issues_of("unparseable_values")}
    time_name = re.compile(ctx.settings.time_name, re.I)
    for col in ctx.strings():
        values = ctx.df[col].dropna()
        if values.empty or not (col in flagged or time_name.search(col) or values.str.match(r"^\d{4}-\d\d-\d\d").mean() > 0.5):
            continue
        iso = pd.to_datetime(values, format="ISO8601", errors="coerce").notna().mean()
        if iso < ctx.settings.date_min_parsed:
            continue
        bad = values[pd.to_datetime(values, format="ISO8601", errors="coerce").isna()]
        sample = ", ".join(repr(v) for v in bad.unique()[:3])
        why = f"{col} holds dates as text; {len(bad)} values don't parse as ISO dates" + (
            f" (such as {sample}) and become missing" if len(bad) else "")
        out.append(Proposal("parse_dates", {"column": col, "format": "ISO8601"}, f"parse {col} as dates",
                            why + "; use unparseable=drop to drop those rows instead."))
    return out


def _ranges(ctx: _Context) -> list[Proposal]:
    out = []
    flagged = {i.column for i in ctx.issues_of("negative_values")}
    name = re.compile(ctx.settings.non_negative_name, re.I)
    entity = ctx.kind in ("users", "products")
    for col in ctx.df.columns:
        s = ctx.df[col]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            continue
        if col not in flagged and not name.search(str(col)):
            continue
        n = int(s.lt(0).fillna(False).sum())
        if not n:
            continue
        # Blanking keeps a product or user row that others point to; an order line with a negative amount goes.
        action = "null" if entity else "drop"
        out.append(Proposal(
            "out_of_range", {"column": col, "min": 0, "action": action}, f"{action} negative {col}",
            f"{n} rows have a negative {col}, which cannot be right for an amount or count "
            f"(returns or sign errors); action=cap sets them to 0, action=drop removes the rows.",
        ))
    return out


def _missing(ctx: _Context) -> list[Proposal]:
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
                                    f"{n} rows ({share:.1%}) have no {col}; they cannot be joined or attributed."))
            continue
        if share > st.fill_max_missing or time_name.search(str(col)) or pd.api.types.is_datetime64_any_dtype(s):
            continue  # a missing timestamp usually means "not happened yet"; a mostly-empty column is no gap
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out.append(Proposal("fill_missing", {"column": col, "strategy": "median"}, f"fill missing {col}",
                                f"{n} rows have no {col}; the median is proposed (use strategy=mean|mode or "
                                "value=...)."))
        elif _is_text(s) and _is_category(s, st):
            out.append(Proposal("fill_missing", {"column": col, "strategy": "value", "value": "unknown"},
                                f"fill missing {col}",
                                f"{n} rows have no {col}; 'unknown' keeps them visible as their own group "
                                "(choose another value=...)."))
    return out


def _key_duplicates(ctx: _Context) -> list[Proposal]:
    keys = [_key_of(i) for i in ctx.issues_of("duplicate_key")]
    keys = [k for k in keys if k] or _own_key(ctx)
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
                            f"{n} rows repeat a {', '.join(key)} with different values; {which} is kept."))
    return out


def _orphans(ctx: _Context) -> list[Proposal]:
    out = []
    relations = [_relation_of(i) for i in ctx.issues_of("orphan_foreign_keys")]
    relations = [r for r in relations if r] or _own_relations(ctx)
    for col, parent, parent_col in relations:
        if col not in ctx.df.columns or not ctx.catalog.exists(parent):
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
            f"{n} rows point to a {col} that {parent}.{parent_col} (version {meta.version}) doesn't have.",
        ))
    return out


def _mislabels(ctx: _Context) -> list[Proposal]:
    report = ctx.audit
    if report is None or report.label_col not in ctx.df.columns:
        return []
    changes = {str(s.row): s.suggested for s in report.suspects if s.confidence >= ctx.settings.audit_min_confidence}
    if not changes:
        return []
    return [Proposal("relabel", {"column": report.label_col, "changes": changes},
                     f"relabel {len(changes)} suspected mislabels in {report.label_col}",
                     f"the label audit ({report.method}) found {len(changes)} rows whose text fits another "
                     f"{report.label_col} with confidence >= {ctx.settings.audit_min_confidence}; "
                     "edit 'changes' to keep some.")]


def _pii(ctx: _Context) -> list[Proposal]:
    out = []
    flagged = {i.column for i in ctx.issues_of("pii")}
    name = re.compile(ctx.settings.pii_name, re.I)
    for col in ctx.strings():
        if name.search(col):
            out.append(Proposal("mask_pii", {"column": col, "method": "hash"}, f"hash {col}",
                                f"{col} holds personal data; a short hash keeps it joinable without exposing it "
                                "(method=drop_column removes it)."))
            continue
        # Sequencing drops this proposal again where no value holds an address or number.
        if col in flagged or _is_free_text(ctx.df[col], ctx.settings):
            out.append(Proposal("mask_pii", {"column": col, "method": "redact"},
                                f"redact e-mails and phone numbers in {col}",
                                f"values of {col} contain e-mail addresses or phone numbers; they are replaced by "
                                "[email] / [phone] and the rest of the text is kept."))
    return out


RULES = (_exact_duplicates, _text_spacing, _categories, _types, _dates, _ranges, _missing, _key_duplicates,
         _orphans, _mislabels, _pii)


# ---- small checks ------------------------------------------------------------------------------------------

def fingerprint(value: str) -> str:
    """Case, accents, spacing and punctuation removed: 'Home  &  Kitchen' and 'home&kitchen' match."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", plain.lower())


def osa_distance(a: str, b: str, limit: int = 1) -> int:
    """Edit distance counting a swap of neighbours as one edit; stops early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def cluster_spellings(series: pd.Series, settings: CleanSettings = CleanSettings()) -> dict[str, str]:
    """{variant: canonical} for values equal up to case/spacing/accents/punctuation or one typo.

    The canonical spelling of a cluster is its most frequent one. Fingerprints that differ in their
    digits are never merged ('casa_conforto' and 'casa_conforto_2' are different categories).
    """
    counts = series.dropna().astype(str).value_counts()
    groups: dict[str, list[str]] = {}
    for value in counts.index:
        groups.setdefault(fingerprint(value), []).append(value)
    prints = sorted(groups, key=lambda fp: -sum(counts[v] for v in groups[fp]))
    parent = {fp: fp for fp in prints}
    for i, a in enumerate(prints):
        if len(a) < settings.typo_min_length:
            continue
        for b in prints[:i]:
            if parent[b] == b and len(b) >= settings.typo_min_length and re.sub(r"\D", "", a) == re.sub(r"\D", "", b) \
                    and osa_distance(a, b) <= 1:
                parent[a] = b
                break
    clusters: dict[str, list[str]] = {}
    for fp in prints:
        clusters.setdefault(parent[fp], []).extend(groups[fp])
    mapping = {}
    for values in clusters.values():
        if len(values) > 1:
            canonical = max(values, key=lambda v: (counts[v], -values.index(v)))
            mapping.update({v: canonical for v in values if v != canonical})
    return mapping


def _mapping_from(clusters: dict, series: pd.Series) -> dict[str, str]:
    """A profiler's {canonical: [variants]} as {variant: canonical}, also covering trimmed variants."""
    mapping = {}
    for canonical, variants in clusters.items():
        for v in variants:
            for form in {v, " ".join(str(v).split())}:
                if form != canonical:
                    mapping[form] = canonical
    return mapping


def _spacing_fixes(series: pd.Series) -> int:
    values = series.dropna()
    if values.empty:
        return 0
    return int((values != values.str.strip().str.replace(r"\s+", " ", regex=True)).sum())


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) and not pd.api.types.is_datetime64_any_dtype(series) and (
        series.dropna().map(type).eq(str).all())


def _is_category(series: pd.Series, st: CleanSettings) -> bool:
    values = series.dropna()
    distinct = values.nunique()
    return 1 < distinct <= st.category_max_distinct and distinct <= st.category_max_distinct_share * len(values)


def _is_free_text(series: pd.Series, st: CleanSettings) -> bool:
    values = series.dropna()
    return len(values) > 0 and values.nunique() >= st.free_text_min_distinct_share * len(values) and \
        values.str.contains(" ").mean() > 0.5


def _key_of(issue) -> list[str] | None:
    details = issue.details or {}
    key = details.get("key") or details.get("columns") or ([issue.column] if issue.column else None)
    return [key] if isinstance(key, str) else list(key) if key else None


def _own_key(ctx: _Context) -> list[list[str]]:
    """The asset's own id column, named after its kind (orders -> order_id), when the profiler gave none."""
    singular = ctx.kind.removesuffix("s") if ctx.kind != "other" else ""
    candidates = [f"{singular}_id", "id"] if singular else ["id"]
    return [[c] for c in candidates if c in ctx.df.columns][:1]


def _latest_column(ctx: _Context, key: list[str]) -> str | None:
    name = re.compile(ctx.settings.latest_name, re.I)
    cols = [c for c in ctx.df.columns if c not in key and name.search(str(c))
            and (pd.api.types.is_datetime64_any_dtype(ctx.df[c]) or _is_text(ctx.df[c]))]
    updated = [c for c in cols if re.search(r"updated|modified|changed", str(c), re.I)]
    return (updated or cols or [None])[0]


def _relation_of(issue) -> tuple[str, str, str] | None:
    details = issue.details or {}
    parent = details.get("parent_asset") or details.get("parent")
    parent_col = details.get("parent_column") or issue.column
    return (issue.column, parent, parent_col) if parent and issue.column else None


def _own_relations(ctx: _Context) -> list[tuple[str, str, str]]:
    """Foreign keys by name: an ``x_id`` column of this table that is the unique key of another asset."""
    out = []
    for col in ctx.df.columns:
        if not str(col).endswith("_id"):
            continue
        for other in ctx.catalog.list_assets():
            if other.name == ctx.asset or col not in {c.name for c in other.columns}:
                continue
            keys = ctx.catalog.load(other.name, columns=[col])[col].dropna()
            if len(keys) and keys.duplicated().mean() <= ctx.settings.key_max_duplicate_share:
                out.append((col, other.name, col))
                break
    return out
