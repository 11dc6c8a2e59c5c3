"""One run over several suites: ``--suite temporal,concurrency`` builds each suite with the
parameters it declares, records them apart, resumes from the record, and judges the expressivity
suites end to end against the loopback OpenAI-compatible server, with the same verdicts on
every rerun."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openai_server import OpenAIServer

from codehazard.cli import main
from codehazard.errors import InputError
from codehazard.runs import SuiteSource, SuitesSource, suite_source, task_source
from codehazard.store import Store
from codehazard.tasks.suites import get_suite

SUITES = "temporal,concurrency,nondeterminism"
SMALL = {"levels": "1", "per_level": 1}


def test_each_suite_takes_the_parameters_it_declares() -> None:
    source = suite_source(SUITES, {**SMALL, "seed": 3})
    assert isinstance(source, SuitesSource)
    assert source.names == ["temporal", "concurrency", "nondeterminism"]
    for part in source.parts:
        assert part.params == {"levels": [1], "per_level": 1, "seed": 3}
    again = task_source(source.record())
    assert again == source
    tasks = source.load()
    assert {t.metadata["suite"] for t in tasks} == set(SUITES.split(","))
    assert len({t.task_id for t in tasks}) == len(tasks)
    one = suite_source(["temporal"], SMALL)
    assert isinstance(one, SuiteSource) and one.record()["suite"] == "temporal"


@pytest.mark.parametrize(
    ("names", "params", "message"),
    [
        ("temporal,nope", {}, "unknown suite 'nope'"),
        ("temporal,temporal", {}, "named twice"),
        (",", {}, "at least one suite"),
        (
            SUITES,
            {"lengths": "1-3"},
            "none of the suites temporal, concurrency, nondeterminism has",
        ),
    ],
)
def test_bad_suite_lists_are_refused_by_name(
    names: str, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        suite_source(names, params)


def _programs() -> dict[str, list[str]]:
    """For each task of the small build: the reference for even seeds, a mutant for odd."""
    table = {}
    for name in SUITES.split(","):
        suite = get_suite(name)
        for task in suite.build(**SMALL):
            wrong = next(m.program for m in suite.mutants(task) if m.program)
            fenced = [f"```python\n{p}\n```" for p in (task.reference_program, wrong)]
            table[task.entry_point] = fenced
    return table


def _answer(table: dict[str, list[str]]) -> Any:
    def answer(body: dict[str, Any], prompt: str) -> str:
        for marker, answers in table.items():
            if any(
                f"{form}" in prompt for form in (f"class {marker}", f"def {marker}(", f"`{marker}")
            ):
                return answers[int(body.get("seed") or 0) % 2]
        return ""

    return answer


@pytest.mark.slow
def test_the_expressivity_suites_run_end_to_end_with_the_same_verdicts_on_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses: list[dict[str, tuple[str | None, str | None]]] = []
    with OpenAIServer(api_key="k", answer=_answer(_programs())) as server:
        for attempt in range(2):
            store = tmp_path / f"s{attempt}.sqlite"
            argv = ["run", "--suite", SUITES, "--levels", "1", "--per-level", "1"]
            argv += ["--model", "openai/m", "--base-url", server.base_url, "--api-key", "k"]
            argv += ["-n", "2", "--seed", "0", "--workers", "2", "--store", str(store)]
            assert main([*argv, "--json"]) == 0
            summary = json.loads(capsys.readouterr().out)
            with Store(store) as st:
                records = st.records(summary["run_id"])
            statuses.append(  # stored as the answers arrive: compare by key
                {r.key: (r.status, r.verdict and r.verdict.failure_kind) for r in records}
            )
            assert main(["runs", "show", summary["run_id"], "--store", str(store)]) == 0
            assert "suite temporal" in capsys.readouterr().out
    first, second = statuses
    assert sorted(first) == sorted(second)
    assert not {k: (first[k], second[k]) for k in first if first[k] != second[k]}
    passed = [k for k, (status, _) in first.items() if status == "passed"]
    assert len(passed) == len(first) // 2, first
    assert all(kind for status, kind in first.values() if status == "failed"), first
