"""Rolling-origin backtest of the neutralised-share model against persistence baselines.

For each origin (the first night of a calendar month, from ``first_origin`` to ``last_origin``)
the share model (:mod:`airshield.calibrate.predictive`) is fitted on the nights *before* the
origin only, and predicts every raid of the following ``horizon_months`` months from its make-up
(launches by class, the record's decoy share where given). Two persistence baselines predict the
same raids: the pooled neutralised share (sum neutralised / sum launched) of the calendar month
before the origin (``last_month``) and of the three months before it (``last_3_months``).

Scored raids: those with at least ``min_drones`` drones (``min_missiles`` missiles for the
missile class) and every count reported. Metrics per method and class, in percentage points of
the share: mean absolute error (``mae``), root mean squared error, mean error (bias, prediction
minus observed), the share of raids predicted within +/-5 points, and for the model the share of
observed values inside its 90 % predictive interval; ``mae_ratio_*`` divide the model's MAE by
each baseline's (< 1: the model wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from airshield.calibrate.predictive import (
    DEFAULT_HALFLIFE_NIGHTS,
    KINDS,
    fit_predictive,
    raid_table,
)

BASELINES: tuple[str, ...] = ("last_month", "last_3_months")
"""Persistence baselines compared with the model."""


@dataclass
class ShareBacktest:
    """Per-raid predictions of every origin (``predictions``) and the scores (``metrics``)."""

    predictions: pd.DataFrame
    metrics: pd.DataFrame
    per_origin: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (metrics and per-origin scores; predictions as records)."""

        def rec(df: pd.DataFrame) -> list[dict[str, Any]]:
            out = []
            for r in df.to_dict(orient="records"):
                out.append(
                    {
                        str(k): (
                            None
                            if isinstance(v, float) and np.isnan(v)
                            else v.strftime("%Y-%m-%d")
                            if isinstance(v, pd.Timestamp)
                            else v
                        )
                        for k, v in r.items()
                    }
                )
            return out

        return {
            "metrics": rec(self.metrics),
            "per_origin": rec(self.per_origin),
            "predictions": rec(self.predictions),
        }


