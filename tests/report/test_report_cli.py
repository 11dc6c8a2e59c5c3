"""``codehazard report``: the three formats, the comparison, the schema, bad input; and the
whole path on a building-blocks simulated run: run, assess, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_fixtures import Toy

from codehazard.cli import main
from codehazard.report import Report, report_schema


@pytest.fixture
def assessment_file(toy: Toy, tmp_path: Path) -> Path:
    path = tmp_path / "assessment.json"
    path.write_text(toy.assessment.model_dump_json(), encoding="utf-8")
    return path


def test_schema_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == report_schema()


def test_formats_follow_the_suffix_or_the_option(
    toy: Toy, store_path: Path, assessment_file: Path, tmp_path: Path
) -> None:
    base = ["report", toy.a, "--store", str(store_path), "--assessment", str(assessment_file)]
    assert main([*base, "-o", str(tmp_path / "out" / "r.html")]) == 0
    page = (tmp_path / "out" / "r.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'id="hazards"' in page
    assert main([*base, "-o", str(tmp_path / "r.md"), "--html-link", "r.html"]) == 0
    md = (tmp_path / "r.md").read_text()
    assert md.startswith("# Toy") and "[r.html](<r.html>)" in md
    assert main([*base, "--format", "json", "-o", str(tmp_path / "r.txt")]) == 0
    report = Report.model_validate_json((tmp_path / "r.txt").read_text())
    assert report.summary.runs[0].id == toy.a and report.hazards is not None


def test_compare_writes_the_comparison(toy: Toy, store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "diff.json"
    args = ["report", "--compare", toy.a, toy.b, "--store", str(store_path), "-o", str(out)]
    assert main(args) == 0
    report = Report.model_validate_json(out.read_text())
    assert report.comparison is not None and report.comparison.b == toy.b


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report"], "needs RUN_ID(s) or --compare A B"),
        (["report", "x", "--compare", "a", "b"], "either RUN_ID(s) or --compare"),
        (["report", "nope"], "no run 'nope'"),
    ],
)
def test_bad_input_is_one_line(
    args: list[str], message: str, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, "--store", str(store_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


@pytest.mark.slow
def test_demo_run_assessed_and_reported_in_three_formats(tmp_path: Path) -> None:
    store = str(tmp_path / "store.db")
    run = [
        "run",
        "--suite",
        "building-blocks",
        "--model",
        "simulated",
        "-n",
        "2",
        "--lengths",
        "1,2,3",
        "--per-length",
        "4",
        "--workers",
        "2",
        "--store",
        store,
        "--no-progress",
        "--json",
    ]
    assert main(run) == 0
    [run_id] = [r["id"] for r in json.loads(_out(["runs", "list", "--store", store, "--json"]))]
    log = tmp_path / "log.yaml"
    assert main(["hazards", "init", "-o", str(log)]) == 0
    a = tmp_path / "a.json"
    assert main(["assess", "--log", str(log), "--run", run_id, "--store", store, "-o", str(a)]) == 0
    for suffix in ("html", "md", "json"):
        out = tmp_path / f"report.{suffix}"
        args = ["report", run_id, "--assessment", str(a), "--store", store, "-o", str(out)]
        assert main([*args, "--localise", "12"]) == 0 and out.stat().st_size > 1000
    report = Report.model_validate_json((tmp_path / "report.json").read_text())
    assert report.summary.verdict is not None
    assert {w.code for w in report.summary.warnings} >= {"simulated"}
    assert report.capability.curves[0].suite == "building-blocks"
    # failure localisation: the failing samples rerun in the sandbox, each diagnosed
    [kinds, *_] = report.tables
    assert kinds.title.startswith("Failure localisation") and kinds.columns[0] == "fault"
    diagnosed = sum(sum(float(c) for c in row[1:]) for row in kinds.rows)
    assert 0 < diagnosed <= 12 and "re-run and diagnosed" in kinds.notes[0]
    assert kinds.title in (tmp_path / "report.md").read_text()
    assert "Failure localisation" in (tmp_path / "report.html").read_text()


def _out(args: list[str]) -> str:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(args) == 0
    return buf.getvalue()
