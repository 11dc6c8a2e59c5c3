"""The Ray executor on a real multi-node cluster on loopback (``ray_cluster.LoopbackCluster``):
a head node and two worker nodes, each a ``ray start`` process of its own with one CPU, the
second worker a host without namespaces (Docker's default), whose sandboxes obtain only
``rlimits-only``.

One cluster for the module (nodes take seconds each to start); every test joins it as a
driver through an executor spec, as a user does (``ray:HOST:PORT``, ``ray://HOST:PORT``).
The test that kills a worker node comes after the others but one: the nodes left judge on,
and the last kills a driver, as ``kill -9`` does, and resumes its run.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from gen_toys import expected_status, toy_tasks
from openai_server import API_KEY, OpenAIServer
from ray_cluster import LoopbackCluster, ray_env
from ray_samples import write_samples
from restricted_hosts import docker_default

from codehazard.executors import get_executor
from codehazard.generation import RetryPolicy
from codehazard.models import BackendOptions, GenerationParams
from codehazard.runs import (
    ProgressState,
    RunConfig,
    RunInterrupted,
    SessionOptions,
    evaluate,
    load_run,
    start,
)
from codehazard.samples import Sample
from codehazard.sandbox import IsolationRefused, Limits
from codehazard.store import Store
from codehazard.tasks import checker_registry, task_from_dict

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

ACCEPT = "rlimits-only"
"""The least isolation the tests accept: the restricted node's (the others obtain ``full``)."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[LoopbackCluster]:
    with pytest.MonkeyPatch.context() as env:
        for name, value in ray_env().items():
            env.setenv(name, value)
        try:
            restricted = tuple(docker_default())
        except pytest.skip.Exception:  # no way to restrict a node here: two plain ones
            restricted = None
        with LoopbackCluster(workers=[(), restricted or ()], cpus=1) as nodes:
            nodes.restricted = restricted is not None  # type: ignore[attr-defined]
            yield nodes


def test_a_node_below_the_minimum_refuses_the_run_and_the_least_is_recorded(
    cluster: LoopbackCluster,
) -> None:
    if not cluster.restricted:  # type: ignore[attr-defined]
        pytest.skip("no restricted host can be made here (needs root and setpriv)")
    task = toy_tasks(1)[0]
    factory = get_executor(f"ray:{cluster.address}")
    with pytest.raises(IsolationRefused, match=r"^node .*obtained is 'rlimits-only', below the"):
        factory({task.task_id: task}, workers=3, isolation="full")
    assert not ray.is_initialized()
    with factory({task.task_id: task}, workers=3, isolation=ACCEPT) as executor:
        isolation = executor.isolation
        program = task.prompt + task.canonical_solution
        futures = [
            executor.submit(Sample(f"{task.task_id}#{i}", task.task_id, i, {}, program))
            for i in range(6)
        ]
        verdicts = [f.result(timeout=120) for f in futures]
    assert isolation["level"] == ACCEPT and isolation["required"] == ACCEPT
    assert sorted(n["level"] for n in isolation["nodes"]) == ["full", "full", ACCEPT]
    levels = {n["id"]: n["level"] for n in isolation["nodes"]}
    assert all(v.status == "passed" for v in verdicts)
    assert all(v.isolation["level"] == levels[v.isolation["node"]["id"]] for v in verdicts)


def test_generation_keeps_its_concurrency_limit_across_the_cluster(
    cluster: LoopbackCluster, server: OpenAIServer, store: Store
) -> None:
    """Generation stays in this process: the cluster judges, and the server never sees more
    requests at once than ``max_connections``."""
    server.latency = 0.05
    config = RunConfig(
        model="openai/test-model",
        params=GenerationParams(n=4, seed=0),
        base_url=server.base_url,
        tasks_source={"given": "toys"},
        limits=Limits(timeout=5.0).as_dict(),
        ks=(1,),
    )
    options = SessionOptions(
        workers=3,
        isolation=ACCEPT,
        max_connections=2,
        retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02),
        backend=BackendOptions(api_key=API_KEY),
        executor=f"ray:{cluster.address}",
    )
    result = start(store, toy_tasks(6), config, session=options)
    assert result.status == "complete" and server.max_in_flight == 2
    records = store.records(result.run_id)
    assert [r.status for r in records] == [expected_status(r.index) for r in records]
    assert len({r.verdict.isolation["node"]["id"] for r in records if r.verdict}) >= 2


