"""The results store: a run history in an embedded DuckDB file.

One table, ``runs``: id, created, finished, kind (``raid`` or ``campaign``), scenario name and
hash, seed, reps, status (``running``, ``done``, ``failed``), error, summary JSON, report path and
the scenario text the run used (so every run can be repeated).

DuckDB allows one writer per file. :class:`RunStore` opens one connection per operation and holds
a lock while it does: a thread lock within the process and an ``flock`` on a sidecar lock file
across processes, so concurrent runs (threads of the web app, or several ``airshield``
processes) never corrupt the store or see a half-written row.

The default location is the user data directory (``platformdirs``), or ``$AIRSHIELD_HOME``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from airshield.jsonable import json_default

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
STATUSES = ("running", "done", "failed")


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


_THREAD_LOCK = threading.RLock()


class RunStore:
    """Run history in a DuckDB file (created with its folder on first use)."""

    def __init__(self, path: str | Path | None = None, *, timeout_s: float = 30.0) -> None:
        self.path = Path(path) if path is not None else data_home() / "runs.duckdb"
        self.timeout_s = timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(SCHEMA)

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
        """Add a run with status ``running``; return its id."""
        with self._connect() as con:
            row = con.execute(
                "INSERT INTO runs (id, created, kind, scenario_name, scenario_hash, seed, reps, "
                "status, scenario_text) VALUES (nextval('run_id_seq'), ?, ?, ?, ?, ?, ?, "
                "'running', ?) RETURNING id",
                [_now(), kind, scenario_name, scenario_hash, int(seed), int(reps), scenario_text],
            ).fetchone()
        assert row is not None
        return int(row[0])

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
                "error=NULL WHERE id=?",
                [_now(), blob, report_path, elapsed_s, int(run_id)],
            )

    def fail_run(self, run_id: int, error: str, elapsed_s: float | None = None) -> None:
        """Mark a run failed with its error message."""
        with self._connect() as con:
            con.execute(
                "UPDATE runs SET status='failed', finished=?, error=?, elapsed_s=? WHERE id=?",
                [_now(), error[:10_000], elapsed_s, int(run_id)],
            )

    def fail_stale(self, reason: str = "interrupted: the server stopped during the run") -> int:
        """Mark every ``running`` run failed (call at start-up, when none can be running)."""
        with self._connect() as con:
            n = con.execute("SELECT count(*) FROM runs WHERE status='running'").fetchone()
            con.execute(
                "UPDATE runs SET status='failed', finished=?, error=? WHERE status='running'",
                [_now(), reason],
            )
        return int(n[0]) if n else 0

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
