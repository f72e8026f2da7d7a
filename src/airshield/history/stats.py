"""Summaries of the tidy attack table: per month and kind, largest raids, raid-size distribution.

The neutralised fraction is ``(destroyed + lost) / launched`` over the rows where both
``launched`` and ``destroyed`` were reported, which stays comparable across the record's changes
of counting rule (see :data:`airshield.history.importer.REGIMES`).

Its interval is clustered by night. Weapons of one night share weather, routes, the defences on
duty and the counting of one report, so they are not independent trials: a month of five nights
at 70, 95, 80, 99 and 75 % says much less than 2,000 independent coin flips. The month's fraction
is the ratio estimator ``p = sum(x_j) / sum(n_j)`` over its nights ``j``; its variance is the
cluster-robust (linearised ratio, "sandwich") estimate ``J / (J - 1) * sum((x_j - p n_j)^2) /
(sum n_j)^2``. The design effect ``deff`` is that variance over the binomial one
``p (1 - p) / N`` (floored at 1: clustering never makes an interval narrower than the binomial
one), and the interval is the Jeffreys interval at the effective sample size ``N / deff``
(:func:`clustered_interval`, the Korn-Graubard construction). A month with one night (or a fraction of 0 or
1) cannot estimate its own ``deff``; it takes the pooled design effect of its kind over the whole
table (``deff_pooled``: the same estimator with months as
strata). The binomial (Jeffreys) interval is kept in ``binom_low``/``binom_high`` for comparison.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from airshield.history.models import THREAT_KINDS

RAID_SIZE_BINS: tuple[float, ...] = (1, 10, 25, 50, 100, 200, 400, 800, np.inf)
"""Edges of the raid-size histogram (strategic weapons launched in one night)."""


def jeffreys_interval(
    successes: np.ndarray | float, trials: np.ndarray | float, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed Jeffreys interval for a binomial proportion (vectorised).

    The lower bound is 0 when there are no successes and the upper bound 1 when every trial
    succeeded (the usual boundary convention); ``NaN`` where ``trials == 0``.
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = sps.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5)
        hi = sps.beta.ppf(1 - alpha / 2, x + 0.5, n - x + 0.5)
    lo = np.where(x <= 0, 0.0, lo)
    hi = np.where(x >= n, 1.0, hi)
    bad = n <= 0
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def _cluster_variance(x: np.ndarray, n: np.ndarray) -> tuple[float, float, int]:
    """(ratio estimate, cluster-robust variance of it, clusters) for clusters ``x_j / n_j``."""
    keep = n > 0
    x, n = x[keep], n[keep]
    total = float(n.sum())
    j = len(n)
    if total <= 0:
        return float("nan"), float("nan"), 0
    p = float(x.sum()) / total
    if j < 2:
        return p, float("nan"), j
    resid = x - p * n
    return p, float(j / (j - 1) * (resid**2).sum() / total**2), j


def design_effect(x: np.ndarray, n: np.ndarray) -> float:
    """Design effect of a clustered proportion: cluster-robust over binomial variance (>= 1).

    ``NaN`` when it cannot be estimated (fewer than two clusters, or ``p`` at 0 or 1).
    """
    p, var, j = _cluster_variance(np.asarray(x, float), np.asarray(n, float))
    total = float(np.asarray(n, float)[np.asarray(n, float) > 0].sum())
    if j < 2 or not (0.0 < p < 1.0) or not np.isfinite(var):
        return float("nan")
    return max(1.0, var / (p * (1.0 - p) / total))


def clustered_interval(
    x: np.ndarray, n: np.ndarray, level: float = 0.95, *, deff: float | None = None
) -> tuple[float, float, float]:
    """Interval of ``sum(x) / sum(n)`` for clusters (nights) ``x_j`` of ``n_j``: (lo, hi, deff).

    Jeffreys interval at the effective sample size ``N / deff``; ``deff`` is estimated from the
    clusters (:func:`design_effect`) unless given, and falls back to 1 (binomial) when neither
    is available. ``NaN`` bounds when there are no trials.
    """
    xa, na = np.asarray(x, float), np.asarray(n, float)
    total = float(na[na > 0].sum())
    if total <= 0:
        return float("nan"), float("nan"), float("nan")
    d = design_effect(xa, na)
    if not np.isfinite(d):
        d = deff if deff is not None and np.isfinite(deff) else 1.0
    p = float(xa[na > 0].sum()) / total
    n_eff = total / d
    lo, hi = jeffreys_interval(np.array([p * n_eff]), np.array([n_eff]), level)
    return float(lo[0]), float(hi[0]), d


def _pooled_deff(nightly: pd.DataFrame) -> dict[str, float]:
    """Design effect per kind pooling every month (months as strata, nights as clusters)."""
    out: dict[str, float] = {}
    for kind, g in nightly.groupby("kind", sort=False):
        num = 0.0
        den = 0.0
        for _, m in g.groupby("month", sort=False):
            x = m["n_neutral"].to_numpy(float)
            n = m["n_trials"].to_numpy(float)
            p, var, j = _cluster_variance(x, n)
            if j < 2 or not (0.0 < p < 1.0) or not np.isfinite(var):
                continue
            total = float(n[n > 0].sum())
            num += var * total**2  # sum of squared residuals, scaled like the binomial term
            den += p * (1.0 - p) * total
        out[str(kind)] = max(1.0, num / den) if den > 0 else float("nan")
    return out


def _month(frame: pd.DataFrame) -> pd.Series:
    return frame["night"].dt.strftime("%Y-%m")


def monthly_stats(
    frame: pd.DataFrame, *, level: float = 0.95, strategic_only: bool = False
) -> pd.DataFrame:
    """Per month (of the raid night) and threat kind: counts, neutralised fraction and interval.

    Columns: ``month, kind, rows, nights, launched, destroyed, lost, neutralised,
    fraction, ci_low, ci_high, deff, binom_low, binom_high, destroyed_fraction, n_trials``:
    ``ci_low``/``ci_high`` are clustered by night (see the module docstring), ``deff`` is the
    design effect used, ``binom_*`` the binomial Jeffreys interval that ignores clustering. Count sums skip values that were not
    reported; a sum with nothing reported is ``<NA>`` (not zero). ``lost`` is ``<NA>`` for months
    in which no row reported it (before July 2024, or after the July 2025 rule change).
    """
    f = frame if not strategic_only else frame.loc[frame["strategic"].astype(bool)]
    f = f.assign(month=_month(f))
    both = f["launched"].notna() & f["destroyed"].notna()
    f = f.assign(
        n_trials=f["launched"].where(both, 0).astype("int64"),
        n_neutral=f["neutralised"].where(both, 0).fillna(0).astype("int64"),
        n_destroyed=f["destroyed"].where(both, 0).astype("int64"),
    )
    g = f.groupby(["month", "kind"], sort=True)
    out = pd.DataFrame(
        {
            "rows": g.size(),
            "nights": g["raid_id"].nunique(),
            "launched": g["launched"].sum(min_count=1),
            "destroyed": g["destroyed"].sum(min_count=1),
            "lost": g["lost"].sum(min_count=1),
            "neutralised": g["neutralised"].sum(min_count=1),
            "n_trials": g["n_trials"].sum(),
            "n_neutral": g["n_neutral"].sum(),
            "n_destroyed": g["n_destroyed"].sum(),
        }
    ).reset_index()
    order = {k: i for i, k in enumerate(THREAT_KINDS)}
    out = out.sort_values(["month", "kind"], key=lambda s: s.map(order) if s.name == "kind" else s)
    n = out["n_trials"].to_numpy(dtype=float)
    x = out["n_neutral"].to_numpy(dtype=float)
    blo, bhi = jeffreys_interval(x, n, level)
    # clusters: the nights of each month and kind
    nightly = (
        f.groupby(["month", "kind", "night"], sort=False)[["n_trials", "n_neutral"]]
        .sum()
        .reset_index()
    )
    pooled = _pooled_deff(nightly)
    by_cell = {key: g for key, g in nightly.groupby(["month", "kind"], sort=False)}
    lo = np.full(len(out), np.nan)
    hi = np.full(len(out), np.nan)
    deff = np.full(len(out), np.nan)
    for i, (month, kind) in enumerate(zip(out["month"], out["kind"], strict=True)):
        cell = by_cell.get((month, kind))
        if cell is None or n[i] <= 0:
            continue
        lo[i], hi[i], deff[i] = clustered_interval(
            cell["n_neutral"].to_numpy(float),
            cell["n_trials"].to_numpy(float),
            level,
            deff=pooled.get(str(kind)),
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["fraction"] = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
        out["destroyed_fraction"] = np.where(
            n > 0, out["n_destroyed"].to_numpy(dtype=float) / np.where(n > 0, n, 1), np.nan
        )
    out["ci_low"] = lo
    out["ci_high"] = hi
    out["deff"] = deff
    out["binom_low"] = blo
    out["binom_high"] = bhi
    cols = [
        "month",
        "kind",
        "rows",
        "nights",
        "launched",
        "destroyed",
        "lost",
        "neutralised",
        "fraction",
        "ci_low",
        "ci_high",
        "deff",
        "binom_low",
        "binom_high",
        "destroyed_fraction",
        "n_trials",
    ]
    return out[cols].reset_index(drop=True)


def monthly_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The monthly table as JSON-ready dicts (``<NA>``/``NaN`` become ``None``)."""
    records: list[dict[str, Any]] = []
    for row in table.to_dict(orient="records"):
        rec: dict[str, Any] = {}
        for key, v in row.items():
            k = str(key)
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                rec[k] = None
            elif isinstance(v, (np.integer, int)) and not isinstance(v, bool):
                rec[k] = int(v)
            elif isinstance(v, (np.floating, float)):
                rec[k] = round(float(v), 6)
            else:
                rec[k] = v
        records.append(rec)
    return records


