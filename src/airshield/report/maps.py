"""Map figures: an offline basemap, assets, fire units with envelopes, threat tracks.

Maps are plotly ``Scattergeo`` traces on a ``layout.geo`` whose base layers (land, ocean, lakes,
rivers, countries, coastlines, sub-units, frame) are all switched off: plotly would fetch those
from a CDN. The basemap comes from vendored Natural Earth data instead
(:mod:`airshield.report.basemap`, :mod:`airshield.report.outlines`), drawn first, so under
everything else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from airshield import fmt
from airshield.geo import offset_latlon, to_latlon
from airshield.report.basemap import DEFAULT_BASEMAP, Basemap, check_basemap, load_basemap
from airshield.report.outlines import load_outlines

if TYPE_CHECKING:
    from airshield.scenario import Scenario

FATE_STYLE: dict[str, tuple[str, str]] = {
    # category -> (colour, legend label)
    "destroyed": ("#2e7d32", "destroyed"),
    "lost": ("#6a1b9a", "lost (EW)"),
    "leaked": ("#c62828", "leaked (hit)"),
    "decoy_leaked": ("#9e9e9e", "decoy leaked (harmless)"),
}
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#637939",
    "#8c6d31",
)
KIND_SYMBOL = {
    "missile": "diamond",
    "gun": "square",
    "interceptor_drone": "triangle-up",
    "ew": "star",
}


def rows(df: pd.DataFrame) -> Iterator[Any]:
    """The frame's rows as named tuples (typed loosely: columns are mixed)."""
    it: Iterator[Any] = df.itertuples(index=False)
    return it


SEA = "#dfe9f2"
LAND = "#f6f4ee"
LAKE = "#cfe0ee"
RIVER = "#9dbcd6"
BLANK = "#f7f9fb"


def base_geo(
    extent: tuple[float, float, float, float], basemap: Basemap = DEFAULT_BASEMAP
) -> dict[str, Any]:
    """``layout.geo`` with every plotly base layer off (no fetch) and the given lon/lat extent;
    the background is the sea colour under the ``vector`` basemap."""
    lon0, lat0, lon1, lat1 = extent
    return {
        "projection": {"type": "mercator"},
        "showland": False,
        "showocean": False,
        "showlakes": False,
        "showrivers": False,
        "showcountries": False,
        "showcoastlines": False,
        "showsubunits": False,
        "showframe": False,
        "bgcolor": SEA if basemap == "vector" else BLANK,
        "lonaxis": {"range": [lon0, lon1], "showgrid": False},
        "lataxis": {"range": [lat0, lat1], "showgrid": False},
    }


def fit_extent(
    lats: Sequence[float], lons: Sequence[float], margin: float = 0.08, min_span_deg: float = 1.0
) -> tuple[float, float, float, float]:
    """A lon/lat box around the points with a margin, at least ``min_span_deg`` wide/tall."""
    la = np.asarray([x for x in lats if x is not None and np.isfinite(x)], dtype=float)
    lo = np.asarray([x for x in lons if x is not None and np.isfinite(x)], dtype=float)
    if la.size == 0:
        return (22.0, 44.0, 41.0, 53.0)
    cy, cx = (la.min() + la.max()) / 2, (lo.min() + lo.max()) / 2
    hy = max((la.max() - la.min()) * (0.5 + margin), min_span_deg / 2)
    # a 1 deg lon is cos(lat) of a 1 deg lat: keep the box roughly 3:2 on screen
    k = max(np.cos(np.radians(cy)), 0.2)
    hx = max((lo.max() - lo.min()) * (0.5 + margin), min_span_deg / 2, 1.3 * hy / k)
    hy = max(hy, hx * k / 1.6)
    return (float(cx - hx), float(cy - hy), float(cx + hx), float(cy + hy))


