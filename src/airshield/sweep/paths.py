"""Parameter paths: parse, resolve against the base scenario's data, and apply to a copy.

A path addresses the parsed YAML of the base scenario::

    doctrine.cost_threshold        a field of a mapping (created if the base leaves it default)
    waves[drones].count            a list item by its ``name`` ...
    waves[0].count                 ... or by its index
    waves[drones].targets.city     a key of a free-form mapping (asset weights)

Resolution walks the pydantic models of :class:`~airshield.scenario.Scenario` alongside the
data, so a misspelt field is reported with the fields that exist there, a missing list item
with the names that exist, and a path that stops on a mapping or a list is refused.

Derived parameters change several fields at once:

- ``raid.scale``: every wave's count times the value (rounded half up);
- ``raid.size``: the total number of threats; wave counts are scaled to it in proportion
  (largest remainder, so the counts add up exactly);
- ``raid.decoy_share``: the share of decoys among drones plus decoys, keeping that total; decoy
  waves and drone waves keep their proportions among themselves.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass
from inspect import isclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from airshield.scenario import Scenario

Step = str | int

DERIVED = {
    "raid.scale": "multiply every wave's count (float >= 0)",
    "raid.size": "total threats, waves scaled in proportion (integer >= 0)",
    "raid.decoy_share": "share of decoys among drones + decoys (0..1)",
}


class PathError(ValueError):
    """A parameter path that cannot be resolved against the base scenario."""


@dataclass(frozen=True)
class Selector:
    """``[name]`` or ``[index]`` in a path."""

    key: str | int


@dataclass(frozen=True)
class ResolvedPath:
    """A parameter path resolved against the base data.

    ``steps`` are concrete mapping keys and list indices (names already looked up);
    ``derived`` names a derived parameter instead. ``integer`` tells whether values must be
    whole numbers; ``base_value`` is the value in the base (or the model default).
    """

    text: str
    steps: tuple[Step, ...]
    derived: str | None
    integer: bool
    kind: str  # 'int' | 'float' | 'bool' | 'str' | 'any'
    base_value: Any
    target: str = "base"  # 'base' or, for a campaign, 'template' (its raid template)

    @property
    def field(self) -> str:
        """The concrete location, e.g. ``waves[0].count`` (or the derived name)."""
        if self.derived is not None:
            return self.derived
        out = ""
        for s in self.steps:
            out += f"[{s}]" if isinstance(s, int) else (("." if out else "") + s)
        return f"template.{out}" if self.target == "template" else out


_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[([^\[\]]*)\]")


def parse_path(text: str) -> list[str | Selector]:
    """``waves[drones].count`` -> ``['waves', Selector('drones'), 'count']``."""
    parts: list[str | Selector] = []
    pos = 0
    text = text.strip()
    if not text:
        raise PathError("empty path")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or (m.group(1) is not None and pos > 0 and text[pos] != "."):
            raise PathError(f"cannot parse {text!r} at character {pos + 1}")
        if m.group(1) is not None:
            if pos == 0 and text[0] == ".":
                raise PathError(f"cannot parse {text!r}: leading '.'")
            parts.append(m.group(1).strip())
        else:
            sel = m.group(2).strip()
            if not sel:
                raise PathError(f"empty [] in {text!r}")
            if not parts:
                raise PathError(f"{text!r} must start with a field name")
            parts.append(Selector(int(sel) if re.fullmatch(r"-?\d+", sel) else sel))
        pos = m.end()
    return parts


# ---- walking pydantic annotations alongside the data -----------------------------------------
def _strip(ann: Any) -> Any:
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    return ann


def _is_union(ann: Any) -> bool:
    return get_origin(ann) in (Union, types.UnionType)


def _kind_literals(model: type[BaseModel]) -> tuple[Any, ...]:
    f = model.model_fields.get("kind")
    if f is None:
        return ()
    return get_args(f.annotation) if get_origin(f.annotation) is Literal else ()


def _unwrap(ann: Any, data: Any) -> Any:
    """Strip Annotated/Optional; pick the member of a ``kind:`` union that ``data`` selects."""
    for _ in range(16):
        ann = _strip(ann)
        if not _is_union(ann):
            return ann
        args = [_strip(a) for a in get_args(ann) if a is not type(None)]
        if len(args) == 1:
            ann = args[0]
            continue
        models = [a for a in args if isclass(a) and issubclass(a, BaseModel)]
        if models and len(models) == len(args):
            kind = data.get("kind") if isinstance(data, dict) else None
            for m in models:
                if kind in _kind_literals(m):
                    return m
            return None
        return ann
    return ann  # pragma: no cover - deeply nested annotations do not occur


def _scalar_kind(ann: Any) -> str | None:
    if ann is bool:
        return "bool"
    if ann is int:
        return "int"
    if ann is float:
        return "float"
    if ann is str:
        return "str"
    if get_origin(ann) is Literal:
        return "str"
    if _is_union(ann):
        kinds = {_scalar_kind(_strip(a)) for a in get_args(ann) if a is not type(None)}
        if kinds <= {"int", "float"}:
            return "float"
        return "any" if None not in kinds else None
    return None


def _describe(ann: Any) -> str:
    if isclass(ann) and issubclass(ann, BaseModel):
        return "a mapping"
    if get_origin(ann) is list:
        return "a list"
    if get_origin(ann) is dict:
        return "a mapping"
    return "a value"


def _default(model: type[BaseModel], key: str) -> Any:
    f = model.model_fields[key]
    if f.default is not PydanticUndefined:
        return f.default
    if f.default_factory is not None:
        return f.default_factory()  # type: ignore[call-arg]
    return None


def _item_key(item: Any) -> str | None:
    """What ``[...]`` selects a list item by: its ``name`` (or, without one, its ``threat``)."""
    if not isinstance(item, dict):
        return None
    for k in ("name", "threat"):
        if k in item:
            return str(item[k])
    return None


def resolve_path(
    text: str,
    data: dict[str, Any],
    root: type[BaseModel] = Scenario,
    *,
    target: str = "base",
    shown: str | None = None,
) -> ResolvedPath:
    """Resolve ``text`` against ``data`` (validated by model ``root``, the raid
    :class:`~airshield.scenario.Scenario` by default); raise :class:`PathError` if it can't be.

    ``target`` and ``shown`` record where the value goes and how the user wrote the path."""
    if root is Scenario and target == "base" and text.strip() in DERIVED:
        name = text.strip()
        total = sum(int(w.get("count", 0)) for w in data.get("waves", []) if isinstance(w, dict))
        if name == "raid.size":
            return ResolvedPath(name, (), name, True, "int", total)
        return ResolvedPath(name, (), name, False, "float", 1.0 if name == "raid.scale" else None)
    parts = parse_path(text)
    if parts and parts[0] == "raid" and "raid" not in root.model_fields:
        raise PathError(
            f"unknown derived parameter {text!r}; available: {', '.join(sorted(DERIVED))}"
        )
    ann: Any = root
    node: Any = data
    steps: list[Step] = []
    where = "the scenario" if root is Scenario else f"the {root.__name__.lower()}"
    top = where
    for part in parts:
        ann = _unwrap(ann, node)
        if ann is None:
            raise PathError(f"{where} has no valid 'kind:'; cannot follow {text!r}")
        if isinstance(part, Selector):
            if get_origin(ann) is not list:
                raise PathError(f"{where} is {_describe(ann)}, not a list; cannot use [{part.key}]")
            if not isinstance(node, list):
                raise PathError(f"{where} is empty in the base scenario; nothing to select")
            if isinstance(part.key, int):
                if not -len(node) <= part.key < len(node):
                    raise PathError(
                        f"{where} has {len(node)} items; index {part.key} is out of range "
                        f"(available: 0..{len(node) - 1})"
                    )
                idx = part.key % len(node)
            else:
                names = [str(_item_key(it)) for it in node]
                if part.key not in names:
                    raise PathError(
                        f"no item named {part.key!r} in {where}; available: "
                        f"{', '.join(names)} (or an index 0..{len(node) - 1})"
                    )
                idx = names.index(part.key)
            steps.append(idx)
            where = f"{where}[{part.key}]" if where != top else f"[{part.key}]"
            node = node[idx]
            ann = get_args(ann)[0]
            continue
        # a key
        label = part if where == top else f"{where}.{part}"
        if isclass(ann) and issubclass(ann, BaseModel):
            if part not in ann.model_fields:
                raise PathError(
                    f"{where} has no field {part!r}; available: {', '.join(ann.model_fields)}"
                )
            child_ann: Any = ann.model_fields[part].annotation
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                node = _default(ann, part)
                if isinstance(node, BaseModel):
                    node = node.model_dump()
        elif get_origin(ann) is dict:
            child_ann = get_args(ann)[1]
            node = node.get(part) if isinstance(node, dict) else None
        else:
            raise PathError(f"{where} is {_describe(ann)}; it has no field {part!r}")
        steps.append(part)
        where = label
        ann = child_ann
    ann = _unwrap(ann, node)
    kind = _scalar_kind(ann)
    if kind is None:
        hint = ""
        if isclass(ann) and issubclass(ann, BaseModel):
            hint = f"; add one of its fields: {', '.join(ann.model_fields)}"
        elif get_origin(ann) is list and isinstance(node, list):
            names = [str(_item_key(it)) for it in node if _item_key(it) is not None]
            hint = f"; select an item by name ({', '.join(names)}) or index, e.g. {text}[0]"
        raise PathError(f"{text!r} points to {_describe(ann)}, not a value{hint}")
    return ResolvedPath(shown or text, tuple(steps), None, kind == "int", kind, node, target)


# ---- applying values --------------------------------------------------------------------------
def coerce(rp: ResolvedPath, value: Any) -> Any:
    """The value as stored in the scenario: whole numbers as int for integer fields."""
    if rp.integer and not isinstance(value, bool) and isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{rp.text} takes whole numbers; got {value!r}")
        return int(value)
    return value


def apply_value(
    data: dict[str, Any], rp: ResolvedPath, value: Any, kinds: Mapping[str, str]
) -> None:
    """Set one parameter in ``data`` (a copy of the base data), in place.

    ``kinds`` maps threat type names to their kind (for ``raid.decoy_share``).
    """
    if rp.derived is not None:
        _apply_derived(data, rp.derived, value, kinds)
        return
    node: Any = data
    for step in rp.steps[:-1]:
        if isinstance(step, int):
            node = node[step]
        else:
            if not isinstance(node.get(step), dict | list):
                node[step] = {}
            node = node[step]
    node[rp.steps[-1]] = value


def _waves(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in data.get("waves", []) if isinstance(w, dict)]


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Integers proportional to ``weights`` adding up to ``total`` (ties to the lower index)."""
    n = len(weights)
    if n == 0:
        return []
    s = float(sum(weights))
    if s <= 0:
        weights, s = [1.0] * n, float(n)
    quotas = [total * w / s for w in weights]
    base = [math.floor(q) for q in quotas]
    left = total - sum(base)
    order = sorted(range(n), key=lambda i: (-(quotas[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} takes a number; got {value!r}")
    return float(value)


def _apply_derived(data: dict[str, Any], name: str, value: Any, kinds: Mapping[str, str]) -> None:
    waves = _waves(data)
    x = _number(name, value)
    if name == "raid.scale":
        if x < 0:
            raise ValueError(f"raid.scale must be >= 0; got {value!r}")
        for w in waves:
            w["count"] = math.floor(int(w.get("count", 0)) * x + 0.5)
    elif name == "raid.size":
        if x < 0 or not x.is_integer():
            raise ValueError(f"raid.size must be a whole number >= 0; got {value!r}")
        counts = _largest_remainder([float(w.get("count", 0)) for w in waves], int(x))
        for w, c in zip(waves, counts, strict=True):
            w["count"] = c
    elif name == "raid.decoy_share":
        if not 0.0 <= x <= 1.0:
            raise ValueError(f"raid.decoy_share must be between 0 and 1; got {value!r}")
        decoys = [w for w in waves if kinds.get(str(w.get("threat"))) == "decoy"]
        drones = [w for w in waves if kinds.get(str(w.get("threat"))) == "drone"]
        total = sum(int(w.get("count", 0)) for w in decoys + drones)
        n_decoy = math.floor(total * x + 0.5)
        for group, n in ((decoys, n_decoy), (drones, total - n_decoy)):
            counts = _largest_remainder([float(w.get("count", 0)) for w in group], n)
            for w, c in zip(group, counts, strict=True):
                w["count"] = c
    else:  # pragma: no cover - resolve_path only lets DERIVED names through
        raise ValueError(f"unknown derived parameter {name!r}")


def check_derived(rp: ResolvedPath, data: dict[str, Any], kinds: Mapping[str, str]) -> None:
    """Refuse a derived parameter that can have no effect on this base scenario."""
    if rp.derived == "raid.decoy_share":
        have = {kinds.get(str(w.get("threat"))) for w in _waves(data)}
        if not {"decoy", "drone"} <= have:
            raise PathError(
                "raid.decoy_share needs at least one wave of a decoy type and one of a drone "
                f"type; the base has threat kinds {sorted(k for k in have if k)}"
            )


__all__ = [
    "DERIVED",
    "PathError",
    "ResolvedPath",
    "Selector",
    "apply_value",
    "check_derived",
    "coerce",
    "parse_path",
    "resolve_path",
]
