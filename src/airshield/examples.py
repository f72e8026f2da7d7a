"""Bundled example files (the repository's ``examples/`` folder).

In a wheel they are shipped as ``airshield/_examples``; in a source checkout they are read from
``examples/`` directly, so both ways of installing see the same files. Every command that reads a
scenario, campaign, allocation, sweep or bulletin file also accepts a bundled example's bare name
(``airshield run kyiv-2025-07-04``): a path that does not exist and has no folder part is looked
up here (:func:`resolve_example`). ``airshield examples list`` / ``copy`` use the same functions.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

DEFAULT_SCENARIO = "kyiv-2025-07-04"
SUFFIXES = (".yaml", ".yml", ".txt", ".py")


@dataclass(frozen=True)
class Example:
    """One bundled example file: its name (file stem), kind and one-line description."""

    name: str
    file: str
    kind: str
    description: str
    path: Path


_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def examples_dir() -> Path:
    """The folder holding the bundled example files."""
    packaged = resources.files("airshield").joinpath("_examples")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples"


def list_examples(suffix: str = ".yaml") -> list[str]:
    """Names (without suffix) of the bundled example files."""
    return sorted(p.stem for p in examples_dir().glob(f"*{suffix}"))


def _kind_and_description(p: Path) -> tuple[str, str]:
    if p.suffix == ".py":
        import ast

        try:
            doc = ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or ""
        except SyntaxError:
            doc = ""
        return "python script", " ".join(doc.split("\n\n")[0].split())
    if p.suffix == ".txt":
        return "text", "a bulletin to parse (airshield bulletin parse)"
    try:
        # libyaml's parser where installed: listing reads every bundled file, and the pure-Python
        # parser costs about 0.15 s of CPU per laydown-sized file
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return "yaml", ""
    if not isinstance(data, dict):
        return "yaml", ""
    if "parameters" in data and "base" in data:
        kind = "sweep"
    elif "regions" in data:
        kind = "allocation"
    elif "options" in data and "budget_usd" in data:
        kind = "procurement"
    elif "raid" in data and ("attacker" in data or "defender" in data):
        kind = "campaign"
    elif "sites" in data and "scenario" in data:
        kind = "laydown"
    elif "attack" in data and "waves" in data:
        kind = "plan space"
    else:
        kind = "scenario"
    desc = " ".join(str(data.get("description", "")).split())
    return kind, desc


def bundled_examples() -> list[Example]:
    """Every bundled example file, sorted by name."""
    out = []
    for p in sorted(examples_dir().iterdir()):
        if p.suffix in SUFFIXES and p.is_file():
            kind, desc = _kind_and_description(p)
            out.append(Example(p.stem, p.name, kind, desc, p))
    return out


def example_path(name: str) -> Path:
    """Path of a bundled example by name (``kyiv-2025-07-04`` or ``kyiv-2025-07-04.yaml``)."""
    d = examples_dir()
    p = d / name
    if not (p.suffix in SUFFIXES and p.is_file()):
        p = next((d / f"{name}{s}" for s in SUFFIXES if (d / f"{name}{s}").is_file()), p)
    if not p.is_file():
        have = ", ".join(e.name for e in bundled_examples())
        raise FileNotFoundError(2, f"no bundled example {name!r}; have {have}", str(p))
    return p


def resolve_example(path: str | Path) -> Path:
    """``path`` itself when it exists or names a folder; otherwise the bundled example of that
    name when there is one (``kyiv-2025-07-04``, ``one-battery.yaml``); otherwise ``path``
    unchanged, so that the caller's own "file not found" error names what the user typed."""
    p = Path(path)
    if p.exists() or len(p.parts) != 1:
        return p
    try:
        return example_path(p.name)
    except FileNotFoundError:
        return p


def copy_example(name: str, dest: str | Path) -> list[Path]:
    """Copy a bundled example into folder ``dest`` (created if needed), with the files it refers
    to (a campaign's raid templates, a sweep's base scenario), so the copy runs on its own.
    ``name`` ``all`` copies every example. Existing files are not overwritten: raises
    :class:`FileExistsError` naming the first. Returns the files written."""
    d = Path(dest)
    srcs = [e.path for e in bundled_examples()] if name == "all" else [example_path(name)]
    todo: list[Path] = []
    for s in srcs:
        for f in [s, *_referenced(s)]:
            if f not in todo:
                todo.append(f)
    for f in todo:
        if (d / f.name).exists():
            raise FileExistsError(17, "file exists (not overwritten)", str(d / f.name))
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for f in todo:
        shutil.copy2(f, d / f.name)
        out.append(d / f.name)
    return out


def _referenced(p: Path, seen: frozenset[Path] = frozenset()) -> list[Path]:
    """Bundled files that example ``p`` names (any string value equal to a sibling's file name),
    recursively."""
    if p.suffix not in (".yaml", ".yml") or p in seen:
        return []
    names = {f.name: f for f in examples_dir().iterdir() if f.is_file() and f != p}
    found: list[Path] = []

    def walk(v: object) -> None:
        if isinstance(v, str) and Path(v).name in names and names[Path(v).name] not in found:
            found.append(names[Path(v).name])
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    try:
        walk(yaml.safe_load(p.read_text(encoding="utf-8")))
    except yaml.YAMLError:
        return []
    out = list(found)
    for f in found:
        out += [g for g in _referenced(f, seen | {p}) if g not in out and g != p]
    return out
