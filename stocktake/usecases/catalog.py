"""Assets: what the catalog holds, one asset described with its profile, its versions, its description; and
adding data to the catalog or removing an asset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stocktake.catalog import Asset, Version
from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases import contracts, profiling
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.ingest import IngestResult, ReadOptions
    from stocktake.tools.profile import TableProfile


@dataclass(frozen=True)
class AssetDescription:
    """An asset with its profile (stored masked: no personal value in it is readable)."""
    asset: Asset
    profile: TableProfile


@dataclass(frozen=True)
class AssetHistory:
    asset: Asset
    versions: tuple[Version, ...]  # oldest first

    def to_dict(self) -> dict:
        versions = [{k: (str(v) if k == "path" else v) for k, v in asdict(ver).items() if k not in ("columns", "asset")}
                    for ver in self.versions]
        return {**self.asset.to_dict(), "versions": versions}


def list_assets(services: Services) -> tuple[Asset, ...]:
    """Every asset, by name."""
    return tuple(services.catalog.list_assets())


def describe_asset(services: Services, name: str) -> AssetDescription:
    asset = services.asset(name)
    return AssetDescription(asset, profiling.profile(services, asset.name))


def asset_history(services: Services, name: str) -> AssetHistory:
    asset = services.asset(name)
    return AssetHistory(asset, tuple(services.catalog.versions(asset.name)))


def record_description(services: Services, name: str, description: str) -> Asset:
    """Save what the asset holds as its description in the catalog."""
    return services.catalog.update_info(services.asset(name).name, description=description)


def ingest(services: Services, path: str | Path, *, name: str | None = None, kind: str | None = None,
           options: ReadOptions | None = None, replace: bool = False, on_skip: Callable[[str], None] | None = None,
           progress: Progress = no_progress) -> list[IngestResult]:
    """Register every table of a file, a folder or a SQLite database as an asset (its source is never changed);
    with ``replace``, add a new version to an asset of the same name (none where the content is the same)."""
    from stocktake.tools.ingest import ReadOptions, ingest_path

    results = ingest_path(services.catalog, path, name=name, kind=kind, options=options or ReadOptions(),
                          replace=replace, on_skip=on_skip, progress=progress)
    contracts.check_new_version(services, *(r.asset.name for r in results if not r.unchanged))
    return results


def remove_asset(services: Services, name: str) -> None:
    """Forget an asset and delete its snapshots (the user's source files are never touched)."""
    services.catalog.remove(services.asset(name).name)
