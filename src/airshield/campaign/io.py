"""Loading campaign files: YAML with line numbers, the raid template, reference checks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from airshield.campaign.models import Campaign, check_campaign_references, resolve_raid_path
from airshield.errors import Problem, ScenarioError
from airshield.scenario import Scenario, load_scenario
from airshield.scenario.yamlio import (
    Loc,
    format_loc,
    line_for,
    parse_yaml,
    read_yaml,
    validate_data,
)


def campaign_from_data(
    data: Any,
    path: str | None,
    lines: dict[Loc, int] | None = None,
    template: Scenario | None = None,
) -> Campaign:
    """Validate parsed campaign data; load its raid template (unless given) and check references."""
    lines = lines or {}
    camp = validate_data(Campaign, data, path, lines)
    if template is None:
        raid_path = resolve_raid_path(path, camp.raid)
        if not raid_path.exists():
            msg = f"raid template {str(raid_path)!r} not found (relative to the campaign file)"
            raise ScenarioError(path, [Problem("raid", msg, line_for(("raid",), lines))])
        template = load_scenario(raid_path)
    refs = check_campaign_references(camp, template)
    if refs:
        raise ScenarioError(
            path, [Problem(format_loc(loc), msg, line_for(loc, lines)) for loc, msg in refs]
        )
    return camp.with_template(template, path)


def _parse(text: str | None, path: str | Path | None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML; an impossible date (2025-13-01), which PyYAML raises as a bare ValueError,
    becomes a ScenarioError with the line of the offending value."""
    try:
        if text is None:
            assert path is not None
            return read_yaml(path)
        return parse_yaml(text, None if path is None else str(path))
    except ValueError as exc:
        if isinstance(exc, ScenarioError):  # pragma: no cover - ScenarioError is no ValueError
            raise
        if text is None and path is not None:
            text = Path(path).read_text(encoding="utf-8")
        line = None
        for i, row in enumerate((text or "").splitlines()):
            for d in re.findall(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", row):
                try:
                    dt.date(int(d[0]), int(d[1]), int(d[2]))
                except ValueError:
                    line = i + 1
                    break
            if line is not None:
                break
        msg = f"not valid YAML: {exc} (an impossible date?)"
        raise ScenarioError(
            None if path is None else str(path), [Problem("<yaml>", msg, line)]
        ) from None


def load_campaign(path: str | Path) -> Campaign:
    """Load a campaign file and its raid template; raises :class:`ScenarioError` listing every
    problem found (``file:line: field.path: expectation``). A bundled example's bare name
    (``campaign-summer-2025``) works too."""
    from airshield.examples import resolve_example

    path = resolve_example(path)
    data, lines = _parse(None, path)
    return campaign_from_data(data, str(path), lines)


def campaign_from_text(
    text: str, path: str | None = None, template: Scenario | None = None
) -> Campaign:
    """Parse and validate campaign YAML text (``raid:`` relative to ``path``'s folder)."""
    data, lines = _parse(text, path)
    return campaign_from_data(data, path, lines, template)
