"""From a table of interactions to a user x item matrix: cleaning, weighting, diagnostics and leak-free splits.

Repeated (user, item) rows collapse into one interaction whose weight is the sum of its rows' weights and
whose time is the first contact; splits work on these pairs, so one pair never sits on both sides.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from stocktake.errors import Option, Remedy, StocktakeError, UnknownNameError
from stocktake.tools.recommend.spec import DEFAULT_EVENT_WEIGHTS, RecommendSettings, RecommendSpec


@dataclass(frozen=True)
class Interactions:
    users: np.ndarray  # user labels (str), index = row
    items: np.ndarray  # item labels (str), index = column
    pairs: pd.DataFrame  # one row per (u, i): u, i (codes), weight, time (float, NaN when unknown), order
    skipped: dict[str, int]  # input rows left out, by reason
    rows: int  # input rows

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.users), len(self.items)

    def matrix(self, mask: np.ndarray | None = None) -> sp.csr_matrix:
        """The users x items weight matrix, over all users and items, of the pairs in ``mask``."""
        pairs = self.pairs if mask is None else self.pairs[mask]
        return sp.csr_matrix(
            (pairs["weight"].to_numpy(np.float32), (pairs["u"].to_numpy(), pairs["i"].to_numpy())),
            shape=self.shape,
        )


@dataclass(frozen=True)
class Diagnostics:
    rows: int
    rows_used: int
    skipped: dict[str, int]
    users: int
    items: int
    interactions: int
    density: float
    interactions_per_user_median: float
    cold_start_users: int  # fewer than cold_threshold interactions: too few to learn from or to test on
    cold_start_items: int
    long_tail_share: float  # share of interactions on items outside the most popular head_item_share

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Split:
    method: str
    train: np.ndarray  # boolean masks over Interactions.pairs
    test: np.ndarray


def build_interactions(df: pd.DataFrame, spec: RecommendSpec) -> Interactions:
    """Clean and weigh the raw rows, then collapse them into (user, item) pairs."""
    _check_columns(df, spec)
    if df.empty:
        raise StocktakeError("The table is empty: a recommender needs rows of (user, item) interactions.")
    skipped: dict[str, int] = {}
    frame = pd.DataFrame({"user": df[spec.user], "item": df[spec.item]})
    frame["weight"] = 1.0
    keep = _count_drop(skipped, "missing_user", _missing(frame["user"]))
    keep &= _count_drop(skipped, "missing_item", keep & _missing(frame["item"]))
    if spec.rating:
        rating = pd.to_numeric(df[spec.rating], errors="coerce")
        keep &= _count_drop(skipped, "missing_rating", keep & rating.isna())
        if spec.min_rating is not None:
            keep &= _count_drop(skipped, "below_min_rating", keep & (rating < spec.min_rating))
        else:
            frame["weight"] = rating.astype(float)
    if spec.event:
        weights = _event_weights(df[spec.event], spec.weights)
        keep &= _count_drop(skipped, "unweighted_event", keep & weights.isna())
        frame["weight"] = frame["weight"] * weights
    frame["time"] = _to_seconds(df[spec.time], spec.time) if spec.time else np.nan
    frame["order"] = np.arange(len(frame))
    keep &= _count_drop(skipped, "non_positive_weight", keep & ~(frame["weight"] > 0))
    frame = frame[keep.to_numpy()]
    if frame.empty:
        reasons = ", ".join(f"{n:,} {why.replace('_', ' ')}" for why, n in skipped.items() if n)
        raise StocktakeError(f"No usable interactions left after cleaning ({reasons});",
                             Remedy("check-user-item-rating"))
    u_codes, users = pd.factorize(_labels(frame["user"]), sort=False)
    i_codes, items = pd.factorize(_labels(frame["item"]), sort=False)
    frame = frame.assign(u=u_codes, i=i_codes)
    pairs = (frame.groupby(["u", "i"], sort=False)
             .agg(weight=("weight", "sum"), time=("time", "min"), order=("order", "min"))
             .reset_index().sort_values("order", kind="stable").reset_index(drop=True))
    return Interactions(np.asarray(users, dtype=str), np.asarray(items, dtype=str), pairs,
                        {k: v for k, v in skipped.items() if v}, len(df))


def diagnose_interactions(inter: Interactions, settings: RecommendSettings = RecommendSettings()) -> Diagnostics:
    n_users, n_items = inter.shape
    per_user = np.bincount(inter.pairs["u"], minlength=n_users)
    per_item = np.bincount(inter.pairs["i"], minlength=n_items)
    head = max(1, int(np.ceil(settings.head_item_share * n_items)))
    popular = np.sort(per_item)[::-1]
    return Diagnostics(
        rows=inter.rows, rows_used=inter.rows - sum(inter.skipped.values()), skipped=dict(inter.skipped),
        users=n_users, items=n_items, interactions=len(inter.pairs),
        density=float(f"{len(inter.pairs) / (n_users * n_items):.4g}"),
        interactions_per_user_median=float(np.median(per_user)),
        cold_start_users=int((per_user < settings.cold_threshold).sum()),
        cold_start_items=int((per_item < settings.cold_threshold).sum()),
        long_tail_share=round(float(popular[head:].sum() / popular.sum()), 4),
    )


def split_interactions(inter: Interactions, method: str, test_size: float, seed: int = 0,
                       within: np.ndarray | None = None) -> Split:
    """Hold out ``test_size`` of the pairs (of the pairs in ``within``, when given) without leakage.

    random: per user, a random share of that user's items (stratified by user, as Microsoft Recommenders
    and RecBole do); temporal: every pair first seen at or after a global time cut-off, so nothing in
    training comes after anything in the test; leave-last: each user's latest item.
    """
    pool = np.ones(len(inter.pairs), bool) if within is None else within
    pairs = inter.pairs[pool]
    if method == "temporal":
        held = _hold_out_latest_share(pairs, test_size)
    elif method == "leave-last":
        held = _hold_out_per_user(pairs, lambda n: np.minimum(1, n - 1), by_time=True, seed=seed)
    else:
        held = _hold_out_per_user(pairs, lambda n: np.clip(np.rint(n * test_size), 1, n - 1), by_time=False,
                                  seed=seed)
    test = np.zeros(len(inter.pairs), bool)
    test[np.flatnonzero(pool)[held]] = True
    return Split(method, pool & ~test, test)


def _hold_out_per_user(pairs: pd.DataFrame, n_test, by_time: bool, seed: int) -> np.ndarray:
    """Positions (in ``pairs``) of the last ``n_test(n)`` pairs per user, in time or in random order."""
    rng = np.random.default_rng(seed)
    key = pairs["time"].fillna(pairs["order"]).to_numpy() if by_time else rng.random(len(pairs))
    tiebreak = pairs["order"].to_numpy()
    order = np.lexsort((tiebreak, key, pairs["u"].to_numpy()))
    users = pairs["u"].to_numpy()[order]
    counts = np.bincount(users)
    sizes = counts[users]
    starts = np.concatenate([[0], np.cumsum(counts)])[users]
    rank = np.arange(len(order)) - starts  # position inside the user's group
    take = np.maximum(n_test(sizes), 0)  # users with one pair keep it for training
    return np.sort(order[rank >= sizes - take])


def _hold_out_latest_share(pairs: pd.DataFrame, test_size: float) -> np.ndarray:
    if pairs["time"].isna().all():
        raise StocktakeError((Option("split"), " temporal needs ", Remedy("time-column"), " with a timestamp or date."))
    times = pairs["time"].to_numpy()
    cutoff = np.nanquantile(times, 1 - test_size)
    held = np.flatnonzero(times >= cutoff)
    if len(held) == len(pairs):  # every pair shares one time: nothing can be trained before the cut-off
        raise StocktakeError((Option("split"), " temporal: all interactions share one time, so there is no past to "
                              "train on;"), Remedy("random-split"))
    return held


def _check_columns(df: pd.DataFrame, spec: RecommendSpec) -> None:
    known = [str(c) for c in df.columns]
    for option, column in (("user", spec.user), ("item", spec.item), ("time", spec.time),
                           ("rating", spec.rating), ("event", spec.event)):
        if column is not None and column not in df.columns:
            raise UnknownNameError(("column (given to ", Option(option), ")"), column, known)


def _count_drop(skipped: dict[str, int], reason: str, drop: pd.Series) -> pd.Series:
    skipped[reason] = int(drop.sum())
    return ~drop


_NULL_TOKENS = ("", "na", "n/a", "nan", "null", "none", "<na>")


def _missing(values: pd.Series) -> pd.Series:
    """Missing ids, including the text tokens exports use for them (diginetica writes NA)."""
    return values.isna() | values.astype(str).str.strip().str.lower().isin(_NULL_TOKENS)


def _event_weights(events: pd.Series, weights: dict[str, float] | None) -> pd.Series:
    names = events.astype("string").str.strip().str.lower()
    if weights is None:  # default weights for names we know, 1 for the rest
        return names.map(DEFAULT_EVENT_WEIGHTS).astype(float).fillna(1.0).where(names.notna())
    lowered = {str(k).strip().lower(): float(v) for k, v in weights.items()}
    return names.map(lowered).astype(float)


def _labels(values: pd.Series) -> pd.Series:
    """Ids as text; ids stored as whole floats (17850.0, after a missing value) read as 17850."""
    if pd.api.types.is_float_dtype(values) and np.all(np.mod(values.to_numpy(float), 1) == 0):
        return values.astype("int64").astype(str)
    return values.astype(str).str.strip()


def _to_seconds(values: pd.Series, column: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(float)
    parsed = pd.to_datetime(values, errors="coerce", utc=True)
    if parsed.isna().all():
        raise StocktakeError((Option("time"), f" column '{column}' holds no readable timestamps or dates "
                              f"(first value: {values.iloc[0]!r})."), column=column)
    return (parsed - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(float)