def basemap_traces(
    extent: tuple[float, float, float, float], basemap: Basemap = DEFAULT_BASEMAP
) -> list[go.Scattergeo]:
    """The basemap's traces, bottom first: for ``vector`` land and lake fills and rivers, then
    (``vector`` and ``outline``) coastlines, borders and country labels; none for ``none``."""
    basemap = check_basemap(basemap)
    if basemap == "none":
        return []
    traces: list[go.Scattergeo] = []
    if basemap == "vector":
        bm = load_basemap()
        for which, fill, line, width in (
            ("land", LAND, LAND, 0.5),
            ("lakes", LAKE, LAKE, 0.5),
            ("rivers", None, RIVER, 0.8),
        ):
            lon, lat = bm.coords(which, extent)
            if not lon:
                continue
            traces.append(
                go.Scattergeo(
                    lon=lon,
                    lat=lat,
                    mode="lines",
                    fill="toself" if fill else "none",
                    fillcolor=fill,
                    line={"color": line, "width": width},
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"basemap {which}",
                    meta=f"basemap:{which}",
                )
            )
    return traces + outline_traces(extent)


def outline_traces(extent: tuple[float, float, float, float]) -> list[go.Scattergeo]:
    """Coastlines, borders and country labels inside the extent."""
    ol = load_outlines()
    traces = []
    for which, colour, width in (("coast", "#7a8a99", 1.1), ("border", "#a5b1bc", 0.9)):
        lon, lat = ol.lines(which, extent)
        traces.append(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"color": colour, "width": width},
                hoverinfo="skip",
                showlegend=False,
                name=f"{which}lines",
                meta=f"basemap:{which}",
            )
        )
    lo0, la0, lo1, la1 = extent
    labels = [(n, x, y) for n, x, y in ol.labels if lo0 < x < lo1 and la0 < y < la1]
    if labels:
        traces.append(
            go.Scattergeo(
                lon=[x for _, x, _ in labels],
                lat=[y for _, _, y in labels],
                text=[n.upper() for n, _, _ in labels],
                mode="text",
                textfont={"color": "#a5b1bc", "size": 11},
                hoverinfo="skip",
                showlegend=False,
                name="country labels",
            )
        )
    return traces


def circle(
    lat: float, lon: float, radius_km: float, n: int = 72
) -> tuple[list[float], list[float]]:
    """A geodesic circle (exact in the azimuthal-equidistant plane around its centre)."""
    th = np.linspace(0.0, 2 * np.pi, n + 1)
    la, lo = to_latlon(radius_km * np.sin(th), radius_km * np.cos(th), lat, lon)
    return [float(v) for v in la], [float(v) for v in lo]


def track_path(r: Any) -> tuple[list[float], list[float]]:
    """A threat's route from launch to where its fate met it (intercept, EW loss or aim point).

    ``r`` is a row of :func:`airshield.raid.sample_night` (``route_points``, ``fate_s`` and
    ``lat_fate``/``lon_fate``): every waypoint passed before the fate, then the fate's point.
    """
    pts = r.get("route_points") if hasattr(r, "get") else getattr(r, "route_points", None)
    if pts is None:  # a two-leg row without its point list
        pts = [(r.lat0, r.lon0, 0.0), (r.lat1, r.lon1, float(r.waypoint_s)), (r.lat2, r.lon2, 0.0)]
    lats = [float(pts[0][0])]
    lons = [float(pts[0][1])]
    for la, lo, t in pts[1:-1]:
        if float(r.fate_s) > t:
            lats.append(la)
            lons.append(lo)
    lats.append(float(r.lat_fate))
    lons.append(float(r.lon_fate))
    return lats, lons


def track_category(fate: str, kind: str) -> str:
    if fate == "leaked" and kind == "decoy":
        return "decoy_leaked"
    return fate


