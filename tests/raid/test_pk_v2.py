"""Raid model v2, part A: Pk by intercept range, weapon-release rules, C2 delay, EW hazard.

Closed forms (a flat curve is today's model; hazard EW over a known dwell loses
``1 - exp(-lambda t)``), rule invariants checked on real nights, the reference engine against
the kernel on hypothesis-generated scenarios with every new rule on, and validation messages.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airshield.catalog import load_catalog
from airshield.errors import ScenarioError
from airshield.kernels import raid as K
from airshield.raid import compile_scenario, draw_night
from airshield.raid.compile import unit_fire_rules
from airshield.raid.engines import run_kernel
from airshield.raid.reference import run_reference
from airshield.testing import (
    assert_conservation,
    assert_results_equal,
    make_effector,
    scenario,
    single_unit_data,
)
from airshield.vocab import Fate

KINDS = ("drone", "decoy", "cruise_missile", "ballistic_missile")


def _sam(range_min_km: float = 0.0, **kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": "sam", "pk": 0.6, "range_km": 30.0, "channels": 2, "ready_rounds": 40,
        "reload_s": 30.0, "interceptor_speed_kmh": 3000.0,
    }  # fmt: skip
    eff = make_effector(**{**args, **kw})
    eff["range_min_km"] = range_min_km
    return eff


def _curve(*pts: tuple[float, float]) -> dict[str, Any]:
    return {"points": [{"range_fraction": x, "pk": p} for x, p in pts]}


# ---- Pk by range -----------------------------------------------------------------------------
def test_pk_at_interpolates_and_is_flat_beyond_the_ends() -> None:
    rf = np.array([0.2, 0.6, 1.0])
    val = np.array([0.9, 0.9, 0.3])
    for f in (K.pk_at, K.pk_at.py_func):
        assert f(3, rf, val, 0.5, 0.0) == 0.9
        assert f(3, rf, val, 0.5, 0.4) == 0.9
        assert f(3, rf, val, 0.5, 0.8) == pytest.approx(0.6)
        assert f(3, rf, val, 0.5, 1.3) == 0.3
        assert f(0, rf, val, 0.5, 0.8) == 0.5  # no curve: the flat pk


def test_flat_curve_reproduces_the_flat_model_exactly() -> None:
    """A curve flat at the type's pk, with pk_model: range, gives today's numbers bit for bit."""
    base = single_unit_data(count=30, effector=_sam(), jitter_km=5.0)
    flat = copy.deepcopy(base)
    flat["engagement"] = {"pk_model": "range"}
    flat["catalog"]["effectors"][0]["pk_curve"] = {
        k: _curve((0.0, 0.6), (0.5, 0.6), (1.0, 0.6)) for k in KINDS
    }
    a = scenario(base).simulate(reps=8, seed=5)
    b = scenario(flat).simulate(reps=8, seed=5)
    assert_results_equal(a, b)
    assert a.outcomes[:, :, 1].sum() > 0  # kills happened


def test_kills_happen_only_where_the_curve_is_positive() -> None:
    """pk 1 inside 0.9 of the range and 0 beyond: every kill's intercept is inside 0.9."""
    eff = _sam(engagement_time_s=0.0)
    eff["pk_curve"] = {k: _curve((0.0, 1.0), (0.9, 1.0), (0.9001, 0.0)) for k in KINDS}
    data = single_unit_data(count=20, effector=eff, jitter_km=20.0)
    data["engagement"] = {"pk_model": "range"}
    data["doctrine"] = {"max_shots_per_threat": 8}
    c = compile_scenario(scenario(data))
    kills = 0
    for seed in range(4):
        night = draw_night(c, np.random.default_rng(seed))
        out = run_kernel(c, night)
        assert out.equals(run_reference(c, night))
        for j in np.flatnonzero(out.fate == Fate.DESTROYED):
            x, y = K.position_at(night.routes[j], out.fate_time_s[j])
            assert math.hypot(x - c.u_x[0], y - c.u_y[0]) <= 0.9001 * 30.0 + 1e-6
            kills += 1
    assert kills > 0


