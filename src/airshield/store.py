"""The stores of AirShield, in one module: the run history of the web app (an embedded DuckDB
file) and the on-disk layout of a sweep (Parquet parts and a manifest), with the file locks and
atomic writes both rely on.

**Run history** (:class:`RunStore`). One table, ``runs``: id, created, finished, kind (``raid`` or
``campaign``), scenario name and hash, seed, reps, status (``running``, ``done``, ``failed``,
``interrupted``), error, summary JSON, report path and the scenario text the run used (so every run
can be repeated). DuckDB allows one writer per file. :class:`RunStore` opens one connection per
operation and holds a lock while it does: a thread lock within the process and an ``flock`` on a
sidecar lock file across processes, so concurrent runs (threads of the web app, or several
``airshield`` processes) never corrupt the store or see a half-written row.

Every ``running`` run is held by a **lease**: an exclusive ``flock`` on its own lock file
(``runs.duckdb.runs/run-<id>.lock``), taken in the same locked step that adds the row and held by
the process that runs it until the run ends. The kernel drops the lock when that process dies,
even by ``kill -9``, so :meth:`RunStore.fail_stale` marks ``interrupted`` exactly the runs whose
process is gone and never another live server's run.

**Sweep directory** (:class:`SweepStore`)::

    DIR/manifest.json                   spec hash, base scenario hash, root seed, version, progress
    DIR/spec.json                       the spec with the base scenario inline (self-contained)
    DIR/cells.parquet                   every cell: index, seed, parameter values
    DIR/parts/summary/part-000012.parquet      one row per cell of batch 12
    DIR/parts/replications/part-000012.parquet per-replication rows (if kept), and so on
    DIR/.lock                           held by the one process writing the sweep

A batch is committed by writing every table to a temporary file and renaming it into place,
the summary part last: a batch is done exactly when its summary part exists. A restart deletes
temporary files and parts of uncommitted batches, then runs the batches that are not done; it
refuses a directory that holds a different sweep (another spec hash) or another version, and a
directory another live process is writing (its ``.lock`` is held).

The default location of the run history is the user data directory (``platformdirs``), or
``$AIRSHIELD_HOME``. Locks are POSIX ``flock`` locks: they hold between processes of one machine
(not across NFS clients); where ``fcntl`` is missing, DuckDB's own file lock and a retry remain.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from airshield.errors import Problem, ScenarioError
from airshield.jsonable import json_default

if TYPE_CHECKING:
    import pyarrow as pa

    from airshield.sweep.plan import SweepPlan
    from airshield.sweep.worker import BatchResult

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS run_id_seq START 1;
CREATE TABLE IF NOT EXISTS runs (
    id BIGINT PRIMARY KEY,
    created TIMESTAMP NOT NULL,
    finished TIMESTAMP,
    kind VARCHAR NOT NULL,
    scenario_name VARCHAR NOT NULL,
    scenario_hash VARCHAR NOT NULL,
    seed BIGINT NOT NULL,
    reps INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    error VARCHAR,
    summary VARCHAR,
    report_path VARCHAR,
    scenario_text VARCHAR,
    elapsed_s DOUBLE
);
"""
COLUMNS = (
    "id", "created", "finished", "kind", "scenario_name", "scenario_hash", "seed", "reps",
    "status", "error", "summary", "report_path", "scenario_text", "elapsed_s",
)  # fmt: skip
STATUSES = ("running", "done", "failed", "interrupted")


def data_home() -> Path:
    """AirShield's user data directory: ``$AIRSHIELD_HOME`` if set, else the platform's."""
    env = os.environ.get("AIRSHIELD_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("airshield", appauthor=False))


@dataclass(frozen=True)
class RunRecord:
    """One row of the run history."""

    id: int
    created: datetime
    finished: datetime | None
    kind: str
    scenario_name: str
    scenario_hash: str
    seed: int
    reps: int
    status: str
    error: str | None
    summary: dict[str, Any] | None
    report_path: str | None
    scenario_text: str | None
    elapsed_s: float | None

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        """JSON-ready dict (timestamps as ISO strings; the scenario text only if asked)."""
        d: dict[str, Any] = {c: getattr(self, c) for c in COLUMNS}
        d["created"] = self.created.isoformat()
        d["finished"] = self.finished.isoformat() if self.finished else None
        if not with_text:
            d.pop("scenario_text")
        return d


def _version() -> str:
    """The package version (from the leaf module ``airshield._version``, so this low layer does
    not depend on the top-level façade)."""
    from airshield._version import __version__

    return __version__


# ---- locks -----------------------------------------------------------------------------------
def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "since": _now().isoformat()}


