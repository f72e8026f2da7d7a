"""``airshield warmup``: compile every numba kernel ahead of time, in parallel processes."""

from __future__ import annotations

from typing import Annotated

import typer

from airshield.cli.kit import console, err_console, print_json


def register(app: typer.Typer) -> None:
    """Add the ``warmup`` command to the ``airshield`` application."""
    app.command("warmup")(warmup)


def warmup(
    group: Annotated[
        list[str] | None,
        typer.Option(
            "--group",
            "-g",
            help="kernel group to compile (repeatable): raid-night, raid-parts, raid-batch, "
            "raid-single, assign; default: all",
            show_default=False,
        ),
    ] = None,
    serial: Annotated[
        bool, typer.Option("--serial", help="one group at a time instead of side by side")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Compile (or load from numba's cache) the kernels, so that no later run pays for it.

    A fresh install compiles once (tens of seconds); afterwards this only loads the cache.
    ``run`` and ``demo`` do it on their own when the cache lacks the raid kernel.
    """
    from airshield.warmup import GROUPS, cached, warm_up

    groups = list(group) if group else list(GROUPS)
    bad = [g for g in groups if g not in GROUPS]
    if bad:
        err_console.print(
            f"error: --group: expected one of {', '.join(GROUPS)}, got {', '.join(bad)}",
            markup=False,
        )
        raise typer.Exit(2)
    was_cached = {g: cached(g) for g in groups}
    err_console.print(
        f"warming up {', '.join(groups)} "
        f"({'loading the cache' if all(was_cached.values()) else 'compiling, first run only'})...",
        markup=False,
    )
    timings = warm_up(
        groups, parallel=not serial, progress=lambda line: err_console.print(line, markup=False)
    )
    if json_out:
        print_json(
            {
                "groups": [
                    {
                        "group": t.group,
                        "was_cached": was_cached[t.group],
                        "wall_s": t.wall_s,
                        "cpu_s": t.cpu_s,
                    }
                    for t in timings
                ]
            }
        )
        return
    for t in timings:
        state = "loaded from cache" if was_cached[t.group] else "compiled"
        console.print(f"{t.group}: {state} in {t.wall_s:.1f} s ({t.cpu_s:.1f} s CPU)")
