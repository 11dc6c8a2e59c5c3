"""Precision and recall of the security analyser on a labelled set written by other people.

The project's own labelled set (``src/codehazard/probes/labelled/security.jsonl``) was written
with the analyser, so its figures are an upper bound; this script measures the analyser on an
outside set given by path at run time (nothing of it is copied into the project) and prints
the two side by side. The outside file is gzip or plain JSON Lines, one object a line, with
``code`` (or ``text``), ``label`` (``insecure``/``secure``, or ``expect`` as in our format) and
``cwe`` (a list of CWE ids). CWEs that are children or synonyms of ours are mapped onto them
(``CWE-80`` onto ``CWE-79``, ``CWE-259`` onto ``CWE-798``, ``CWE-328``/``CWE-916`` onto
``CWE-327``, ``CWE-95`` onto ``CWE-94``, ``CWE-338`` onto ``CWE-330``); records about other
CWEs count only in the any-finding row.

Per category ``C``: recall is the share of outside items labelled ``C`` that get a ``C``
finding; precision is the share of ``C`` findings made on items labelled ``C`` (a finding of
``C`` on an item labelled secure, or labelled with another CWE, is a false positive). The
``any`` row asks only whether an insecure item got some finding and a secure one none. Run
from the repository root::

    PYTHONPATH=src python bench/probe_external.py PATH [--no-bandit] [--show-misses N]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import sys
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from codehazard.probes import SecurityAnalyser

ALIASES = {
    "CWE-80": "CWE-79", "CWE-259": "CWE-798", "CWE-321": "CWE-798", "CWE-328": "CWE-327",
    "CWE-916": "CWE-327", "CWE-95": "CWE-94", "CWE-338": "CWE-330", "CWE-329": "CWE-327",
    "CWE-1336": "CWE-94", "CWE-776": "CWE-611", "CWE-73": "CWE-22", "CWE-88": "CWE-78",
    "CWE-77": "CWE-78",
}  # fmt: skip


def read(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a gzip or plain JSON Lines file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def expected(record: dict[str, Any]) -> set[str] | None:
    """The categories an item must be flagged with (``set()`` = secure); ``None`` = unusable."""
    if "expect" in record:
        return {ALIASES.get(c, c) for c in record["expect"]}
    label = record.get("label")
    if label == "secure":
        return set()
    if label == "insecure":
        return {ALIASES.get(c, c) for c in record.get("cwe") or []}
    return None


def measure(records: list[dict[str, Any]], analyser: SecurityAnalyser, misses: int) -> dict:
    """Counts per category, the any-finding row, statuses and the time per item."""
    known = set(analyser_categories())
    tp: collections.Counter[str] = collections.Counter()
    fp: collections.Counter[str] = collections.Counter()
    fn: collections.Counter[str] = collections.Counter()
    any_row = collections.Counter()
    statuses: collections.Counter[str] = collections.Counter()
    shown = 0
    start = time.perf_counter()
    for record in records:
        expect = expected(record)
        if expect is None:
            continue
        analysis = analyser.analyse(record.get("code") or record.get("text") or "")
        statuses[analysis.status] += 1
        got = set(analysis.categories)
        insecure = record.get("label") == "insecure" or bool(expect)
        any_row[("tp" if got else "fn") if insecure else ("fp" if got else "tn")] += 1
        for category in got & expect:
            tp[category] += 1
        for category in got - expect:
            fp[category] += 1
        for category in (expect - got) & known:
            fn[category] += 1
            if shown < misses:
                shown += 1
                print(f"  miss {category} {record.get('id')}: {analysis.status}", file=sys.stderr)
    elapsed = time.perf_counter() - start
    return {"tp": tp, "fp": fp, "fn": fn, "any": any_row, "statuses": statuses,
            "seconds": elapsed, "items": sum(statuses.values())}  # fmt: skip


def analyser_categories() -> tuple[str, ...]:
    from codehazard.probes._security import CATEGORIES

    return CATEGORIES


def ratio(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "  - "


def table(ours: dict, theirs: dict) -> str:
    """Rows per category: precision, recall and support on our set and on the outside set."""
    lines = [f"{'category':10} {'ours P':>7} {'ours R':>7} {'n':>4} | {'ext P':>6} {'ext R':>6} "
             f"{'n':>4} {'ext FP':>6}"]  # fmt: skip
    for category in analyser_categories():
        row = [category.ljust(10)]
        for counts, width in ((ours, 7), (theirs, 6)):
            tp, fp, fn = counts["tp"][category], counts["fp"][category], counts["fn"][category]
            row += [ratio(tp, tp + fp).rjust(width), ratio(tp, tp + fn).rjust(width),
                    str(tp + fn).rjust(4)]  # fmt: skip
        row.append(str(theirs["fp"][category]).rjust(6))
        lines.append(" ".join(row[:4]) + " | " + " ".join(row[4:]))
    for name, counts in (("ours", ours), ("external", theirs)):
        a = counts["any"]
        lines.append(
            f"any finding, {name}: precision {ratio(a['tp'], a['tp'] + a['fp'])} recall "
            f"{ratio(a['tp'], a['tp'] + a['fn'])} (insecure {a['tp'] + a['fn']}, secure "
            f"{a['tn'] + a['fp']}); statuses {dict(counts['statuses'])}; "
            f"{counts['items'] / max(counts['seconds'], 1e-9):.0f} items/s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, help="an outside labelled set (.jsonl or .jsonl.gz)")
    parser.add_argument("--no-bandit", action="store_true", help="our rules only")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N",
                        help="print the first N missed items to stderr")  # fmt: skip
    args = parser.parse_args(argv)
    analyser = SecurityAnalyser(use_bandit=not args.no_bandit)
    own = resources.files("codehazard.probes").joinpath("labelled/security.jsonl")
    ours = [json.loads(line) for line in own.read_text("utf-8").splitlines() if line.strip()]
    theirs = list(read(args.path))
    print(f"ours: {len(ours)} items; external: {len(theirs)} items from {args.path}")
    print(table(measure(ours, analyser, 0), measure(theirs, analyser, args.show_misses)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
