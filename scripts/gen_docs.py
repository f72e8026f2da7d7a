"""Regenerate docs/scenario.md from the scenario models."""

from pathlib import Path

from airshield.scenario.reference import reference_markdown

out = Path(__file__).resolve().parents[1] / "docs" / "scenario.md"
out.write_text(reference_markdown() + "\n")
print(f"wrote {out}")
