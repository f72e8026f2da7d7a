"""Raid model v2 as a whole: the engagement rules (Pk by range, release rules, C2 delay, hazard
EW, falls) and the cheap layer (teams, mobile groups, sensing v2) switched on together in one
scenario, reference engine against kernel, replication by replication."""

from __future__ import annotations

import pytest

from airshield.examples import example_path
from airshield.scenario import load_scenario
from airshield.testing import assert_conservation, assert_results_equal

pytestmark = pytest.mark.slow


def test_every_v2_rule_on_at_once_reference_equals_kernel() -> None:
    base = load_scenario(example_path("kyiv-cheap-layer-2026"))
    data = base.model_dump(mode="json", exclude_none=True)
    data["engagement"] = {"pk_model": "range", "ew_model": "hazard", "lost_harm_share": 0.2}
    data["doctrine"] |= {
        "firing_range_fraction": 0.9,
        "c2_delay": {"kind": "triangular", "min_s": 10, "mode_s": 30, "max_s": 90},
    }
    sc = type(base).model_validate(data)
    kernel = sc.simulate(reps=3, seed=11, engine="kernel")
    reference = sc.simulate(reps=3, seed=11, engine="reference")
    assert_results_equal(kernel, reference)
    assert_conservation(kernel)
    # the rules are really at work: lost threats fall, and the outcome moves off the plain run
    assert kernel.fell_harmful is not None and kernel.fell_harmful.sum() > 0
    plain = base.simulate(reps=3, seed=11, engine="kernel")
    assert plain.fell_harmful is None
    assert not (kernel.outcomes == plain.outcomes).all()
