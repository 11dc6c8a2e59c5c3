"""One sandboxed worker: a zygote in the sandbox, and the trusted judge in this process.

The worker process is trusted (it holds the tasks). For each sample it hands the zygote three
pipe ends, runs the judge, which talks to the runner through the other ends, closes the control
pipe (which makes the zygote kill the sample's whole process tree), and reads the zygote's
report of how the runner ended. The verdict combines the two.
A broken zygote is an infrastructure failure: it is restarted and the sample retried.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from typing import Any

from codehazard.errors import ArgumentError, SandboxError
from codehazard.sandbox._cgroup import SampleGroup, WorkerCgroups
from codehazard.sandbox._ending import Ending, account_resources, decide, describe_isolation
from codehazard.sandbox._judge import (
    OUTCOME_FIELDS,
    Channel,
    JudgeTimeout,
    PreparedTask,
    collect_calls,
    judge,
)
from codehazard.sandbox._layout import spawn_zygote
from codehazard.sandbox._limits import Limits, judge_cpu_backstop
from codehazard.sandbox._memwatch import (
    SampleClock,
    SampleWatch,
    children,
    proc_cpu_seconds,
    pss_over,
)
from codehazard.sandbox._memwatch import available as memwatch_available
from codehazard.sandbox._policy import IsolationRefused, require_kept
from codehazard.sandbox._timers import JudgeTimers
from codehazard.sandbox._uidrange import SANDBOX_UID_BASE as SANDBOX_UID_BASE
from codehazard.sandbox._uidrange import UidLease
from codehazard.verdict import Verdict

DRIVERS_MODULE = "codehazard.sandbox._drivers"  # the built-in drivers, always preloaded

START_TIMEOUT = 30.0
REPORT_TIMEOUT = 10.0
_SIGNAL_NAMES = {s.value: s.name for s in signal.Signals}


class SandboxWorker:
    """A zygote in the sandbox, restarted when it breaks, and the judging of samples.

    Raises:
        SandboxError: the zygote cannot be started.
    """

    cpu_backstop = False  # a worker process of our own sets it: see judge_cpu_backstop

    def __init__(
        self,
        index: int = 0,
        isolation: str = "auto",
        disk_mb: int = 64,
        preload: Iterable[str] = (),
        hidden: dict[str, list[str]] | None = None,
    ) -> None:
        if isolation not in ("auto", "none"):
            raise ArgumentError(f"isolation must be 'auto' or 'none', got {isolation!r}")
        self.index = index
        self.requested = isolation
        self.disk_mb = disk_mb
        self.preload = sorted({DRIVERS_MODULE, *preload})
        """Modules the zygote imports before it hides the package: the checkers' drivers."""
        self.hidden = hidden
        """What to hide of the library trees, computed once per evaluation by the executor
        (``_layout.hidden_view``); ``None``: this process walks them itself."""
        self.isolation: dict[str, Any] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._root: str | None = None
        self._log = tempfile.TemporaryFile()
        self._cgroup: WorkerCgroups | None = None
        self._cgroup_error = ""
        self._sample: SampleGroup | None = None  # the running sample's own cgroup
        self._watch: SampleWatch | None = None  # the sample's memory and CPU, watched from here
        self._watch_tripped: str | None = None
        self._expired = ""  # which of the judge's clocks ran out: "wall" or "cpu"
        self._cpu_used: float | None = None
        self._clock: SampleClock | None = None
        self._returned_at = 0.0  # when the judge's body returned, for _killed_while_awaited
        self._uid_lease: UidLease | None = None  # this worker's own uid, held while it lives
        self._first: dict[str, Any] | None = None  # the isolation of the first start

    # lifecycle --------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start (or restart) the zygote; return the isolation it obtained.

        Raises:
            SandboxError: the zygote did not start; ``IsolationRefused`` when a restart
                obtained less than the first start did, or no private uid could be leased.
        """
        self.close_zygote()
        self._root = tempfile.mkdtemp(prefix="codehazard-root-")
        if self._uid_lease is None:
            try:
                self._uid_lease = UidLease.acquire()
            except (OSError, RuntimeError) as exc:
                raise self._no_uid(exc) from exc
        if self._cgroup is None and self.requested != "none" and not self._cgroup_error:
            try:
                self._cgroup = WorkerCgroups.create(f"codehazard-{os.getpid()}-{self.index}")
            except OSError as exc:
                self._cgroup_error = f"cgroups unavailable: {exc}"
        settings = {
            "isolation": self.requested,
            "root": self._root,
            "uid": self._uid_lease.uid,
            "max_disk_mb": self.disk_mb,
            "preload": self.preload,
            "hidden": self.hidden,
        }
        self._proc, self._sock = spawn_zygote(settings, self._log)
        hello = self._recv(START_TIMEOUT)
        if hello is None or "hello" not in hello:
            why = hello["error"] if hello and "error" in hello else self._log_tail()
            raise SandboxError(f"sandbox worker {self.index} did not start: {why}")
        self.isolation = describe_isolation(self._resources(hello["hello"]))
        if self._first is None:
            self._first = self.isolation
        else:  # a restart that gets less must not judge (IsolationRefused)
            require_kept(self._first, self.isolation, "none")
        return self.isolation

    def _no_uid(self, exc: Exception) -> IsolationRefused:
        """Why this worker cannot start at all: no uid of its own could be leased (every one is
        taken, or the lease directory refuses a lock file). Refused, not retried: a worker
        restarted mid-run would meet the same host, sample after sample."""
        return IsolationRefused(
            f"sandbox worker {self.index} cannot start: no private uid could be leased for its "
            f"samples ({exc}). Each worker holds a uid of its own through a lock file in "
            "/run/codehazard (a directory owned and writable by root only); end the "
            "evaluations holding the leases or make the directory usable, then resume the run.",
            obtained="none",
            required="none" if self.requested == "none" else "full",
            refused=["a private unprivileged uid"],
        )

    def _resources(self, got: dict[str, Any]) -> dict[str, Any]:
        """Start the watch and add to the zygote's account how memory and CPU are bounded."""
        assert self._proc is not None and self._uid_lease is not None
        got["uid_range"] = self._uid_lease.record(got.get("uid"))
        if memwatch_available():  # the time limit is watched even with isolation "none"
            zygote = self._proc.pid  # as an ordinary user, the zygote is the keeper's child
            kids = children(zygote) if got.get("user_namespace") else []
            self._watch = SampleWatch(kids[0] if kids else zygote)
        watched = self._watch is not None
        return account_resources(got, self._cgroup, watched, self.requested, self._cgroup_error)

    def _log_tail(self) -> str:
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return text[-1] if text else "no output"

    def close_zygote(self) -> None:
        """Stop the zygote (and with it any sample still running)."""
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            self._proc = None
        if self._root is not None:
            try:
                os.rmdir(self._root)
            except OSError:
                pass
            self._root = None

    def close(self) -> None:
        """Release everything."""
        self.close_zygote()
        self._log.close()
        if self._uid_lease is not None:
            self._uid_lease.release()
            self._uid_lease = None
        if self._cgroup is not None:
            self._cgroup.remove()
            self._cgroup = None

    def _recv(self, timeout: float) -> dict[str, Any] | None:
        assert self._sock is not None
        ready, _, _ = select.select([self._sock], [], [], timeout)
        if not ready:
            return None
        try:
            data = self._sock.recv(1 << 16)
        except OSError:
            return None
        return json.loads(data) if data else None

    # one sample ---------------------------------------------------------------------------

    def check(self, task: PreparedTask, program: str, limits: Limits, retries: int = 2) -> Verdict:
        """Judge one program; sandbox failures are retried, then reported as ``infra``."""
        verdict = None
        for _ in range(retries + 1):
            if self._proc is None or self._proc.poll() is not None:
                try:
                    self.start()
                except IsolationRefused:
                    raise
                except SandboxError as exc:
                    verdict = Verdict(status="infra", detail=str(exc), isolation=self.isolation)
                    continue
            verdict, retry = self._check_once(task, program, limits)
            if not retry:
                return verdict
            self.close_zygote()
        assert verdict is not None
        return verdict

    def _check_once(
        self, task: PreparedTask, program: str, limits: Limits, predict: bool = True
    ) -> tuple[Verdict, bool]:
        """One session: the verdict, and whether a sandbox failure asks for a retry.

        With ``predict`` the task's predicted calls are pipelined (``Channel.pipeline``). The
        verdict is then the one a call-by-call session gives, or the sample is judged again
        call by call: when the test's calls differed from the prediction, or when a limit
        overrode the test's outcome while the runner may have been running predicted calls
        the test never made (their output or memory must not decide the verdict).
        """
        start = time.monotonic()
        opened = self._open_session(limits)
        if isinstance(opened, str):
            return self._infra(opened, start), True
        channels: list[Channel] = []

        def body(ch: Channel) -> dict[str, Any]:
            channels.append(ch)
            return judge(task, program, ch, predict)

        try:
            outcome = self._bounded(body, opened, limits, start)
            report = self._close_session(opened[2])
            if isinstance(report, str):
                return self._infra(report, start), True
            verdict, overridden = self._merge(outcome, report, limits, start)
        finally:
            self._end_sample()
        ch = channels[0] if channels else None
        if predict and ch is not None and (ch.mispredicted or (overridden and ch.unconsumed)):
            if not self._killed_while_awaited(outcome):
                return self._check_once(task, program, limits, predict=False)
        return verdict, False

    def _killed_while_awaited(self, outcome: dict[str, Any]) -> bool:
        """Did the watch kill the sample while the test was waiting for an answer?

        Then the runner, which answers in order, was still computing a call the test made, so
        no predicted call the test never made can have decided the verdict, and judging the
        sample again call by call (for up to its whole time limit again) would give the same.
        """
        if self._watch is None or self._watch_tripped is None or outcome["status"] != "gone":
            return False
        return self._watch.tripped_at < self._returned_at

    def collect(
        self, program: str, entry_point: str, inputs: list[list[Any]], limits: Limits
    ) -> dict[str, Any]:
        """Run ``program``'s ``entry_point`` on each input and return what it answered.

        For analyses that need a failing sample's actual outputs (failure localisation): the
        program still runs only in the sandbox. Must be called from the main thread.

        Raises:
            SandboxError: the sandbox failed.
        """
        if self._proc is None or self._proc.poll() is not None:
            self.start()
        start = time.monotonic()
        opened = self._open_session(limits)
        if isinstance(opened, str):
            raise SandboxError(opened)
        try:
            outcome = self._bounded(
                lambda ch: collect_calls(program, entry_point, inputs, ch), opened, limits, start
            )
            report = self._close_session(opened[2])
        finally:
            self._end_sample()
        if isinstance(report, str):
            self.close_zygote()
            raise SandboxError(report)
        return outcome

    def _wall_timeout(self, limits: Limits) -> float:
        """The wall-clock limit: a backstop where the sample's own time is watched, else the
        time limit itself."""
        return limits.wall_timeout if self._watch is not None else limits.timeout

    def _open_session(self, limits: Limits) -> tuple[int, int, int] | str:
        """Ask the zygote to run a sample in a fresh cgroup; return our pipe ends, or why not.

        The sample's cgroup is new and empty, so nothing of the previous sample (pages still
        being freed, its OOM kills, its CPU time) is charged to this one.
        """
        procs: list[int] = []
        self._cpu_used = None
        if self._cgroup is not None:
            try:
                self._sample = self._cgroup.new_sample(limits.memory_mb)
                procs = self._sample.open_procs()
            except OSError as exc:
                self._end_sample()
                return f"cannot make the sample's cgroup: {exc}"
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        ctl_r, ctl_w = os.pipe()
        sent = {**limits.as_dict(), "wall_timeout": self._wall_timeout(limits)}
        try:
            assert self._sock is not None
            message = json.dumps({"limits": sent}).encode()
            socket.send_fds(self._sock, [message], [req_r, resp_w, ctl_r, *procs])
        except OSError as exc:
            for fd in (req_w, resp_r, ctl_w):
                os.close(fd)
            return f"sandbox unreachable: {exc}"
        finally:
            for fd in (req_r, resp_w, ctl_r, *procs):
                os.close(fd)
        if self._cgroup is not None:  # while the runner sets itself up: the next one's group
            self._cgroup.prepare(limits.memory_mb)
        return req_w, resp_r, ctl_w

    def _end_sample(self) -> None:
        """Keep the sample's CPU time and remove its cgroup (its processes are gone)."""
        if self._sample is not None and self._cgroup is not None:
            used = self._sample.cpu_seconds()
            self._cpu_used = used if used is not None else self._cpu_used
            self._cgroup.finish(self._sample)
        self._sample = None

    def _cpu_seconds(self, pids: list[int]) -> float:
        """The running sample's CPU time: its cgroup's account, else summed from /proc."""
        used = self._sample.cpu_seconds() if self._sample is not None else None
        if used is None:
            used = proc_cpu_seconds(pids)
        self._cpu_used = used
        return used

    def _arm_watch(self, limits: Limits) -> None:
        """Watch the sample's own time (``SampleClock``) and, unless isolation is off, its
        memory."""
        self._watch_tripped = None
        self._clock = None
        if self._watch is None:
            return
        harness = (  # the judge's thread and the zygote: while one is busy, nobody idles
            f"/proc/self/task/{threading.main_thread().native_id}/stat",
            f"/proc/{self._watch.zygote}/stat",
        )
        clock = SampleClock(limits.timeout, self._cpu_seconds, harness)
        self._clock = clock
        memory: Any = None
        if self._sample is not None and self._sample.memory is not None:
            sample = self._sample
            memory = lambda pids: sample.oom_kills() > 0  # noqa: E731
        elif self.requested != "none":  # the sample's own /dev/shm counts too
            shm = (
                f"/proc/{self._watch.zygote}/root/dev/shm"
                if self.isolation.get("private_dev_shm")
                else None
            )
            memory = pss_over(limits.memory_mb, shm)

        def check(pids: list[int]) -> str | None:
            if memory is not None and memory(pids):
                return "memory"
            return clock.over(pids)

        self._watch.arm(check)

    def _close_session(self, ctl_w: int) -> dict[str, Any] | str:
        """End the sample (the zygote kills its processes) and read how it ended."""
        os.close(ctl_w)
        report = self._recv(REPORT_TIMEOUT)
        if report is None:
            return "sandbox failed: no report from the zygote"
        if report.get("reason") == "infra":
            return f"sandbox failed: {report.get('detail', '')}"
        return report

    def _bounded(
        self, body: Any, opened: tuple[int, int, int], limits: Limits, start: float
    ) -> dict[str, Any]:
        """Run trusted ``body(channel)`` here, in the worker, bounded by the sample's deadline.

        The sample's CPU time is watched (``SampleWatch``) and the sample killed at its limit.
        The channel enforces the wall-clock backstop while the candidate computes; interval
        timers enforce the backstop and the CPU budget of the judge itself while the test
        computes on the candidate's answers (a loop over a huge returned number, say), raising
        ``JudgeTimeout`` into the test code.
        """
        req_w, resp_r, _ = opened
        deadline = start + self._wall_timeout(limits)
        timers = JudgeTimers(deadline, limits.timeout)
        self._arm_watch(limits)
        try:
            with timers, judge_cpu_backstop(limits.wall_timeout if self.cpu_backstop else None):
                outcome = dict(body(Channel(req_w, resp_r, deadline)))
        except JudgeTimeout:
            return {"status": "timeout", "detail": "the check did not finish in time"}
        else:
            if timers.expired:  # a timer fired and the test swallowed it (a bare ``except:``)
                return {"status": "timeout", "detail": "the check did not finish in time"}
            return outcome
        finally:
            self._expired = timers.expired
            self._returned_at = time.monotonic()
            os.close(req_w)
            os.close(resp_r)
            if self._watch is not None:
                self._watch_tripped = self._watch.disarm()

    def _infra(self, detail: str, start: float) -> Verdict:
        return Verdict(
            status="infra",
            detail=detail,
            duration=time.monotonic() - start,
            isolation=self.isolation,
        )

    def _oom_killed(self) -> bool:
        """Did the cgroup's OOM killer strike during the sample just ended?"""
        return self._sample is not None and self._sample.oom_kills() > 0

    def _merge(
        self, outcome: dict[str, Any], report: dict[str, Any], limits: Limits, start: float
    ) -> tuple[Verdict, bool]:
        """The verdict from the judge's outcome and the zygote's report, and whether a limit
        (output, memory) overrode the judge's outcome."""
        used = self._sample.cpu_seconds() if self._sample is not None else None
        self._cpu_used = used if used is not None else self._cpu_used
        ending = Ending(
            out_bytes=report["out_bytes"],
            killed=report.get("signal") == signal.SIGKILL,
            oom_killed=self._oom_killed(),
            memory_cgroup=bool(self._cgroup is not None and self._cgroup.memory),
            tripped=self._watch_tripped,
            expired=self._expired,
            cpu_used=self._cpu_used,
            idle=self._clock.idle if self._clock is not None else 0.0,
            wall_timeout=self._wall_timeout(limits),
        )
        status, detail, overridden = decide(outcome, report, limits, ending)
        fields = {k: outcome.get(k) for k in OUTCOME_FIELDS}
        observations = outcome.get("observations")
        fields["observations"] = observations if type(observations) is dict else {}
        if overridden:  # a limit decided the verdict, not the checker
            fields["failure_kind"] = None
            fields["observations"] = {}
        verdict = Verdict(
            status=status,
            detail=detail,
            duration=time.monotonic() - start,
            isolation=self.isolation,
            **fields,
        )
        return verdict, overridden
