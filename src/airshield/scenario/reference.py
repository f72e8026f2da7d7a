"""The scenario YAML reference, generated from the pydantic models (docs/scenario.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from airshield.scenario.limits import documented
from airshield.scenario.models import (
    Asset,
    Conditions,
    CoverageSensor,
    Doctrine,
    FireUnit,
    Hunt,
    LaunchSite,
    LineLaydown,
    MainDirection,
    MobileGroup,
    Point,
    Pool,
    RadarSensor,
    RingLaydown,
    Scenario,
    TeamGroup,
    Wave,
)

SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("Scenario (top level)", Scenario, "One night's raid against a defence laydown."),
    ("assets[]", Asset, "Things worth defending; threats aim at them."),
    ("sensors[] kind: radar", RadarSensor, "A radar-like sensor with a coverage circle."),
    ("sensors[] kind: coverage", CoverageSensor, "A national sensor network abstraction."),
    ("fire_units[] kind: unit", FireUnit, "One fire unit at a position."),
    ("fire_units[] kind: ring", RingLaydown, "Units spaced on a ring or arc around an asset."),
    ("fire_units[] kind: line", LineLaydown, "Units spaced on a line (a barrier)."),
    (
        "fire_units[] kind: teams",
        TeamGroup,
        "Interceptor-drone teams at one launch point: one hunt per team at a time.",
    ),
    ("fire_units[].hunt", Hunt, "How a team's hunt succeeds (unset: cheap_layer.csv defaults)."),
    (
        "fire_units[] kind: mobile",
        MobileGroup,
        "A mobile fire group sent from its base to the predicted track (unset: cheap_layer.csv).",
    ),
    ("pools[]", Pool, "Interceptor stocks that refill magazines."),
    ("launch_sites[]", LaunchSite, "Publicly reported launch areas."),
    ("waves[]", Wave, "Threats of one type from one launch site."),
    ("waves[].main_direction", MainDirection, "Aim most of a wave at one asset."),
    ("doctrine", Doctrine, "Fire doctrine and assignment."),
    ("conditions", Conditions, "Weather and light: a factor on interceptor-drone hunts."),
    ("Point (start/end/origin)", Point, "A position."),
]


def _type_name(ann: Any) -> str:
    """Readable type: drops Annotated metadata, keeps unions, lists and dicts."""
    import types
    import typing

    origin = typing.get_origin(ann)
    args = typing.get_args(ann)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin is not None:
        return (
            f"{getattr(origin, '__name__', str(origin))}[{', '.join(_type_name(a) for a in args)}]"
        )
    if ann is type(None):
        return "None"
    return getattr(ann, "__name__", str(ann))


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        return "`" + repr(field.default_factory()) + "`"
    return f"`{field.default!r}`"


def _constraints(field: Any) -> list[Any]:
    """Constraint objects of a field, also those inside ``Annotated[...] | None``."""
    import typing

    found = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        if typing.get_origin(arg) is typing.Annotated:
            for m in typing.get_args(arg)[1:]:
                found.extend(getattr(m, "metadata", [m]))
    return found


def _range(field: Any) -> str:
    """The bounds of a field: ``≥ 0, ≤ 1``, ``≤ 10,000 items``."""
    parts: dict[str, str] = {}
    for m in _constraints(field):
        for attr, sym in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                parts["lo" if sym in "≥>" else "hi"] = f"{sym} {v:,g}"
        if getattr(m, "max_length", None) is not None:
            unit = "chars" if field.annotation is str else "items"
            parts["len"] = f"≤ {m.max_length:,} {unit}"
    return ", ".join(parts[k] for k in ("lo", "hi", "len") if k in parts)


def reference_markdown() -> str:
    """Markdown tables of every scenario field: name, type, default, unit, description."""
    out = [
        "# Scenario YAML reference",
        "",
        "Generated from the pydantic models by `python scripts/gen_docs.py`; a test keeps it in",
        "sync. Unknown keys are errors; `kind:` chooses the type of list items. Values are in",
        "the units their names say (`_km`, `_s`, `_usd`, `_deg`).",
        "",
    ]
    for title, model, blurb in SECTIONS:
        out += [
            f"## {title}",
            "",
            blurb,
            "",
            "| field | type | default | unit | range | description |",
            "|---|---|---|---|---|---|",
        ]
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            unit = str(extra.get("unit", ""))
            desc = (f.description or "").replace("|", "/")
            out.append(
                f"| `{name}` | `{_type_name(f.annotation)}` | {_default(f)} | {unit} "
                f"| {_range(f)} | {desc} |"
            )
        out.append("")
    out += [
        "## Limits",
        "",
        "Every input is checked against these bounds before anything is allocated (a YAML",
        "alias bomb, 10⁹ drones or a ring of 10⁶ units is refused in milliseconds), by the",
        "commands and the web app alike; each violation is an error naming the file, the line",
        "and the field (exit status 2 on the command line, HTTP 413 or 422 in the web app). The",
        "per-field bounds are in the `range` column above. Defined in",
        "`src/airshield/scenario/limits.py`.",
        "",
        "| limit | value | meaning |",
        "|---|---|---|",
    ]
    out += [f"| `{name}` | {value} | {meaning} |" for name, value, meaning in documented()]
    out.append("")
    return "\n".join(out)


def models_markdown(
    title: str, intro: str, sections: list[tuple[str, type[BaseModel], str]]
) -> str:
    """A reference page like :func:`reference_markdown` for any list of (title, model, blurb):
    used by the documentation site for the campaign, sweep and allocation files."""
    out = [f"# {title}", "", intro, ""]
    for sec, model, blurb in sections:
        out += [
            f"## {sec}",
            "",
            blurb or (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " "),
            "",
            "| field | type | default | unit | description |",
            "|---|---|---|---|---|",
        ]
        for name, f in model.model_fields.items():
            extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
            unit = str(extra.get("unit", ""))
            desc = (f.description or "").replace("|", "/").replace("\n", " ")
            typ = _type_name(f.annotation).replace("|", "/")
            out.append(f"| `{name}` | `{typ}` | {_default(f)} | {unit} | {desc} |")
        out.append("")
    return "\n".join(out)
