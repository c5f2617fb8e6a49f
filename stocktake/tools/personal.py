"""Which columns hold personal data, one answer for the report, the cleaner and the assistant; and the masking
of what leaves the engines: stored profiles, example rows and SQL results.

Two layers, both from stocktake.tools.pii: every string is masked by value (e-mails, phones, cards...), and
every value of a personal column (a name, an address: not recognisable by shape) is masked whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from stocktake.errors import StocktakeError
from stocktake.settings import GuardSettings, ProfileSettings
from stocktake.tools.pii import MaskSettings, mask_text, mask_whole
from stocktake.tools.profile_model import ColumnProfile, Issue, TableProfile

if TYPE_CHECKING:
    from stocktake.catalog import Catalog
    from stocktake.tools.query import QueryResult

_PERSON = r"first|last|full|middle|given|family|sur|maiden|customer|client|contact|user|buyer|recipient|receiver|" \
          r"sender|holder|cardholder|person|member|patient|employee"


@dataclass(frozen=True)
class PersonalDataSettings:
    # Column names that say what they hold, whatever the values look like (a name is not recognisable by shape),
    # matched against the name in snake case (``CustomerName`` reads as ``customer_name``).
    name_pattern: str = (rf"(e_?mail|phone|mobile|^name$|(^|_)({_PERSON})_?name($|_)|address|street|ssn|passport|"
                         r"iban|card_?number|birth|^dob$|national_id|resident_id|id_card)")
    semantic_types: tuple[str, ...] = ("email", "phone")  # values recognised as addresses or numbers
    # Quasi-identifiers: no one value names a person, a few together can (Sweeney: zip code, birth date and
    # sex single out most Americans). Name tokens per kind; columns named col_1.. are judged by their values.
    quasi_names: tuple[tuple[str, frozenset[str]], ...] = (
        ("zip code", frozenset({"zip", "zipcode", "postcode", "postal", "plz"})),
        ("age", frozenset({"age", "yob", "birthyear"})),
        ("gender", frozenset({"gender", "sex"})),
        ("occupation", frozenset({"occupation", "job", "profession"})))
    quasi_min_kinds: int = 2  # a table with fewer kinds of them gives no combination to single anyone out
    postal_code_pattern: str = r"\d{5}(-\d{4})?|\d{4}|[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d"  # US, 4-digit, Canada
    gender_values: frozenset[str] = frozenset({"m", "f", "male", "female", "man", "woman", "w", "x", "other"})
    age_range: tuple[int, int] = (0, 120)
    age_min_distinct: int = 10  # ages spread over many values; a 0..5 rating column does not


@dataclass(frozen=True)
class PersonalColumn:
    column: str
    reason: str  # why it counts as personal data, in words
    rows: int | None = None  # rows found holding an address or number in free text; None: the whole column
    kind: str = "direct"  # or "quasi-identifier": personal only together with others, so never masked

    @property
    def direct(self) -> bool:
        return self.kind == "direct"

    def to_dict(self) -> dict:
        return {"column": self.column, "reason": self.reason, "rows": self.rows, "kind": self.kind}


def personal_name(column: str, settings: PersonalDataSettings = PersonalDataSettings()) -> bool:
    from stocktake.tools.profile_semantic import tokens

    return bool(re.search(settings.name_pattern, "_".join(tokens(column)), re.I))


def find_personal_columns(profile: TableProfile,
                          settings: PersonalDataSettings = PersonalDataSettings()) -> tuple[PersonalColumn, ...]:
    """Columns of personal data, in table order: by their values' type, by their name, or by free-text hits;
    then the quasi-identifiers among the rest (kind "quasi-identifier")."""
    hits = {i.column: i.rows for i in profile.issues if i.kind == "pii"}
    found = []
    for c in profile.columns:
        if c.semantic_type in settings.semantic_types:
            found.append(PersonalColumn(c.name, f"{c.semantic_type} values"))
        elif personal_name(c.name, settings):
            found.append(PersonalColumn(c.name, "its name says it holds personal data"))
        elif c.name in hits:
            found.append(PersonalColumn(c.name, "free text with personal data (e-mail, phone, card or id numbers)",
                                        hits[c.name]))
    direct = {p.column for p in found}
    return tuple(found) + quasi_identifiers([c for c in profile.columns if c.name not in direct], settings)


def quasi_identifiers(columns: Sequence[ColumnProfile],
                      settings: PersonalDataSettings = PersonalDataSettings()) -> tuple[PersonalColumn, ...]:
    """Columns that single out a person only together (zip code, age, gender), when the table holds at least
    ``quasi_min_kinds`` kinds of them; each one's reason names the combination."""
    kinds = [(c, kind) for c in columns if (kind := quasi_kind(c, settings))]
    named = [kind for kind, _ in settings.quasi_names if any(k == kind for _, k in kinds)]
    if len(named) < settings.quasi_min_kinds:
        return ()
    together = ", ".join(named[:-1]) + f" and {named[-1]}"
    return tuple(PersonalColumn(c.name, f"quasi-identifier ({kind}): {together} together can single out a person",
                                kind="quasi-identifier") for c, kind in kinds)


