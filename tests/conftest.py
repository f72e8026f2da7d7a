"""Fixtures shared by every test folder: the session's headless Chromium for reports and the web app.

Browser tests drive Debian's Chromium (``/usr/bin/chromium``) with playwright; no browser is ever
downloaded. Locally they skip when Chromium or playwright is missing; with ``CI=true`` they fail
instead, so CI can never pass them by skipping.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# A test run started as a background job of a shell without job control (`cmd &` in a script,
# nohup) inherits SIGINT ignored, and so would every command-line process the tests start: the
# Ctrl-C tests would then see a run that never stops. Python's own handler here makes the
# children start with the default disposition, as under a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

CHROMIUM = os.environ.get("AIRSHIELD_CHROMIUM", "/usr/bin/chromium")
# flags that work on this kind of machine (closed network, root, no GPU)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


_SHARED: dict[str, Any] = {"playwright": None, "browser": None, "users": 0}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Debian Chromium driven by playwright, one per test session (playwright's sync
    API allows one instance per thread, so every browser test shares it)."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if _SHARED["browser"] is None:
        pw = sync_playwright().start()
        try:
            _SHARED["browser"] = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception:
            pw.stop()
            raise
        _SHARED["playwright"] = pw
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            _SHARED["browser"].close()
            _SHARED["playwright"].stop()
            _SHARED["browser"] = _SHARED["playwright"] = None


@dataclass
class Watch:
    """What a page did: requests outside the allowed origin (aborted), console errors,
    uncaught page errors."""

    external: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.external == [], f"requests left the allowed origin: {self.external}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"page errors: {self.page_errors}"


def watch_page(page: Any, allowed_prefix: str = "file://") -> Watch:
    """Abort every request whose URL does not start with ``allowed_prefix`` (recording it) and
    record console errors and page errors."""
    w = Watch()

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(allowed_prefix) or url.startswith(("data:", "blob:", "about:")):
            r.continue_()
        else:
            w.external.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: w.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.page_errors.append(str(e)))
    return w


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in its own context (1300 x 1000)."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture
def watch() -> Any:
    """:func:`watch_page` as a fixture (test modules need not import this file)."""
    return watch_page


# folders whose tests run the raid kernel (directly or through campaign, sweep, report, web, CLI)
_KERNEL_USERS = (
    "raid", "campaign", "sweep", "report", "web", "plan", "calibrate", "test_cli", "test_warmup",
)  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def _raid_kernels_warm(request: pytest.FixtureRequest) -> None:
    """Compile (or load from numba's cache) the raid kernel once per session, before the first
    test that needs it, so that no test pays the compilation in its own timing."""
    items = request.session.items
    if any(p in _KERNEL_USERS for it in items for p in (*it.path.parts, it.path.stem)):
        from airshield.raid.engines import warm_up

        warm_up()
