"""Fixtures: the hand-made daily-attack CSVs of :mod:`attack_rows` written to a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from history.attack_rows import ROWS, to_csv


@pytest.fixture
def daily_csv(tmp_path: Path) -> Path:
    p = tmp_path / "daily.csv"
    p.write_text(to_csv(ROWS), encoding="utf-8")
    return p


@pytest.fixture
def make_csv(tmp_path: Path):  # type: ignore[no-untyped-def]
    def _make(rows: list[dict[str, str]], name: str = "x.csv") -> Path:
        p = tmp_path / name
        p.write_text(to_csv(rows), encoding="utf-8")
        return p

    return _make
