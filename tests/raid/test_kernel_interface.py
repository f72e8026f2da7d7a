"""The kernel's seams: the vocabulary, the compiled draw and tally against their readable
statements, the stable event order, the engine registry and the eligibility rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import airshield
from airshield.catalog import THREAT_KINDS, load_catalog
from airshield.kernels import raid as K
from airshield.raid import compile_scenario, draw_night
from airshield.raid.engines import (
    ENGINES,
    EngineFeature,
    EngineUnavailable,
    choose_engine,
    run_kernel,
)
from airshield.raid.montecarlo import kernel_batch, kernel_draw, tally
from airshield.raid.reference import run_reference
from airshield.vocab import (
    FATE_LABELS,
    MAX_LEGS,
    ROUTE_COLS,
    EffectorKind,
    Fate,
    Outcome,
    Route,
    ThreatKind,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"


# ---- vocabulary ---------------------------------------------------------------------------------
def test_vocabulary_matches_catalog_and_result_columns() -> None:
    assert tuple(k.label for k in ThreatKind) == THREAT_KINDS
    kinds = {e.kind for e in load_catalog().effectors.values()}
    assert kinds <= {k.label for k in EffectorKind}
    assert tuple(o.label for o in Outcome) == ("launched", "destroyed", "lost", "leaked")
    assert [Outcome.of_fate(f) for f in (Fate.DESTROYED, Fate.LOST, Fate.LEAKED)] == [
        Outcome.DESTROYED,
        Outcome.LOST,
        Outcome.LEAKED,
    ]
    assert FATE_LABELS == tuple(Fate(i).label for i in range(3))
    assert ROUTE_COLS == K.N_ROUTE == 4 * MAX_LEGS + 5
    # the kernel's compile-time constants are the enum values
    assert (K.K_EW, K.BALLISTIC, K.DECOY, K.LEAKED, K.EV_TRACK) == (
        EffectorKind.EW,
        ThreatKind.BALLISTIC_MISSILE,
        ThreatKind.DECOY,
        Fate.LEAKED,
        5,
    )


# ---- compiled draw, windows and tally = their readable statements ---------------------------------
@pytest.mark.parametrize("name", ["kyiv-2025-07-04", "one-battery", "ukraine-2025-06-01"])
def test_compiled_draw_equals_draw_night(name: str) -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / f"{name}.yaml"))
    for seed in range(3):
        ref = draw_night(c, np.random.default_rng(seed))
        d = kernel_draw(c, np.random.default_rng(seed))
        for got, want in (
            (d.routes, ref.routes), (d.target, ref.target), (d.speed, ref.speed),
            (d.kind, ref.kind), (d.pkind, ref.pkind), (d.value, ref.value),
            (d.recognised, ref.recognised), (d.t_track, ref.t_track), (d.u_shot, ref.u_shot),
        ):  # fmt: skip
            assert np.array_equal(got, want)


def test_batch_tally_equals_numpy_tally_of_single_nights() -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml"))
    seeds = list(range(5))
    out = kernel_batch(c, [np.random.default_rng(s) for s in seeds])
    for b, s in enumerate(seeds):
        night = draw_night(c, np.random.default_rng(s))
        rec = tally(c, night.target, run_kernel(c, night))
        assert np.array_equal(out.outcomes[b], rec.outcomes)
        assert np.array_equal(out.destroyed_by[b], rec.destroyed_by)
        assert np.array_equal(out.lost_by[b], rec.lost_by)
        assert np.array_equal(out.shots[b], rec.shots)
        assert np.array_equal(out.cost_usd[b], rec.cost_usd)
        assert np.array_equal(out.unit_shots[b], rec.unit_shots)
        assert np.array_equal(out.hits[b], rec.hits)
        assert np.array_equal(c.a_value * (1.0 - np.exp(out.log_survival[b])), rec.damage_usd)
        assert np.array_equal(out.pool_drawn[b], rec.pool_drawn)


@pytest.mark.parametrize(
    "name", ["kyiv-2025-07-04", "kyiv-2025-07-04-engagement-v2", "kyiv-cheap-layer-2026"]
)
def test_stepwise_batch_equals_the_compiled_batch_call(name: str) -> None:
    # a first run replicates with run_batch's Python body over its compiled parts while the
    # batch call compiles (airshield.warmup.prepare_run): the same numbers, bit for bit
    c = compile_scenario(airshield.load_scenario(EXAMPLES / f"{name}.yaml"))
    rngs = lambda: [np.random.default_rng(s) for s in range(6)]  # noqa: E731
    compiled = kernel_batch(c, rngs(), stepwise=False)
    stepwise = kernel_batch(c, rngs(), stepwise=True)
    for f in compiled._fields:
        a, b = getattr(compiled, f), getattr(stepwise, f)
        assert a.dtype == b.dtype and a.shape == b.shape, f
        assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), f
    assert compiled.outcomes.sum() > 0


def test_windows_respect_the_stated_bound() -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml"))
    night = draw_night(c, np.random.default_rng(1))
    w, m = K.windows_of(c.units(), c.doctrine(), night.arrays(), K.new_windows(1), c.physics())
    assert m > 1000  # the one-row buffer grew
    pairs = w.threat[:m] * len(c.unit_names) + w.unit[:m]
    assert np.bincount(pairs).max() <= K.WINDOWS_PER_PAIR_BOUND
    assert (np.diff(w.threat[:m]) >= 0).all()  # grouped threat by threat


def test_launch_windows_from_leg_geometry_equal_launch_window() -> None:
    """The window phase's launch windows from the per-threat leg geometry are those of
    ``launch_window`` bit for bit, on every envelope window of a night (EW units included)."""
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml"))
    night = draw_night(c, np.random.default_rng(2))
    w, m = K.windows_of(c.units(), c.doctrine(), night.arrays(), K.new_windows(1), c.physics())
    legs = np.empty((MAX_LEGS, 5))
    speed = c.units().speed_kms
    for q in range(0, m, 7):
        j, u = int(w.threat[q]), int(w.unit[q])
        route = night.routes[j]
        K.route_legs(route, legs)
        args = (night.speed[j], c.u_x[u], c.u_y[u], speed[u], w.env_start[q], w.env_end[q])
        want = K.launch_window(route, *args)
        got = K._launch_from_legs(route, legs, int(route[Route.NLEGS]), *args)
        assert np.array_equal(np.array(got).view(np.uint64), np.array(want).view(np.uint64))


def test_kyiv_golden_seeded_output() -> None:
    """Golden output of the reference raid (the kernel's speed work must never change it)."""
    r = airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml").simulate(reps=130, seed=3)
    want = json.loads((GOLDEN / "kyiv_seed3.json").read_text())
    assert r.outcomes.sum(axis=1).tolist() == want["outcomes_per_rep"]
    assert r.unit_shots.sum(axis=0).tolist() == want["unit_shots_sum"]
    assert r.hits.sum(axis=0).tolist() == want["hits_sum"]
    # batches of replications: the first k of a run equal a k-replication run
    r70 = airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml").simulate(reps=70, seed=3)
    assert np.array_equal(r70.outcomes, r.outcomes[:70])
    assert np.array_equal(r70.damage_usd, r.damage_usd[:70])


# ---- event order ---------------------------------------------------------------------------------
time_values = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.5, np.inf, -3.0]),
    st.floats(-1e6, 1e6, allow_nan=False),
)
times = st.lists(time_values, max_size=300)


