"""Workspaces for the question evaluation, set up with Stocktake the way a user would, one per dataset.

``prepare(dataset, root, shared)`` generates the sample shop (or points at the shared folder), ingests the
tables, indexes the docs and trains the small models; a workspace left in ``root`` by an earlier run is reused
when its catalog is still as it was set up (a question that changed it would skew the next run).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from qa_datasets import DATASETS, Dataset, Source

from stocktake.catalog import Catalog, Workspace
from stocktake.registry import ModelRegistry
from stocktake.tools.ingest import ReadOptions, ingest_path

READY = "qa-ready.json"


@dataclass(frozen=True)
class Prepared:
    source: Source
    catalog: Catalog


def catalog_state(catalog: Catalog) -> dict:
    """What a destructive request could change: every asset's versions (with content hashes) and the models."""
    assets = {a.name: [[v.version, v.content_hash] for v in catalog.versions(a.name)] for a in catalog.list_assets()}
    models = sorted(m.id for m in ModelRegistry(catalog.ws).list())
    return {"assets": assets, "models": models}


def prepare(name: str, root: Path, shared: Path) -> Prepared:
    dataset = DATASETS[name]
    folder = root / name
    marker = folder / READY
    data_dir = folder / "data" if dataset.source is None else shared / dataset.source
    if marker.is_file():
        catalog = Catalog(Workspace(folder / "ws"))
        if json.loads(marker.read_text()) == catalog_state(catalog):
            return Prepared(Source(dataset, data_dir), catalog)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if dataset.source is None:
        from stocktake.tools.sample_data import write_sample_data

        write_sample_data(data_dir, seed=dataset.seed, scale="small")
    catalog = Catalog(Workspace(folder / "ws"))
    _ingest(catalog, dataset, data_dir)
    _index_docs(catalog, dataset, data_dir)
    _train(catalog, dataset)
    marker.write_text(json.dumps(catalog_state(catalog)))
    return Prepared(Source(dataset, data_dir), catalog)


def _ingest(catalog: Catalog, dataset: Dataset, data_dir: Path) -> None:
    if dataset.ingest_folder:
        ingest_path(catalog, data_dir)
        return
    for table in dataset.tables:
        options = ReadOptions(header=False, columns=table.columns) if table.columns else ReadOptions()
        ingest_path(catalog, data_dir / table.file, name=table.asset, kind=table.kind, options=options)


def _index_docs(catalog: Catalog, dataset: Dataset, data_dir: Path) -> None:
    if not dataset.docs:
        return
    from stocktake.tools.docs import DocStore, index_docs

    index_docs(DocStore(catalog.ws), [data_dir / d for d in dataset.docs], catalog)


def _train(catalog: Catalog, dataset: Dataset) -> None:
    from stocktake.usecases import Services
    from stocktake.usecases.models import RecommenderColumns, recommender_plan, train_recommenders

    services = Services(catalog)
    for model in dataset.models:
        columns = RecommenderColumns(user=model["user"], item=model["item"])
        plan = recommender_plan(services, model["asset"], columns, models=tuple(model["models"]), tune=False)
        train_recommenders(services, plan)
