"""How an asset changed: two of its versions compared (by default the last two)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.errors import Option, Remedy, StocktakeError
from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.drift import VersionDiff


def diff(services: Services, name: str, before: int | None = None, after: int | None = None, *,
         use_cache: bool = True, progress: Progress = no_progress) -> VersionDiff:
    """Version ``before`` of the asset against version ``after``. Left out, ``after`` is the latest version and
    ``before`` the one preceding ``after``; an unknown version lists those there are."""
    from stocktake.tools.drift import diff_versions

    before, after = versions_to_compare(services, name, before, after)
    with services.reading_profiles():
        return diff_versions(services.catalog, services.asset(name).name, before, after,
                             profile_settings=services.settings.profile, settings=services.settings.drift,
                             use_cache=use_cache, progress=progress)


def versions_to_compare(services: Services, name: str, before: int | None, after: int | None) -> tuple[int, int]:
    asset = services.asset(name)
    known = [v.version for v in services.catalog.versions(asset.name)]
    if len(known) < 2:
        raise StocktakeError(f"'{asset.name}' has only one version, so there is nothing to compare it with:",
                             Remedy("second-version", asset=asset.name), asset=asset.name)
    after = known[-1] if after is None else services.catalog.get(asset.name, after).version
    earlier = [v for v in known if v < after]
    if before is None and not earlier:
        raise StocktakeError((f"Version {after} is the first of '{asset.name}', so nothing came before it: give the "
                              "version to compare it with as ", Option("from_version"), "."), asset=asset.name)
    before = earlier[-1] if before is None else services.catalog.get(asset.name, before).version
    if before == after:
        raise StocktakeError((f"Version {after} of '{asset.name}' compared with itself shows no change: give two "
                              f"of its versions ({', '.join(map(str, known))}) as ", Option("from_version"), " and ",
                              Option("to_version"), "."), asset=asset.name)
    return before, after
