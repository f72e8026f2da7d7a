"""The scenario library of the web app: bundled examples (read-only) and user scenarios.

User scenarios are YAML files in ``<home>/scenarios``. Names are checked against a strict
pattern and every path is resolved and checked to stay inside its folder, so no name can reach a
file elsewhere (``..``, absolute paths, links, odd characters are all refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from airshield.examples import examples_dir

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SOURCES = ("bundled", "user")


class ScenarioNameError(ValueError):
    """A scenario name or source that is not allowed."""


@dataclass(frozen=True)
class ScenarioRef:
    source: str
    name: str
    path: Path

    @property
    def editable(self) -> bool:
        return self.source == "user"


def check_name(name: str) -> str:
    """Return ``name`` (without a ``.yaml`` suffix) if it is a safe scenario name."""
    if name.endswith((".yaml", ".yml")):
        name = name.rsplit(".", 1)[0]
    if not NAME_RE.fullmatch(name) or ".." in name:
        raise ScenarioNameError(
            "scenario names are 1-64 characters: letters, digits, '.', '_' and '-', starting "
            "with a letter or digit"
        )
    return name


class ScenarioLibrary:
    """Bundled and user scenarios; user files live in ``user_dir``."""

    def __init__(self, user_dir: Path, bundled_dir: Path | None = None) -> None:
        self.user_dir = user_dir
        self.bundled_dir = bundled_dir if bundled_dir is not None else examples_dir()
        self.user_dir.mkdir(parents=True, exist_ok=True)

    def _root(self, source: str) -> Path:
        if source == "bundled":
            return self.bundled_dir
        if source == "user":
            return self.user_dir
        raise ScenarioNameError(
            f"unknown scenario source {source!r}; expected one of {list(SOURCES)}"
        )

    def ref(self, source: str, name: str) -> ScenarioRef:
        """The scenario's path, guaranteed to lie inside its folder."""
        root = self._root(source).resolve()
        name = check_name(name)
        path = (root / f"{name}.yaml").resolve()
        if not path.is_relative_to(root) or path.parent != root:
            raise ScenarioNameError("scenario path escapes its folder")
        return ScenarioRef(source, name, path)

    def list(self) -> list[ScenarioRef]:
        out: list[ScenarioRef] = []
        for source in SOURCES:
            root = self._root(source)
            if not root.is_dir():
                continue
            for p in sorted(root.glob("*.yaml")):
                if not NAME_RE.fullmatch(p.stem) or p.is_symlink():
                    continue
                if source == "bundled" and not _is_raid_scenario(p):
                    continue  # campaign and sweep specs are not raid scenarios
                out.append(ScenarioRef(source, p.stem, p))
        return out

    def read(self, source: str, name: str) -> str:
        ref = self.ref(source, name)
        if not ref.path.is_file() or ref.path.is_symlink():
            raise FileNotFoundError(f"no {source} scenario {ref.name!r}")
        return ref.path.read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> ScenarioRef:
        """Save a user scenario (bundled ones are read-only)."""
        ref = self.ref("user", name)
        if ref.path.is_symlink():
            raise ScenarioNameError("scenario path is a link")
        tmp = ref.path.with_name(f".{ref.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(ref.path)
        return ref

    def delete(self, name: str) -> bool:
        ref = self.ref("user", name)
        if ref.path.is_file():
            ref.path.unlink()
            return True
        return False


def _is_raid_scenario(path: Path) -> bool:
    """A bundled example is a raid scenario if it has the raid's top-level sections."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    # a plan-space scenario (with an ``attack:`` section) is for ``airshield attack``
    return (
        isinstance(data, dict)
        and {"assets", "waves", "launch_sites"} <= set(data)
        and "attack" not in data
    )
