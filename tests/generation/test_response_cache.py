"""The response cache table and sample replacement in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from codehazard.errors import StoreError
from codehazard.samples import Sample
from codehazard.store import Store
from codehazard.store._cache import ResponseCache


def test_put_get_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        cache = ResponseCache(store)
        assert cache.get("k") is None
        cache.put("k", backend="b", model="m", request={"p": 1}, response={"text": "a"})
        cache.put("k", backend="b", model="m", request={"p": 1}, response={"text": "b"})
        assert cache.get("k") == {"text": "b"} and len(cache) == 1
    with Store(path) as store:
        assert ResponseCache(store).get("k") == {"text": "b"}


def test_replace_sample_keeps_key_and_order(store: Store) -> None:
    run_id = store.create_run("run", {})
    first = Sample("t#0", "t", 0, {"completion": None}, "", {"error": "503"})
    second = Sample("t#1", "t", 1, {"completion": "x"}, "x", {})
    store.add_samples(run_id, [first, second])
    store.replace_sample(run_id, Sample("t#0", "t", 0, {"completion": "y"}, "y", {}))
    samples = store.samples(run_id)
    assert [s.key for s in samples] == ["t#0", "t#1"]
    assert samples[0].program == "y" and samples[0].meta == {}
    with pytest.raises(StoreError, match="no sample"):
        store.replace_sample(run_id, Sample("t#9", "t", 9, {}, "", {}))
