"""The façade: what :class:`airshield.Scenario` and :class:`airshield.Campaign` do, in one place.

In the spirit of PyPSA's ``Network``, the two data objects carry the verbs::

    import airshield

    sc = airshield.load_scenario("examples/kyiv-2025-07-04.yaml")
    sc.simulate(reps=1000, seed=7)                 # RaidResult
    sc.compare(other, reps=500, seed=7)            # paired differences, common random numbers
    sc.campaign("examples/campaign-summer-2025.yaml", reps=200)   # this laydown, night by night
    sc.sweep([{"kind": "grid", "path": "doctrine.cost_threshold", "values": [0.5, 1]}],
             out="sweep-out", reps=100)

    c = airshield.load_campaign("examples/campaign-summer-2025.yaml")
    c.simulate(mode="fast", reps=1000, seed=1)     # CampaignResult
    c.compare(variant, reps=500)                   # Comparison
    c.plan.allocate(regions=[...])                 # AllocationResult (HiGHS LP, checked)
    c.plan.procure(...); c.plan.laydown(...)       # when airshield.plan provides them

The methods on the models are one-line delegates to the functions here, and these call the free
functions that stay the implementation (:func:`airshield.raid.simulate`,
:func:`airshield.campaign.run_campaign`, :func:`airshield.campaign.compare_campaigns`,
:func:`airshield.sweep.run_sweep`, :func:`airshield.plan.allocation.allocate_regions`). Every
import here is lazy: the models' methods are the one sanctioned upward edge of the layer graph
(``docs/about/architecture.md``), and it goes through this module only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from airshield.campaign.compare import Comparison
    from airshield.campaign.models import Campaign
    from airshield.campaign.result import CampaignResult
    from airshield.campaign.surrogate import DesignSpec
    from airshield.plan.allocation import AllocationResult
    from airshield.raid.result import RaidResult
    from airshield.scenario.models import Scenario
    from airshield.sweep.runner import SweepRun

#: the per-replication quantities a raid comparison differences
RAID_METRICS = (
    "leaked_harmful",
    "destroyed",
    "lost",
    "leaked",
    "decoy_leaked",
    "defender_cost_usd",
    "damage_usd",
)


# ---- raid ---------------------------------------------------------------------------------
def simulate(
    sc: Scenario,
    reps: int = 100,
    seed: int = 0,
    *,
    workers: int | None = 1,
    engine: str | None = None,
    progress: bool | Callable[[int, int], None] = False,
) -> RaidResult:
    """Monte Carlo of one night's raid (:func:`airshield.raid.simulate`); ``workers`` 0 = one
    per CPU (:mod:`airshield.workers`); ``engine`` None: the raid engine's own default."""
    from airshield.raid import simulate as _simulate
    from airshield.workers import resolve_workers

    return _simulate(
        sc, reps=reps, seed=seed, workers=resolve_workers(workers), progress=progress,
        **_engine(engine),
    )  # fmt: skip


def _engine(engine: str | None) -> dict[str, Any]:
    """``engine=`` for the free functions: omitted when None, so their own default applies."""
    return {} if engine is None else {"engine": engine}


def raid_metrics(result: RaidResult) -> dict[str, Any]:
    """Per-replication headline quantities of a raid result (arrays of length ``reps``)."""
    import numpy as np

    harmful = np.array([k != "decoy" for k in result.threat_kinds])
    o = result.outcomes
    return {
        "leaked_harmful": o[:, harmful, 3].sum(axis=1).astype(float),
        "destroyed": o[:, :, 1].sum(axis=1).astype(float),
        "lost": o[:, :, 2].sum(axis=1).astype(float),
        "leaked": o[:, :, 3].sum(axis=1).astype(float),
        "decoy_leaked": o[:, ~harmful, 3].sum(axis=1).astype(float),
        "defender_cost_usd": result.cost_usd.sum(axis=1).astype(float),
        "damage_usd": result.damage_usd.sum(axis=1).astype(float),
    }


