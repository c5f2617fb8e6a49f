"""Benchmark: a full Stocktake profile against DuckDB SUMMARIZE and ydata-profiling (minimal), same Parquet file.

    python bench/profile_bench.py --sizes 100k,1M,10M [--ydata-python /path/to/python] [--dir /tmp/bench]

Each size builds a table of that many rows x 20 mixed columns (ids, categories, prices, quantities, dates,
timestamps, booleans, free text, emails, nulls) as one zstd Parquet file, then measures every contender in a
fresh subprocess: wall time of the profiling call (after the imports; opening the DuckDB connection counts on
both sides), and peak resident memory of that process (ru_maxrss, which includes the interpreter and imports;
the baseline after imports is printed too). The Stocktake profile is the complete one (statistics, semantic
types, duplicates, candidate keys, time coverage and every issue check), without cache. ydata-profiling runs
at 100k and 1M only, including pandas reading the file; it is skipped with a note when it cannot be imported
(for instance because it needs pandas < 3: pass ``--ydata-python`` to run it from another environment).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

YDATA_MAX_ROWS = 1_000_000

COLUMNS_SQL = """
    i AS id,
    (h(i, 200000))::BIGINT AS user_id,
    (h(i * 3, 50000))::BIGINT AS product_id,
    ['Shoes','Electronics','Books','Clothing','Home & Kitchen','Beauty','Sports','Toys','Grocery'][1 + h(i * 5, 9)]
        AS category,
    'brand_' || (h(i * 7, 500))::VARCHAR AS brand,
    round(exp(1 + (h(i * 11, 6000)) / 1000.0), 2) AS price,
    (1 + h(i * 13, 5))::INTEGER AS quantity,
    TIMESTAMP '2023-01-01' + to_seconds((h(i * 17, 47000000))::BIGINT) AS event_time,
    DATE '2019-01-01' + ((h(i * 19, 2000))::INTEGER) AS signup_date,
    h(i * 23, 2) = 0 AS is_member,
    (1 + h(i * 29, 5))::INTEGER AS rating,
    ['great value', 'arrived late', 'works as described', 'poor quality', 'would buy again'][1 + h(i * 31, 5)]
        || ' for the ' || ['price', 'size', 'colour', 'brand'][1 + h(i * 37, 4)] || ' number '
        || (h(i * 41, 1000))::VARCHAR AS review_text,
    'user' || (h(i, 200000))::VARCHAR || '@example.com' AS email,
    ['pending','paid','shipped','delivered','cancelled','returned'][1 + h(i * 43, 6)] AS status,
    ['Berlin','Paris','Madrid','Rome','Lisbon','Warsaw','Vienna','Prague'][1 + h(i * 47, 8)] AS city,
    CASE WHEN h(i * 53, 10) = 0 THEN NULL ELSE (h(i * 59, 100000)) / 100.0 END AS discount,
    ((h(i * 61, 20000)) - 10000) / 100.0 AS score,
    lpad(((h(i * 67, 99999)))::VARCHAR, 5, '0') AS zip_code,
    's' || (i // 8)::VARCHAR AS session_id,
    (h(i * 71, 1000000))::DOUBLE / 7 AS amount
"""


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if text[-1] in "km" else text) * scale)


def build(rows: int, folder: Path) -> Path:
    import duckdb

    path = folder / f"bench_{rows}.parquet"
    if not path.exists():
        con = duckdb.connect()
        con.execute("CREATE MACRO h(x, m) AS (hash(x) % m)::BIGINT")  # deterministic pseudo-random in [0, m)
        con.execute(f"COPY (SELECT {COLUMNS_SQL} FROM range({rows}) r(i)) TO '{path}' "
                    "(FORMAT parquet, COMPRESSION zstd)")
        con.close()
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- contenders, each run in its own process ---------------------------------------------------------
def run_stocktake(path: Path) -> dict:
    import pyarrow.parquet as pq

    from stocktake.catalog import Asset, Column, Version, storage_type
    from stocktake.settings import ProfileSettings
    from stocktake.tools.profile import compute_local_profile

    schema = pq.read_schema(path)
    rows = pq.read_metadata(path).num_rows
    columns = tuple(Column(f.name, storage_type(f.type)) for f in schema)
    asset = Asset("bench", "other", str(path), "parquet", "", (), "", "",
                  Version("bench", 1, None, "bench", path, rows, columns, "", {}, ""))
    base = peak_mb()
    start = time.perf_counter()
    profile = compute_local_profile(asset, ProfileSettings())
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": peak_mb(), "base_mb": base, "issues": len(profile.issues)}


def run_summarize(path: Path) -> dict:
    import duckdb

    base = peak_mb()
    start = time.perf_counter()
    con = duckdb.connect()  # inside the timing, as Stocktake's profile opens its own connection
    con.execute(f"SUMMARIZE SELECT * FROM read_parquet('{path}')").fetchall()
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "base_mb": base}


def run_ydata(path: Path) -> dict:
    import pandas as pd
    from ydata_profiling import ProfileReport

    base = peak_mb()
    start = time.perf_counter()
    frame = pd.read_parquet(path)
    ProfileReport(frame, minimal=True, progress_bar=False).to_json()
    return {"seconds": time.perf_counter() - start, "peak_mb": peak_mb(), "base_mb": base}


RUNNERS = {"stocktake": run_stocktake, "summarize": run_summarize, "ydata": run_ydata}


def measure(contender: str, path: Path, python: str) -> dict:
    """Run one contender in a fresh process; an error comes back as {"error": ...}."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([python, __file__, "--run", contender, "--file", str(path)], capture_output=True,
                          text=True, env=env)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:160]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M,10M", help="row counts, e.g. 100k,1M,10M")
    parser.add_argument("--dir", default="/tmp/stocktake-profile-bench", help="where the Parquet files go")
    parser.add_argument("--ydata-python", default=sys.executable,
                        help="interpreter with ydata-profiling installed (default: this one)")
    parser.add_argument("--run", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(RUNNERS[args.run](Path(args.file))))
        return
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"cpu cores: {os.cpu_count()}; each figure: wall seconds / peak RSS MB of a fresh process")
    header = (f"{'rows':>11} | {'stocktake':>17} | {'SUMMARIZE':>17} | {'ratio':>5} | {'ydata minimal':>17} | "
              f"{'speedup':>7}")
    print(header)
    print("-" * len(header))
    for size in (parse_size(s) for s in args.sizes.split(",")):
        path = build(size, folder)
        ours = measure("stocktake", path, sys.executable)
        peer = measure("summarize", path, sys.executable)
        ydata = measure("ydata", path, args.ydata_python) if size <= YDATA_MAX_ROWS else {"error": "not run"}
        ratio = f"{ours['seconds'] / peer['seconds']:.2f}" if "error" not in ours | peer else "-"
        speed = f"{ydata['seconds'] / ours['seconds']:.0f}x" if "error" not in ours | ydata else "-"
        print(f"{size:>11,} | {cell(ours):>17} | {cell(peer):>17} | {ratio:>5} | {cell(ydata):>17} | {speed:>7}")
        for name, res in (("stocktake", ours), ("summarize", peer), ("ydata", ydata)):
            if "error" in res and res["error"] != "not run":
                print(f"    {name}: {res['error']}")
        if "base_mb" in ours:
            print(f"    baseline RSS after imports: stocktake {ours['base_mb']:.0f} MB, "
                  f"SUMMARIZE {peer.get('base_mb', 0):.0f} MB")


def cell(res: dict) -> str:
    return "skipped" if "error" in res else f"{res['seconds']:.2f}s / {res['peak_mb']:.0f}MB"


if __name__ == "__main__":
    main()
