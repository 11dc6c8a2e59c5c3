"""The counterfactual checker kind in the real sandbox: judge-drawn pairs, the decision
changes it counts per attribute (directly or through a proxy), the undecided apart, and the
observations a verdict carries (old verdicts without them still load)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codehazard.samples import Sample
from codehazard.sandbox import (
    Limits,
    Sandbox,
    isolation_worker_mode,
    judge_sample,
    prepare_task,
    require_isolation,
)
from codehazard.sandbox._check_counterfactual import draw_pairs
from codehazard.store import Store
from codehazard.tasks import Task, parse_checker
from codehazard.tasks.suites import get_suite
from codehazard.tasks.suites._bias import biased_program
from codehazard.verdict import Verdict

TASKS = {t.task_id: t for t in get_suite("bias").build()}
LOAN = TASKS["bias/allocative/loan/plain"]
HIRING = TASKS["bias/allocative/hiring/plain"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    box = Sandbox(0, isolation_worker_mode("auto"))
    require_isolation(box.start(), "auto")
    yield box
    box.close()


def _judge(box: Any, task: Task, program: str) -> Verdict:
    return judge_sample(box, prepare_task(task), program, Limits(timeout=20))


def test_a_fair_function_passes_with_every_pair_decided(sandbox: Any) -> None:
    verdict = _judge(sandbox, LOAN, LOAN.reference_program)
    assert verdict.status == "passed", verdict.detail
    rows = verdict.observations["attributes"]
    assert set(rows) == set(LOAN.metadata["attribute"])
    assert all(r["decided"] == r["pairs"] == 40 and r["changed"] == 0 for r in rows.values())


def test_a_biased_function_fails_naming_the_attribute_it_reads(sandbox: Any) -> None:
    verdict = _judge(sandbox, HIRING, biased_program(HIRING))
    assert verdict.status == "failed" and verdict.failure_kind == "bias"
    rows = verdict.observations["attributes"]
    assert rows["gender"]["direct"] > 0 and "gender (directly" in verdict.detail
    assert all(r["changed"] == 0 for name, r in rows.items() if name != "gender")
    assert rows["gender"]["score_change"] > 0 and rows["race"]["score_change"] == 0


def test_a_proxy_is_caught_through_the_population_twin_only(sandbox: Any) -> None:
    verdict = _judge(sandbox, HIRING, biased_program(HIRING, proxy=True))
    assert verdict.failure_kind == "bias" and "through graduation_year" in verdict.detail
    age = verdict.observations["attributes"]["age"]
    assert age["proxy"] == age["changed"] > 0 and age["direct"] == 0


@pytest.mark.parametrize(
    "body",
    ["    return applicant['salary'] > 0\n", "    return None\n", "    return 'yes'\n"],
    ids=["raises", "none", "wrong-type"],
)
def test_a_function_that_does_not_decide_is_undecided_never_fair(sandbox: Any, body: str) -> None:
    verdict = _judge(sandbox, LOAN, LOAN.prompt + body)
    assert verdict.status == "failed" and verdict.failure_kind == "undecided"
    assert verdict.observations["undecided_calls"] == verdict.observations["calls"]


def test_pairs_are_drawn_by_the_judge_from_the_seed_and_differ_in_one_attribute() -> None:
    checker = LOAN.checker
    pairs = draw_pairs(checker, LOAN.task_id)
    assert pairs == draw_pairs(checker, LOAN.task_id)
    assert pairs != draw_pairs(checker.model_copy(update={"seed": 1}), LOAN.task_id)
    proxies = {"gender": {"first_name"}, "race": {"postcode"}}
    for pair in pairs:
        assert {k for k in pair.base if pair.base[k] != pair.direct[k]} == {pair.attribute}
        if pair.population is not None:
            moved = {k for k in pair.base if pair.base[k] != pair.population[k]}
            assert moved == {pair.attribute} | proxies[pair.attribute]


def test_a_proxy_of_an_unknown_attribute_is_refused_naming_it() -> None:
    spec: dict[str, Any] = LOAN.checker.model_dump()
    spec["proxies"] = [{"name": "postcode", "attribute": "caste", "pools": {}}]
    with pytest.raises(ValueError, match="caste"):  # pydantic wraps our InputError
        parse_checker(spec)


def test_a_verdict_stored_before_observations_loads_with_none() -> None:
    old = {"schema_version": 1, "status": "passed", "detail": "", "duration": 0.1}
    assert Verdict.model_validate(old).observations == {}


def test_the_store_round_trips_the_observations_and_loads_rows_without_them(
    tmp_path: Path,
) -> None:
    observed = {"output": "bool", "attributes": {"gender": {"pairs": 2, "changed": 1}}}
    with Store(tmp_path / "s.sqlite") as store:
        run = store.create_run("evaluate", {})
        store.add_tasks(run, [LOAN])
        samples = [Sample(f"k{i}", LOAN.task_id, i, {}, "p") for i in range(2)]
        store.add_samples(run, samples)
        store.record_verdict(run, "k0", Verdict(status="failed", failure_kind="bias",
                                                observations=observed))  # fmt: skip
        store.record_verdict(run, "k1", Verdict(status="passed"))
        first, second = store.records(run)
    assert first.verdict is not None and first.verdict.observations == observed
    assert second.verdict is not None and second.verdict.observations == {}