@dataclass
class RaidComparison:
    """Raid variants run from one seed (common random numbers); the first is the baseline.

    Replication ``i`` of every variant uses child ``i`` of ``SeedSequence(seed)``, so the
    differences are paired replication by replication; identical variants differ by exactly
    zero."""

    names: list[str]
    results: list[RaidResult]
    level: float = 0.95

    def differences(self) -> pd.DataFrame:
        """One row per variant (after the first) and metric: baseline and variant means, the mean
        paired difference (variant - baseline), its sd and its ``level`` t-interval."""
        import pandas as pd

        from airshield.intervals import difference_row

        base = raid_metrics(self.results[0])
        rows: list[dict[str, Any]] = []
        for name, res in zip(self.names[1:], self.results[1:], strict=True):
            m = raid_metrics(res)
            rows += [
                difference_row(name, self.names[0], key, base[key], m[key], self.level)
                for key in RAID_METRICS
            ]
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        """JSON-ready: the variants, the level, each summary and the differences."""
        return {
            "variants": self.names,
            "level": self.level,
            "summaries": [r.summary() for r in self.results],
            "differences": self.differences().to_dict(orient="records"),
        }


def compare_raids(
    scenarios: Sequence[Scenario],
    names: Sequence[str] | None = None,
    reps: int = 100,
    seed: int = 0,
    *,
    level: float = 0.95,
    workers: int | None = 1,
    engine: str | None = None,
) -> RaidComparison:
    """Run every raid variant from the same seed and pair the replications."""
    if len(scenarios) < 2:
        raise ValueError("compare needs at least two variants")
    names = list(names) if names is not None else [s.name for s in scenarios]
    if len(names) != len(scenarios):
        raise ValueError("one name per variant")
    if len(set(names)) != len(names):
        names = [f"{n}#{i}" for i, n in enumerate(names)]
    results = [simulate(s, reps, seed, workers=workers, engine=engine) for s in scenarios]
    return RaidComparison(names, results, level)


# ---- campaign -----------------------------------------------------------------------------
def as_campaign(campaign: Campaign | str | Path) -> Campaign:
    """A campaign object from itself or a campaign YAML file."""
    from airshield.campaign.models import Campaign

    if isinstance(campaign, Campaign):
        return campaign
    from airshield.campaign.io import load_campaign

    return load_campaign(campaign)


