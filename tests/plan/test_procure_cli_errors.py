"""Every kind of bad procurement spec, through the command line as a real subprocess: exit
status 2, no traceback, and a message naming the file, the line and the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tests.plan.test_procure import write_spec

# (what to replace, with what, the field named, the line holding the new text's first line)
CASES = {
    "unknown top-level key": ("levels: 4", "levels: 4\ncolour: red", "colour", "colour: red"),
    "wrong type": ("budget_usd: 3000000.0", "budget_usd: lots", "budget_usd", "budget_usd: lots"),
    "negative price": ("unit_cost_usd: 3.0e4", "unit_cost_usd: -3.0e4",
                       "options[1].unit_cost_usd", "unit_cost_usd: -3.0e4"),
    "lead time beyond the horizon": ("lead_time_days: 5,", "lead_time_days: 500,",
                                     "options[1].lead_time_days", "lead_time_days: 500,"),
    "min_lot above the monthly limit": ("min_lot: 2", "min_lot: 20", "options[0]", "min_lot: 20"),
    "duplicate option names": ("name: crews,", "name: rockets, ", "options", "options:"),
    "monthly profile of the wrong length": (
        "levels: 4", "budget_per_month_usd: [1.0e6, 1.0e6, 1.0e6]\nlevels: 4",
        "budget_per_month_usd", "budget_per_month_usd:"),
    "constraint on an unknown pool": (
        "levels: 4", "constraints:\n  - {kind: min_stock, pool: nope, rounds: 5}\nlevels: 4",
        "constraints[0].pool", "pool: nope"),
    "scenario naming an unknown threat type": (
        "levels: 4",
        "scenarios:\n  - {name: hi, weight: 1, attacker_scale: {factor: 1.2, threats: [zzz]}}\n"
        "levels: 4", "scenarios[0].attacker_scale.threats[0]", "threats: [zzz]"),
    "available_from outside the campaign": (
        "max_per_month: 10}", "max_per_month: 10, available_from: 2030-01-01}",
        "options[1].available_from", "available_from: 2030-01-01"),
    "fire unit without max_total": (
        "levels: 4",
        "  - {name: guns, kind: fire_unit, effector: mobile-gun, unit_cost_usd: 1.0e6, "
        "lead_time_days: 5, max_per_month: 1, laydown: {kind: ring, around: city, radius_km: 5}}"
        "\nlevels: 4", "options[3].max_total", "name: guns"),
    "fire unit of an unknown effector type": (
        "levels: 4",
        "  - {name: guns, kind: fire_unit, effector: laser-x, unit_cost_usd: 1.0e6, max_total: 2,"
        " lead_time_days: 5, max_per_month: 1, laydown: {kind: ring, around: city, radius_km: 5}}"
        "\nlevels: 4", "options[3].effector", "name: guns"),
    "unknown pool": ("pool: sam-rounds", "pool: sam-round", "options[0].pool", "pool: sam-round"),
    "unknown team pool": ("teams: crews", "teams: crew", "options[2].teams", "teams: crew"),
    "unknown objective": ("levels: 4", "objective: leakers\nlevels: 4", "objective",
                          "objective: leakers"),
    "not YAML": ("levels: 4", "levels: [4", "<yaml>", "levels: [4"),
    "missing campaign file": ("campaign: campaign.yaml", "campaign: missing.yaml", "campaign",
                              "campaign: missing.yaml"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_spec_on_the_command_line(tmp_path: Path, case: str) -> None:
    old, new, field, marker = CASES[case]
    p = write_spec(tmp_path)
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    line = next(i for i, t in enumerate(p.read_text().splitlines(), 1) if marker in t)
    r = subprocess.run([sys.executable, "-m", "airshield", "plan", "procure", str(p), "--json"],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    # the YAML parser reports where it noticed the problem: here the end of the text, one on
    lines = (line, line + 1) if field == "<yaml>" else (line,)
    assert any(f"spec.yaml:{n}: {field}:" in r.stderr for n in lines), r.stderr
