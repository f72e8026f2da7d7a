"""The unit of work of a sweep: one batch of cells, run anywhere, returned as Arrow tables.

:func:`run_batch` is a plain top-level function of plain data, so any backend can ship it: the
serial loop, a process pool, or a Dask worker on another machine (which needs ``airshield``
installed). It writes nothing: the driver writes the parts, so workers need no shared disk.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from airshield.raid import simulate
from airshield.raid.result import RaidResult, band
from airshield.scenario import Scenario
from airshield.sweep.orphans import in_forkserver, set_parent_death_signal
from airshield.vocab import Outcome

if in_forkserver():  # preloaded by the sweep's fork server: it dies with the driver
    set_parent_death_signal()

#: per-cell summary quantities: each gets _mean, _sd, _p5 and _p95 columns
SUMMARY_QUANTITIES = (
    "launched",
    "destroyed",
    "lost",
    "leaked",
    "leaked_harmful",
    "decoy_leaked",
    "defender_cost_usd",
    "damage_usd",
)
#: campaign sweeps add: the first night (0-based) a pool ends empty; the horizon if none does
CAMPAIGN_QUANTITIES = ("first_empty_night",)
ARROW_TYPES = {
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "string": pa.string(),
}


class SweepInterrupted(Exception):
    """A cell's replications were interrupted (Ctrl-C); its batch is not kept."""


class CellFailed(RuntimeError):
    """A cell raised while running; the message names the cell."""


@dataclass(frozen=True)
class CellTask:
    index: int
    seed: int
    scenario_json: str
    values: tuple[Any, ...]
    template_json: str | None = None


@dataclass(frozen=True)
class BatchTask:
    """Everything a worker needs for one batch (no file paths)."""

    batch: int
    cells: tuple[CellTask, ...]
    reps: int
    engine: str
    outputs: tuple[str, ...]
    param_names: tuple[str, ...]
    param_types: tuple[str, ...]
    base_kind: str = "raid"
    mode: str = "fast"


@dataclass
class BatchResult:
    batch: int
    cells: tuple[int, ...]
    tables: dict[str, pa.Table]


@dataclass(frozen=True)
class CallTask:
    """A plain function call shipped like a batch: ``target`` (``"package.module:function"``, a
    top-level function of airshield) applied to ``payload`` (picklable plain data). Other layers
    (e.g. the procurement optimiser's fast-mode evaluations) fan their work out through the same
    backends with it; the function must carry its own seeds, so the answer does not depend on the
    backend or the workers."""

    batch: int
    target: str
    payload: Any


@dataclass
class CallResult:
    batch: int
    value: Any


def run_call(task: CallTask) -> CallResult:
    """Import ``task.target`` and apply it to the payload."""
    module, _, name = task.target.partition(":")
    if not module.startswith("airshield.") or not name:
        raise ValueError(f"call target {task.target!r}: expected 'airshield.module:function'")
    fn = getattr(importlib.import_module(module), name)
    return CallResult(task.batch, fn(task.payload))


#: what a backend's ``result`` returns: a sweep batch's tables, or a call's value
TaskResult = BatchResult | CallResult


def run_task(task: BatchTask | CallTask) -> TaskResult:
    """What every backend runs: a sweep batch (:func:`run_batch`) or a call (:func:`run_call`)."""
    if isinstance(task, CallTask):
        return run_call(task)
    return run_batch(task)


def run_batch(task: BatchTask) -> BatchResult:
    """Run every cell of the batch; return one Arrow table per output (rows in cell order)."""
    frames: dict[str, list[dict[str, Any]]] = {t: [] for t in ("summary", *task.outputs)}
    for cell in task.cells:
        if task.base_kind == "campaign":
            _run_campaign_cell(task, cell, frames)
            continue
        sc = Scenario.model_validate_json(cell.scenario_json)
        try:
            res = simulate(sc, reps=task.reps, seed=cell.seed, workers=1, engine=task.engine)
        except KeyboardInterrupt:
            raise SweepInterrupted(f"cell {cell.index}") from None
        except Exception as exc:
            raise CellFailed(f"cell {cell.index} (seed {cell.seed}): {exc!r}") from exc
        if res.interrupted:
            raise SweepInterrupted(f"cell {cell.index}")
        frames["summary"].append(_summary_columns(res))
        if "replications" in task.outputs:
            frames["replications"].append(_columns(res.to_frame()))
        if "effectors" in task.outputs:
            frames["effectors"].append(_columns(res.effector_frame()))
        if "assets" in task.outputs:
            frames["assets"].append(_columns(res.asset_frame()))
    tables = {name: _table(task, parts) for name, parts in frames.items()}
    return BatchResult(task.batch, tuple(c.index for c in task.cells), tables)


def _columns(df: Any) -> dict[str, Any]:
    return {c: df[c].to_numpy() for c in df.columns}


