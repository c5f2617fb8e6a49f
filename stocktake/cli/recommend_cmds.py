"""Recommender commands: ``recommend train``, ``recommend for`` and ``recommend compare``."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.cli.common import engine_progress, err, out, print_json, services, warn
from stocktake.cli.confirm import YES, ask_first
from stocktake.errors import StocktakeError

group = typer.Typer(help="Train, compare and serve recommenders on interaction logs.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="recommend")


@group.command("train")
def train(
    ctx: typer.Context,
    asset: str = typer.Argument(..., help="Asset holding the interactions (see `stocktake assets`)."),
    user: str = typer.Option(..., "--user", help="Column with the user (customer) id."),
    item: str = typer.Option(..., "--item", help="Column with the item (product) id."),
    time: str = typer.Option(None, "--time", help="Timestamp or date column (needed by --split temporal)."),
    rating: str = typer.Option(None, "--rating", help="Explicit rating column: weights interactions, or "
                                                      "with --min-rating keeps ratings >= X as positives."),
    min_rating: float = typer.Option(None, "--min-rating", help="Keep only ratings >= X."),
    event: str = typer.Option(None, "--event", help="Event-type column (view, cart, purchase, ...)."),
    weights: str = typer.Option(None, "--weights", help="Event weights, e.g. view=1,cart=3,purchase=5 "
                                                        "(event types not named are left out)."),
    models: str = typer.Option("pop,itemknn,ease,als,bpr", "--models",
                               help="Comma-separated: pop, itemknn, ease, als, bpr, lightgcn."),
    split: str = typer.Option("random", "--split", help="random (per user), temporal (global cut-off) "
                                                        "or leave-last (each user's latest item)."),
    test_size: float = typer.Option(0.2, "--test-size", help="Share of interactions held out for the test."),
    k: str = typer.Option("10,20", "--k", help="Cut-offs for the metrics, e.g. 10,20."),
    no_tune: bool = typer.Option(False, "--no-tune", help="Skip the validation grid search (faster)."),
    no_refit: bool = typer.Option(False, "--no-refit", help="Save the models as evaluated, not refitted "
                                                            "on all interactions."),
    seed: int = typer.Option(0, "--seed"),
    version: int = typer.Option(None, "--version", help="Asset version (default: the latest)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    yes: bool = YES,
) -> None:
    """Train and evaluate recommenders on an interactions asset and save them in the model registry."""
    from stocktake.usecases import models as usecase

    found = services(ctx)
    columns = usecase.RecommenderColumns(user=user, item=item, event=event, time=time, rating=rating)
    plan = usecase.recommender_plan(
        found, asset, columns, version=version, min_rating=min_rating,
        weights=parse_weights(weights) if weights else None, models=_split_list(models), split=split,
        test_size=test_size, ks=tuple(_parse_int(v, "--k") for v in _split_list(k)), tune=not no_tune,
        refit=not no_refit, seed=seed,
    )
    ask_first("train_recommenders", {"asset": plan.asset, "models": ", ".join(plan.spec.models)}, yes)
    with engine_progress(f"Training {len(plan.spec.models)} recommenders on {plan.asset}") as show:
        report = usecase.train_recommenders(found, plan, progress=show).report
    for note in report.notes:
        warn(note)
    if as_json:
        print_json(report.to_dict())
        return
    _print_report(report)


@group.command("for")
def recommend_for(
    ctx: typer.Context,
    user: str = typer.Argument(..., help="The user id, as in the training data."),
    model: str = typer.Option(None, "--model", help="Model id (see `stocktake recommend compare`); the best "
                                                    "trained one when left out."),
    n: int = typer.Option(10, "--n", help="How many items."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Top-N items for a user, each with the user's own items that are most similar to it."""
    from stocktake.usecases.models import recommend_for_user

    found = recommend_for_user(services(ctx), user, model, n)
    if as_json:
        print_json(found.to_dict())
        return
    table = Table("rank", "item", "score", "because you interacted with")
    for r in found.items:
        table.add_row(str(r.rank), r.item, f"{r.score:.4f}",
                      ", ".join(f"{b.item} ({b.similarity:.2f})" for b in r.because) or "-")
    out.print(table)


@group.command("compare")
def compare(
    ctx: typer.Context,
    asset: str = typer.Option(None, "--asset", help="Only recommenders trained on this asset."),
    metric: str = typer.Option("ndcg@10", "--metric", help="Sort by this metric, best first."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List trained recommenders and their test metrics, best first."""
    from stocktake.usecases.models import compare_recommenders

    compared = compare_recommenders(services(ctx), asset, metric)
    if as_json:
        print_json(compared.to_dict())
        return
    rows = compared.models
    if not rows:
        err.print("No recommenders yet. Try: stocktake recommend train ASSET --user COL --item COL")
        return
    shown = [m for m in ("ndcg@10", "recall@10", "precision@10", "map@10", "coverage@10", "train_seconds")]
    table = Table("model_id", "algorithm", "asset", "split", *shown)
    for r in rows:
        table.add_row(r["model_id"], r["algorithm"], f"{r['asset']} v{r['asset_version']}", str(r["split"]),
                      *[_fmt(r["metrics"].get(m)) for m in shown])
    out.print(table)


def parse_weights(text: str) -> dict[str, float]:
    """``view=1,cart=3,purchase=5`` -> {"view": 1.0, "cart": 3.0, "purchase": 5.0}."""
    weights = {}
    for part in _split_list(text):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise StocktakeError(f"--weights: '{part}' is not NAME=NUMBER; write e.g. view=1,cart=3,purchase=5.")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise StocktakeError(f"--weights: '{value}' in '{part}' is not a number.") from None
    return weights


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _parse_int(text: str, option: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise StocktakeError(f"{option}: '{text}' is not a whole number.") from None


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.4f}"


def _print_report(report) -> None:
    d = report.diagnostics
    err.print(
        f"{d.users:,} users × {d.items:,} items, {d.interactions:,} interactions (density {d.density:.4%}); "
        f"cold-start: {d.cold_start_users:,} users, {d.cold_start_items:,} items; long-tail share "
        f"{d.long_tail_share:.0%}" + (f"; skipped rows: {d.skipped}" if d.skipped else ""), highlight=False)
    ev = report.evaluation
    err.print(f"{ev['split']} split: {ev['train_interactions']:,} train / {ev['test_interactions']:,} test "
              f"interactions; {ev['evaluated_users']:,} users evaluated, "
              f"{ev['test_users_without_training_history']:,} test users without training history skipped, "
              f"{ev['test_items_unseen_in_training']:,} test items never seen in training", highlight=False)
    ks, first = ev["ks"], ev["ks"][0]
    columns = ([f"{m}@{k}" for k in ks for m in ("ndcg", "recall", "precision")]
               + [f"{m}@{first}" for m in ("map", "hit", "mrr", "coverage")])
    table = Table("model", *columns, "train s", "model_id")
    for m in sorted(report.models, key=lambda m: -m.metrics[report.primary_metric]):
        table.add_row(m.name, *[_fmt(m.metrics.get(c)) for c in columns], f"{m.train_seconds:.2f}",
                      m.model_id or "-")
    out.print(table)
