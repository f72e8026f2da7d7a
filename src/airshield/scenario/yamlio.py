"""Safe YAML loading that remembers line numbers, and pydantic errors turned into clear messages.

Every input file in AirShield (raid scenario, campaign, sweep spec) goes through
:func:`load_model`: the YAML is safe-loaded (no Python tags), each mapping key and sequence
item keeps the line it came from, and a pydantic ``ValidationError`` becomes a
:class:`~airshield.errors.ScenarioError` listing ``file:line: field.path: what was expected``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from airshield.errors import Problem, ScenarioError

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads YAML 1.2 floats such as ``5.0e9`` or ``1e6`` as numbers
    (YAML 1.1, PyYAML's default, reads them as strings)."""


_FLOAT_12 = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))


class _LineLoader(_Loader):
    """Loader that records the line of every node, keyed by its path in the document."""


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), lines)
            lines[(*loc, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*loc, i), lines)


def parse_yaml(text: str, path: str | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text safely; return the data and a map from field path to line number."""
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no Python tags
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise ScenarioError(
            path, [Problem("<yaml>", f"not valid YAML: {exc.problem}", line)]
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(path, [Problem("<yaml>", f"not valid YAML: {exc}")]) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a scalar that matched an implicit type but cannot be built, e.g. 2025-13-01
        raise ScenarioError(
            path, [Problem("<yaml>", f"not valid YAML: {exc}", _bad_scalar_line(text))]
        ) from None
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _bad_scalar_line(text: str) -> int | None:
    """Line of the first scalar whose implicit type (date, number) cannot be constructed."""
    try:
        root = yaml.compose(text, Loader=_LineLoader)
    except yaml.YAMLError:
        return None
    loader = _Loader("")
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node, deep=True)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return int(node.start_mark.line) + 1
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend([k, v])
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None


def read_yaml(path: str | Path) -> tuple[Any, dict[Loc, int]]:
    """Read and parse a YAML file, with a clear error when it is missing or unreadable."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), [Problem("<file>", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [Problem("<file>", f"cannot read file: {exc}")]) from None
    return parse_yaml(text, str(path))


def _find_non_finite(data: Any, loc: Loc, out: list[Loc]) -> None:
    if isinstance(data, float) and not math.isfinite(data):
        out.append(loc)
    elif isinstance(data, dict):
        for k, v in data.items():
            _find_non_finite(v, (*loc, k), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _find_non_finite(v, (*loc, i), out)


def line_for(loc: Loc, lines: dict[Loc, int]) -> int | None:
    while True:
        if loc in lines:
            return lines[loc]
        if not loc:
            return None
        loc = loc[:-1]


def format_loc(loc: Loc) -> str:
    """``('waves', 0, 'count')`` -> ``waves[0].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "<root>"


def errors_to_problems(
    exc: ValidationError, lines: dict[Loc, int], data: Any = None, prefix: Loc = ()
) -> list[Problem]:
    """Turn a pydantic ValidationError into user-facing problems (field path, line, expectation).

    pydantic puts the tag of a discriminated union (``kind: ring`` -> ``'ring'``) and names of
    validator functions into error locations; :func:`data_location` walks the data to drop them.
    """
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        data_loc = data_location((*prefix, *err["loc"]), data)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = (
                "unknown field (check the spelling; allowed fields are listed in docs/scenario.md)"
            )
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "union_tag_invalid":
            ctx = err.get("ctx") or {}
            msg = f"unknown kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
        elif err["type"] == "union_tag_not_found":
            msg = "a 'kind:' field is required here"
        inp = err.get("input")
        if err["type"] not in ("missing", "extra_forbidden") and not isinstance(inp, dict | list):
            msg = f"{msg} (got {inp!r})"
        problems.append(Problem(format_loc(data_loc), msg, line_for(data_loc, lines)))
    return problems


def data_location(loc: Loc, data: Any) -> Loc:
    """The part of a pydantic error location that addresses the input data.

    A part is dropped where the data at that point is a mapping that has no such key but whose
    ``kind`` equals it (the union tag pydantic inserts), or where it names a validator function.
    """
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(part, str) and part.startswith("function-"):
            continue
        if isinstance(node, dict):
            if part in node:
                out.append(part)
                node = node[part]
                continue
            if node.get("kind") == part:
                continue
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
            continue
        out.append(part)
        node = None
    return tuple(out)


def validate_data(model: type[M], data: Any, path: str | None, lines: dict[Loc, int]) -> M:
    """Validate already-parsed data against ``model``; raise ScenarioError with every problem."""
    if data is None:
        raise ScenarioError(path, [Problem("<root>", "file is empty; expected a mapping")])
    if not isinstance(data, dict):
        raise ScenarioError(
            path, [Problem("<root>", f"expected a mapping of fields, got {type(data).__name__}", 1)]
        )
    bad: list[Loc] = []
    _find_non_finite(data, (), bad)
    if bad:
        raise ScenarioError(
            path,
            [
                Problem(
                    format_loc(b), "must be a finite number (NaN/inf given)", line_for(b, lines)
                )
                for b in bad
            ],
        )
    try:
        return model.model_validate(data, context={"path": path})
    except ValidationError as exc:
        raise ScenarioError(path, errors_to_problems(exc, lines, data)) from None


def load_model(model: type[M], path: str | Path) -> M:
    """Read a YAML file and validate it into ``model`` (raises ScenarioError)."""
    data, lines = read_yaml(path)
    return validate_data(model, data, str(path), lines)