def quasi_kind(c: ColumnProfile, settings: PersonalDataSettings = PersonalDataSettings()) -> str | None:
    """"zip code", "age", "gender" or "occupation" by the column's name; for a name that says nothing (col_5),
    by its values: postal codes, a handful of gender codes, ages spread over 0..120 in whole years."""
    from stocktake.tools.profile_semantic import is_generic_name, tokens

    words = set(tokens(c.name))
    for kind, names in settings.quasi_names:
        if words & names:
            return kind
    if not is_generic_name(c.name) or not c.top_values:
        return None
    values = [str(v).strip() for v, _ in c.top_values]
    if c.type == "string" and all(re.fullmatch(settings.postal_code_pattern, v) for v in values):
        return "zip code"
    if c.type == "string" and c.distinct and c.distinct <= 3 and {v.lower() for v in values} <= settings.gender_values:
        return "gender"
    low, high = settings.age_range
    if c.type == "integer" and c.semantic_type == "number" and isinstance(c.min, int) and low <= c.min \
            and c.max <= high and (c.distinct or 0) >= settings.age_min_distinct:
        return "age"
    return None


def whole_columns(profile: TableProfile, settings: PersonalDataSettings = PersonalDataSettings()) -> frozenset[str]:
    """The columns whose every value is personal (free text with a few numbers in it is masked by value;
    quasi-identifiers are not personal one by one)."""
    return frozenset(c.column for c in find_personal_columns(profile, settings) if c.rows is None and c.direct)


# ---- stored profiles ----------------------------------------------------------------------------------
def mask_profile(profile: TableProfile, mask: MaskSettings = MaskSettings(),
                 settings: PersonalDataSettings = PersonalDataSettings()) -> TableProfile:
    """The profile as it may be stored and shown: the values of personal columns (top values, min and max,
    histogram labels, examples, values quoted in messages) masked whole, and their numeric statistics left out
    (the quantiles of phone numbers stored as integers are phone numbers); every other string masked by value."""
    personal = whole_columns(profile, settings)
    columns = tuple(_mask_column(c, c.name in personal, mask) for c in profile.columns)
    issues = tuple(_mask_issue(i, personal, mask) for i in profile.issues)
    coverage = profile.time_coverage
    if coverage and coverage.get("column") in personal:
        coverage = {**coverage, "first": mask_whole(coverage["first"], mask),
                    "last": mask_whole(coverage["last"], mask), "gaps": []}
    return replace(profile, columns=columns, issues=issues, time_coverage=coverage)


def _mask_column(c: ColumnProfile, personal: bool, mask: MaskSettings) -> ColumnProfile:
    fn = (lambda v: mask_whole(v, mask)) if personal else (lambda v: mask_text(v, mask) if isinstance(v, str) else v)
    hist = c.histogram
    if hist and hist.get("labels"):
        hist = {**hist, "labels": [fn(v) for v in hist["labels"]]}
    elif personal:
        hist = None
    top = tuple((fn(v), n) for v, n in c.top_values)
    if personal and c.type != "string":
        return replace(c, min=None, max=None, mean=None, std=None, quantiles={}, top_values=top, histogram=hist)
    return replace(c, min=fn(c.min), max=fn(c.max), top_values=top, histogram=hist)


def _mask_issue(i: Issue, personal: frozenset[str], mask: MaskSettings) -> Issue:
    if i.column not in personal:
        return replace(i, message=mask_text(i.message, mask),
                       examples=tuple(mask_pairs(e, personal, mask) for e in i.examples),
                       details=_map_strings(i.details, lambda v: mask_text(v, mask)))
    message = i.message
    quoted = [*i.examples, *([i.details["value"]] if i.details.get("value") is not None else [])]
    for value in sorted({s for v in quoted for s in (str(v), repr(v))}, key=len, reverse=True):
        if len(value) > 1:  # messages quote the values they are about (constant_column)
            message = message.replace(value, str(mask_whole(value, mask)))
    examples = tuple(mask_pairs(e, personal, mask) if e.startswith("row ") else str(mask_whole(e, mask))
                     for e in i.examples)
    details = _map_strings(i.details, lambda v: mask_whole(v, mask))
    if "value" in details:
        details["value"] = mask_whole(details["value"], mask)
    return replace(i, message=mask_text(message, mask), examples=examples, details=details)


def _map_strings(tree: Any, fn: Callable[[Any], Any]) -> Any:
    """Every string in nested dicts and lists (keys included: category clusters are keyed by value) through fn."""
    if isinstance(tree, dict):
        return {fn(k) if isinstance(k, str) else k: _map_strings(v, fn) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_map_strings(v, fn) for v in tree]
    return fn(tree) if isinstance(tree, str) else tree


# ---- example rows and records -------------------------------------------------------------------------
def mask_record(record: dict, personal: Iterable[str], mask: MaskSettings = MaskSettings()) -> dict:
    """A row as a dict: the values of personal columns masked whole, other text masked by value."""
    personal = set(personal)
    return {k: mask_whole(v, mask) if k in personal else mask_text(v, mask) if isinstance(v, str) else v
            for k, v in record.items()}


