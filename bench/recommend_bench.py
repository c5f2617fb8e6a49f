"""Recommenders on MovieLens-100k under two published protocols, our figures beside the published ones.

1. Microsoft Recommenders (README benchmark table): 75/25 random split stratified by user (seed 42), every
   rating as implicit feedback, top 10, full ranking with each user's training items removed.
2. RecBole's default: random 8:1:1 split per user, full ranking, Recall@10 and NDCG@10. Our validation
   tenth only tunes; the chosen model is refitted on train+validation (90%), where RecBole keeps training
   on 80%. No RecBole table for ml-100k was found to quote, so only our figures are printed.

Every model is tuned on a validation split carved out of the training data, never on the test split.

    python bench/recommend_bench.py [--data ../shared/data/movielens-100k/u.data] [--protocol ms|recbole|both]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from stocktake.tools.recommend import RecommendSettings, RecommendSpec, train_recommenders

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "movielens-100k" / "u.data"

# Microsoft Recommenders README, "Algorithm comparison" (MovieLens 100k, top 10).
MS_PUBLISHED = {
    "bpr (Cornac)": {"ndcg@10": 0.442, "precision@10": 0.388, "recall@10": 0.213},
    "lightgcn": {"ndcg@10": 0.420},
}


def run_protocol(df: pd.DataFrame, name: str, models: tuple[str, ...], device: str | None) -> None:
    if name == "ms":
        spec = RecommendSpec(user="user", item="item", models=models, split="random", test_size=0.25, ks=(10,),
                             seed=42, device=device)
        shown = ("ndcg@10", "precision@10", "recall@10", "map@10", "coverage@10")
        title = "Microsoft Recommenders protocol: 75/25 stratified by user, implicit, top 10"
    else:
        spec = RecommendSpec(user="user", item="item", models=models, split="random", test_size=0.1, ks=(10,),
                             seed=2020, device=device, settings=RecommendSettings(validation_size=0.1))
        shown = ("recall@10", "ndcg@10", "mrr@10", "hit@10", "precision@10")
        title = "RecBole protocol: random 8:1:1 per user, full ranking"
    started = time.perf_counter()
    report = train_recommenders(df, spec, progress=print_steps())
    wall = time.perf_counter() - started
    ev = report.evaluation
    print(f"\n## {title}")
    print(f"train {ev['train_interactions']:,} / test {ev['test_interactions']:,} interactions, "
          f"{ev['evaluated_users']:,} users evaluated; whole run {wall:.1f} s")
    print(f"| model | {' | '.join(shown)} | tune s | train s |")
    print("|---|" + "---|" * (len(shown) + 2))
    for m in sorted(report.models, key=lambda m: -m.metrics["ndcg@10"]):
        values = " | ".join(f"{m.metrics[k]:.4f}" for k in shown)
        print(f"| ours: {m.name} | {values} | {m.tune_seconds:.1f} | {m.train_seconds:.1f} |")
    if name == "ms":
        for label, figures in MS_PUBLISHED.items():
            values = " | ".join(f"{figures[k]:.3f}" if k in figures else "-" for k in shown)
            print(f"| published: {label} | {values} | | |")
        best = report.best
        ratio = best.metrics["ndcg@10"] / MS_PUBLISHED["bpr (Cornac)"]["ndcg@10"]
        print(f"\nbest: {best.name}, nDCG@10 {best.metrics['ndcg@10']:.4f} = {ratio:.3f} x published BPR; "
              f"tuning + training {best.tune_seconds + best.train_seconds:.1f} s")
    for note in report.notes:
        print(f"note: {note}")


def print_steps():
    """A progress callback that prints each model's steps once, not every epoch."""
    last = []

    def report(step: str, done: int, total: int | None) -> None:
        head = " · ".join(step.split(" · ")[:2])
        if head not in last[-1:]:
            print(f"  .. {head}", flush=True)
            last.append(head)

    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--protocol", choices=("ms", "recbole", "both"), default="both")
    parser.add_argument("--models", default="pop,itemknn,ease,als,bpr,lightgcn")
    parser.add_argument("--recbole-models", default="pop,itemknn,bpr")
    parser.add_argument("--device", default=None, help="torch device for bpr/lightgcn (default: cuda if present)")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"MovieLens-100k not found at {args.data} (expected ../shared/data beside the checkout)")
    df = pd.read_csv(args.data, sep="\t", names=["user", "item", "rating", "timestamp"])
    if args.protocol in ("ms", "both"):
        run_protocol(df, "ms", tuple(args.models.split(",")), args.device)
    if args.protocol in ("recbole", "both"):
        run_protocol(df, "recbole", tuple(args.recbole_models.split(",")), args.device)


if __name__ == "__main__":
    main()
