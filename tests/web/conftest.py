"""Fixtures for web-app tests: an app on a temporary data directory, a TestClient, and a live
uvicorn server on 127.0.0.1 for the browser tests."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TEST_HOSTS = ("127.0.0.1", "localhost", "testserver")


@pytest.fixture(scope="session", autouse=True)
def warm_kernels() -> None:
    """Compile (or load from numba's cache) the raid kernel before any timed wait: a cold
    compile takes a minute on a busy 2-core machine and would eat the runs' timeouts."""
    from airshield.examples import example_path
    from airshield.raid import simulate
    from airshield.scenario import load_scenario

    simulate(load_scenario(example_path("one-battery")), reps=1)


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    from airshield.web.app import Settings

    return Settings(
        home=tmp_path / "home",
        max_body_bytes=64_000,
        max_scenario_bytes=32_000,
        max_reps=500,
        max_active_runs=2,
        allowed_hosts=TEST_HOSTS,
    )


@pytest.fixture
def app(settings: Any) -> Iterator[Any]:
    from airshield.web.app import create_app

    application = create_app(settings)
    yield application
    application.state.runner.shutdown()


def _test_client_class() -> Any:
    # newer starlette warns (at import) that its TestClient prefers httpx2 over httpx; either
    # works for these tests
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        from fastapi.testclient import TestClient
    return TestClient


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    TestClient = _test_client_class()

    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    from airshield.web.app import Settings, create_app

    home = tmp_path_factory.mktemp("live-home")
    application = create_app(Settings(home=home, max_reps=2_000))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
