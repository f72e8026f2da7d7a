"""CLI: ``calibrate fit``, ``calibrate predict``, ``calibrate backtest``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from airshield.cli.kit import RecordArg, console, err_console, print_json, value_errors_as
from airshield.cli.kit import fixed as _f
from airshield.cli.kit import records as _records
from airshield.errors import Problem, ScenarioError

LevelOption = Annotated[
    bool,
    typer.Option(
        "--level/--no-level",
        help="time-varying level of the share (Kalman-filtered mean-reverting level; "
        "--no-level: the static regression)",
    ),
]
"""The share model's level switch (``fit`` and ``backtest``)."""


def _calibrate_app() -> typer.Typer:
    app = typer.Typer(
        help="Fit engine parameters to the daily attack record.", no_args_is_help=True
    )

    @app.command("fit")
    def fit(
        file: RecordArg,
        laydown: Annotated[
            Path | None,
            typer.Option(
                help="scenario YAML of the laydown (default: the packaged notional "
                "national laydown)"
            ),
        ] = None,
        period: Annotated[
            Literal["month", "quarter", "regime", "all"],
            typer.Option(help="month | quarter | regime | all"),
        ] = "quarter",
        only: Annotated[
            list[str] | None, typer.Option("--only", help="fit only these period labels")
        ] = None,
        reps: Annotated[int, typer.Option(min=2, help="replications per grid point")] = 30,
        bootstrap: Annotated[int, typer.Option(min=0, help="bootstrap resamples of nights")] = 300,
        seed: Annotated[int, typer.Option(help="root seed")] = 0,
        unreported_lost: Annotated[
            Literal["neutralised", "destroyed"],
            typer.Option(
                help="where lost is not reported apart, compare the record's destroyed "
                "with the simulated 'neutralised' or 'destroyed'"
            ),
        ] = "neutralised",
        out: Annotated[Path, typer.Option("--out", "-o", help="output folder")] = Path(
            "calibration"
        ),
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        until: Annotated[
            str | None,
            typer.Option(help="fit only on nights up to this evening date, YYYY-MM-DD"),
        ] = None,
        halflife: Annotated[
            float,
            typer.Option(
                min=0.0, help="recency half-life of the share model in nights (0 = equal weights)"
            ),
        ] = 180.0,
        engine: Annotated[
            bool,
            typer.Option(
                help="also fit the engine laydown (slow: the grid of simulations); "
                "--no-engine writes the share model only"
            ),
        ] = True,
        level: LevelOption = True,
    ) -> None:
        """Fit the share model and calibrate per-kind kill and EW loss probabilities of a laydown.

        Writes predictive.json (the neutralised-share model 'calibrate predict' reads),
        predictive_params.csv and fitted.csv; with the engine (default) also params.csv,
        report.csv (observed vs simulated per month), effective_pk.csv and calibrated.yaml (the
        laydown with the last period's calibrated effector types, the drone kinetic shift set
        so the engine reproduces the share model's expected drone share).
        """
        from airshield.calibrate.calibration import (
            PERIODS,
            EngineSimulator,
            calibrate,
            default_laydown,
            summary_dict,
            write_outputs,
        )
        from airshield.history.importer import load_tidy
        from airshield.scenario import load_scenario

        if period not in PERIODS:
            raise ScenarioError(
                None, [Problem("--period", f"{period!r}; expected one of {', '.join(PERIODS)}")]
            )
        if unreported_lost not in ("neutralised", "destroyed"):
            raise ScenarioError(
                None,
                [
                    Problem(
                        "--unreported-lost",
                        f"{unreported_lost!r}; expected neutralised or destroyed",
                    )
                ],
            )
        if out.exists() and not out.is_dir():
            raise ScenarioError(
                None, [Problem("--out", f"{out} exists and is not a folder; choose a folder")]
            )
        from airshield.calibrate.predictive import fit_predictive

        cut = _date_option("--until", until)
        frame = load_tidy(file)
        if cut is not None:
            frame = frame[frame["night"] <= cut].reset_index(drop=True)
        try:
            model = fit_predictive(
                frame, until=cut, halflife_nights=halflife or None, local_level=level
            )
        except ValueError as exc:
            if not engine:
                raise ScenarioError(str(file), [Problem("record", str(exc))]) from exc
            err_console.print(f"[yellow]note:[/yellow] no share model: {exc}", markup=True)
            model = None
        layers = _fit_layers_or_note(frame, cut, halflife)
        if not engine and model is not None:
            out.mkdir(parents=True, exist_ok=True)
            pred_paths = _write_predictive(model, out, layers)
            if json_out:
                print_json(
                    {
                        "until": model.until.strftime("%Y-%m-%d"),
                        "predictive": _records(model.params()),
                        "layers": _layers_json(layers),
                        "files": {k: str(v) for k, v in pred_paths.items()},
                    }
                )
                return
            _print_predictive(model)
            _print_layers(layers)
            for k, v in pred_paths.items():
                console.print(f"wrote {k}: {v}")
            return
        lay = load_scenario(laydown) if laydown is not None else default_laydown()
        with value_errors_as(file):
            res = calibrate(
                frame,
                EngineSimulator(lay),
                period=period,
                reps=reps,
                bootstrap=bootstrap,
                seed=seed,
                periods=only,
                unreported_lost=unreported_lost,
                progress=not json_out,
            )
        if (
            model is not None
            and "drone" in model.fits
            and res.fits
            and "drone" in res.fits[-1].raid
        ):
            import pandas as pd

            raid = res.fits[-1].raid
            night = pd.DataFrame(
                {
                    "night": [model.origin],
                    "drones": [raid.get("drone", 0)],
                    "cruise": [raid.get("cruise_missile", 0)],
                    "ballistic": [raid.get("ballistic_missile", 0)],
                }
            )
            target = float(model.predict(night, seed=seed)["drone_neutralised_mean"].iloc[0])
            lost_target = None
            if layers is not None:
                drones = float(raid.get("drone", 0) + raid.get("decoy", 0))
                missiles = float(raid.get("cruise_missile", 0) + raid.get("ballistic_missile", 0))
                share = layers.shares([drones], missiles / max(drones + missiles, 1.0), seed=seed)
                lost_target = float(share["lost_mean"].iloc[0])
            res.align_to_share(target, reps=reps, seed=seed + 3, lost_target=lost_target)

        def write_both(result: Any, folder: Path) -> dict[str, Path]:
            pred = {} if model is None else _write_predictive(model, folder, layers)
            return {**pred, **write_outputs(result, folder)}

        paths = _write_all_or_nothing(res, out, str(file), write_both)
        if json_out:
            print_json(
                {
                    **summary_dict(res),
                    "until": None if model is None else model.until.strftime("%Y-%m-%d"),
                    "predictive": [] if model is None else _records(model.params()),
                    "layers": _layers_json(layers),
                    "files": {k: str(v) for k, v in paths.items()},
                }
            )
            return
        if model is not None:
            _print_predictive(model)
        _print_layers(layers)
        if res.alignment is not None:
            al = res.alignment
            console.print(
                f"calibrated.yaml: drone kinetic shift {al['kin_shift_aligned']:+.2f} (fitted "
                f"{al['kin_shift_fitted']:+.2f} for {al['period']}): engine drone neutralised "
                f"share {100 * al['engine_share']:.1f} % at {al['raid'].get('drone', 0)} drones vs "
                f"share model {100 * al['target_share']:.1f} %"
                + (" (at the grid's bound)" if al["at_bound"] else "")
            )
            if al.get("target_lost") is not None:
                console.print(
                    f"calibrated.yaml: EW shift {al['ew_shift']:+.2f} (fitted "
                    f"{al['ew_shift_fitted']:+.2f}): engine drone lost share "
                    f"{100 * al['engine_lost']:.1f} % vs layered fit {100 * al['target_lost']:.1f} %"
                )
        t = Table(title=f"calibration by {period} (logit shifts of pk; 95 % bootstrap interval)")
        for col in (
            "period",
            "kind",
            "nights",
            "kinetic shift",
            "EW shift",
            "obs destroyed",
            "sim",
            "obs lost",
            "sim lost",
            "flags",
        ):
            t.add_column(col, justify="left" if col in ("period", "kind", "flags") else "right")
        for r in _records(res.params()):
            flags = []
            if r["at_bound"]:
                flags.append("kinetic at bound")
            if r["ew_at_bound"]:
                flags.append("EW at bound")
            if not r["ew_identified"]:
                flags.append("EW not identified")
            t.add_row(
                r["period"], r["kind"], str(r["nights"]),
                f"{_f(r['kin_shift'])} [{_f(r['kin_lo'])}, {_f(r['kin_hi'])}]",
                f"{_f(r['ew_shift'])} [{_f(r['ew_lo'])}, {_f(r['ew_hi'])}]",
                _f(r["obs_destroyed"], 3), _f(r["sim_destroyed"], 3), _f(r["obs_lost"], 3),
                _f(r["sim_lost"], 3), ", ".join(flags),
            )  # fmt: skip
        console.print(t)
        rep = res.report
        if len(rep):
            inside = rep.groupby("kind")["inside"].mean()
            console.print(
                "months where the simulated fraction lies in the observed 95 % "
                "interval: " + ", ".join(f"{k} {v:.0%}" for k, v in inside.items())
            )
        for k, v in paths.items():
            console.print(f"wrote {k}: {v}")

    @app.command("predict")
    def predict(
        model_dir: Annotated[
            Path, typer.Argument(help="folder written by 'calibrate fit' (predictive.json)")
        ],
        nights: Annotated[
            Path,
            typer.Argument(
                help="CSV with columns night (evening date), drones, cruise, ballistic "
                "[, decoy_share]"
            ),
        ],
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="CSV of the predictions")
        ] = None,
        sims: Annotated[int, typer.Option(min=100, help="predictive draws per night")] = 4000,
        seed: Annotated[int, typer.Option(help="root seed")] = 0,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Predict each night's neutralised share (mean and 90 % interval) for drones and missiles.

        Adds drone_neutralised_mean, _p5, _p50, _p95 (share of drones destroyed or lost; p50 is
        the predictive median, the point forecast that minimises the absolute error) and the same
        for missiles (empty where none were launched). The intervals carry the fit's parameter
        uncertainty and the night-to-night variation of the record.
        """
        from airshield.calibrate.predictive import PredictiveModel, read_nights

        path = model_dir / "predictive.json" if model_dir.is_dir() else model_dir
        model = PredictiveModel.load(path)
        table = read_nights(nights)
        pred = model.predict(table, sims=sims, seed=seed)
        pred["night"] = pred["night"].dt.strftime("%Y-%m-%d")
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            pred.to_csv(out, index=False)
        if json_out:
            print_json(
                {
                    "model": str(path),
                    "until": model.until.strftime("%Y-%m-%d"),
                    "out": None if out is None else str(out),
                    "nights": _records(pred),
                }
            )
            return
        t = Table(
            title=f"neutralised share (model fitted to {model.until:%Y-%m-%d}; 90 % interval)"
        )
        for col in ("night", "drones", "cruise", "ballistic", "drones neutralised",
                    "missiles neutralised"):  # fmt: skip
            t.add_column(col, justify="left" if col == "night" else "right")
        for r in _records(pred):
            t.add_row(
                str(r["night"]), _f(r["drones"], 0), _f(r["cruise"], 0), _f(r["ballistic"], 0),
                _band(r, "drone"), _band(r, "missile"),
            )  # fmt: skip
        console.print(t)
        if out is not None:
            console.print(f"wrote {out}")

    @app.command("backtest")
    def backtest(
        file: RecordArg,
        first_origin: Annotated[str, typer.Option(help="first origin month, YYYY-MM")],
        last_origin: Annotated[str, typer.Option(help="last origin month, YYYY-MM")],
        horizon_months: Annotated[
            int, typer.Option(min=1, help="months scored after each origin")
        ] = 6,
        min_drones: Annotated[
            int, typer.Option(min=1, help="score raids with at least this many drones")
        ] = 100,
        min_missiles: Annotated[
            int, typer.Option(min=1, help="score raids with at least this many missiles")
        ] = 10,
        halflife: Annotated[
            float, typer.Option(min=0.0, help="recency half-life in nights (0 = equal weights)")
        ] = 180.0,
        level: LevelOption = True,
        sims: Annotated[int, typer.Option(min=100, help="predictive draws per raid")] = 2000,
        seed: Annotated[int, typer.Option(help="root seed")] = 0,
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="CSV of every scored prediction")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Score rolling fits on later nights against persistence (last month, last 3 months).

        For each origin month the share model is fitted on the nights before it only and predicts
        the raids of the next --horizon-months months; MAE in points of share, share of raids
        within +/-5 points, 90 % interval coverage, and the model's MAE over each baseline's.
        """
        from airshield.calibrate.share_backtest import rolling_share_backtest
        from airshield.history.importer import load_tidy

        for name, value in (("--first-origin", first_origin), ("--last-origin", last_origin)):
            _month_option(name, value)
        frame = load_tidy(file)
        with value_errors_as(file):
            bt = rolling_share_backtest(
                frame,
                first_origin=first_origin,
                last_origin=last_origin,
                horizon_months=horizon_months,
                min_drones=min_drones,
                min_missiles=min_missiles,
                halflife_nights=halflife or None,
                local_level=level,
                sims=sims,
                seed=seed,
            )
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            bt.predictions.to_csv(out, index=False)
        if json_out:
            d = bt.to_dict()
            d.pop("predictions")
            print_json({**d, "out": None if out is None else str(out)})
            return
        t = Table(
            title=f"share backtest, origins {first_origin} … {last_origin}, "
            f"{horizon_months} months ahead (points of neutralised share)"
        )
        for col in ("kind", "method", "raids", "MAE", "RMSE", "bias", "within ±5",
                    "90 % cover", "MAE / last month", "MAE / last 3 months"):  # fmt: skip
            t.add_column(col, justify="left" if col in ("kind", "method") else "right")
        for r in _records(bt.metrics):
            t.add_row(
                r["kind"], r["method"], str(r["raids"]), _f(r["mae"]), _f(r["rmse"]),
                _f(r["bias"]), _f(r["within5"]), _f(r["coverage90"]),
                _f(r["mae_ratio_last_month"], 3), _f(r["mae_ratio_last_3_months"], 3),
            )  # fmt: skip
        console.print(t)
        if out is not None:
            console.print(f"wrote {out}")

    return app


