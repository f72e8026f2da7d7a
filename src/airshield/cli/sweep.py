"""``airshield sweep``: run, resume, summarise and report parameter sweeps."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from airshield.cli.kit import (
    DEFAULT_WORKERS,
    Workers,
    console,
    err_console,
    input_errors,
    print_json,
    raid_kernel_ready,
    require_modules,
    resolve_workers,
)

sweep_app = typer.Typer(
    name="sweep",
    help="Parameter sweeps: serial, local processes (default) or a Dask cluster; same answer.",
    no_args_is_help=True,
)

SpecArg = Annotated[Path, typer.Argument(help="sweep spec YAML file")]
DirArg = Annotated[Path, typer.Argument(help="sweep output directory")]


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _describe_plan(plan: Any) -> None:
    spec = plan.spec
    console.print(
        f"[bold]{escape(spec.name)}[/bold]: {plan.n_cells} cells × {spec.reps} replications "
        f"(base {plan.base.name}, hash {plan.base_hash}; spec hash {plan.fingerprint}; "
        f"seed {spec.seed}; {plan.n_batches} batches of {plan.batch_cells})"
    )
    t = Table(title="Parameters")
    for col in ("name", "path", "axis", "values", "min", "max"):
        t.add_column(col)
    for j, p in enumerate(plan.parameters):
        vals = [c.values[j] for c in plan.cells]
        t.add_row(
            p.name, escape(p.path), f"{p.axis} ({p.axis_kind})", str(len(set(vals))),
            _fmt(min(vals)), _fmt(max(vals)),
        )  # fmt: skip
    console.print(t)


@sweep_app.command("validate")
def validate_cmd(spec: SpecArg) -> None:
    """Check a sweep spec: every parameter path and every cell's scenario; runs nothing."""
    from airshield.sweep.plan import load_plan

    with input_errors():
        plan = load_plan(spec)
    _describe_plan(plan)
    console.print(f"[green]ok[/green] {spec}: {plan.n_cells} valid cells")


@sweep_app.command("run")
def run_cmd(
    spec: SpecArg,
    out: Annotated[Path, typer.Option("--out", help="output directory (rerun to resume)")],
    workers: Workers = DEFAULT_WORKERS,
    backend: Annotated[
        Literal["serial", "processes", "dask"],
        typer.Option(help="serial, processes (default) or dask"),
    ] = "processes",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786 (implies dask)")
    ] = None,
    dask_local: Annotated[
        bool, typer.Option("--dask-local", help="start a local Dask cluster of --workers processes")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print the run record as JSON")] = False,
) -> None:
    """Run a sweep (or resume it: finished cells are kept), writing Parquet parts to --out."""
    from airshield.sweep.backends import BACKENDS
    from airshield.sweep.plan import load_plan
    from airshield.sweep.runner import run_sweep

    if scheduler or dask_local:
        backend = "dask"
    if backend not in BACKENDS:
        choices = ", ".join(BACKENDS)
        err_console.print(f"error: --backend: expected one of {choices}, got {backend!r}")
        raise typer.Exit(2)
    if backend == "dask":
        require_modules(("dask", "distributed"), "pip install 'airshield[dist]'")
    with input_errors():
        plan = load_plan(spec)  # every check, before any work
    if not scheduler:  # a remote cluster's workers compile (or load) for themselves
        raid_kernel_ready()
    if not json_out:
        _describe_plan(plan)
    try:
        with input_errors():
            run = run_sweep(
                plan, out, backend=backend, workers=resolve_workers(workers), scheduler=scheduler,
                progress=not json_out,
            )  # fmt: skip
    except (OSError, TimeoutError) as exc:
        if scheduler:
            err_console.print(f"error: cannot use the Dask scheduler at {scheduler}: {exc}")
            raise typer.Exit(2) from None
        raise
    if json_out:
        print_json(run.as_dict())
    else:
        if run.cells_run == 0 and not run.interrupted:
            console.print(f"nothing to do: all {run.n_cells} cells of {out} are done")
        else:
            console.print(
                f"ran {run.cells_run} cells in {run.elapsed_s:.1f} s "
                f"({run.cells_per_s:.2f} cells/s) "
                f"on {run.backend} with {run.workers} worker(s); "
                f"{run.cells_done} of {run.n_cells} cells done in {out}"
            )
    if run.interrupted:
        err_console.print(
            f"interrupted: {run.cells_done} of {run.n_cells} cells are saved; "
            "run the same command again to resume"
        )
        raise typer.Exit(130)