def test_range_curve_lowers_kills_at_the_edge() -> None:
    """Shots restricted to the outer fifth of the envelope: a curve falling there kills less."""
    eff = _sam()
    data = single_unit_data(count=40, effector=eff, jitter_km=3.0)
    data["doctrine"] = {"max_shots_per_threat": 1}
    flat = scenario(copy.deepcopy(data)).simulate(reps=10, seed=1)
    eff2 = copy.deepcopy(data)
    eff2["engagement"] = {"pk_model": "range"}
    eff2["catalog"]["effectors"][0]["pk_curve"] = {
        k: _curve((0.0, 0.6), (0.5, 0.6), (1.0, 0.1)) for k in KINDS
    }
    edge = scenario(eff2).simulate(reps=10, seed=1)
    # the first (only) shot meets a threat coming in head-on near the edge of the envelope
    assert edge.outcomes[:, :, 1].sum() < flat.outcomes[:, :, 1].sum()


# ---- weapon-release rules ----------------------------------------------------------------------
def test_firing_range_fraction_keeps_intercepts_inside() -> None:
    eff = _sam(engagement_time_s=0.0, pk=1.0)
    data = single_unit_data(count=15, effector=eff, jitter_km=10.0)
    data["doctrine"] = {"firing_range_fraction": 0.4}
    c = compile_scenario(scenario(data))
    assert c.u_fire_range[0] == pytest.approx(12.0)
    n_kill = 0
    for seed in range(3):
        night = draw_night(c, np.random.default_rng(seed))
        out = run_kernel(c, night)
        assert out.equals(run_reference(c, night))
        for j in np.flatnonzero(out.fate == Fate.DESTROYED):
            x, y = K.position_at(night.routes[j], out.fate_time_s[j])
            assert math.hypot(x - c.u_x[0], y - c.u_y[0]) <= 12.0 + 1e-6
            n_kill += 1
    assert n_kill > 0


def test_shots_per_threat_caps_rounds_by_threat_type() -> None:
    eff = _sam(pk=0.05)  # misses a lot, so shoot-look-shoot would fire again
    data = single_unit_data(count=12, effector=eff)
    data["doctrine"] = {"max_shots_per_threat": 4}
    free = scenario(copy.deepcopy(data)).simulate(reps=4, seed=0)
    data["doctrine"]["shots_per_threat"] = {"shahed-136": 1}
    capped = scenario(data).simulate(reps=4, seed=0)
    assert free.shots.sum(axis=1).max() > 12
    assert (capped.shots.sum(axis=1) <= 12).all()
    assert capped.shots.sum() > 0


def test_rules_inherit_scenario_then_type_then_unit() -> None:
    data = single_unit_data(count=2, effector=_sam())
    data["doctrine"] = {
        "firing_range_fraction": 0.9,
        "shots_per_threat": {"shahed-136": 2, "gerbera": 1},
        "c2_delay": {"kind": "fixed", "delay_s": 5.0},
        "effectors": {"sam": {"firing_range_fraction": 0.7, "shots_per_threat": {"gerbera": 3}}},
    }
    data["fire_units"][0]["rules"] = {"c2_delay": {"kind": "uniform", "min_s": 1, "max_s": 3}}
    sc = scenario(data)
    r = unit_fire_rules(sc, "sam", 0)
    assert r.firing_range_fraction == 0.7  # type over scenario
    assert r.shots_per_threat == {"shahed-136": 2, "gerbera": 3}  # merged key by key
    assert r.c2_delay is not None and r.c2_delay.kind == "uniform"  # unit over scenario
    c = compile_scenario(sc)
    assert c.u_c2_kind[0] == 2 and c.u_fire_range[0] == pytest.approx(0.7 * 30.0)


