"""``codehazard probes list|analyse|selftest|sarif``: the hazard probes and their findings.

``list`` shows the registered probes (their prompt suite, categories, metrics and the data
their analyser reads); ``analyse`` re-analyses a stored run's outputs with the current
analysers; ``selftest`` measures each analyser on its labelled set (exit 1 when a category with
enough items falls below the gate); ``sarif`` writes a run's findings as SARIF 2.1.0.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from codehazard.cli._common import (
    add_store_option,
    open_store,
    output_file,
    prepare_output,
    print_json,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``probes`` subcommand group."""
    p = sub.add_parser("probes", help="hazard probes: list, re-analyse, self-test, SARIF")
    probes = p.add_subparsers(dest="probes_command", metavar="ACTION", required=True)
    ls = probes.add_parser("list", help="the registered probes")
    ls.add_argument("--json", action="store_true", help="print a JSON array")
    ls.set_defaults(func=probes_list)
    an = probes.add_parser("analyse", help="re-analyse a run's stored outputs")
    an.add_argument("run_id", help="a run id or a unique prefix of one")
    an.add_argument("--probe", action="append", default=[], help="only this probe (repeatable)")
    add_store_option(an)
    an.add_argument("--json", action="store_true", help="print one JSON object")
    an.set_defaults(func=probes_analyse)
    st = probes.add_parser("selftest", help="precision and recall on the labelled sets")
    st.add_argument("probe", nargs="*", help="probes to test (default: all)")
    st.add_argument("--json", action="store_true", help="print one JSON object")
    st.set_defaults(func=probes_selftest)
    sa = probes.add_parser("sarif", help="write a run's findings as SARIF 2.1.0")
    sa.add_argument("run_id", help="a run id or a unique prefix of one")
    sa.add_argument("-o", "--output", type=output_file, required=True, help="the SARIF file")
    add_store_option(sa)
    sa.set_defaults(func=probes_sarif)


def _describe(name: str) -> dict[str, Any]:
    from codehazard.probes import get_probe

    probe = get_probe(name)
    return {
        "name": probe.name,
        "description": probe.description,
        "suite": probe.suite,
        "categories": list(probe.categories),
        "metrics": [f"probe.{probe.name}.{m.statistic}" for m in probe.metrics],
        "labelled": probe.labelled,
        "data": probe.info() if probe.info else {},
    }


def probes_list(args: argparse.Namespace) -> int:
    """Print the registered probes."""
    from codehazard.probes import probe_names

    rows = [_describe(name) for name in probe_names()]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(f"{row['name']}: {row['description']}")
        print(f"  prompts: suite {row['suite']}; categories: {', '.join(row['categories'])}")
        print(f"  metrics: {', '.join(row['metrics'])}")
        data = row["data"]
        if data.get("snapshot"):
            print(f"  index: {data.get('names')} names, snapshot {data['snapshot']}")
    return 0


def probes_analyse(args: argparse.Namespace) -> int:
    """Re-analyse a run's samples with the current analysers and print what changed."""
    from codehazard.errors import InputError
    from codehazard.probes import analyse_run, get_probe, run_probes
    from codehazard.runs import resolve_run_id

    with open_store(args) as store:
        run_id = resolve_run_id(store, args.run_id)
        names = args.probe or run_probes(store, run_id)
        if not names:
            raise InputError(f"run {run_id} has no probe prompts; name one with --probe")
        results = analyse_run(store, run_id, [get_probe(n) for n in names])
    data = {"run": run_id, "probes": [r.model_dump(mode="json") for r in results]}
    if args.json:
        print_json(data)
        return 0
    for r in results:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r.statuses.items()))
        flags = f"flagged {r.flagged_before} before, {r.flagged_after} now"
        print(f"{r.probe}: {r.samples} re-analysed ({statuses}); {flags}; {len(r.changed)} changed")
    return 0


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def probes_selftest(args: argparse.Namespace) -> int:
    """Each analyser on its labelled set; exit 1 when a gated category misses the gate."""
    from codehazard.probes import get_probe, probe_names, selftest

    names = args.probe or [n for n in probe_names() if get_probe(n).labelled]
    results = [selftest(get_probe(name)) for name in names]
    if args.json:
        print_json([r.model_dump(mode="json") | {"passed": r.passed} for r in results])
    else:
        for r in results:
            print(f"{r.probe}: {r.items} items, {'passed' if r.passed else 'FAILED'}")
            for category, s in r.categories.items():
                gate = "" if s.gated else " (under 10 items: not gated)"
                print(f"  {category:<14} items {s.items:>3}  precision {_fmt(s.precision)}  "
                      f"recall {_fmt(s.recall)}{gate}")  # fmt: skip
            for wrong in r.wrong:
                print(f"  wrong: {wrong['id']}: expected {wrong['expect']}, got {wrong['got']}")
    return 0 if all(r.passed for r in results) else 1


def probes_sarif(args: argparse.Namespace) -> int:
    """Write the run's stored findings as a SARIF 2.1.0 log."""
    from codehazard import __version__
    from codehazard.probes import sarif_log
    from codehazard.runs import resolve_run_id

    with open_store(args) as store:
        run_id = resolve_run_id(store, args.run_id)
        log = sarif_log(store, run_id, version=__version__)
    path = prepare_output(args.output, "--output")
    path.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    n = len(log["runs"][0]["results"])
    print(f"codehazard: wrote {n} findings of run {run_id} to {path}")
    return 0