@sweep_app.command("summary")
def summary_cmd(
    out: DirArg,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    outcome: Annotated[
        str, typer.Option(help="leaked_harmful, leaked, destroyed, lost, defender_cost_usd, ...")
    ] = "leaked_harmful",
) -> None:
    """Summarise a sweep (DuckDB over its Parquet parts): responses and influence ranking."""
    from airshield.sweep.analysis import summarize

    with input_errors():
        s = summarize(out, outcome)
    if json_out:
        print_json(s)
        return
    state = "complete" if s["complete"] else "[yellow]partial[/yellow]"
    console.print(
        f"[bold]{escape(s['name'])}[/bold]: {s['cells_done']} of {s['n_cells']} cells ({state}), "
        f"{s['reps']} reps each, seed {s['seed']}, base {s['base_scenario']} ({s['base_hash']}), "
        f"spec hash {s['spec_hash']}, airshield {s['version']}"
    )
    o = s["overall"]
    console.print(
        f"{s['outcome_label']}: mean over cells {_fmt(o['mean'])}, cell means from "
        f"{_fmt(o['min'])} (cell {o['best_cell']['cell']}) to {_fmt(o['max'])} "
        f"(cell {o['worst_cell']['cell']})"
    )
    for p in s["parameters"]:
        title = f"{outcome} by {p['name']} ({escape(p['path'])})"
        t = Table(title=title + (", deciles" if p["binned"] else ""))
        for col in ("value", "cells", "mean", "5 %", "95 %", "cell means"):
            t.add_column(col, justify="right")
        for r in p["response"]:
            same = r["low"] == r["high"]
            value = _fmt(r["value"]) if same else f"{_fmt(r['low'])}–{_fmt(r['high'])}"
            t.add_row(
                value, str(r["cells"]), _fmt(r["mean"]), _fmt(r["p5"]), _fmt(r["p95"]),
                f"{_fmt(r['min_cell_mean'])}–{_fmt(r['max_cell_mean'])}",
            )  # fmt: skip
        console.print(t)
    t = Table(title=f"Influence on {outcome}: first-order index S1 (share of variance)")
    for col in ("rank", "parameter", "S1", "noise floor", "SRC", "aliased with"):
        t.add_column(col, justify="left" if col in ("parameter", "aliased with") else "right")
    for r in s["influence"]:
        t.add_row(
            str(r["rank"]), r["parameter"], f"{r['s1']:.3f}", f"{r['noise_floor']:.3f}",
            "" if r["src"] is None else f"{r['src']:+.3f}", ", ".join(r["aliased_with"]),
        )  # fmt: skip
    console.print(t)
    r2 = s["influence"][0]["linear_r2"] if s["influence"] else None
    if r2 is not None:
        console.print(f"linear fit R² = {r2:.3f} (SRC are trustworthy only when it is near 1)")


@sweep_app.command("report")
def report_cmd(
    out: DirArg,
    html_out: Annotated[Path, typer.Option("--out", help="HTML file to write")],
) -> None:
    """Write a self-contained HTML report: influence ranking, response curves, heatmaps."""
    from airshield.sweep.report import write_report

    with input_errors():
        write_report(out, html_out)
    console.print(f"wrote report {html_out}")


@sweep_app.command("cell")
def cell_cmd(
    out: DirArg,
    cell: Annotated[int, typer.Argument(min=0, help="cell index")],
    yaml_out: Annotated[
        Path | None, typer.Option("--out", help="write the cell's scenario YAML")
    ] = None,
) -> None:
    """Show one cell: its parameters and seed, and (with --out) its scenario, to rerun it alone
    with ``airshield run FILE --seed SEED --reps REPS``."""
    from airshield.sweep.plan import plan_from_dir

    with input_errors():
        plan = plan_from_dir(out)
    if cell >= plan.n_cells:
        err_console.print(f"error: the sweep has {plan.n_cells} cells (0..{plan.n_cells - 1})")
        raise typer.Exit(2)
    values = plan.cell_values(cell)
    seed = plan.cells[cell].seed
    console.print(f"cell {cell}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in values.items()))
    console.print(f"seed {seed}, {plan.spec.reps} replications, engine {plan.spec.engine}")
    if yaml_out is None:
        return
    model = plan.cell_scenario(cell)
    reps, engine = plan.spec.reps, plan.spec.engine
    if plan.spec.base.kind == "raid":
        yaml_out.write_text(model.to_yaml(), encoding="utf-8")
        console.print(
            f"wrote {yaml_out}; rerun: airshield run {yaml_out} --seed {seed} "
            f"--reps {reps} --engine {engine}"
        )
        return
    import yaml

    from airshield.campaign.models import dump_campaign

    raid_file = yaml_out.with_name(f"{yaml_out.stem}-raid.yaml")
    raid_file.write_text(model.template.to_yaml(), encoding="utf-8")
    data = dump_campaign(model)
    data["raid"] = raid_file.name
    yaml_out.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    mode = getattr(plan.spec.base, "mode", "fast")
    console.print(
        f"wrote {yaml_out} and {raid_file}; rerun: airshield campaign run {yaml_out} "
        f"--mode {mode} --reps {reps} --seed {seed}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` sub-commands to the ``airshield`` app."""
    app.add_typer(sweep_app, name="sweep")