def test_c2_delay_closed_form_and_saturation() -> None:
    """A fixed delay: the kill lands at the intercept of a launch ``d`` after the decision;
    a delay longer than every launch window means no shot at all."""
    eff = _sam(engagement_time_s=0.0, pk=1.0, channels=1)
    data = single_unit_data(count=1, effector=eff)
    base = compile_scenario(scenario(copy.deepcopy(data)))
    night0 = draw_night(base, np.random.default_rng(3))
    out0 = run_kernel(base, night0)
    assert out0.fate[0] == Fate.DESTROYED
    ws = K.new_windows(16)
    w, _m = K.windows_of(base.units(), base.doctrine(), night0.arrays(), ws, base.physics())
    t_dec = max(float(w.start[0]), float(night0.t_track[0]))
    d = 20.0
    data["doctrine"] = {"c2_delay": {"kind": "fixed", "delay_s": d}}
    c = compile_scenario(scenario(copy.deepcopy(data)))
    night = draw_night(c, np.random.default_rng(3))
    out = run_kernel(c, night)
    assert out.equals(run_reference(c, night))
    want = K.intercept_time(
        night.routes[0], night.speed[0], c.u_x[0], c.u_y[0], c.u_speed[0], t_dec + d,
        float(w.env_start[0]), float(w.env_end[0]),
    )  # fmt: skip
    assert out.fate[0] == Fate.DESTROYED and out.fate_time_s[0] == want
    assert want > out0.fate_time_s[0]
    data["doctrine"] = {"c2_delay": {"kind": "fixed", "delay_s": 40000.0}}
    r = scenario(data).simulate(reps=3, seed=0)
    assert r.shots.sum() == 0 and r.outcomes[:, :, 1].sum() == 0


def test_c2_delay_draws_leave_old_draws_alone() -> None:
    """The C2 uniforms come after every draw of version 1: the rest of the night is the same."""
    data = single_unit_data(count=10, effector=_sam())
    c0 = compile_scenario(scenario(copy.deepcopy(data)))
    data["doctrine"] = {"c2_delay": {"kind": "triangular", "min_s": 2, "mode_s": 5, "max_s": 30}}
    c1 = compile_scenario(scenario(data))
    a, b = draw_night(c0, np.random.default_rng(9)), draw_night(c1, np.random.default_rng(9))
    assert np.array_equal(a.routes, b.routes) and np.array_equal(a.u_shot, b.u_shot)
    assert a.c2_u.shape == (10, 0) and b.c2_u.shape == (10, 3)


def test_triangular_delay_inverse_cdf() -> None:
    u = np.linspace(0.0, 1.0, 2001)
    d = np.array([K.c2_delay_s(3, 2.0, 5.0, 30.0, x) for x in u])
    assert d[0] == 2.0 and d[-1] == 30.0 and np.all(np.diff(d) >= 0)
    # the CDF at the mode is (mode - min) / (max - min)
    assert np.interp(5.0, d, u) == pytest.approx(3.0 / 28.0, abs=1e-3)
    assert np.mean(d) == pytest.approx((2 + 5 + 30) / 3, rel=2e-3)


# ---- EW v2 -------------------------------------------------------------------------------------
def _ew_data(rate_per_min: float, resistance: float = 0.0, count: int = 400) -> dict[str, Any]:
    jam = make_effector(name="jam", kind="ew", pk=0.3, range_km=10.0, channels=1)
    jam["ew_hazard_per_min"] = {k: rate_per_min for k in KINDS}
    data = single_unit_data(count=count, effector=jam)
    # the jammer 50 km short of the asset on the straight route: every threat crosses the full
    # 20 km chord of its field
    data["fire_units"][0]["lon"] = 30.0 + 50.0 / 71.6
    data["engagement"] = {"ew_model": "hazard"}
    data["doctrine"] = {"max_ew_attempts": 1}
    if resistance:
        data["catalog"]["threats"] = [
            {
                **load_catalog().threats["shahed-136"].model_dump(),
                "name": "shahed-ew",
                "ew_resistance": resistance,
            }
        ]
        data["waves"][0]["threat"] = "shahed-ew"
    return data


def test_hazard_ew_over_a_known_dwell_loses_one_minus_exp() -> None:
    rate = 0.08  # per minute
    sc = scenario(_ew_data(rate))
    c = compile_scenario(sc)
    night = draw_night(c, np.random.default_rng(0))
    ws = K.new_windows(64)
    w, m = K.windows_of(c.units(), c.doctrine(), night.arrays(), ws, c.physics())
    dwell_s = np.asarray(w.end[:m] - w.start[:m])
    assert m == c.n_threats and np.allclose(dwell_s, dwell_s.mean(), rtol=5e-3)
    # per threat, exactly: lost iff its exponential / rate falls inside the dwell
    out = run_kernel(c, night)
    assert out.equals(run_reference(c, night))
    lost = out.fate == Fate.LOST
    assert np.array_equal(lost, night.ew_e[:, 0] / (rate / 60.0) <= dwell_s)
    # and in distribution: the lost share is 1 - exp(-rate t)
    r = sc.simulate(reps=10, seed=4)
    p = 1.0 - math.exp(-rate * dwell_s.mean() / 60.0)
    n = r.outcomes[:, 0, 0].sum()
    share = r.outcomes[:, 0, 2].sum() / n
    assert abs(share - p) < 4.0 * math.sqrt(p * (1 - p) / n)
    assert_conservation(r)


