"""Fuzz every input format through its real command (in-process, typer's runner) and the web app:
only clean errors (exit status 2, HTTP 4xx) or valid results, never a traceback, a hang or a
memory blow-up. See docs/reliability.md for what is covered and the figures of the last run."""

from __future__ import annotations

import io
import json
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.fuzz.conftest import n
from tests.fuzz.harness import Hang, check
from tests.fuzz.strategies import documents, text_edits, value
from tests.sweep.conftest import SPEC, TINY
from typer.testing import CliRunner

from airshield.errors import ScenarioError
from airshield.examples import example_path

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
RUNNER = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCENARIO = yaml.safe_load(TINY)
CAMPAIGN = yaml.safe_load((EXAMPLES / "campaign-small.yaml").read_text())
SWEEP = yaml.safe_load(SPEC)
PROCURE = yaml.safe_load((EXAMPLES / "procure-2026.yaml").read_text())


def invoke(fmt: str, args: list[str], shown: object) -> str:
    """Run ``airshield ARGS`` in-process: exit 0 is valid, exit 2 a clean error, anything else
    (an exception escaping the command, exit 1, output on stdout that --json promised to be
    JSON) a crash."""
    from airshield.cli import app

    res = RUNNER.invoke(app, args, catch_exceptions=True)
    if isinstance(res.exception, Hang):
        raise res.exception
    if isinstance(res.exception, ScenarioError | FileNotFoundError):
        return "clean"  # what the console script's main() prints as an error, with exit 2
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        tb = "".join(traceback.format_exception(res.exception))
        raise AssertionError(f"{fmt}: traceback on {shown!r:.1500}\n{tb}")
    if res.exit_code == 2:
        return "clean"
    if res.exit_code != 0:
        raise AssertionError(f"{fmt}: exit {res.exit_code} on {shown!r:.1500}\n{res.output}")
    if "--json" in args:
        json.loads(res.stdout)
    return "valid"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("fuzz")
    (d / "tiny.yaml").write_text(TINY, encoding="utf-8")
    for name in (
        "campaign-small-night.yaml",
        "procure-2026-campaign.yaml",
        "procure-2026-night.yaml",
    ):
        (d / name).write_text((EXAMPLES / name).read_text(), encoding="utf-8")
    return d


@pytest.fixture(scope="module", autouse=True)
def warm(folder: Path) -> None:
    """Compile the numba kernels once before the cases (a first call is not a hang)."""
    from airshield.raid import simulate
    from airshield.scenario import load_scenario

    simulate(load_scenario(folder / "tiny.yaml"), reps=1)
    (folder / "warm.wta").write_text("2 2 1\n5\n3\n0 0 0.5\n0 1 0.4\n1 0 0.3\n1 1 0.6\n")
    invoke("warm", ["wta", str(folder / "warm.wta"), "--json"], "warm")


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")


# ---- scenario YAML ------------------------------------------------------------------------------
@settings(settings.get_profile("fuzz"), max_examples=n(500))
@given(text=documents(SCENARIO))
def test_fuzz_scenario_yaml(folder: Path, text: str) -> None:
    f = folder / "case-scenario.yaml"
    _write(f, text)

    def case() -> str:
        outcome = invoke("scenario", ["validate", str(f)], text)
        if outcome == "valid":  # a valid scenario must also run: two replications
            from airshield.raid import simulate
            from airshield.scenario import expand_fire_units, load_scenario

            sc = load_scenario(f)
            if sc.total_threats() <= 3000 and len(expand_fire_units(sc)) <= 300:
                res = simulate(sc, reps=2, seed=1)
                assert res.reps == 2
        return outcome

    check("scenario", case, text)


# ---- campaign YAML ------------------------------------------------------------------------------
@settings(settings.get_profile("fuzz"), max_examples=n(250))
@given(text=documents(CAMPAIGN))
def test_fuzz_campaign_yaml(folder: Path, text: str) -> None:
    f = folder / "case-campaign.yaml"
    _write(f, text)
    check("campaign", lambda: invoke("campaign", ["campaign", "validate", str(f)], text), text)


