"""API tests of the web app: pages, validation, runs, and the limits (size, names, hosts,
same-origin header, safe YAML, failed runs, concurrent runs)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from airshield.examples import example_path

HEADERS = {"X-AirShield": "1"}


def one_battery_text() -> str:
    return example_path("one-battery").read_text(encoding="utf-8")


def wait_done(app: Any, run_id: int, timeout: float = 120) -> None:
    app.state.runner.wait(run_id, timeout=timeout)


# ---- pages ----------------------------------------------------------------------------------
def test_pages_render(client: Any) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "one-battery" in r.text and "No runs yet" in r.text
    assert "default-src 'none'" in r.headers["content-security-policy"]
    r = client.get("/scenarios/bundled/one-battery")
    assert r.status_code == 200 and "shahed-136" in r.text and 'id="yaml"' in r.text
    assert client.get("/new").status_code == 200
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404
    assert client.get("/scenarios/bundled/no-such").status_code == 404


def test_api_lists_scenarios(client: Any) -> None:
    items = client.get("/api/scenarios").json()
    assert {"source": "bundled", "name": "one-battery", "editable": False} in items
    r = client.get("/api/scenarios/bundled/one-battery")
    assert r.json()["text"] == one_battery_text()


# ---- validation -----------------------------------------------------------------------------
def test_validate_ok_and_problems_with_lines(client: Any) -> None:
    r = client.post("/api/validate", json={"text": one_battery_text()}, headers=HEADERS)
    body = r.json()
    assert r.status_code == 200 and body["ok"] is True
    assert body["scenario"]["threats"] == 52 and body["scenario"]["fire_units"] == 4
    bad = one_battery_text().replace("count: 40", "count: -5").replace("stock: 12", "stok: 12")
    body = client.post("/api/validate", json={"text": bad}, headers=HEADERS).json()
    assert body["ok"] is False
    by_field = {p["field"]: p for p in body["problems"]}
    assert by_field["waves[0].count"]["line"] == 23
    assert by_field["pools[0].stok"]["line"] == 17
    assert "unknown field" in by_field["pools[0].stok"]["message"]


def test_yaml_is_safe_loaded(client: Any, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    body = client.post("/api/validate", json={"text": evil}, headers=HEADERS).json()
    assert body["ok"] is False and body["problems"][0]["field"] == "<yaml>"
    r = client.post("/api/runs", json={"text": evil, "reps": 1}, headers=HEADERS)
    assert r.status_code == 422
    assert not marker.exists()


# ---- limits ---------------------------------------------------------------------------------
def test_state_changing_requests_need_the_app_header(client: Any) -> None:
    text = one_battery_text()
    assert client.post("/api/validate", json={"text": text}).status_code == 403
    assert client.post("/api/runs", json={"text": text, "reps": 1}).status_code == 403
    assert client.put("/api/scenarios/user/x", json={"text": text}).status_code == 403
    files = {"file": ("x.yaml", text.encode(), "application/x-yaml")}
    assert client.post("/api/scenarios/upload", files=files).status_code == 403
    assert client.delete("/api/scenarios/user/x").status_code == 403
    bad = {"X-AirShield": "yes"}
    assert client.post("/api/validate", json={"text": text}, headers=bad).status_code == 403


def test_request_body_limit(client: Any, settings: Any) -> None:
    big = "#" * (settings.max_body_bytes + 10)
    r = client.post("/api/validate", json={"text": big}, headers=HEADERS)
    assert r.status_code == 413

    def chunks() -> Any:  # no Content-Length: the limit applies as the body streams
        for _ in range(settings.max_body_bytes // 1000 + 5):
            yield b"x" * 1000

    r = client.post(
        "/api/validate", content=chunks(), headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert r.status_code == 413
    r = client.post(
        "/api/validate", content=b"{}", headers={**HEADERS, "Content-Length": "nonsense"}
    )
    assert r.status_code == 400


def test_scenario_size_limit(client: Any, settings: Any) -> None:
    text = one_battery_text() + "#" * settings.max_scenario_bytes
    assert len(text) < settings.max_body_bytes
    assert client.post("/api/validate", json={"text": text}, headers=HEADERS).status_code == 413
    r = client.post("/api/runs", json={"text": text, "reps": 1}, headers=HEADERS)
    assert r.status_code == 413
    files = {"file": ("big.yaml", text.encode(), "application/x-yaml")}
    r = client.post("/api/scenarios/upload", files=files, headers=HEADERS)
    assert r.status_code == 413


def test_reps_and_seed_limits(client: Any, settings: Any) -> None:
    text = one_battery_text()
    for reps in (0, -1, settings.max_reps + 1):
        r = client.post("/api/runs", json={"text": text, "reps": reps}, headers=HEADERS)
        assert r.status_code == 422, reps
    r = client.post("/api/runs", json={"text": text, "reps": 1, "seed": -1}, headers=HEADERS)
    assert r.status_code == 422


def test_untrusted_host_is_refused(client: Any) -> None:
    r = client.get("/", headers={"Host": "attacker.example"})
    assert r.status_code == 400


@pytest.mark.parametrize(
    "name",
    ["..", "../secret", "..%2Fsecret", "%2e%2e%2fsecret", ".hidden", "a b", "x" * 65, "a/b",
     "-dash", "secret.yaml/..", "~root"],
)  # fmt: skip
def test_names_cannot_escape_the_data_directory(client: Any, settings: Any, name: str) -> None:
    secret = settings.home / "secret.yaml"
    secret.write_text("name: secret\n", encoding="utf-8")
    for url in (f"/api/scenarios/user/{name}", f"/api/scenarios/bundled/{name}",
                f"/scenarios/user/{name}"):  # fmt: skip
        r = client.get(url)
        assert "name: secret" not in r.text, url
        if r.request.url.path.rstrip("/").endswith(name.split("/")[-1]):  # not normalised away
            assert r.status_code in (400, 404), url
    r = client.put(
        f"/api/scenarios/user/{name}", json={"text": one_battery_text()}, headers=HEADERS
    )
    assert r.status_code in (400, 404, 405)
    assert sorted(p.name for p in settings.home.iterdir()) == sorted(
        ["secret.yaml", "scenarios", "reports", "runs.duckdb", "runs.duckdb.lock"]
    )
    assert list((settings.home / "scenarios").iterdir()) == []


def test_unknown_source_is_refused(client: Any) -> None:
    assert client.get("/api/scenarios/etc/passwd").status_code == 400


def test_save_and_upload_user_scenarios(client: Any, settings: Any) -> None:
    text = one_battery_text()
    r = client.put("/api/scenarios/user/my-raid", json={"text": text}, headers=HEADERS)
    assert r.status_code == 200 and r.json() == {"ok": True, "source": "user", "name": "my-raid"}
    assert (settings.home / "scenarios" / "my-raid.yaml").read_text(encoding="utf-8") == text
    # invalid scenarios are not saved
    bad = text.replace("count: 40", "count: -5")
    r = client.put("/api/scenarios/user/broken", json={"text": bad}, headers=HEADERS)
    assert r.status_code == 422 and r.json()["problems"][0]["line"] == 23
    assert not (settings.home / "scenarios" / "broken.yaml").exists()
    # bundled scenarios are read-only
    assert (
        client.put(
            "/api/scenarios/bundled/one-battery", json={"text": text}, headers=HEADERS
        ).status_code
        == 405
    )
    # uploads keep only the file's base name
    files = {"file": ("../../escape.yaml", text.encode(), "application/x-yaml")}
    r = client.post("/api/scenarios/upload", files=files, headers=HEADERS)
    assert r.status_code == 200 and r.json()["name"] == "escape"
    assert (settings.home / "scenarios" / "escape.yaml").exists()
    assert not (settings.home.parent / "escape.yaml").exists()
    files = {"file": ("bad name.yaml", text.encode(), "application/x-yaml")}
    assert client.post("/api/scenarios/upload", files=files, headers=HEADERS).status_code == 400
    files = {"file": ("bin.yaml", b"\xff\xfe\x00", "application/x-yaml")}
    assert client.post("/api/scenarios/upload", files=files, headers=HEADERS).status_code == 400
    names = {(s["source"], s["name"]) for s in client.get("/api/scenarios").json()}
    assert {("user", "my-raid"), ("user", "escape")} <= names
    assert client.delete("/api/scenarios/user/escape", headers=HEADERS).json() == {"deleted": True}


# ---- runs -----------------------------------------------------------------------------------
def test_run_lifecycle(client: Any, app: Any) -> None:
    r = client.post(
        "/api/runs", json={"text": one_battery_text(), "reps": 12, "seed": 5}, headers=HEADERS
    )
    assert r.status_code == 202
    run_id = r.json()["id"]
    wait_done(app, run_id)
    rec = client.get(f"/api/runs/{run_id}").json()
    assert rec["status"] == "done" and rec["error"] is None
    assert rec["progress"]["done"] == rec["progress"]["total"] == 12
    assert rec["summary"]["seed"] == 5 and rec["summary"]["reps"] == 12
    assert rec["scenario_name"] == "one-battery"
    rep = client.get(f"/runs/{run_id}/report")
    assert rep.status_code == 200 and "AirShield raid report" in rep.text
    assert "unsafe-inline" in rep.headers["content-security-policy"]
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200 and f"/runs/{run_id}/report" in page.text
    assert client.get("/").text.count(f'data-run="{run_id}"') == 1
    assert client.get("/api/runs/9999").status_code == 404
    assert client.get("/runs/9999/report").status_code == 404


def test_invalid_scenario_never_reaches_the_history(client: Any) -> None:
    bad = one_battery_text().replace("count: 40", "count: -5")
    r = client.post("/api/runs", json={"text": bad, "reps": 5}, headers=HEADERS)
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "waves[0].count"
    assert client.get("/api/runs").json() == []


def test_failed_run_shows_error_and_keeps_history(
    client: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = one_battery_text()
    ok = client.post("/api/runs", json={"text": text, "reps": 5}, headers=HEADERS).json()["id"]
    wait_done(app, ok)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine exploded on purpose")

    monkeypatch.setattr("airshield.raid.simulate", boom)
    bad = client.post("/api/runs", json={"text": text, "reps": 5}, headers=HEADERS).json()["id"]
    wait_done(app, bad)
    rec = client.get(f"/api/runs/{bad}").json()
    assert rec["status"] == "failed"
    assert rec["error"].startswith("RuntimeError: engine exploded on purpose")
    assert "engine exploded on purpose" in client.get(f"/runs/{bad}").text
    assert client.get(f"/runs/{bad}/report").status_code == 404
    runs = {r["id"]: r["status"] for r in client.get("/api/runs").json()}
    assert runs == {ok: "done", bad: "failed"}


def test_concurrent_runs_and_busy_limit(
    client: Any, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airshield.raid

    real = airshield.raid.simulate
    gate = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        gate.wait(timeout=60)
        return real(*args, **kwargs)

    monkeypatch.setattr("airshield.raid.simulate", slow)
    text = one_battery_text()
    ids = [
        client.post("/api/runs", json={"text": text, "reps": 4, "seed": s}, headers=HEADERS)
        for s in (1, 2)
    ]
    assert [r.status_code for r in ids] == [202, 202]
    busy = client.post("/api/runs", json={"text": text, "reps": 4}, headers=HEADERS)
    assert busy.status_code == 429
    running = client.get("/api/runs").json()
    assert {r["status"] for r in running} == {"running"}
    gate.set()
    for r in ids:
        wait_done(app, r.json()["id"])
    runs = client.get("/api/runs").json()
    assert sorted((r["seed"], r["status"]) for r in runs) == [(1, "done"), (2, "done")]
    assert all(Path(r["report_path"]).is_file() for r in runs)


def test_compare_page(client: Any, app: Any) -> None:
    text = one_battery_text()
    a = client.post("/api/runs", json={"text": text, "reps": 6, "seed": 1}, headers=HEADERS)
    b = client.post(
        "/api/runs",
        json={"text": text.replace("stock: 12", "stock: 2"), "reps": 6, "seed": 1},
        headers=HEADERS,
    )
    ia, ib = a.json()["id"], b.json()["id"]
    wait_done(app, ia)
    wait_done(app, ib)
    r = client.get(f"/compare?a={ia}&b={ib}")
    assert r.status_code == 200
    assert "harmful leakers" in r.text and f"run #{ia}" in r.text and f"run #{ib}" in r.text
    assert r.text.count('class="report-frame"') == 2
    assert client.get(f"/compare?a={ia}&b=999").status_code == 404
    for q in ("", f"?a={ia}"):  # without two runs: a page that says how to choose them
        r = client.get(f"/compare{q}")
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
        assert "Choose two runs" in r.text


def test_stale_runs_are_marked_interrupted_at_start(settings: Any) -> None:
    import subprocess
    import sys

    from airshield.web.app import create_app

    settings.home.mkdir(parents=True)
    # a run left 'running' by a process that is gone (its lease died with it)
    code = (
        "import sys; from airshield.store import RunStore; "
        "s = RunStore(sys.argv[1]); "
        "print(s.create_run(scenario_name='x', scenario_hash='h', seed=0, reps=1))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(settings.home / "runs.duckdb")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rid = int(out.stdout)
    application = create_app(settings)
    try:
        rec = application.state.store.get(rid)
        assert rec is not None and rec.status == "interrupted"
        assert "interrupted" in (rec.error or "")
    finally:
        application.state.runner.shutdown()


def test_serve_refuses_a_network_address_without_allow_remote() -> None:
    from typer.testing import CliRunner

    from airshield.cli import app

    res = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8999"])
    assert res.exit_code == 2
    assert "--allow-remote" in res.output


def test_loopback_detection() -> None:
    from airshield.cli.web import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    assert not is_loopback("example.com")
