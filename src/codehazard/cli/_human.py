"""``codehazard human serve|invite|results|import``: the human baseline's study.

``serve`` creates a study (or serves ``--study ID``) and serves it on 127.0.0.1 unless told
otherwise, printing the operator's link once; ``invite`` adds participants and writes one
private link each; ``results`` prints the pooled results (``--json``: one object);
``import`` reads a results CSV of a study run elsewhere into a new study of the same design.
The logic is ``codehazard.human``'s.
"""

from __future__ import annotations

import argparse
import json

from codehazard.cli._common import (
    input_file,
    non_negative_int,
    output_file,
    positive_float,
    positive_int,
    prepare_output,
    store_file,
)
from codehazard.store import Store, default_store_path


def _levels(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of levels"
        ) from None


def _design(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--suite", default="building-blocks", help="suite(s), comma-separated")
    parser.add_argument("--levels", type=_levels, default=None, help="levels, e.g. 1,3,5")
    parser.add_argument("--per-level", type=positive_int, default=2, help="tasks per level")
    parser.add_argument(
        "--budget", type=positive_float, default=900.0, help="seconds per task (default 900)"
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="seed of the draw")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``human`` and its subcommands."""
    parser = subparsers.add_parser(
        "human",
        help="human baseline: serve a study, invite participants, read results",
        description="Measure people on the same tasks as the models: each participant is a "
        "run of model human/<pseudonym> that curves, profile and report read.",
    )
    sub = parser.add_subparsers(dest="human_command", required=True)
    serve = sub.add_parser("serve", help="create (or reopen) a study and serve it")
    _design(serve)
    serve.add_argument(
        "--study",
        default=None,
        help="serve this existing study instead (a new operator link replaces the old one)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve.add_argument("--port", type=positive_int, default=8765, help="port (default 8765)")
    invite = sub.add_parser("invite", help="add participants: one private link each")
    invite.add_argument("--study", required=True)
    invite.add_argument("--participants", type=positive_int, default=1)
    invite.add_argument("-o", "--output", type=output_file, default=None, help="links file")
    invite.add_argument("--base-url", default="http://127.0.0.1:8765", help="server address")
    results = sub.add_parser("results", help="pooled results of a study")
    results.add_argument("study", metavar="STUDY_ID")
    results.add_argument("--json", action="store_true", help="print exactly one JSON object")
    results.add_argument("--csv", action="store_true", help="print the export (no free text)")
    imp = sub.add_parser("import", help="read a results CSV into a new study")
    imp.add_argument("results_csv", type=input_file, help="results CSV (see --help of results)")
    _design(imp)
    for p in (serve, invite, results, imp):
        p.add_argument("--store", type=store_file, default=None, help="results store")
    parser.set_defaults(func=cmd_human)


def _config(args: argparse.Namespace) -> object:
    from codehazard.human import StudyConfig

    return StudyConfig(
        suites=tuple(s.strip() for s in args.suite.split(",") if s.strip()),
        levels=args.levels,
        per_level=args.per_level,
        time_budget_s=args.budget,
        seed=args.seed,
    )


def cmd_human(args: argparse.Namespace) -> int:
    """Run one ``human`` subcommand.

    Raises:
        InputError: a bad design, an unknown study, or a malformed results file.
        MissingExtraError: ``serve`` without the ``human`` extra.
    """
    from codehazard import human

    path = args.store or default_store_path()
    store = Store(path)
    try:
        if args.human_command == "serve":
            if args.study:
                study = human.load_study(store, args.study)
                operator = human.new_operator_token(store, study)  # the old link stops working
            else:
                study, operator = human.create_study(store, _config(args))  # type: ignore[arg-type]
        elif args.human_command == "invite":
            study = human.load_study(store, args.study)
            invited = human.invite(store, study, args.participants)
            links = [f"{args.base_url}/p/{i.token}" for i in invited]
            text = "".join(
                f"{i.pseudonym}\t{link}\n" for i, link in zip(invited, links, strict=True)
            )
            if args.output is not None:
                prepare_output(args.output, "-o").write_text(text, encoding="utf-8")
                print(f"{len(links)} link(s) written to {args.output} (study {study.id})")
            else:
                print(text, end="")
            return 0
        elif args.human_command == "results":
            study = human.load_study(store, args.study)
            if args.csv:
                print(human.export_csv(store, study), end="")
                return 0
            res = human.study_results(store, study)
            print(json.dumps(res.model_dump(mode="json")) if args.json else _results_text(res))
            return 0
        else:
            study = human.import_results(store, args.results_csv, _config(args))  # type: ignore[arg-type]
            print(f"imported into study {study.id}")
            return 0
    finally:
        store.close()
    app = human.create_app(str(path), study.id, base_url="")
    base = f"http://{args.host}:{args.port}"
    print(f"study {study.id}: {len(study.task_ids)} task(s), serving on {base}")
    print(f"operator page (keep it private; shown once): {base}/op/{operator}")
    print(f"invite participants: codehazard human invite --study {study.id} --participants N")
    human.serve(app, host=args.host, port=args.port)
    return 0


def _results_text(res: object) -> str:
    from codehazard.human import StudyResults

    assert isinstance(res, StudyResults)
    lines = [f"study {res.study}: {len(res.participants)} participant(s)"]
    for p in res.participants:
        lines.append(f"  {p['pseudonym']}: {p['done']}/{p['tasks']} done, {p['passed']} passed")
    lines.append(
        f"pooled (interval {res.interval_method}, {res.confidence:.0%}): dimension level  "
        "people tasks  pass rate [interval]  mean time to pass"
    )
    for lv in res.levels:
        t = "-" if lv.mean_time_to_pass_s is None else f"{lv.mean_time_to_pass_s:.0f} s"
        lines.append(
            f"  {lv.dimension} {lv.level}  {lv.n_participants} {lv.n_tasks}  "
            f"{lv.pass_rate:.2f} [{lv.interval.low:.2f}, {lv.interval.high:.2f}]  {t}"
        )
    return "\n".join(lines)
