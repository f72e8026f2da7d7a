"""The exact solver's enumeration rounds: bound-only rounds and the polish MILP keep the bound
valid (never above the optimum) and the proof exact.

The rounds switch to bound-only once a round cannot prove the optimum over its columns within
its share of the time (:data:`airshield.assign.exact.ROUND_SHARE`); on tiny instances that never
happens by itself, so these tests set the share to 0 (every round short of the whole gap then
gets HiGHS' shortest limit) and start the enumeration threshold low, so that several rounds run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airshield.assign import WTAProblem, exact
from airshield.assign.instances import random_wta_instance
from airshield.assign.result import AssignmentResult


def _forced(p: WTAProblem, time_limit_s: float = 20.0) -> AssignmentResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(exact, "ROUND_SHARE", 0.0)
        mp.setattr(exact, "ENUM_START_REL", 1e-7)
        return exact.solve_exact(p, time_limit_s=time_limit_s, seed=0)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**31 - 1), rich=st.booleans())
def test_forced_bound_only_rounds_against_brute_force(
    seed: int,
    rich: bool,
    tiny_problem: Callable[[int, bool], WTAProblem],
    enumerate_optimum: Callable[[WTAProblem], tuple[float, np.ndarray]],
) -> None:
    # the fixtures are stateless factories: sharing them across examples is safe
    p = tiny_problem(seed, rich)
    opt, _ = enumerate_optimum(p)
    res = _forced(p)
    assert p.is_feasible(res.assignment)
    assert res.objective >= opt - 1e-9 * max(1.0, abs(opt))
    assert res.bound is not None
    assert res.bound <= opt + 1e-9 * max(1.0, abs(opt))
    if str(res.status) == "optimal":
        assert res.objective == pytest.approx(opt, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("n_w", "n_t", "seed"), [(30, 12, s) for s in range(3)] + [(40, 16, 0)])
def test_forced_rounds_on_more_weapons_than_targets(n_w: int, n_t: int, seed: int) -> None:
    # W > T with several rounds per target, the case the bound-only rounds are for (at these
    # sizes the LP is fractional: a dozen rounds run, the shortest limits stop some of them
    # and switch to bound-only); the reference is the solver's own default path (itself
    # checked against brute force)
    p = random_wta_instance(n_w, n_t, 2, seed=seed)
    ref = exact.solve_exact(p, time_limit_s=60.0, seed=0)
    assert str(ref.status) == "optimal"
    res = _forced(p)
    assert res.bound is not None and res.bound <= ref.objective * (1 + 1e-9)
    assert res.objective >= ref.objective * (1 - 1e-9)
    if str(res.status) == "optimal":
        assert res.objective == pytest.approx(ref.objective, rel=1e-8)
    log = res.info.get("enumeration_log", [])
    assert isinstance(log, list)
    # the bound reported after each round never decreases and never passes the optimum
    bounds = [float(r["bound"]) for r in log]
    assert bounds == sorted(bounds)
    assert all(b <= ref.objective * (1 + 1e-9) for b in bounds)
