"""Each sandbox worker's samples run as a uid no other live worker (of any evaluation) holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codehazard.sandbox._uidrange import SANDBOX_UID_BASE, UidLease
from codehazard.sandbox._worker import SandboxWorker

SRC = str(Path(__file__).resolve().parents[2] / "src")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root switches to other uids")
BASE = SANDBOX_UID_BASE + 0x8000  # away from the uids real workers lease during the suite


@pytest.fixture
def runtime(tmp_path: Path) -> str:
    path = tmp_path / "run"
    path.mkdir(mode=0o755)
    return str(path)


def _hold_lease(runtime: str, slots: int) -> subprocess.Popen[str]:
    """Another process (another evaluation) that leases a uid and keeps it until killed."""
    code = (
        f"import sys; sys.path.insert(0, {SRC!r})\n"
        "from codehazard.sandbox._uidrange import UidLease\n"
        f"lease = UidLease.acquire({runtime!r}, {BASE}, {slots})\n"
        "print(lease.uid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )


@as_root
def test_a_uid_held_by_another_evaluation_is_never_given_out(runtime: str) -> None:
    other = _hold_lease(runtime, 2)
    try:
        assert other.stdout is not None
        theirs = int(other.stdout.readline())
        mine = UidLease.acquire(runtime, BASE, 2)
        assert mine.uid is not None and mine.uid != theirs and mine.note == "leased"
        assert mine.lock_path == os.path.join(runtime, f"uid-{mine.uid}.lock")
        with pytest.raises(RuntimeError, match="every sandbox uid"):
            UidLease.acquire(runtime, BASE, 2)
        mine.release()
        again = UidLease.acquire(runtime, BASE, 2)  # a released uid can be leased again
        assert again.uid == mine.uid
        again.release()
    finally:
        other.kill()
        other.communicate()  # reaps it and closes its pipes
    after = UidLease.acquire(runtime, BASE, 1)  # the kernel dropped the dead holder's lock
    assert after.uid == BASE
    after.release()


@as_root
def test_a_uid_some_process_still_runs_as_is_skipped(runtime: str) -> None:
    stray = subprocess.Popen(["sleep", "30"], user=BASE, group=BASE)  # a leftover, say
    try:
        lease = UidLease.acquire(runtime, BASE, 2)
        assert lease.uid == BASE + 1
        lease.release()
        with pytest.raises(RuntimeError):
            UidLease.acquire(runtime, BASE, 1)
    finally:
        stray.kill()
        stray.wait()


@as_root
def test_a_lock_directory_others_could_write_is_not_trusted(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    lease = UidLease.acquire(str(shared), BASE, 4)
    assert lease.uid is not None and lease.lock_path is None
    assert "unleased" in lease.note and "owned by root" in lease.note
    assert not list(shared.iterdir())


def test_workers_get_distinct_uids_recorded_in_the_isolation() -> None:
    workers = [SandboxWorker(index=0), SandboxWorker(index=0)]  # as two evaluations would
    try:
        records = [w.start()["uid_range"] for w in workers]
        if os.geteuid() != 0:
            assert all(r["mapping"] == "user-namespace" for r in records)
            return
        uids = [r["uid"] for r in records]
        assert uids[0] != uids[1] and all(u >= SANDBOX_UID_BASE for u in uids)
        for worker, record in zip(workers, records, strict=True):
            assert worker.isolation["unprivileged_uid"] == record["uid"] == record["gid"]
            if record["lock"]:
                assert Path(record["lock"]).read_text().strip() == str(os.getpid())
    finally:
        for worker in workers:
            worker.close()
