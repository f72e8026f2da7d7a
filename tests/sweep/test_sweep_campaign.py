"""Campaign bases: campaign paths, ``template.`` paths, same bytes on every backend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from airshield.errors import ScenarioError
from airshield.sweep import load_plan, read_table, run_sweep, sweep_summary
from sweep.conftest import part_bytes, write

CAMPAIGN = """\
name: tiny-campaign
raid: tiny.yaml
start_date: 2025-06-01
nights: 4
attacker:
  threats:
    - {threat: shahed-136, stock: 30, production_per_day: {kind: constant, value: 8}}
    - {threat: gerbera, stock: 8}
    - {threat: kalibr, stock: 2, launch: own, max_per_night: 1}
  tempo: {kind: nightly, fraction: 0.5}
defender:
  pools:
    - {name: sam-rounds, stock: 20}
    - {name: rockets, stock: 30}
"""

SPEC = """\
name: tiny-campaign-sweep
base: {kind: campaign, campaign: camp.yaml, mode: detailed}
reps: 4
seed: 11
parameters:
  - kind: grid
    path: defender.pools[sam-rounds].stock
    name: sam_stock
    values: [0, 20]
  - kind: grid
    path: attacker.threats[shahed-136].stock
    values: [10, 30]
  - kind: grid
    path: template.doctrine.cost_threshold
    values: [0.1, 1.0]
outputs: [replications, nights, pools]
batch_cells: 2
"""


@pytest.fixture(scope="module")
def camp_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("camp")
    (folder / "camp.yaml").write_text(CAMPAIGN, encoding="utf-8")
    return write(folder, SPEC)


def test_campaign_plan_applies_campaign_and_template_paths(camp_spec: Path) -> None:
    plan = load_plan(camp_spec)
    assert plan.n_cells == 8 and plan.spec.base.kind == "campaign"
    c = plan.cell_scenario(7)
    assert c.pool("sam-rounds").stock == 20
    assert c.attacker.threats[0].stock == 30
    assert c.template.doctrine.cost_threshold == 1.0
    assert plan.cell_scenario(0).template.doctrine.cost_threshold == 0.1


@pytest.mark.timeout(180)
def test_campaign_sweep_same_bytes_serial_and_dask(camp_spec: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    a = run_sweep(camp_spec, tmp_path / "serial", backend="serial")
    b = run_sweep(camp_spec, tmp_path / "dask", backend="dask", workers=2, dask_processes=False)
    assert a.complete and b.complete
    assert part_bytes(tmp_path / "serial") == part_bytes(tmp_path / "dask")
    # a cell is the campaign engine run with the cell's seed
    from airshield.campaign import run_campaign

    plan = load_plan(camp_spec)
    res = run_campaign(plan.cell_scenario(5), mode="detailed", reps=4, seed=plan.cells[5].seed)
    nights = read_table(tmp_path / "serial", "nights")
    got = nights[nights["cell"] == 5]["leaked_harmful"].to_numpy()
    assert np.array_equal(got, res.night_frame()["leaked_harmful"].to_numpy())
    pools = read_table(tmp_path / "serial", "pools")
    assert set(pools["pool"]) == {"sam-rounds", "rockets"}
    s = sweep_summary(str(tmp_path / "serial"), "first_empty_night")
    assert s["cells_done"] == 8
    empty = read_table(tmp_path / "serial")["first_empty_night_mean"]
    assert ((empty >= 0) & (empty <= 4)).all()
    # `sweep cell` writes a campaign (and its raid template) that reruns the cell alone
    from typer.testing import CliRunner

    from airshield.campaign import load_campaign
    from airshield.cli import app

    cell_file = tmp_path / "cell5.yaml"
    res = CliRunner().invoke(app, ["sweep", "cell", str(tmp_path / "serial"), "5",
                                   "--out", str(cell_file)])  # fmt: skip
    assert res.exit_code == 0, res.output
    again = run_campaign(load_campaign(cell_file), mode="detailed", reps=4, seed=plan.cells[5].seed)
    assert np.array_equal(again.night_frame()["leaked_harmful"].to_numpy(), got)


def test_campaign_path_errors(tmp_path: Path) -> None:
    (tmp_path / "camp.yaml").write_text(CAMPAIGN, encoding="utf-8")
    bad = (
        SPEC.replace("template.doctrine.cost_threshold", "template.doctrine.cost_treshold")
        .replace("threats[shahed-136]", "threats[shahed]")
        .replace("outputs: [replications, nights, pools]", "outputs: [effectors]")
    )
    with pytest.raises(ScenarioError) as info:
        load_plan(write(tmp_path, bad))
    assert "outputs: Value error, ['effectors'] are not kept for a campaign base" in str(info.value)
    ok_outputs = bad.replace("outputs: [effectors]", "outputs: [pools]")
    with pytest.raises(ScenarioError) as info:
        load_plan(write(tmp_path, ok_outputs))
    text = str(info.value)
    assert "no item named 'shahed' in attacker.threats; available: shahed-136, gerbera" in text
    assert "doctrine has no field 'cost_treshold'" in text
    derived = SPEC.replace("template.doctrine.cost_threshold", "raid.scale")
    with pytest.raises(ScenarioError, match=r"raid\.scale applies to raid bases"):
        load_plan(write(tmp_path, derived))
