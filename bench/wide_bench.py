"""A wide asset beside the sample shop: how long its profile takes, and what it costs questions about others.

    python bench/wide_bench.py --columns 5000 --rows 20 [--dir /tmp/stocktake-wide-bench]

Prints the ingest time of the wide CSV (not this bench's subject), the wall time of the wide asset's own
profile (no cache) and of a first ``SELECT count(*) FROM products`` and profile of products beside it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    import numpy as np
    import pandas as pd

    from stocktake.catalog import Catalog, Workspace
    from stocktake.settings import ProfileSettings
    from stocktake.tools.ingest import ingest_path
    from stocktake.tools.profile import select_masked
    from stocktake.tools.profile import profile_asset
    from stocktake.tools.profile import compute_local_profile
    from stocktake.tools.sample_data import TABLES, write_sample_data

    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--dir", default="/tmp/stocktake-wide-bench")
    args = parser.parse_args()
    root = Path(args.dir)
    shutil.rmtree(root, ignore_errors=True)
    sample = write_sample_data(root / "data", seed=0)
    catalog = Catalog(Workspace(root / "workspace"))
    for table in TABLES:
        ingest_path(catalog, sample.paths[table])
    rng = np.random.default_rng(0)
    pd.DataFrame({f"c{i}": rng.integers(0, 100, args.rows) if i % 2 else
                  [f"v{j}" for j in rng.integers(0, 5, args.rows)] for i in range(args.columns)}
                 ).to_csv(root / "wide.csv", index=False)

    def timed(label: str, fn) -> None:
        started = time.perf_counter()
        fn()
        print(f"{label:45s} {time.perf_counter() - started:7.2f} s")

    timed(f"ingest {args.columns} x {args.rows} CSV", lambda: ingest_path(catalog, root / "wide.csv"))
    timed("profile of the wide asset (no cache)", lambda: compute_local_profile(catalog.get("wide"), ProfileSettings()))
    timed("SELECT count(*) FROM products beside it", lambda: select_masked(catalog, "SELECT count(*) FROM products"))
    timed("profile of products beside it (first: all)", lambda: profile_asset(catalog, "products"))


if __name__ == "__main__":
    main()