def as_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario object from itself or a scenario YAML file."""
    from airshield.scenario.models import Scenario

    if isinstance(scenario, Scenario):
        return scenario
    from airshield.scenario import load_scenario

    return load_scenario(scenario)


def with_raid_template(campaign: Campaign | str | Path, template: Scenario) -> Campaign:
    """The campaign with ``template`` as its raid template, every reference checked again (its
    pools must be the template's pools)."""
    from airshield.campaign.io import campaign_from_data

    c = as_campaign(campaign)
    data = c.model_dump(mode="json", exclude_none=True)
    return campaign_from_data(data, c.path, template=template)


def run_campaign(
    campaign: Campaign,
    mode: str = "fast",
    reps: int = 100,
    seed: int = 0,
    *,
    design: DesignSpec | None = None,
    workers: int | None = 1,
    engine: str | None = None,
    progress: bool | Callable[[str, int, int], None] = False,
) -> CampaignResult:
    """Run the campaign (:func:`airshield.campaign.run_campaign`); ``engine`` None: the
    campaign engine's own default."""
    from airshield.campaign.engine import run_campaign as _run

    return _run(
        campaign, mode, reps, seed, design=design, workers=workers, progress=progress,
        **_engine(engine),
    )  # fmt: skip


def compare_campaigns(
    campaigns: Sequence[Campaign | str | Path],
    names: Sequence[str] | None = None,
    mode: str = "fast",
    reps: int = 100,
    seed: int = 0,
    *,
    level: float = 0.95,
    design: DesignSpec | None = None,
    workers: int | None = 1,
) -> Comparison:
    """Campaign variants with common random numbers (:func:`airshield.campaign.compare_campaigns`)."""
    from airshield.campaign.compare import compare_campaigns as _compare
    from airshield.workers import resolve_workers

    camps = [as_campaign(c) for c in campaigns]
    cmp = _compare(
        camps, list(names) if names is not None else None, mode, reps, seed, design=design,
        workers=resolve_workers(workers),
    )  # fmt: skip
    cmp.level = level
    return cmp


# ---- sweeps -------------------------------------------------------------------------------
def sweep(
    base: Scenario | Campaign,
    parameters: list[dict[str, Any]],
    out: str | Path,
    *,
    reps: int = 100,
    seed: int = 0,
    name: str | None = None,
    mode: str = "fast",
    outputs: list[str] | None = None,
    engine: str | None = None,
    backend: str = "processes",
    workers: int | None = 1,
    progress: bool = False,
) -> SweepRun:
    """Run a parameter sweep over ``base`` into ``out`` (:func:`airshield.sweep.run_sweep`).

    ``parameters`` are the spec's axes as mappings (``{"kind": "grid", "path":
    "doctrine.cost_threshold", "values": [0.5, 1.0]}``; see ``docs/sweep.md``). A scenario goes
    into the spec inline; a campaign must come from a file (its path is the spec's base)."""
    from airshield.campaign.models import Campaign
    from airshield.scenario.yamlio import parse_yaml
    from airshield.sweep.plan import plan_from_data
    from airshield.sweep.runner import run_sweep

    spec: dict[str, Any] = {
        "name": name or f"{base.name}-sweep",
        "reps": reps,
        "seed": seed,
        "parameters": parameters,
        **_engine(engine),
    }
    if isinstance(base, Campaign):
        if base.path is None:
            raise ValueError(
                "a campaign sweep needs the campaign's file: load it with "
                "airshield.load_campaign(path) (or save it to YAML first)"
            )
        spec["base"] = {
            "kind": "campaign",
            "campaign": str(Path(base.path).resolve()),
            "mode": mode,
        }
    else:
        spec["base"] = {"kind": "raid", "scenario": base.model_dump(mode="json")}
    if outputs is not None:
        spec["outputs"] = outputs
    import yaml

    text = yaml.safe_dump(spec, sort_keys=False)
    data, lines = parse_yaml(text, None)
    plan = plan_from_data(data, lines, None)
    return run_sweep(plan, out, backend=backend, workers=workers, progress=progress)


# ---- plan ---------------------------------------------------------------------------------
class PlanAccessor:
    """``scenario.plan`` / ``campaign.plan``: the decisions of :mod:`airshield.plan` on this
    object. ``allocate`` exists now; ``procure`` and ``laydown`` call
    ``airshield.plan.procure`` / ``airshield.plan.laydown`` where those modules exist and say so
    clearly where they do not."""

    def __init__(self, owner: Scenario | Campaign) -> None:
        self._owner = owner

    def __repr__(self) -> str:
        return f"<plan of {type(self._owner).__name__} {self._owner.name!r}: allocate, procure, laydown>"

    def allocate(
        self,
        regions: Sequence[dict[str, Any]],
        *,
        reps: int = 200,
        seed: int = 0,
        split: list[str] | None = None,
        levels: int = 6,
        min_share: float = 0.0,
        curve_reps: int | None = None,
        design: DesignSpec | None = None,
        workers: int | None = 1,
        progress: bool | Callable[[str, int, int], None] = False,
    ) -> AllocationResult:
        """Split this campaign's pools across ``regions`` to minimise expected weighted harmful
        leakers (:func:`airshield.plan.allocation.allocate_regions`). Each region is a mapping
        ``{"name", "raid": Scenario or YAML path, "share", "weight" (default 1)}``; the shares
        sum to 1."""
        from airshield.campaign.models import Campaign
        from airshield.errors import Problem, ScenarioError
        from airshield.plan.allocation import AllocationSpec, LoadedAllocation, allocate_regions
        from airshield.workers import resolve_workers

        c = self._owner
        if not isinstance(c, Campaign):
            raise TypeError(
                "allocation splits a campaign's pools across regions: call it on an "
                "airshield.Campaign (campaign.plan.allocate(regions=...))"
            )
        templates = [as_scenario(r["raid"]) for r in regions]
        spec = AllocationSpec.model_validate(
            {
                "name": c.name,
                "campaign": c.name,
                "regions": [
                    {
                        "name": r["name"],
                        "raid": t.name,
                        "share": r["share"],
                        "weight": r.get("weight", 1.0),
                    }
                    for r, t in zip(regions, templates, strict=True)
                ],
                "split": split,
                "levels": levels,
                "min_share": min_share,
            }
        )
        pools = {p.name for p in c.defender.pools}
        probs = [
            Problem(f"regions[{r.name}].raid", f"the region's pools {extra} are not pools of the campaign")
            for r, t in zip(spec.regions, templates, strict=True)
            if (extra := sorted({p.name for p in t.pools} - pools))
        ]  # fmt: skip
        if probs:
            raise ScenarioError(c.path, probs)
        loaded = LoadedAllocation(spec, c, templates, c.path)
        return allocate_regions(
            loaded, reps=reps, seed=seed, curve_reps=curve_reps, design=design,
            workers=resolve_workers(workers), progress=progress,
        )  # fmt: skip

    def procure(self, spec: Any = None, /, *args: Any, **kwargs: Any) -> Any:
        """Procurement under budget (``airshield.plan.procure``) for this campaign.

        Calls ``airshield.plan.procure.procure(campaign, ...)`` where the module has it;
        otherwise ``optimise(load_procurement(spec), ...)`` with ``spec`` a procurement YAML
        whose campaign must be this one. Raises :class:`PlanNotAvailable` where this
        installation has no ``airshield.plan.procure``."""
        mod = _plan_module("procure")
        direct = getattr(mod, "procure", None)
        if callable(direct):
            return direct(self._owner, *((spec,) if spec is not None else ()), *args, **kwargs)
        optimise = getattr(mod, "optimise", None)
        load = getattr(mod, "load_procurement", None) or getattr(
            _plan_module("procure_models", required=False), "load_procurement", None
        )
        if not (callable(optimise) and callable(load)):
            raise PlanNotAvailable("airshield.plan.procure has neither procure() nor optimise()")
        if spec is None:
            raise TypeError("procure(spec): the procurement spec (YAML path or loaded spec)")
        loaded = load(spec) if isinstance(spec, str | Path) else spec
        own = self._owner
        if hasattr(own, "defender") and loaded.campaign.content_hash() != own.content_hash():
            raise ValueError(
                f"the procurement spec plans for campaign {loaded.campaign.name!r}, "
                f"not for {own.name!r}"
            )
        return optimise(loaded, *args, **kwargs)

    def laydown(self, *args: Any, **kwargs: Any) -> Any:
        """Laydown placement (``airshield.plan.laydown``) for this scenario or campaign:
        ``airshield.plan.laydown.laydown(subject, ...)``. Raises :class:`PlanNotAvailable`
        where this installation has no ``airshield.plan.laydown``."""
        mod = _plan_module("laydown")
        fn = getattr(mod, "laydown", None)
        if not callable(fn):
            raise PlanNotAvailable("airshield.plan.laydown has no laydown(subject, ...)")
        return fn(self._owner, *args, **kwargs)


class PlanNotAvailable(NotImplementedError):
    """The :mod:`airshield.plan` decision asked for is not in this installation."""


def _plan_module(name: str, required: bool = True) -> Any:
    """``airshield.plan.<name>``, imported on demand; a clear error where it does not exist."""
    from importlib import import_module

    try:
        return import_module(f"airshield.plan.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"airshield.plan.{name}":
            raise  # the module exists but something it needs is missing: say that, not this
        if not required:
            return None
        raise PlanNotAvailable(
            f"airshield.plan.{name} is not part of this installation of airshield, so "
            f".plan.{name}() cannot run (the decisions available now: .plan.allocate())"
        ) from None
