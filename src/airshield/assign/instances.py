"""Reader for the published static WTA benchmark instances (Andersen, Pavlikov & Toffolo 2022).

Format (plain text, whitespace separated, 0-based indices)::

    W T mu                 line 1: weapons, targets, rounds per weapon
    V_0                    lines 2 .. T+1: target values
    ...
    i j p_ij               lines T+2 .. T+1+W*T: every (weapon, target) pair exactly once

Errors are raised as :class:`airshield.errors.ScenarioError` naming the file, the line and what
was expected, so the CLI can print them without a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from airshield.assign.problem import WTAProblem
from airshield.errors import Problem, ScenarioError

# the largest rounds-per-weapon count an instance file may give (the scenario language's
# MAX_ROUNDS; assign sits below scenario in the layers, so it is not imported from there): a
# larger one would overflow the solver's integer arrays
MAX_ROUNDS = 100_000_000


def read_wta_instance(path: str | Path) -> WTAProblem:
    """Read an instance file into a :class:`WTAProblem` (every weapon gets ``mu`` rounds).

    Raises ``FileNotFoundError`` for a missing file and ``ScenarioError`` for a malformed one.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(p), [Problem("file", f"not a text file ({exc.reason})")]) from None
    except IsADirectoryError:
        raise ScenarioError(str(p), [Problem("file", "is a directory, expected a file")]) from None
    return parse_wta_text(text, str(p))


def parse_wta_text(text: str, source: str = "<input>") -> WTAProblem:
    """Parse the text of an instance file (see the module docstring for the format)."""
    lines = text.splitlines()
    # Drop trailing blank lines (a final newline or editor padding is harmless).
    while lines and not lines[-1].strip():
        lines.pop()

    def fail(line: int | None, field: str, message: str) -> ScenarioError:
        return ScenarioError(source, [Problem(field, message, line)])

    if not lines:
        raise fail(1, "header", "empty file; expected 'W T mu' (three integers)")
    head = lines[0].split()
    if len(head) != 3 or not all(_is_int(t) for t in head):
        raise fail(1, "header", f"expected 'W T mu' (three integers), got {lines[0].strip()!r}")
    n_w, n_t, mu = (int(t) for t in head)
    if n_w <= 0 or n_t <= 0 or mu < 0:
        raise fail(1, "header", f"expected W > 0, T > 0, mu >= 0, got {n_w} {n_t} {mu}")
    if mu > MAX_ROUNDS:
        raise fail(1, "header", f"expected mu <= {MAX_ROUNDS:,} rounds per weapon, got {mu}")
    n_expected = 1 + n_t + n_w * n_t
    if len(lines) < 1 + n_t:
        raise fail(
            len(lines) + 1, "values", f"file ends after {len(lines)} lines; expected {n_t} values"
        )

    values = np.empty(n_t)
    for k in range(n_t):
        tok = lines[1 + k].split()
        v = _float_or_none(tok[0]) if len(tok) == 1 else None
        if v is None or not math.isfinite(v) or v < 0:
            raise fail(
                k + 2,
                f"values[{k}]",
                f"expected one finite number >= 0 (value of target {k}), "
                f"got {lines[1 + k].strip()!r}",
            )
        values[k] = v

    body = lines[1 + n_t :]
    if len(body) != n_w * n_t:
        where = len(lines) + 1 if len(body) < n_w * n_t else n_expected + 1
        raise fail(
            where,
            "pk",
            f"expected {n_w * n_t} lines 'i j p' (W*T = {n_w}*{n_t}), found {len(body)}",
        )
    # Fast path: one vectorised parse; fall back to a line-by-line scan to locate any error.
    try:
        flat = np.array(" ".join(body).split(), dtype=np.float64)
        ok = flat.size == 3 * len(body)
    except ValueError:
        ok = False
    if not ok:
        _locate_bad_line(body, 2 + n_t, fail)
    trip = flat.reshape(-1, 3)
    ii, jj, pp = trip[:, 0], trip[:, 1], trip[:, 2]
    bad = (ii != np.round(ii)) | (jj != np.round(jj)) | (ii < 0) | (ii >= n_w) | (jj < 0)
    bad |= (jj >= n_t) | ~np.isfinite(pp) | (pp < 0) | (pp > 1)
    if bad.any():
        k = int(np.argmax(bad))
        raise fail(
            k + 2 + n_t,
            "pk",
            f"expected 'i j p' with 0 <= i < {n_w}, 0 <= j < {n_t}, 0 <= p <= 1, "
            f"got {body[k].strip()!r}",
        )
    flat_idx = ii.astype(np.int64) * n_t + jj.astype(np.int64)
    seen = np.zeros(n_w * n_t, dtype=np.int64)
    np.add.at(seen, flat_idx, 1)
    if not np.all(seen == 1):
        dup = np.nonzero(seen > 1)[0]
        if dup.size:
            i, j = divmod(int(dup[0]), n_t)
            k = int(np.nonzero(flat_idx == dup[0])[0][1])
            raise fail(k + 2 + n_t, "pk", f"pair (weapon {i}, target {j}) appears twice")
        i, j = divmod(int(np.nonzero(seen == 0)[0][0]), n_t)
        raise fail(None, "pk", f"pair (weapon {i}, target {j}) is missing")
    pk = np.empty((n_w, n_t))
    pk.reshape(-1)[flat_idx] = pp
    return WTAProblem(values=values, pk=pk, rounds=np.full(n_w, mu, dtype=np.int64))


