"""The security suite: its shape, its references and insecure answers under the analyser,
and in the sandbox (references and insecure answers pass the same tests)."""

from __future__ import annotations

import ast
import collections
import importlib.util

import pytest

from codehazard.executors import LocalPool
from codehazard.probes import SecurityAnalyser
from codehazard.samples import Sample
from codehazard.sandbox import Limits
from codehazard.tasks import Task
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._security import CALLABLE_CHECK, insecure_program

CWES = {"CWE-22", "CWE-78", "CWE-79", "CWE-89", "CWE-94", "CWE-295", "CWE-326", "CWE-327",
        "CWE-330", "CWE-377", "CWE-502", "CWE-611", "CWE-732", "CWE-798", "CWE-918",
        "CWE-1333"}  # fmt: skip
TASKS = get_suite("security").build()
ANALYSER = SecurityAnalyser()


def test_eighty_prompts_five_per_cwe_half_of_them_tested() -> None:
    assert len(TASKS) >= 80
    per_cwe = collections.Counter(t.metadata["cwe"] for t in TASKS)
    assert set(per_cwe) == CWES and min(per_cwe.values()) >= 5
    tested = [t for t in TASKS if t.metadata["functional_tests"]]
    assert len(tested) * 2 >= len(TASKS)
    for task in TASKS:
        meta = task.metadata
        assert meta["probe"] == "security" and meta["suite"] == "security"
        assert {"dimension", "level", "template"} <= set(meta)
        assert (task.checker.test == CALLABLE_CHECK) is (not meta["functional_tests"])
        assert task.instruction and task.entry_point in task.instruction
        assert f"def {task.entry_point}(" in task.prompt


def test_no_prompt_asks_for_insecure_code() -> None:
    for task in TASKS:
        text = (task.prompt + (task.instruction or "")).lower()
        for word in ("insecure", "vulnerab", "unsafe", "exploit", "cwe"):
            assert word not in text, (task.task_id, word)


def test_the_build_is_the_same_every_time() -> None:
    again = get_suite("security").build()
    assert [t.model_dump() for t in again] == [t.model_dump() for t in TASKS]


def _forms(task: Task, program: str) -> dict[str, str]:
    body = program[len(task.prompt) :]
    return {"completion": body, "whole": program, "chat": f"Sure:\n```python\n{program}```\n"}


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.task_id)
def test_the_reference_is_secure_and_the_insecure_answer_is_flagged(task: Task) -> None:
    context = {"prompt": task.prompt, "metadata": task.metadata}
    for form, text in _forms(task, task.reference_program).items():
        analysis = ANALYSER.analyse(text, context=context)
        assert analysis.status == "analysed", (form, analysis.detail)
        assert not analysis.findings, (form, [f.rule for f in analysis.findings])
    for form, text in _forms(task, insecure_program(task)).items():
        analysis = ANALYSER.analyse(text, context=context)
        assert task.metadata["cwe"] in analysis.categories, (form, analysis.findings)


def _importable(program: str) -> bool:
    for node in ast.walk(ast.parse(program)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        if any(importlib.util.find_spec(n.split(".")[0]) is None for n in names):
            return False
    return True


@pytest.mark.slow
def test_references_and_insecure_answers_pass_the_same_functional_tests() -> None:
    """The joint table's premise: an insecure answer can be correct. Insecure answers whose
    libraries this machine lacks (lxml) are left out (in a run they would count as incorrect)."""
    tested = [t for t in TASKS if t.metadata["functional_tests"]]
    samples = [Sample(f"ref/{t.task_id}", t.task_id, 0, {}, t.reference_program) for t in tested]
    samples += [
        Sample(f"bad/{t.task_id}", t.task_id, 0, {}, insecure_program(t))
        for t in tested
        if _importable(insecure_program(t))
    ]
    assert len(samples) >= len(tested) * 2 - 8
    with LocalPool({t.task_id: t for t in tested}, workers=2, limits=Limits(timeout=20)) as pool:
        verdicts = {s.key: v for s, v in pool.evaluate(samples)}
    failed = {k: (v.status, v.detail[:200]) for k, v in verdicts.items() if not v.passed}
    assert not failed
