"""``airshield attack``: the attacker's plan space (``plans``, ``validate``) and its best
response (``best-response``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from airshield.cli.kit import (
    DEFAULT_WORKERS,
    JsonFlag,
    SchedulerOpt,
    Seed,
    Workers,
    console,
    err_console,
    input_errors,
    print_json,
    raid_kernel_ready,
    resolve_workers,
)

PlanSpaceFile = Annotated[Path, typer.Argument(help="plan-space scenario YAML file")]


def register(app: typer.Typer) -> None:
    attack = typer.Typer(
        help="The attacker's plan space and best response (docs/attack.md).",
        no_args_is_help=True,
    )

    @attack.command("validate")
    def validate(
        files: Annotated[list[Path], typer.Argument(help="plan-space scenario YAML files")],
    ) -> None:
        """Check plan-space scenario files (structure, references, routes)."""
        from airshield.cli.kit import validate_files
        from airshield.scenario.attack import load_attack

        validate_files(
            files,
            load_attack,
            lambda a: f"{a.space.size:,} plans over {len(a.space.choices)} dimension(s)",
        )

    @attack.command("plans")
    def plans(
        file: PlanSpaceFile,
        json_out: JsonFlag = False,
    ) -> None:
        """List the choice dimensions and their options (the default marked)."""
        from airshield.scenario.attack import load_attack

        with input_errors():
            a = load_attack(file)
        space = a.space
        default = space.describe(space.default_plan())
        dims = [
            {"dimension": c.label(), "kind": c.kind, "waves": c.waves,
             "options": c.option_names(), "default": default[c.label()]}
            for c in space.choices
        ]  # fmt: skip
        if json_out:
            print_json({"scenario": a.scenario.name, "plans": space.size, "dimensions": dims})
            return
        console.print(f"{a.scenario.name}: {space.size:,} plans", markup=False)
        for d in dims:
            opts = ", ".join(f"{o}*" if o == d["default"] else o for o in d["options"])
            console.print(f"  {d['dimension']} ({d['kind']}): {opts}", markup=False)

    @attack.command("best-response")
    def best_response_cmd(
        file: PlanSpaceFile,
        reps: Annotated[int, typer.Option(min=2, help="most replications any one plan gets")] = 100,
        seed: Seed = 0,
        json_out: JsonFlag = False,
        budget_evals: Annotated[
            int | None,
            typer.Option(min=1, help="most replications simulated in all (plans x reps)"),
        ] = None,
        objective: Annotated[
            str, typer.Option(help="leaked_harmful (default) or damage_usd")
        ] = "leaked_harmful",
        delta: Annotated[
            float | None,
            typer.Option(help="indifference zone of the selection (default: 1 leaker)"),
        ] = None,
        alpha: Annotated[float, typer.Option(min=1e-6, max=0.5, help="error rate")] = 0.05,
        first_stage: Annotated[
            int | None, typer.Option("--n0", min=2, help="first-stage replications")
        ] = None,
        top: Annotated[int, typer.Option(min=1, help="plans listed")] = 5,
        engine: Annotated[str, typer.Option(help="auto, kernel or reference")] = "auto",
        workers: Workers = DEFAULT_WORKERS,
        scheduler: SchedulerOpt = None,
    ) -> None:
        """Search the plan space for the plan that maximises expected harm, with common random
        numbers and a ranking-and-selection guard (Kim & Nelson)."""
        from airshield.errors import Problem, ScenarioError
        from airshield.plan.attack import OBJECTIVES, best_response
        from airshield.scenario.attack import load_attack

        with input_errors():
            if objective not in OBJECTIVES:
                raise ScenarioError(
                    "--objective", [Problem("objective", f"expected one of {list(OBJECTIVES)}")]
                )
            if delta is not None and delta <= 0:
                raise ScenarioError("--delta", [Problem("delta", "must be > 0")])
            a = load_attack(file)
        if not scheduler:
            raid_kernel_ready()
        say = None if json_out else (lambda m: err_console.print(m, markup=False))
        res = best_response(
            a, reps=reps, seed=seed, objective=objective,  # type: ignore[arg-type]
            budget_evals=budget_evals, alpha=alpha, delta=delta, n0=first_stage, top_k=top,
            engine=engine, workers=resolve_workers(workers), scheduler=scheduler, progress=say,
        )  # fmt: skip
        if json_out:
            print_json(res.to_dict())
            return
        _print(res)

    app.add_typer(attack, name="attack")


def _print(res: object) -> None:
    from rich.table import Table

    from airshield import fmt
    from airshield.plan.attack import BestResponse, PlanEstimate

    assert isinstance(res, BestResponse)
    money = res.objective == "damage_usd"

    def num(x: float) -> str:
        return fmt.money(x) if money else f"{x:,.1f}"

    def plan(p: PlanEstimate) -> str:
        return ", ".join(f"{k}={v}" for k, v in p.plan.items())

    console.print(
        f"{res.scenario}: {res.method} over {res.space_size:,} plans, {res.plans_evaluated} "
        f"evaluated, {res.evaluations:,} replications simulated"
        + (" (budget exhausted)" if res.budget_exhausted else ""),
        markup=False,
    )
    t = Table(title=f"attacker plans by expected {res.objective}")
    for col in ("plan", "mean", "95% CI", "p5-p95", "reps"):
        t.add_column(col)
    for p in res.top:
        t.add_row(plan(p), num(p.mean), f"{num(p.ci_low)} - {num(p.ci_high)}",
                  f"{num(p.p5)} - {num(p.p95)}", str(p.reps))  # fmt: skip
    console.print(t)
    w, d, g = res.worst, res.default, res.gain
    console.print(f"worst plan:   {plan(w)}: {num(w.mean)} (p5-p95 {num(w.p5)} - {num(w.p95)})",
                  markup=False)  # fmt: skip
    console.print(f"default plan: {plan(d)}: {num(d.mean)} (p5-p95 {num(d.p5)} - {num(d.p95)})",
                  markup=False)  # fmt: skip
    console.print(
        f"worst - default: {num(g['mean'])} (95% CI {num(g['ci_low'])} - {num(g['ci_high'])}, "
        f"paired over {g['reps']} replications); "
        + ("selected by the KN guard" if res.separated else
           "not separated from the runner-up within the budget (indifference zone "
           f"{res.delta:g})"),
        markup=False,
    )  # fmt: skip
