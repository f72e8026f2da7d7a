"""Self-contained HTML pages: plotly.js inlined once, inline CSS, a CSP that forbids any fetch.

A page built here makes no network request: plotly's JavaScript is embedded (no CDN), MathJax is
off, and a ``Content-Security-Policy`` meta tag allows only inline script and style and ``data:``
images, so even a library that tried to fetch something could not.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import plotly.graph_objects as go

from airshield import fmt

PLOTLY_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)

CSS = """
:root { --ink: #1d2630; --muted: #5b6773; --line: #d9dee3; --accent: #1f5f8b; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; background: #fff; }
header.report { background: #12304a; color: #fff; padding: 18px 28px 14px; }
header.report h1 { margin: 0 0 4px; font-size: 22px; }
header.report p { margin: 2px 0; color: #d7e3ee; }
dl.meta { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 10px 0 0; font-size: 13px; }
dl.meta div { display: flex; gap: 6px; }
dl.meta dt { color: #9fb6cb; } dl.meta dd { margin: 0; font-family: ui-monospace, monospace; }
main { padding: 8px 28px 40px; max-width: 1280px; }
section { margin: 22px 0; }
h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin: 0 0 10px; }
p.note { color: var(--muted); font-size: 13px; margin: 4px 0 8px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 10px; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.kpi .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
              letter-spacing: .03em; }
.kpi .value { font-size: 22px; font-weight: 600; }
.kpi .band { color: var(--muted); font-size: 12px; }
table.data { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 4px 10px; }
table.data th { text-align: left; background: #f3f5f7; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid2 { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
@media (max-width: 1000px) { .grid2 { grid-template-columns: minmax(0, 1fr); } }
.warn { background: #fff4d6; border: 1px solid #e5c25a; padding: 8px 12px; border-radius: 6px; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
"""


# ---- building blocks --------------------------------------------------------------------------
def esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric_from: int = 1) -> str:
    """An HTML table; columns from ``numeric_from`` on are right-aligned."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{esc(v)}</td>' if i >= numeric_from else f"<td>{esc(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def kpi_band(label: str, b: dict[str, float], money: bool = False) -> str:
    """A headline figure: the mean of a band, with its 5–95 % range underneath."""
    f = fmt.money if money else fmt.count
    return kpi(label, f(b["mean"]), f"[{f(b['p5'])}–{f(b['p95'])}]")


def kpi(label: str, value: str, band_text: str = "") -> str:
    return (
        f'<div class="kpi"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div>'
        f'<div class="band">{esc(band_text)}</div></div>'
    )


def figure_div(fig: go.Figure, div_id: str) -> str:
    """A figure as a div plus the inline script that draws it (plotly.js must be on the page)."""
    out: str = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=PLOTLY_CONFIG,
    )
    return out


def meta_list(items: Sequence[tuple[str, object]]) -> str:
    cells = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items)
    return f'<dl class="meta">{cells}</dl>'


def page(title: str, header_html: str, body_html: str, footer_html: str = "") -> str:
    """A whole self-contained page: plotly.js, CSS and content inline."""
    from plotly.offline import get_plotlyjs

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script>'
        "</head><body>"
        f'<header class="report">{header_html}</header><main>{body_html}</main>'
        f"<footer>{footer_html} Generated {esc(now)} by AirShield. Notional parameters only; "
        "this report made no network request.</footer></body></html>\n"
    )
