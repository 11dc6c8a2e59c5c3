"""The index build script, from a PEP 691 JSON simple index served on the loopback interface
and from a TSV list: normalised, sorted, reproducible, and loadable by the analyser."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest

from codehazard.probes._packages import PackagesAnalyser
from codehazard.probes._packages_index import load_index

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_package_index.py"
PROJECTS = ["Requests", "numpy", "Flask_SQLAlchemy", "zope.interface", "reqeusts", "bad name!"]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_package_index", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Simple(BaseHTTPRequestHandler):
    accepts: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Simple.accepts.append(self.headers.get("Accept", ""))
        body = json.dumps({"meta": {"api-version": "1.1"},
                           "projects": [{"name": n} for n in PROJECTS]}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def simple_index() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Simple)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    server.shutdown()
    server.server_close()


def test_an_index_from_a_pep_691_simple_index(tmp_path: Path, simple_index: str) -> None:
    popular = tmp_path / "popular.txt"
    popular.write_text("requests\nnumpy\n")
    out = tmp_path / "index"
    argv = ["--simple", simple_index, "--popular", str(popular), "--date", "2026-01-02"]
    assert _script().main([*argv, "--out", str(out)]) == 0
    assert _Simple.accepts[-1] == "application/vnd.pypi.simple.v1+json"
    index = load_index(out)
    assert sorted(index.names) == [
        "flask-sqlalchemy", "numpy", "reqeusts", "requests", "zope-interface",
    ]  # fmt: skip
    assert index.info.snapshot == "2026-01-02" and index.popular("numpy")
    analysis = PackagesAnalyser(index).analyse("import reqeusts\nimport numpy\nimport nope\n")
    outcomes = [(n["name"], n["outcome"]) for n in analysis.metadata["names"]]
    assert outcomes == [("reqeusts", "typosquat"), ("numpy", "known"), ("nope", "hallucinated")]
    first = (out / "pypi-names.txt.gz").read_bytes()
    assert _script().main([*argv, "--out", str(out)]) == 0
    assert (out / "pypi-names.txt.gz").read_bytes() == first  # reproducible


def test_an_index_from_a_tsv_list_with_ranks(tmp_path: Path) -> None:
    tsv = tmp_path / "names.tsv"
    tsv.write_text("name\tversion\trank\nPyYAML\t6\t2\nboto3\t1\t1\nobscure\t0\t\n")
    out = tmp_path / "index"
    assert _script().main(["--tsv", str(tsv), "--out", str(out)]) == 0
    assert (out / "pypi-popular.txt").read_text().split() == ["boto3", "pyyaml"]
    meta = json.loads((out / "pypi-index.json").read_text())
    assert meta["names"] == 3 and meta["popular_source"] == "the source's download-rank column"
