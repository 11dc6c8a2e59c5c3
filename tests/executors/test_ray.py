"""The Ray executor on a real local Ray runtime: the local executor's verdicts, each recording
the node it was judged on.

Slow (a runtime costs seconds to start; CI runs it): ``executor="ray"`` starts a runtime of
its own and shuts it down at the end. The default run checks the executor specs and the missing
extra (``test_ray_address.py``). The multi-node tests, faults included, are in
``test_ray_cluster.py`` (slow too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ray_cluster import ray_env
from ray_samples import write_samples

from codehazard.cli._evaluate import format_summary
from codehazard.runs import evaluate, load_run
from codehazard.sandbox import Limits
from codehazard.store import Store

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow


def _verdicts(store: Store, run_id: str) -> dict[str, dict[str, Any]]:
    """Each sample's verdict without what differs between any two runs (time, the worker's
    uid lease, the node)."""
    return {
        r.key: r.verdict.model_dump(exclude={"duration", "isolation"})
        for r in store.records(run_id)
        if r.verdict is not None
    }


def test_ray_judges_as_the_local_executor_does(
    tmp_path: Path, humaneval_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in ray_env().items():
        monkeypatch.setenv(name, value)
    samples = tmp_path / "samples.jsonl"
    expected = write_samples(humaneval_path, samples, tasks=3)
    runs, summaries = {}, {}
    for executor in ("ray", "local"):
        with Store(tmp_path / f"{executor}.sqlite") as store:
            run = evaluate(
                samples,
                humaneval_path,
                store=store,
                ks=(1,),
                workers=2,
                limits=Limits(timeout=5),
                executor=executor,
            )
            manifest = load_run(store, run.run_id).manifest
            runs[executor] = (_verdicts(store, run.run_id), store.records(run.run_id), manifest)
            summaries[executor] = format_summary(run.summary, None)
    assert not ray.is_initialized()  # the runtime the executor started is shut down
    ray_verdicts, ray_records, manifest = runs["ray"]
    local_verdicts, _, local_manifest = runs["local"]
    assert ray_verdicts == local_verdicts
    assert {k: v["status"] for k, v in ray_verdicts.items()} == expected
    assert manifest.executor == "ray" and manifest.isolation["executor"] == "ray"
    assert "judged on 1 Ray node(s)" in summaries["ray"] and "Ray" not in summaries["local"]
    assert manifest.isolation["level"] == local_manifest.isolation["level"]
    [node] = manifest.isolation["nodes"]
    assert node["workers"] == 2 and node["level"] == manifest.isolation["level"]
    for record in ray_records:
        assert record.verdict is not None
        assert record.verdict.isolation["node"] == {k: node[k] for k in ("id", "ip", "hostname")}
        assert record.verdict.isolation["level"] == node["level"]