LAYER_SIZES: tuple[float, ...] = (50.0, 100.0, 200.0, 300.0, 500.0, 800.0)
"""Raid sizes (drones) at which ``layers_by_size.csv`` gives the layered fit's shares."""


def _fit_layers_or_note(frame: Any, cut: Any, halflife: float) -> Any:
    """The layered drone fit (coverage apart from pk), or None with a note on stderr."""
    from airshield.calibrate.layers import fit_layers

    try:
        return fit_layers(frame, until=cut, halflife_nights=halflife or None)
    except ValueError as exc:
        err_console.print(f"[yellow]note:[/yellow] no layered fit: {exc}", markup=True)
        return None


def _write_predictive(model: Any, folder: Path, layers: Any = None) -> dict[str, Path]:
    """Write the share model (predictive.json, its parameters and fitted shares) and the
    layered fit (layers.json, its parameters, its shares by raid size) into folder."""
    import json

    paths = {
        "predictive": model.save(folder / "predictive.json"),
        "predictive_params": folder / "predictive_params.csv",
        "fitted": folder / "fitted.csv",
    }
    model.params().to_csv(paths["predictive_params"], index=False)
    model.fitted().to_csv(paths["fitted"], index=False)
    if layers is not None:
        paths["layers"] = folder / "layers.json"
        paths["layers"].write_text(json.dumps(layers.to_dict(), indent=1), encoding="utf-8")
        paths["layers_params"] = folder / "layers_params.csv"
        layers.table().to_csv(paths["layers_params"], index=False)
        paths["layers_by_size"] = folder / "layers_by_size.csv"
        layers.shares(list(LAYER_SIZES), 0.0).to_csv(paths["layers_by_size"], index=False)
    return paths