def test_ew_resistance_scales_the_hazard() -> None:
    rate, res = 0.12, 0.75
    c0 = compile_scenario(scenario(_ew_data(rate * (1 - res))))
    c1 = compile_scenario(scenario(_ew_data(rate, resistance=res)))
    for seed in range(3):
        a = run_kernel(c0, draw_night(c0, np.random.default_rng(seed)))
        n1 = draw_night(c1, np.random.default_rng(seed))
        b = run_kernel(c1, n1)
        assert np.array_equal(a.fate, b.fate)
        assert np.allclose(a.fate_time_s, b.fate_time_s, rtol=1e-12)
        assert b.equals(run_reference(c1, n1))
    immune = scenario(_ew_data(rate, resistance=1.0)).simulate(reps=2, seed=0)
    assert immune.outcomes[:, :, 2].sum() == 0


def test_resistance_scales_the_attempt_model_too() -> None:
    data = _ew_data(0.1, resistance=1.0)
    del data["catalog"]["effectors"][0]["ew_hazard_per_min"]
    data["engagement"] = {}
    r = scenario(data).simulate(reps=2, seed=0)
    assert r.outcomes[:, :, 2].sum() == 0


def test_attempt_rate_conversion_keeps_the_loss_of_one_dwell() -> None:
    jam = load_catalog().effectors["ew-jammer"]
    from airshield.raid.compile import ew_rate_per_s

    lam = ew_rate_per_s(jam, "drone")
    assert 1.0 - math.exp(-lam * jam.engagement_time_s) == pytest.approx(jam.pk.drone)


