"""Confidence intervals of differences, the one rule every comparison uses.

A comparison of two runs with the same seed is *paired*: replication i of both used child i of
the same :class:`numpy.random.SeedSequence` (common random numbers), so the interval is the
Student-t interval of the per-replication differences. Runs with different seeds are
independent samples and get Welch's interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class Interval:
    """Mean ``mean`` with its two-sided ``level`` interval ``[lo, hi]`` over ``reps`` replications
    (``sd``: standard deviation of the differences; 0 for one replication, where the interval
    has no width)."""

    mean: float
    lo: float
    hi: float
    sd: float
    reps: int
    level: float


def _t_quantile(level: float, dof: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + level / 2, dof))


def paired_difference(d: ArrayLike, level: float = 0.95) -> Interval:
    """t interval of the mean of paired differences ``d`` (one per replication).

    With fewer than two replications the sd is 0 and the interval is the mean itself; with
    none, the mean is NaN."""
    x = np.asarray(d, dtype=np.float64).ravel()
    r = int(x.size)
    mean = float(x.mean()) if r else math.nan
    if r < 2:
        return Interval(mean, mean, mean, 0.0, r, level)
    sd = float(x.std(ddof=1))
    half = _t_quantile(level, r - 1) * sd / math.sqrt(r)
    return Interval(mean, mean - half, mean + half, sd, r, level)


def difference_row(
    variant: str,
    baseline: str,
    metric: str,
    base: NDArray[Any],
    other: NDArray[Any],
    level: float = 0.95,
) -> dict[str, Any]:
    """One row of a comparison table: metric ``metric`` of ``variant`` against ``baseline`` from
    their per-replication values (paired: the same seed), with both means and the mean paired
    difference (``other - base``), its sd and its ``level`` t-interval."""
    ci = paired_difference(other - base, level)
    return {
        "variant": variant,
        "baseline": baseline,
        "metric": metric,
        "baseline_mean": float(np.mean(base)),
        "variant_mean": float(np.mean(other)),
        "diff_mean": ci.mean,
        "diff_lo": ci.lo,
        "diff_hi": ci.hi,
        "diff_sd": ci.sd,
        "reps": ci.reps,
    }


def welch_difference(a: ArrayLike, b: ArrayLike, level: float = 0.95) -> Interval:
    """Welch interval of ``mean(b) - mean(a)`` for independent samples (``reps`` is 0: the
    samples are not paired). NaN bounds when either sample has fewer than two values."""
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    mean = float(y.mean() - x.mean())
    if x.size < 2 or y.size < 2:
        return Interval(mean, math.nan, math.nan, math.nan, 0, level)
    va, vb = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(mean, mean, mean, 0.0, 0, level)
    dof = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = _t_quantile(level, dof) * se
    return Interval(mean, mean - half, mean + half, se, 0, level)
