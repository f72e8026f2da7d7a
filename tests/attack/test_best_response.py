"""Best response: common random numbers, the KN guard, the search, the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from tests.attack.cases import SIDED, SIDED_ATTACK

from airshield.plan.attack import PlanEvaluator, best_response, kn_eta, kn_select
from airshield.scenario.attack import Plan, attack_from_text


def test_same_plan_twice_gives_the_same_numbers_and_prefixes_agree() -> None:
    a = attack_from_text(SIDED_ATTACK)
    p = a.space.default_plan()
    e1 = PlanEvaluator(a, seed=5)
    e1.ensure([p], 12)
    e2 = PlanEvaluator(a, seed=5, block=5)
    e2.ensure([p], 7)
    e2.ensure([p], 12)  # the rest added later, in other blocks
    np.testing.assert_array_equal(e1.values(p), e2.values(p))
    # and equal to the raid engine's own run of the resolved scenario
    res = a.resolve(p).simulate(12, seed=5)
    np.testing.assert_array_equal(e1.values(p), res.totals_frame()["leaked_harmful"].to_numpy())


def test_plans_resolving_to_one_scenario_are_simulated_once() -> None:
    text = SIDED + textwrap.dedent(
        """\
        attack:
          choices:
            - kind: altitude
              waves: [drones]
              options: [{name: a, min_km: 0.1, max_km: 2.5}, {name: b, min_km: 0.1, max_km: 2.5}]
        """
    )
    a = attack_from_text(text)
    ev = PlanEvaluator(a, seed=1)
    ev.ensure([Plan((0,)), Plan((1,))], 4)
    assert ev.evaluations == 4


def test_closed_form_worst_plan_is_the_open_side() -> None:
    """From the west (or swinging round to the south) no unit can reach the drones: every one
    of the 30 leaks on every night, which no plan can exceed. The default (from the east, into
    the defended arc) leaks fewer."""
    a = attack_from_text(SIDED_ATTACK)
    br = best_response(a, reps=20, seed=2)
    assert br.worst.mean == 30.0 and br.worst.p5 == 30.0 and br.worst.p95 == 30.0
    assert br.worst.plan["approach:drones"] in ("from-west", "swing-south")
    assert br.default.mean < 30.0
    assert br.gain["ci_low"] > 0
    assert br.method == "enumeration" and br.plans_evaluated == 6
    assert br.worst.mean >= br.default.mean  # the worst case is never below the mean case
    assert [t.mean for t in br.top] == sorted((t.mean for t in br.top), reverse=True)


DOMINANT = textwrap.dedent(
    """\
    name: dominant
    notional: true
    assets:
      - {name: city, lat: 50.0, lon: 30.0, value_usd: 1.0e9, radius_km: 1}
      - {name: depot, lat: 50.0, lon: 29.0, value_usd: 1.0e8, radius_km: 1}
    sensors:
      - {kind: coverage, name: net, p_detect: 1.0}
    fire_units:
      - {kind: ring, name: east, effector: interceptor-drone, around: city, count: 4, radius_km: 20, bearing_deg: 90, arc_deg: 90, pool: ids}
      - {kind: unit, name: depot-gun, effector: mobile-gun, lat: 50.0, lon: 29.0}
    pools:
      - {name: ids, effector: interceptor-drone, stock: 40}
    launch_sites:
      - {name: east-site, lat: 50.0, lon: 32.0}
      - {name: north-site, lat: 51.8, lon: 30.0}
    waves:
      - {name: a, threat: shahed-136, count: 20, launch_site: east-site, launch_start_s: 0, launch_end_s: 1800, route_jitter_km: 1}
      - {name: b, threat: shahed-136, count: 20, launch_site: east-site, launch_start_s: 0, launch_end_s: 1800, route_jitter_km: 1}
    attack:
      choices:
        - kind: approach
          waves: [a]
          options: [{name: east}, {name: north, launch_site: north-site}]
        - kind: approach
          name: b-route
          waves: [b]
          options: [{name: east}, {name: north, launch_site: north-site}]
        - kind: targets
          waves: [a, b]
          options: [{name: city, targets: {city: 1}}, {name: depot, targets: {depot: 1}}, {name: value}]
        - kind: altitude
          waves: [a, b]
          options: [{name: low, min_km: 0.1, max_km: 2.5}, {name: high, min_km: 3.2, max_km: 3.5}]
    """
)


def test_coordinate_ascent_finds_the_dominant_plan() -> None:
    """Flying above the interceptor drones' 3 km ceiling makes every drone leak whatever the
    route and target: (altitude high) dominates. Coordinate ascent (enumeration disabled)
    must find a plan with every drone leaking, i.e. altitude high."""
    a = attack_from_text(DOMINANT)
    assert a.space.size == 24
    br = best_response(a, reps=16, seed=4, enumerate_max=1)
    assert br.method == "coordinate ascent"
    assert br.worst.plan["altitude:a+b"] == "high"
    assert br.worst.mean == 40.0
    assert br.plans_evaluated < a.space.size


def test_kn_guard_does_not_crown_a_lucky_draw() -> None:
    """Two plans that are the same in distribution but not in their draws (the same wave from
    two mirror-image sites): KN must keep both (no separation) rather than pick the one that
    happens to look worse for the defence."""
    text = SIDED.replace(
        "  - {name: west-site, lat: 50.0, lon: 28.0}",
        "  - {name: west-site, lat: 50.0, lon: 28.0}\n  - {name: east-2, lat: 50.0, lon: 32.0}",
    ) + textwrap.dedent(
        """\
        attack:
          choices:
            - kind: approach
              waves: [drones]
              options: [{name: e1}, {name: e2, launch_site: east-2}]
        """
    )
    a = attack_from_text(text)
    ev = PlanEvaluator(a, seed=9)
    race = kn_select(ev, [Plan((0,)), Plan((1,))], n0=10, max_reps=30, alpha=0.05, delta=2.0)
    assert not race.separated and len(race.survivors) == 2


def test_kn_eta_matches_the_formula() -> None:
    assert kn_eta(2, 11, 0.05) == pytest.approx(0.5 * ((0.1) ** (-0.2) - 1))


def test_budget_is_respected() -> None:
    a = attack_from_text(DOMINANT)
    br = best_response(a, reps=16, seed=4, enumerate_max=1, budget_evals=40)
    assert br.evaluations <= 40 + 16  # the final paired estimate may top up the default
    assert br.budget_exhausted


def test_worker_invariance() -> None:
    a = attack_from_text(SIDED_ATTACK)
    one = best_response(a, reps=12, seed=3, workers=1).to_dict()
    two = best_response(a, reps=12, seed=3, workers=2).to_dict()
    assert one == two


def test_a_callers_evaluator_is_reused_and_left_open() -> None:
    """Given an evaluator, the best response is the same, its replications stay in the
    caller's cache (nothing is simulated again for them) and the evaluator stays usable."""
    a = attack_from_text(SIDED_ATTACK)
    alone = best_response(a, reps=12, seed=3).to_dict()
    ev = PlanEvaluator(a, seed=3)
    shared = best_response(a, reps=12, seed=3, evaluator=ev)
    assert shared.to_dict() == alone
    done = ev.evaluations
    worst = a.space.plan_of(shared.worst.plan)
    ev.ensure([a.space.default_plan(), worst], ev.have(worst))
    assert ev.evaluations == done
    np.testing.assert_allclose(ev.values(worst, shared.worst.reps).mean(), shared.worst.mean)
    with pytest.raises(ValueError, match="same attack, seed and objective"):
        best_response(a, reps=12, seed=4, evaluator=ev)
    ev.close()


def test_json_is_one_document(tmp_path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SIDED_ATTACK)
    p = subprocess.run(
        [sys.executable, "-m", "airshield", "attack", "best-response", str(f), "--reps", "10",
         "--seed", "1", "--json", "--budget-evals", "500"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)  # exactly one document (json.loads refuses trailing data)
    assert doc["worst"]["mean"] == 30.0
    assert doc["evaluations"] <= 500
    assert {"worst", "default", "top", "evaluations", "guard"} <= set(doc)


def test_bad_objective_exits_2(tmp_path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(SIDED_ATTACK)
    p = subprocess.run(
        [sys.executable, "-m", "airshield", "attack", "best-response", str(f), "--objective",
         "nope"], capture_output=True, text=True,
    )  # fmt: skip
    assert p.returncode == 2 and "Traceback" not in p.stderr
