"""Server-rendered HTML pages of the web app (no template engine: small functions, all escaped)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from airshield import fmt
from airshield.report.html import esc
from airshield.store import RunRecord
from airshield.web.scenarios import ScenarioRef


def layout(title: str, body: str, page: str = "") -> str:
    nav = (
        '<nav class="top"><a class="brand" href="/">AirShield</a>'
        '<a href="/">Scenarios &amp; runs</a><a href="/new">New scenario</a></nav>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)} · AirShield</title><link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/static/app.css">'
        f'<script src="/static/app.js" defer></script></head><body data-page="{esc(page)}">'
        f"{nav}<main>{body}</main></body></html>\n"
    )


def _status(rec: RunRecord) -> str:
    return f'<span class="status status-{esc(rec.status)}">{esc(rec.status)}</span>'


def _leakers(rec: RunRecord) -> str:
    if rec.summary and "totals" in rec.summary:
        return fmt.band(rec.summary["totals"]["leaked_harmful"])
    return "–"


def _library_texts(scenarios: Sequence[ScenarioRef]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ref in scenarios:
        try:
            out.setdefault(ref.name, ref.path.read_text(encoding="utf-8"))
        except OSError:
            continue
    return out


def _edited_badge(rec: RunRecord, library: dict[str, str]) -> str:
    """ "edited" when the run's YAML is not the library scenario of the same name as it is now."""
    text = library.get(rec.scenario_name)
    if rec.scenario_text is None or text is None or text.strip() == rec.scenario_text.strip():
        return ""
    return (
        ' <span class="badge badge-edited" title="this run used an edited copy of the '
        'scenario; see its YAML on the run page">edited</span>'
    )


def index_page(scenarios: Sequence[ScenarioRef], runs: Sequence[RunRecord]) -> str:
    library = _library_texts(scenarios)
    items = []
    for ref in scenarios:
        badge = "bundled" if ref.source == "bundled" else "yours"
        items.append(
            f'<li><a class="scenario-link" data-source="{esc(ref.source)}" '
            f'href="/scenarios/{esc(ref.source)}/{esc(ref.name)}">{esc(ref.name)}</a> '
            f'<span class="badge badge-{esc(ref.source)}">{badge}</span></li>'
        )
    scen = (
        '<section class="card"><h2>Scenarios</h2>'
        f'<ul class="scenarios">{"".join(items) or "<li>none</li>"}</ul>'
        '<p><a class="button" href="/new">New scenario</a></p>'
        '<form id="upload-form" class="upload"><label>Upload a scenario YAML '
        '<input type="file" id="upload-file" name="file" accept=".yaml,.yml"></label> '
        '<button type="submit">Upload</button><span id="upload-msg" class="msg"></span></form>'
        "</section>"
    )
    rows = []
    for r in runs:
        report = (
            f'<a href="/runs/{r.id}/report" target="_blank">report</a>'
            if r.status == "done"
            else ""
        )
        rows.append(
            f'<tr data-run="{r.id}"><td><input type="checkbox" class="cmp" value="{r.id}" '
            f'aria-label="select run {r.id}"></td><td><a href="/runs/{r.id}">#{r.id}</a></td>'
            f"<td>{esc(r.created.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
            f"<td>{esc(r.scenario_name)}{_edited_badge(r, library)} "
            f'<code class="hash">{esc(r.scenario_hash[:8])}</code></td>'
            f'<td class="num">{r.reps}</td><td class="num">{r.seed}</td><td>{_status(r)}</td>'
            f'<td class="num">{esc(_leakers(r))}</td><td>{report}</td></tr>'
        )
    table = (
        '<table class="data" id="runs"><thead><tr><th></th><th>run</th><th>created (UTC)</th>'
        "<th>scenario</th><th>reps</th><th>seed</th><th>status</th>"
        "<th>harmful leakers [5–95 %]</th><th></th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="muted">No runs yet: open a scenario and press Run.</p>'
    )
    runs_html = (
        '<section class="card"><h2>Run history</h2>'
        '<p><button id="compare-btn" disabled>Compare two selected runs</button></p>'
        f"{table}</section>"
    )
    return layout("Scenarios & runs", f'<div class="cols">{scen}{runs_html}</div>', "index")


