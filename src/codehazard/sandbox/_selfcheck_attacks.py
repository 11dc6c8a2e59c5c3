"""The attacks ``codehazard sandbox check`` runs through the real sandbox, shipped as data.

A small set in the spirit of the project's adversarial corpus (``tests/adversarial/corpus/``,
which an installed wheel does not carry): one or two hostile programs per guarantee. Each
targets ``TASK`` (``add``), answers wrongly when contained and raises with ``LEAKED`` in its
message when it reached something; ``{NAME}`` placeholders are filled in by the check with
host-side traps (a listener, a planted file, a marker). The guarantee a program tests is named
by ``Attack.guarantee`` (see ``_selfcheck.GUARANTEES``).
"""

from __future__ import annotations

from dataclasses import dataclass

TASK = {
    "task_id": "selfcheck/add",
    "prompt": 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n',
    "canonical_solution": "    return a + b\n",
    "test": "def check(candidate):\n    assert candidate(1, 2) == 3\n",
    "entry_point": "add",
}


@dataclass(frozen=True)
class Attack:
    """One hostile program and the guarantee it tests."""

    name: str
    guarantee: str
    program: str


ATTACKS: tuple[Attack, ...] = (
    Attack(
        "tcp_to_host_loopback",
        "network",
        """
import socket
def add(a, b):
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as conn:
            conn.settimeout(1.0)
            conn.connect(("127.0.0.1", {PORT}))
    except Exception:
        return a - b
    raise ValueError("LEAKED a connection to the host's loopback")
""",
    ),
    Attack(
        "read_host_tmp",
        "host_files",
        """
def add(a, b):
    for path in ({PLANTED!r}, {TASKS!r}):
        try:
            with open(path) as fh:
                raise ValueError("LEAKED " + fh.read(80))
        except OSError:
            continue
    return a - b
""",
    ),
    Attack(
        "write_host_tmp",
        "host_files",
        """
def add(a, b):
    try:
        with open({WRITTEN!r}, "w") as fh:
            fh.write("written from the sandbox")
    except OSError:
        pass
    return a - b
""",
    ),
    Attack(
        "read_packages_data",
        "packages_data",
        """
import os, sys
def add(a, b):
    reached = []
    for root in sorted({{sys.prefix, sys.base_prefix, "/usr", "/usr/local"}}):
        try:
            if os.listdir(os.path.join(root, "share")):
                reached.append(os.path.join(root, "share"))
        except OSError:
            pass
    for path in {HIDDEN!r}:
        try:
            with open(path, "rb") as fh:
                if fh.read(16):
                    reached.append(path)
        except OSError:
            pass
    if reached:
        raise ValueError("LEAKED " + "; ".join(reached[:3]))
    return a - b
""",
    ),
    Attack(
        "host_processes",
        "host_processes",
        """
import os
def add(a, b):
    for proc in ("/proc", "/.old/proc"):
        try:
            with open(f"{{proc}}/{HOST_PID}/cmdline", "rb") as fh:
                raise ValueError("LEAKED " + repr(fh.read(60)))
        except OSError:
            continue
    return a - b
""",
    ),
    Attack(
        "environment_secret",
        "environment",
        """
import os
def add(a, b):
    if {SECRET!r} in repr(dict(os.environ)):
        raise ValueError("LEAKED the caller's environment")
    try:
        with open("/proc/self/environ", "rb") as fh:
            if {SECRET!r}.encode() in fh.read():
                raise ValueError("LEAKED /proc/self/environ")
    except OSError:
        pass
    return a - b
""",
    ),
    Attack(
        "exit_zero_at_import",
        "verdict",
        """
import os
os._exit(0)
""",
    ),
    Attack(
        "equal_to_everything",
        "verdict",
        """
class Anything(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
def add(a, b):
    return Anything(0)
""",
    ),
    Attack(
        "orphan_in_own_session",
        "nothing_outlives",
        """
import os, sys
def add(a, b):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)",
                                      {MARKER!r}])
        os._exit(0)
    return a - b
""",
    ),
)

# The candidate the crash probe runs: a spinner in its own session while the call sleeps.
SPINNER = """
import os, sys, time
def add(a, b):
    if os.fork() == 0:
        os.setsid()
        os.execv(sys.executable, [sys.executable, "-c", "while True: pass", {MARKER!r}])
    time.sleep(60)
    return a + b
"""
