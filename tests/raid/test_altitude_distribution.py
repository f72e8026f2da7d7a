"""Altitude distributions of threat types: the quartile draw in both engines, bit-identical, the
old uniform draw unchanged for types without quartiles, the drawn quartiles equal to the
catalog's, and the 2026 examples run."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

import airshield
from airshield.catalog import load_catalog
from airshield.examples import list_examples
from airshield.raid import compile_scenario, draw_night
from airshield.raid.engines import run_kernel
from airshield.raid.montecarlo import kernel_draw
from airshield.raid.reference import run_reference
from airshield.testing import scenario, single_unit_data
from airshield.vocab import Route

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NEW = ("ukraine-2025-09-07", "ukraine-2026-1000-drones")


def two_type_raid(n: int, extra_threats: list[dict] | None = None) -> airshield.Scenario:
    """``n`` Shahed-type drones of the 2026 profile and ``n`` of the old profile, one wave each."""
    data = single_unit_data(count=n, threat="shahed-136-2026", launch_window_s=(0.0, 600.0))
    w2 = dict(data["waves"][0], name="old", threat="shahed-136")
    data["waves"].append(w2)
    if extra_threats:
        data["catalog"]["threats"] = extra_threats
    return scenario(data)


def uniforms_of_altitude(c: object, seed: int) -> np.ndarray:
    """The altitude uniforms of a replication, drawn in the documented order (launch, target,
    route jitter, aim point, altitude)."""
    n = c.n_threats  # type: ignore[attr-defined]
    rng = np.random.default_rng(seed)
    rng.random(n), rng.random(n), rng.standard_normal(n), rng.random((n, 2))
    return rng.random(n)


def test_types_without_quartiles_draw_exactly_as_before() -> None:
    c = compile_scenario(two_type_raid(300))
    old = c.th_type == c.threat_types.index("shahed-136")
    for seed in range(3):
        night = draw_night(c, np.random.default_rng(seed))
        u = uniforms_of_altitude(c, seed)
        t = c.th_type
        before = c.tt_alt_min[t] + u * (c.tt_alt_max[t] - c.tt_alt_min[t])
        assert np.array_equal(night.routes[old, Route.ALT1], before[old])
        assert not np.array_equal(night.routes[~old, Route.ALT1], before[~old])


def test_drawn_altitudes_follow_the_quartiles() -> None:
    c = compile_scenario(two_type_raid(20_000))
    new = c.th_type == c.threat_types.index("shahed-136-2026")
    alt = draw_night(c, np.random.default_rng(5)).routes[new, Route.ALT1]
    cat = load_catalog().threats["shahed-136-2026"]
    knots = cat.altitude_knots_km()
    assert alt.min() >= knots[0] and alt.max() <= knots[-1]
    got = np.quantile(alt, [0.25, 0.5, 0.75])
    assert got == pytest.approx(knots[1:4], abs=0.05)
    # piecewise uniform: each quarter's mean is its sub-band's midpoint
    for lo, hi in pairwise(knots):
        inside = alt[(alt >= lo) & (alt < hi)]
        assert inside.size / alt.size == pytest.approx(0.25, abs=0.015)
        assert inside.mean() == pytest.approx((lo + hi) / 2, abs=0.03)
    # a quarter of the drones fly above the 3 km ceiling of interceptor drones and rockets
    assert (alt > 3.0).mean() == pytest.approx(0.25, abs=0.015)


def test_evenly_spaced_quartiles_are_the_uniform_band() -> None:
    even = {
        "name": "even",
        "kind": "drone",
        "speed_kmh": 185.0,
        "altitude_min_km": 0.5,
        "altitude_max_km": 2.5,
        "altitude_q25_km": 1.0,
        "altitude_q50_km": 1.5,
        "altitude_q75_km": 2.0,
        "range_km": 2500.0,
        "warhead_kg": 50.0,
        "cost_usd": 35000.0,
        "lethality": 0.002,
    }
    plain = {k: v for k, v in even.items() if not k.startswith("altitude_q")} | {"name": "plain"}
    data = single_unit_data(count=500, threat="even")
    data["waves"].append(dict(data["waves"][0], name="plain", threat="plain"))
    data["catalog"]["threats"] = [even, plain]
    c = compile_scenario(scenario(data))
    night = draw_night(c, np.random.default_rng(1))
    u = uniforms_of_altitude(c, 1)
    np.testing.assert_allclose(night.routes[:, Route.ALT1], 0.5 + 2.0 * u, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", NEW)
def test_compiled_draw_equals_draw_night_with_quartiles(name: str) -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / f"{name}.yaml"))
    assert c.tt_alt_dist.any()
    for seed in range(2):
        ref = draw_night(c, np.random.default_rng(seed))
        assert np.array_equal(kernel_draw(c, np.random.default_rng(seed)).routes, ref.routes)
        a, b = run_kernel(c, ref), run_reference(c, ref)
        assert a.equals(b), f"{name} seed {seed}"


def test_kernel_and_reference_simulate_alike_with_quartiles() -> None:
    sc = two_type_raid(40)
    a = sc.simulate(reps=4, seed=3, engine="kernel")
    b = sc.simulate(reps=4, seed=3, engine="reference")
    assert np.array_equal(a.outcomes, b.outcomes)
    assert np.array_equal(a.shots, b.shots)


def test_new_examples_are_listed() -> None:
    assert set(NEW) <= set(list_examples())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "airshield", *args],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )


def test_new_examples_validate_and_run() -> None:
    res = _cli("validate", *NEW)
    assert res.returncode == 0, res.stderr
    assert "823 threats" in res.stdout and "1036 threats" in res.stdout
    for name, drones, missiles in (
        ("ukraine-2025-09-07", 810, 13),
        ("ukraine-2026-1000-drones", 1000, 36),
    ):
        res = _cli("run", name, "--reps", "3", "--seed", "1", "--json")
        assert res.returncode == 0, res.stderr
        s = json.loads(res.stdout)
        assert s["reps"] == 3
        launched = {t["threat_type"]: t["launched"]["mean"] for t in s["threats"]}
        kinds = {t["threat_type"]: t["kind"] for t in s["threats"]}
        n_drones = sum(v for k, v in launched.items() if kinds[k] in ("drone", "decoy"))
        assert n_drones == drones
        assert sum(launched.values()) - n_drones == missiles
        assert launched["shahed-136-2026"] > 0.4 * drones and launched["geran-3"] > 0
        assert launched["gerbera"] == drones / 2
        tot = s["totals"]
        assert tot["launched"]["mean"] == pytest.approx(
            tot["destroyed"]["mean"] + tot["lost"]["mean"] + tot["leaked"]["mean"]
        )


def test_an_attack_altitude_band_is_flown_uniformly_even_for_a_type_with_quartiles() -> None:
    from tests.attack.cases import SIDED_ATTACK

    from airshield.scenario.attack import attack_from_text

    text = SIDED_ATTACK.replace("threat: shahed-136,", "threat: shahed-136-2026,")
    a = attack_from_text(text)
    sc = a.resolve(a.space.plan_of({"altitude:drones": "high"}))
    (w,) = sc.waves
    t = sc.resolved_catalog().threats[w.threat]
    assert (t.altitude_min_km, t.altitude_max_km) == (2.0, 3.5)
    assert not t.has_altitude_distribution
    ThreatType = type(t)
    ThreatType.model_validate(t.model_dump())  # a valid type, not a copy with stale quartiles
    c = compile_scenario(sc)
    alt = draw_night(c, np.random.default_rng(2)).routes[:, Route.ALT1]
    assert alt.min() >= 2.0 and alt.max() <= 3.5
