"""Rolling-origin backtest of the tempo model against naive baselines.

For each origin (the first night of a calendar month) the tempo model is fitted on the nights
before it only, and forecasts that month's launches by kind and for the aggregates ``drones``
(Shahed-type drones and decoys) and ``missiles`` (cruise, ballistic, other). Two naive baselines
forecast the same month: the previous month's total (``last_month``) and the mean of the three
previous months (``mean_3_months``). Error metrics per method and kind: mean absolute error
(MAE), root mean squared error (RMSE), mean absolute percentage error (MAPE, months with a zero
actual left out), symmetric MAPE, MAE relative to ``last_month`` and to ``mean_3_months``
(< 1 beats it), and for the model the share of actuals inside its 80 % and 95 % predictive
intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from airshield.calibrate.tempo import fit_tempo, with_aggregates

BASELINES: tuple[str, ...] = ("last_month", "mean_3_months")
"""Naive forecasts compared with the model."""


@dataclass
class Backtest:
    """Per-origin forecasts (``forecasts``, with a ``horizon`` column: 1 = the origin's month),
    the one-month-ahead error summary (``metrics``) and the summary per horizon
    (``by_horizon``, the same columns plus ``horizon``)."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    by_horizon: pd.DataFrame | None = None


def monthly_actuals(series: pd.DataFrame) -> pd.DataFrame:
    """Launches per calendar month and kind (plus ``total``) from a nightly series."""
    full = with_aggregates(series) if "drone" in series else series
    out = full.groupby(pd.DatetimeIndex(full.index).to_period("M")).sum()
    out.index.name = "month"
    return out


def rolling_origin(
    series: pd.DataFrame,
    *,
    first_origin: str | None = None,
    last_origin: str | None = None,
    window_nights: int = 120,
    trend: bool = False,
    slope_prior_sd: float = 0.3,
    halflife_nights: float | None = 30.0,
    sims: int = 1000,
    seed: int = 0,
    kinds: tuple[str, ...] = (
        "drones",
        "missiles",
        "drone",
        "cruise_missile",
        "ballistic_missile",
        "total",
    ),
    lookback_months: int = 4,
    error_months: int = 12,
    phi: float = 0.8,
    monthly_level: bool = True,
    horizons: int = 1,
    rules: dict[str, str | None] | None = None,
) -> Backtest:
    """Backtest one model configuration over monthly origins (see the module docstring).

    Only complete months are forecast; an origin needs ``window_nights`` of history and three
    earlier complete months for the baselines. ``horizons`` > 1 also scores months 2 … H after
    each origin (the model's forecast made at the origin; the baselines' flat forecasts from the
    months before the origin), where those months are in the record.
    """
    if horizons < 1:
        raise ValueError(f"horizons must be at least 1, got {horizons}")
    actual = monthly_actuals(series)
    first_night = series.index.min()
    last_night = series.index.max()
    complete = [
        m
        for m in actual.index
        if m.start_time >= first_night and m.end_time.normalize() <= last_night
    ]
    origins = [
        m
        for m in complete
        if m.start_time - pd.Timedelta(days=window_nights) >= first_night
        and sum(1 for p in complete if p < m and p >= m - 3) == 3
    ]
    if first_origin is not None:
        origins = [m for m in origins if m >= pd.Period(first_origin, "M")]
    if last_origin is not None:
        origins = [m for m in origins if m <= pd.Period(last_origin, "M")]
    if not origins:
        raise ValueError(
            f"no month to backtest: each origin needs {window_nights} nights of history and "
            "three complete months before it"
        )
    rows: list[dict[str, object]] = []
    seeds = np.random.SeedSequence(seed).spawn(len(origins))
    for m, ss in zip(origins, seeds, strict=True):
        model = fit_tempo(
            series,
            origin=m.start_time,
            window_nights=window_nights,
            trend=trend,
            slope_prior_sd=slope_prior_sd,
            halflife_nights=halflife_nights,
            lookback_months=lookback_months,
            error_months=error_months,
            phi=phi,
            monthly_level=monthly_level,
            rules=rules,
        )
        fc = model.forecast(months=horizons, sims=sims, seed=int(ss.generate_state(1)[0]))
        for h in range(1, horizons + 1):
            target = m + (h - 1)
            if target not in complete:
                continue
            fch = fc[fc["month"] == str(target)].set_index("kind")
            for kind in kinds:
                col = actual[kind]
                obs = float(col[target])
                prev = [float(col[m - i]) for i in (1, 2, 3)]
                base = {"origin": str(m), "horizon": h, "kind": kind, "actual": obs}
                q = {c: float(fch[c][kind]) for c in ("median", "lo80", "hi80", "lo95", "hi95")}
                rows.append(
                    {
                        **base,
                        "method": "model",
                        "forecast": q["median"],
                        "lo80": q["lo80"],
                        "hi80": q["hi80"],
                        "lo95": q["lo95"],
                        "hi95": q["hi95"],
                    }
                )
                rows.append({**base, "method": "last_month", "forecast": prev[0]})
                rows.append({**base, "method": "mean_3_months", "forecast": float(np.mean(prev))})
    forecasts = pd.DataFrame(rows)
    one = forecasts[forecasts["horizon"] == 1].drop(columns="horizon")
    by_h = pd.concat(
        [
            error_metrics(g.drop(columns="horizon")).assign(horizon=h)
            for h, g in forecasts.groupby("horizon")
        ],
        ignore_index=True,
    )
    return Backtest(forecasts, error_metrics(one), by_h)


def error_metrics(forecasts: pd.DataFrame) -> pd.DataFrame:
    """MAE, RMSE, MAPE, sMAPE, relative MAE and interval coverage per method and kind."""
    f = forecasts.assign(err=forecasts["forecast"] - forecasts["actual"])
    f["abs"] = f["err"].abs()
    f["sq"] = f["err"] ** 2
    nonzero = f["actual"] != 0
    f["ape"] = np.where(nonzero, f["abs"] / f["actual"].abs().where(nonzero, 1.0), np.nan)
    denom = (f["actual"].abs() + f["forecast"].abs()) / 2
    f["sape"] = np.where(denom > 0, f["abs"] / denom.where(denom > 0, 1.0), 0.0)
    g = f.groupby(["kind", "method"], sort=False)
    out = pd.DataFrame(
        {
            "origins": g.size(),
            "mae": g["abs"].mean(),
            "rmse": np.sqrt(g["sq"].mean()),
            "mape": g["ape"].mean(),
            "smape": g["sape"].mean(),
        }
    )
    if "lo80" in f:
        inside80 = (f["actual"] >= f["lo80"]) & (f["actual"] <= f["hi80"])
        inside95 = (f["actual"] >= f["lo95"]) & (f["actual"] <= f["hi95"])
        has = f["lo80"].notna()
        out["coverage80"] = inside80.where(has).groupby([f["kind"], f["method"]]).mean()
        out["coverage95"] = inside95.where(has).groupby([f["kind"], f["method"]]).mean()
    out = out.reset_index()
    for base in BASELINES:
        ref = out[out["method"] == base].set_index("kind")["mae"]
        out[f"mae_vs_{base}"] = out["mae"] / out["kind"].map(ref)
    return out