def nightly_totals(frame: pd.DataFrame, *, strategic_only: bool = True) -> pd.DataFrame:
    """Launched per night and kind (wide: one column per kind, plus ``total``), indexed by night."""
    f = frame.loc[frame["strategic"].astype(bool)] if strategic_only else frame
    f = f[f["launched"].notna()]
    if f.empty:
        empty = pd.DataFrame(
            {k: pd.Series(dtype="int64") for k in (*THREAT_KINDS, "total")},
            index=pd.DatetimeIndex([], name="night"),
        )
        return empty
    wide = (
        f.pivot_table(index="night", columns="kind", values="launched", aggfunc="sum", fill_value=0)
        .reindex(columns=list(THREAT_KINDS), fill_value=0)
        .astype("int64")
    )
    wide.columns.name = None
    wide["total"] = wide.sum(axis=1)
    return wide


def largest_raids(frame: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` raids with most strategic weapons launched (Shahed-type drones and missiles).

    A raid is a ``raid_id``: a night, or a daytime raid of its own (``R<date>-day``), so a daytime
    mass raid is never summed with the night before or the night after.
    """
    f = frame.loc[frame["strategic"].astype(bool)]
    cols = ["raid_id", "night", "total", *THREAT_KINDS, "neutralised", "fraction", "main_targets"]
    launched = f[f["launched"].notna()]
    if launched.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    wide = (
        launched.pivot_table(
            index="raid_id", columns="kind", values="launched", aggfunc="sum", fill_value=0
        )
        .reindex(columns=list(THREAT_KINDS), fill_value=0)
        .astype("int64")
    )
    wide.columns.name = None
    wide["total"] = wide.sum(axis=1)
    g = f.groupby("raid_id")
    targets = g["target"].agg(lambda s: " and ".join(sorted({t for t in s if t}))[:80])
    out = (
        wide.assign(
            night=g["night"].first(),
            neutralised=g["neutralised"].sum(min_count=1),
            main_targets=targets,
        )
        .sort_values("total", ascending=False, kind="stable")
        .head(n)
    )
    out = out.reset_index()
    out["night"] = out["night"].dt.strftime("%Y-%m-%d")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["fraction"] = out["neutralised"].astype("Float64") / out["total"]
    return out[cols]


@dataclass(frozen=True)
class RaidSizeDistribution:
    """Distribution of nightly raid size (strategic weapons launched, nights with any)."""

    nights: int
    quantiles: dict[str, float]
    histogram: pd.DataFrame
    by_year: pd.DataFrame


def raid_size_distribution(frame: pd.DataFrame) -> RaidSizeDistribution:
    """Histogram and quantiles of nightly strategic launches, overall and by year."""
    totals = nightly_totals(frame)["total"]
    totals = totals[totals > 0]
    edges = np.asarray(RAID_SIZE_BINS, dtype=float)
    counts, _ = np.histogram(totals.to_numpy(), bins=edges)
    labels = [
        f"{int(a)}-{int(b) - 1}" if np.isfinite(b) else f"{int(a)}+"
        for a, b in itertools.pairwise(edges)
    ]
    hist = pd.DataFrame({"size": labels, "nights": counts})
    hist["share"] = hist["nights"] / max(int(counts.sum()), 1)
    qs = {"p50": 0.5, "p75": 0.75, "p90": 0.9, "p99": 0.99}
    quantiles = {k: float(np.quantile(totals, q)) for k, q in qs.items()} if len(totals) else {}
    quantiles["max"] = float(totals.max()) if len(totals) else float("nan")
    quantiles["mean"] = float(totals.mean()) if len(totals) else float("nan")
    by_year = (
        totals.groupby(pd.DatetimeIndex(totals.index).year)
        .agg(
            nights="size",
            mean="mean",
            median="median",
            max="max",
            over_100=lambda s: int((s >= 100).sum()),
        )
        .rename_axis("year")
        .reset_index()
    )
    return RaidSizeDistribution(len(totals), quantiles, hist, by_year)
