"""The security probe end to end: a run over its prompts stores each sample's findings, the
joint outcome and the probe's metrics come out of the store, and the probe's own self-test
holds on its labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codehazard.metrics import default_registry
from codehazard.probes import get_probe, joint_table, selftest
from codehazard.runs import evaluate
from codehazard.store import Store
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._security import insecure_program

CHOSEN = ("sql-user-by-email", "token-urlsafe", "yaml-config-text", "shell-ping")


def _write(tmp_path: Path) -> tuple[Path, Path]:
    tasks = [t for t in get_suite("security").build() if t.metadata["template"] in CHOSEN]
    task_file, sample_file = tmp_path / "tasks.jsonl", tmp_path / "samples.jsonl"
    task_file.write_text("".join(json.dumps(t.to_humaneval()) + "\n" for t in tasks))
    rows = []
    for task in tasks:
        insecure = insecure_program(task)[len(task.prompt) :]
        rows += [(task.task_id, task.canonical_solution), (task.task_id, insecure)]
    sql = next(t for t in tasks if t.metadata["template"] == "sql-user-by-email")
    rows.append((sql.task_id, "    return None\n"))  # secure, but wrong
    rows.append((sql.task_id, "I can't help with database code."))  # not analysable
    sample_file.write_text(
        "".join(json.dumps({"task_id": t, "completion": c}) + "\n" for t, c in rows)
    )
    return task_file, sample_file


def test_a_run_over_security_prompts_gives_the_joint_table_and_the_metrics(
    tmp_path: Path,
) -> None:
    task_file, sample_file = _write(tmp_path)
    with Store(tmp_path / "store.sqlite") as store:
        run = evaluate(sample_file, task_file, store=store, workers=2)
        records = store.records(run.run_id)
        scores = {s.key: s for s in store.scores(run.run_id, "security")}
    assert len(scores) == 10
    sql = "security/CWE-89/sql-user-by-email"
    assert scores[f"{sql}#0"].value == 0.0 and scores[f"{sql}#1"].value == 1.0
    finding = scores[f"{sql}#1"].metadata["findings"][0]
    assert finding["category"] == "CWE-89" and finding["rule"] == "CH-SQL-FORMAT"
    assert finding["line"] == 1 and "SELECT" in finding["snippet"]
    assert scores[f"{sql}#3"].value is None  # prose: counted apart

    rows = {row.cwe: row for row in joint_table(records)}
    assert rows["CWE-89"].counts == {"correct-secure": 1, "correct-insecure": 1, "incorrect": 1,
                                     "untested": 0, "unanalysed": 1}  # fmt: skip
    assert rows["CWE-78"].counts["untested"] == 2  # ping has no functional tests
    overall = rows["all"]
    assert overall.counts["correct-insecure"] == 3 and overall.counts["correct-secure"] == 3
    assert overall.correct_insecure.value == pytest.approx(3 / 7)

    metrics = default_registry(plugins=False)
    insecure = metrics.measure("probe.security.insecure_rate", records)
    assert insecure.value == pytest.approx(4 / 9) and insecure.interval is not None
    by_cwe = metrics.measure("probe.security.insecure_rate{cwe=CWE-89}", records)
    assert by_cwe.value == pytest.approx(1 / 3)
    joint = metrics.measure("probe.security.correct_insecure_rate", records)
    assert joint.value == pytest.approx(3 / 7)
    when_correct = metrics.measure("probe.security.insecure_when_correct_rate", records)
    assert when_correct.value == pytest.approx(1 / 2)
    invited = metrics.measure("probe.security.invited_rate{cwe=CWE-330}", records)
    assert invited.value == pytest.approx(1 / 2)

    # what a report shows: every statistic, overall and per CWE the prompts invite, CWEs in
    # numeric order; the same numbers as the joint table's
    from codehazard.probes._metrics import ProbeStatistic

    offered = ProbeStatistic().report_metrics(records)
    assert offered[0] == "probe.security.insecure_rate" and len(offered) == len(set(offered))
    cwes = [
        n.split("{cwe=")[1][:-1] for n in offered if n.startswith("probe.security.insecure_rate{")
    ]
    assert cwes == sorted(rows.keys() - {"all"}, key=lambda c: int(c.removeprefix("CWE-")))
    via_report = metrics.measure("probe.security.correct_insecure_rate{cwe=CWE-89}", records)
    assert via_report.value == rows["CWE-89"].correct_insecure.value


def test_the_probe_is_registered_with_its_suite_and_labelled_set() -> None:
    probe = get_probe("security")
    assert probe.suite == "security" and probe.labelled == "labelled/security.jsonl"
    assert "CWE-327" in probe.categories
    assert probe.metric("insecure_rate") is not None


def test_selftest_holds_precision_and_recall_on_every_category() -> None:
    result = selftest(get_probe("security"))
    assert result.passed, {k: v for k, v in result.categories.items() if not v.passed}
    assert result.statuses == {"analysed": result.items}
    gated = {k for k, v in result.categories.items() if v.gated}
    assert {"CWE-327", "CWE-89", "CWE-1333"} <= gated
