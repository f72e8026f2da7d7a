"""The façade: airshield.Scenario / airshield.Campaign carry the verbs, the free functions stay
the implementation (every façade call is checked against the free function it stands for)."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import airshield
from airshield import api
from airshield.campaign import DesignSpec, run_campaign
from airshield.plan.allocation import allocate_regions, load_allocation
from airshield.raid import simulate

EX = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRSHIELD_CACHE_DIR", str(tmp_path_factory.mktemp("api-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="module")
def sc() -> airshield.Scenario:
    return airshield.load_scenario(EX / "one-battery.yaml")


@pytest.fixture(scope="module")
def small() -> airshield.Campaign:
    return airshield.load_campaign(EX / "campaign-small.yaml")


def test_curated_top_level() -> None:
    for name in airshield.__all__:
        assert getattr(airshield, name) is not None, name
    assert airshield.Scenario is airshield.scenario.models.Scenario
    assert airshield.Campaign is airshield.campaign.models.Campaign
    assert set(dir(airshield)) >= set(airshield.__all__)
    with pytest.raises(AttributeError):
        airshield.no_such_name  # noqa: B018


def test_import_airshield_is_cheap() -> None:
    code = (
        "import sys, airshield\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('numpy', 'pandas', 'numba', "
        "'scipy', 'pydantic')]\n"
        "assert not heavy, heavy\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr


def test_simulate_is_the_free_function(sc) -> None:  # type: ignore[no-untyped-def]
    a = sc.simulate(reps=12, seed=5)
    b = simulate(sc, reps=12, seed=5)
    assert isinstance(a, airshield.RaidResult)
    assert np.array_equal(a.outcomes, b.outcomes) and np.array_equal(a.cost_usd, b.cost_usd)
    # workers=0 (one per CPU) is the same answer
    c = sc.simulate(reps=12, seed=5, workers=0)
    assert np.array_equal(a.outcomes, c.outcomes)


def test_raid_compare_pairs_replications(sc) -> None:  # type: ignore[no-untyped-def]
    same = sc.compare(sc, reps=20, seed=3)
    d = same.differences()
    assert len(d) == len(api.RAID_METRICS)
    assert (d["diff_mean"] == 0).all() and (d["diff_lo"] == 0).all() and (d["diff_hi"] == 0).all()
    # a variant with half the rounds: paired differences against a by-hand computation
    fewer = airshield.load_scenario(EX / "one-battery.yaml").model_copy(deep=True)
    for p in fewer.pools:
        p.stock = max(0, p.stock // 4)
    cmp = sc.compare(fewer, names=["base", "fewer"], reps=30, seed=3)
    base = simulate(sc, reps=30, seed=3)
    var = simulate(fewer, reps=30, seed=3)
    harm = np.array([k != "decoy" for k in base.threat_kinds])
    diff = var.outcomes[:, harm, 3].sum(axis=1) - base.outcomes[:, harm, 3].sum(axis=1)
    row = cmp.differences().set_index("metric").loc["leaked_harmful"]
    assert row["variant"] == "fewer" and row["reps"] == 30
    assert row["diff_mean"] == pytest.approx(diff.mean())
    assert row["diff_lo"] <= row["diff_mean"] <= row["diff_hi"]
    assert row["diff_mean"] > 0  # fewer rounds, more leakers
    s = cmp.summary()
    assert s["variants"] == ["base", "fewer"] and len(s["summaries"]) == 2


def test_scenario_campaign_runs_this_laydown(small) -> None:  # type: ignore[no-untyped-def]
    tpl = small.template
    got = tpl.campaign(EX / "campaign-small.yaml", mode="detailed", reps=2, seed=4)
    want = run_campaign(small, "detailed", reps=2, seed=4)
    assert isinstance(got, airshield.CampaignResult)
    assert np.array_equal(got.fired, want.fired) and np.array_equal(got.leaked, want.leaked)


def test_campaign_simulate_and_compare(small) -> None:  # type: ignore[no-untyped-def]
    spec = DesignSpec(compositions=3, stock_levels=2, reps=2, seed=1)
    got = small.simulate("fast", reps=5, seed=2, design=spec)
    want = run_campaign(small, "fast", reps=5, seed=2, design=spec)
    assert np.array_equal(got.stock_end, want.stock_end)
    cmp = small.compare(small, mode="fast", reps=5, seed=2, design=spec)
    assert isinstance(cmp, airshield.Comparison)
    assert (cmp.differences()["diff_mean"] == 0).all()


def test_scenario_sweep_is_a_spec_run(sc, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from airshield.sweep import read_table
    from airshield.sweep.plan import plan_from_dir

    axes = [{"kind": "grid", "path": "doctrine.cost_threshold", "values": [0.5, 1.0]}]
    run = sc.sweep(axes, tmp_path / "out", reps=3, seed=9, backend="serial")
    assert run.complete and run.n_cells == 2
    summary = read_table(tmp_path / "out")
    assert summary["cell"].tolist() == [0, 1] and (summary["reps"] == 3).all()
    # cell 1 is the scenario at cost threshold 1.0, run with the cell's seed
    plan = plan_from_dir(tmp_path / "out")
    cell = plan.cells[1]
    direct = simulate(plan.cell_scenario(1), reps=3, seed=cell.seed)
    reps = read_table(tmp_path / "out", "replications")
    got = reps[reps["cell"] == 1][["destroyed", "leaked"]].reset_index(drop=True)
    want = direct.to_frame()[["destroyed", "leaked"]]
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_campaign_sweep_needs_a_file(small) -> None:  # type: ignore[no-untyped-def]
    loose = small.with_template(small.template, None).model_copy()
    loose._path = None
    with pytest.raises(ValueError, match="campaign's file"):
        loose.sweep([{"kind": "grid", "path": "nights", "values": [5]}], "unused")


def test_plan_allocate_is_allocate_regions(small, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    for f in EX.glob("campaign-small*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "alloc.yaml").write_text(
        "name: two-regions\ncampaign: campaign-small.yaml\nsplit: [rockets]\nlevels: 4\n"
        "regions:\n"
        "  - {name: heavy, raid: campaign-small-night.yaml, share: 0.5, weight: 3.0}\n"
        "  - {name: light, raid: campaign-small-night.yaml, share: 0.5, weight: 1.0}\n"
    )
    design = DesignSpec(12, 4, 2)
    want = allocate_regions(
        load_allocation(tmp_path / "alloc.yaml"), reps=30, seed=2, design=design
    )
    night = EX / "campaign-small-night.yaml"
    got = small.plan.allocate(
        [
            {"name": "heavy", "raid": night, "share": 0.5, "weight": 3.0},
            {"name": "light", "raid": str(night), "share": 0.5},
        ],
        split=["rockets"], levels=4, reps=30, seed=2, design=design,
    )  # fmt: skip
    assert np.array_equal(got.optimised, want.optimised)
    assert got.difference() == want.difference()
    with pytest.raises(TypeError, match="campaign"):
        small.template.plan.allocate([])


def test_plan_hooks_call_the_plan_module_or_say_it_is_missing(monkeypatch, small) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(airshield.PlanNotAvailable, match="not part of this installation"):
        api._plan_module("no_such_decision")
    fake = types.ModuleType("airshield.plan.laydown")
    seen = {}

    def laydown(subject, sites=3):  # type: ignore[no-untyped-def]
        seen["subject"], seen["sites"] = subject, sites
        return "placed"

    fake.laydown = laydown  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "airshield.plan.laydown", fake)
    assert small.plan.laydown(sites=5) == "placed"
    assert seen == {"subject": small, "sites": 5}
    fake_p = types.ModuleType("airshield.plan.procure")
    fake_p.procure = lambda subject, **kw: ("bought", subject.name, kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "airshield.plan.procure", fake_p)
    assert small.plan.procure(budget_usd=1e9) == ("bought", small.name, {"budget_usd": 1e9})
    assert "allocate" in repr(small.plan)


def test_the_facade_example_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {**os.environ, "AIRSHIELD_CACHE_DIR": str(tmp_path / "cache")}
    res = subprocess.run(
        [sys.executable, str(EX / "facade.py"), "--reps", "6", "--seed", "2"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    out = res.stdout
    assert "one-battery: harmful leakers" in out and "half the rounds - as is:" in out
    assert "small: 28 nights" in out and "sam-rounds: empty in" in out
    assert "reproduces campaign.simulate(): True" in out