def _run_campaign_cell(task: BatchTask, cell: CellTask, frames: dict[str, list[Any]]) -> None:
    from airshield.campaign import Campaign, run_campaign

    assert cell.template_json is not None
    tpl = Scenario.model_validate_json(cell.template_json)
    camp = Campaign.model_validate_json(cell.scenario_json).with_template(tpl)
    try:
        res = run_campaign(
            camp, mode=task.mode, reps=task.reps, seed=cell.seed, workers=1, engine=task.engine
        )
    except KeyboardInterrupt:
        raise SweepInterrupted(f"cell {cell.index}") from None
    except Exception as exc:
        raise CellFailed(f"cell {cell.index} (seed {cell.seed}): {exc!r}") from exc
    r = res.reps
    harmful = res.harmful
    empty = res.depletion_nights("empty")  # (R, P), -1: never
    never = np.where(empty < 0, res.nights, empty)
    first_empty = never.min(axis=1) if never.shape[1] else np.full(r, res.nights)
    per_rep = {
        "launched": np.full(r, res.launched.sum()),
        "destroyed": res.destroyed.sum(axis=(1, 2)),
        "lost": res.lost.sum(axis=(1, 2)),
        "leaked": res.leaked.sum(axis=(1, 2)),
        "leaked_harmful": res.leaked_harmful().sum(axis=1),
        "decoy_leaked": res.leaked[:, :, ~harmful].sum(axis=(1, 2)),
        "defender_cost_usd": res.defender_cost_usd().sum(axis=1),
        "damage_usd": res.damage_usd.sum(axis=1),
        "first_empty_night": first_empty,
    }
    frames["summary"].append(
        _band_columns(per_rep, r, float(res.attacker_cost_usd().sum()), extra=CAMPAIGN_QUANTITIES)
    )
    if "replications" in task.outputs:
        t = len(res.threat_types)
        frames["replications"].append(
            {
                "rep": np.repeat(np.arange(r, dtype=np.int64), t),
                "threat_type": np.tile(np.array(res.threat_types, dtype=object), r),
                "kind": np.tile(np.array(res.threat_kinds, dtype=object), r),
                "launched": np.tile(res.launched.sum(axis=0).astype(np.int64), r),
                "destroyed": res.destroyed.sum(axis=1).reshape(-1).astype(np.int64),
                "lost": res.lost.sum(axis=1).reshape(-1).astype(np.int64),
                "leaked": res.leaked.sum(axis=1).reshape(-1).astype(np.int64),
                "decoy_leaked": np.where(
                    np.tile(~harmful, r), res.leaked.sum(axis=1).reshape(-1), 0
                ).astype(np.int64),
            }
        )
    if "nights" in task.outputs:
        frames["nights"].append(_columns(res.night_frame()))
    if "pools" in task.outputs:
        p = len(res.pool_names)
        frames["pools"].append(
            {
                "rep": np.repeat(np.arange(r, dtype=np.int64), p),
                "pool": np.tile(np.array(res.pool_names, dtype=object), r),
                "effector": np.tile(np.array(res.pool_effectors, dtype=object), r),
                "fired": res.fired.sum(axis=1).reshape(-1).astype(np.int64),
                "delivered": res.delivered.sum(axis=1).reshape(-1).astype(np.int64),
                "diverted": res.diverted.sum(axis=1).reshape(-1).astype(np.int64),
                "stock_end": res.stock_end[:, -1, :].reshape(-1).astype(np.int64),
                "empty_night": empty.reshape(-1).astype(np.int64),
                "short_night": res.depletion_nights("short").reshape(-1).astype(np.int64),
            }
        )


def _band_columns(
    per_rep: dict[str, Any], reps: int, attacker_cost: float, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    row: dict[str, Any] = {"reps": np.array([reps], np.int64)}
    for q in (*SUMMARY_QUANTITIES, *extra):
        for stat, v in band(per_rep[q]).items():
            row[f"{q}_{stat}"] = np.array([v], np.float64)
    row["attacker_cost_usd"] = np.array([attacker_cost], np.float64)
    return row


def _summary_columns(res: RaidResult) -> dict[str, Any]:
    kinds = np.array(res.threat_kinds)
    harmful = kinds != "decoy"
    per_rep = {
        "launched": res.outcomes[:, :, Outcome.LAUNCHED].sum(axis=1),
        "destroyed": res.outcomes[:, :, Outcome.DESTROYED].sum(axis=1),
        "lost": res.outcomes[:, :, Outcome.LOST].sum(axis=1),
        "leaked": res.outcomes[:, :, Outcome.LEAKED].sum(axis=1),
        "leaked_harmful": res.outcomes[:, harmful, Outcome.LEAKED].sum(axis=1),
        "decoy_leaked": res.outcomes[:, ~harmful, Outcome.LEAKED].sum(axis=1),
        "defender_cost_usd": res.cost_usd.sum(axis=1),
        "damage_usd": res.damage_usd.sum(axis=1),
    }
    return _band_columns(per_rep, res.reps, res.attacker_cost_usd)


def _table(task: BatchTask, parts: list[dict[str, Any]]) -> pa.Table:
    cols: dict[str, pa.Array] = {}
    lengths = [len(next(iter(p.values()))) for p in parts]
    cols["cell"] = pa.array(np.repeat([c.index for c in task.cells], lengths).astype(np.int64))
    cols["seed"] = pa.array(np.repeat([c.seed for c in task.cells], lengths).astype(np.uint64))
    for j, (name, typ) in enumerate(zip(task.param_names, task.param_types, strict=True)):
        vals = [c.values[j] for c, n in zip(task.cells, lengths, strict=True) for _ in range(n)]
        cols[name] = pa.array(vals, type=ARROW_TYPES[typ])
    names = list(parts[0]) if parts else []
    for name in names:
        arr = np.concatenate([p[name] for p in parts])
        if arr.dtype.kind in "OUT":
            cols[name] = pa.array([str(x) for x in arr], type=pa.string())
        else:
            cols[name] = pa.array(arr)
    return pa.table(cols)
