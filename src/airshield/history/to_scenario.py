"""Build a raid scenario from a parsed bulletin claim and a chosen laydown.

The laydown is any scenario file: its assets, sensors, fire units, pools, launch sites and
doctrine are kept, and its waves serve as the *template* of the raid's shape (threat types,
launch sites, timing, targets). The claim's launched counts replace the template's counts:

- a count of one kind (``drone``, ``decoy``, ``cruise_missile``, ``ballistic_missile``) is split
  over the template's waves of that kind in proportion to their counts;
- ``drone`` counts follow the record's convention that the Air Force's drone line includes decoys:
  when the claim gives no separate decoy count, the template's decoy share of all drones is
  applied (``decoy_share`` overrides it; 0 means every drone is a real one);
- ``missile`` (type not given) is split over the template's cruise and ballistic waves;
- ``unknown`` (e.g. "472 strikes") and any part of a total not covered by typed counts is split
  over the whole template composition.

Every such assumption is written to ``notes`` and into the scenario's description, so the YAML
says what came from the text and what from the laydown. A kind the template has no wave for gets
a new wave with the catalog's first threat type of that kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from airshield.errors import Problem, ScenarioError
from airshield.history.bulletin import Claim, parse_bulletin

if TYPE_CHECKING:
    from airshield.scenario import Scenario, Wave

DEFAULT_LAYDOWN = "ukraine-2025-06-01"
"""Bundled example scenario used as the laydown when none is given (national, notional)."""

_SCENARIO_KINDS = ("drone", "decoy", "cruise_missile", "ballistic_missile")


@dataclass
class BuiltScenario:
    """A scenario built from a claim, with the assumptions made on the way."""

    scenario: Scenario
    claim: Claim
    laydown: str
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        """YAML with a provenance header (loads with ``airshield.load_scenario``)."""
        header = [
            "# Built by 'airshield scenario from-bulletin' (notional laydown).",
            f"# laydown: {self.laydown}",
            f"# claim: {self.claim.text[:300]!r}".replace("\n", " "),
        ]
        header += [f"# note: {n}" for n in self.notes]
        return "\n".join(header) + "\n" + self.scenario.to_yaml()


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    w = np.asarray(weights, dtype=float)
    if total <= 0 or w.sum() <= 0:
        return [0] * len(weights)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(int)
    order = np.argsort(-(exact - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return [int(x) for x in base]


def load_laydown(laydown: str | Path | None) -> tuple[Scenario, str]:
    from airshield.examples import DEFAULT_SCENARIO, example_path, list_examples
    from airshield.scenario import load_scenario

    if laydown is None:
        name = DEFAULT_LAYDOWN if DEFAULT_LAYDOWN in list_examples() else DEFAULT_SCENARIO
        path = example_path(name)
        return load_scenario(path), f"bundled example {name}"
    p = Path(laydown)
    if not p.exists() and str(laydown) in list_examples():
        p = example_path(str(laydown))
    return load_scenario(p), str(p)


def scenario_counts(
    claim: Claim, template_counts: dict[str, int], *, decoy_share: float | None = None
) -> tuple[dict[str, int], list[str]]:
    """Counts per scenario kind from a claim's launches, with the assumptions made (notes)."""
    launched = claim.launched
    notes: list[str] = []
    counts = {k: int(launched.get(k, 0)) for k in _SCENARIO_KINDS}
    tmpl_total = sum(template_counts.values())
    if not launched:
        raise ValueError("the claim gives no launched counts")
    # missiles of unstated type -> cruise/ballistic in the template's proportion
    typed_missiles = counts["cruise_missile"] + counts["ballistic_missile"]
    generic = int(launched.get("missile", 0)) - typed_missiles
    if generic > 0:
        w = [template_counts.get("cruise_missile", 0), template_counts.get("ballistic_missile", 0)]
        if sum(w) == 0:
            w = [1, 1]
        cm, bm = _apportion(generic, w)
        counts["cruise_missile"] += cm
        counts["ballistic_missile"] += bm
        notes.append(
            f"{generic} missiles of unstated type split {cm} cruise / {bm} ballistic "
            "as in the laydown's waves"
        )
    # the part of the total not covered by typed counts (e.g. "472 strikes")
    total = claim.launched_total or 0
    rest = total - sum(counts.values())
    if rest > 0:
        kinds = [k for k in _SCENARIO_KINDS if template_counts.get(k, 0) > 0] or ["drone"]
        parts = _apportion(rest, [template_counts.get(k, 1) for k in kinds])
        for k, n in zip(kinds, parts, strict=True):
            counts[k] += n
        notes.append(
            f"{rest} weapons of unstated kind split as the laydown's waves: "
            + ", ".join(f"{n} {k}" for k, n in zip(kinds, parts, strict=True) if n)
        )
    # the drone line includes decoys unless the claim counts decoys apart
    if "decoy" not in launched and counts["drone"] > 0:
        share = decoy_share
        if share is None:
            d = template_counts.get("decoy", 0)
            share = d / (d + template_counts.get("drone", 0)) if d else 0.0
            how = "the laydown's decoy share"
        else:
            how = "--decoy-share"
        n_decoy = round(counts["drone"] * share)
        if n_decoy:
            counts["decoy"] = n_decoy
            counts["drone"] -= n_decoy
            notes.append(f"{n_decoy} of the drones taken as decoys ({share:.0%}, {how})")
    del tmpl_total
    return counts, notes


