"""The web app in headless Chromium against a live server on 127.0.0.1: edit a scenario, see a
validation error inline, fix it, run with a progress bar, see the report; compare two runs.
Every request that does not go to the app's own origin is aborted and recorded."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_edit_validate_fix_run_and_see_report(page: Any, live_server: str, watch: Any) -> None:
    w = watch(page, live_server + "/")
    page.goto(live_server + "/")
    page.click("a.scenario-link:text-is('one-battery')")
    page.wait_for_selector("#valid-ok")  # the bundled scenario validates on load
    good = page.input_value("#yaml")
    # break it: a negative count on line 23 and a misspelt field on line 17
    page.fill("#yaml", good.replace("count: 40", "count: -5").replace("stock: 12", "stok: 12"))
    page.click("#validate-btn")
    page.wait_for_selector("li.problem")
    problems = page.locator("li.problem").all_inner_texts()
    assert any("line 23" in p and "waves[0].count" in p for p in problems), problems
    assert any("line 17" in p and "unknown field" in p for p in problems), problems
    assert page.locator("#gutter span.bad").all_inner_texts() == ["17", "23"]
    # clicking a problem selects its line in the editor
    page.locator("li.problem", has_text="line 23").click()
    selected = page.evaluate(
        "() => { const t = document.getElementById('yaml'); "
        "return t.value.slice(t.selectionStart, t.selectionEnd); }"
    )
    assert "count: -5" in selected
    # running the broken scenario is refused with the same problems
    page.click("#run-btn")
    page.wait_for_selector("#run-msg.error")
    assert "problems" in page.inner_text("#run-msg")
    # the browser logs the refused request (HTTP 422) as a console error: expected, once
    assert len(w.console_errors) == 1 and "422" in w.console_errors[0], w.console_errors
    w.console_errors.clear()
    # fix it and run
    page.fill("#yaml", good)
    page.click("#validate-btn")
    page.wait_for_selector("#valid-ok")
    assert page.locator("#gutter span.bad").count() == 0
    page.fill("#reps", "40")
    page.fill("#seed", "11")
    page.click("#run-btn")
    page.wait_for_selector("#progress:not([hidden])")
    page.wait_for_selector("#run-link", timeout=120_000)
    assert page.get_attribute("#progress-bar", "style") == "width: 100%;"
    # the report is shown in the page, with its map drawn
    frame = page.frame_locator("#report-frame")
    frame.locator("#map-figure .geo .scatterlayer path.js-line").first.wait_for(timeout=60_000)
    assert frame.locator("#map-figure .geo .scatterlayer path.js-line").count() >= 5
    assert "seed" in frame.locator("dl.meta").inner_text()
    page.wait_for_timeout(300)
    w.assert_clean()
    # the run is in the history, with its report
    page.goto(live_server + "/")
    row = page.locator("#runs tbody tr").first
    assert "one-battery" in row.inner_text() and "done" in row.inner_text()
    w.assert_clean()


def _post_run(base: str, text: str, reps: int, seed: int) -> int:
    req = urllib.request.Request(
        base + "/api/runs",
        data=json.dumps({"text": text, "reps": reps, "seed": seed}).encode(),
        headers={"Content-Type": "application/json", "X-AirShield": "1"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return int(json.loads(r.read())["id"])


def test_compare_two_runs_side_by_side(page: Any, live_server: str, watch: Any) -> None:
    from airshield.examples import example_path

    text = example_path("one-battery").read_text(encoding="utf-8")
    a = _post_run(live_server, text, 20, 1)
    b = _post_run(live_server, text.replace("stock: 12", "stock: 2"), 20, 1)
    w = watch(page, live_server + "/")
    # the run page polls until the run is done, then shows the report
    page.goto(f"{live_server}/runs/{b}")
    page.wait_for_selector("#report-frame", timeout=120_000)
    page.goto(live_server + "/")
    page.check(f"input.cmp[value='{a}']")
    assert page.is_disabled("#compare-btn")
    page.check(f"input.cmp[value='{b}']")
    page.click("#compare-btn")
    page.wait_for_url(f"**/compare?a={min(a, b)}&b={max(a, b)}")
    table = page.inner_text("#compare-table")
    assert f"run #{a}" in table and f"run #{b}" in table and "harmful leakers" in table
    assert page.locator(".side-by-side iframe.report-frame").count() == 2
    for i in range(2):
        frame = page.frame_locator(".side-by-side iframe.report-frame").nth(i)
        frame.locator("#map-figure .geo .scatterlayer path.js-line").first.wait_for(timeout=60_000)
    w.assert_clean()
