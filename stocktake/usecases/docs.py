"""Schema docs: search them (the generated docs brought up to date first), add, list and remove them, and
generate one doc per asset from its catalog entry and profile.

The engines (``stocktake.tools.docs``) load Chroma, so they are imported when a use case runs, not with this
module: ``stocktake --help`` and a one-shot ``stocktake ask`` should not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stocktake.tools.progress import Progress, no_progress
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.docs import DocHit, DocSource, IndexReport


def search_docs(services: Services, question: str, k: int = 5, asset: str | None = None) -> list[DocHit]:
    """The ``k`` passages that best answer ``question``, best first; only those linked to ``asset`` when given.

    Generated docs follow the catalog: those of assets with a new version are rewritten before searching, and
    those of removed assets dropped.
    """
    from stocktake.tools.docs import rank_hits, refresh_profile_docs
    from stocktake.tools.docs import search_docs as search

    if asset:
        asset = services.asset(asset).name  # an asset the catalog lacks is named as such, with suggestions
    with services.docs() as store:
        refresh_profile_docs(store, services.catalog)
        return rank_hits(question, search(store, question, k=k, asset=asset))


def add_docs(services: Services, paths: Iterable[str | Path]) -> IndexReport:
    """Index the docs under ``paths``, linked to the catalog's assets; adding a doc again replaces its chunks."""
    from stocktake.tools.docs import index_docs

    with services.docs() as store:
        return index_docs(store, paths, services.catalog)


def list_docs(services: Services) -> list[DocSource]:
    """The indexed sources, by name."""
    from stocktake.tools.docs import list_docs as listed

    with services.docs() as store:
        return listed(store)


def remove_doc(services: Services, source: str) -> DocSource:
    """Forget one source's chunks (the file itself is never touched); ``source`` is its path, file name or
    ``profile:<asset>``."""
    from stocktake.tools.docs import remove_docs

    with services.docs() as store:
        return remove_docs(store, source)


@dataclass(frozen=True)
class DocumentedAssets:
    """The assets documented, in the order asked, and the index report of their docs (one file each, in order)."""
    assets: tuple[str, ...]
    report: IndexReport

    def to_dict(self) -> dict:
        return {"files": self.report.to_dict()["files"]}


def document_assets(services: Services, names: Sequence[str] | None = None, *, quick: bool = False,
                    progress: Progress = no_progress) -> DocumentedAssets:
    """Generate and index the doc of each asset (every asset by default): its columns and example values and,
    unless ``quick``, its issues and relationships. An unknown name fails before any work."""
    from stocktake.tools.docs import IndexReport, index_profile_doc
    from stocktake.tools.profile import find_relations, profile_asset

    catalog = services.catalog
    names = [catalog.get(name).name for name in names] if names else catalog.names()
    files, seconds = [], 0.0
    # relations and each profile read every asset's: once each
    with services.reading_profiles(), services.docs() as store:
        relations = []
        if names and not quick:
            progress("profiling and finding relationships", 0, None)
            relations = find_relations(catalog)
        for done, name in enumerate(names):
            progress(f"documenting {name}", done, len(names))
            profile = None if quick else profile_asset(catalog, name)
            report = index_profile_doc(store, catalog, name, profile, relations)
            files.extend(report.files)
            seconds += report.seconds
    return DocumentedAssets(tuple(names), IndexReport(files=tuple(files), seconds=seconds))
