"""SQL results as a model or a user may see them: every text cell masked by value, and the cells that show a
personal column (read by name, through ``*`` or a whole row) masked whole, by the personal columns of the assets
read (from their own cached profiles, no other asset's)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.settings import GuardSettings, ProfileSettings
from stocktake.tools.profile.local import local_profile
from stocktake.tools.profile.personal import whole_columns
from stocktake.tools.profile.pii import MaskSettings, PersonalDataSettings, mask_text, mask_whole
from stocktake.tools.query import QueryResult, run_select


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
    result = run_select(catalog, sql, params=params, settings=settings)
    if not settings.mask_pii:
        return result
    return mask_result(result, load_personal_columns(catalog, dict.fromkeys(a for a, _ in result.reads)), settings)
