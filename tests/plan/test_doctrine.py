"""Shadow prices feed doctrine in the objective's own unit: the leaker-valued raid template makes
the nightly cost threshold compare a shot's price, in harmful leakers, against the leakers it
saves now."""

from __future__ import annotations

import numpy as np
import pytest

from airshield.examples import examples_dir
from airshield.plan.doctrine import objective_valued_template, priced_template
from airshield.raid import simulate
from airshield.raid.compile import compile_scenario
from airshield.scenario import Scenario, load_scenario

V = 1.0e6  # USD per harmful leaker


def _stocked(tpl: Scenario) -> Scenario:
    pools = [p.model_copy(update={"stock": 200}) for p in tpl.pools]
    return tpl.model_copy(update={"pools": pools})


@pytest.fixture(scope="module")
def template() -> Scenario:
    return _stocked(load_scenario(examples_dir() / "campaign-small-night.yaml"))


def test_every_harmful_threat_is_worth_one_leaker(template: Scenario) -> None:
    """Assets all worth ``V``, every threat type but decoys of lethality 1, decoys unchanged,
    every effector type of the laydown free to fire (its rounds are paid for), the rest of the
    template (laydown, effectors' performance, doctrine) as it was."""
    tpl = objective_valued_template(template, V)
    c = compile_scenario(tpl)
    assert np.all(c.a_value == V)
    cat, plain = tpl.resolved_catalog(), template.resolved_catalog()
    for name, tt in cat.threats.items():
        expect = plain.threats[name].lethality if tt.kind == "decoy" else 1.0
        assert tt.lethality == expect, name
    assert tpl.fire_units == template.fire_units and tpl.doctrine == template.doctrine
    used = {u.effector for u in template.fire_units}
    for name in used:
        assert cat.effectors[name].cost_per_shot_usd == 0.0
        same = cat.effectors[name].model_copy(
            update={"cost_per_shot_usd": plain.effectors[name].cost_per_shot_usd}
        )
        assert same.model_dump(exclude={"pk_curve"}) == plain.effectors[name].model_dump(
            exclude={"pk_curve"}
        )
    assert np.all(c.u_engcost == 0.0)
    with pytest.raises(ValueError, match="positive"):
        objective_valued_template(template, 0.0)


def _sam_shots(tpl: Scenario, price: float) -> int:
    eff = next(p.effector for p in tpl.pools if p.name == "sam-rounds")
    res = simulate(priced_template(tpl, [eff], [price]), reps=30, seed=2)
    return int(res.shots[:, res.effector_types.index(eff)].sum())


def test_threshold_compares_leakers_in_the_objective_unit(template: Scenario) -> None:
    """Under the leaker-valued template the SAM engages a harmful threat only if an engagement
    costs at most ``cost_threshold x V`` whatever asset the threat flies at: at 0.9 x that it
    fires, at 1.1 x it never does. Under the plain valuation the same price still fires (a drone
    at the city puts 0.002 x $1B at risk, twice ``V``), so the unit, not the number, changes the
    decision."""
    theta = template.doctrine.cost_threshold
    tpl = objective_valued_template(template, V)
    assert _sam_shots(tpl, 0.9 * theta * V) > 0
    assert _sam_shots(tpl, 1.1 * theta * V) == 0
    assert _sam_shots(template, 1.1 * theta * V) > 0


def test_schedule_in_the_objective_unit_is_the_opportunity_cost_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``unit="objective"``: month m's price is the opportunity cost alone (the round is paid
    for), on the same grid as the USD schedule, which adds the sticker price; unknown units are
    refused."""
    from tests.plan.test_procure import write_spec

    from airshield.plan.doctrine import doctrine_schedule
    from airshield.plan.procure import prepare
    from airshield.plan.procure_models import load_procurement

    prep = prepare(load_procurement(write_spec(tmp_path)))
    months = [{"opportunity_cost_usd": u} for u in (2.6e5, 1.2e5)]
    v = {"effector": "apkws-rocket", "sticker_cost_usd": 3.0e4, "by_month": months}
    usd = doctrine_schedule(prep, [v])
    obj = doctrine_schedule(prep, [v], unit="objective")
    assert [p[0] for p in usd.prices] == [3.0e4 + 2.5e5, 3.0e4 + 1.0e5]
    assert [p[0] for p in obj.prices] == [2.5e5, 1.0e5]
    assert np.array_equal(usd.which, obj.which)
    with pytest.raises(ValueError, match="unit"):
        doctrine_schedule(prep, [v], unit="leakers")


def test_doctrine_template_in_the_objective_unit(template: Scenario) -> None:
    """``--doctrine-out``'s template: for a harmful-leakers objective, leaker-valued with the
    opportunity cost alone; in USD (or for a damage objective) sticker plus opportunity cost
    against the asset values."""
    from airshield.plan.procure import doctrine_template

    e = [{"effector": "apkws-rocket", "opportunity_cost_usd": 2.5e5,
          "effective_cost_per_shot_usd": 2.8e5, "usd_per_harmful_leaker": V}]  # fmt: skip
    obj = doctrine_template(template, e, "harmful_leakers").resolved_catalog()
    usd = doctrine_template(template, e, "harmful_leakers", unit="usd")
    dmg = doctrine_template(template, e, "damage_usd")
    assert obj.effectors["apkws-rocket"].cost_per_shot_usd == 2.5e5
    assert obj.effectors["nasams-irist"].cost_per_shot_usd == 0.0
    for t in (usd, dmg):
        assert t.resolved_catalog().effectors["apkws-rocket"].cost_per_shot_usd == 2.8e5
        assert t.assets == template.assets
    assert np.all(compile_scenario(doctrine_template(template, e, "harmful_leakers")).a_value == V)
