"""The documentation site builds with warnings as errors, with every tutorial executed and its
figures embedded, the gallery drawn and the references generated (``mkdocs build --strict``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.docs, pytest.mark.timeout(3600)]
ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("[0-9][0-9]-*.py"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs must be installed in CI (the docs extra)", pytrace=False)
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "AIRSHIELD_TUTORIAL_REPS": "20", "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=3000,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    return out


def test_six_numbered_tutorials_exist() -> None:
    assert [p.name[:2] for p in TUTORIALS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("script", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_page_has_its_executed_figures(site: Path, script: Path) -> None:
    page = (site / "tutorials" / script.stem / "index.html").read_text(encoding="utf-8")
    assert "Executed when this site was built" in page
    assert "Traceback" not in page
    # every figure a tutorial shows is embedded as a plotly div drawn by the vendored plotly.js
    assert re.search(r'id="tutorial-figure-\d+"', page), script.name
    assert "Plotly.newPlot" in page
    assert (site / "tutorials" / script.name).is_file()  # the script is downloadable


def test_gallery_has_a_picture_per_yaml_example(site: Path) -> None:
    from airshield.examples import bundled_examples

    page = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    yamls = [e for e in bundled_examples() if e.path.suffix in (".yaml", ".yml")]
    assert page.count('class="airshield-figure"') == len(yamls)
    for e in bundled_examples():
        assert f'id="{e.name}"' in page


def test_references_are_generated(site: Path) -> None:
    for name, field in (
        ("scenario", "max_shots_per_threat"),
        ("campaign", "diversions"),
        ("sweep", "parameters"),
        ("allocation", "regions"),
    ):
        assert field in (site / "reference" / name / "index.html").read_text(encoding="utf-8")
    cli = (site / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "airshield examples copy" in cli and "--out" in cli and "130" in cli
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "RaidResult" in api and "totals_frame" in api
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "plot.ly" not in (site / "index.html").read_text(encoding="utf-8")  # no CDN
