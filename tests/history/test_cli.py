from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airshield.cli import app

runner = CliRunner()

LAYDOWN = """\
name: test-laydown
notional: true
assets:
  - {name: kyiv, lat: 50.45, lon: 30.52, value_usd: 1.0e10, radius_km: 5}
  - {name: odesa, lat: 46.48, lon: 30.72, value_usd: 5.0e9, radius_km: 5}
sensors:
  - {kind: coverage, name: net, p_detect: 0.9, p_discriminate_decoy: 0.3}
fire_units:
  - {kind: ring, name: mr, effector: nasams-irist, around: kyiv, count: 2, radius_km: 15, pool: mr}
  - {kind: ring, name: ew, effector: ew-jammer, around: kyiv, count: 2, radius_km: 10}
pools:
  - {name: mr, effector: nasams-irist, stock: 24}
launch_sites:
  - {name: north, lat: 52.0, lon: 33.0}
waves:
  - {name: shahed, threat: shahed-136, count: 60, launch_site: north, launch_end_s: 3600,
     targets: {kyiv: 2, odesa: 1}}
  - {name: decoys, threat: gerbera, count: 40, launch_site: north, launch_end_s: 3600,
     targets: {kyiv: 1}}
  - {name: cruise, threat: kh-101, count: 3, launch_site: north, launch_start_s: 3600,
     launch_end_s: 3700, targets: {kyiv: 1}}
"""


def test_history_import_and_stats(daily_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "tidy.parquet"
    r = runner.invoke(app, ["history", "import", str(daily_csv), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["rows_in"] == 12 and summary["rows_out"] == 13
    assert summary["unknown_models"] == {"Zircon-7": 1}
    assert out.exists()
    for src in (daily_csv, out):
        r = runner.invoke(app, ["history", "stats", str(src), "--json"])
        assert r.exit_code == 0, r.output
        data = json.loads(r.stdout)
        assert isinstance(data, list)
        rec = next(d for d in data if d["month"] == "2024-08" and d["kind"] == "drone")
        assert {k: rec[k] for k in ("launched", "destroyed", "lost")} == {
            "launched": 100,
            "destroyed": 60,
            "lost": 30,
        }
    r = runner.invoke(app, ["history", "stats", str(daily_csv)])
    assert r.exit_code == 0 and "largest" in r.stdout


def test_history_bad_input_exit_2(make_csv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from history.attack_rows import row

    bad = make_csv(
        [
            row(
                time_start="yesterday",
                time_end="2024-01-01",
                model="ZALA",
                launched="1.0",
                destroyed="1.0",
            )
        ]
    )
    from airshield.cli import main

    with pytest.raises(SystemExit) as e:
        import sys

        argv = sys.argv
        sys.argv = ["airshield", "history", "import", str(bad), "--out", str(tmp_path / "o.pq")]
        try:
            main()
        finally:
            sys.argv = argv
    assert e.value.code == 2


def test_bulletin_parse_stdin_json() -> None:
    text = "Russia launched 120 drones and 4 missiles at Kyiv overnight, the air force said.\n"
    r = runner.invoke(app, ["bulletin", "parse", "-", "--json", "--date", "2025-03-01"], input=text)
    assert r.exit_code == 0, r.output
    claims = json.loads(r.stdout)
    assert claims[0]["launched"] == {"drone": 120, "missile": 4}
    assert claims[0]["date"] == "2025-03-01" and claims[0]["target"] == "Kyiv"
    r = runner.invoke(app, ["bulletin", "parse", "-"], input=text)
    assert r.exit_code == 0 and "launched: 120 drone" in r.stdout


def test_bulletin_bad_date_option() -> None:
    r = runner.invoke(app, ["bulletin", "parse", "-", "--date", "04/07/2025"], input="x")
    assert r.exit_code != 0


def test_scenario_from_bulletin(tmp_path: Path) -> None:
    lay = tmp_path / "laydown.yaml"
    lay.write_text(LAYDOWN, encoding="utf-8")
    text = tmp_path / "b.txt"
    text.write_text(
        "Russia attacked Kyiv with 50 drones and 2 cruise missiles overnight.", encoding="utf-8"
    )
    out = tmp_path / "sc.yaml"
    r = runner.invoke(
        app, ["scenario", "from-bulletin", str(text), "--laydown", str(lay), "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    import airshield

    sc = airshield.load_scenario(str(out))
    counts = {w.name: w.count for w in sc.waves}
    assert counts == {"shahed": 30, "decoys": 20, "cruise": 2}
    assert all(w.main_direction is not None and w.main_direction.asset == "kyiv" for w in sc.waves)


def _airshield(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_bulletin_parse_ukrainian_subprocess() -> None:
    text = (
        "У ніч на 9 липня (з 18:00 8 липня) противник атакував 61 засобом повітряного нападу: "
        "49 ударними БпЛА типу Shahed та 12 ракетами (8 крилатими ракетами Х-101 та 4 "
        "балістичними ракетами Іскандер-М).\n\nСтаном на 09:00 збито/подавлено 55 цілей: 45 "
        "БпЛА та 10 ракет. Ще 3 дрони-імітатори локаційно втрачені. Противник атакував "
        "десятками дронів.\n"
    )
    r = _airshield("bulletin", "parse", "-", "--json", "--date", "2031-07-09", stdin=text)
    assert r.returncode == 0, r.stderr
    claims = json.loads(r.stdout)  # exactly one JSON document on stdout
    first = claims[0]
    assert first["launched"] == {"drone": 49, "cruise_missile": 8, "ballistic_missile": 4}
    assert first["launched_total"] == 61
    assert first["destroyed"] == {"drone": 45, "missile": 10}
    assert first["lost"] == {"decoy": 3}
    assert first["date"] == "2031-07-09" and first["night_of"] == "2031-07-08"
    assert first["window"] == {"start": "18:00", "as_of": "09:00"}
    assert any(u["reason"].startswith("quantity") for c in claims for u in c["unclassified"])
    r = _airshield("bulletin", "parse", "-", stdin=text)
    assert r.returncode == 0 and "unread" in r.stdout


def test_history_stats_clustered_subprocess(daily_csv: Path) -> None:
    r = _airshield("history", "stats", str(daily_csv), "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    with_fraction = [x for x in rows if x["fraction"] is not None]
    assert with_fraction
    for x in with_fraction:
        assert x["deff"] >= 1.0
        assert x["ci_low"] <= x["binom_low"] + 1e-9 and x["ci_high"] >= x["binom_high"] - 1e-9