def _write_all_or_nothing(res: Any, out: Path, source: str, write: Any) -> dict[str, Path]:
    """Write every output into a temporary folder next to ``out`` and move them into ``out``
    only when all were written: a fit that cannot be written (a non-finite kill probability
    from a degenerate record) is a clean error that leaves no partial outputs."""
    import shutil
    import tempfile

    from pydantic import ValidationError

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        try:
            written: dict[str, Path] = write(res, tmp)
        except (ValidationError, ValueError) as exc:
            msg = str(exc).splitlines()
            raise ScenarioError(
                source,
                [Problem("record", "the fit gave no valid calibrated laydown (a kill "
                         "probability is not a finite number in [0, 1]; too few or degenerate "
                         f"nights?): {' '.join(m.strip() for m in msg[:4])}")],
            ) from None  # fmt: skip
        out.mkdir(parents=True, exist_ok=True)
        paths = {}
        for key, path in written.items():
            dest = out / path.name
            path.replace(dest)
            paths[key] = dest
        return paths
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _date_option(name: str, value: str | None) -> Any:
    import pandas as pd

    if value is None:
        return None
    try:
        return pd.Timestamp(pd.to_datetime(value.strip(), format="%Y-%m-%d"))
    except ValueError:
        raise ScenarioError(
            None, [Problem(name, f"{value!r} is not a date YYYY-MM-DD (evening date)")]
        ) from None


