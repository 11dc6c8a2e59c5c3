"""``codehazard sandbox check``: which of the sandbox's guarantees hold on this host."""

from __future__ import annotations

import argparse
from typing import Any

from codehazard.cli._common import print_json


def register(sub: Any) -> None:
    """Add ``sandbox`` and its ``check`` subcommand."""
    p = sub.add_parser("sandbox", help="inspect the sandbox on this host")
    actions = p.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="probe namespaces, cgroups, seccomp and die-with-parent, run a small attack set "
        "through the real sandbox, and print which guarantees hold (exit 0 when all that the "
        "level promises hold, 3 otherwise)",
    )
    check.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    check.add_argument(
        "--isolation",
        choices=("full", "partial", "rlimits-only", "none", "auto"),
        default="full",
        help="the least isolation required, as for evaluate (default full)",
    )
    check.set_defaults(func=run_check)


def format_check(result: dict[str, Any]) -> str:
    """The human-readable report."""
    verdict = "ok" if result["ok"] else "NOT OK"
    lines = [
        f"sandbox check: {verdict}: isolation {result['level']} (required {result['required']})"
    ]
    lines.append("capabilities of this host:")
    for name, cap in result["capabilities"].items():
        mark = "yes" if cap["ok"] else "no "
        lines.append(f"  {mark}  {name.replace('_', ' ')}: {cap['detail']}")
    lines.append("resources:")
    lines += [f"  {note}" for note in result.get("resources", [])]
    lines.append("guarantees:")
    for name, g in result["guarantees"].items():
        if not g["promised"]:
            mark = "n/a " if g["held"] else "off "
        else:
            mark = "ok  " if g["held"] else "FAIL"
        detail = "" if g["held"] else f" ({g['detail']})"
        lines.append(f"  [{mark}] {name}: {g['meaning']}{detail}")
    for refused in result["refused"]:
        lines.append(f"  not obtained: {refused}")
    for error in result["isolation"].get("errors", []):
        lines.append(f"  host error: {error}")
    if not result["ok"] and result["level"] != result["required"]:
        lines.append(
            f"  evaluation at --isolation {result['required']} would refuse to start; "
            f"--isolation {result['level']} accepts this host's level explicitly"
        )
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    """Run the self-check; exit 0 when every promised guarantee holds, else 3."""
    from codehazard.sandbox import self_check

    result = self_check(args.isolation)
    if args.json:
        print_json(result)
    else:
        print(format_check(result))
    return 0 if result["ok"] else 3
