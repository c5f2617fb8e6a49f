"""Benchmark: ``stocktake diff`` on versions with known, injected changes, against Evidently's DataDriftPreset.

    python bench/drift_bench.py [--repeats 2] [--sizes 500,2000,half] [--evidently-python PY] [--timing-rows 1M]

Tables: the sample shop (six tables) and fourteen tables of the public datasets beside the checkout
(``../shared/data``; left out with a note where absent). For each table, size (500 and 2,000 rows, straddling
Evidently's 1,000-row line so that both its p-value tests and its distances are exercised, and half the table)
and repeat, two disjoint random samples of that many rows are drawn: the first is version 1 of an asset, and each
of these is a later version:

- ``unchanged``: the second sample as it is (a resample: nothing should be flagged);
- ``mean_shift``: a numeric column (more than 10 distinct values) shifted by 0.5 of its standard deviation;
- ``category_mix``: 20% of a category column's values moved to its most frequent value (or, where that holds over
  80%, from it to the next), a change of 20 points in its mix;
- ``nulls``: 10% of the rows of a column set to null; ``added_column``: a new column; ``retyped``: a numeric or
  date column written as text.

Detected: the changed column drifted (mean_shift, category_mix), its null rate flagged (nulls), the schema change
listed (added_column, retyped). False alarms: columns of the unchanged pairs flagged (drifted or null rate), and
pairs with anything flagged. Evidently's DataDriftPreset then judges every pair in the same run, from its own venv
(``--evidently-python`` or ``EVIDENTLY_PYTHON``; skipped with a note where neither is given), exchanging Parquet
files (bench/drift_evidently.py); agreement is over the columns Stocktake tested, typed as Stocktake typed them.
Every figure comes twice: with Stocktake's defaults and with ``EVIDENTLY_DRIFT`` (Evidently's goodness-of-fit
chi-squared, no pooling of rare values), whose false alarms are Evidently's own.

Timing (``--timing-rows``, 0 to skip): two versions of the 20-column table of bench/profile_bench.py, the second
with a shifted price, a changed status mix, more null discounts and a new column, each figure the median of
``--runs`` fresh processes: a profile of one version (as profile_bench measures it), ``diff`` with neither
version profiled before, with the earlier one profiled before (the usual case: it was profiled when it was the
latest), and with both. The sampled tests of that pair are compared with the same tests on every row.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stocktake.catalog import Catalog  # noqa: E402
from stocktake.settings import EVIDENTLY_DRIFT  # noqa: E402
from stocktake.tools.drift import diff_versions  # noqa: E402

CHANGES = ("unchanged", "mean_shift", "category_mix", "nulls", "added_column", "retyped")
ADDED = "bench_added"
REAL = {"olist_orders": "olist-ecommerce-sample/olist_orders_dataset.csv",
        "olist_items": "olist-ecommerce-sample/olist_order_items_dataset.csv",
        "olist_payments": "olist-ecommerce-sample/olist_order_payments_dataset.csv",
        "olist_reviews": "olist-ecommerce-sample/olist_order_reviews_dataset.csv",
        "olist_customers": "olist-ecommerce-sample/olist_customers_dataset.csv",
        "olist_products": "olist-ecommerce-sample/olist_products_dataset.csv",
        "online_retail": "uci-online-retail-sample/online_retail_sample.csv",
        "ml_ratings": "movielens-latest-small/ratings.csv", "ml_movies": "movielens-latest-small/movies.csv",
        "clothing_reviews": "womens-clothing-reviews/womens_clothing_ecommerce_reviews.csv",
        "alexa_reviews": "amazon-alexa-reviews/amazon_alexa.tsv",
        "diginetica_purchases": "diginetica-cikm2016/train-purchases.csv",
        "taobao": "taobao-userbehavior-head/UserBehavior_head.csv",
        "pricerunner": "pricerunner-product-titles/pricerunner_aggregate.csv"}
METHODS = {"K-S p_value": "ks", "chi-square p_value": "chisquare", "Z-test p_value": "z",
           "Wasserstein distance (normed)": "wasserstein", "Jensen-Shannon distance": "jensenshannon"}


# ---- the tables ------------------------------------------------------------------------------------------------
def load_tables(folder: Path, shared: Path) -> dict[str, pd.DataFrame]:
    """Every table as Stocktake reads it (ingested, then loaded from its snapshot)."""
    from stocktake.tools.ingest import ingest_path
    from stocktake.tools.sample_data import write_sample_data

    catalog = Catalog(folder / "sources")
    write_sample_data(folder / "shop", seed=0)
    ingest_path(catalog, folder / "shop")
    if shared.is_dir():
        for name, file in REAL.items():
            ingest_path(catalog, shared / file, name=name)
    else:
        print(f"note: public datasets not found at {shared}; the sample shop only")
    return {n: catalog.load(n) for n in catalog.names()}


def is_number(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def numeric_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df if is_number(df[c]) and df[c].nunique() > 10]


def category_columns(df: pd.DataFrame) -> list[str]:
    def text(s: pd.Series) -> bool:
        return pd.api.types.is_string_dtype(s) and isinstance(s.dropna().iloc[0] if s.notna().any() else 0, str)

    return [c for c in df if (text(df[c]) or pd.api.types.is_bool_dtype(df[c])
                              or (is_number(df[c]) and df[c].nunique() <= 10))
            and 2 <= df[c].nunique() <= 0.5 * df[c].count()]


# ---- the changes -------------------------------------------------------------------------------------------------
def mean_shift(ref: pd.DataFrame, cur: pd.DataFrame, rng) -> tuple[pd.DataFrame, str] | None:
    for col in rng.permutation(numeric_columns(ref)):
        shift = 0.5 * ref[col].std()
        shift = round(shift) if pd.api.types.is_integer_dtype(cur[col]) else shift
        if shift:
            return cur.assign(**{col: cur[col] + shift}), col
    return None


def category_mix(ref: pd.DataFrame, cur: pd.DataFrame, rng) -> tuple[pd.DataFrame, str] | None:
    for col in rng.permutation(category_columns(ref)):
        values = cur[col].astype(object).copy()
        counts = values.value_counts()
        if len(counts) < 2:
            continue
        k = round(0.2 * values.count())
        others = np.flatnonzero(values.notna() & (values != counts.index[0]))
        source, target = (others, counts.index[0]) if len(others) >= k else \
            (np.flatnonzero(values == counts.index[0]), counts.index[1])
        values.iloc[rng.choice(source, k, replace=False)] = target
        return cur.assign(**{col: values.astype(cur[col].dtype)}), col
    return None


def nulls(ref: pd.DataFrame, cur: pd.DataFrame, rng) -> tuple[pd.DataFrame, str] | None:
    k = round(0.1 * len(cur))
    for col in rng.permutation(list(cur.columns)):
        present = np.flatnonzero(cur[col].notna())
        if len(present) < max(k, len(cur) // 2):
            continue
        values = cur[col]
        if pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values):
            values = values.astype("Int64" if is_number(values) else "boolean")
        values = values.copy()
        values.iloc[rng.choice(present, k, replace=False)] = None
        return cur.assign(**{col: values}), col
    return None


def added_column(ref: pd.DataFrame, cur: pd.DataFrame, rng) -> tuple[pd.DataFrame, str]:
    return cur.assign(**{ADDED: rng.normal(size=len(cur))}), ADDED


def retyped(ref: pd.DataFrame, cur: pd.DataFrame, rng) -> tuple[pd.DataFrame, str] | None:
    eligible = [c for c in cur if is_number(cur[c]) or pd.api.types.is_datetime64_any_dtype(cur[c])]
    if not eligible:
        return None
    col = eligible[rng.integers(len(eligible))]
    return cur.assign(**{col: cur[col].map(lambda v: None if pd.isna(v) else str(v)).astype(object)}), col


INJECT = {"unchanged": lambda ref, cur, rng: (cur, None), "mean_shift": mean_shift, "category_mix": category_mix,
          "nulls": nulls, "added_column": added_column, "retyped": retyped}


MODES = {"diff": "Stocktake's defaults",
         "faithful": "Evidently's defaults exactly (stocktake.settings.EVIDENTLY_DRIFT)"}


def detected(kind: str, d, column: str) -> bool:
    if kind in ("mean_shift", "category_mix"):
        return d.column(column).drifted
    if kind == "nulls":
        return d.column(column).null_rate_changed
    wanted = "added" if kind == "added_column" else "retyped"
    return any(c.kind == wanted and c.column == column for c in d.schema)


# ---- the pairs ---------------------------------------------------------------------------------------------------
def run_pairs(tables: dict[str, pd.DataFrame], sizes: list[str], repeats: int, folder: Path) -> list[dict]:
    found = []
    for name, frame in tables.items():
        rows = sorted({len(frame) // 2 if s == "half" else int(s) for s in sizes})
        for n in (n for n in rows if 0 < n and len(frame) >= 2 * n):
            for r in range(repeats):
                found += one_table(name, frame, n, r, folder)
        print(f"  {name}: {len(frame):,} rows done", file=sys.stderr)
    return found


def one_table(name: str, frame: pd.DataFrame, n: int, r: int, folder: Path) -> list[dict]:
    rng = np.random.default_rng([r, n, zlib.crc32(name.encode())])
    rows = rng.permutation(len(frame))
    ref = frame.iloc[rows[:n]].reset_index(drop=True)
    cur = frame.iloc[rows[n:2 * n]].reset_index(drop=True)
    catalog = Catalog(folder / "pairs" / f"{name}-{n}-{r}")
    catalog.register("t", ref, kind="other", source=name, fmt="parquet")
    found = []
    for kind in CHANGES:
        made = INJECT[kind](ref, cur, rng)
        if made is None:
            continue
        changed, column = made
        version = catalog.add_version("t", changed, note=kind, parent=1).version
        start = time.perf_counter()
        d = diff_versions(catalog, "t", 1, version)
        seconds = time.perf_counter() - start
        faithful = diff_versions(catalog, "t", 1, version, settings=EVIDENTLY_DRIFT)
        found.append({"id": f"{name}-{n}-{r}-{kind}", "table": name, "rows": n, "kind": kind, "column": column,
                      "seconds": seconds, "diff": d, "faithful": faithful,
                      "detected": {m: kind == "unchanged" or detected(kind, p, column)
                                   for m, p in (("diff", d), ("faithful", faithful))},
                      "paths": (catalog.path("t", 1), catalog.path("t", version))})
    return found


# ---- Evidently ---------------------------------------------------------------------------------------------------
def exchange_frame(path: Path, columns: list[str]) -> pd.DataFrame:
    """The columns as Evidently reads them: dates and timestamps as seconds since the epoch, as Stocktake tests them."""
    frame = pd.read_parquet(path, columns=columns)
    for c in columns:
        s = frame[c]
        if pd.api.types.is_datetime64_any_dtype(s) or (s.dtype == object and s.notna().any()
                                                       and hasattr(s.dropna().iloc[0], "isoformat")):
            frame[c] = (pd.to_datetime(s) - pd.Timestamp(0)) / pd.Timedelta(seconds=1)
    return frame


def run_evidently(pairs: list[dict], python: str | None, folder: Path) -> dict | None:
    if not python or not Path(python).exists():
        print(f"\nEvidently: skipped (no interpreter with Evidently: give --evidently-python or set EVIDENTLY_PYTHON"
              f"{'; ' + python + ' does not exist' if python else ''})")
        return None
    manifest = []
    exchange = folder / "exchange"
    exchange.mkdir(parents=True, exist_ok=True)
    for p in pairs:
        tested = [c for c in p["diff"].columns if c.test]
        names = [c.name for c in tested]
        if not names:
            continue
        ref, cur = exchange / f"{p['id']}-ref.parquet", exchange / f"{p['id']}-cur.parquet"
        exchange_frame(p["paths"][0], names).to_parquet(ref)
        exchange_frame(p["paths"][1], names).to_parquet(cur)
        manifest.append({"id": p["id"], "reference": str(ref), "current": str(cur),
                         "numerical": [c.name for c in tested if c.kind == "numeric"],
                         "categorical": [c.name for c in tested if c.kind == "categorical"]})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    start = time.perf_counter()
    done = subprocess.run([python, str(Path(__file__).with_name("drift_evidently.py")), str(folder / "manifest.json"),
                           str(folder / "evidently.json")], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"\nEvidently: failed: {(done.stderr.strip().splitlines() or ['no output'])[-1][:200]}")
        return None
    print(f"\nEvidently: {len(manifest)} pairs judged in {time.perf_counter() - start:.0f} s (its process included)")
    return json.loads((folder / "evidently.json").read_text())


def agreement(pairs: list[dict], peer: dict, mode: str = "diff") -> None:
    same = same_test = total = 0
    by_test: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    differ, errors = [], [p for p in peer.values() if "error" in p]
    for p in pairs:
        theirs = peer.get(p["id"], {}).get("columns", {})
        for c in p[mode].columns:
            if c.test and c.name in theirs and "drifted" in theirs[c.name]:
                e = theirs[c.name]
                total += 1
                agree = e["drifted"] == c.drifted
                same += agree
                same_test += METHODS.get(e["method"]) == c.test
                by_test[c.test][0] += agree
                by_test[c.test][1] += 1
                if not agree:
                    differ.append(f"{p['id']}.{c.name}: ours {c.test} {c.score:.4g} ({c.drifted}), Evidently "
                                  f"{e['method']} {e['score']:.4g} ({e['drifted']})")
    print(f"{MODES[mode]}: agreement of per-column drift decisions with Evidently: {same}/{total} = "
          f"{share(same, total)} (target >= 95%); same test chosen: {share(same_test, total)}")
    unchanged = [c for p in pairs if p["kind"] == "unchanged"
                 for c in peer.get(p["id"], {}).get("columns", {}).values() if "drifted" in c]
    if unchanged and mode == "diff":
        flagged = sum(c["drifted"] for c in unchanged)
        print(f"  Evidently's own false alarms on the unchanged resamples: {flagged}/{len(unchanged)} columns = "
              f"{share(flagged, len(unchanged))}")
    print("  by test: " + ", ".join(f"{t} {a}/{n}" for t, (a, n) in sorted(by_test.items())))
    for line in differ[:5]:
        print(f"  differs: {line}")
    if errors:
        print(f"  {len(errors)} pairs Evidently could not judge, e.g. {errors[0]['error']}")


def share(a: int, n: int) -> str:
    return f"{a / n:.1%}" if n else "-"


# ---- the report --------------------------------------------------------------------------------------------------
def report(pairs: list[dict], mode: str) -> None:
    print(f"\n{MODES[mode]}:")
    print(f"{'change':<14} {'trials':>6} {'detected':>8} {'rate':>7}   {'<=1,000 rows':>12} {'>1,000 rows':>12}")
    for kind in CHANGES[1:]:
        rows = [p for p in pairs if p["kind"] == kind]
        small = [p for p in rows if p["rows"] <= 1000]
        large = [p for p in rows if p["rows"] > 1000]
        hit = sum(p["detected"][mode] for p in rows)
        print(f"{kind:<14} {len(rows):>6} {hit:>8} {share(hit, len(rows)):>7}   "
              f"{share(sum(p['detected'][mode] for p in small), len(small)):>12} "
              f"{share(sum(p['detected'][mode] for p in large), len(large)):>12}")
    same = [p for p in pairs if p["kind"] == "unchanged"]
    judged = [c for p in same for c in p[mode].columns if c.test]
    flagged = [c for p in same for c in p[mode].columns if c.drifted or c.null_rate_changed]
    noisy = [p for p in same if p[mode].schema or p[mode].dataset_drifted
             or any(c.drifted or c.null_rate_changed for c in p[mode].columns)]
    print(f"false alarms on unchanged resamples (target <= 5%): {len(flagged)}/{len(judged)} tested columns = "
          f"{share(len(flagged), len(judged))}; pairs with anything flagged {len(noisy)}/{len(same)} = "
          f"{share(len(noisy), len(same))}; dataset drift "
          f"{sum(p[mode].dataset_drifted for p in same)}/{len(same)}")


def timing_pair(root: Path) -> dict:
    """The timing pair, for Evidently to judge on every row."""
    catalog = Catalog(root)
    return {"id": "timing", "diff": diff_versions(catalog, "big", 1, 2),
            "paths": (catalog.path("big", 1), catalog.path("big", 2))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sizes", default="500,2000,half", help="rows per sample; half: half the table's rows")
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--evidently-python", default=os.environ.get("EVIDENTLY_PYTHON"),
                        help="an interpreter with Evidently installed (default: $EVIDENTLY_PYTHON)")
    parser.add_argument("--timing-rows", default="1M", help="rows of the timing pair; 0 to skip it")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per timing figure")
    parser.add_argument("--dir", default=None, help="where the workspaces go (default: a temporary folder)")
    args = parser.parse_args()
    from drift_timing import timing
    from profile_bench import parse_size

    folder = Path(args.dir or tempfile.mkdtemp(prefix="stocktake-drift-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"cpu cores: {os.cpu_count()}; workspaces under {folder}")
    tables = load_tables(folder, Path(args.shared))
    pairs = run_pairs(tables, args.sizes.split(","), args.repeats, folder)
    print(f"{len(tables)} tables, sizes {args.sizes}, {args.repeats} repeats: {len(pairs)} pairs")
    for mode in MODES:
        report(pairs, mode)
    print(f"diff of a pair: median {statistics.median(p['seconds'] for p in pairs):.2f} s")
    rows = parse_size(args.timing_rows)
    big = [timing_pair(timing(rows, args.runs, folder))] if rows else []
    peer = run_evidently(pairs + big, args.evidently_python, folder)
    if peer is not None:
        for mode in MODES:
            agreement(pairs, peer, mode)
        if big:
            print("on the timing pair (every row on Evidently's side, samples on ours):")
            agreement(big, peer)


if __name__ == "__main__":
    main()