class Lease:
    """An exclusive ``flock`` held on a file for as long as this object is not released.

    Whoever holds it is alive: the kernel drops the lock when the holding process exits or is
    killed, so "can the lock be taken?" is an exact test of "has its owner gone?", with no clock
    and no heartbeat to tune. The file records the owner (pid, host, since) for error messages.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, path: str | Path) -> Lease | None:
        """Take the lock at once and write this process as its owner; ``None`` if it is held."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no flock; the lease is advisory only
            return cls(p, fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        os.write(fd, (json.dumps(_owner()) + "\n").encode())
        return cls(p, fd)

    @staticmethod
    def owner(path: str | Path) -> dict[str, Any]:
        """Who wrote the lock file last (empty if unknown)."""
        try:
            return dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return {}

    @staticmethod
    def is_held(path: str | Path) -> bool:
        """True while a live process holds the lock on ``path``."""
        p = Path(path)
        if not p.exists():
            return False
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: cannot tell; assume alive
            return True
        fd = os.open(p, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops a lock taken here
        return False

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self, unlink: bool = False) -> None:
        """Drop the lock (and remove its file if ``unlink``); releasing twice is harmless."""
        if self._fd is None:
            return
        if unlink:
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_THREAD_LOCK = threading.RLock()


class RunStore:
    """Run history in a DuckDB file (created with its folder on first use)."""

    def __init__(self, path: str | Path | None = None, *, timeout_s: float = 30.0) -> None:
        self.path = Path(path) if path is not None else data_home() / "runs.duckdb"
        self.timeout_s = timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lease_dir = self.path.with_name(self.path.name + ".runs")
        self._leases: dict[int, Lease] = {}
        with self._connect() as con:
            con.execute(SCHEMA)

    # ---- leases: which runs are alive -------------------------------------------------------
    def lease_path(self, run_id: int) -> Path:
        return self.lease_dir / f"run-{int(run_id)}.lock"

    def holds(self, run_id: int) -> bool:
        """True if this store object holds the lease of the run (it is running here)."""
        lease = self._leases.get(int(run_id))
        return lease is not None and lease.held

    def _release(self, run_id: int) -> None:
        lease = self._leases.pop(int(run_id), None)
        if lease is not None:
            lease.release(unlink=True)

    # ---- connection handling ---------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        with _THREAD_LOCK, _file_lock(lock_path, self.timeout_s):
            con = _open(self.path, self.timeout_s)
            try:
                yield con
            finally:
                con.close()

    # ---- writes ----------------------------------------------------------------------------
    def create_run(
        self,
        *,
        scenario_name: str,
        scenario_hash: str,
        seed: int,
        reps: int,
        kind: str = "raid",
        scenario_text: str | None = None,
    ) -> int:
        """Add a run with status ``running`` and take its lease (held by this store object until
        the run is finished, failed or interrupted, or this process ends); return its id."""
        with self._connect() as con:
            row = con.execute(
                "INSERT INTO runs (id, created, kind, scenario_name, scenario_hash, seed, reps, "
                "status, scenario_text) VALUES (nextval('run_id_seq'), ?, ?, ?, ?, ?, ?, "
                "'running', ?) RETURNING id",
                [_now(), kind, scenario_name, scenario_hash, int(seed), int(reps), scenario_text],
            ).fetchone()
            assert row is not None
            run_id = int(row[0])
            # taken under the store lock, so fail_stale never sees this run without its lease
            lease = Lease.acquire(self.lease_path(run_id))
            if lease is None:  # pragma: no cover - a leftover lock of a deleted store's run
                raise RuntimeError(f"lease of new run {run_id} is held by another process")
            self._leases[run_id] = lease
        return run_id

    def finish_run(
        self,
        run_id: int,
        *,
        summary: dict[str, Any],
        report_path: str | None = None,
        elapsed_s: float | None = None,
    ) -> None:
        """Mark a run done with its summary (JSON-ready dict) and report path."""
        blob = json.dumps(summary, default=json_default)
        with self._connect() as con:
            con.execute(
                "UPDATE runs SET status='done', finished=?, summary=?, report_path=?, elapsed_s=?, "
                "error=NULL WHERE id=? AND status='running'",
                [_now(), blob, report_path, elapsed_s, int(run_id)],
            )
        self._release(run_id)

    def fail_run(self, run_id: int, error: str, elapsed_s: float | None = None) -> None:
        """Mark a run failed with its error message."""
        with self._connect() as con:
            con.execute(
                "UPDATE runs SET status='failed', finished=?, error=?, elapsed_s=? "
                "WHERE id=? AND status='running'",
                [_now(), error[:10_000], elapsed_s, int(run_id)],
            )
        self._release(run_id)

    def interrupt_run(
        self,
        run_id: int,
        reason: str,
        *,
        summary: dict[str, Any] | None = None,
        report_path: str | None = None,
        elapsed_s: float | None = None,
    ) -> None:
        """Mark a run ``interrupted`` (stopped before its end: server shutdown, time budget),
        keeping the summary of the replications that finished, if any."""
        blob = json.dumps(summary, default=json_default) if summary is not None else None
        with self._connect() as con:
            con.execute(
                "UPDATE runs SET status='interrupted', finished=?, error=?, summary=?, "
                "report_path=?, elapsed_s=? WHERE id=? AND status='running'",
                [_now(), reason[:10_000], blob, report_path, elapsed_s, int(run_id)],
            )
        self._release(run_id)

    def fail_stale(self, reason: str = "interrupted: the server stopped during the run") -> int:
        """Mark ``interrupted`` every ``running`` run whose lease no live process holds (its
        server stopped or was killed); runs of other live servers are left alone. Returns how
        many were marked."""
        with self._connect() as con:
            rows = con.execute("SELECT id FROM runs WHERE status='running'").fetchall()
            stale = [
                int(r[0])
                for r in rows
                if not self.holds(int(r[0])) and not Lease.is_held(self.lease_path(int(r[0])))
            ]
            for run_id in stale:
                con.execute(
                    "UPDATE runs SET status='interrupted', finished=?, error=? "
                    "WHERE id=? AND status='running'",
                    [_now(), reason, run_id],
                )
                self.lease_path(run_id).unlink(missing_ok=True)
        return len(stale)

    def delete(self, run_id: int) -> bool:
        with self._connect() as con:
            n = con.execute("SELECT count(*) FROM runs WHERE id=?", [int(run_id)]).fetchone()
            con.execute("DELETE FROM runs WHERE id=?", [int(run_id)])
        return bool(n and n[0])

    # ---- reads -----------------------------------------------------------------------------
    def get(self, run_id: int) -> RunRecord | None:
        with self._connect() as con:
            row = con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM runs WHERE id=?", [int(run_id)]
            ).fetchone()
        return _record(row) if row else None

    def runs(self, limit: int = 200, status: str | None = None) -> list[RunRecord]:
        """Newest first."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM runs"
        args: list[Any] = []
        if status is not None:
            sql += " WHERE status=?"
            args.append(status)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(int(limit))
        with self._connect() as con:
            rows = con.execute(sql, args).fetchall()
        return [_record(r) for r in rows]

    def count(self) -> int:
        with self._connect() as con:
            row = con.execute("SELECT count(*) FROM runs").fetchone()
        return int(row[0]) if row else 0


# ---- helpers ---------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _record(row: tuple[Any, ...]) -> RunRecord:
    d = dict(zip(COLUMNS, row, strict=True))
    d["summary"] = json.loads(d["summary"]) if d["summary"] else None
    return RunRecord(**d)


def _open(path: Path, timeout_s: float) -> duckdb.DuckDBPyConnection:
    """Open the database, retrying while another process (without our lock file) holds it."""
    deadline = time.monotonic() + timeout_s
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException:
            if time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


@contextmanager
def _file_lock(path: Path, timeout_s: float) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` (POSIX); a no-op where fcntl is missing."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: DuckDB's own file lock + retry only
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"store {path} is locked by another process") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ---- sweep directories ---------------------------------------------------------------------
PART_RE = re.compile(r"^part-(\d{6,})\.parquet$")
TABLES = ("summary", "replications", "effectors", "assets", "nights", "pools")


#: the code whose changes change results: a sweep is not resumed across a change of it
def code_hash() -> str:
    """The engine code hash (see :func:`airshield.provenance.engine_code_hash`)."""
    from airshield.provenance import engine_code_hash

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
    import pyarrow.parquet as pq

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


LOCK_NAME = ".lock"


def lock_sweep_dir(d: Path) -> Lease:
    """Take the writer lock of a sweep directory, or fail with a clear error naming the process
    that holds it (a second ``sweep run`` on the same ``--out`` while the first is alive)."""
    lease = Lease.acquire(d / LOCK_NAME)
    if lease is None:
        who = Lease.owner(d / LOCK_NAME)
        by = f" (pid {who.get('pid')} on {who.get('host')} since {who.get('since')})" if who else ""
        raise ScenarioError(
            str(d),
            [Problem("--out", f"another sweep run is writing this directory{by}; wait for it to "
                     "finish or stop it, or choose another --out")],
        )  # fmt: skip
    return lease


@dataclass
class SweepStore:
    """A sweep directory opened for writing by one plan, locked against a second writer until
    :meth:`close` (or the end of the process)."""

    out: Path
    plan: SweepPlan
    done: set[int]
    code: str = ""
    lock: Lease | None = None

    def close(self) -> None:
        """Release the directory's writer lock."""
        if self.lock is not None:
            self.lock.release()

    @property
    def cells_done(self) -> int:
        return sum(len(self.plan.batch(b)) for b in self.done)

    # ---- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, out: str | Path, plan: SweepPlan) -> SweepStore:
        """Create the directory, or reopen it for a restart of the same sweep."""
        d = Path(out)
        code = code_hash()
        if d.exists() and not d.is_dir():
            raise ScenarioError(str(d), [Problem("--out", "exists and is not a directory")])
        if (d / "manifest.json").exists():
            man = read_manifest(d)
            _check_same(d, man, plan, code)
        elif d.exists() and any(p.name != LOCK_NAME for p in d.iterdir()):
            raise ScenarioError(
                str(d), [Problem("--out", "directory exists, is not empty and holds no sweep "
                                 "manifest; choose a new or empty directory")]
            )  # fmt: skip
        d.mkdir(parents=True, exist_ok=True)
        lock = lock_sweep_dir(d)
        try:
            for t in ("summary", *plan.spec.outputs):
                (d / "parts" / t).mkdir(parents=True, exist_ok=True)
            store = cls(d, plan, set(), code, lock)
            store._recover()
            if not (d / "manifest.json").exists():
                store._write_static()
            store.write_manifest()
        except BaseException:
            lock.release()
            raise
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
        tmp = _write_table_tmp(plan.cells_table(), self.out / "cells.parquet", self._meta())
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
            "airshield.version": _version(),
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
            "format": plan.format,
            "name": plan.spec.name,
            "description": plan.spec.description,
            "version": _version(),
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
    if man.get("format") != plan.format:
        problems.append(
            Problem("format", f"written as {man.get('format')!r}; this is {plan.format!r}")
        )
    if man.get("spec_hash") != plan.fingerprint:
        problems.append(
            Problem("spec_hash", f"the directory holds sweep {man.get('name')!r} with spec hash "
                    f"{man.get('spec_hash')} (base {man.get('base_hash')}); this spec has "
                    f"{plan.fingerprint} (base {plan.base_hash}). A restart must use the same "
                    "spec and base scenario; write a changed sweep to a new --out directory")
        )  # fmt: skip
    if man.get("version") != _version():
        problems.append(
            Problem("version", f"written by airshield {man.get('version')}, this is "
                    f"{_version()}; results of two versions are not mixed; "
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
