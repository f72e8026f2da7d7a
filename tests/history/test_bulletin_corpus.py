"""The bulletin reader on its test corpus (``bulletin_corpus.yaml``), and its linear cost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from airshield.history.bulletin import parse_bulletin

CORPUS = yaml.safe_load((Path(__file__).with_name("bulletin_corpus.yaml")).read_text("utf-8"))
CASES: list[dict[str, Any]] = CORPUS["cases"]


def test_corpus_size_and_languages() -> None:
    assert len(CASES) >= 60
    uk = [c for c in CASES if any("\u0400" <= ch <= "\u04ff" for ch in c["text"])]
    assert len(uk) >= 20 and len(CASES) - len(uk) >= 40


@pytest.mark.parametrize("case", CASES, ids=[f"case{i:02d}" for i in range(len(CASES))])
def test_corpus_case(case: dict[str, Any]) -> None:
    ref = case.get("ref_date")
    ref_date = ref if isinstance(ref, dt.date) else None
    claims = parse_bulletin(case["text"], ref_date=ref_date)
    counted = [c for c in claims if c.launched or c.destroyed or c.lost]
    if case.get("claims") == 0:
        assert counted == [], [c.to_dict() for c in counted]
        return
    if case.get("unread"):
        assert not counted, [c.to_dict() for c in counted]
        assert any(c.unclassified for c in claims), [c.to_dict() for c in claims]
        return
    assert len(claims) == 1, [c.to_dict() for c in claims]
    c = claims[0]
    got = {"launched": c.launched, "destroyed": c.destroyed, "lost": c.lost}
    want = {k: case.get(k, {}) for k in ("launched", "destroyed", "lost")}
    assert got == want, c.to_dict()
    if case.get("also_unread"):  # the counts above, and a quantity left unread beside them
        assert c.unclassified, c.to_dict()
    if "total" in case:
        assert c.launched_total == case["total"]
    for key in ("date", "night_of"):
        if key in case:
            assert getattr(c, key) == case[key]
    for it in c.items:  # every count points at its text
        assert case["text"][it.span[0] : it.span[1]] == it.text


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 100_000,  # 200 kB of bare numbers (quadratic before: 22 s for 5,000)
        "7 drones, " * 20_000,
        "Russia launched 5 drones. " * 8_000,
        "1." * 100_000,
        "Збито 3 БпЛА, " * 15_000,
    ],
    ids=["numbers", "drone-list", "sentences", "dots", "ukrainian"],
)
def test_large_inputs_parse(text: str) -> None:
    assert len(text) >= 199_000
    claims = parse_bulletin(text)
    assert isinstance(claims, list)


def test_ukrainian_example_file() -> None:
    text = (Path(__file__).resolve().parents[2] / "examples" / "bulletin-uk.txt").read_text()
    claims = parse_bulletin(text, ref_date=dt.date(2031, 5, 14))
    first = claims[0]
    assert first.launched == {"drone": 380, "cruise_missile": 20, "ballistic_missile": 12}
    assert first.launched_total == 412
    assert first.stated("launched")["unknown"] == 412  # the headline, kept as written
    assert first.destroyed == {"drone": 345, "cruise_missile": 19, "ballistic_missile": 6}
    assert first.lost == {"decoy": 30}
    assert (first.date, first.night_of) == ("2031-05-14", "2031-05-13")
    assert first.window == {"start": "18:00", "as_of": "09:00"}
    # hits ("влучання") are neither launches nor outcomes: reported as unread, not counted
    hits = claims[-1]
    assert not hits.launched and not hits.destroyed and not hits.lost
    assert len(hits.unclassified) == 2


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 900),
    st.integers(0, 900),
    st.integers(1, 60),
    st.sampled_from(
        [
            "The enemy attacked with {t} air attack means: {d} Shahed drones and {m} missiles.",
            "Russia launched {t} drones and missiles, including {d} drones and {m} missiles.",
            "Противник атакував {t} засобами повітряного нападу: {d} ударними БпЛА та {m} ракетами.",
        ]
    ),
)
def test_generated_breakdowns_count_each_weapon_once(d: int, extra: int, m: int, tpl: str) -> None:
    t = d + m + extra
    c = parse_bulletin(tpl.format(t=t, d=d, m=m))[0]
    want = {"drone": d, "missile": m, **({"unknown": extra} if extra else {})}
    assert c.launched == want
    assert sum(c.launched.values()) == t == c.launched_total
    assert c.stated("launched") == {"unknown": t, "drone": d, "missile": m}


TOKENS = [
    *"0123456789",
    *",.;:()-\n",
    "12",
    "480",
    "drones",
    "missiles",
    "of the",
    "out of",
    "shot down",
    "were",
    "launched",
    "з",
    "БпЛА",
    "ракет",
    "збито",
    "атакував",
    "including",
    "them",
    "seven",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_any_text_gives_consistent_claims(text: str) -> None:
    for c in parse_bulletin(text):
        assert text[c.span[0] : c.span[1]] == c.text
        for role in ("launched", "destroyed", "lost"):
            counts, stated = c.counts(role), c.stated(role)
            assert all(v > 0 for v in counts.values())
            assert sum(counts.values()) <= sum(stated.values())
