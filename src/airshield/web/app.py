"""The local web app: browse and edit scenarios, run them with live progress, view reports,
keep a run history, compare two runs.

``create_app(Settings(home=...))`` builds the FastAPI app; ``airshield serve`` runs it with
uvicorn on 127.0.0.1. Safety: loopback only unless told otherwise, a trusted-host check against
DNS rebinding, a request body limit, a scenario size limit, scenario names that cannot leave the
data directory, YAML safe-loaded, and a custom header on every state-changing request (a page of
another site cannot send it without a CORS preflight, which this app never grants).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Header, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from airshield.errors import Problem, ScenarioError
from airshield.report.html import CSP as REPORT_CSP
from airshield.scenario import limits
from airshield.store import RunStore, data_home
from airshield.web import pages
from airshield.web.limits import APP_HEADER, BodyLimitMiddleware, TimeBudgetMiddleware
from airshield.web.runner import Busy, Runner
from airshield.web.scenarios import ScenarioLibrary, ScenarioNameError, check_name

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self'"
)
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}


@dataclass
class Settings:
    """Where the app keeps its data and the limits it enforces."""

    home: Path = field(default_factory=data_home)
    max_body_bytes: int = 1_048_576
    max_scenario_bytes: int = 262_144
    max_reps: int = 20_000
    max_active_runs: int = 2
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS
    #: a run longer than this is stopped with what finished (``interrupted``); None: no budget
    max_run_s: float | None = 1800.0
    #: a request (validation, save, page) longer than this is answered 503 and cancelled
    request_budget_s: float = 30.0


class ValidateBody(BaseModel):
    text: str


class RunBody(BaseModel):
    text: str
    reps: int = Field(200, ge=1, le=limits.MAX_REPS)
    seed: int = Field(0, ge=0, le=limits.MAX_SEED)


class SaveBody(BaseModel):
    text: str


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [{"field": p.field, "message": p.message, "line": p.line} for p in problems]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the web app on a data directory (``settings.home``)."""
    s = settings or Settings()
    s.home.mkdir(parents=True, exist_ok=True)
    store = RunStore(s.home / "runs.duckdb")
    store.fail_stale()
    library = ScenarioLibrary(s.home / "scenarios")
    runner = Runner(store, s.home / "reports", max_active=s.max_active_runs, max_run_s=s.max_run_s)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        runner.shutdown(timeout_s=5.0)

    app = FastAPI(
        title="AirShield",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = s
    app.state.store = store
    app.state.library = library
    app.state.runner = runner
    app.add_middleware(TimeBudgetMiddleware, budget_s=s.request_budget_s)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=s.max_body_bytes, max_json_depth=limits.MAX_DEPTH
    )
    if s.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(s.allowed_hosts))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        # FastAPI's own handler echoes the input, which fails to encode for inf, NaN or a lone
        # surrogate (a 500); answer 422 with the location and message only, ASCII-escaped
        detail = [
            {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")),
             "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]  # fmt: skip
        return Response(
            json.dumps({"detail": detail}), status_code=422, media_type="application/json"
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", APP_CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def same_origin(x_airshield: Annotated[str | None, Header()] = None) -> None:
        if x_airshield != "1":
            raise HTTPException(403, f"missing {APP_HEADER}: 1 header (requests from the app only)")

    mutating = [Depends(same_origin)]

    def check_size(text: str) -> None:
        n = len(text.encode("utf-8", "surrogatepass"))
        if n > s.max_scenario_bytes:
            raise HTTPException(413, f"scenario is {n} bytes; the limit is {s.max_scenario_bytes}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise HTTPException(
                422, f"scenario text is not valid Unicode (a lone surrogate at {exc.start})"
            ) from None

    def validate_text(text: str) -> tuple[Any, list[Problem]]:
        from airshield.scenario import expand_fire_units, scenario_from_text

        try:
            sc = scenario_from_text(text, "scenario.yaml")
            expand_fire_units(sc)
        except ScenarioError as exc:
            return None, exc.problems
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as exc:
            return None, [Problem("<scenario>", f"{type(exc).__name__}: {exc}")]
        return sc, []

    def ref_or_404(source: str, name: str) -> tuple[str, str]:
        try:
            text = library.read(source, name)
        except ScenarioNameError as exc:
            raise HTTPException(400, str(exc)) from None
        except FileNotFoundError as exc:
            raise HTTPException(404, str(exc)) from None
        return check_name(name), text

    # ---- static files and pages ------------------------------------------------------------
    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC:
            raise HTTPException(404, "not found")
        body = resources.files("airshield.web").joinpath("static", name).read_bytes()
        return Response(body, media_type=STATIC[name], headers={"Cache-Control": "no-cache"})

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return pages.index_page(library.list(), store.runs(limit=100))

    @app.get("/scenarios/{source}/{name}", response_class=HTMLResponse)
    def editor(source: str, name: str) -> str:
        name, text = ref_or_404(source, name)
        return pages.editor_page(source, name, text, s.max_reps)

    @app.get("/new", response_class=HTMLResponse)
    def new_scenario() -> str:
        from airshield.examples import example_path

        try:
            text = example_path("one-battery").read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        return pages.editor_page("user", "", text, s.max_reps, new=True)

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(run_id: int) -> str:
        rec = store.get(run_id)
        if rec is None:
            raise HTTPException(404, f"no run {run_id}")
        return pages.run_page(rec)

    @app.get("/runs/{run_id}/report")
    def run_report(run_id: int) -> Response:
        rec = store.get(run_id)
        if rec is None or not rec.report_path:
            raise HTTPException(404, f"no report for run {run_id}")
        path = Path(rec.report_path).resolve()
        if not path.is_relative_to(runner.report_dir.resolve()) or not path.is_file():
            raise HTTPException(404, f"no report for run {run_id}")
        return FileResponse(
            path, media_type="text/html", headers={"Content-Security-Policy": REPORT_CSP}
        )

    @app.get("/compare", response_class=HTMLResponse)
    def compare(a: int | None = None, b: int | None = None) -> HTMLResponse:
        if a is None or b is None:  # a page, not a JSON validation error, for a person
            return HTMLResponse(pages.compare_choose_page(), status_code=400)
        ra, rb = store.get(a), store.get(b)
        if ra is None or rb is None:
            raise HTTPException(404, f"no run {a if ra is None else b}")
        return HTMLResponse(pages.compare_page(ra, rb))

    # ---- API: scenarios --------------------------------------------------------------------
    @app.get("/api/scenarios")
    def api_scenarios() -> list[dict[str, Any]]:
        return [
            {"source": r.source, "name": r.name, "editable": r.editable} for r in library.list()
        ]

    @app.get("/api/scenarios/{source}/{name}")
    def api_scenario(source: str, name: str) -> dict[str, Any]:
        name, text = ref_or_404(source, name)
        return {"source": source, "name": name, "text": text}

    @app.put("/api/scenarios/user/{name}", dependencies=mutating)
    def api_save(name: str, body: SaveBody) -> JSONResponse:
        check_size(body.text)
        try:
            name = check_name(name)
        except ScenarioNameError as exc:
            raise HTTPException(400, str(exc)) from None
        _, problems = validate_text(body.text)
        if problems:
            return JSONResponse({"ok": False, "problems": problems_json(problems)}, status_code=422)
        library.write(name, body.text)
        return JSONResponse({"ok": True, "source": "user", "name": name})

    @app.delete("/api/scenarios/user/{name}", dependencies=mutating)
    def api_delete(name: str) -> dict[str, Any]:
        try:
            return {"deleted": library.delete(name)}
        except ScenarioNameError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.post("/api/scenarios/upload", dependencies=mutating)
    async def api_upload(file: Annotated[UploadFile, File()]) -> JSONResponse:
        raw = await file.read(s.max_scenario_bytes + 1)
        if len(raw) > s.max_scenario_bytes:
            raise HTTPException(413, f"file over the limit of {s.max_scenario_bytes} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(400, "file is not UTF-8 text") from None
        base = Path(file.filename or "").name
        try:
            name = check_name(base)
        except ScenarioNameError as exc:
            raise HTTPException(400, f"file name: {exc}") from None
        _, problems = validate_text(text)
        if problems:
            return JSONResponse({"ok": False, "problems": problems_json(problems)}, status_code=422)
        library.write(name, text)
        return JSONResponse({"ok": True, "source": "user", "name": name})

    @app.post("/api/validate", dependencies=mutating)
    def api_validate(body: ValidateBody) -> dict[str, Any]:
        check_size(body.text)
        sc, problems = validate_text(body.text)
        if problems:
            return {"ok": False, "problems": problems_json(problems)}
        from airshield.scenario import expand_fire_units

        return {
            "ok": True,
            "problems": [],
            "scenario": {
                "name": sc.name,
                "hash": sc.content_hash(),
                "assets": len(sc.assets),
                "fire_units": len(expand_fire_units(sc)),
                "waves": len(sc.waves),
                "threats": sc.total_threats(),
            },
        }

    # ---- API: runs -------------------------------------------------------------------------
    @app.post("/api/runs", dependencies=mutating)
    def api_run(body: RunBody) -> JSONResponse:
        check_size(body.text)
        if body.reps > s.max_reps:
            raise HTTPException(422, f"reps: at most {s.max_reps}")
        sc, problems = validate_text(body.text)
        if problems:
            return JSONResponse({"ok": False, "problems": problems_json(problems)}, status_code=422)
        try:
            run_id = runner.submit(sc, body.text, body.reps, body.seed)
        except Busy as exc:
            raise HTTPException(429, str(exc)) from None
        return JSONResponse({"ok": True, "id": run_id, "url": f"/runs/{run_id}"}, status_code=202)

    @app.get("/api/runs")
    def api_runs(limit: int = 100) -> list[dict[str, Any]]:
        return [r.to_json() for r in store.runs(limit=max(1, min(limit, 1000)))]

    @app.get("/api/runs/{run_id}")
    def api_run_status(run_id: int) -> dict[str, Any]:
        rec = store.get(run_id)
        if rec is None:
            raise HTTPException(404, f"no run {run_id}")
        out = rec.to_json()
        p = runner.progress(run_id)
        out["progress"] = (
            {"done": p.done, "total": p.total, "phase": p.phase}
            if p is not None
            else {"done": rec.reps if rec.status == "done" else 0, "total": rec.reps,
                  "phase": rec.status}
        )  # fmt: skip
        return out

    return app