def track_traces(tracks: pd.DataFrame) -> list[go.Scattergeo]:
    """Threat tracks of one replication coloured by fate, each drawn up to (and marked at) the
    point where it was destroyed, made lost or reached its aim point."""
    paths: dict[str, tuple[list[float | None], list[float | None], list[str]]] = {
        c: ([], [], []) for c in FATE_STYLE
    }
    ends: dict[str, tuple[list[float], list[float], list[str]]] = {
        c: ([], [], []) for c in FATE_STYLE
    }
    for r in rows(tracks):
        cat = track_category(str(r.fate), str(r.kind))
        who = str(r.by_unit)
        la, lo = track_path(r)
        label = f"{r.threat_type} #{r.threat} ({r.wave}) → {r.target}: {FATE_STYLE[cat][1]}"
        if who:
            label += f" by {who}"
        p_lat, p_lon, p_txt = paths[cat]
        p_lat.extend([*la, None])
        p_lon.extend([*lo, None])
        p_txt.extend([label] * len(la) + [""])
        e_lat, e_lon, e_txt = ends[cat]
        e_lat.append(la[-1])
        e_lon.append(lo[-1])
        e_txt.append(label)
    traces: list[go.Scattergeo] = []
    for cat, (colour, name) in FATE_STYLE.items():
        p_lat, p_lon, p_txt = paths[cat]
        if not p_lat:
            continue
        n = len(ends[cat][0])
        traces.append(
            go.Scattergeo(
                lat=p_lat,
                lon=p_lon,
                text=p_txt,
                mode="lines",
                name=f"{name} ({n})",
                legendgroup=cat,
                legendgrouptitle={"text": "tracks (one replication)"}
                if cat == next(iter(FATE_STYLE))
                else None,
                hoverinfo="text",
                line={
                    "color": colour,
                    "width": 1.0,
                    "dash": "dot" if cat == "decoy_leaked" else "solid",
                },
                opacity=0.55,
            )
        )
        e_lat, e_lon, e_txt = ends[cat]
        traces.append(
            go.Scattergeo(
                lat=e_lat,
                lon=e_lon,
                text=e_txt,
                mode="markers",
                name=name,
                legendgroup=cat,
                showlegend=False,
                hoverinfo="text",
                marker={
                    "color": colour,
                    "size": 5 if cat != "leaked" else 7,
                    "symbol": "x" if cat in ("destroyed", "lost") else "circle",
                },
            )
        )
    return traces


def laydown_traces(laydown: pd.DataFrame) -> list[go.Scattergeo]:
    """Fire units by effector type (one legend entry each, group "fire units") and their
    envelopes (maximum and minimum range; one legend entry per type, group "envelopes", each
    toggled on its own)."""
    units: list[go.Scattergeo] = []
    envelopes: list[go.Scattergeo] = []
    for i, (etype, grp) in enumerate(laydown.groupby("effector_type", sort=True)):
        colour = PALETTE[i % len(PALETTE)]
        kind = str(grp["effector_kind"].iloc[0])
        c_lat: list[float | None] = []
        c_lon: list[float | None] = []
        for r in rows(grp):
            for radius in (r.range_max_km, r.range_min_km):
                if radius and radius > 0:
                    la, lo = circle(float(r.lat), float(r.lon), float(radius))
                    c_lat.extend([*la, None])
                    c_lon.extend([*lo, None])
        if c_lat:
            rmax = float(grp["range_max_km"].max())
            envelopes.append(
                go.Scattergeo(
                    lat=c_lat,
                    lon=c_lon,
                    mode="lines",
                    legendgroup="envelopes",
                    legendgrouptitle={"text": "envelopes (click to toggle)"},
                    hoverinfo="skip",
                    line={"color": colour, "width": 1.0},
                    opacity=0.55,
                    name=f"{etype} ≤ {rmax:g} km",
                    meta=f"envelope:{etype}",
                )
            )
        text = [
            f"{r.unit}: {etype} ({kind}), range {r.range_min_km:g}–{r.range_max_km:g} km"
            + (f", pool {r.pool}" if r.pool else "")
            for r in rows(grp)
        ]
        units.append(
            go.Scattergeo(
                lat=grp["lat"].tolist(),
                lon=grp["lon"].tolist(),
                text=text,
                hoverinfo="text",
                mode="markers",
                legendgroup="units",
                legendgrouptitle={"text": "fire units"},
                name=f"{etype} ({len(grp)})",
                marker={
                    "color": colour,
                    "size": 9,
                    "symbol": KIND_SYMBOL.get(kind, "circle"),
                    "line": {"color": "#ffffff", "width": 1},
                },
            )
        )
    # envelopes first: drawn under the units
    return envelopes + units


