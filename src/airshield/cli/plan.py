"""``airshield plan``: decide what to buy (``procure``) and where to place it (``laydown``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from airshield import fmt
from airshield.cli.kit import (
    DEFAULT_WORKERS,
    JsonFlag,
    SchedulerOpt,
    Workers,
    console,
    err_console,
    input_errors,
    print_json,
    raid_kernel_ready,
    resolve_workers,
)


def _num(x: float | None, money: bool = False) -> str:
    if x is None:
        return "–"
    return fmt.money(x) if money else fmt.count(x)


def register(app: typer.Typer) -> None:
    plan = typer.Typer(
        help="Planning: decide what to buy and where to place it.", no_args_is_help=True
    )

    @plan.command("procure")
    def procure(
        file: Annotated[Path, typer.Argument(help="procurement spec YAML file")],
        reps: Annotated[int, typer.Option(min=2, help="fast-mode replications")] = 200,
        seed: Annotated[int, typer.Option(help="root seed (numpy SeedSequence)")] = 0,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        out: Annotated[
            Path | None,
            typer.Option(help="folder for result.json, mixes.csv, pareto.csv, best campaign"),
        ] = None,
        report: Annotated[Path | None, typer.Option(help="write an HTML report")] = None,
        workers: Workers = DEFAULT_WORKERS,
        confirm_reps: Annotated[
            int,
            typer.Option(min=0, help="detailed-mode replications of the confirmation (0: skip)"),
        ] = 8,
        curve_reps: Annotated[
            int | None, typer.Option(min=2, help="replications per response-curve point")
        ] = None,
        pareto_points: Annotated[int, typer.Option(min=2, help="budgets on the Pareto front")] = 14,
        scheduler: Annotated[
            str | None,
            typer.Option(help="Dask scheduler address: fast-mode evaluations and confirmation"),
        ] = None,
        screen: Annotated[
            int,
            typer.Option(
                min=1,
                help="confirmation: the best fast-mode mixes run in detailed mode (with the "
                "proportional split and the status quo); the detailed-mode best is the answer",
            ),
        ] = 2,
        kind_check: Annotated[
            bool,
            typer.Option(help="confirmation: also the surrogate's error per option kind"),
        ] = False,
        doctrine_out: Annotated[
            Path | None,
            typer.Option(help="write the raid template with shadow-priced costs per shot"),
        ] = None,
        doctrine_unit: Annotated[
            str,
            typer.Option(
                help="--doctrine-out priced in the objective's unit ('objective': for harmful "
                "leakers, a leaker-valued template) or in USD against asset values ('usd')"
            ),
        ] = "objective",
    ) -> None:
        """Search the interceptor mix and order months (MILP on the fast mode), confirm in
        detailed mode with common random numbers."""
        from airshield.plan.procure import optimise
        from airshield.plan.procure_models import load_procurement

        if doctrine_unit not in ("objective", "usd"):
            raise typer.BadParameter("expected 'objective' or 'usd'", param_hint="--doctrine-unit")
        with input_errors():
            loaded = load_procurement(file)
        if not scheduler:
            raid_kernel_ready()
        n_workers = resolve_workers(workers)
        evaluator = fast_evaluator(n_workers, scheduler)
        try:
            res = optimise(
                loaded, reps=reps, seed=seed, curve_reps=curve_reps, confirm_reps=confirm_reps,
                confirm=confirm_reps > 0, pareto_points=pareto_points, workers=n_workers,
                runner=None, evaluator=evaluator,  # the evaluator's pool runs the detailed cells
                check_kinds=kind_check, screen=screen,
                progress=lambda s, d, t: _progress(s, d, t),
            )  # fmt: skip
        finally:
            evaluator.close()
        summary = res.summary()
        if out is not None:
            write_outputs(res, summary, out)
        if report is not None and res.best is not None:
            from airshield.report.procure import write_procurement_report

            write_procurement_report(res, report)
            err_console.print(f"report: {report}")
        if doctrine_out is not None and res.doctrine:
            write_doctrine(loaded, res.doctrine, doctrine_out, doctrine_unit)
            err_console.print(f"doctrine template: {doctrine_out}")
        if json_out:
            print_json(summary)
        else:
            print_procurement(summary)
        if res.interrupted:
            raise typer.Exit(130)

    @plan.command("laydown")
    def laydown_cmd(
        file: Annotated[Path, typer.Argument(help="laydown spec YAML file")],
        json_out: JsonFlag = False,
        report: Annotated[Path | None, typer.Option(help="write an HTML report")] = None,
        attacker_budget: Annotated[
            int | None,
            typer.Option(min=1, help="most replications of each simulated best response"),
        ] = None,
        workers: Workers = DEFAULT_WORKERS,
        scheduler: SchedulerOpt = None,
    ) -> None:
        """Place fire units on candidate sites against an attacker who answers: a double-oracle
        loop (defender MILP in HiGHS, attacker best response) with lower and upper bounds, then
        the simulated mean and worst cases of the optimised and the rule-based laydowns."""
        from airshield.plan.laydown import load_laydown, optimise_laydown

        with input_errors():
            ld = load_laydown(file)
        if not scheduler:
            raid_kernel_ready()
        say = None if json_out else (lambda m: err_console.print(m, markup=False))
        res = optimise_laydown(
            ld, workers=resolve_workers(workers), scheduler=scheduler,
            attacker_budget=attacker_budget, progress=say,
        )  # fmt: skip
        if report is not None:
            from airshield.report.laydown import write_laydown_report

            write_laydown_report(ld, res, report)
            err_console.print(f"report: {report}")
        if json_out:
            print_json(res.to_dict())
            return
        d = res.to_dict()

        def band(b: dict[str, float]) -> str:
            return f"{b['mean']:.1f} (p5-p95 {b['p5']:.0f}-{b['p95']:.0f})"

        console.print(f"{d['name']}: {len(d['laydown'])} units on {d['candidate_sites']} "
                      "candidate sites", markup=False)  # fmt: skip
        for label, case in (("optimised", d), ("rule-based", d["baseline"])):
            plan = ", ".join(f"{k}={v}" for k, v in case["attacker_plan"].items())
            console.print(f"  {label:10s} mean case {band(case['mean_case'])}, worst case "
                          f"{band(case['worst_case'])} ({plan})", markup=False)  # fmt: skip
        b = d["bounds"][-1]
        console.print("  (mean and worst cases: simulated with the raid engine, harmful "
                      "leakers per night)", markup=False)  # fmt: skip
        console.print(f"  model game value (coefficient model, not simulated) after "
                      f"{len(d['bounds'])} iteration(s): pure game (the attacker sees the "
                      f"laydown) in [{b['lower']:.2f}, {b['upper']:.2f}], mixed game (the "
                      f"attacker randomises) in [{b['mixed_lower']:.2f}, "
                      f"{b['mixed_upper']:.2f}]", markup=False)  # fmt: skip
        mix = ", ".join(f"{p:.2f} x ({k})" for k, p in b["attacker_mix"].items())
        console.print(f"  attacker's optimal mix (model): {mix}", markup=False)

    app.add_typer(plan, name="plan")


_last: dict[str, int] = {}


def fast_evaluator(workers: int, scheduler: str | None = None) -> Any:
    """The fast-mode evaluations through the sweep backends: in this process for one worker,
    local ``processes`` for more, ``dask`` with a scheduler address (same answer for all)."""
    from airshield.plan.fanout import Evaluator

    if scheduler:
        return Evaluator("dask", workers, scheduler)
    return Evaluator("processes" if workers > 1 else "inline", workers)


def _progress(stage: str, done: int, total: int) -> None:
    """Progress on stderr: one line per stage step (never on stdout)."""
    if _last.get(stage) == done:
        return
    _last[stage] = done
    err_console.print(f"[dim]{stage}: {done}/{total}[/dim]", highlight=False)


def write_outputs(res: Any, summary: dict[str, Any], out: Path) -> None:
    """result.json, mixes.csv (best and status quo per option and month), pareto.csv and the
    best mix written into each scenario's campaign (a YAML file that ``campaign run`` takes)."""
    import csv

    import yaml

    from airshield.campaign.models import dump_campaign
    from airshield.jsonable import json_default

    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(json.dumps(summary, indent=2, default=json_default) + "\n")
    with (out / "mixes.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mix", "option", "kind", "month", "units", "cost_usd"])
        for label in ("best", "status_quo", "proportional"):
            for m in (summary.get(label) or {}).get("mix", []):
                for o in m["orders"]:
                    w.writerow([label, m["option"], m["kind"], o["month"], o["units"],
                                o["cost_usd"]])  # fmt: skip
    with (out / "pareto.csv").open("w", newline="") as f:
        w = csv.writer(f)
        names = [o.name for o in res.options]
        w.writerow(["cost_usd", "budget_from_usd", "budget_to_usd", "objective_mean",
                    "objective_p5", "objective_p95", *names])  # fmt: skip
        for p in summary["pareto"]:
            units = {m["option"]: m["units"] for m in p["mix"]}
            ob = p["objective"]
            lo, hi = p["budget_range_usd"]
            w.writerow([p["cost_usd"], lo, hi, ob["mean"], ob["p5"], ob["p95"],
                        *(units[n] for n in names)])  # fmt: skip
    templates_written = False
    for label, camp in res.campaigns.items():
        if not templates_written:  # the raid template with the fire-unit slots, once
            tpl = camp.template.model_dump(mode="json", exclude_none=True)
            (out / "template.yaml").write_text(yaml.safe_dump(tpl, sort_keys=False))
            templates_written = True
        data = {**dump_campaign(camp), "raid": "template.yaml"}
        (out / f"campaign-{label}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def write_doctrine(
    loaded: Any, entries: list[dict[str, Any]], path: Path, unit: str = "objective"
) -> None:
    import yaml

    from airshield.plan.procure import doctrine_template

    tpl = doctrine_template(loaded.campaign.template, entries, loaded.spec.objective, unit)
    path.write_text(yaml.safe_dump(tpl.model_dump(mode="json", exclude_none=True), sort_keys=False))


