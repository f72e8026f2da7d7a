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
    from airshield.campaign.surrogate import feature_sets

    plan = attacker_plan(c)
    b = RaidBridge(c.template, plan.threat_types)
    t, p, q = len(plan.threat_types), len(b.pool_names), len(b.other_effectors)
    engage = np.ones((p + q, t), np.bool_)
    cols = [c[0] for c in feature_sets(t, p, engage)]
    zdim = t + 1 + 2 * p + p + q

    def const(m: int, prob: float) -> np.ndarray:
        beta = np.zeros(1 + m + m * (m + 1) // 2)
        beta[0] = logit(prob)
        return beta

    probs = [p_destroyed] * t + [p_lost] * t + [p_fired] * (p + q)
    return Surrogate(
        template_hash=c.template.content_hash(),
        threat_types=plan.threat_types,
        pool_names=b.pool_names,
        other_effectors=b.other_effectors,
        a_max=np.maximum(b.magazine_rounds * 2, 1),
        other_rounds=b.other_rounds,
        engage=engage,
        z_mu=np.zeros(zdim),
        z_sd=np.ones(zdim),
        cols=cols,
        betas=[const(len(cc), pr) for cc, pr in zip(cols, probs, strict=True)],
        dispersion=np.ones(2 * t + p + q),
        damage_coef=np.column_stack([np.full(t, 1e6), np.zeros((t, t + 1 + 2 * p))]),
        pool_cost_usd=b.pool_cost_usd,
        other_cost_usd=b.other_cost_usd,
    )


@pytest.fixture(scope="session")
def make_surrogate():  # type: ignore[no-untyped-def]
    return constant_surrogate
