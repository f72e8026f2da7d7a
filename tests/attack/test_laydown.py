"""The laydown optimiser: the double oracle against brute force on a tiny game, its bounds, the
simulated cases, and the command line."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.attack.cases import TINY_LAYDOWN, TINY_RAID

from airshield.errors import ScenarioError
from airshield.plan.laydown import (
    Coefficients,
    load_laydown,
    model_leakers,
    optimise_laydown,
    solve_defender,
)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "raid.yaml").write_text(TINY_RAID)
    (tmp_path / "spec.yaml").write_text(TINY_LAYDOWN)
    return tmp_path / "spec.yaml"


def _laydowns(ld):  # every feasible laydown of the tiny game (one unit per site and type)
    S = len(ld.sites)
    for combo in itertools.product(
        *[list(itertools.combinations(range(S), u.count)) for u in ld.units]
    ):
        x = np.zeros((len(ld.units), S), np.int64)
        for k, c in enumerate(combo):
            x[k, list(c)] = 1
        yield x


def _brute_force(ld, co):  # every laydown x every plan, in the same coefficient model
    plans = list(ld.attack.space.plans())
    best = None
    for x in _laydowns(ld):
        v = max(model_leakers(co, co.of(p), x) for p in plans)
        if best is None or v < best[0] - 1e-9:
            best = (v, x)
    return best


def _brute_force_mixed(ld, co) -> float:
    """The mixed game's value by brute force: the full payoff matrix (every laydown x every
    plan), solved by a general-purpose LP (scipy's linprog, not the code under test)."""
    from scipy.optimize import linprog

    plans = list(ld.attack.space.plans())
    m = np.array([[model_leakers(co, co.of(p), x) for p in plans] for x in _laydowns(ld)])
    nx, npl = m.shape
    # max v s.t. m q >= v, sum q = 1: minimise -v over (q, v)
    res = linprog(
        np.r_[np.zeros(npl), -1.0], A_ub=np.c_[-m, np.ones(nx)], b_ub=np.zeros(nx),
        A_eq=np.r_[np.ones(npl), 0.0][None, :], b_eq=[1.0],
        bounds=[(0, None)] * npl + [(None, None)], method="highs",
    )  # fmt: skip
    assert res.status == 0
    return float(-res.fun)


def test_double_oracle_equals_brute_force_and_bounds_bracket_it(tiny: Path) -> None:
    ld = load_laydown(tiny)
    res = optimise_laydown(ld, simulate=False)
    co = Coefficients(ld)
    value, _ = _brute_force(ld, co)
    assert res.model_value == pytest.approx(value, abs=1e-6)
    assert res.converged
    for b in res.bounds:
        assert b["lower"] <= value + 1e-6 <= b["upper"] + 2e-6
    lows = [b["lower"] for b in res.bounds]
    assert lows == sorted(lows)  # the restricted attacker set only grows
    assert len(res.bounds) > 1  # the instance needs more than one attacker plan
    # the laydown returned achieves the value against every plan
    x = np.zeros((len(ld.units), len(ld.sites)), np.int64)
    names = [s.name for s in ld.sites]
    types = [u.effector for u in ld.units]
    for u in res.laydown:
        x[types.index(u["type"]), names.index(u["site"])] += 1
    worst = max(model_leakers(co, co.of(p), x) for p in ld.attack.space.plans())
    assert worst == pytest.approx(value, abs=1e-6)


def test_mixed_bounds_bracket_the_brute_force_mixed_game_value(tiny: Path) -> None:
    ld = load_laydown(tiny)
    res = optimise_laydown(ld, simulate=False)
    co = Coefficients(ld)
    pure, _ = _brute_force(ld, co)
    mixed = _brute_force_mixed(ld, co)
    assert mixed <= pure + 1e-6  # randomising never helps the attacker who is seen through
    for b in res.bounds:
        assert b["mixed_lower"] - 1e-6 <= mixed <= b["mixed_upper"] + 1e-6
        assert b["mixed_lower"] <= b["restricted_value"] + 1e-6
        assert sum(b["attacker_mix"].values()) == pytest.approx(1.0)
    last = res.bounds[-1]
    assert res.converged
    assert last["mixed_upper"] - last["mixed_lower"] <= 1e-6
    assert last["mixed_lower"] == pytest.approx(mixed, abs=1e-6)
    doc = res.to_dict()
    assert doc["game"]["mixed"]["lower"] == last["mixed_lower"]
    assert doc["value_kinds"]["bounds"].startswith("model")
    assert doc["value_kinds"]["worst_case"].startswith("simulated")


def test_double_oracle_is_the_same_for_one_and_two_workers(tiny: Path) -> None:
    ld = load_laydown(tiny)
    one = optimise_laydown(ld, simulate=False, workers=1)
    two = optimise_laydown(ld, simulate=False, workers=2)
    strip = [{k: v for k, v in b.items() if k != "cpu_s"} for b in one.bounds]
    assert strip == [{k: v for k, v in b.items() if k != "cpu_s"} for b in two.bounds]
    assert one.laydown == two.laydown
    # the coefficients built in worker processes are the ones built here, array for array
    plans = list(ld.attack.space.plans())
    here, there = Coefficients(ld), Coefficients(ld, workers=2)
    try:
        there.prefetch(plans)
        for p in plans:
            a, b = here.of(p), there.of(p)
            assert np.array_equal(a.n, b.n) and a.capacity == b.capacity
            assert all(np.array_equal(u, v) for u, v in zip(a.cover, b.cover, strict=True))
    finally:
        there.close()


def test_double_oracle_on_a_dask_cluster_equals_one_worker(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Coefficients and the loop through a Dask scheduler address, as a remote cluster would be
    used: the same bounds and laydown as in this process."""
    distributed = pytest.importorskip("distributed")
    import airshield.sweep.backends as backends

    made: list[str] = []
    real = backends.make_backend

    def recording(name: str, *args: Any, **kwargs: Any) -> Any:
        made.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(backends, "make_backend", recording)
    ld = load_laydown(tiny)
    one = optimise_laydown(ld, simulate=False, workers=1)
    assert made == []  # one worker: in this process
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        far = optimise_laydown(ld, simulate=False, scheduler=cluster.scheduler_address)
    assert made and set(made) == {"dask"}  # the calls went through the cluster
    strip = [{k: v for k, v in b.items() if k != "cpu_s"} for b in one.bounds]
    assert strip == [{k: v for k, v in b.items() if k != "cpu_s"} for b in far.bounds]
    assert one.laydown == far.laydown


def test_milp_against_all_plans_at_once_is_the_game_value(tiny: Path) -> None:
    ld = load_laydown(tiny)
    co = Coefficients(ld)
    value, _ = _brute_force(ld, co)
    res = solve_defender(co, [co.of(p) for p in ld.attack.space.plans()])
    assert res.value == pytest.approx(value, abs=1e-6)


def test_simulated_worst_case_is_never_below_the_mean_case(tiny: Path) -> None:
    ld = load_laydown(tiny)
    res = optimise_laydown(ld)
    for case in (res.to_dict(), res.baseline):
        assert case["worst_case"]["mean"] >= case["mean_case"]["mean"]
    # the rule-based laydown leaves the west open: all 24 drones leak there, every night
    assert res.baseline["worst_case"] == {"mean": 24.0, "p5": 24.0, "p95": 24.0}
    assert res.worst_case["mean"] < res.baseline["worst_case"]["mean"]
    assert len(res.laydown) == 3 and {u["type"] for u in res.laydown} == {
        "interceptor-drone", "apkws-rocket",
    }  # fmt: skip


def test_spec_errors_name_the_field(tiny: Path) -> None:
    bad = tiny.parent / "bad.yaml"
    bad.write_text(TINY_LAYDOWN.replace("sites:", "keep: [nope]\nsites:"))
    with pytest.raises(ScenarioError) as ei:
        load_laydown(bad)
    (p,) = ei.value.problems
    assert p.field == "keep[0]" and "no fire-unit entry 'nope'" in p.message and p.line == 3
    bad.write_text(TINY_LAYDOWN.replace("kind: list", "kind: lattice"))
    with pytest.raises(ScenarioError) as ei:
        load_laydown(bad)
    assert "unknown kind 'lattice'" in ei.value.problems[0].message


def test_cli_json_is_one_document_with_the_fields(tiny: Path, tmp_path: Path) -> None:
    rep = tmp_path / "r.html"
    p = subprocess.run(
        [sys.executable, "-m", "airshield", "plan", "laydown", str(tiny), "--json",
         "--report", str(rep)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert {"laydown", "mean_case", "worst_case", "attacker_plan", "baseline", "bounds"} <= set(doc)
    assert set(doc["laydown"][0]) >= {"unit", "type", "lat", "lon"}
    assert set(doc["baseline"]) == {"mean_case", "worst_case", "attacker_plan"}
    assert {"mean", "p5", "p95"} == set(doc["worst_case"])
    html = rep.read_text()
    assert "rule-based laydown and its worst plan" in html and "double oracle" in html


def test_facade_runs_the_optimiser_and_refuses_another_scenario(tiny: Path) -> None:
    from tests.attack.cases import SIDED

    from airshield.scenario import scenario_from_text
    from airshield.scenario.attack import load_attack

    sc = load_attack(tiny.parent / "raid.yaml").scenario
    res = sc.plan.laydown(tiny, simulate=False)
    assert res.model_value == optimise_laydown(load_laydown(tiny), simulate=False).model_value
    with pytest.raises(ValueError, match="places units for scenario 'tiny-game'"):
        scenario_from_text(SIDED).plan.laydown(tiny, simulate=False)
