from pathlib import Path

from airshield.scenario.reference import reference_markdown


def test_scenario_reference_doc_is_current() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "scenario.md"
    assert doc.read_text() == reference_markdown() + "\n", "run: python scripts/gen_docs.py"


def test_every_field_documented() -> None:
    md = reference_markdown()
    for field in (
        "route_jitter_km",
        "cost_threshold",
        "ballistic_reserve",
        "p_discriminate_decoy",
        "arc_deg",
    ):
        assert f"`{field}`" in md