def waves_for_counts(
    base: Scenario,
    counts: dict[str, int],
    *,
    target_asset: str | None = None,
    main_direction_share: float = 0.8,
) -> tuple[list[Wave], list[str]]:
    """The laydown's waves re-scaled to ``counts`` per scenario kind (see the module docstring)."""
    from airshield.scenario.models import MainDirection

    cat = base.resolved_catalog()
    kind_of = {w.name: cat.threats[w.threat].kind for w in base.waves}
    notes: list[str] = []
    waves: list[Wave] = []
    for kind in _SCENARIO_KINDS:
        n = counts.get(kind, 0)
        if n <= 0:
            continue
        same = [w for w in base.waves if kind_of[w.name] == kind]
        if not same:
            threat = next(t.name for t in cat.threats.values() if t.kind == kind)
            first = base.waves[0]
            same = [first.model_copy(update={"name": f"{kind}-wave", "threat": threat, "count": 1})]
            notes.append(
                f"the laydown has no {kind} wave: added one of {threat!r} from "
                f"{first.launch_site!r}"
            )
        for w, c in zip(same, _apportion(n, [max(w.count, 1) for w in same]), strict=True):
            if c == 0:
                continue
            update: dict[str, object] = {"count": c}
            if target_asset is not None:
                update["targets"] = None
                update["main_direction"] = MainDirection(
                    asset=target_asset, share=main_direction_share
                )
            waves.append(w.model_copy(update=update))
    return waves, notes


def template_counts(base: Scenario) -> dict[str, int]:
    """Threats per scenario kind in the laydown's waves."""
    cat = base.resolved_catalog()
    out: dict[str, int] = {}
    for w in base.waves:
        k = cat.threats[w.threat].kind
        out[k] = out.get(k, 0) + w.count
    return out


def build_scenario(
    claim: Claim,
    *,
    laydown: str | Path | None = None,
    decoy_share: float | None = None,
    main_direction_share: float = 0.8,
) -> BuiltScenario:
    """A scenario with the laydown's defences and the claim's raid (see the module docstring)."""
    from airshield.scenario import scenario_from_text

    base, label = load_laydown(laydown)
    template = template_counts(base)
    try:
        counts, notes = scenario_counts(claim, template, decoy_share=decoy_share)
    except ValueError as exc:
        raise ScenarioError("<claim>", [Problem("launched", str(exc))]) from exc
    if "comparison" in claim.qualifiers:
        notes.append(
            "the claim is an earlier raid given for comparison ('surpassing the ...'), "
            "not the one reported; --claim picks another"
        )
    if claim.period:
        notes.append(
            f"the claim counts weapons over a period ({claim.period!r}), not one night; "
            "this raid fires them all in one night"
        )
    # target: a claim target that names laydown assets becomes the main direction
    target_asset = _match_asset(claim.target, [a.name for a in base.assets])
    if claim.target and target_asset is None:
        notes.append(f"target {claim.target!r} names no laydown asset; kept the laydown's targets")
    waves, wave_notes = waves_for_counts(
        base, counts, target_asset=target_asset, main_direction_share=main_direction_share
    )
    notes += wave_notes
    when = claim.date or "undated"
    desc = (
        f"From a bulletin claim ({when}; source: {claim.source or 'not stated'}): "
        + ", ".join(f"{v} {k}" for k, v in claim.launched.items())
        + f" launched. Laydown: {label}. "
        + " ".join(n.rstrip(".") + "." for n in notes)
    )
    sc = base.model_copy(
        update={"name": f"bulletin-{when.strip('-')}", "description": desc, "waves": waves}
    )
    # validate structure and references of the result, as a user's file would be
    sc = scenario_from_text(sc.to_yaml(), f"<scenario from {label}>")
    return BuiltScenario(sc, claim, label, counts, notes)


def _match_asset(target: str | None, assets: list[str]) -> str | None:
    if not target:
        return None
    for part in target.lower().replace(" and ", "|").split("|"):
        key = part.replace("city of", "").replace("oblast", "").replace("region", "").strip()
        key = key.replace(" ", "-")
        if not key:
            continue
        exact = [a for a in assets if a.lower() == key]
        if exact:
            return exact[0]
        prefixed = [a for a in assets if a.lower().startswith(key)]
        if prefixed:
            return prefixed[0]
    return None


def scenario_from_text(
    text: str,
    *,
    laydown: str | Path | None = None,
    claim_index: int = 0,
    ref_date: date | None = None,
    decoy_share: float | None = None,
    label: str = "<text>",
) -> BuiltScenario:
    """Parse ``text`` and build a scenario from its ``claim_index``-th claim with launches."""
    claims = [c for c in parse_bulletin(text, ref_date=ref_date) if c.launched]
    if not claims:
        raise ScenarioError(label, [Problem("text", "no raid claim with launched counts found")])
    if claim_index >= len(claims):
        raise ScenarioError(
            label,
            [
                Problem(
                    "--claim",
                    f"claim {claim_index + 1} requested; the text has "
                    f"{len(claims)} claim(s) with launched counts",
                )
            ],
        )
    return build_scenario(claims[claim_index], laydown=laydown, decoy_share=decoy_share)
