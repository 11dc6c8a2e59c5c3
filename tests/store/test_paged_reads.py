"""The store's paged readers: a run read a page at a time gives every sample once, in order,
with its own verdict and scores, across page boundaries and with writes between pages."""

from __future__ import annotations

from pathlib import Path

from codehazard.samples import Sample
from codehazard.store import Score, Store
from codehazard.store._reading import PAGE
from codehazard.tasks import Task, TestChecker
from codehazard.verdict import Verdict

N = 2 * PAGE + 234
STATUSES = ("passed", "failed", "infra", None)


def _task(i: int) -> Task:
    return Task(
        task_id=f"t/{i}",
        prompt="def f():\n",
        entry_point="f",
        checker=TestChecker(test="def check(c): pass"),
        metadata={"level": i},
    )


def _filled(path: Path) -> tuple[Store, str]:
    store = Store(path)
    run = store.create_run("evaluate", {})
    store.add_tasks(run, [_task(i) for i in range(3)])
    with store.batched():
        for i in range(N):
            sample = Sample(f"t/{i % 3}#{i // 3}", f"t/{i % 3}", i // 3, {"n": i}, f"p{i}")
            store.add_samples(run, [sample])
            status = STATUSES[i % 4]
            if status is not None:
                store.record_verdict(run, sample.key, Verdict(status=status, detail=str(i)))
            if i % 7 == 0:
                store.record_score(run, Score(key=sample.key, scorer="s", value=i / N))
    return store, run


def test_every_sample_once_in_order_with_its_own_verdict(tmp_path: Path) -> None:
    store, run = _filled(tmp_path / "s.sqlite")
    records = list(store.iter_records(run))
    assert [r.raw["n"] for r in records] == list(range(N))
    for i, rec in enumerate(records):
        assert rec.program == f"p{i}" and rec.metadata == {"level": i % 3}
        assert rec.status == STATUSES[i % 4]
        assert rec.verdict is None or rec.verdict.detail == str(i)
        assert rec.scores == ({"s": i / N} if i % 7 == 0 else {})
    assert [s.meta for s in store.iter_samples(run)] == [{}] * N
    pending = [s.raw["n"] for s in store.iter_samples(run, pending_only=True)]
    assert pending == [i for i in range(N) if STATUSES[i % 4] in ("infra", None)]
    assert len(store.sample_keys(run)) == N


def test_by_keys_in_the_order_given(tmp_path: Path) -> None:
    store, run = _filled(tmp_path / "s.sqlite")
    keys = [f"t/{i % 3}#{i // 3}" for i in reversed(range(N))]
    keys.insert(PAGE - 1, "absent#0")
    got = [r.key for r in store.iter_records(run, keys=iter(keys))]
    assert got == [k for k in keys if k != "absent#0"]
    samples = store.iter_samples(run, keys=keys)
    first = next(samples)
    store.record_verdict(run, first.key, Verdict(status="passed"))  # a write between pages
    assert len([first, *samples]) == N


def test_task_outcomes_count_every_sample(tmp_path: Path) -> None:
    store, run = _filled(tmp_path / "s.sqlite")
    outcomes = store.task_outcomes(run)
    assert sum(n for _, _, n in outcomes) == N
    expected: dict[tuple[str, str | None], int] = {}
    for i in range(N):
        key = (f"t/{i % 3}", STATUSES[i % 4])
        expected[key] = expected.get(key, 0) + 1
    assert {(t, s): n for t, s, n in outcomes} == expected
    assert [t for t, _, _ in outcomes][:3] == ["t/0", "t/1", "t/2"]  # by first sample