def editor_page(source: str, name: str, text: str, max_reps: int, new: bool = False) -> str:
    editable = source == "user" and not new
    if new:
        note = "A new scenario, started from the one-battery example. Give it a name and save it."
    elif editable:
        note = "Your scenario: edit, validate, save, run."
    else:
        note = (
            "A bundled example (read-only): edit freely and run, or save a copy under a new name."
        )
    save_name = name if editable else (f"{name}-copy" if name else "my-scenario")
    body = f"""
<h1>{esc(name or "New scenario")} <span class="badge badge-{esc(source)}">{
        "bundled" if source == "bundled" else "yours"
    }</span></h1>
<p class="muted">{esc(note)}</p>
<div class="editor-wrap" id="editor" data-source="{esc(source)}" data-name="{esc(name)}">
  <div class="editor">
    <pre class="gutter" id="gutter" aria-hidden="true"></pre>
    <textarea id="yaml" spellcheck="false" wrap="off" aria-label="scenario YAML">{
        esc(text)
    }</textarea>
  </div>
  <aside class="side">
    <div class="card">
      <h2>Validation</h2>
      <button id="validate-btn">Validate</button>
      <div id="validation" class="validation" aria-live="polite"></div>
    </div>
    <div class="card">
      <h2>Save</h2>
      <label>name <input id="save-name" value="{esc(save_name)}" maxlength="64"
        pattern="[A-Za-z0-9][A-Za-z0-9._-]{{0,63}}"></label>
      <button id="save-btn">Save</button>
      <div id="save-msg" class="msg"></div>
    </div>
    <div class="card">
      <h2>Run</h2>
      <label>replications <input id="reps" type="number" min="1" max="{
        max_reps
    }" value="200"></label>
      <label>seed <input id="seed" type="number" min="0" value="0"></label>
      <button id="run-btn" class="primary">Run</button>
      <div class="progress" id="progress" hidden><div class="bar" id="progress-bar"></div></div>
      <div id="run-msg" class="msg" aria-live="polite"></div>
    </div>
  </aside>
</div>
<section id="result" hidden>
  <h2>Report <a id="report-link" href="#" target="_blank">open in a new tab</a></h2>
  <iframe id="report-frame" title="report" class="report-frame"></iframe>
</section>
"""
    return layout(name or "New scenario", body, "editor")


def run_page(rec: RunRecord) -> str:
    meta = [
        ("scenario", rec.scenario_name),
        ("hash", rec.scenario_hash),
        ("seed", str(rec.seed)),
        ("replications", str(rec.reps)),
        ("created (UTC)", rec.created.strftime("%Y-%m-%d %H:%M:%S")),
        ("elapsed", f"{rec.elapsed_s:.1f} s" if rec.elapsed_s is not None else "–"),
    ]
    dl = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in meta)
    parts = [
        f'<h1>Run #{rec.id} {_status(rec)}</h1><dl class="meta">{dl}</dl>',
        f'<div id="run" data-run="{rec.id}" data-status="{esc(rec.status)}">',
    ]
    if rec.status == "running":
        parts.append(
            '<div class="progress" id="progress"><div class="bar" id="progress-bar"></div></div>'
            '<div id="run-msg" class="msg">running…</div>'
        )
    if rec.status == "failed":
        parts.append(
            f'<h2>Error</h2><pre class="error" id="run-error">{esc(rec.error or "")}</pre>'
        )
    if rec.status == "done":
        parts.append(
            f'<p><a href="/runs/{rec.id}/report" target="_blank">'
            "Open the report in a new tab</a></p>"
            f'<iframe class="report-frame" id="report-frame" title="report" '
            f'src="/runs/{rec.id}/report"></iframe>'
        )
    parts.append("</div>")
    if rec.scenario_text:
        parts.append(
            f'<details><summary>Scenario YAML of this run</summary><pre class="yaml">'
            f"{esc(rec.scenario_text)}</pre></details>"
        )
    return layout(f"Run #{rec.id}", "".join(parts), "run")


COMPARE_METRICS = (
    ("leaked_harmful", "harmful leakers", "count"),
    ("destroyed", "destroyed", "count"),
    ("lost", "lost (EW)", "count"),
    ("decoy_leaked", "decoys leaked", "count"),
    ("damage_usd", "expected damage", "money"),
    ("defender_cost_usd", "defender cost", "money"),
)
LEVEL = 0.95


def _totals(rec: RunRecord) -> Any:
    """The run's per-replication totals (a DataFrame) when the run kept them, else None."""
    if not rec.report_path:
        return None
    from airshield.web.runner import totals_path

    p = totals_path(rec.report_path)
    if not p.is_file():
        return None
    import pandas as pd

    return pd.read_parquet(p)


def difference_interval(a: Any, b: Any, paired: bool, level: float = LEVEL) -> dict[str, float]:
    """B − A of the means with a ``level`` t-interval: paired replication by replication (same
    seed: common random numbers, over the replications both runs have) or, for different seeds,
    Welch's interval for independent samples."""
    import numpy as np

    from airshield.intervals import paired_difference, welch_difference

    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if paired:
        n = min(x.size, y.size)
        ci = paired_difference(y[:n] - x[:n], level)
        if n < 2:  # one pair says nothing about the spread: no interval
            return {"mean": ci.mean, "lo": float("nan"), "hi": float("nan"), "n": n}
        return {"mean": ci.mean, "lo": ci.lo, "hi": ci.hi, "n": n}
    ci = welch_difference(x, y, level)
    return {"mean": ci.mean, "lo": ci.lo, "hi": ci.hi, "n": 0}


