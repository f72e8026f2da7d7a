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
from airshield.scenario import limits

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


_CLoader: type | None = getattr(yaml, "CSafeLoader", None)
if _CLoader is not None:

    class _FastLoader(_CLoader):  # type: ignore[misc, valid-type]
        """:class:`_Loader` on libyaml's C parser (about 15x faster): the same resolvers and
        constructors, only the scanning and parsing are in C."""

    _FastLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12, list("-+0123456789."))
    #: ``(event loader, node loader)`` pairs to try in order: libyaml's parser where PyYAML has
    #: it, then the pure-Python one, whose error messages every install shares
    _LOADERS: tuple[tuple[type, type], ...] = ((_FastLoader, _FastLoader), (_Loader, _LineLoader))
else:  # pragma: no cover - PyYAML built without libyaml
    _LOADERS = ((_Loader, _LineLoader),)


def _too_big(path: str | None, what: str, line: int | None) -> ScenarioError:
    return ScenarioError(path, [Problem("<yaml>", what, line)])


def check_document_size(n_bytes: int, path: str | None) -> None:
    """Refuse a document over :data:`~airshield.scenario.limits.MAX_DOCUMENT_BYTES`."""
    if n_bytes > limits.MAX_DOCUMENT_BYTES:
        raise ScenarioError(
            path,
            [
                Problem(
                    "<file>",
                    f"document is {n_bytes:,} bytes; the limit is "
                    f"{limits.MAX_DOCUMENT_BYTES:,} bytes (see docs/scenario.md, Limits)",
                )
            ],
        )


def _line(ev: yaml.Event) -> int | None:
    return None if ev.start_mark is None else int(ev.start_mark.line) + 1


def _scan_events(text: str, path: str | None, loader: type = _Loader) -> None:
    """One linear pass over the YAML event stream (the parser is iterative, never recursive)
    that enforces the structural limits before any node is built: nesting depth, scalar length,
    number of aliases, and the number of nodes the document has once every alias is expanded
    (so a "billion laughs" of a few hundred bytes fails here, in microseconds). An alias to a
    collection that is still open (a recursive structure) is refused."""
    sizes: dict[str, int] = {}  # anchor -> nodes of its expanded value
    open_anchors: set[str] = set()
    stack: list[list[Any]] = []  # open collections: [anchor, expanded node count]
    total = 0
    aliases = 0

    def add(n: int, ev: yaml.Event) -> None:
        nonlocal total
        total += n
        if stack:
            stack[-1][1] += n
        if total > limits.MAX_NODES:
            raise _too_big(
                path,
                f"document expands to more than {limits.MAX_NODES:,} nodes (YAML anchors and "
                "aliases are expanded; an alias bomb is refused)",
                _line(ev),
            )

    for ev in yaml.parse(text, Loader=loader):
        if isinstance(ev, yaml.AliasEvent):
            aliases += 1
            line = _line(ev)
            if aliases > limits.MAX_ALIASES:
                raise _too_big(path, f"more than {limits.MAX_ALIASES:,} aliases", line)
            anchor = str(ev.anchor)
            if anchor in open_anchors:
                raise _too_big(path, f"alias *{anchor} refers to its own enclosing node", line)
            add(sizes.get(anchor, 1), ev)
        elif isinstance(ev, yaml.ScalarEvent):
            if len(ev.value) > limits.MAX_SCALAR_CHARS:
                raise _too_big(
                    path,
                    f"a value of {len(ev.value):,} characters; the limit is "
                    f"{limits.MAX_SCALAR_CHARS:,}",
                    _line(ev),
                )
            if ev.anchor is not None:
                sizes[str(ev.anchor)] = 1
            add(1, ev)
        elif isinstance(ev, yaml.CollectionStartEvent):
            add(1, ev)
            stack.append([ev.anchor, 1])
            if ev.anchor is not None:
                open_anchors.add(str(ev.anchor))
            if len(stack) > limits.MAX_DEPTH:
                raise _too_big(
                    path,
                    f"nesting deeper than {limits.MAX_DEPTH} levels",
                    _line(ev),
                )
        elif isinstance(ev, yaml.CollectionEndEvent):
            anchor, n = stack.pop()
            if anchor is not None:
                sizes[str(anchor)] = n
                open_anchors.discard(str(anchor))


