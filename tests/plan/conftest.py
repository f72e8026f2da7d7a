"""Fixtures of the allocation tests: a private surrogate cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setenv("AIRSHIELD_CACHE_DIR", str(tmp_path_factory.mktemp("airshield-cache")))
    yield
    mp.undo()