def _metric_rows(a: RunRecord, b: RunRecord) -> tuple[list[str], str]:
    sa, sb = a.summary, b.summary
    ta, tb = _totals(a), _totals(b)
    paired = a.seed == b.seed
    rows = []
    for key, label, kind in COMPARE_METRICS:
        ba = sa["totals"][key] if sa and "totals" in sa else None
        bb = sb["totals"][key] if sb and "totals" in sb else None
        fa = fmt.band(ba, kind) if ba else "–"  # type: ignore[arg-type]
        fb = fmt.band(bb, kind) if bb else "–"  # type: ignore[arg-type]
        if ta is not None and tb is not None and key in ta and key in tb:
            d = difference_interval(ta[key], tb[key], paired)
            diff = fmt.diff(d["mean"], d["lo"], d["hi"], kind)  # type: ignore[arg-type]
        elif ba and bb:
            diff = fmt.signed(bb["mean"] - ba["mean"], kind)  # type: ignore[arg-type]
        else:
            diff = "–"
        rows.append(
            f'<tr><td>{esc(label)}</td><td class="num">{esc(fa)}</td><td class="num">{esc(fb)}</td>'
            f'<td class="num diff">{esc(diff)}</td></tr>'
        )
    if ta is None or tb is None:
        note = (
            "B − A: difference of the means only (a run from before per-replication totals "
            "were kept has no interval)."
        )
    elif paired:
        n = min(len(ta), len(tb))
        note = (
            f"B − A: mean paired difference with its {LEVEL:.0%} interval. Both runs use seed "
            f"{a.seed}, so replication i of each saw the same random draws (common random "
            f"numbers); paired over the {n} replications both have."
        )
    else:
        note = (
            f"B − A: difference of the means with its {LEVEL:.0%} interval (Welch; the runs "
            f"use different seeds, {a.seed} and {b.seed}, so they are independent samples; "
            "run both with one seed for a paired, tighter comparison)."
        )
    return rows, note


def _scenario_cell(r: RunRecord, other: RunRecord) -> str:
    edited = r.scenario_name == other.scenario_name and r.scenario_hash != other.scenario_hash
    badge = ' <span class="badge badge-edited">edited: differs from the other run</span>'
    return (
        f"run #{r.id}: {esc(r.scenario_name)} <code>{esc(r.scenario_hash[:10])}</code>"
        f"{badge if edited else ''} (seed {r.seed}, {r.reps} reps)"
    )


def _yaml_diff(a: RunRecord, b: RunRecord) -> str:
    if a.scenario_hash == b.scenario_hash or not (a.scenario_text and b.scenario_text):
        return ""
    import difflib

    lines = difflib.unified_diff(
        a.scenario_text.splitlines(),
        b.scenario_text.splitlines(),
        fromfile=f"run #{a.id}",
        tofile=f"run #{b.id}",
        lineterm="",
        n=1,
    )
    text = "\n".join(lines)
    return (
        '<details class="yaml-diff" open><summary>How the scenarios differ (YAML, A → B)'
        f'</summary><pre class="yaml" id="yaml-diff">{esc(text)}</pre></details>'
    )


def compare_choose_page() -> str:
    """``/compare`` without two runs: say how to choose them."""
    body = ('<h1>Compare two runs</h1><p>Choose two runs on the <a href="/">runs page</a> and '
            "press <em>Compare two selected runs</em> (or open <code>/compare?a=ID&amp;b=ID"
            "</code>).</p>")  # fmt: skip
    return layout("Compare two runs", body, "compare")


def compare_page(a: RunRecord, b: RunRecord) -> str:
    head = (
        f"<tr><th>mean [5–95 %] per night</th><th>A = {_scenario_cell(a, b)}</th>"
        f"<th>B = {_scenario_cell(b, a)}</th><th>B − A [{LEVEL:.0%} interval]</th></tr>"
    )
    rows, note = _metric_rows(a, b)
    table = (
        f'<table class="data" id="compare-table"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p class="muted" id="compare-note">{esc(note)}</p>'
    )
    frames = []
    for r in (a, b):
        if r.status == "done":
            frames.append(
                f'<div><h2>Run #{r.id}</h2><iframe class="report-frame" title="report {r.id}" '
                f'src="/runs/{r.id}/report"></iframe></div>'
            )
        else:
            frames.append(f"<div><h2>Run #{r.id}</h2><p>{_status(r)} – no report</p></div>")
    data = json.dumps({"a": a.id, "b": b.id})
    body = (
        f"<h1>Compare runs #{a.id} and #{b.id}</h1>{table}{_yaml_diff(a, b)}"
        f'<div class="side-by-side" data-compare="{esc(data)}">{"".join(frames)}</div>'
    )
    return layout(f"Compare #{a.id} and #{b.id}", body, "compare")
