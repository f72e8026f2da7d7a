"""Bundled example scenarios (the YAML files of the repository's ``examples/`` folder).

In a wheel they are shipped as ``airshield/_examples``; in a source checkout they are read from
``examples/`` directly, so both ways of installing see the same files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_SCENARIO = "kyiv-2025-07-04"


def examples_dir() -> Path:
    """The folder holding the bundled example files."""
    packaged = resources.files("airshield").joinpath("_examples")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples"


def list_examples(suffix: str = ".yaml") -> list[str]:
    """Names (without suffix) of the bundled example files."""
    return sorted(p.stem for p in examples_dir().glob(f"*{suffix}"))


def example_path(name: str) -> Path:
    """Path of a bundled example by name (``kyiv-2025-07-04`` or ``kyiv-2025-07-04.yaml``)."""
    p = examples_dir() / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if not p.exists():
        raise FileNotFoundError(2, f"no bundled example {name!r}; have {list_examples()}", str(p))
    return p
