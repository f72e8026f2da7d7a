"""Self-contained HTML reports with maps and plots (plotly, JS inlined, no network request).

``write_raid_report(result, scenario, path)`` writes the raid report;
``write_campaign_report(result, campaign, path)`` the campaign report. Both files open offline:
plotly.js is embedded, plotly's CDN base maps are off and country outlines come from vendored
Natural Earth data (public domain, ``airshield/report/data``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airshield.report.raid import raid_report_html, write_raid_report

if TYPE_CHECKING:
    from airshield.report.campaign import campaign_report_html, write_campaign_report

__all__ = ["campaign_report_html", "raid_report_html", "write_campaign_report", "write_raid_report"]


def __getattr__(name: str) -> Any:
    # the campaign report imports only when asked for
    if name in ("campaign_report_html", "write_campaign_report"):
        from airshield.report import campaign

        return getattr(campaign, name)
    raise AttributeError(name)