# ---- sweep spec ---------------------------------------------------------------------------------
@settings(settings.get_profile("fuzz"), max_examples=n(200))
@given(text=documents(SWEEP))
def test_fuzz_sweep_spec(folder: Path, text: str) -> None:
    f = folder / "case-sweep.yaml"
    _write(f, text)
    check("sweep", lambda: invoke("sweep", ["sweep", "validate", str(f)], text), text)


# ---- procurement spec ---------------------------------------------------------------------------
@settings(settings.get_profile("fuzz"), max_examples=n(200))
@given(text=documents(PROCURE))
def test_fuzz_procurement_spec(folder: Path, text: str) -> None:
    """A procurement spec (with its campaign and raid template beside it) loads or is a clean
    error naming its field; nothing else escapes the loader ``plan procure`` reads it with."""
    from airshield.plan.procure_models import load_procurement

    f = folder / "case-procure.yaml"
    _write(f, text)

    def case() -> str:
        try:
            load_procurement(f)
        except (ScenarioError, FileNotFoundError):
            return "clean"
        return "valid"

    check("procurement", case, text)


# ---- WTA instance files -------------------------------------------------------------------------
@st.composite
def wta_text(draw: st.DrawFn) -> str:
    w, t = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    head = [str(w), str(t), str(draw(st.integers(0, 3)))]
    lines = [" ".join(head)]
    lines += [str(draw(st.floats(0, 100, allow_nan=False))) for _ in range(t)]
    lines += [f"{i} {j} {draw(st.floats(0, 1))}" for i in range(w) for j in range(t)]
    text = "\n".join(lines) + "\n"
    return draw(st.one_of(st.just(text), text_edits(text, 3),
                          st.sampled_from(["", "1 1", "99999999 99999999 1\n1\n",
                                           "3 2 1\n1\n2\n0 0 nan\n", "2 2 -1\n"])))  # fmt: skip


@settings(settings.get_profile("fuzz"), max_examples=n(350))
@given(text=wta_text())
def test_fuzz_wta_instance(folder: Path, text: str) -> None:
    f = folder / "case.wta"
    _write(f, text)
    args = ["wta", str(f), "--json", "--time-limit", "1"]
    check("wta", lambda: invoke("wta", args, text), text)


# ---- record CSV ---------------------------------------------------------------------------------
def _record_text() -> str:
    import pandas as pd
    from tests.calibrate.synth_record import write_record

    out = io.StringIO()
    path = Path(__file__).with_name(".record-base.csv")
    try:
        days = pd.date_range("2025-01-01", periods=3)
        write_record(
            path, [(d, {"drone": (10, 8, 1), "cruise_missile": (3, 2, None)}) for d in days]
        )
        out.write(path.read_text())
    finally:
        path.unlink(missing_ok=True)
    return out.getvalue()


RECORD = _record_text()


@st.composite
def record_csv(draw: st.DrawFn) -> str:
    rows = [r.split(",") for r in RECORD.splitlines()]
    for _ in range(draw(st.integers(0, 4))):
        i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows[0]) - 1))
        if j < len(rows[i]):
            cell = draw(st.one_of(value.map(str), st.sampled_from(["", "-5", "1e400", "nan",
                                  "2025-02-30 19:00", "{'a': 1", "\"", "999999999999999999999"])))  # fmt: skip
            rows[i][j] = cell.replace("\n", " ")
    text = "\n".join(",".join(r) for r in rows) + "\n"
    return draw(st.one_of(st.just(text), text_edits(text, 3)))


@settings(settings.get_profile("fuzz"), max_examples=n(200))
@given(text=record_csv())
def test_fuzz_record_csv(folder: Path, text: str) -> None:
    f = folder / "case-record.csv"
    _write(f, text)
    args = ["history", "import", str(f), "--out", str(folder / "case-record.parquet"), "--json"]
    check("record-csv", lambda: invoke("record-csv", args, text), text)


