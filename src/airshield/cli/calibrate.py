"""CLI: ``calibrate fit``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from airshield.cli.kit import console, print_json
from airshield.errors import Problem, ScenarioError

RecordArg = Annotated[
    Path, typer.Argument(help="daily-attack CSV (or a tidy Parquet from 'history import')")
]

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


def _records(df: Any) -> list[dict[str, Any]]:
    import numpy as np

    out = []
    for r in df.to_dict(orient="records"):
        out.append(
            {str(k): (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
        )
    return out


def _f(x: Any, digits: int = 2) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "–"
    return "–" if v != v else f"{v:.{digits}f}"


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
        period: Annotated[str, typer.Option(help="month | quarter | regime | all")] = "quarter",
        only: Annotated[
            list[str] | None, typer.Option("--only", help="fit only these period labels")
        ] = None,
        reps: Annotated[int, typer.Option(min=2, help="replications per grid point")] = 30,
        bootstrap: Annotated[int, typer.Option(min=0, help="bootstrap resamples of nights")] = 300,
        seed: Annotated[int, typer.Option(help="root seed")] = 0,
        unreported_lost: Annotated[
            str,
            typer.Option(
                help="where lost is not reported apart, compare the record's destroyed "
                "with the simulated 'neutralised' or 'destroyed'"
            ),
        ] = "neutralised",
        out: Annotated[Path, typer.Option("--out", "-o", help="output folder")] = Path(
            "calibration"
        ),
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    ) -> None:
        """Calibrate per-kind kinetic kill and EW loss probabilities of a laydown, by period.

        Writes params.csv, report.csv (observed vs simulated per month), effective_pk.csv and
        calibrated.yaml (the laydown with the last period's calibrated effector types).
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
        frame = load_tidy(file)
        lay = load_scenario(laydown) if laydown is not None else default_laydown()
        try:
            res = calibrate(
                frame,
                EngineSimulator(lay),
                period=period,
                reps=reps,
                bootstrap=bootstrap,
                seed=seed,
                periods=only,
                unreported_lost=unreported_lost,
            )
        except ValueError as exc:
            raise ScenarioError(str(file), [Problem("record", str(exc))]) from exc
        paths = _write_all_or_nothing(res, out, str(file), write_outputs)
        if json_out:
            print_json({**summary_dict(res), "files": {k: str(v) for k, v in paths.items()}})
            return
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

    return app


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


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to the ``airshield`` app."""
    app.add_typer(_calibrate_app(), name="calibrate")


__all__ = ["register"]
