"""`stocktake recommend train` on MovieLens-100k: its wall time against the time its models spend fitting,
for this checkout and for another revision (default: main), run in turns on the same machine.

    python bench/recommend_train_bench.py [--before main] [--repeat 1] [--data ../shared/data/movielens-100k/u.data]

Each run is the CLI as a user runs it: a fresh process, default models, tuning, refit and save, on u.data
ingested with ``--no-header`` into a temporary workspace, and no thread-count variables (OPENBLAS_NUM_THREADS
and the like) set. Per run it prints the wall time, the sum of the final fits (the table's "train s"), the
grid search and the refits, the ratios of the wall time to the final fits and to all fitting, and the load
average (the machine may be shared). At the end it says whether both revisions report the same metrics.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "movielens-100k" / "u.data"
TRAIN = ["recommend", "train", "u_data", "--user", "col_1", "--item", "col_2", "--json", "--yes"]
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def stocktake(code: Path, workspace: Path, *args: str) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env.update(PYTHONPATH=str(code), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "stocktake", "--workspace", str(workspace), *args], cwd=code,
                          env=env, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"stocktake {' '.join(args)} failed in {code}:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def measure(label: str, code: Path, workspace: Path) -> dict:
    load = os.getloadavg()[0]
    wall, out = stocktake(code, workspace, *TRAIN)
    models = json.loads(out)["models"]
    final, grid = sum(m["train_seconds"] for m in models), sum(m["tune_seconds"] for m in models)
    refit = sum(m["refit_seconds"] for m in models) if all("refit_seconds" in m for m in models) else None
    run = {"label": label, "wall": wall, "final": final, "grid": grid, "refit": refit, "load": load,
           "metrics": {m["name"]: m["metrics"] for m in models}, "per_model": {m["name"]: m for m in models}}
    every = f"{wall / (final + grid + refit):.2f}x" if refit is not None else "n/a (refit time not reported)"
    print(f"{label:>7}: wall {wall:6.1f} s | final fits {final:5.1f} s (wall/final {wall / final:4.1f}x) | "
          f"grid search {grid:5.1f} s | refits {'n/a' if refit is None else f'{refit:5.1f} s'} | "
          f"wall/all fitting {every} | load {load:.1f}", flush=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--before", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per revision, taken in turns")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"MovieLens-100k not found at {args.data} (expected ../shared/data beside the checkout)")
    with tempfile.TemporaryDirectory(prefix="recommend-train-bench-") as tmp:
        before = Path(tmp) / "before"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.before],
                       check=True, capture_output=True)
        try:
            codes = {f"before ({args.before})": before, "after": ROOT}
            for label, code in codes.items():
                stocktake(code, Path(tmp) / label, "ingest", str(args.data), "--no-header")
            runs = [measure(label, code, Path(tmp) / label)
                    for _ in range(args.repeat) for label, code in codes.items()]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], check=True)
    summarise(runs)


def summarise(runs: list[dict]) -> None:
    labels = list(dict.fromkeys(r["label"] for r in runs))
    for label in labels:
        mine = [r for r in runs if r["label"] == label]
        wall = statistics.median(r["wall"] for r in mine)
        final = statistics.median(r["final"] for r in mine)
        print(f"median {label}: wall {wall:.1f} s, final fits {final:.1f} s, ratio {wall / final:.1f}x")
        slowest = max(mine[0]["per_model"].values(), key=lambda m: m["train_seconds"] + m["tune_seconds"])
        print(f"  slowest model: {slowest['name']} (grid {slowest['tune_seconds']:.1f} s, "
              f"final fit {slowest['train_seconds']:.1f} s)")
    first, last = (next(r for r in runs if r["label"] == label) for label in (labels[0], labels[-1]))
    same = first["metrics"] == last["metrics"]
    print("metrics: identical in both revisions" if same else "metrics DIFFER between the revisions:")
    for name in [] if same else first["metrics"]:
        changed = {k: (v, last["metrics"].get(name, {}).get(k)) for k, v in first["metrics"][name].items()
                   if last["metrics"].get(name, {}).get(k) != v}
        if changed:
            print(f"  {name}: {changed}")


if __name__ == "__main__":
    main()
