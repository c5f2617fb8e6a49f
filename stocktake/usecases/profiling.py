"""Profiles and what they find: one asset's or every asset's, quality issues by kind, personal data, the
relationships between assets, and the rows behind an issue.

Each call reads an asset's cached profile at most once (``Services.reading_profiles``): relations need every
asset's profile, and one question reaches them through several of these. Asked about every asset, an asset that
cannot be profiled (a damaged snapshot, a table beyond the memory limit) is reported on its own (``failed``)
instead of failing the answer about the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stocktake.catalog import Asset
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.settings import ProfileSettings
from stocktake.tools.profile import ISSUE_KINDS, Issue, IssueKind
from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.profile import Correlations
    from stocktake.tools.profile import IssueRows
    from stocktake.tools.profile import PersonalColumn
    from stocktake.tools.profile import Relation, TableProfile

# A kind that names several: "duplicates" are exact copies of rows first, else reused keys.
KIND_GROUPS: dict[str, tuple[str, ...]] = {"duplicates": (IssueKind.DUPLICATE_ROWS, IssueKind.DUPLICATE_KEY)}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
MAX_ISSUE_ROWS = 50  # rows behind an issue shown at once


@dataclass(frozen=True)
class Profiles:
    """Full profiles by asset name, in catalog order, and the assets that could not be profiled with why."""
    found: dict[str, TableProfile]
    failed: dict[str, StocktakeError] = field(default_factory=dict)


@dataclass(frozen=True)
class QualityIssues:
    issues: tuple[Issue, ...]  # most severe first, then the most rows
    scores: dict[str, float]  # every profiled asset's quality score, whatever the kind asked for
    failed: dict[str, StocktakeError] = field(default_factory=dict)


@dataclass(frozen=True)
class PersonalFinding:
    asset: str
    column: PersonalColumn

    def to_dict(self) -> dict:
        return {"asset": self.asset, **self.column.to_dict()}


@dataclass(frozen=True)
class PersonalData:
    columns: tuple[PersonalFinding, ...]  # by asset, in table order
    failed: dict[str, StocktakeError] = field(default_factory=dict)


@dataclass(frozen=True)
class InventoryEntry:
    """One asset as the inventory lists it: its profile (None where it cannot be profiled: ``error`` says why)
    and when its cached profile was written."""
    asset: Asset
    profile: TableProfile | None
    profiled_at: dt.datetime | None
    error: StocktakeError | None = None


def profile(services: Services, name: str, version: int | None = None, *, use_cache: bool = True,
            progress: Progress = no_progress) -> TableProfile:
    """The full profile of one asset version (the latest by default), stored masked: no personal value in it is
    readable."""
    from stocktake.tools.profile import profile_asset

    with services.reading_profiles():
        return profile_asset(services.catalog, services.asset(name).name, version, use_cache=use_cache,
                             progress=progress)


def profiles(services: Services, asset: str | None = None, *, use_cache: bool = True,
             progress: Progress = no_progress) -> Profiles:
    """The profile of ``asset``, or of every asset, each failure on its own."""
    if asset:
        found = profile(services, asset, use_cache=use_cache, progress=progress)
        return Profiles({found.asset: found})
    from stocktake.tools.profile import profile_asset
    from stocktake.tools.profile import readable_profiles

    with services.reading_profiles():
        # Every asset's own profile first, each computed (or, without the cache, recomputed) once; completing
        # one with its relations then reads them from the shared scope.
        readable_profiles(services.catalog, ProfileSettings(), use_cache, progress=progress)
        names = services.catalog.names()
        found, failed = {}, {}
        for done, name in enumerate(names):
            progress("finding relations (assets)", done, len(names))
            try:
                found[name] = profile_asset(services.catalog, name)
            except StocktakeError as exc:
                failed[name] = exc
        return Profiles(found, failed)


def issue_kinds(kind: str | None) -> tuple[str, ...] | None:
    """The kinds of issue that ``kind`` names (None: every kind); an unknown one lists those there are."""
    if not kind:
        return None
    if kind not in ISSUE_KINDS and kind not in KIND_GROUPS:
        raise UnknownNameError("issue kind", kind, (*ISSUE_KINDS, *KIND_GROUPS))
    return KIND_GROUPS.get(kind, (kind,))


def quality_issues(services: Services, asset: str | None = None, kind: str | None = None) -> QualityIssues:
    """The issues of one asset or of every asset, of one kind (or group of kinds) or all."""
    kinds = issue_kinds(kind)
    got = profiles(services, asset)
    found = [i for p in got.found.values() for i in p.issues if kinds is None or i.kind in kinds]
    found.sort(key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), -i.rows))
    scores = {name: p.quality_score for name, p in got.found.items()}
    return QualityIssues(tuple(found), scores, got.failed)


def personal_data(services: Services, asset: str | None = None) -> PersonalData:
    """The columns of one asset or of every asset that hold personal data, and the quasi-identifiers."""
    from stocktake.tools.profile import find_personal_columns

    got = profiles(services, asset)
    found = tuple(PersonalFinding(name, c) for name, p in got.found.items() for c in find_personal_columns(p))
    return PersonalData(found, got.failed)


def relationships(services: Services, asset: str | None = None, other: str | None = None, *,
                  outgoing: bool = False, use_cache: bool = True) -> tuple[Relation, ...]:
    """Relationships that involve ``asset`` (and ``other``, when given), best first; every one when neither is
    given. ``outgoing``: only those from ``asset`` (its columns that point to another asset)."""
    from stocktake.tools.profile import find_relations

    wanted = {services.asset(n).name for n in (asset, other) if n}
    children = [services.asset(asset).name] if outgoing and asset else None
    with services.reading_profiles():
        return tuple(find_relations(services.catalog, children, involving=wanted, use_cache=use_cache))


def inventory(services: Services) -> tuple[InventoryEntry, ...]:
    """Every asset with its profile and when that was written: what a refresh of the inventory shows."""
    from stocktake.tools.profile import cache_path

    with services.reading_profiles():
        got = profiles(services)
        entries = []
        for a in services.catalog.list_assets():
            path = cache_path(services.catalog, a, ProfileSettings())
            written = dt.datetime.fromtimestamp(path.stat().st_mtime) if path.is_file() else None
            entries.append(InventoryEntry(a, got.found.get(a.name), written, got.failed.get(a.name)))
        return tuple(entries)


def find_issue(services: Services, asset: str, kind: str, column: str | None = None) -> Issue | None:
    """The asset's issue of ``kind`` (in ``column`` when given: its real name, matched case-insensitively); of
    the group "duplicates", exact copies of rows, else reused keys. None where it has no such issue."""
    name = services.asset(asset).name
    column = services.column(name, column) if column else None
    issues = profile(services, name).issues
    for k in KIND_GROUPS.get(kind, (kind,)):
        found = next((i for i in issues if i.kind == k and (column is None or i.column == column)), None)
        if found is not None:
            return found
    return None


def issue_examples(services: Services, issue: Issue, limit: int = MAX_ISSUE_ROWS) -> IssueRows:
    """The rows of the issue's asset that it counts (1 to ``MAX_ISSUE_ROWS`` of them), personal values masked."""
    from stocktake.tools.profile import issue_rows

    return issue_rows(services.catalog, issue.asset, issue, min(max(1, limit), MAX_ISSUE_ROWS))


def correlations(services: Services, profiled: TableProfile) -> Correlations:
    """Correlations between the numeric measures of a profiled asset, over a bounded sample of its rows."""
    from stocktake.tools.profile import correlations as measured

    return measured(services.catalog, profiled)