def mask_pairs(text: str, personal: Iterable[str], mask: MaskSettings = MaskSettings()) -> str:
    """``column=value`` text (the profiler's example rows) with the values of personal columns masked whole and
    everything else masked by value."""
    for column in personal:
        # A value runs to the next ", other=" pair, a closing bracket, the " (xN)" repeat count or the end.
        pattern = rf"(?<![\w.]){re.escape(column)}=([^,)]*?)(?=, [\w.]+=|\)|\s\(x\d+\)$|$)"
        text = re.sub(pattern, lambda m: f"{column}={mask_whole(m.group(1), mask)}", text)
    return mask_text(text, mask)


# ---- SQL results ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonalColumns:
    """The personal columns of some assets: ``{asset: columns}``, and which of them hold no text (a phone number
    stored as an integer), so that numbers read from them are masked too."""
    by_asset: dict[str, frozenset[str]] = field(default_factory=dict)
    not_text: frozenset[tuple[str, str]] = frozenset()

    def of(self, asset: str) -> frozenset[str]:
        return self.by_asset.get(asset, frozenset())

    def names(self) -> frozenset[str]:
        return frozenset(c.lower() for cols in self.by_asset.values() for c in cols)


def load_personal_columns(catalog: Catalog, assets: Iterable[str],
                          settings: PersonalDataSettings = PersonalDataSettings()) -> PersonalColumns:
    """The personal columns of these assets from their own profiles (cached; no other asset is read). An asset
    that cannot be profiled counts as personal throughout: nothing of it is shown unmasked."""
    from stocktake.tools.profile_local import local_profile

    by_asset, not_text = {}, set()
    for name in assets:
        asset = catalog.get(name)
        try:
            personal = whole_columns(local_profile(catalog, asset, ProfileSettings()), settings)
        except StocktakeError:  # a damaged snapshot fails its own query; here it only masks more
            personal = frozenset(c.name for c in asset.columns)
        by_asset[asset.name] = personal
        not_text |= {(asset.name, c.name) for c in asset.columns if c.name in personal and c.type != "string"}
    return PersonalColumns(by_asset, frozenset(not_text))


def mask_result(result: QueryResult, personal: PersonalColumns,
                settings: GuardSettings = GuardSettings()) -> QueryResult:
    """A SQL result as a model or a user may see it. Every text cell is masked by value. Where the statement
    reads a personal column at all (by name, through ``*``, ``COLUMNS(...)`` or a whole row), every text cell
    is masked whole, since an alias or an expression (``lower(name) AS l``, ``to_json(u)``) would carry the
    values out under another name; numbers too where that column holds no text. A result column named like a
    personal column is masked whole whatever it holds."""
    if not settings.mask_pii:
        return result
    mask = MaskSettings(settings.mask_max_chars)
    read = [(a, c) for a, c in result.reads if c in personal.of(a)]
    whole_text, whole_all = bool(read), any(r in personal.not_text for r in read)
    named = {i for i, name in enumerate(result.columns) if name.lower() in personal.names()}

    def cell(value: Any, i: int) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return mask_whole(value, mask) if whole_text or i in named else mask_text(value, mask)
        return mask_whole(value, mask) if whole_all or i in named else value

    rows = tuple(tuple(cell(v, i) for i, v in enumerate(row)) for row in result.rows)
    return replace(result, rows=rows)


def mask_by_source(result: QueryResult, sources: Sequence[tuple[str, str] | None], personal: PersonalColumns,
                   settings: GuardSettings = GuardSettings()) -> QueryResult:
    """A result whose every column is known to show one source column (SQL built by code from a checked plan,
    never typed): a personal column's values masked whole, every other text cell masked by value. Where the
    columns and the sources do not line up, ``mask_result``'s whole-statement rule applies instead."""
    if not settings.mask_pii:
        return result
    if len(sources) != len(result.columns):
        return mask_result(result, personal, settings)
    mask = MaskSettings(settings.mask_max_chars)
    whole = [s is not None and s[1] in personal.of(s[0]) for s in sources]

    def cell(value: Any, i: int) -> Any:
        if value is None:
            return None
        if whole[i]:
            return mask_whole(value, mask)
        return mask_text(value, mask) if isinstance(value, str) else value

    return replace(result, rows=tuple(tuple(cell(v, i) for i, v in enumerate(row)) for row in result.rows))


def select_masked(catalog: Catalog, sql: str, *, params: Sequence | None = None,
                  settings: GuardSettings = GuardSettings()) -> QueryResult:
    """run_select under ``settings``' limits, its result through mask_result with the personal columns of the
    assets the statement reads (and no other asset)."""
    from stocktake.tools.query import run_select

    result = run_select(catalog, sql, params=params, settings=settings)
    if not settings.mask_pii:
        return result
    return mask_result(result, load_personal_columns(catalog, dict.fromkeys(a for a, _ in result.reads)), settings)