def test_a_sample_that_kills_every_actor_it_lands_on_ends_infra(
    cluster: LoopbackCluster, request: pytest.FixtureRequest
) -> None:
    """Its actors are replaced each time, it is retried alone, and after three losses it is
    ``infra`` with the reasons; the samples that were beside it are judged as usual."""
    import host_killer

    request.addfinalizer(lambda: checker_registry.unregister("kills-its-host"))  # ours alone
    task = task_from_dict(host_killer.TASK)
    answers = ["ok", "kill", "ok", "no", "ok"]
    samples = [
        Sample(f"{task.task_id}#{i}", task.task_id, i, {}, task.prompt + f"    return {a!r}\n")
        for i, a in enumerate(answers)
    ]
    factory = get_executor(f"ray:{cluster.address}")
    with factory({task.task_id: task}, workers=1, isolation=ACCEPT) as executor:
        verdicts = {s.index: v for s, v in executor.evaluate(samples)}
        after = executor.submit(samples[0]).result(timeout=300)
    killer = verdicts.pop(1)
    assert killer.status == "infra", killer
    assert "lost 3 times" in killer.detail and killer.detail.count("was lost") == 3
    assert {i: v.status for i, v in verdicts.items()} == {
        0: "passed",
        2: "passed",
        3: "failed",
        4: "passed",
    }
    assert after.status == "passed"  # the actor that replaced the last one judges on


def test_a_worker_node_killed_mid_run_loses_nothing(
    cluster: LoopbackCluster, tmp_path: Path, humaneval_path: Path
) -> None:
    """The run starts through Ray Client; a worker node is killed under it, then the run is
    interrupted and resumed through the GCS address: every sample gets the verdict it should,
    none is ``infra``, and the store holds each exactly once."""
    samples = tmp_path / "samples.jsonl"
    expected = write_samples(humaneval_path, samples, tasks=12, kinds=("passed", "failed"))
    killed: list[str] = []

    def progress(state: ProgressState) -> None:
        if state.done >= 3 and not killed:
            cluster.kill_worker(0)
            killed.append(state.run_id)
        if state.done >= 12:
            raise KeyboardInterrupt

    with Store(tmp_path / "store.sqlite") as store:
        common = {"store": store, "ks": (1,), "workers": 3, "isolation": ACCEPT}
        with pytest.raises(RunInterrupted) as stop:
            evaluate(
                samples,
                humaneval_path,
                executor=cluster.client_address,
                progress=progress,
                **common,  # type: ignore[arg-type]
            )
        first = {r.key: r.status for r in store.records(stop.value.run_id) if r.status}
        assert killed and 12 <= len(first) < len(expected)
        assert "infra" not in first.values()
        assert not ray.is_initialized()
        done = evaluate(
            samples,
            humaneval_path,
            resume=stop.value.run_id,
            executor=f"ray:{cluster.address}",
            **common,  # type: ignore[arg-type]
        )
        records = store.records(done.run_id)
        manifest = load_run(store, done.run_id).manifest
    assert done.status == "complete" and done.run_id == stop.value.run_id
    assert {r.key: r.status for r in records} == expected
    assert len(records) == len(expected) and done.summary.status_counts.get("infra", 0) == 0
    assert len(manifest.sessions) == 2 and len(manifest.isolation["nodes"]) == 2  # one lost


def test_a_killed_driver_resumes_like_a_local_run(
    cluster: LoopbackCluster, tmp_path: Path, humaneval_path: Path
) -> None:
    """``codehazard evaluate --executor ray:...`` killed with SIGKILL mid-run: what it judged
    is in the store, Ray ends the actors it owned (so their CPUs are free again), and the
    resumed run completes with every verdict as it should be."""
    samples = tmp_path / "samples.jsonl"
    # enough samples that the kill lands mid-run on a quiet machine too (verdicts are
    # committed in groups, so a short run could be all in the store before the first look)
    expected = write_samples(humaneval_path, samples, tasks=80, kinds=("passed", "failed"))
    store_path = tmp_path / "store.sqlite"
    spec = f"ray:{cluster.address}"
    command = [
        sys.executable, "-m", "codehazard", "evaluate", str(samples), "--tasks",
        str(humaneval_path), "--executor", spec, "--isolation", ACCEPT, "--workers", "2",
        "--k", "1", "--store", str(store_path), "--no-progress",
    ]  # fmt: skip
    driver = subprocess.Popen(command, env=cluster.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while _verdicts_in(store_path) < 4 and driver.poll() is None:
            assert time.monotonic() < deadline, "no verdicts from the driver"
            time.sleep(0.2)
    finally:
        driver.kill()
        driver.wait()
    before = _verdicts_in(store_path)
    assert 4 <= before < len(expected)
    with Store(store_path) as store:
        done = evaluate(
            samples, humaneval_path, store=store, ks=(1,), workers=2, isolation=ACCEPT,
            resume=True, executor=spec,
        )  # fmt: skip
        records = store.records(done.run_id)
    assert done.status == "complete" and {r.key: r.status for r in records} == expected


def _verdicts_in(path: Path) -> int:
    """Verdicts committed to the store at ``path`` so far (0 before it exists)."""
    if not path.exists():
        return 0
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as db:
        try:
            return int(db.execute("SELECT count(*) FROM verdicts").fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not made yet
            return 0
