"""MkDocs hooks of the documentation site (``mkdocs.yml: hooks``).

At build time, without writing into ``docs/``:

- the reference pages are generated from the pydantic models (scenario, campaign, sweep,
  allocation), the command-line reference from the ``airshield`` app itself;
- every numbered tutorial ``docs/tutorials/NN-*.py`` is executed cell by cell (``# %%``
  separators, ``# %% [markdown]`` cells of ``# `` comments) and becomes a page with its code, its
  printed output and its figures (plotly, drawn by a vendored plotly.js: no CDN). Replication
  counts come from ``AIRSHIELD_TUTORIAL_REPS`` (small by default, so that CI runs them all); an
  exception in a tutorial fails the build;
- the gallery gets one picture per bundled example.
"""

from __future__ import annotations

import ast
import contextlib
import html
import io
import os
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

os.environ.setdefault("AIRSHIELD_TUTORIAL_REPS", "40")
os.environ.setdefault("AIRSHIELD_DOCS", "1")
_FIG = 0


def _add(files: Files, config: Any, uri: str, content: str | bytes) -> None:
    old = files.get_file_from_path(uri)
    if old is not None:
        files.remove(old)
    files.append(File.generated(config, uri, content=content))


# ---- references ---------------------------------------------------------------------------
def _references() -> dict[str, str]:
    from airshield.campaign import models as cm
    from airshield.plan import allocation as pa
    from airshield.scenario.reference import models_markdown, reference_markdown
    from airshield.sweep import spec as sp

    out = {"reference/scenario.md": reference_markdown()}
    out["reference/campaign.md"] = models_markdown(
        "Campaign YAML reference",
        "Generated from the pydantic models at build time. A campaign names a raid template "
        "(`raid:`, a scenario file) and says how the attacker's stocks, production and tempo and "
        "the defender's pools, deliveries, pauses, diversions and purchases evolve night by "
        "night. Unknown keys are errors; `kind:` chooses the type of list items and profiles.",
        [
            ("Campaign (top level)", cm.Campaign, ""),
            ("attacker", cm.Attacker, ""),
            ("attacker.threats[]", cm.AttackerThreat, ""),
            ("attacker.launch_sites", cm.LaunchSites, ""),
            ("tempo kind: nightly", cm.NightlyTempo, ""),
            ("tempo kind: accumulate", cm.AccumulateTempo, ""),
            ("tempo kind: schedule", cm.ScheduleTempo, ""),
            ("tempo.raids[] (schedule)", cm.ScheduledRaid, ""),
            ("profile kind: constant", cm.ConstantProfile, ""),
            ("profile kind: ramp", cm.RampProfile, ""),
            ("profile kind: steps", cm.StepsProfile, ""),
            ("steps[]", cm.Step, ""),
            ("defender", cm.Defender, ""),
            ("defender.pools[]", cm.DefenderPool, ""),
            ("deliveries[] kind: once", cm.OnceDelivery, ""),
            ("deliveries[] kind: recurring", cm.RecurringDelivery, ""),
            ("pauses[]", cm.Pause, ""),
            ("diversions[]", cm.Diversion, ""),
            ("purchases[] kind: order", cm.OrderPurchase, ""),
            ("purchases[] kind: reorder", cm.ReorderPurchase, ""),
        ],
    )
    out["reference/sweep.md"] = models_markdown(
        "Sweep YAML reference",
        "Generated from the pydantic models at build time. A sweep names a base (a raid scenario "
        "or a campaign) and the parameters to vary (grid, list or Latin hypercube axes); cell k "
        "uses child k of `SeedSequence(seed)`.",
        [
            ("Sweep (top level)", sp.SweepSpec, ""),
            ("base kind: raid", sp.RaidBase, ""),
            ("base kind: campaign", sp.CampaignBase, ""),
            ("parameters[] axis: grid", sp.GridAxis, ""),
            ("parameters[] axis: list", sp.ListAxis, ""),
            ("parameters[] axis: lhs", sp.LhsAxis, ""),
            ("lhs ranges[]", sp.LhsRange, ""),
        ],
    )
    out["reference/allocation.md"] = models_markdown(
        "Allocation YAML reference",
        "Generated from the pydantic models at build time. An allocation splits the pools of a "
        "national campaign across regions, each with its own raid template, to minimise the "
        "expected weighted harmful leakers (`airshield campaign allocate`).",
        [("Allocation (top level)", pa.AllocationSpec, ""), ("regions[]", pa.Region, "")],
    )
    out["reference/cli.md"] = _cli_reference()
    return out