# ---- bulletins ----------------------------------------------------------------------------------
WORDS = [
    "Russia", "launched", "drones", "missiles", "Shahed", "Kalibr", "Iskander-M", "Kh-101",
    "shot", "down", "destroyed", "suppressed", "by", "EW", "of", "them", "overnight", "on",
    "March", "18", "Friday", "2031", "the", "air", "force", "said", "decoys", "lost", "locally",
    "12", "0", "312", "1,000", "one", "two", "dozens", "hundreds", ".", ",", "(", ")", "-", "—",
    "and", "ballistic", "cruise", "Gerbera", "UAVs", "targets", "were", "hit", "in", "Kyiv",
]  # fmt: skip


@settings(settings.get_profile("fuzz"), max_examples=n(350))
@given(words=st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=120),
       date=st.sampled_from(["", "2031-03-18", "2031-02-30", "yesterday"]))  # fmt: skip
def test_fuzz_bulletin_text(folder: Path, words: list[str], date: str) -> None:
    text = " ".join(words)
    f = folder / "case-bulletin.txt"
    _write(f, text)
    args = ["bulletin", "parse", str(f), "--json", *(["--date", date] if date else [])]
    check("bulletin", lambda: invoke("bulletin", args, text), text)


# ---- web API bodies -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from airshield.web.app import Settings, create_app

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        from fastapi.testclient import TestClient
    settings_ = Settings(
        home=tmp_path_factory.mktemp("web") / "home", max_body_bytes=200_000,
        max_scenario_bytes=100_000, max_reps=50, max_active_runs=2,
        allowed_hosts=("127.0.0.1", "testserver"),
    )  # fmt: skip
    app = create_app(settings_)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c
    app.state.runner.shutdown()


ONE = example_path("one-battery").read_text(encoding="utf-8")
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4)
    ),
    max_leaves=10,
)
body = st.one_of(
    st.builds(lambda t: {"text": t}, documents(SCENARIO)),
    st.builds(lambda t, r, s: {"text": t, "reps": r, "seed": s}, st.just(ONE) | documents(SCENARIO),
              st.integers(-5, 80) | st.sampled_from([10**30, 2**63, -(2**70)]) | st.floats(),
              st.integers(-5, 2**65) | st.floats()),
    json_value,
)  # fmt: skip
raw_body = st.one_of(
    body.map(lambda b: json.dumps(b).encode()),
    st.binary(max_size=300),
    st.integers(1, 30_000).map(lambda d: b'{"text": ' + b"[" * d + b"]" * d + b"}"),
    st.just(b'{"text": "\\ud800"}'),
    st.just(b'{"text": "x", "reps": 1e400}'),
)
ENDPOINTS = ["POST /api/validate", "POST /api/runs", "PUT /api/scenarios/user/{name}",
             "GET /api/runs/{name}", "GET /compare?a={name}&b=1", "GET /scenarios/user/{name}"]  # fmt: skip


@settings(settings.get_profile("fuzz"), max_examples=n(400))
@given(raw=raw_body, endpoint=st.sampled_from(ENDPOINTS),
       name=st.sampled_from(["ok", "..", "a/b", "%2e%2e", "x" * 80, "-1", "1", "99999999999999999999"])
       | st.text(max_size=12))  # fmt: skip
def test_fuzz_web_api(client: Any, raw: bytes, endpoint: str, name: str) -> None:
    from urllib.parse import quote

    method, url = endpoint.split(" ", 1)
    url = url.format(name=quote(name, safe=""))

    def case() -> str:
        headers = {"X-AirShield": "1", "content-type": "application/json"}
        r = client.request(method, url, content=raw if method != "GET" else None, headers=headers)
        if r.status_code >= 500:
            raise AssertionError(f"web: {r.status_code} on {method} {url} {raw[:300]!r}: {r.text}")
        if r.status_code in (200, 202):
            return "valid" if method == "GET" or r.json().get("ok", True) else "clean"
        return "clean"

    check("web-api", case, (endpoint, name, raw[:500]))
