"""Summaries of the tidy attack table: per month and kind, largest raids, raid-size distribution.

The neutralised fraction is ``(destroyed + lost) / launched`` over the rows where both
``launched`` and ``destroyed`` were reported, which stays comparable across the record's changes
of counting rule (see :data:`airshield.history.importer.REGIMES`). Its interval is the Jeffreys
interval (the Beta(x + 1/2, n - x + 1/2) posterior quantiles, :func:`jeffreys_interval`). That
interval treats every weapon as an independent trial; weapons of one night share weather, routes
and defences, so the true uncertainty of a month's fraction is wider. ``nights`` is reported next
to it so a reader can judge.
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


def _month(frame: pd.DataFrame) -> pd.Series:
    return frame["night"].dt.strftime("%Y-%m")


def monthly_stats(
    frame: pd.DataFrame, *, level: float = 0.95, strategic_only: bool = False
) -> pd.DataFrame:
    """Per month (of the raid night) and threat kind: counts, neutralised fraction and interval.

    Columns: ``month, kind, rows, nights, launched, destroyed, lost, neutralised,
    fraction, ci_low, ci_high, destroyed_fraction``. Count sums skip values that were not
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
    lo, hi = jeffreys_interval(x, n, level)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["fraction"] = np.where(n > 0, x / np.where(n > 0, n, 1), np.nan)
        out["destroyed_fraction"] = np.where(
            n > 0, out["n_destroyed"].to_numpy(dtype=float) / np.where(n > 0, n, 1), np.nan
        )
    out["ci_low"] = lo
    out["ci_high"] = hi
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