def _month_option(name: str, value: str) -> None:
    import pandas as pd

    try:
        pd.Period(value.strip(), "M")
        ok = len(value.strip()) in (7, 10)
    except ValueError:
        ok = False
    if not ok:
        raise ScenarioError(None, [Problem(name, f"{value!r} is not a month YYYY-MM")])


def _band(r: dict[str, Any], kind: str) -> str:
    m = r.get(f"{kind}_neutralised_mean")
    if m is None:
        return "–"
    lo, hi = r[f"{kind}_neutralised_p5"], r[f"{kind}_neutralised_p95"]
    return f"{100 * m:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]"


def _print_predictive(model: Any) -> None:
    t = Table(
        title=f"share model fitted to {model.until:%Y-%m-%d} "
        f"(beta-binomial, Laplace; 90 % interval)"
    )
    for col in ("kind", "term", "mode", "90 % interval", "prior"):
        t.add_column(col, justify="left" if col in ("kind", "term") else "right")
    for r in _records(model.params()):
        if not r["active"]:
            continue
        t.add_row(
            r["kind"], r["term"], _f(r["mode"], 3), f"[{_f(r['lo90'], 2)}, {_f(r['hi90'], 2)}]",
            f"N({_f(r['prior_mean'], 1)}, {_f(r['prior_sd'], 1)}²)",
        )  # fmt: skip
    console.print(t)


