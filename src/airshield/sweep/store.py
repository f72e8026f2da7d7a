"""The on-disk layout of a sweep: Parquet parts, a manifest, and what a restart may reuse.

::

    DIR/manifest.json                   spec hash, base scenario hash, root seed, version, progress
    DIR/spec.json                       the spec with the base scenario inline (self-contained)
    DIR/cells.parquet                   every cell: index, seed, parameter values
    DIR/parts/summary/part-000012.parquet      one row per cell of batch 12
    DIR/parts/replications/part-000012.parquet per-replication rows (if kept), and so on

A batch is committed by writing every table to a temporary file and renaming it into place,
the summary part last: a batch is done exactly when its summary part exists. A restart deletes
temporary files and parts of uncommitted batches, then runs the batches that are not done; it
refuses a directory that holds a different sweep (another spec hash) or another version.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import airshield
from airshield.errors import Problem, ScenarioError
from airshield.provenance import engine_code_hash
from airshield.sweep.plan import FORMAT, SweepPlan
from airshield.sweep.worker import ARROW_TYPES, BatchResult

PART_RE = re.compile(r"^part-(\d{6,})\.parquet$")
TABLES = ("summary", "replications", "effectors", "assets", "nights", "pools")


#: the code whose changes change results: a sweep is not resumed across a change of it
def code_hash() -> str:
    """The engine code hash (see :func:`airshield.provenance.engine_code_hash`)."""
    return engine_code_hash()


def part_name(batch: int) -> str:
    return f"part-{batch:06d}.parquet"


def _atomic_write_text(path: Path, text: str, *, sync: bool = True) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        if sync:
            os.fsync(fh.fileno())
    os.replace(tmp, path)


def _write_table_tmp(table: pa.Table, path: Path, meta: dict[str, str]) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    table = table.replace_schema_metadata(meta)
    pq.write_table(table, tmp, compression="zstd")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    return tmp


def read_manifest(out: str | Path) -> dict[str, Any]:
    """The manifest of a sweep directory (raises ScenarioError if there is none)."""
    p = Path(out) / "manifest.json"
    try:
        return dict(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ScenarioError(
            str(out), [Problem("<dir>", "not a sweep directory (no manifest.json)")]
        ) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(str(p), [Problem("<file>", f"unreadable manifest: {exc}")]) from None


@dataclass
class SweepStore:
    """A sweep directory opened for writing by one plan."""

    out: Path
    plan: SweepPlan
    done: set[int]
    code: str = ""

    @property
    def cells_done(self) -> int:
        return sum(len(self.plan.batch(b)) for b in self.done)

    # ---- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, out: str | Path, plan: SweepPlan) -> SweepStore:
        """Create the directory, or reopen it for a restart of the same sweep."""
        d = Path(out)
        code = code_hash()
        if (d / "manifest.json").exists():
            man = read_manifest(d)
            _check_same(d, man, plan, code)
        elif d.exists() and any(d.iterdir()):
            raise ScenarioError(
                str(d), [Problem("--out", "directory exists, is not empty and holds no sweep "
                                 "manifest; choose a new or empty directory")]
            )  # fmt: skip
        for t in ("summary", *plan.spec.outputs):
            (d / "parts" / t).mkdir(parents=True, exist_ok=True)
        store = cls(d, plan, set(), code)
        store._recover()
        if not (d / "manifest.json").exists():
            store._write_static()
        store.write_manifest()
        return store

    def _write_static(self) -> None:
        plan = self.plan
        spec = plan.spec.model_dump(mode="json")
        info = plan.base_info
        if info.kind == "raid":
            spec["base"]["scenario"] = info.data
        else:  # a campaign is re-read from its file (a changed file is refused by its hash);
            # copies of the campaign and its template are kept for the record
            spec["base"]["campaign"] = str(Path(str(info.path)).resolve())
            for name, data in (("campaign", info.data), ("template", info.template_data)):
                text = json.dumps(data, indent=1, default=str)
                _atomic_write_text(self.out / f"base-{name}.json", text)
        _atomic_write_text(self.out / "spec.json", json.dumps(spec, indent=1, default=str))
        cols: dict[str, pa.Array] = {
            "cell": pa.array([c.index for c in plan.cells], pa.int64()),
            "seed": pa.array([c.seed for c in plan.cells], pa.uint64()),
            "batch": pa.array([c.index // plan.batch_cells for c in plan.cells], pa.int64()),
        }
        for j, p in enumerate(plan.parameters):
            cols[p.name] = pa.array([c.values[j] for c in plan.cells], ARROW_TYPES[p.column_type])
        tmp = _write_table_tmp(pa.table(cols), self.out / "cells.parquet", self._meta())
        os.replace(tmp, self.out / "cells.parquet")

    def _recover(self) -> None:
        """Drop temporary files and parts of uncommitted batches; note the committed ones."""
        parts = self.out / "parts"
        for tmp in list(parts.glob("*/.*.tmp")) + list(self.out.glob(".*.tmp")):
            tmp.unlink(missing_ok=True)
        n = self.plan.n_batches
        for f in (parts / "summary").iterdir():
            m = PART_RE.match(f.name)
            if m and int(m.group(1)) < n:
                self.done.add(int(m.group(1)))
        for t in self.plan.spec.outputs:
            for f in (parts / t).iterdir():
                m = PART_RE.match(f.name)
                if m and int(m.group(1)) not in self.done:
                    f.unlink()

    # ---- writing ------------------------------------------------------------------------------
    def _meta(self) -> dict[str, str]:
        return {
            "airshield.sweep.fingerprint": self.plan.fingerprint,
            "airshield.sweep.base_hash": self.plan.base_hash,
            "airshield.sweep.seed": str(self.plan.spec.seed),
            "airshield.version": airshield.__version__,
        }

    def commit(self, result: BatchResult) -> None:
        """Write one batch's parts atomically (summary last), then the manifest."""
        name = part_name(result.batch)
        meta = self._meta()
        tmps: list[tuple[Path, Path]] = []
        for t in self.plan.spec.outputs:
            dest = self.out / "parts" / t / name
            tmps.append((_write_table_tmp(result.tables[t], dest, meta), dest))
        dest = self.out / "parts" / "summary" / name
        tmps.append((_write_table_tmp(result.tables["summary"], dest, meta), dest))
        for tmp, dest in tmps:  # summary last: it marks the batch as done
            os.replace(tmp, dest)
        self.done.add(result.batch)
        self.write_manifest()

    def write_manifest(self, extra: dict[str, Any] | None = None) -> None:
        plan = self.plan
        man = {
            "format": FORMAT,
            "name": plan.spec.name,
            "description": plan.spec.description,
            "version": airshield.__version__,
            "code_hash": self.code,
            "spec_hash": plan.fingerprint,
            "base_kind": plan.spec.base.kind,
            "base_scenario": plan.base.name,
            "base_mode": getattr(plan.spec.base, "mode", None),
            "base_hash": plan.base_hash,
            "seed": plan.spec.seed,
            "seeding": "cell k: SeedSequence(seed).spawn(n_cells)[k].generate_state(1, uint64) "
            "-> simulate(seed=...); replication r: SeedSequence(cell seed).spawn(reps)[r]",
            "reps": plan.spec.reps,
            "engine": plan.spec.engine,
            "outputs": ["summary", *plan.spec.outputs],
            "parameters": [
                {
                    "name": p.name,
                    "path": p.path,
                    "axis": p.axis,
                    "axis_kind": p.axis_kind,
                    "type": p.column_type,
                }
                for p in plan.parameters
            ],
            "n_cells": plan.n_cells,
            "batch_cells": plan.batch_cells,
            "n_batches": plan.n_batches,
            "batches_done": len(self.done),
            "cells_done": self.cells_done,
            "complete": len(self.done) == plan.n_batches,
            **(extra or {}),
        }
        # not synced: the parts are the record of what is done; the manifest's counts are
        # recomputed from them when the sweep is reopened
        _atomic_write_text(self.out / "manifest.json", json.dumps(man, indent=1) + "\n", sync=False)


