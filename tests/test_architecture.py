"""The layer rules of docs/about/architecture.md hold: import-linter checks the contracts in
pyproject.toml (``[tool.importlinter]``), and a planted violation is caught."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "airshield"


def lint(pythonpath: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    code = (
        "import sys\n"
        "from importlinter.cli import lint_imports\n"
        "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def test_the_layer_contracts_are_kept() -> None:
    res = lint(ROOT / "src", ROOT)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "0 broken" in res.stdout


def test_a_layer_importing_the_cli_is_caught(tmp_path: Path) -> None:
    """The contracts are not blind: the scenario layer importing the CLI (even lazily, inside a
    function) breaks two of them."""
    shutil.copytree(
        SRC, tmp_path / "src" / "airshield", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "airshield" / "scenario" / "yamlio.py"
    target.write_text(
        target.read_text() + "\n\ndef _planted() -> None:\n    import airshield.cli.kit\n"
    )
    res = lint(tmp_path / "src", tmp_path)
    assert res.returncode == 1, res.stdout[-4000:]
    assert "airshield.scenario.yamlio -> airshield.cli.kit" in res.stdout
    assert "No layer package imports the command line BROKEN" in res.stdout
    assert "Layers: a folder imports only the folders below it BROKEN" in res.stdout
