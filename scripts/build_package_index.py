"""Build the package probe's index of registry project names (shipped as package data).

The packages probe decides whether a name a model imported or told the user to install exists
on the Python Package Index without asking the network: it reads a snapshot of every project
name, normalised as PEP 503 says (lower case, runs of ``-``, ``_`` and ``.`` become one ``-``),
sorted, one a line, gzip-compressed (``probes/data/pypi-names.txt.gz``, a few MB), plus the most
downloaded projects in rank order (``pypi-popular.txt``: what a typosquat imitates) and a small
JSON description (``pypi-index.json``: the snapshot date every result records, the source, the
counts).

Sources, one of:

* ``--simple URL``: the registry's simple index in its JSON form (PEP 691; the request sends
  ``Accept: application/vnd.pypi.simple.v1+json`` and reads ``projects[].name``);
* ``--tsv PATH``: a tab-separated list whose first column is the project name (a header line
  first); when it has a ``rank...`` column (download rank among the most downloaded
  projects), the popular list is taken from it.

``--popular PATH`` gives the popular list separately (one name a line, most downloaded first).
``--date`` sets the snapshot date (default: today for ``--simple``, the file's modification
date for ``--tsv``). The output is byte-identical for the same input (gzip without a time).

    python scripts/build_package_index.py --tsv names.tsv --date 2026-12-01
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import re
import sys
import urllib.request
from collections.abc import Iterable
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "codehazard" / "probes" / "data"
POPULAR = 15000
PEP691 = "application/vnd.pypi.simple.v1+json"
_SEPARATORS = re.compile(r"[-_.]+")
_VALID = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def normalise(name: str) -> str:
    """PEP 503 normalisation."""
    return _SEPARATORS.sub("-", name).lower()


def from_simple(url: str) -> list[str]:
    """Project names from a PEP 691 JSON simple index."""
    request = urllib.request.Request(url, headers={"Accept": PEP691})
    with urllib.request.urlopen(request, timeout=600) as response:
        data = json.load(response)
    return [p["name"] for p in data.get("projects", []) if isinstance(p, dict) and "name" in p]


def from_tsv(path: Path) -> tuple[list[str], list[str]]:
    """Project names, and the popular ones in rank order when the file has a rank column."""
    names: list[str] = []
    ranked: list[tuple[int, str]] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        rank_col = next((i for i, h in enumerate(header) if h.startswith("rank")), None)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if not parts or not parts[0]:
                continue
            names.append(parts[0])
            if rank_col is not None and len(parts) > rank_col and parts[rank_col].isdigit():
                ranked.append((int(parts[rank_col]), parts[0]))
    return names, [name for _, name in sorted(ranked)]


def write(names: Iterable[str], popular: list[str], meta: dict[str, object], out: Path) -> None:
    """The three files of the index under ``out``."""
    kept = sorted({n for n in map(normalise, names) if _VALID.match(n)})
    top = list(dict.fromkeys(normalise(n) for n in popular))[:POPULAR]
    out.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write("\n".join(kept).encode("ascii"))
    (out / "pypi-names.txt.gz").write_bytes(buffer.getvalue())
    (out / "pypi-popular.txt").write_text("\n".join(top) + "\n", encoding="ascii")
    meta = {**meta, "format": 1, "names": len(kept), "popular": len(top)}
    (out / "pypi-index.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"{len(kept)} names, {len(top)} popular, {len(buffer.getvalue())} bytes -> {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--simple", metavar="URL", help="a PEP 691 JSON simple index")
    source.add_argument("--tsv", type=Path, metavar="PATH", help="a TSV of project names")
    parser.add_argument("--popular", type=Path, help="most downloaded names, one a line")
    parser.add_argument("--date", help="snapshot date, YYYY-MM-DD")
    parser.add_argument("--describe", default="", help="what the source is, for the record")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.simple:
        names, popular = from_simple(args.simple), []
        date = args.date or dt.date.today().isoformat()
        what = args.describe or f"PEP 691 simple index {args.simple}"
    else:
        names, popular = from_tsv(args.tsv)
        mtime = dt.datetime.fromtimestamp(args.tsv.stat().st_mtime, dt.UTC)
        date = args.date or mtime.date().isoformat()
        what = args.describe or f"name list {args.tsv.name}"
    if args.popular:
        popular = args.popular.read_text(encoding="utf-8").split()
    popular_source = (
        ""
        if not popular
        else ("--popular file" if args.popular else "the source's download-rank column")
    )
    if not names:
        print("no project names read", file=sys.stderr)
        return 1
    meta = {"snapshot": date, "source": what, "popular_source": popular_source}
    write(names, popular, meta, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