def _walk(root: yaml.Node, lines: dict[Loc, int]) -> None:
    """Record the line of every node by its path (iterative; aliased nodes once per path, which
    :func:`_scan_events` has bounded)."""
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
                lines[(*loc, key)] = key_node.start_mark.line + 1
                stack.append((value_node, (*loc, key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*loc, i)))


def parse_yaml(text: str, path: str | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text safely; return the data and a map from field path to line number.

    The limits of :mod:`airshield.scenario.limits` (document size, nesting depth, nodes after
    alias expansion, scalar length) are enforced before anything is built.
    """
    if len(text) > limits.MAX_DOCUMENT_BYTES // 4:  # cheap bound first; exact bytes only here
        check_document_size(len(text.encode("utf-8", "surrogatepass")), path)
    # libyaml first (a valid document parses to the same data and lines); a document it does
    # not accept, or any failure of it, is parsed again in pure Python, so every error message
    # (and any document only the pure-Python parser accepts) is the same with or without libyaml
    for events, nodes in _LOADERS[:-1]:
        try:
            return _parse(text, path, events, nodes)
        except Exception:  # the pure-Python parser below says what is wrong
            continue
    return _parse(text, path, *_LOADERS[-1])


def _parse(text: str, path: str | None, events: type, nodes: type) -> tuple[Any, dict[Loc, int]]:
    """:func:`parse_yaml` with one pair of loaders (``events`` for the limits' scan, ``nodes``
    to build the document)."""
    try:
        _scan_events(text, path, events)
        loader = nodes(text)  # a SafeLoader: no Python tags
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
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
        _walk(node, lines)
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


def read_text_file(path: str | Path) -> str:
    """Read a UTF-8 input file under the document size limit, with clear errors when it is
    missing, too big or unreadable (the size is checked before the file is read)."""
    p = Path(path)
    try:
        check_document_size(p.stat().st_size, str(path))
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), [Problem("<file>", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [Problem("<file>", f"cannot read file: {exc}")]) from None


def read_yaml(path: str | Path) -> tuple[Any, dict[Loc, int]]:
    """Read and parse a YAML file, with a clear error when it is missing or unreadable."""
    return parse_yaml(read_text_file(path), str(path))


def _find_bad_scalars(data: Any) -> tuple[list[Loc], list[Loc]]:
    """Paths of non-finite floats and of strings that are not valid Unicode (lone surrogates,
    which JSON's ``\\ud800`` escapes can produce); iterative, so depth is no concern."""
    non_finite: list[Loc] = []
    bad_text: list[Loc] = []
    stack: list[tuple[Any, Loc]] = [(data, ())]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                non_finite.append(loc)
        elif isinstance(item, str):
            if not _is_unicode(item):
                bad_text.append(loc)
        elif isinstance(item, dict):
            for k, v in item.items():
                if isinstance(k, str) and not _is_unicode(k):
                    bad_text.append(loc)
                stack.append((v, (*loc, k)))
        elif isinstance(item, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(item))
    return sorted(non_finite, key=str), sorted(bad_text, key=str)


def _is_unicode(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
    bad, bad_text = _find_bad_scalars(data)
    if bad or bad_text:
        raise ScenarioError(
            path,
            [
                Problem(
                    format_loc(b), "must be a finite number (NaN/inf given)", line_for(b, lines)
                )
                for b in bad
            ]
            + [
                Problem(
                    format_loc(b),
                    "text is not valid Unicode (a lone surrogate such as \\ud800)",
                    line_for(b, lines),
                )
                for b in bad_text
            ],
        )
    try:
        return model.model_validate(data, context={"path": path, "defer_references": True})
    except ValidationError as exc:
        raise ScenarioError(path, errors_to_problems(exc, lines, data)) from None


def load_model(model: type[M], path: str | Path) -> M:
    """Read a YAML file and validate it into ``model`` (raises ScenarioError)."""
    data, lines = read_yaml(path)
    return validate_data(model, data, str(path), lines)
