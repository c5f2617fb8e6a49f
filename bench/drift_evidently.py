"""The peer of bench/drift_bench.py: Evidently's ``DataDriftPreset`` on the pairs of versions that bench wrote.

    EVIDENTLY_PYTHON bench/drift_evidently.py MANIFEST.json RESULTS.json

Run by an interpreter that has Evidently (0.7) installed; it imports nothing from Stocktake. The manifest lists
each pair as two Parquet files and the columns to judge, numeric and categorical, as Stocktake typed them (so the
two sides are compared on their tests, not on how each guesses a column's type). For each pair it writes, per
column, Evidently's method, score, threshold and its own drift verdict (the status of the preset's test), with
the seconds the report took.
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset


def judge(pair: dict) -> dict:
    ref, cur = pd.read_parquet(pair["reference"]), pd.read_parquet(pair["current"])
    definition = DataDefinition(numerical_columns=pair["numerical"], categorical_columns=pair["categorical"])
    start = time.perf_counter()
    snapshot = Report([DataDriftPreset()], include_tests=True).run(
        Dataset.from_pandas(cur, data_definition=definition), Dataset.from_pandas(ref, data_definition=definition))
    seconds = time.perf_counter() - start
    found = snapshot.dict()
    columns = {}
    for metric in found["metrics"]:
        config = metric["config"]
        if config.get("type", "").endswith("ValueDrift"):
            columns[config["column"]] = {"method": config["method"], "threshold": config["threshold"],
                                         "score": metric["value"]}
    for test in found["tests"]:
        column = test["metric_config"]["params"].get("column")
        if column in columns:
            columns[column]["drifted"] = test["status"] == "FAIL"
    return {"columns": columns, "seconds": seconds}


def main() -> None:
    manifest, results = sys.argv[1], sys.argv[2]
    with open(manifest, encoding="utf-8") as f:
        pairs = json.load(f)
    out = {}
    for pair in pairs:
        try:
            out[pair["id"]] = judge(pair)
        except Exception as exc:  # one pair Evidently cannot judge is reported, the others still run
            out[pair["id"]] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    with open(results, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
