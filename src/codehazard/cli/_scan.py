"""``codehazard scan PATH ...``: the probes' static analysers on any Python files.

Every ``.py`` file under the paths is read (never run) by the analysers of the probes that
have one for source files (``packages`` and ``security`` when registered; ``--probe`` picks);
each finding is printed as ``path:line: [probe/category] message``, or everything as JSON.
Exit 1 when something was found, 0 when nothing was.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from codehazard.cli._common import print_json

SCANNERS = ("packages", "security")
"""The probes whose analysers read plain source files, in this order when registered."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``scan`` subcommand."""
    p = sub.add_parser("scan", help="run the security and package analysers on Python files")
    p.add_argument("paths", nargs="+", help="files or directories")
    p.add_argument("--probe", action="append", default=[], help="only this probe (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=scan)


def _entry(scanned: Any) -> dict[str, Any]:
    return {
        "path": scanned.path,
        "analyses": {
            name: {
                "status": a.status,
                "detail": a.detail,
                "findings": [f.model_dump(mode="json") for f in a.findings],
            }
            for name, a in scanned.analyses.items()
        },
    }


def scan(args: argparse.Namespace) -> int:
    """Scan the files; print findings (or JSON); exit 1 when any was found."""
    from codehazard.probes import get_probe, probe_names, scan_paths

    registered = probe_names()
    names = args.probe or [n for n in SCANNERS if n in registered]
    probes = [get_probe(n) for n in names]
    files, flagged, statuses = 0, 0, {}
    entries = []
    for scanned in scan_paths(args.paths, probes):
        files += 1
        for name, analysis in scanned.analyses.items():
            statuses[analysis.status] = statuses.get(analysis.status, 0) + 1
            flagged += len(analysis.findings)
            if not args.json:
                for f in analysis.findings:
                    line = f.line or 1
                    print(f"{scanned.path}:{line}: [{name}/{f.category}] {f.message}")
        if args.json:
            entries.append(_entry(scanned))
    if args.json:
        print_json({"probes": names, "files": files, "findings": flagged,
                    "statuses": statuses, "results": entries})  # fmt: skip
    else:
        counted = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        print(f"codehazard: {files} files, {flagged} findings ({counted})", file=sys.stderr)
    return 1 if flagged else 0