@settings(max_examples=60, deadline=None)
@given(t=times)
def test_stable_time_order_is_a_stable_argsort(t: list[float]) -> None:
    a = np.array(t, np.float64)
    n = a.shape[0]
    order = np.empty(max(1, n), np.int64)
    keys = np.empty(max(1, n), np.uint64)
    tmp = np.empty(max(1, n), np.int64)
    K.stable_time_order(a.view(np.uint64), n, order, keys, tmp)
    assert np.array_equal(order[:n], np.argsort(a, kind="stable"))


@settings(max_examples=40, deadline=None)
@given(t=times, cut=st.integers(0, 300))
def test_stable_argsort_of_sensing_and_dispatch_is_numpys(t: list[float], cut: int) -> None:
    # sensor_tracks and dispatch_mobiles order threats by it (no numpy mergesort to compile)
    a = np.array(t, np.float64)
    n = min(cut, a.shape[0])
    assert np.array_equal(K._stable_argsort(a, n), np.argsort(a[:n], kind="stable"))


def _time_order(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    n = a.shape[0]
    m = max(1, n)
    order, ts = np.empty(m, np.int64), np.empty(m)
    bucket, cnt = np.empty(m, np.int64), np.empty(m + 1, np.int64)
    keys, tmp = np.empty(m, np.uint64), np.empty(m, np.int64)
    radix = K.time_order(a, a.view(np.uint64), n, order, ts, bucket, cnt, keys, tmp)
    return order[:n], ts[:n], bool(radix)


@settings(max_examples=60, deadline=None)
@given(t=st.lists(st.one_of(st.just(-np.inf), time_values, st.floats(0.0, 3e4)), max_size=300))
def test_time_order_is_a_stable_argsort(t: list[float]) -> None:
    a = np.array(t, np.float64)
    order, ts, _ = _time_order(a)
    ref = np.argsort(a, kind="stable")
    assert np.array_equal(order, ref)
    assert np.array_equal(ts.view(np.uint64), a[ref].view(np.uint64))


def test_time_order_buckets_and_its_radix_fallback() -> None:
    rng = np.random.default_rng(3)
    spread = np.round(rng.random(5000) * 3e4, 1)  # ties, as window openings have
    clustered = np.r_[rng.random(5000) * 100.0, 1e6]  # one outlier: every time in one bucket
    for a, radix in (
        (spread, False),
        (clustered, True),
        (np.array([1e308, -1e308, 0.0, 5.0]), True),  # the span overflows
        (np.array([np.inf, -np.inf, 0.0, -0.0, 1.0, np.inf, -0.0]), False),
        (np.full(7, 2.5), False),
        (np.array([np.inf, np.inf]), False),
        (np.zeros(0), False),
    ):
        order, ts, used_radix = _time_order(a)
        assert used_radix == radix
        assert np.array_equal(order, np.argsort(a, kind="stable"))
        assert np.array_equal(ts.view(np.uint64), a[order].view(np.uint64))


# ---- engines and the eligibility rule ------------------------------------------------------------
def test_engine_registry_and_choice() -> None:
    assert ENGINES["kernel"].has(EngineFeature.BATCH)
    assert ENGINES["reference"].runs_assigner("exact")
    assert choose_engine("auto", "greedy").engine == "kernel"
    auto = choose_engine("auto", "exact")
    assert auto.engine == "reference" and "exact" in auto.note
    with pytest.raises(EngineUnavailable, match="cannot run assigner 'exact'"):
        choose_engine("kernel", "exact")
    with pytest.raises(EngineUnavailable, match="unknown engine"):
        choose_engine("turbo", "greedy")


def test_result_records_the_engine_that_ran() -> None:
    sc = airshield.load_scenario(EXAMPLES / "one-battery.yaml")
    exact = sc.model_copy(update={"doctrine": sc.doctrine.model_copy(update={"assigner": "exact"})})
    r = exact.simulate(reps=2, seed=1)
    s = r.summary()
    assert (s["engine"], s["engine_requested"]) == ("reference", "auto")
    assert "greedy only" in s["engine_note"]
    with pytest.raises(EngineUnavailable):
        exact.simulate(reps=2, seed=1, engine="kernel")
    g = sc.simulate(reps=2, seed=1)
    assert (g.engine, g.engine_note) == ("kernel", "")


def test_cli_kernel_with_unsupported_assigner_exits_2(tmp_path: Path) -> None:
    text = (EXAMPLES / "one-battery.yaml").read_text()
    assert "assigner:" not in text
    path = tmp_path / "local_search.yaml"
    path.write_text(text.replace("doctrine:\n", "doctrine:\n  assigner: local_search\n", 1))
    if "assigner: local_search" not in path.read_text():
        pytest.skip("one-battery.yaml has no doctrine block to extend")
    cmd = [sys.executable, "-m", "airshield", "run", str(path), "--reps", "2", "--engine"]
    bad = subprocess.run([*cmd, "kernel"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2, bad.stderr
    assert "cannot run assigner 'local_search'" in bad.stderr and "Traceback" not in bad.stderr
    ok = subprocess.run([*cmd, "auto", "--json"], capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["engine"] == "reference"
    assert "note:" in ok.stderr


@pytest.mark.parametrize(
    ("p", "cost", "weighted", "value", "threshold", "want"),
    [
        (0.0, 1.0, 1.0, 100.0, 1.0, False),  # no effect
        (0.5, 200.0, 1.0, 100.0, 1.0, False),  # above the cost threshold
        (0.5, 100.0, 1.0, 100.0, 1.0, True),  # exactly at the threshold
        (0.5, 10.0, 50.0, 100.0, 1.0, False),  # gain 100 * 0.5 - 50 = 0
        (0.5, 10.0, 49.0, 100.0, 1.0, True),
    ],
)
def test_kinetic_eligibility_rule(
    p: float, cost: float, weighted: float, value: float, threshold: float, want: bool
) -> None:
    assert K.kinetic_eligible(p, cost, weighted, value, threshold) is want
    assert K.kinetic_eligible.py_func(p, cost, weighted, value, threshold) is want


def test_campaign_bridge_mask_uses_the_rule() -> None:
    from airshield.campaign.bridge import RaidBridge

    sc = airshield.load_scenario(EXAMPLES / "kyiv-2025-07-04.yaml")
    types = list(dict.fromkeys(w.threat for w in sc.waves))
    b = RaidBridge(sc, types)
    mask = b.engage_mask()
    c = b.compiled
    vmax = float(c.a_value.max())
    groups = [*b.pool_units, *b.other_units]
    for t, ct in enumerate(b.ctype_of):
        pt = int(c.tt_perceived[ct])
        value = vmax * float(c.tt_lethality[pt])
        for g, units in enumerate(groups):
            want = any(
                K.kinetic_eligible(
                    c.u_peff[u, c.tt_kind[pt]], c.u_engcost[u], c.u_cwcost[u], value,
                    c.cost_threshold,
                )
                and c.u_amin[u] <= c.tt_alt_max[ct]
                and c.tt_alt_min[ct] <= c.u_amax[u]
                for u in units
            )  # fmt: skip
            assert mask[g, t] == want
    assert mask.any() and not mask.all()


# ---- debug build -------------------------------------------------------------------------------
@pytest.mark.slow
def test_debug_build_with_bounds_checks_agrees(tmp_path: Path) -> None:
    """AIRSHIELD_KERNEL_DEBUG=1 compiles with bounds checks and the buffer-bound assertions (no
    cache); the kernel still equals the reference engine on a real night."""
    code = (
        "import numpy as np, airshield\n"
        "from airshield.kernels import raid as K\n"
        "from airshield.raid import compile_scenario, draw_night\n"
        "from airshield.raid.engines import run_kernel\n"
        "from airshield.raid.reference import run_reference\n"
        "assert K.KERNEL_DEBUG\n"
        f"c = compile_scenario(airshield.load_scenario({str(EXAMPLES / 'one-battery.yaml')!r}))\n"
        "for s in range(3):\n"
        "    n = draw_night(c, np.random.default_rng(s))\n"
        "    assert run_kernel(c, n).equals(run_reference(c, n))\n"
        "print('ok')\n"
    )
    env = {**os.environ, "AIRSHIELD_KERNEL_DEBUG": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_reference_engine_asserts_the_event_bound() -> None:
    c = compile_scenario(airshield.load_scenario(EXAMPLES / "one-battery.yaml"))
    night = draw_night(c, np.random.default_rng(0))
    from airshield.raid.reference import ReferenceNight

    rn = ReferenceNight(c, night)
    out = rn.run()
    bound = K.dynamic_event_bound(c.n_threats, len(c.unit_names), c.doctrine())
    assert 0 < rn.n_dynamic <= bound
    assert out.equals(run_reference(c, night))