def _check_same(d: Path, man: dict[str, Any], plan: SweepPlan, code: str) -> None:
    problems = []
    if man.get("format") != FORMAT:
        problems.append(Problem("format", f"written as {man.get('format')!r}; this is {FORMAT!r}"))
    if man.get("spec_hash") != plan.fingerprint:
        problems.append(
            Problem("spec_hash", f"the directory holds sweep {man.get('name')!r} with spec hash "
                    f"{man.get('spec_hash')} (base {man.get('base_hash')}); this spec has "
                    f"{plan.fingerprint} (base {plan.base_hash}). A restart must use the same "
                    "spec and base scenario; write a changed sweep to a new --out directory")
        )  # fmt: skip
    if man.get("version") != airshield.__version__:
        problems.append(
            Problem("version", f"written by airshield {man.get('version')}, this is "
                    f"{airshield.__version__}; results of two versions are not mixed; "
                    "use a new --out directory")
        )  # fmt: skip
    elif man.get("code_hash") != code:
        problems.append(
            Problem("code_hash", f"the engine code changed since this sweep was written (code "
                    f"hash {man.get('code_hash')}, now {code}); results of two engine "
                    "versions are not mixed; use a new --out directory")
        )  # fmt: skip
    if problems:
        raise ScenarioError(str(d / "manifest.json"), problems)


def table_glob(out: str | Path, table: str = "summary") -> str:
    """The glob of a table's parts, for DuckDB's ``read_parquet``."""
    return str(Path(out) / "parts" / table / "part-*.parquet")


def has_parts(out: str | Path, table: str = "summary") -> bool:
    return any((Path(out) / "parts" / table).glob("part-*.parquet"))


def read_table(out: str | Path, table: str = "summary") -> Any:
    """A table of a sweep as a pandas DataFrame in canonical order (cell, then rep)."""
    import duckdb

    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
    read_manifest(out)
    if not has_parts(out, table):
        raise ScenarioError(str(out), [Problem(table, "no parts written for this table")])
    glob = table_glob(out, table).replace("'", "''")
    con = duckdb.connect()
    try:
        # a cell lives in one part, whose rows are in canonical order
        return con.sql(
            f"SELECT * EXCLUDE (file_row_number) FROM read_parquet('{glob}', "
            "file_row_number = true) ORDER BY cell, file_row_number"
        ).df()
    finally:
        con.close()
