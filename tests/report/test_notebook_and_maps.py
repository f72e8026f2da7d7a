"""Notebook views of results (repr, _repr_html_, .plot, to_frame, to_xarray) and the map's
labels, scale bar, envelope groups and legend placement."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest

from airshield import fmt
from airshield.report.maps import nice_length_km, scale_bar_trace
from report.conftest import REPS, SEED


def test_raid_result_repr_is_short_and_true(raid_result: Any) -> None:
    text = repr(raid_result)
    assert len(text) < 250
    band = raid_result.summary()["totals"]["leaked_harmful"]
    assert text.startswith("<RaidResult 'one-battery'")
    assert f"{REPS} reps" in text and f"seed {SEED}" in text
    assert fmt.band(band) in text


def test_raid_result_html_has_the_headline_with_bands(raid_result: Any) -> None:
    h = raid_result._repr_html_()
    t = raid_result.summary()["totals"]
    assert "<table" in h and "harmful leakers" in h
    assert fmt.band(t["leaked_harmful"]) in h
    assert fmt.band(t["defender_cost_usd"], "money").replace("–", "–") in h
    assert "<script" not in h


def test_raid_totals_frame_matches_the_summary(raid_result: Any) -> None:
    tf = raid_result.totals_frame()
    assert len(tf) == REPS
    t = raid_result.summary()["totals"]
    for col in ("leaked_harmful", "destroyed", "defender_cost_usd", "damage_usd"):
        assert tf[col].mean() == pytest.approx(t[col]["mean"])
    assert (tf["leaked"] == tf["leaked_harmful"] + tf["decoy_leaked"]).all()


def test_raid_plot_accessor_returns_the_report_figures(raid_result: Any, one_battery: Any) -> None:
    for fig in (
        raid_result.plot.leakers(),
        raid_result.plot.outcomes(),
        raid_result.plot.effectors(),
        raid_result.plot.map(one_battery),
        raid_result.plot(),
    ):
        assert isinstance(fig, go.Figure) and len(fig.data) >= 1


def test_raid_to_xarray(raid_result: Any) -> None:
    pytest.importorskip("xarray")
    ds = raid_result.to_xarray()
    assert ds.sizes["rep"] == REPS
    assert int(ds["leaked"].sum()) == int(raid_result.outcomes[:, :, 3].sum())


def test_campaign_result_notebook_views(campaign_result: Any) -> None:
    text = repr(campaign_result)
    assert len(text) < 250 and text.startswith("<CampaignResult 'tiny-campaign'")
    h = campaign_result._repr_html_()
    s = campaign_result.summary()
    assert fmt.band(s["totals"]["leaked_harmful"]) in h
    for p in s["pools"]:
        assert p["pool"] in h
    assert len(campaign_result.to_frame()) == (
        campaign_result.reps * campaign_result.nights * len(campaign_result.pool_names)
    )
    for fig in (
        campaign_result.plot.stocks(),
        campaign_result.plot.nights(),
        campaign_result.plot.costs(),
    ):
        assert isinstance(fig, go.Figure) and len(fig.data) >= 2


def test_campaign_to_xarray_dims(campaign_result: Any) -> None:
    pytest.importorskip("xarray")
    ds = campaign_result.to_xarray()
    assert dict(ds["stock_end"].sizes) == {
        "rep": campaign_result.reps,
        "night": campaign_result.nights,
        "pool": len(campaign_result.pool_names),
    }
    np.testing.assert_array_equal(ds["fired"].values, campaign_result.fired)


# ---- maps ---------------------------------------------------------------------------------
def _map(raid_result: Any, one_battery: Any) -> go.Figure:
    from airshield.report.raid import map_figure

    return map_figure(raid_result, one_battery)


def test_assets_are_labelled_on_the_map(raid_result: Any, one_battery: Any) -> None:
    fig = _map(raid_result, one_battery)
    assets = next(t for t in fig.data if t.legendgroup == "assets")
    assert "text" in assets.mode
    assert list(assets.text) == [a.name for a in one_battery.assets]
    # hover keeps value and expected damage
    assert all("expected damage" in h for h in assets.hovertext)


def test_envelopes_are_grouped_by_type_and_toggle_on_their_own(
    raid_result: Any, one_battery: Any
) -> None:
    fig = _map(raid_result, one_battery)
    env = [t for t in fig.data if t.legendgroup == "envelopes"]
    units = [t for t in fig.data if t.legendgroup == "units"]
    assert env and len(env) <= len(units)  # one envelope trace per effector type (with a range)
    assert all(t.showlegend is not False for t in env)
    assert fig.layout.legend.groupclick == "toggleitem"
    names = {t.name.split(" ")[0] for t in env}
    assert names <= {t.name.split(" ")[0] for t in units}


def test_legend_is_below_the_map_never_over_it(raid_result: Any, one_battery: Any) -> None:
    legend = _map(raid_result, one_battery).layout.legend
    assert legend.orientation == "h"
    assert legend.y <= 0 and legend.yanchor == "top"


def test_scale_bar_has_a_round_length_that_is_true_on_the_ground() -> None:
    assert nice_length_km(480.0) == 50.0
    assert nice_length_km(1200.0) == 200.0
    assert nice_length_km(7.0) == 1.0
    extent = (28.0, 48.0, 34.0, 52.0)
    bar = scale_bar_trace(extent, "scale")
    label = next(t for t in bar.text if t)
    km = float(label.split(" ")[0])
    from airshield.geo import great_circle_km

    lat = [v for v in bar.lat if v is not None]
    lon = [v for v in bar.lon if v is not None]
    # vertices 1 and 3 are the bar's ends
    assert great_circle_km(lat[1], lon[1], lat[3], lon[3]) == pytest.approx(km, rel=1e-3)


def test_view_buttons_switch_the_scale_bar(raid_result: Any, one_battery: Any) -> None:
    fig = _map(raid_result, one_battery)
    bars = [i for i, t in enumerate(fig.data) if t.meta == "scale-bar"]
    assert len(bars) == 2
    buttons = fig.layout.updatemenus[0].buttons
    assert [list(b.args[2]) for b in buttons] == [bars, bars]
    assert [b.args[0]["visible"] for b in buttons] == [[True, False], [False, True]]


def test_comparison_views(campaign_result: Any) -> None:
    from airshield.campaign.compare import Comparison

    cmp = Comparison(["base", "same"], [campaign_result, campaign_result])
    assert repr(cmp).startswith("<Comparison 'base' vs 'same'")
    h = cmp._repr_html_()
    assert "same: harmful leakers" in h and "0 [0, 0]" in h  # identical variants differ by 0
    assert len(cmp.to_frame()) == len(cmp.differences())