def _cli_reference() -> str:
    import typer

    from airshield.cli import app

    root = typer.main.get_command(app)
    lines = [
        "# Command-line reference",
        "",
        "Generated from the `airshield` app at build time. Every command exits with status 0 "
        "when done, 2 on bad input (the message names file, line, field and what was "
        "expected) and 130 when interrupted (Ctrl-C). Every file argument also takes a bundled "
        "example's bare name (`airshield run kyiv-2025-07-04`; see `airshield examples list`). "
        "`--json` prints exactly one JSON document on stdout; progress goes to stderr.",
        "",
        "Shell completion: `airshield --install-completion` (bash, zsh, fish, PowerShell), or "
        "`airshield --show-completion` to print the script.",
        "",
    ]

    # typer may vendor its own click: go by duck typing, not isinstance
    def walk(cmd: Any, path: list[str]) -> None:
        ctx = cmd.context_class(cmd, info_name=" ".join(path))
        if hasattr(cmd, "list_commands"):
            if len(path) > 1:
                lines.extend([f"## `{' '.join(path)}`", "", (cmd.help or "").strip(), ""])
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, [*path, name])
            return
        lines.extend([f"{'###' if len(path) > 2 else '##'} `{' '.join(path)}`", ""])
        lines.extend([textwrap.dedent(cmd.help or "").strip(), ""])
        usage = " ".join(cmd.collect_usage_pieces(ctx))
        lines.extend(["```", f"{' '.join(path)} {usage}", "```", ""])
        rows = []
        for p in cmd.params:
            if getattr(p, "param_type_name", "") == "argument":
                rows.append((str(p.name).upper(), "argument", getattr(p, "help", "") or ""))
                continue
            rec = p.get_help_record(ctx)
            if rec:
                rows.append((rec[0], "option", rec[1]))
        if rows:
            lines.extend(["| name | | what |", "|---|---|---|"])
            for n, k, h in rows:
                n = n.replace("|", "/")
                h = h.replace("|", "/").replace("\n", " ")
                lines.append(f"| `{n}` | {k} | {h} |")
            lines.append("")

    walk(root, ["airshield"])
    return "\n".join(lines)


# ---- tutorials ----------------------------------------------------------------------------
def _cells(src: str) -> tuple[str, list[tuple[str, str]]]:
    """(docstring, [(kind, text)]) of a tutorial script."""
    tree = ast.parse(src)
    doc = ast.get_docstring(tree) or ""
    body = src
    if doc and tree.body and isinstance(tree.body[0], ast.Expr):
        body = "\n".join(src.splitlines()[tree.body[0].end_lineno :])
    cells: list[tuple[str, str]] = []
    kind, buf = "code", []
    for line in body.splitlines():
        if line.startswith("# %%"):
            if "".join(buf).strip():
                cells.append((kind, "\n".join(buf).strip("\n")))
            kind = "markdown" if "[markdown]" in line else "code"
            buf = []
            continue
        buf.append(line)
    if "".join(buf).strip():
        cells.append((kind, "\n".join(buf).strip("\n")))
    return doc, cells


def _show(value: Any) -> str:
    global _FIG
    import pandas as pd
    import plotly.graph_objects as go

    if isinstance(value, go.Figure):
        _FIG += 1
        div = value.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            div_id=f"tutorial-figure-{_FIG}",
            config={"displaylogo": False, "responsive": True},
        )
        return f'\n<div class="airshield-figure" markdown="0">\n{div}\n</div>\n'
    if isinstance(value, pd.DataFrame):
        table = value.head(20).to_html(index=False, border=0, classes="dataframe")
        return f'\n<div class="airshield-frame" markdown="0">\n{table}\n</div>\n'
    if hasattr(value, "_repr_html_"):
        return f'\n<div class="airshield-repr" markdown="0">\n{value._repr_html_()}\n</div>\n'
    return "\n```text\n" + repr(value) + "\n```\n"