def pooled_share(raids: pd.DataFrame, kind: str, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Sum neutralised / sum launched of ``kind`` over raids with ``start <= night < end``."""
    n_col = "drones" if kind == "drone" else "missiles"
    sel = raids[(raids["night"] >= start) & (raids["night"] < end) & raids[f"{kind}_ok"]]
    n = float(sel[n_col].sum())
    return float(sel[f"{kind}_neutralised"].sum() / n) if n > 0 else float("nan")


def rolling_share_backtest(
    frame_or_raids: pd.DataFrame,
    *,
    first_origin: str,
    last_origin: str,
    horizon_months: int = 6,
    min_drones: int = 100,
    min_missiles: int = 10,
    halflife_nights: float | None = DEFAULT_HALFLIFE_NIGHTS,
    trend: bool = False,
    prior_scale: float = 1.0,
    min_launched: int | None = None,
    local_level: bool = True,
    level_reverts: bool = True,
    sims: int = 2000,
    seed: int = 0,
) -> ShareBacktest:
    """Score rolling fits on later nights (see the module docstring)."""
    raids = frame_or_raids if "drone_ok" in frame_or_raids else raid_table(frame_or_raids)
    if not len(raids):
        raise ValueError("no raid with strategic launches in the record")
    last_night = raids["night"].max()
    months = pd.period_range(
        pd.Period(first_origin, "M"), pd.Period(last_origin, "M"), freq="M"
    ).to_timestamp()
    origins = [o for o in months if o <= last_night and o > raids["night"].min()]
    if not origins:
        raise ValueError(
            f"no origin between {first_origin} and {last_origin} inside the record "
            f"({raids['night'].min():%Y-%m-%d} to {last_night:%Y-%m-%d})"
        )
    seeds = np.random.SeedSequence(seed).spawn(len(origins))
    rows: list[pd.DataFrame] = []
    for origin, ss in zip(origins, seeds, strict=True):
        until = origin - pd.Timedelta(days=1)
        end = origin + pd.DateOffset(months=horizon_months)
        test = raids[(raids["night"] >= origin) & (raids["night"] < end)]
        if not len(test):
            continue
        model = fit_predictive(
            raids[raids["night"] <= until],
            until=until,
            halflife_nights=halflife_nights,
            trend=trend,
            prior_scale=prior_scale,
            min_launched=min_launched,
            local_level=local_level,
            level_reverts=level_reverts,
        )
        pred = model.predict(test, sims=sims, seed=int(ss.generate_state(1)[0]))
        for kind in KINDS:
            n_col = "drones" if kind == "drone" else "missiles"
            floor = min_drones if kind == "drone" else min_missiles
            # every method is scored on the same raids: those the model predicts (no fit of a
            # class before an origin with too few raids of it: no prediction, no score)
            keep = (pred[n_col] >= floor) & pred[f"{kind}_ok"]
            keep &= pred[f"{kind}_neutralised_mean"].notna()
            if not keep.any():
                continue
            p = pred[keep]
            obs = p[f"{kind}_neutralised"] / p[n_col]
            base = {
                "last_month": pooled_share(raids, kind, origin - pd.DateOffset(months=1), origin),
                "last_3_months": pooled_share(
                    raids, kind, origin - pd.DateOffset(months=3), origin
                ),
            }
            common = {
                "origin": origin.strftime("%Y-%m"),
                "kind": kind,
                "raid_id": p["raid_id"].to_numpy(),
                "night": p["night"].to_numpy(),
                "launched": p[n_col].to_numpy(),
                "observed": obs.to_numpy(),
                "months_ahead": (
                    (p["night"].dt.year - origin.year) * 12 + p["night"].dt.month - origin.month
                ).to_numpy(),
            }
            rows.append(
                pd.DataFrame(
                    {
                        **common,
                        "method": "model",
                        "predicted": p[f"{kind}_neutralised_mean"].to_numpy(),
                        "p5": p[f"{kind}_neutralised_p5"].to_numpy(),
                        "p50": p[f"{kind}_neutralised_p50"].to_numpy(),
                        "p95": p[f"{kind}_neutralised_p95"].to_numpy(),
                    }
                )
            )
            for name, value in base.items():
                rows.append(
                    pd.DataFrame({**common, "method": name, "predicted": value, "p5": np.nan})
                )
    if not rows:
        raise ValueError("no scored raid after any origin (lower --min-drones?)")
    predictions = pd.concat(rows, ignore_index=True)
    return ShareBacktest(
        predictions,
        share_metrics(predictions),
        share_metrics(predictions, by=["origin", "kind", "method"]),
    )


def share_metrics(predictions: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """MAE, RMSE, bias (points), share within +/-5 points, 90 % coverage, MAE ratios."""
    keys = by or ["kind", "method"]
    f = predictions.dropna(subset=["predicted", "observed"]).copy()
    f["err"] = 100.0 * (f["predicted"] - f["observed"])
    f["abs"] = f["err"].abs()
    f["sq"] = f["err"] ** 2
    f["within5"] = f["abs"] <= 5.0
    has = f["p5"].notna() if "p5" in f else pd.Series(False, index=f.index)
    f["inside90"] = np.where(
        has, (f["observed"] >= f["p5"].fillna(np.inf)) & (f["observed"] <= f["p95"]), np.nan
    )
    g = f.groupby(keys, sort=False)
    out = pd.DataFrame(
        {
            "raids": g.size(),
            "mae": g["abs"].mean(),
            "rmse": np.sqrt(g["sq"].mean()),
            "bias": g["err"].mean(),
            "within5": g["within5"].mean(),
            "coverage90": g["inside90"].mean(),
        }
    ).reset_index()
    group = [k for k in keys if k != "method"]
    for b in BASELINES:
        ref = out[out["method"] == b].set_index(group)["mae"].rename(f"mae_{b}")
        out = out.join(ref, on=group)
        out[f"mae_ratio_{b}"] = out["mae"] / out[f"mae_{b}"]
        out = out.drop(columns=f"mae_{b}")
    return out
