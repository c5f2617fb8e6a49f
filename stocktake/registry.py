"""The model registry: trained models (classifiers, recommenders) with their metrics and files.

An entry is data from a workspace others may write to: before it is used, its folder must be its own folder
under ``models/`` and its metrics and parameters JSON objects; an entry that is not is a one-line error (and
is left out of listings, where ``stocktake doctor`` names it).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from stocktake.catalog import Workspace, now_iso
from stocktake.errors import StocktakeError, UnknownNameError

TASKS = ("classifier", "recommender")


@dataclass(frozen=True)
class ModelRecord:
    id: str
    task: str  # "classifier" or "recommender"
    algorithm: str
    asset: str
    asset_version: int | None
    path: Path
    metrics: dict
    params: dict
    created_at: str

    def to_dict(self) -> dict:
        return {
            "model_id": self.id, "task": self.task, "algorithm": self.algorithm, "asset": self.asset,
            "asset_version": self.asset_version, "path": str(self.path), "metrics": self.metrics,
            "params": self.params, "created_at": self.created_at,
        }


class ModelRegistry:
    def __init__(self, workspace: Workspace):
        self.ws = workspace

    def new_dir(self, task: str, algorithm: str) -> tuple[str, Path]:
        """A fresh model id and the folder to save its files in."""
        model_id = f"{task[:3]}-{algorithm}-{uuid.uuid4().hex[:8]}"
        folder = self.ws.dir("models") / model_id
        folder.mkdir(parents=True)
        return model_id, folder

    def record(self, model_id: str, *, task: str, algorithm: str, asset: str, asset_version: int | None,
               metrics: dict, params: dict) -> ModelRecord:
        path = self.ws.dir("models") / model_id
        with self.ws.connect() as db:
            db.execute(
                "INSERT INTO models VALUES (?,?,?,?,?,?,?,?,?)",
                (model_id, task, algorithm, asset, asset_version, str(path.relative_to(self.ws.root)),
                 json.dumps(metrics, default=float), json.dumps(params, default=str), now_iso()),
            )
        return self.get(model_id)

    def get(self, model_id: str) -> ModelRecord:
        with self.ws.connect() as db:
            row = db.execute("SELECT * FROM models WHERE id = ?", (model_id,)).fetchone()
        if row is None:
            raise UnknownNameError("model", model_id, [m.id for m in self.list()])
        problem = self._problem(row)
        if problem:
            raise StocktakeError(f"The registry entry of model {model_id} is damaged ({problem}); nothing was loaded. "
                                 "Train the model again.")
        return self._to_record(row)

    def list(self, task: str | None = None, asset: str | None = None) -> list[ModelRecord]:
        """The entries that are sound, oldest first (a damaged one is left out: see ``damaged``)."""
        return [self._to_record(r) for r in self._rows(task, asset) if not self._problem(r)]

    def damaged(self) -> list[tuple[str, str]]:
        """(model id, what is wrong) for every entry that cannot be used."""
        return [(str(r["id"]), problem) for r in self._rows(None, None) if (problem := self._problem(r))]

    def _rows(self, task: str | None, asset: str | None) -> list:
        query, args = "SELECT * FROM models WHERE 1=1", []
        if task:
            query, args = query + " AND task = ?", args + [task]
        if asset:
            query, args = query + " AND asset = ?", args + [asset]
        with self.ws.connect() as db:
            return db.execute(query + " ORDER BY rowid", args).fetchall()  # insertion order: newest last

    def _problem(self, row) -> str | None:
        if row["task"] not in TASKS:
            return f"unknown task {str(row['task'])[:40]!r}"
        models = self.ws.dir("models").resolve()
        if not isinstance(row["path"], str) or (self.ws.root / row["path"]).resolve() != models / str(row["id"]):
            return "its folder is not its own folder under models/"
        if row["asset_version"] is not None and not isinstance(row["asset_version"], int):
            return "its asset version is not a number"
        for name in ("metrics", "params"):
            try:
                value = json.loads(row[name])
            except (TypeError, ValueError, RecursionError):
                return f"its {name} are not JSON"
            if not isinstance(value, dict):
                return f"its {name} are not a JSON object"
        return None

    def _to_record(self, row) -> ModelRecord:
        return ModelRecord(
            id=row["id"], task=row["task"], algorithm=row["algorithm"], asset=row["asset"],
            asset_version=row["asset_version"], path=self.ws.root / row["path"],
            metrics=json.loads(row["metrics"]), params=json.loads(row["params"]), created_at=row["created_at"],
        )