def print_procurement(s: dict[str, Any]) -> None:
    """The answer as tables: best mix against the status quo, Pareto front, shadow prices."""
    obj = s["objective"].replace("_", " ")
    money = s["objective"] == "damage_usd"
    console.print(
        f"[bold]{s['name']}[/bold]: {obj} ({s['robust']} over {len(s['scenarios'])} scenarios), "
        f"budget {_num(s['budget_usd'], True)}; fast mode reps={s['reps']} seed={s['seed']}"
    )
    if "best" not in s:
        console.print("[yellow]no result (interrupted before the optimisation finished)[/yellow]")
        return
    tab = Table(title="Best mix: units ordered per option (order months)")
    for col in ("option", "kind", "units", "cost", "orders"):
        tab.add_column(col, justify="right" if col in ("units", "cost") else "left")
    for m in s["best"]["mix"]:
        orders = ", ".join(f"{o['month'][:7]}: {o['units']:,}" for o in m["orders"]) or "–"
        tab.add_row(m["option"], m["kind"], f"{m['units']:,}", _num(m["cost_usd"], True), orders)
    console.print(tab)
    ev = Table(title=f"Expected {obj} over the horizon: mean [5–95 %] (fast mode)")
    for col in ("mix", "cost", obj, "constraints"):
        ev.add_column(col, justify="left" if col in ("mix", "constraints") else "right")
    for label in ("status_quo", "proportional", "best"):
        p = s.get(label)
        if not p:
            continue
        b = p["objective"]
        cons = "; ".join(
            f"{c['kind']} {c['pool']}: {c['achieved']:.3g} ({'ok' if c['met'] else 'VIOLATED'})"
            for c in p["constraints"]
        )
        ev.add_row(
            label.replace("_", " "), _num(p["cost_usd"], True),
            f"{_num(b['mean'], money)} [{_num(b['p5'], money)}–{_num(b['p95'], money)}]", cons,
        )  # fmt: skip
    console.print(ev)
    c = s.get("confirmed")
    if c:
        d = c["difference"]
        console.print(
            f"confirmed in detailed mode ({c['reps']} replications, common random numbers): best "
            f"− status quo = {_num(d['mean'], money)} [{_num(d['ci_low'], money)}, "
            f"{_num(d['ci_high'], money)}] (paired 95 % interval)"
        )
    rows = (c or {}).get("screen") or []
    if rows:
        st = Table(title="Detailed screen: the best fast-mode mixes in detailed mode "
                   "(common random numbers)")  # fmt: skip
        for col in (
            "mix",
            "cost",
            "fast",
            "detailed",
            "rank fast/detailed",
            "vs chosen",
            "constraints fast / detailed",
            "",
        ):
            st.add_column(col, justify="left" if col in ("mix", "", "constraints fast / detailed")
                          else "right")  # fmt: skip
        for r in rows:
            v = r["vs_selected"]
            flag = "chosen" if r["selected"] else ("retained" if r["retained"] else "")
            if not r["eligible"]:
                flag = (flag + " (fails a constraint)").strip()
            st.add_row(r["candidate"], _num(r["cost_usd"], True), _num(r["fast"]["mean"], money),
                       _num(r["detailed"]["mean"], money),
                       f"{r['fast_rank']}/{r['detailed_rank']}",
                       "–" if r["selected"] else
                       f"{_num(v['mean'], money)} [{_num(v['ci_low'], money)}, "
                       f"{_num(v['ci_high'], money)}]",
                       "; ".join(fmt.constraint(cn) for cn in r.get("constraints", [])) or "–",
                       flag)  # fmt: skip
        console.print(st)
    pt = Table(title="Pareto front: cost against the objective")
    pt.add_column("cost", justify="right")
    pt.add_column("best for budgets", justify="right")
    pt.add_column(obj, justify="right")
    for p in s["pareto"]:
        b = p["objective"]
        lo, hi = p["budget_range_usd"]
        pt.add_row(_num(p["cost_usd"], True), f"{_num(lo, True)}–{_num(hi, True)}",
                   f"{_num(b['mean'], money)} [{_num(b['p5'], money)}–{_num(b['p95'], money)}]")  # fmt: skip
    console.print(pt)
    sp = Table(title=f"Shadow prices at the best mix: change in {obj} (negative: better)")
    for col in fmt.SHADOW_PRICE_COLUMNS:
        sp.add_column(col, justify="left" if col in ("option", "note") else "right")
    for r in s["shadow_price"]:
        sp.add_row(*fmt.shadow_price(r))
    console.print(sp)
    if s["doctrine"]:
        dt_ = Table(title="Doctrine: effective cost per shot for the nightly cost threshold")
        for col in ("pool", "effector", "leakers per round", "sticker", "effective"):
            dt_.add_column(col, justify="left" if col in ("pool", "effector") else "right")
        for d_ in s["doctrine"]:
            dt_.add_row(d_["pool"], d_["effector"], f"{d_['leakers_per_round']:+.3g}",
                        _num(d_["sticker_cost_usd"], True),
                        _num(d_["effective_cost_per_shot_usd"], True))  # fmt: skip
        console.print(dt_)
        for d_ in s["doctrine"]:
            bm = d_.get("by_month") or []
            if len(bm) > 1:
                steps = ", ".join(f"{m['month'][:7]}: {_num(m['effective_cost_per_shot_usd'], True)}"
                                  for m in bm)  # fmt: skip
                console.print(f"  {d_['effector']} by month (time-varying): {steps}")
    kinds = (c or {}).get("surrogate_error_by_kind") or []
    if kinds:
        kt = Table(title="Surrogate against detailed mode per option kind (effect vs status quo)")
        for col in ("kind", "mix", "fast mode", "detailed [95 %]", "error"):
            kt.add_column(col, justify="left" if col in ("kind", "mix") else "right")
        for k in kinds:
            de = k["detailed_effect"]
            rel = k["relative_error"]
            kt.add_row(k["kind"], k["mix"], _num(k["fast_effect"]["mean"], money),
                       f"{_num(de['mean'], money)} [{_num(de['ci_low'], money)}, "
                       f"{_num(de['ci_high'], money)}]",
                       f"{rel:+.0%}" if rel == rel else "–")  # fmt: skip
        console.print(kt)
    for w in s["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {w}")
