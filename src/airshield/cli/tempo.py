"""CLI: ``tempo fit|forecast|schedule|backtest``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from airshield.cli.kit import RecordArg, console, print_json, value_errors_as
from airshield.cli.kit import fixed as _f
from airshield.cli.kit import records as _records

Origin = Annotated[
    str | None,
    typer.Option(help="first night to forecast, YYYY-MM-DD (default: after the last night)"),
]
Window = Annotated[int, typer.Option(min=14, help="nights of history used")]
Halflife = Annotated[
    float | None, typer.Option(help="recency half-life in nights (0 = equal weights)")
]
Trend = Annotated[bool, typer.Option(help="fit a monthly trend (weak prior)")]
ModelOut = Annotated[Path | None, typer.Option("--out", "-o", help="write the model JSON")]


def _tempo_app() -> typer.Typer:
    app = typer.Typer(
        help="Raid tempo: fit, forecast and backtest nightly launch volume.", no_args_is_help=True
    )

    def _series(file: Path) -> Any:
        from airshield.calibrate.tempo import nightly_series
        from airshield.history.importer import load_tidy

        return nightly_series(load_tidy(file))

    def _fit(
        file: Path, origin: str | None, window: int, halflife: float | None, trend: bool
    ) -> Any:
        from airshield.calibrate.tempo import fit_tempo

        with value_errors_as(file):
            return fit_tempo(
                _series(file),
                origin=origin,
                window_nights=window,
                trend=trend,
                halflife_nights=halflife,
            )

    @app.command("fit")
    def tempo_fit(
        file: RecordArg,
        origin: Origin = None,
        window: Window = 120,
        halflife: Halflife = 30.0,
        trend: Trend = False,
        out: ModelOut = None,
    ) -> None:
        """Fit the tempo model (the campaign engine's attacker tempo) and print or save it."""
        model = _fit(file, origin, window, halflife or None, trend)
        if out is not None:
            out.write_text(model.to_json(), encoding="utf-8")
            console.print(f"wrote {out}")
        else:
            print_json(model.to_dict())

    @app.command("forecast")
    def forecast(
        file: RecordArg,
        months: Annotated[int, typer.Option(min=1, max=24, help="months to forecast")] = 3,
        origin: Origin = None,
        window: Window = 120,
        halflife: Halflife = 30.0,
        trend: Trend = False,
        sims: Annotated[int, typer.Option(min=100, help="simulated paths")] = 4000,
        seed: Annotated[int, typer.Option(help="root seed")] = 0,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Monthly launches by kind with 80 % and 95 % predictive intervals, and big-raid nights."""
        model = _fit(file, origin, window, halflife or None, trend)
        fc = model.forecast(months=months, sims=sims, seed=seed)
        if json_out:
            print_json(
                {
                    "model": {
                        "origin": model.origin,
                        "window_nights": model.window_nights,
                        "big_raid_threshold": model.big_raid_threshold,
                        "big_raid_share": model.big_raid_share,
                        "composition": model.composition,
                    },
                    "forecast": _records(fc),
                }
            )
            return
        t = Table(title=f"tempo forecast from {model.origin} (window {window} nights)")
        for col in ("month", "kind", "median", "80 %", "95 %"):
            t.add_column(col, justify="left" if col in ("month", "kind") else "right")
        for r in _records(fc):
            if r["kind"] in ("decoy", "other") and r["hi95"] == 0:
                continue
            t.add_row(
                r["month"],
                r["kind"],
                f"{r['median']:.0f}",
                f"{r['lo80']:.0f}–{r['hi80']:.0f}",
                f"{r['lo95']:.0f}–{r['hi95']:.0f}",
            )
        console.print(t)
        lo, hi = model.big_raid_share_ci
        console.print(
            f"window: {model.big_raid_share:.0%} of nights with >= {model.big_raid_threshold} "
            f"weapons ({lo:.0%}–{hi:.0%}); composition "
            + ", ".join(f"{k} {v:.1%}" for k, v in model.composition.items() if v > 0)
        )

    @app.command("schedule")
    def schedule(
        file: RecordArg,
        nights: Annotated[int, typer.Option(min=1, max=3660, help="nights to schedule")] = 30,
        origin: Origin = None,
        window: Window = 120,
        halflife: Halflife = 30.0,
        trend: Trend = False,
        decoy_share: Annotated[
            float, typer.Option(min=0.0, max=1.0, help="share of the drones that are decoys")
        ] = 0.0,
        seed: Annotated[int, typer.Option(help="root seed of the sampled path")] = 0,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="write YAML")] = None,
    ) -> None:
        """Sample nightly raids as a campaign ``attacker.tempo`` (kind: schedule) in YAML."""
        import yaml

        model = _fit(file, origin, window, halflife or None, trend)
        with value_errors_as(file, "--nights"):
            sched = model.to_schedule(nights, seed=seed, decoy_share=decoy_share)
        text = "# attacker.tempo sampled by 'airshield tempo schedule' (one path, seed "
        text += f"{seed}) from the tempo model fitted before {model.origin}\n"
        text += yaml.safe_dump(
            {"tempo": sched},
            sort_keys=False,
            default_flow_style=None,
        )
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
            console.print(f"wrote {out}")

    @app.command("backtest")
    def backtest(
        file: RecordArg,
        first_origin: Annotated[str | None, typer.Option(help="first month YYYY-MM")] = None,
        last_origin: Annotated[str | None, typer.Option(help="last month YYYY-MM")] = None,
        window: Window = 120,
        halflife: Halflife = 30.0,
        trend: Trend = False,
        sims: Annotated[int, typer.Option(min=100, help="simulated paths per origin")] = 1000,
        seed: Annotated[int, typer.Option(help="root seed")] = 0,
        horizons: Annotated[
            int, typer.Option(min=1, max=24, help="also score 2 … N months after each origin")
        ] = 1,
        out: Annotated[Path | None, typer.Option("--out", "-o", help="write forecasts CSV")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Rolling-origin backtest (one month ahead, and per horizon with --horizons) against
        the last-month and 3-month-mean forecasts."""
        from airshield.calibrate.backtest import rolling_origin

        with value_errors_as(file):
            bt = rolling_origin(
                _series(file),
                first_origin=first_origin,
                last_origin=last_origin,
                window_nights=window,
                trend=trend,
                halflife_nights=halflife or None,
                sims=sims,
                seed=seed,
                horizons=horizons,
            )
        if out is not None:
            bt.forecasts.to_csv(out, index=False)
        by_h = bt.by_horizon if bt.by_horizon is not None and horizons > 1 else None
        if json_out:
            summary = {
                r["kind"]: {
                    "origins": r["origins"],
                    "mae_vs_mean_3_months": r["mae_vs_mean_3_months"],
                    "mae_vs_last_month": r["mae_vs_last_month"],
                    "coverage80": r.get("coverage80"),
                    "coverage95": r.get("coverage95"),
                }
                for r in _records(bt.metrics)
                if r["method"] == "model"
            }
            doc: dict[str, object] = {"summary": summary, "metrics": _records(bt.metrics)}
            if by_h is not None:
                doc["by_horizon"] = _records(by_h)
            print_json(doc)
            return
        t = Table(title="rolling-origin backtest, one month ahead")
        for col in (
            "kind",
            "method",
            "origins",
            "MAE",
            "RMSE",
            "MAPE",
            "sMAPE",
            "MAE / last month",
            "MAE / 3-month mean",
            "80 % cover",
            "95 % cover",
        ):
            t.add_column(col, justify="left" if col in ("kind", "method") else "right")
        for r in _records(bt.metrics):
            t.add_row(
                r["kind"],
                r["method"],
                str(r["origins"]),
                _f(r["mae"], 0),
                _f(r["rmse"], 0),
                _f(r["mape"]),
                _f(r["smape"]),
                _f(r["mae_vs_last_month"]),
                _f(r["mae_vs_mean_3_months"]),
                _f(r.get("coverage80")),
                _f(r.get("coverage95")),
            )
        console.print(t)
        for r in _records(bt.metrics):
            if r["method"] == "model" and r["kind"] in ("drones", "missiles"):
                console.print(
                    f"{r['kind']}: model MAE {_f(r['mae_vs_mean_3_months'])} x the 3-month mean's, "
                    f"80 % intervals cover {_f(100 * (r.get('coverage80') or 0), 0)} % of "
                    f"{r['origins']} months"
                )
        if by_h is not None:
            for r in _records(by_h):
                if r["method"] == "model" and r["kind"] in ("drones", "missiles"):
                    console.print(
                        f"{r['kind']}, {r['horizon']} months ahead: MAE "
                        f"{_f(r['mae_vs_mean_3_months'])} x the 3-month mean's, "
                        f"{_f(r['mae_vs_last_month'])} x the last month's, 80 % cover "
                        f"{_f(100 * (r.get('coverage80') or 0), 0)} % of {r['origins']}"
                    )
        if out is not None:
            console.print(f"wrote {out}")

    return app


def register(app: typer.Typer) -> None:
    """Add ``tempo`` to the ``airshield`` app."""
    app.add_typer(_tempo_app(), name="tempo")


__all__ = ["register"]