def _locate_bad_line(
    body: list[str], first_line: int, fail: Callable[[int | None, str, str], ScenarioError]
) -> None:
    for k, line in enumerate(body):
        tok = line.split()
        if (
            len(tok) != 3
            or not (_is_int(tok[0]) and _is_int(tok[1]))
            or _float_or_none(tok[2]) is None
        ):
            raise fail(
                first_line + k, "pk", f"expected 'i j p' (two integers, a number), got {line!r}"
            )
    raise fail(None, "pk", "could not parse the probability lines")


def _is_int(tok: str) -> bool:
    try:
        int(tok)
    except ValueError:
        return False
    return True


def _float_or_none(tok: str) -> float | None:
    try:
        return float(tok)
    except ValueError:
        return None


def random_wta_instance(n_weapons: int, n_targets: int, mu: int, seed: int = 0) -> WTAProblem:
    """A random instance drawn like the published ones: ``V_j`` uniform integers in 1..100,
    ``p_ij`` uniform on (0, 1), ``mu`` rounds for every weapon.

    The distributions match the 18 published files (values are integers 1..100, the kill
    probabilities fill each tenth of (0, 1) equally); the published classes x1/x2/x3 are
    ``mu = 1, 2, 3`` with ``T = 2 W``. Other shapes (for example more weapons than targets)
    use the same draws. Seeded: ``numpy.random.default_rng(seed)``, values drawn first.
    """
    if n_weapons <= 0 or n_targets <= 0 or mu < 0:
        raise ValueError("expected n_weapons > 0, n_targets > 0 and mu >= 0")
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 101, n_targets).astype(np.float64)
    pk = rng.uniform(0.0, 1.0, (n_weapons, n_targets))
    pk = np.clip(pk, 1e-12, 1.0 - 1e-12)  # open interval, as in the published files
    return WTAProblem(values=values, pk=pk, rounds=np.full(n_weapons, mu, dtype=np.int64))


def format_wta_instance(problem: WTAProblem) -> str:
    """The text of ``problem`` in the published format (which holds one ``mu`` for all weapons
    and neither costs, channels, masks nor caps)."""
    p = problem
    mu = int(p.rounds[0]) if p.n_weapons else 0
    plain = p.shot_cost is None and p.channels is None and p.feasible is None
    if not (plain and p.max_rounds_per_target is None and np.all(p.rounds == mu)):
        raise ValueError("the WTA text format holds one mu, no costs, channels, masks or caps")
    ii, jj = np.meshgrid(np.arange(p.n_weapons), np.arange(p.n_targets), indexing="ij")
    lines = [f"{p.n_weapons} {p.n_targets} {mu}"]
    lines += [f"{v:.17g}" for v in p.values.tolist()]
    lines += [
        f"{i} {j} {q!r}"
        for i, j, q in zip(
            ii.ravel().tolist(), jj.ravel().tolist(), p.pk.ravel().tolist(), strict=True
        )
    ]
    return "\n".join(lines) + "\n"
