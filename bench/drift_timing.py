"""The timing part of bench/drift_bench.py: ``diff`` of two versions of a wide table against a profile of one.

    python bench/drift_timing.py --rows 1M [--runs 3] [--dir /tmp/stocktake-drift-bench]

The table is bench/profile_bench.py's (20 mixed columns); version 2 has its price shifted by half a standard
deviation, a fifth of its statuses moved to "delivered", a tenth more of its discounts null and a new column. Each
figure is the median of ``--runs`` fresh processes (wall time of the call, after the imports):

- ``profile``: the profile of one version, as profile_bench measures it (``compute_local_profile``, no cache);
- ``diff, neither profiled``: ``diff_versions`` on a workspace with no cached profile (both versions profiled);
- ``diff, earlier profiled``: the earlier version's profile cached, as it is once it was profiled as the latest;
- ``diff, both profiled``: the drift tests and the comparison alone.

Then the tests of that pair, on their fixed-seed samples, are compared with the same tests on every row.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

MODES = ("profile", "diff-cold", "diff-warm", "drift-only")
TITLES = {"profile": "profile of one version", "diff-cold": "diff, neither version profiled before",
          "diff-warm": "diff, earlier version profiled before", "drift-only": "diff, both profiled before"}


def prepare(rows: int, folder: Path) -> Path:
    """A workspace holding the two versions (built once per size)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from profile_bench import build
    from stocktake.catalog import Catalog

    root = folder / f"timing-{rows}"
    catalog = Catalog(root)
    if catalog.exists("big"):
        return root
    table = pq.read_table(build(rows, folder))
    catalog.register("big", table, kind="other", source="bench", fmt="parquet")
    rng = np.random.default_rng(0)
    price = pc.add(table["price"], 0.5 * float(np.std(table["price"].to_numpy())))
    status = table["status"].to_numpy(zero_copy_only=False).astype(object)
    status[rng.random(rows) < 0.2] = "delivered"
    discount = table["discount"].to_pandas()
    discount[rng.random(rows) < 0.1] = None
    changed = table.set_column(table.schema.get_field_index("price"), "price", price) \
        .set_column(table.schema.get_field_index("status"), "status", pa.array(status, pa.string())) \
        .set_column(table.schema.get_field_index("discount"), "discount", pa.array(discount, pa.float64())) \
        .append_column("batch", pa.array(np.ones(rows, dtype=np.int64)))
    catalog.add_version("big", changed, note="changed")
    return root


def run_mode(mode: str, root: Path) -> dict:
    from stocktake.catalog import Catalog
    from stocktake.settings import ProfileSettings
    from stocktake.tools.drift import diff_versions
    from stocktake.tools.profile import compute_local_profile, local_profile

    catalog = Catalog(root)
    shutil.rmtree(catalog.ws.dir("cache"), ignore_errors=True)
    catalog.ws.dir("cache").mkdir()
    if mode in ("diff-warm", "drift-only"):
        local_profile(catalog, catalog.get("big", 1), ProfileSettings())
    if mode == "drift-only":
        local_profile(catalog, catalog.get("big", 2), ProfileSettings())
    start = time.perf_counter()
    if mode == "profile":
        compute_local_profile(catalog.get("big", 1), ProfileSettings())
        return {"seconds": time.perf_counter() - start}
    d = diff_versions(catalog, "big", 1, 2)
    return {"seconds": time.perf_counter() - start, "diff": d.to_dict()}


def measure(mode: str, root: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--run", mode, "--dir", str(root)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sampled_against_exact(root: Path) -> tuple[dict, dict]:
    """The diff's columns, as sampled, and with every row read."""
    from dataclasses import replace

    from stocktake.catalog import Catalog
    from stocktake.settings import DriftSettings
    from stocktake.tools.drift import diff_versions

    catalog = Catalog(root)
    sampled = diff_versions(catalog, "big", 1, 2)
    exact = diff_versions(catalog, "big", 1, 2, settings=replace(DriftSettings(), sample_values=10 ** 12))
    return ({c.name: c for c in sampled.columns if c.test}, {c.name: c for c in exact.columns if c.test})


def timing(rows: int, runs: int, folder: Path) -> Path:
    root = prepare(rows, folder)
    print(f"\ntiming: two versions of {rows:,} rows x 20 columns; median of {runs} fresh processes")
    medians = {}
    for mode in MODES:
        seconds = [measure(mode, root)["seconds"] for _ in range(runs)]
        medians[mode] = statistics.median(seconds)
        ratio = "" if mode == "profile" else f"  = {medians[mode] / medians['profile']:.2f}x the profile"
        print(f"  {TITLES[mode]:<40} {medians[mode]:6.2f} s (runs {', '.join(f'{s:.2f}' for s in seconds)}){ratio}")
    print("  target: a diff within 2x a profile of one version")
    sampled, exact = sampled_against_exact(root)
    moved = [abs(sampled[n].score - exact[n].score) for n in sampled if sampled[n].sampled]
    same = sum(sampled[n].drifted == exact[n].drifted for n in sampled)
    print(f"  sampled tests against every row: {same}/{len(sampled)} decisions agree; largest score difference "
          f"{max(moved, default=0):.4f} over {len(moved)} sampled columns")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="/tmp/stocktake-drift-bench")
    parser.add_argument("--run", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run_mode(args.run, Path(args.dir)), default=str))
        return
    from profile_bench import parse_size

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    timing(parse_size(args.rows), args.runs, folder)


if __name__ == "__main__":
    main()
