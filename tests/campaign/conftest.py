"""Shared fixtures: the small example campaign, a private surrogate cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from airshield.campaign import Campaign, load_campaign
from airshield.examples import examples_dir

EXAMPLES = examples_dir()


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fitted surrogates go to a temporary folder, never the user's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRSHIELD_CACHE_DIR", str(tmp_path_factory.mktemp("airshield-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def small() -> Campaign:
    return load_campaign(EXAMPLES / "campaign-small.yaml")


@pytest.fixture(scope="session")
def small_path() -> Path:
    return EXAMPLES / "campaign-small.yaml"


@pytest.fixture(scope="session")
def small_yaml(small_path: Path) -> str:
    return small_path.read_text()


def constant_surrogate(c: Campaign, p_destroyed: float, p_lost: float, p_fired: float):  # type: ignore[no-untyped-def]
    """A hand-made surrogate with constant shares (independent of the raid engine): for golden
    values and property tests of the ledger."""
    import numpy as np
    from scipy.special import logit

    from airshield.campaign import Surrogate, attacker_plan
    from airshield.campaign.bridge import RaidBridge

    plan = attacker_plan(c)
    b = RaidBridge(c.template, plan.threat_types)
    t, p, q = len(plan.threat_types), len(b.pool_names), len(b.other_effectors)
    zdim = t + 1 + 2 * p
    k = 1 + zdim + zdim * (zdim + 1) // 2

    def const(n: int, prob: float) -> np.ndarray:
        beta = np.zeros((n, k))
        beta[:, 0] = logit(prob)
        return beta

    return Surrogate(
        template_hash=c.template.content_hash(),
        threat_types=plan.threat_types,
        pool_names=b.pool_names,
        other_effectors=b.other_effectors,
        a_max=np.maximum(b.magazine_rounds * 2, 1),
        other_rounds=b.other_rounds,
        z_mu=np.zeros(zdim),
        z_sd=np.ones(zdim),
        beta_destroyed=const(t, p_destroyed),
        beta_lost=const(t, p_lost),
        beta_fired=const(p + q, p_fired),
        disp_destroyed=np.ones(t),
        disp_lost=np.ones(t),
        disp_fired=np.ones(p + q),
        damage_coef=np.column_stack([np.full(t, 1e6), np.zeros((t, zdim))]),
        pool_cost_usd=b.pool_cost_usd,
        other_cost_usd=b.other_cost_usd,
    )


@pytest.fixture(scope="session")
def make_surrogate():  # type: ignore[no-untyped-def]
    return constant_surrogate
