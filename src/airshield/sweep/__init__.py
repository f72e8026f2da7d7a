"""Parameter sweeps at scale: one spec, run serially, on local processes or a Dask cluster.

::

    from airshield.sweep import load_plan, run_sweep, sweep_summary
    plan = load_plan("examples/sweep-one-battery.yaml")   # every path and cell checked here
    run = run_sweep(plan, "out/sweep", backend="processes", workers=4, progress=True)
    sweep_summary("out/sweep")                             # DuckDB over the Parquet parts

Cell ``k`` is seeded from ``SeedSequence(seed).spawn(n_cells)[k]``, so the parts written are the
same bytes whatever the backend, the number of workers or how often the sweep was restarted.
"""

from __future__ import annotations

from airshield.store import read_manifest, read_table
from airshield.sweep.paths import DERIVED, PathError, parse_path, resolve_path
from airshield.sweep.plan import Cell, Parameter, SweepPlan, cell_seeds, load_plan, plan_from_text
from airshield.sweep.runner import SweepRun, run_sweep
from airshield.sweep.spec import SweepSpec

__all__ = [
    "DERIVED",
    "Cell",
    "Parameter",
    "PathError",
    "SweepPlan",
    "SweepRun",
    "SweepSpec",
    "cell_seeds",
    "influence",
    "load_plan",
    "parse_path",
    "plan_from_text",
    "read_manifest",
    "read_table",
    "resolve_path",
    "run_sweep",
    "sweep_summary",
    "write_sweep_report",
]


def sweep_summary(out: str, outcome: str = "leaked_harmful") -> dict:
    """Summary of a sweep directory (see :func:`airshield.sweep.analysis.summarize`)."""
    from airshield.sweep.analysis import summarize

    return summarize(out, outcome)


def influence(out: str, outcome: str = "leaked_harmful") -> list:
    """Parameters ranked by influence on ``outcome`` (see :mod:`airshield.sweep.analysis`)."""
    from airshield.sweep.analysis import influence_ranking, load_summary

    frame, params = load_summary(out)
    return influence_ranking(frame, params, f"{outcome}_mean")


def write_sweep_report(out: str, path: str) -> None:
    """A self-contained HTML report of a sweep (see :mod:`airshield.sweep.report`)."""
    from airshield.sweep.report import write_report

    write_report(out, path)
