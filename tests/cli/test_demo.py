"""``codehazard demo``: one command runs the suites and probes, profiles, assesses with the
default hazard log and writes the reports; run again, it reuses the finished run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codehazard.cli import main
from codehazard.cli._demo import SPEC_SUITES, default_suites
from codehazard.store import Store


def test_default_suites_are_every_spec_suite_then_the_probes() -> None:
    suites = default_suites()
    assert suites[: len(SPEC_SUITES)] == list(SPEC_SUITES)
    assert {"security", "packages"} <= set(suites)


@pytest.mark.slow
def test_demo_writes_profile_assessment_and_reports_and_reuses_its_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    argv = [
        "demo",
        "--model",
        "simulated",
        "--suites",
        "building-blocks,packages",
        "--out",
        str(out),
    ]
    assert main([*argv, "--no-progress", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "pass@1" in printed and "report: " in printed and "verdict" in printed
    for name in ("profile.json", "assessment.json", "assessment.md", "report.html", "report.md"):
        assert (out / name).stat().st_size > 0, name
    state = json.loads((out / "demo.json").read_text())
    assessment = json.loads((out / "assessment.json").read_text())
    assert [r["id"] for r in assessment["runs"]] == [state["run_id"]]
    assert "<html" in (out / "report.html").read_text()[:200].lower()
    assert main([*argv, "--no-progress"]) == 0
    assert "is complete; reporting it" in capsys.readouterr().err
    with Store(out / "store.sqlite") as store:
        assert len(store.list_runs()) == 1