def run_tutorial(path: Path) -> str:
    """Execute a tutorial script and return its page (markdown with outputs and figures)."""
    src = path.read_text(encoding="utf-8")
    doc, cells = _cells(src)
    ns: dict[str, Any] = {"__name__": "__main__", "__file__": str(path)}
    out = [doc.strip(), ""]
    reps = os.environ["AIRSHIELD_TUTORIAL_REPS"]
    out.append(
        f'!!! note "Executed when this site was built"\n    Run it yourself: '
        f"`python {path.name}` (the script is [here]({path.name})). The site was built with "
        f"`AIRSHIELD_TUTORIAL_REPS={reps}`: small replication counts, so the bands are wide; "
        "set it higher for real work.\n"
    )
    started = time.perf_counter()
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="airshield-tutorial-") as tmp:
        os.chdir(tmp)
        try:
            for kind, text in cells:
                if kind == "markdown":
                    out.append(
                        "\n".join(
                            ln[2:] if ln.startswith("# ") else ln.lstrip("#")
                            for ln in text.splitlines()
                        )
                    )
                    out.append("")
                    continue
                out.extend(["```python", text, "```", ""])
                tree = ast.parse(text)
                last = None
                if tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = ast.Expression(tree.body.pop().value)
                buf = io.StringIO()
                with contextlib.redirect_stdout(buf):
                    exec(compile(tree, str(path), "exec"), ns)
                    value = eval(compile(last, str(path), "eval"), ns) if last else None
                printed = buf.getvalue()
                if printed.strip():
                    out.extend(["```text", printed.rstrip(), "```", ""])
                if value is not None:
                    out.append(_show(value))
        finally:
            os.chdir(cwd)
    out.append(
        f"\n<small>Page executed in {time.perf_counter() - started:.1f} s (wall clock).</small>\n"
    )
    return "\n".join(out)


# ---- gallery ------------------------------------------------------------------------------
def _example_figure(e: Any) -> Any:
    import pandas as pd
    import plotly.graph_objects as go

    from airshield.report.maps import scenario_map

    if e.kind == "scenario":
        from airshield.scenario import load_scenario

        sc = load_scenario(e.path)
        assets = pd.DataFrame(
            [
                {"name": a.name, "lat": a.lat, "lon": a.lon, "value_usd": a.value_usd}
                for a in sc.assets
            ]
        )
        fig = scenario_map(sc, assets, None, f"{sc.name}: laydown and launch areas")
    elif e.kind in ("plan space", "laydown"):
        from airshield.report.laydown import laydown_map

        if e.kind == "laydown":
            from airshield.plan.laydown import load_laydown

            ld = load_laydown(e.path)
            a, title = ld.attack, f"{ld.spec.name}: rule-based laydown, {len(ld.sites)} sites"
            sites = ld.sites
        else:
            from airshield.scenario.attack import load_attack

            a, title, sites = load_attack(e.path), "", []
            title = f"{a.scenario.name}: laydown and the default plan's routes"
        fig = laydown_map(a.scenario, _plan_routes(a), title)
        if sites:
            fig.add_trace(
                go.Scattergeo(lat=[s.lat for s in sites], lon=[s.lon for s in sites],
                              mode="markers", name="candidate sites",
                              marker={"size": 5, "color": "#455a64", "symbol": "circle-open"})
            )  # fmt: skip
    elif e.kind == "campaign":
        from airshield.campaign import attacker_plan, load_campaign

        c = load_campaign(e.path)
        plan = attacker_plan(c)
        dates = [c.start_date + pd.Timedelta(days=i) for i in range(c.n_nights)]
        fig = go.Figure(
            go.Bar(x=dates, y=plan.launched.sum(axis=1), marker_color="#78909c", name="launched")
        )
        fig.update_layout(
            title=f"{c.name}: threats launched each night (attacker plan)",
            yaxis_title="threats",
            height=360,
        )
    elif e.kind == "allocation":
        from airshield.plan.allocation import load_allocation

        a = load_allocation(e.path)
        fig = go.Figure(
            go.Bar(
                x=[r.name for r in a.spec.regions],
                y=[r.share for r in a.spec.regions],
                marker_color="#1f5f8b",
            )
        )
        fig.update_layout(
            title=f"{a.spec.name}: each region's share of the raids",
            yaxis={"tickformat": ".0%"},
            height=360,
        )
    elif e.kind == "procurement":
        from airshield.plan.procure_models import load_procurement

        loaded = load_procurement(e.path)
        spec, months = loaded.spec, len(loaded.months)
        fig = go.Figure(
            go.Bar(
                x=[o.name for o in spec.options],
                y=[
                    o.unit_cost_usd * min(o.max_per_month * months, o.max_total or 10**12)
                    for o in spec.options
                ],
                marker_color="#6d4c41",
            )
        )
        fig.update_layout(
            title=f"{spec.name}: the most each option can absorb in {months} order months "
            f"(budget {spec.budget_usd / 1e9:.2f} bn USD)",
            yaxis_title="USD",
            height=360,
        )
    elif e.kind == "sweep":
        from airshield.sweep.plan import load_plan

        plan = load_plan(e.path)
        names = [p.name for p in plan.parameters]
        vals = list(zip(*[c.values for c in plan.cells], strict=True))
        x, y = vals[0], vals[1] if len(vals) > 1 else [0] * len(vals[0])
        fig = go.Figure(go.Scatter(x=x, y=y, mode="markers", marker={"size": 7}))
        fig.update_layout(
            title=f"{plan.spec.name}: {plan.n_cells} cells ({names[0]} × "
            f"{names[1] if len(names) > 1 else '–'})",
            xaxis_title=names[0],
            yaxis_title=names[1] if len(names) > 1 else "",
            height=360,
        )
    else:
        return None
    return fig


