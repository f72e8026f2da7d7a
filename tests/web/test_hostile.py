"""The web app under hostile input and at shutdown: the scenario limits, 4xx never 500, runs
cancelled server-side (time budget, SIGTERM) and marked interrupted with what finished, and stale
detection that never touches another live server's run (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import free_port

from airshield.examples import example_path

HEADERS = {"X-AirShield": "1"}
URLS = ("/api/validate", "/api/runs")
BOMB = (
    "a: &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(
        f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def text() -> str:
    return example_path("one-battery").read_text(encoding="utf-8")


def test_alias_bomb_and_deep_yaml_are_clean_problems(client: Any) -> None:
    for body, words in ((BOMB, "alias"), ("a: " + "[" * 5000 + "]" * 5000, "nesting deeper")):
        r = client.post("/api/validate", json={"text": body}, headers=HEADERS)
        assert r.status_code == 200 and r.json()["ok"] is False, r.text
        assert words in r.json()["problems"][0]["message"]
        r = client.post("/api/runs", json={"text": body, "reps": 5}, headers=HEADERS)
        assert r.status_code == 422


def test_hostile_json_bodies_are_4xx(client: Any) -> None:
    cases = [
        (b'{"text": ' + b"[" * 20_000 + b"]" * 20_000 + b"}", 400),  # RecursionError before
        (b'{"text": "\\ud800"}', 422),  # lone surrogate
        (json.dumps({"text": text(), "reps": 1e400}).encode(), 422),
        (b'{"text": "x", "reps": 1e400}', 422),
        (json.dumps({"text": text(), "reps": 10**30}).encode(), 422),
        (json.dumps({"text": text(), "seed": 2**64}).encode(), 422),
        (b'{"text": "x", "reps": NaN}', 422),
        (b"\xff\xfe", 422),
    ]
    for raw, status in cases:
        urls = ("/api/runs",) if b'"reps"' in raw or b'"seed"' in raw else URLS
        for url in urls:
            r = client.post(
                url, content=raw, headers={**HEADERS, "content-type": "application/json"}
            )
            assert r.status_code == status, (url, raw[:40], r.status_code, r.text[:200])


def test_counts_over_the_limits_are_problems_with_lines(client: Any) -> None:
    body = text().replace("count: 40,", "count: 1000000000,")
    r = client.post("/api/validate", json={"text": body}, headers=HEADERS)
    p = r.json()["problems"][0]
    assert (p["field"], p["line"]) == ("waves[0].count", 23)


def test_run_over_its_time_budget_is_interrupted_with_what_finished(settings: Any) -> None:
    from fastapi.testclient import TestClient

    from airshield.web.app import create_app

    settings.max_run_s = 0.5
    settings.max_reps = 100_000
    application = create_app(settings)
    try:
        with TestClient(application, base_url="http://127.0.0.1") as c:
            r = c.post("/api/runs", json={"text": text(), "reps": 100_000}, headers=HEADERS)
            rid = r.json()["id"]
            application.state.runner.wait(rid, timeout=300)
            rec = c.get(f"/api/runs/{rid}").json()
        assert rec["status"] == "interrupted", rec
        assert "time budget of 0.5 s" in rec["error"]
        assert 0 < rec["summary"]["reps"] < 100_000
        assert rec["summary"]["reps_requested"] == 100_000
    finally:
        application.state.runner.shutdown()


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def _post(url: str, body: dict[str, Any]) -> Any:
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", "x-airshield": "1"},
    )  # fmt: skip
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    home.mkdir(parents=True, exist_ok=True)
    with open(home.parent / "serve.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "airshield", "serve", "--port", str(port), "--home", str(home),
             "--max-reps", "1000000"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(f"http://127.0.0.1:{port}/api/runs")
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                log_text = (home.parent / "serve.log").read_text()
                raise AssertionError(f"server did not start: {log_text}") from None
            time.sleep(0.2)


def _wait_status(url: str, want: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        rec = _get(url)
        if rec["status"] == want and (want != "running" or rec["progress"]["done"] > 0):
            return dict(rec)
        assert time.monotonic() < deadline, rec
        time.sleep(0.2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals and flock")
def test_sigterm_stops_the_server_and_a_second_server_leaves_live_runs_alone(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    port = free_port()
    proc = _serve(home, port)
    base = f"http://127.0.0.1:{port}"
    try:
        small = _post(f"{base}/api/runs", {"text": text(), "reps": 3})
        _wait_status(f"{base}/api/runs/{small['id']}", "done")
        big = _post(f"{base}/api/runs", {"text": text(), "reps": 1_000_000})
        _wait_status(f"{base}/api/runs/{big['id']}", "running")

        # a second server (another process) on the same store: the live run is not stale
        from airshield.store import RunStore

        other = subprocess.run(
            [sys.executable, "-c",
             "import sys; from airshield.store import RunStore; "
             "print(RunStore(sys.argv[1]).fail_stale())", str(home / "runs.duckdb")],
            capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        assert other.stdout.strip() == "0"
        assert _get(f"{base}/api/runs/{big['id']}")["status"] == "running"

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)  # hang guard; it stops after the replication in flight
        assert proc.returncode is not None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    store = RunStore(home / "runs.duckdb")
    rec = store.get(big["id"])
    assert rec is not None and rec.status == "interrupted", rec
    assert rec.summary is not None and 0 < rec.summary["reps"] < 1_000_000
    done = store.get(small["id"])
    assert done is not None and done.status == "done" and done.summary is not None
    assert not list((home / "runs.duckdb.runs").glob("*.lock"))


def test_pid_of_this_process_is_not_a_server(tmp_path: Path) -> None:
    # a run created and held by this process is alive for fail_stale in any process
    from airshield.store import RunStore

    store = RunStore(tmp_path / "runs.duckdb")
    rid = store.create_run(scenario_name="x", scenario_hash="h", seed=0, reps=1)
    assert store.holds(rid)
    assert RunStore(tmp_path / "runs.duckdb").fail_stale() == 0
    rec = store.get(rid)
    assert rec is not None and rec.status == "running"
    store.fail_run(rid, "boom")
    assert not store.holds(rid)
    assert os.path.exists(tmp_path / "runs.duckdb")


def test_time_budget_answers_503_and_cancels_the_handler() -> None:
    import asyncio

    from airshield.web.limits import TimeBudgetMiddleware

    cancelled: list[bool] = []

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    sent: list[dict[str, Any]] = []

    async def send(msg: dict[str, Any]) -> None:
        sent.append(msg)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    from concurrent.futures import ThreadPoolExecutor

    # a thread of its own: the browser tests' playwright keeps an event loop in this thread
    with ThreadPoolExecutor(1) as pool:
        pool.submit(
            asyncio.run, TimeBudgetMiddleware(slow, budget_s=0.05)({"type": "http"}, receive, send)
        ).result()
    assert cancelled == [True]
    assert sent[0]["status"] == 503 and b"time budget" in sent[1]["body"]


def test_json_depth_scan_skips_strings() -> None:
    from airshield.web.limits import json_too_deep

    assert json_too_deep(b"[" * 65 + b"]" * 65, 64)
    assert not json_too_deep(b"[" * 64 + b"]" * 64, 64)
    assert not json_too_deep(json.dumps({"text": "[" * 1000}).encode(), 64)
    assert not json_too_deep(b'{"a": "\\"[[[["}', 2)
