"""Hypothesis strategies for every input format: valid documents mutated at a random place
(a hostile value, a deleted or unknown key, a deep nest, an alias bomb) and raw text edits."""

from __future__ import annotations

import itertools
import json
from typing import Any

import yaml
from hypothesis import strategies as st

Path_ = tuple[Any, ...]

HOSTILE_NUMBERS = [
    0, -1, 1, 2**31, 2**53 + 1, 2**63, 2**64, -(2**63) - 1, 10**9, 10**12, 10**30,
    1e308, -1e308, 5e-324, 1e-300, 0.5, -0.0,
]  # fmt: skip
HOSTILE_TEXT = [
    "", " ", "nope", "shahed-136", "kalibr", "city", "sam-rounds", "east", "ring", "unit",
    "2025-13-01", "2025-06-01", "1e400", "-.inf", ".nan", "0x1F", "0o17", "1_000", "~", "null",
    "yes", "no", "!!python/object/apply:os.system ['true']", "*a", "&a x", "<<: *a", "é" * 3,
    "\u202e", "x" * 300, "[]", "{}", "- a", "a: b",
]  # fmt: skip

leaf = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
    st.booleans(),
    st.none(),
)
value = st.recursive(
    leaf,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)


def paths(node: Any, here: Path_ = ()) -> list[Path_]:
    """Every path into a document (mapping keys and list indices)."""
    out: list[Path_] = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*here, i))
    return out


def _set(doc: Any, path: Path_, op: str, new: Any) -> Any:
    if not path:
        return new if op == "replace" else doc
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    if op == "replace":
        parent[last] = new
    elif op == "delete":
        del parent[last]
    elif op == "unknown_key" and isinstance(parent[last], dict):
        parent[last]["unexpected_field"] = new
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(int(last), json.loads(json.dumps(parent[last], default=str)))
    elif op == "deep":
        nest: Any = new
        for _ in range(200):
            nest = [nest]
        parent[last] = nest
    elif (
        op == "scale"
        and isinstance(parent[last], int | float)
        and not isinstance(parent[last], bool)
    ):
        parent[last] = parent[last] * 10**6
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any], max_mutations: int = 3) -> Any:
    """``base`` (a parsed valid document) with 0..max_mutations structural mutations."""
    doc = json.loads(json.dumps(base, default=str))
    for _ in range(draw(st.integers(0, max_mutations))):
        choices = paths(doc)
        if not choices:
            break
        path = draw(st.sampled_from(choices))
        op = draw(st.sampled_from(["replace", "replace", "delete", "unknown_key", "duplicate",
                                   "deep", "scale"]))  # fmt: skip
        try:
            doc = _set(doc, path, op, draw(value))
        except (KeyError, IndexError, TypeError):
            pass
    return doc


SNIPPETS = [
    "&a ", "*a", "*nope", "<<: *a\n", "!!python/object:os.system ", "!!binary ", "{", "}", "[",
    "]", "\t", "\x00", "\ufeff", "---\n", "...\n", "%YAML 1.1\n", "? ", "- ", ": ", "#", "'", '"',
    "\\ud800", '"\\ud800"', "\n", "  ", "9" * 400, "1e400", ".inf", "&b [*a,*a,*a,*a,*a,*a,*a,*a]",
]  # fmt: skip


@st.composite
def text_edits(draw: st.DrawFn, text: str, max_edits: int = 4) -> str:
    """``text`` with a few raw edits: snippets inserted, ranges deleted or duplicated."""
    for _ in range(draw(st.integers(1, max_edits))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "insert", "delete", "dup", "char"]))
        if op == "insert":
            text = text[:i] + draw(st.sampled_from(SNIPPETS)) + text[i:]
        elif op == "delete":
            j = draw(st.integers(i, min(len(text), i + 40)))
            text = text[:i] + text[j:]
        elif op == "dup":
            j = draw(st.integers(i, min(len(text), i + 200)))
            text = text[:j] + text[i:j] * draw(st.integers(1, 20)) + text[j:]
        else:
            text = text[:i] + draw(st.characters()) + text[i:]
    return text


def dump(doc: Any) -> str:
    """YAML text of a document (strings that YAML cannot hold come out escaped)."""
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=False, width=100)


def bomb(levels: int, width: int) -> str:
    """A "billion laughs" document: ``width ** levels`` strings once its aliases are expanded."""
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [" + ",".join(['"lol"'] * width) + "]"]
    for prev, cur in itertools.pairwise(names):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def documents(base: dict[str, Any]) -> st.SearchStrategy[str]:
    """The text of one fuzz case of a YAML format: mutated structure, raw edits, or a bomb."""
    base_text = dump(base)
    return st.one_of(
        mutated(base).map(dump),
        mutated(base).map(dump).flatmap(text_edits),
        text_edits(base_text),
        st.builds(bomb, st.integers(1, 12), st.integers(2, 12)),
        st.integers(1, 100_000).map(lambda d: "name: " + "[" * d + "]" * d + "\n"),
    )