def _plan_routes(a: Any) -> list[dict[str, Any]]:
    """Every approach option's route of a plan space (launch -> waypoints), for the map."""
    from airshield.scenario.attack import ApproachChoice, route_points

    out = []
    waves = {w.name: w for w in a.scenario.waves}
    for c in a.space.choices:
        if isinstance(c, ApproachChoice):
            for o in c.options:
                w = waves[c.waves[0]]
                pts = route_points(a.scenario, a.space, o, w.launch_site)
                tgt = a.scenario.assets[0]
                out.append({"wave": w.name, "points": [*pts, (tgt.lat, tgt.lon)]})
    return out


def _gallery() -> str:
    from airshield.examples import bundled_examples

    out = [
        "# Gallery",
        "",
        "One picture per bundled example, drawn when this site was built: the laydown map of "
        "each raid scenario (fire units with their envelopes, assets, launch areas; toggle "
        "envelopes from the legend), each campaign's attacker plan, each allocation's regions, "
        "each sweep's design, each procurement spec's options. Copy one with `airshield examples copy NAME DIR` or run it by "
        "name (`airshield run one-battery`). Every number in them is notional.",
        "",
    ]
    for e in bundled_examples():
        out.extend(
            [f"## {e.name}", "", f"*{e.kind}* · `{e.file}` · {html.escape(e.description)}", ""]
        )
        fig = _example_figure(e)
        if fig is not None:
            out.append(_show(fig))
        else:
            text = e.path.read_text(encoding="utf-8")
            lang = "python" if e.path.suffix == ".py" else "text"
            out.extend([f"```{lang}", text.rstrip()[:3000], "```", ""])
    return "\n".join(out)


# ---- the hook -----------------------------------------------------------------------------
def on_files(files: Files, config: Any) -> Files:
    import plotly.offline

    for uri, text in _references().items():
        _add(files, config, uri, text)
    tut_dir = Path(config["docs_dir"]) / "tutorials"
    for script in sorted(tut_dir.glob("[0-9][0-9]-*.py")):
        _add(files, config, f"tutorials/{script.stem}.md", run_tutorial(script))
    _add(files, config, "gallery.md", _gallery())
    root = Path(config["config_file_path"]).parent
    _add(files, config, "changelog.md", (root / "CHANGELOG.md").read_text(encoding="utf-8"))
    _add(files, config, "assets/plotly.min.js", plotly.offline.get_plotlyjs())
    return files


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Load the vendored plotly.js in the head of pages that draw figures (their inline scripts
    call ``Plotly.newPlot`` as the page is parsed, so it must come first)."""
    if "Plotly.newPlot" not in output:
        return output
    depth = page.url.count("/") if page.url else 0
    src = "../" * depth + "assets/plotly.min.js"
    return output.replace("</head>", f'<script src="{src}"></script></head>', 1)
