"""The seccomp filter: its decisions on both architectures, the kernel applying it, and the
ordinary programs that must keep working under it in the real sandbox."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import platform
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample
from codehazard.sandbox import _seccomp as sc
from codehazard.sandbox._ending import describe_isolation as _describe
from codehazard.tasks import Task, load_tasks

SRC = str(Path(sc.__file__).resolve().parents[2])
ARCHES = ("x86_64", "aarch64")
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}


def run_bpf(prog: list[sc.Insn], nr: int, arch: int, args: tuple[int, ...] = ()) -> int:
    """A classic-BPF interpreter for the instructions the filter uses (the kernel's semantics)."""
    data = [nr, arch, 0, 0] + [0] * 12  # 32-bit words of struct seccomp_data
    for i, value in enumerate(args):
        data[4 + 2 * i] = value & 0xFFFFFFFF
        data[5 + 2 * i] = (value >> 32) & 0xFFFFFFFF
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        pc += 1
        if code == 0x20:
            acc = data[k // 4]
        elif code == 0x06:
            return k
        else:
            taken = {0x15: acc == k, 0x25: acc > k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += jt if taken else jf


def decide(machine: str, name: str | int, args: tuple[int, ...] = (), arch: int = 0) -> str:
    nr = name if isinstance(name, int) else sc.syscall_table(machine)[name]
    ret = run_bpf(sc.build(machine), nr, arch or AUDIT_ARCH[machine], args)
    if ret == sc.RET_ALLOW:
        return "allow"
    assert ret & 0xFFFF0000 == sc.RET_ERRNO, hex(ret)
    return errno.errorcode[ret & 0xFFFF]


@pytest.mark.parametrize("machine", ARCHES)
def test_every_allowed_call_is_allowed_and_every_other_denied(machine: str) -> None:
    table = sc.syscall_table(machine)
    assert len(sc.build(machine)) < 4096  # the kernel's limit on one program
    for name, nr in table.items():
        want = "allow" if name in sc.ALLOWED else "EPERM"
        if name not in sc.ARGUMENT_CHECKED:
            assert decide(machine, nr) == want, (machine, name)
    for name in sc.DENIED_NOTABLY:
        if name in table:
            assert decide(machine, name) == "EPERM", (machine, name)
    for nr in range(max(table.values()) + 1):  # numbers no name has (gaps) are denied too
        if nr not in table.values():
            assert decide(machine, nr) == "EPERM", (machine, nr)


@pytest.mark.parametrize("machine", ARCHES)
def test_argument_checks(machine: str) -> None:
    sigchld, thread = 17, 0x3D0F00  # fork's flags; pthread_create's
    for flags in (sigchld, thread, 0x01200011):
        assert decide(machine, "clone", (flags,)) == "allow"
    for flag in (0x10000000, 0x20000, 0x40000000, 0x20000000, 0x08000000, 0x04000000, 0x02000000):
        assert decide(machine, "clone", (flag | sigchld,)) == "EPERM", hex(flag)
    assert decide(machine, "clone3") == "ENOSYS"  # the C library then falls back to clone
    assert decide(machine, "socket", (1, 1, 0)) == "allow"
    assert decide(machine, "socketpair", (1, 5, 0)) == "allow"
    for family in (0, 2, 10, 16, 17, 38, 40, 44):  # the kernel reads an int: the low word
        assert decide(machine, "socket", (family, 1, 0)) == "EPERM", family
        assert decide(machine, "socketpair", (family, 1, 0)) == "EPERM", family
    for persona in (0, 8, 0xFFFFFFFF):
        assert decide(machine, "personality", (persona,)) == "allow"
    for persona in (0x0400000, 0x0040000, 0x0400008):
        assert decide(machine, "personality", (persona,)) == "EPERM"


@pytest.mark.parametrize("machine", ARCHES)
def test_other_abis_and_newer_calls(machine: str) -> None:
    other = AUDIT_ARCH["aarch64" if machine == "x86_64" else "x86_64"]
    for arch in (other, 0x40000003, 0x40000028):  # the other one, i386, AArch32
        assert decide(machine, "getpid", arch=arch) == "EPERM"
    assert decide(machine, sc.NEWEST_KNOWN + 1) == "ENOSYS"  # newer than the policy: like runc
    assert decide(machine, 1000) == "ENOSYS"
    if machine == "x86_64":  # x32: the native AUDIT_ARCH, and bit 30 in the number
        assert decide(machine, 0x40000000 | 39) == "EPERM"
        assert decide(machine, 0x40000000 | 248) == "EPERM"


def test_unsupported_architecture_is_reported() -> None:
    with pytest.raises(sc.SeccompUnsupported, match="riscv64"):
        sc.build("riscv64")


@pytest.mark.skipif(not ctypes.util.find_library("seccomp"), reason="libseccomp not installed")
@pytest.mark.parametrize("machine", ARCHES)
def test_tables_match_libseccomp(machine: str) -> None:
    lib = ctypes.CDLL(ctypes.util.find_library("seccomp"))
    lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
    for name, nr in sc.syscall_table(machine).items():
        theirs = lib.seccomp_syscall_resolve_name_arch(AUDIT_ARCH[machine], name.encode())
        assert theirs == nr, (machine, name, nr, theirs)
    for name in sc.ALLOWED + sc.DENIED_NOTABLY:  # every name we use that exists there is known
        theirs = lib.seccomp_syscall_resolve_name_arch(AUDIT_ARCH[machine], name.encode())
        assert theirs < 0 or name in sc.syscall_table(machine), (machine, name)


def _filtered(code: str) -> subprocess.CompletedProcess[str]:
    script = f"import sys\nsys.path.insert(0, {SRC!r})\nfrom codehazard.sandbox import _seccomp\n"
    script += "_seccomp.install()\n" + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, timeout=120
    )


needs_filter = pytest.mark.skipif(
    not sc.probe()["available"], reason="this host cannot apply a seccomp filter"
)


@needs_filter
def test_the_kernel_denies_what_the_policy_denies() -> None:
    names = [n for n in sc.DENIED_NOTABLY if n != "vhangup"]  # vhangup takes no argument
    result = _filtered(
        f"""
        import ctypes, json, platform
        from codehazard.sandbox._seccomp import syscall_table
        libc = ctypes.CDLL(None, use_errno=True)
        table = syscall_table(platform.machine())
        got = {{}}
        for name in {names!r}:
            if name in table:  # all-ones arguments: harmless even if a call got through
                r = libc.syscall(table[name], -1, -1, -1, -1, -1, -1)
                got[name] = ctypes.get_errno() if r == -1 else "returned %d" % r
        print(json.dumps(got))
        """
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got and all(v == errno.EPERM for v in got.values()), got


def test_probe_reports_the_filter() -> None:
    info = sc.probe()
    assert info["arch"] == platform.machine()
    assert info["default_action"] == "errno EPERM"
    if info["available"]:
        assert info["mode"] == "filter" and info["allowed_syscalls"] > 200
        assert set(info["argument_checked"]) == set(sc.ARGUMENT_CHECKED)
        assert info["rules"] == info["allowed_syscalls"] + len(sc.ARGUMENT_CHECKED)
    else:
        assert info["mode"] == "unavailable" and info["reason"]


def test_full_requires_the_filter() -> None:
    got = {
        "network": True,
        "mount": True,
        "private_root": True,
        "pid_per_sample": True,
        "uid": 2147418112,
        "ipc": True,
        "uts": True,
        "errors": [],
    }
    with_filter = _describe({**got, "seccomp": {"available": True, "mode": "filter"}})
    assert with_filter["level"] == "full" and with_filter["seccomp"] == "filter"
    reason = "the kernel has no seccomp"
    without = _describe(
        {**got, "seccomp": {"available": False, "mode": "unavailable", "reason": reason}}
    )
    assert without["level"] == "partial" and without["seccomp"] == "unavailable"
    assert any(reason in e for e in without["errors"])
    assert _describe(got)["level"] == "partial"  # a zygote that never probed is not full


# --- ordinary programs under the filter, in the real sandbox -----------------------------------

ORDINARY = {
    "numpy": "import numpy as np\ndef add(a, b):\n    return int(np.add(np.int64(a), b))\n",
    "threads": (
        "import threading, concurrent.futures as cf\n"
        "def add(a, b):\n"
        "    out = []\n"
        "    t = threading.Thread(target=lambda: out.append(a + b))\n"
        "    t.start(); t.join()\n"
        "    with cf.ThreadPoolExecutor(4) as ex:\n"
        "        assert list(ex.map(abs, [-1, -2])) == [1, 2]\n"
        "    return out[0]\n"
    ),
    "subprocess": (
        "import subprocess, sys\n"
        "def add(a, b):\n"
        "    r = subprocess.run([sys.executable, '-c', f'print({a} + {b})'],\n"
        "                       capture_output=True, text=True, check=True)\n"
        "    return int(r.stdout)\n"
    ),
    "tempfile": (
        "import tempfile, os\n"
        "def add(a, b):\n"
        "    with tempfile.TemporaryDirectory() as d, open(os.path.join(d, 'x'), 'w+') as f:\n"
        "        f.write(str(a + b)); f.seek(0)\n"
        "        return int(f.read())\n"
    ),
    "multiprocessing": (  # Process and Pipe: a Pool needs /dev/shm, which the root lacks
        "import multiprocessing as mp\n"
        "def _child(conn, a, b):\n"
        "    conn.send(a + b)\n"
        "def add(a, b):\n"
        "    here, there = mp.Pipe()\n"
        "    p = mp.get_context('fork').Process(target=_child, args=(there, a, b))\n"
        "    p.start(); value = here.recv(); p.join()\n"
        "    assert p.exitcode == 0\n"
        "    return value\n"
    ),
    "socketpair": (
        "import socket\n"
        "def add(a, b):\n"
        "    x, y = socket.socketpair()\n"
        "    x.sendall(str(a + b).encode()); x.close()\n"
        "    return int(y.recv(64))\n"
    ),
}


@pytest.fixture(scope="module")
def evaluator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Evaluator]:
    from tests.conftest import TOY_TASKS

    path = tmp_path_factory.mktemp("toy") / "tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TOY_TASKS))
    tasks: dict[str, Task] = load_tasks(path)
    limits = Limits(timeout=20.0, memory_mb=1024, max_processes=64)
    with Evaluator(tasks, workers=1, limits=limits) as ev:
        yield ev


@needs_filter
@pytest.mark.parametrize("kind", sorted(ORDINARY))
def test_ordinary_programs_pass_under_the_filter(evaluator: Evaluator, kind: str) -> None:
    assert evaluator.isolation["seccomp"] == "filter"
    sample = Sample("k", "toy/add", 0, {}, ORDINARY[kind])
    verdict = evaluator.submit(sample).result(timeout=120)
    assert verdict.status == "passed", (kind, verdict.detail, verdict.exception)
    assert verdict.isolation["seccomp"] == "filter"