def nice_length_km(span_km: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10^n km) of about a fifth of ``span_km``."""
    target = max(span_km / 5.0, 1e-3)
    mag = 10 ** np.floor(np.log10(target))
    for m in (5.0, 2.0, 1.0):
        if m * mag <= target:
            return float(m * mag)
    return float(mag)


def scale_bar_trace(extent: tuple[float, float, float, float], name: str) -> go.Scattergeo:
    """A scale bar in the lower left of ``extent``: a geodesic line of a round length with its
    label (true at any zoom: it is drawn in map coordinates)."""
    lon0, lat0, lon1, lat1 = extent
    lat = lat0 + 0.07 * (lat1 - lat0)
    lon = lon0 + 0.04 * (lon1 - lon0)
    width_km = (lon1 - lon0) * 111.32 * float(np.cos(np.radians(lat)))
    length = nice_length_km(width_km)
    la2, lo2 = offset_latlon(lat, lon, 90.0, length)
    tick = 0.012 * (lat1 - lat0)
    text = f"{length:g} km"
    return go.Scattergeo(
        lat=[lat + tick, lat, lat, la2, la2 + tick, None, lat + 2.2 * tick],
        lon=[lon, lon, lon, lo2, lo2, None, (lon + lo2) / 2],
        mode="lines+text",
        text=["", "", "", "", "", "", text],
        textposition="top center",
        textfont={"size": 11, "color": "#263238"},
        line={"color": "#263238", "width": 2},
        hoverinfo="skip",
        showlegend=False,
        name=name,
        meta="scale-bar",
    )


def asset_trace(assets: pd.DataFrame) -> go.Scattergeo:
    """Assets; marker area proportional to expected damage (columns name, lat, lon, value_usd,
    and optionally damage_mean, damage_p5, damage_p95, hits_mean; without them all markers
    have one size)."""
    has_damage = "damage_mean" in assets.columns and bool(assets["damage_mean"].notna().any())
    dmax = float(assets["damage_mean"].max()) if has_damage else 0.0
    sizes = [
        10.0 + (36.0 * float(np.sqrt(d / dmax)) if dmax > 0 else 0.0)
        for d in (assets["damage_mean"] if has_damage else [0.0] * len(assets))
    ]
    text = []
    for r in rows(assets):
        t = f"<b>{r.name}</b><br>value {fmt.money(r.value_usd)}"
        if has_damage:
            t += (
                f"<br>expected damage {fmt.money(r.damage_mean)}"
                f" [{fmt.money(r.damage_p5)}–{fmt.money(r.damage_p95)}]<br>hits {r.hits_mean:.1f}"
            )
        text.append(t)
    return go.Scattergeo(
        lat=assets["lat"].tolist(),
        lon=assets["lon"].tolist(),
        text=[str(n) for n in assets["name"]],
        hovertext=text,
        hoverinfo="text",
        mode="markers+text",
        textposition="top center",
        textfont={"size": 11, "color": "#8e0000"},
        legendgroup="assets",
        legendgrouptitle={"text": "defended"},
        name="assets (area ∝ expected damage)" if has_damage else "assets",
        marker={
            "color": "rgba(198,40,40,0.35)",
            "size": sizes,
            "line": {"color": "#8e0000", "width": 1.5},
        },
    )


def launch_trace(sites: pd.DataFrame) -> go.Scattergeo:
    return go.Scattergeo(
        lat=sites["lat"].tolist(),
        lon=sites["lon"].tolist(),
        text=sites["name"].tolist(),
        mode="markers+text",
        textposition="bottom center",
        name="launch areas",
        legendgroup="attack",
        legendgrouptitle={"text": "attack"},
        hoverinfo="text",
        marker={"symbol": "triangle-down", "size": 10, "color": "#37474f"},
        textfont={"size": 10, "color": "#37474f"},
    )


def scenario_map(
    sc: Scenario,
    assets: pd.DataFrame,
    tracks: pd.DataFrame | None,
    title: str,
    basemap: Basemap = DEFAULT_BASEMAP,
) -> go.Figure:
    """A map of the scenario: the basemap (``vector``, ``outline`` or ``none``), fire units with
    envelopes, launch areas, assets (sized by the ``damage_mean`` column) and, if given, threat
    tracks (from ``sample_night``). Two buttons switch between the whole raid and the defended
    area."""
    from airshield.raid.trace import laydown_frame

    laydown = laydown_frame(sc)
    sites = pd.DataFrame([{"name": s.name, "lat": s.lat, "lon": s.lon} for s in sc.launch_sites])
    lats = [*assets["lat"], *sites["lat"]]
    lons = [*assets["lon"], *sites["lon"]]
    if tracks is not None:
        lats += [*tracks["lat0"], *tracks["lat2"]]
        lons += [*tracks["lon0"], *tracks["lon2"]]
    if len(laydown):
        lats += list(laydown["lat"])
        lons += list(laydown["lon"])
    extent = fit_extent(lats, lons)
    # the defended area: assets and fire units with their envelopes
    near_lat, near_lon = list(assets["lat"]), list(assets["lon"])
    for r in rows(laydown):
        for b in (0.0, 90.0, 180.0, 270.0):
            la, lo = offset_latlon(float(r.lat), float(r.lon), b, float(r.range_max_km))
            near_lat.append(la)
            near_lon.append(lo)
    near = fit_extent(near_lat, near_lon, margin=0.05, min_span_deg=0.3)
    fig = go.Figure()
    for tr in basemap_traces(extent, basemap):
        fig.add_trace(tr)
    for tr in laydown_traces(laydown):
        fig.add_trace(tr)
    if tracks is not None:
        for tr in track_traces(tracks):
            fig.add_trace(tr)
    fig.add_trace(launch_trace(sites))
    fig.add_trace(asset_trace(assets))
    fig.add_trace(scale_bar_trace(extent, "scale (whole raid)"))
    fig.add_trace(scale_bar_trace(near, "scale (defended area)"))
    n = len(fig.data)
    bars = [n - 2, n - 1]
    fig.data[-1].visible = False
    buttons = [
        {
            "label": label,
            "method": "update",
            "args": [
                {"visible": [k == 0, k == 1]},
                {"geo.lonaxis.range": [e[0], e[2]], "geo.lataxis.range": [e[1], e[3]]},
                bars,
            ],
        }
        for k, (label, e) in enumerate((("whole raid", extent), ("defended area", near)))
    ]
    fig.update_layout(
        geo=base_geo(extent, basemap),
        height=760,
        margin={"l": 0, "r": 0, "t": 30, "b": 150},
        title={"text": title, "font": {"size": 14}},
        # the legend sits below the map, never over it; items toggle one by one
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": -0.02,
            "yanchor": "top",
            "font": {"size": 11},
            "groupclick": "toggleitem",
            "tracegroupgap": 12,
        },
        uirevision="map",
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0.5,
                "xanchor": "center",
                "y": 1.0,
                "yanchor": "bottom",
                "showactive": True,
                "font": {"size": 11},
                "buttons": buttons,
            }
        ],
    )
    return fig
