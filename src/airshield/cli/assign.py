"""``airshield wta``: solve a static weapon-target assignment instance file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from airshield.cli.kit import console, err_console, print_json

if TYPE_CHECKING:
    from airshield.assign.registry import SolverInfo


def register(app: typer.Typer) -> None:
    """Add the ``wta`` command to the ``airshield`` application."""
    app.command("wta")(wta)


def wta(
    instance: Annotated[
        Path | None,
        typer.Argument(
            help="Instance file in the published WTA format ('W T mu', T values, W*T 'i j p').",
            show_default=False,
        ),
    ] = None,
    solver: Annotated[
        str | None,
        typer.Option("--solver", "-s", help="Solver name (see --list); default: best available."),
    ] = None,
    time_limit_s: Annotated[
        float | None,
        typer.Option("--time-limit", "-t", help="Time limit in seconds for time-limited solvers."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of randomised solvers.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    list_solvers: Annotated[
        bool, typer.Option("--list", help="List the available solvers and exit.")
    ] = False,
) -> None:
    """Solve a static weapon-target assignment instance and print objective, bound and gap."""
    from airshield.assign import available_assigners, best_solver, solve
    from airshield.assign.instances import read_wta_instance

    registry = available_assigners()
    if list_solvers:
        _print_solvers(registry, as_json)
        return
    if instance is None:
        err_console.print("[red]error:[/red] missing INSTANCE (or use --list)")
        raise typer.Exit(2)
    name = solver or best_solver()
    if name not in registry:
        err_console.print(
            f"[red]error:[/red] unknown solver {name!r}; available: {', '.join(registry)}"
        )
        raise typer.Exit(2)
    if time_limit_s is not None and not time_limit_s > 0:
        err_console.print("[red]error:[/red] --time-limit must be > 0")
        raise typer.Exit(2)
    problem = read_wta_instance(instance)
    from airshield.assign.warmup import warm_up

    # load the numba kernels first, so that --time-limit buys search time in a fresh process
    # (a library caller's first call counts the loading in its limit and its runtime_s)
    warm_up()
    res = solve(problem, solver=name, time_limit_s=time_limit_s, seed=seed)
    if as_json:
        print_json(res.to_dict())
        return
    size = f"{problem.n_weapons} weapons x {problem.n_targets} targets"
    console.print(f"instance   {instance}  ({size})")
    console.print(f"solver     {res.solver}  ({res.status}, stopped: {res.termination})")
    console.print(f"objective  {res.objective:.9g}")
    bound = "none" if res.bound is None else f"{res.bound:.9g}"
    console.print(f"bound      {bound}")
    gap = "n/a" if res.gap is None else f"{100 * res.gap:.4g} %"
    console.print(f"gap        {gap}")
    console.print(f"rounds     {res.rounds_fired}")
    console.print(f"runtime    {res.runtime_s:.3f} s")


def _print_solvers(registry: dict[str, SolverInfo], as_json: bool) -> None:
    infos = list(registry.values())
    if as_json:
        print_json(
            [
                {
                    "name": s.name,
                    "features": sorted(str(f) for f in s.features),
                    "description": s.description,
                }
                for s in infos
            ]
        )
        return
    from rich.table import Table

    table = Table("solver", "features", "description")
    for s in infos:
        table.add_row(s.name, ", ".join(sorted(str(f) for f in s.features)), s.description)
    console.print(table)