def _layers_json(layers: Any) -> dict[str, Any] | None:
    if layers is None:
        return None
    return {
        "params": _records(layers.table()),
        "by_size": _records(layers.shares(list(LAYER_SIZES), 0.0)),
        "raids": layers.raids,
        "raids_lost_apart": layers.raids_apart,
    }


def _print_layers(layers: Any) -> None:
    if layers is None:
        return
    t = Table(
        title=f"layered drone fit to {layers.until:%Y-%m-%d}: coverage and pk per layer "
        f"({layers.raids} raids, {layers.raids_apart} counting lost apart; 90 % interval)"
    )
    for col in ("drones", "EW coverage", "EW pk", "kinetic coverage", "kinetic pk", "lost",
                "destroyed", "neutralised"):  # fmt: skip
        t.add_column(col, justify="right")

    def band(r: dict[str, Any], k: str) -> str:
        return f"{_f(r[k + '_mean'], 3)} [{_f(r[k + '_p5'], 2)}, {_f(r[k + '_p95'], 2)}]"

    keys = ("ew_coverage", "ew_pk", "kin_coverage", "kin_pk", "lost", "destroyed", "neutralised")
    for r in _records(layers.shares(list(LAYER_SIZES), 0.0)):
        t.add_row(f"{r['drones']:.0f}", *(band(r, k) for k in keys))
    console.print(t)
    lo, hi = layers.size_range
    console.print(
        f"raids of {lo:.0f}-{hi:.0f} drones in the fit; coverage moves with size, pk does not; "
        "see layers_params.csv for how far the record moved each prior (shrink)"
    )


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the ``airshield`` app."""
    app.add_typer(_calibrate_app(), name="calibrate")


__all__ = ["register"]
