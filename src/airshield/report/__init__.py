"""Self-contained HTML reports with maps and plots (plotly, JS inlined, no network request).

``write_raid_report(result, scenario, path)`` writes the raid report;
``write_campaign_report(result, campaign, path)`` the campaign report. Both files open offline:
plotly.js is embedded, plotly's CDN base maps are off and country outlines come from vendored
Natural Earth data (public domain, ``airshield/report/data``).
"""

from __future__ import annotations

from airshield.report.raid import raid_report_html, write_raid_report

__all__ = ["raid_report_html", "write_raid_report"]
