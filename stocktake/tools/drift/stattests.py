"""Drift of one column between two versions, tested the way Evidently's defaults (``DataDriftPreset``) test it.

Evidently picks the test by the size of the reference (its non-null values) and the number of distinct values of
both versions together; nulls are left out first:

==================  ===========================  =============================  ============================
reference values    numeric, more than 5 values  5 or fewer / categorical       2 or fewer (binary)
==================  ===========================  =============================  ============================
up to 1,000         Kolmogorov-Smirnov           chi-squared                    Z-test of proportions
more than 1,000     Wasserstein / std of ref.    Jensen-Shannon distance        Jensen-Shannon distance
==================  ===========================  =============================  ============================

The p-values drift below 0.05 (Kolmogorov-Smirnov at 0.05 too, as Evidently has it), the distances at 0.1 or
above. Each is computed as Evidently computes it (Jensen-Shannon over the shares of each value, natural
logarithms; the Wasserstein distance divided by the reference's standard deviation, at least 0.001), with three
differences, each measured against Evidently by bench/drift_bench.py:

- chi-squared is the two-sample test of homogeneity (the 2 x k table of counts). Evidently's is a goodness-of-fit
  test that takes the reference's counts as the exact expectation; two samples of the same data then vary twice as
  much as it allows, and an unchanged five-value column drifts about a third of the time (a value seen only in the
  later version makes its p-value 0). ``chi_squared="goodness_of_fit"`` gives Evidently's.
- values too rare for the test are pooled into one before it: those expected fewer than ``chi_min_expected``
  times (chi-squared, the textbook rule) or ``distance_min_expected`` times (Jensen-Shannon) in the smaller version.
  Without it two samples of a column of city names or invoice numbers, a few rows each, are always 0.2 to 0.4
  apart, and always drift.
- a numeric column with more than ``sample_values`` values is tested on a fixed-seed sample of rows (see values),
  where Evidently reads every row.

``stocktake.settings.EVIDENTLY_DRIFT`` undoes the first two: Evidently's defaults exactly, false alarms included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from scipy.spatial import distance

from stocktake.settings import DriftSettings
from stocktake.tools.profile import ColumnProfile

NUMERIC, CATEGORICAL, TEXT, OTHER = "numeric", "categorical", "text", "other"
TESTED_KINDS = (NUMERIC, CATEGORICAL)


@dataclass(frozen=True)
class Values:
    """One version's non-null values of a column as the tests read them: a count per value (categories, and
    numbers with few values), or the numbers themselves (a sample where ``sampled``)."""
    count: int
    counts: dict = field(default_factory=dict)
    sample: np.ndarray | None = field(default=None, compare=False)
    sampled: bool = False

    @property
    def numbers(self) -> np.ndarray:
        if self.sample is not None:
            return self.sample
        return np.repeat(np.array(list(self.counts), dtype=float), list(self.counts.values()))


def column_kind(c: ColumnProfile, settings: DriftSettings) -> str:
    """How a column is tested, decided from its earlier version as Evidently infers it from pandas types: floats
    are numeric, integers too unless they have few distinct values, booleans and text with repeating values
    (``text_max_distinct_share``) are categories. Dates and timestamps are numeric here (seconds); free text,
    binary and nested values go untested."""
    if c.type in ("float", "date", "timestamp"):
        return NUMERIC
    if c.type == "integer":
        return CATEGORICAL if (c.distinct or 0) <= settings.integer_category_max_distinct else NUMERIC
    if c.type == "boolean":
        return CATEGORICAL
    if c.type == "string":
        few = c.distinct is not None and c.distinct <= min(settings.max_categories,
                                                           settings.text_max_distinct_share * c.non_null)
        return CATEGORICAL if few else TEXT
    return OTHER


@dataclass(frozen=True)
class StatTest:
    name: str  # Evidently's name
    title: str
    measure: Callable[[Values, Values, DriftSettings], float]
    p_value: bool  # a p-value, which drifts below the threshold; else a distance, which drifts at or above it
    at_threshold: bool = False  # a p-value equal to the threshold drifts too

    def threshold(self, settings: DriftSettings) -> float:
        return settings.p_value if self.p_value else settings.distance

    def drifted(self, score: float, threshold: float) -> bool:
        if not np.isfinite(score):  # a test that cannot be computed (0/0) finds nothing, as in Evidently
            return False
        if self.p_value:
            return score <= threshold if self.at_threshold else score < threshold
        return score >= threshold


def pooled_counts(ref: Values, cur: Values, min_expected: float) -> tuple[np.ndarray, np.ndarray]:
    """Each version's count of each value seen in either, the values expected fewer than ``min_expected`` times in
    the smaller version pooled into one."""
    keys = list(ref.counts.keys() | cur.counts.keys())
    r = np.array([ref.counts.get(k, 0) for k in keys], dtype=float)
    c = np.array([cur.counts.get(k, 0) for k in keys], dtype=float)
    rare = (r + c) / (ref.count + cur.count) * min(ref.count, cur.count) < min_expected
    if rare.sum() < 2:
        return r, c
    return np.append(r[~rare], r[rare].sum()), np.append(c[~rare], c[rare].sum())


def _ks(ref: Values, cur: Values, settings: DriftSettings) -> float:
    return float(stats.ks_2samp(ref.numbers, cur.numbers).pvalue)


def _wasserstein(ref: Values, cur: Values, settings: DriftSettings) -> float:
    numbers = ref.numbers
    return wasserstein_distance(numbers, cur.numbers) / max(float(np.std(numbers)), 0.001)


def wasserstein_distance(u: np.ndarray, v: np.ndarray) -> float:
    """The first Wasserstein distance of two samples: the area between their distribution functions, as
    ``scipy.stats.wasserstein_distance`` computes it, in half its time (merging the two sorted samples is linear)."""
    u, v = np.sort(u), np.sort(v)
    steps = np.concatenate([u, v])
    steps.sort(kind="stable")
    below_u = np.searchsorted(u, steps[:-1], side="right") / len(u)
    below_v = np.searchsorted(v, steps[:-1], side="right") / len(v)
    return float(np.dot(np.abs(below_u - below_v), np.diff(steps)))


def _jensen_shannon(ref: Values, cur: Values, settings: DriftSettings) -> float:
    r, c = pooled_counts(ref, cur, settings.distance_min_expected)
    return float(distance.jensenshannon(r / ref.count, c / cur.count))


def _chi_squared(ref: Values, cur: Values, settings: DriftSettings) -> float:
    r, c = pooled_counts(ref, cur, settings.chi_min_expected)
    if len(r) < 2:  # every value pooled: nothing to tell apart
        return 1.0
    if settings.chi_squared == "goodness_of_fit":
        with np.errstate(divide="ignore", invalid="ignore"):  # a value new in cur: expected 0, p-value 0
            return float(stats.chisquare(c, r * (cur.count / ref.count)).pvalue)
    return float(stats.chi2_contingency(np.vstack([r, c]), correction=False).pvalue)


def _z_test(ref: Values, cur: Values, settings: DriftSettings) -> float:
    if len(ref.counts) == 1 and ref.counts.keys() == cur.counts.keys():
        return 1.0
    first = sorted(ref.counts.keys() | cur.counts.keys())[0]
    return proportions_p_value(ref.count - ref.counts.get(first, 0), ref.count,
                               cur.count - cur.counts.get(first, 0), cur.count)


def proportions_p_value(k1: int, n1: int, k2: int, n2: int) -> float:
    """The two-sided p-value of a Z-test that ``k1`` of ``n1`` and ``k2`` of ``n2`` are the same proportion."""
    pooled = (k1 + k2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 1.0
    return float(2 * (1 - stats.norm.cdf(abs(k1 / n1 - k2 / n2) / spread)))


KS = StatTest("ks", "Kolmogorov-Smirnov p-value", _ks, p_value=True, at_threshold=True)
CHI_SQUARED = StatTest("chisquare", "chi-squared p-value", _chi_squared, p_value=True)
Z = StatTest("z", "Z-test p-value", _z_test, p_value=True)
WASSERSTEIN = StatTest("wasserstein", "Wasserstein distance (normed)", _wasserstein, p_value=False)
JENSEN_SHANNON = StatTest("jensenshannon", "Jensen-Shannon distance", _jensen_shannon, p_value=False)
TESTS = {t.name: t for t in (KS, CHI_SQUARED, Z, WASSERSTEIN, JENSEN_SHANNON)}


def choose_test(kind: str, reference_values: int, distinct_values: int, settings: DriftSettings) -> StatTest:
    """Evidently's default test for a ``kind`` column with this many reference values and distinct values in both
    versions together."""
    many = kind == NUMERIC and distinct_values > settings.numeric_min_values
    if reference_values > settings.small_reference_values:
        return WASSERSTEIN if many else JENSEN_SHANNON
    if many:
        return KS
    return Z if distinct_values <= settings.binary_max_values else CHI_SQUARED


def distinct_values(ref: Values, cur: Values, settings: DriftSettings) -> int:
    """The distinct values of both versions together, or (where numbers were read, since either has more than
    ``numeric_min_values``) a count known to be above that."""
    if ref.sample is None and cur.sample is None:
        return len(ref.counts.keys() | cur.counts.keys())
    return settings.numeric_min_values + 1
