"""Regenerate docs/img/report.png: the kyiv-2025-07-04 raid report in headless Chromium.

python scripts/screenshot_report.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import airshield
from airshield.examples import example_path
from airshield.report import write_raid_report

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]  # fmt: skip

sc = airshield.load_scenario(example_path("kyiv-2025-07-04"))
result = sc.simulate(reps=200, seed=1, workers=2)
with tempfile.TemporaryDirectory() as tmp:
    html = Path(tmp) / "report.html"
    write_raid_report(result, sc, html)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(html.as_uri())
        page.wait_for_selector("#map-figure .main-svg")
        page.wait_for_timeout(500)
        page.screenshot(path=str(ROOT / "docs" / "img" / "report.png"))
        browser.close()
print("wrote docs/img/report.png")