# ---- reference = kernel with every rule on -----------------------------------------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["missile", "gun", "interceptor_drone"]),
    pk=st.floats(0.05, 1.0),
    range_km=st.floats(2.0, 60.0),
    channels=st.integers(1, 4),
    ready=st.integers(0, 12),
    speed=st.floats(150.0, 6000.0),
    curve=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5),
    frac=st.floats(0.3, 1.0),
    cap=st.integers(0, 4),
    delay=st.sampled_from(
        [
            None,
            {"kind": "fixed", "delay_s": 15.0},
            {"kind": "uniform", "min_s": 0.0, "max_s": 120.0},
            {"kind": "triangular", "min_s": 5.0, "mode_s": 20.0, "max_s": 300.0},
        ]
    ),
    ew_rate=st.floats(0.0, 2.0),
    resistance=st.floats(0.0, 1.0),
    policy=st.sampled_from(["shoot-look-shoot", "salvo"]),
    count=st.integers(1, 25),
    jitter=st.floats(0.0, 30.0),
    window=st.floats(0.0, 3600.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_reference_equals_kernel_with_v2_rules(
    kind: str, pk: float, range_km: float, channels: int, ready: int, speed: float,
    curve: list[float], frac: float, cap: int, delay: dict | None, ew_rate: float,
    resistance: float, policy: str, count: int, jitter: float, window: float, seed: int,
) -> None:  # fmt: skip
    eff = make_effector(
        name="e", kind=kind, pk=pk, range_km=range_km, channels=channels, ready_rounds=ready,
        interceptor_speed_kmh=speed, engagement_time_s=5.0,
    )  # fmt: skip
    xs = np.linspace(0.0, 1.0, len(curve))
    eff["pk_curve"] = {k: _curve(*zip(xs.tolist(), curve, strict=True)) for k in KINDS[:3]}
    jam = make_effector(name="jam", kind="ew", pk=0.3, range_km=15.0, channels=2)
    jam["ew_hazard_per_min"] = {k: ew_rate for k in KINDS}
    data = single_unit_data(
        count=count, effector=eff, unit={"pool": "p"},
        pools=[{"name": "p", "effector": "e", "stock": 6}], jitter_km=jitter,
        launch_window_s=(0.0, window),
        doctrine={
            "policy": policy, "salvo_size": 2, "max_shots_per_threat": 4,
            "firing_range_fraction": frac, "c2_delay": delay,
            "effectors": {"mobile-gun": {"shots_per_threat": {"shahed-136": cap}}},
        },
    )  # fmt: skip
    data["catalog"]["effectors"].append(jam)
    data["catalog"]["threats"] = [
        {
            **load_catalog().threats["shahed-136"].model_dump(),
            "name": "shahed-ew",
            "ew_resistance": resistance,
        }
    ]
    data["waves"].append({**data["waves"][0], "name": "w2", "threat": "shahed-ew"})
    data["engagement"] = {"pk_model": "range", "ew_model": "hazard"}
    data["fire_units"] += [
        {"kind": "ring", "name": "g", "effector": "mobile-gun", "around": "a", "count": 3,
         "radius_km": 2.0, "rules": {"c2_delay": {"kind": "fixed", "delay_s": 4.0}}},
        {"kind": "unit", "name": "j", "effector": "jam", "lat": 50.0, "lon": 30.3},
    ]  # fmt: skip
    if data["doctrine"]["c2_delay"] is None:
        del data["doctrine"]["c2_delay"]
    c = compile_scenario(scenario(data))
    night = draw_night(c, np.random.default_rng(seed))
    a, b = run_kernel(c, night), run_reference(c, night)
    assert a.equals(b)
    assert (a.fired >= 0).all() and (a.ready_end >= 0).all() and (a.stock_end >= 0).all()


def test_batch_kernel_equals_reference_with_v2_rules() -> None:
    """The batched path (draw_blocks / run_batch) with every rule on, against the reference."""
    data = _ew_data(0.05, resistance=0.3, count=30)
    data["catalog"]["effectors"].append(_sam())
    data["catalog"]["effectors"][-1]["pk_curve"] = {"drone": _curve((0, 0.9), (1, 0.2))}
    data["fire_units"].append(
        {"kind": "unit", "name": "s", "effector": "sam", "lat": 50.0, "lon": 30.0}
    )
    data["engagement"] = {"pk_model": "range", "ew_model": "hazard"}
    data["doctrine"] = {
        "max_ew_attempts": 2,
        "c2_delay": {"kind": "uniform", "min_s": 5, "max_s": 60},
        "shots_per_threat": {"shahed-ew": 2},
        "firing_range_fraction": 0.8,
    }
    sc = scenario(data)
    a = sc.simulate(reps=5, seed=8, engine="kernel")
    b = sc.simulate(reps=5, seed=8, engine="reference")
    assert_results_equal(a, b)
    assert a.outcomes[:, :, 1].sum() > 0 and a.outcomes[:, :, 2].sum() > 0


# ---- validation and the catalog ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"doctrine": {"effectors": {"nope": {"firing_range_fraction": 0.5}}}}, "nope"),
        ({"doctrine": {"shots_per_threat": {"shahed-136": 9}}}, "max_shots_per_threat"),
        ({"doctrine": {"shots_per_threat": {"no-such": 1}}}, "no-such"),
        ({"doctrine": {"firing_range_fraction": 0.01}}, "never fire"),
        ({"curve": True}, "pk_model: range"),
    ],
)
def test_bad_rules_are_clear_errors(patch: dict[str, Any], needle: str) -> None:
    eff = _sam(range_min_km=1.0)
    data = single_unit_data(count=2, effector=eff)
    if patch.pop("curve", False):
        eff["pk_curve"] = {"drone": _curve((0, 0.5))}
    data.update(patch)
    with pytest.raises(ScenarioError, match=needle):
        scenario(data)


def test_catalog_json_shows_pk_curves() -> None:
    p = subprocess.run(
        [sys.executable, "-m", "airshield", "catalog", "--json"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    doc = json.loads(p.stdout)
    by = {e["name"]: e for e in doc["effectors"]}
    pat = by["patriot"]["pk_curve"]
    assert set(pat) == set(KINDS)
    pts = pat["drone"]["points"]
    assert pts[0] == {"range_fraction": 0.0, "pk": 0.9} and pts[-1]["pk"] < pts[0]["pk"]
    assert pat["drone"]["source"] == "macfadzean-1992"
    ew = by["ew-jammer"]["pk_curve"]["drone"]
    assert ew["source"] == "flat" and {p["pk"] for p in ew["points"]} == {0.3}
