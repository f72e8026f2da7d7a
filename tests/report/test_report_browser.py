"""Reports opened in headless Chromium with every non-file request aborted: no external request,
no console error, the map has drawn paths, every plot rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def open_report(page: Any, path: Path, watch: Any) -> Any:
    w = watch(page, "file://")
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_selector("#map-figure .geo .scatterlayer path")
    page.wait_for_timeout(300)  # let late errors or fetches surface
    return w


def drawn_paths(page: Any, selector: str) -> int:
    """Paths under ``selector`` with a non-trivial ``d`` attribute."""
    return int(
        page.eval_on_selector_all(
            selector, "els => els.filter(e => (e.getAttribute('d') || '').length > 20).length"
        )
    )


def test_raid_report_offline_in_browser(page: Any, raid_report: Path, watch: Any) -> None:
    w = open_report(page, raid_report, watch)
    w.assert_clean()
    # outlines, envelopes and tracks are SVG paths on the geo subplot
    assert drawn_paths(page, "#map-figure .geo .scatterlayer path.js-line") >= 5
    # the coastline trace alone has drawn lines (a blank map would have none)
    assert (
        page.eval_on_selector_all(
            "#map-figure .geo .scatterlayer .trace",
            "ts => ts.length",
        )
        >= 6
    )
    for fig in ("leakers-figure", "outcomes-figure", "effectors-figure"):
        assert page.locator(f"#{fig} .main-svg").count() >= 1
        assert page.locator(f"#{fig} .bars path, #{fig} .point path").count() >= 1, fig
    # assets are labelled on the map and a scale bar is drawn (text in the geo subplot)
    texts = page.eval_on_selector_all(
        "#map-figure .geo .scatterlayer text", "ts => ts.map(t => t.textContent)"
    )
    assert {"city", "power-plant"} <= set(texts), texts
    assert any(t.endswith(" km") for t in texts), texts
    # the legend is below the map: its top is under the geo subplot's bottom
    geo_box = page.locator("#map-figure .geolayer").bounding_box()
    legend_box = page.locator("#map-figure .legend").bounding_box()
    assert geo_box is not None and legend_box is not None
    assert legend_box["y"] >= geo_box["y"] + geo_box["height"] - 1
    # an envelope toggles on its own from the legend (the others and the units stay)
    item = page.locator("#map-figure .legend .traces", has_text="≤").first
    item.locator(".legendtoggle").click()
    page.wait_for_timeout(1000)  # plotly waits out its double-click delay before toggling
    visible = page.evaluate(
        "() => document.getElementById('map-figure').data"
        ".map(d => [d.legendgroup || '', d.visible === undefined ? true : d.visible])"
    )
    env = [v for g, v in visible if g == "envelopes"]
    assert env.count("legendonly") == 1 and len(env) >= 2, visible
    assert all(v is True for g, v in visible if g == "units"), visible
    # the view buttons switch the map to the defended area without errors
    page.get_by_text("defended area").click()
    page.wait_for_timeout(300)
    assert drawn_paths(page, "#map-figure .geo .scatterlayer path.js-line") >= 5
    w.assert_clean()


def test_campaign_report_offline_in_browser(page: Any, campaign_report: Path, watch: Any) -> None:
    w = open_report(page, campaign_report, watch)
    w.assert_clean()
    assert drawn_paths(page, "#map-figure .geo .scatterlayer path.js-line") >= 3
    # stock curves: a filled band and a mean line per pool
    assert drawn_paths(page, "#stock-figure .scatterlayer path.js-fill") >= 2
    assert drawn_paths(page, "#stock-figure .scatterlayer path.js-line") >= 2
    assert page.locator("#stock-figure .annotation-text", has_text="empty").count() >= 1
    assert page.locator("#nights-figure .bars path").count() >= 1
    w.assert_clean()


def test_watch_catches_an_external_request(page: Any, tmp_path: Path, watch: Any) -> None:
    """The guard itself works: a page that fetches from the network is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><img src='https://cdn.example.invalid/x.png'>"
        "<script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    w = watch(page, "file://")
    page.goto(bad.as_uri())
    page.wait_for_timeout(200)
    assert w.external == ["https://cdn.example.invalid/x.png"]
    assert any("boom" in e for e in w.console_errors)
    with pytest.raises(AssertionError):
        w.assert_clean()


def test_guard_catches_plotly_base_map_fetch(page: Any, tmp_path: Path, watch: Any) -> None:
    """Had a report left plotly's base maps on, plotly would fetch topojson from its CDN: the
    page's CSP blocks it and the browser test sees the error (and no blank-map pass)."""
    import plotly.graph_objects as go

    from airshield.report import html as h

    fig = go.Figure(go.Scattergeo(lon=[30.0, 31.0], lat=[50.0, 50.5], mode="lines"))
    fig.update_layout(geo={"showcountries": True})
    bad = tmp_path / "cdn.html"
    bad.write_text(h.page("t", "", h.figure_div(fig, "map-figure")), encoding="utf-8")
    w = watch(page, "file://")
    page.goto(bad.as_uri(), wait_until="load")
    page.wait_for_timeout(1500)
    seen = " ".join(w.external + w.console_errors + w.page_errors)
    assert "cdn.plot.ly" in seen
