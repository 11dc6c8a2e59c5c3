"""End to end through the CLI: init, validate, schema, assess against a real store, diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hazard_fixtures import FIVE_BY_FIVE, SMALL_LOG, add_run, humaneval_tasks, write

from codehazard.cli import main
from codehazard.hazards import load_assessment
from codehazard.store import Store


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


def _run(store_path: Path, fail_share: float, **params) -> str:
    with Store(store_path) as store:
        return add_run(store, humaneval_tasks(fail_share), params or None)


def test_init_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "hazards.yaml"
    assert main(["hazards", "init", "-o", str(log)]) == 0
    assert log.read_text().startswith("# codehazard default hazard log")
    assert main(["hazards", "validate", str(log)]) == 0
    assert "valid: 15 hazards" in capsys.readouterr().out
    assert main(["hazards", "init", "-o", str(log)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert main(["hazards", "init", "-o", str(log), "--force"]) == 0


def test_validate_lists_every_problem_one_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = SMALL_LOG.replace("severity: 3", "severity: 9").replace(
        "suite.abstraction.pass@1{level>=4}", "probe.nothing.rate"
    )
    log = write(tmp_path / "bad.yaml", bad)
    assert main(["hazards", "validate", str(log)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "codehazard: error: 2 problems:"
    assert "hazard H-FAIL: field severity: unknown severity '9'" in err[1]
    assert "hazard H-CAP: field evidence[0].metric: no suite or probe defines" in err[2]


def test_validate_with_a_user_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = write(tmp_path / "iso.yaml", FIVE_BY_FIVE)
    log = write(
        tmp_path / "log.yaml",
        "hazards:\n  - {id: H1, title: t, source: privacy, severity: S4, likelihood: P2}\n",
    )
    assert main(["hazards", "validate", str(log), "--profile", str(profile)]) == 0
    assert "ISO 14971-style 5x5" in capsys.readouterr().out


def test_schema_profile_and_metrics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hazards", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "HazardLog"
    assert main(["hazards", "schema", "--what", "assessment"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Assessment"
    out = tmp_path / "profile.yaml"
    assert main(["hazards", "profile", "-o", str(out)]) == 0
    assert "matrix:" in out.read_text()
    assert main(["hazards", "metrics"]) == 0
    assert "suite.<suite>.rate.<status>" in capsys.readouterr().out


def test_assess_writes_json_and_markdown_and_prints_a_summary(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(store_path, 0.6)
    log = write(tmp_path / "hazards.yaml", SMALL_LOG)
    out, md = tmp_path / "a.json", tmp_path / "a.md"
    argv = ["assess", "--log", str(log), "--run", run, "--store", str(store_path)]
    assert main([*argv, "-o", str(out), "--markdown", str(md)]) == 0
    summary = capsys.readouterr().out
    assert summary.startswith("3 hazards: 1 Serious, 2 Medium")
    a = load_assessment(out)
    data = json.loads(out.read_text())
    assert data["kind"] == "codehazard.assessment" and data["schema_version"] == 1
    h = next(h for h in a.hazards if h.id == "H-FAIL")
    assert h.likelihood == "A" and h.evidence[0].runs == [run]
    assert "## Risk matrix" in md.read_text()


def test_assess_default_catalogue_end_to_end(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(store_path, 0.3)
    log = tmp_path / "hazards.yaml"
    assert main(["hazards", "init", "-o", str(log)]) == 0
    out = tmp_path / "a.json"
    argv = ["assess", "--log", str(log), "--run", run, "--store", str(store_path), "-o", str(out)]
    assert main(argv) == 0
    a = load_assessment(out)
    ovr = next(h for h in a.hazards if h.id == "HZ-OVR-1")
    # 30% failed: the Wilson upper bound (about 0.39) is under A's 0.5 and over B's 0.2
    assert ovr.likelihood_basis == "evidence" and ovr.likelihood == "B"
    scu = next(h for h in a.hazards if h.id == "HZ-SCU-1")
    assert scu.likelihood_basis == "no-data" and scu.likelihood == "E"


def test_default_catalogue_reads_the_building_blocks_suite(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = [
        (f"bb/{i}", {"suite": "building-blocks", "components": 1 + i % 5}, ["passed", "failed"])
        for i in range(25)
    ]
    with Store(store_path) as store:
        run = add_run(store, tasks)
    log = tmp_path / "hazards.yaml"
    assert main(["hazards", "init", "-o", str(log)]) == 0
    out = tmp_path / "a.json"
    argv = ["assess", "--log", str(log), "--run", run, "--store", str(store_path), "-o", str(out)]
    assert main(argv) == 0
    a = load_assessment(out)
    ovr = next(h for h in a.hazards if h.id == "HZ-OVR-3")
    assert ovr.likelihood_basis == "evidence" and ovr.likelihood == "A"
    decisive = [e for e in ovr.evidence if e.decisive]
    assert [e.metric for e in decisive] == ["suite.building-blocks.rate.failed{components>=3}"]
    assert decisive[0].n == 30 and decisive[0].n_tasks == 15
    scu = next(h for h in a.hazards if h.id == "HZ-SCU-1")
    assert scu.likelihood_basis == "evidence"


def test_assess_input_errors(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _run(store_path, 0.1)
    log = write(tmp_path / "hazards.yaml", SMALL_LOG)
    base = ["assess", "--log", str(log), "--store", str(store_path)]
    assert main(base) == 2
    assert "at least one --run" in capsys.readouterr().err
    assert main([*base, "--run", "nope"]) == 2
    assert "no run 'nope'" in capsys.readouterr().err
    assert main([*base, "--run", run, "--confidence", "2"]) == 2
    missing = ["assess", "--log", str(log), "--run", run, "--store", str(tmp_path / "x.db")]
    assert main(missing) == 2
    assert "no store at" in capsys.readouterr().err
    bad = write(tmp_path / "bad.yaml", "hazards: [")
    assert main(["assess", "--log", str(bad), "--run", run, "--store", str(store_path)]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_assess_diff(tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = write(tmp_path / "hazards.yaml", SMALL_LOG)
    paths = []
    for share in (0.0, 0.6):
        run = _run(store_path, share)
        path = tmp_path / f"a{share}.json"
        argv = ["assess", "--log", str(log), "--run", run, "--store", str(store_path)]
        assert main([*argv, "-o", str(path)]) == 0
        paths.append(str(path))
    capsys.readouterr()
    diff_json, diff_md = tmp_path / "d.json", tmp_path / "d.md"
    argv = ["assess", "diff", *paths, "-o", str(diff_json), "--markdown", str(diff_md)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "H-FAIL risk Medium -> Serious" in out
    assert json.loads(diff_json.read_text())["changed"][0]["id"] == "H-FAIL"
    assert diff_md.read_text().startswith("# Assessment diff")
    assert main(["assess", "diff", *paths, "--fail-on-increase"]) == 1
    assert main(["assess", "diff", *reversed(paths), "--fail-on-increase"]) == 0
    assert main(["assess", "diff", paths[0], str(tmp_path / "missing.json")]) == 2


def test_assess_warns_when_evidence_comes_from_the_demo_simulator(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = _run(store_path, 0.3)
    demo = _run(store_path, 0.3, backend={"backend": "simulated", "simulated": True})
    log = tmp_path / "hazards.yaml"
    assert main(["hazards", "init", "-o", str(log)]) == 0
    capsys.readouterr()
    argv = ["assess", "--log", str(log), "--store", str(store_path)]
    assert main([*argv, "--run", real]) == 0
    assert "simulator" not in capsys.readouterr().out
    assert main([*argv, "--run", demo]) == 0
    out = capsys.readouterr().out
    assert f"run(s) {demo} come from the simulator" in out


def test_a_5x5_profile_works_end_to_end(
    tmp_path: Path, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "iso.yaml", FIVE_BY_FIVE)
    log = write(
        tmp_path / "log.yaml",
        "profile: iso.yaml\nhazards:\n"
        "  - id: H1\n    title: wrong code\n    source: over-reliance\n"
        "    severity: S3\n    likelihood: P2\n    residual_likelihood: P1\n"
        "    evidence:\n      - metric: suite.humaneval.rate.failed\n"
        "        thresholds: {P5: 0.5, P4: 0.2, P3: 0.05, P2: 0.01}\n"
        "  - {id: H2, title: other, source: 'custom:my-thing', severity: S5, likelihood: P1}\n",
    )
    assert main(["hazards", "validate", str(log)]) == 0
    paths = []
    for share in (0.0, 0.6):
        run = _run(store_path, share)
        out, md = tmp_path / f"a{share}.json", tmp_path / f"a{share}.md"
        argv = ["assess", "--log", str(log), "--run", run, "--store", str(store_path)]
        assert main([*argv, "-o", str(out), "--markdown", str(md)]) == 0
        paths.append(str(out))
    new = load_assessment(paths[1])
    h1 = next(h for h in new.hazards if h.id == "H1")
    assert (h1.likelihood, h1.risk, h1.residual_likelihood, h1.residual_risk) == (
        "P5",
        "Unacceptable",
        "P4",
        "Investigate",
    )
    text = (tmp_path / "a0.6.md").read_text()
    assert "| **S3 Serious** | Unacceptable: H1 |" in text
    assert "| **S3 Serious** | Unacceptable | Investigate: H1 |" in text
    assert "| **S5 Catastrophic** |" in text and "Investigate: H2 |" in text
    capsys.readouterr()
    assert main(["assess", "diff", *paths, "--fail-on-increase"]) == 1
    assert "H1 risk Acceptable -> Unacceptable ↑" in capsys.readouterr().out
