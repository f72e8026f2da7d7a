"""The README's commands from a built wheel in a fresh virtual environment, outside the checkout.

The wheel is built from this checkout (``pip wheel``: hatchling from the package index or pip's
cache, nothing else from the network), installed without dependencies into a fresh venv whose
dependencies come from the running environment (a ``.pth`` line naming its site-packages, so the
checkout's editable install is *not* seen), and the README's commands run from an empty folder
against the bundled examples by bare name. Commands that need the public attack record (not
shipped) run on a small generated record instead.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=900,
    )
    wheel = next(dist.glob("airshield-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    # the running environment's packages (numpy, numba, plotly, ...) but not its airshield
    deps = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    (purelib / "_airshield_test_deps.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
         str(wheel)],
        check=True, timeout=600,
    )  # fmt: skip
    work = tmp / "work"
    work.mkdir()
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        AIRSHIELD_HOME=str(tmp / "home"),
        XDG_CACHE_HOME=str(tmp / "cache"),
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
    )
    return {"wheel": wheel, "venv": venv, "py": py, "work": work, "env": env, "tmp": tmp}


def sh(inst: dict[str, Any], *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    exe = inst["venv"] / "bin" / args[0]
    r = subprocess.run(
        [str(exe), *args[1:]], cwd=inst["work"], env=inst["env"], capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    assert r.returncode == 0, (
        f"{' '.join(args)} -> {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    )
    assert "Traceback" not in r.stderr
    return r


def test_wheel_ships_license_examples_and_data(installed: dict[str, Any]) -> None:
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names[-10:]
    assert "airshield/_examples/kyiv-2025-07-04.yaml" in names
    assert "airshield/report/data/outlines.json" in names
    text = zipfile.ZipFile(installed["wheel"]).read(
        next(n for n in names if n.endswith("licenses/LICENSE"))
    )
    assert b"Apache License" in text and b"Version 2.0" in text


def test_the_installed_package_is_the_wheel(installed: dict[str, Any]) -> None:
    r = sh(installed, "python", "-c", "import airshield; print(airshield.__file__)")
    assert Path(r.stdout.strip()).is_relative_to(installed["venv"]), r.stdout
    from airshield import __version__

    assert sh(installed, "airshield", "--version").stdout.strip() == f"airshield {__version__}"
    assert __version__ in sh(installed, "python", "-m", "airshield", "--version").stdout


def test_readme_commands_against_bundled_examples(installed: dict[str, Any]) -> None:
    work: Path = installed["work"]
    listing = json.loads(sh(installed, "airshield", "examples", "list", "--json").stdout)
    assert {"kyiv-2025-07-04", "one-battery", "campaign-regions"} <= {e["name"] for e in listing}
    sh(installed, "airshield", "examples", "copy", "one-battery", "mine")
    assert (work / "mine" / "one-battery.yaml").is_file()
    sh(installed, "airshield", "catalog")
    sh(installed, "airshield", "catalog", "--sources")
    sh(installed, "airshield", "validate", "one-battery")
    sh(installed, "airshield", "validate", "mine/one-battery.yaml")
    r = sh(
        installed, "airshield", "run", "kyiv-2025-07-04", "--reps", "20", "--seed", "7",
        "--workers", "2", "--out", "results.parquet", "--report", "raid.html",
    )  # fmt: skip
    assert "harmful leakers" in r.stdout
    assert (work / "raid.html").stat().st_size > 1_000_000
    summary = json.loads(
        sh(installed, "airshield", "run", "one-battery", "--reps", "50", "--json").stdout
    )
    assert summary["reps"] == 50
    assert "exact" in sh(installed, "airshield", "wta", "--list").stdout
    sh(
        installed, "airshield", "campaign", "run", "campaign-summer-2025", "--mode", "fast",
        "--reps", "20", "--seed", "1", "--out", "ledger.parquet", "--report", "campaign.html",
    )  # fmt: skip
    assert (work / "campaign.html").is_file()
    r = sh(
        installed, "airshield", "campaign", "compare", "campaign-year-2025",
        "campaign-year-2025-diverted", "--reps", "10",
    )  # fmt: skip
    assert "never" in r.stdout and "$-" not in r.stdout
    sh(installed, "airshield", "campaign", "allocate", "campaign-regions", "--reps", "8")
    sh(installed, "airshield", "sweep", "run", "sweep-one-battery", "--out", "sweep-out")
    sh(installed, "airshield", "sweep", "report", "sweep-out", "--out", "sweep.html")
    assert "Content-Security-Policy" in (work / "sweep.html").read_text(encoding="utf-8")
    claims = json.loads(
        sh(installed, "airshield", "bulletin", "parse", "bulletin", "--json").stdout
    )
    assert claims
    sh(installed, "airshield", "scenario", "from-bulletin", "bulletin")


def test_record_commands_on_a_generated_record(installed: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from history.attack_rows import ROWS, to_csv
    finally:
        sys.path.pop(0)
    csv = installed["work"] / "daily.csv"
    csv.write_text(to_csv(ROWS), encoding="utf-8")
    sh(installed, "airshield", "history", "stats", str(csv))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.browser
def test_wheel_installed_app_in_chromium(installed: dict[str, Any], page: Any, watch: Any) -> None:
    """`airshield serve` from the wheel: the app loads, lists the bundled scenarios, runs one and
    shows its report whole, with no external request and no console error."""
    port = _free_port()
    log_path = installed["tmp"] / "serve.log"
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [str(installed["venv"] / "bin" / "airshield"), "serve", "--port", str(port)],
        cwd=installed["work"], env=installed["env"], stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(base + "/api/scenarios", timeout=2) as resp:
                    scenarios = json.loads(resp.read())
                break
            except OSError:
                time.sleep(0.5)
        else:
            proc.kill()
            proc.wait(timeout=30)
            log.flush()
            pytest.fail(f"the app did not start:\n{log_path.read_text(encoding='utf-8')}")
        assert {"kyiv-2025-07-04", "one-battery"} <= {s["name"] for s in scenarios}
        w = watch(page, base)
        page.goto(base + "/", wait_until="load")
        assert page.locator("a.scenario-link", has_text="one-battery").count() == 1
        page.goto(base + "/scenarios/bundled/one-battery", wait_until="load")
        page.fill("#reps", "30")
        page.click("#run-btn")
        page.wait_for_selector("#report-link[href^='/runs/']", state="attached", timeout=600_000)
        frame = page.frame_locator("#report-frame")
        frame.locator("#map-figure .geo").wait_for(timeout=120_000)
        page.wait_for_timeout(1500)
        # the frame is as tall as the report: nothing is cut off
        heights = page.evaluate(
            "() => { const f = document.getElementById('report-frame');"
            " return [f.getBoundingClientRect().height,"
            " f.contentDocument.documentElement.scrollHeight]; }"
        )
        assert heights[0] >= heights[1], heights
        w.assert_clean()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log.close()
