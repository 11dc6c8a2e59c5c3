"""The runner: PID 1 of one sample's namespace, which loads the candidate and answers calls.

Forked by the zygote ahead of time; once handed its pipes and limits it moves into the memory
cgroup, takes a fresh IPC namespace, arranges its descriptors, applies rlimits, drops its uid or
capabilities, and only then loads the candidate's program and answers the trusted judge's calls
with plain data. Until the program is loaded a failure is the harness's (reported on a socket
only the zygote reads); after, everything is the candidate's doing. Standard library,
``_codec`` and ``_syscalls`` only: this runs inside the sandbox.
"""

from __future__ import annotations

import _signal
import builtins
import fcntl
import importlib
import importlib.machinery
import json
import os
import resource
import select
import signal
import sys
import types
from typing import Any

from codehazard.sandbox import _seccomp, _served
from codehazard.sandbox import _syscalls as sc
from codehazard.sandbox._codec import REQUEST_DEPTH, CodecError, decode, dumps, encode
from codehazard.sandbox._raised import describe


def _apply_limits(limits: dict[str, Any], uid: int | None) -> None:
    mb = 1024 * 1024
    cpu = int(limits["timeout"]) + 2
    for res, value in (
        (resource.RLIMIT_AS, int(limits["memory_mb"] * mb)),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, int(limits["max_file_mb"] * mb)),
        (resource.RLIMIT_NOFILE, int(limits["max_open_files"])),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NPROC, int(limits["max_processes"])),
    ):
        resource.setrlimit(res, (value, value))
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:  # uid 0 of our user namespace (or the caller's own uid): give up its capabilities
        sc.drop_capabilities()
    sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
    sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)  # a uid change cleared the zygote's setting


def _bound_ipc(limits: dict[str, Any]) -> None:
    """Cap System V shared memory in the sample's fresh IPC namespace at its memory limit.

    Shared memory detached from every process counts against no rlimit, and without a memory
    cgroup against nothing at all. These sysctls are per IPC namespace and looked up in the
    caller's, through a descriptor of /proc the zygote opened before the pivot.
    """
    proc_fd = limits.get("proc_fd")
    if proc_fd is None:
        return
    pages = int(limits["memory_mb"]) * 256  # 4 KiB pages
    for name, value in (
        ("shmmax", int(limits["memory_mb"]) * 1024 * 1024),
        ("shmall", pages),
        ("shmmni", 64),
    ):
        fd = os.open(f"sys/kernel/{name}", os.O_WRONLY, dir_fd=proc_fd)
        try:
            os.write(fd, str(value).encode())
        finally:
            os.close(fd)


def _send(fd: int, message: dict[str, Any] | bytes) -> None:
    data = message if isinstance(message, bytes) else dumps(message)
    while data:
        data = data[os.write(fd, data) :]


PROGRAM_NAME = "program.py"
"""The candidate's file in its working directory, run as ``python program.py`` would run it."""
DEFAULT_RECURSION_LIMIT = 1000  # CPython's


def _write_file(path: str, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` with plain system calls (no io stack).

    Raises:
        OSError: the file cannot be written.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def sample_environment(workdir: str) -> dict[str, str]:
    """The candidate's whole environment: a search path, its working directory as home and
    temporary directory, and a UTF-8 locale. Nothing of the caller's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
    }


def use_environment(env: dict[str, str]) -> None:
    """Make ``env`` this process's whole environment (unchanged when it already is).

    The zygote calls this before it forks each runner, so the runner inherits exactly the
    sample's environment without rebuilding ``os.environ`` itself: doing so in every runner
    cost it about 0.4 ms, mostly in copy-on-write faults of the zygote's pages it touched.
    """
    if dict(os.environ) != env:
        os.environ.clear()
        os.environ.update(env)


def _as_main_program(program: str) -> tuple[Any, dict[str, Any]]:
    """Compile ``program`` and make the namespace ``python program.py`` would run it in.

    Exactly as the interpreter runs a script: no ``__future__`` feature or compiler flag of
    ours leaks in (``dont_inherit``), asserts are kept (``optimize=0``), the code runs in a
    fresh ``__main__`` module registered in ``sys.modules`` (so pickle, doctest and ``if
    __name__ == "__main__"`` behave), ``__file__`` and ``sys.argv[0]`` name the program's file,
    its directory leads ``sys.path``, the signal dispositions are the interpreter's start-up
    ones, and the recursion limit leaves the candidate the frames a script would have. The
    differences that remain are listed in docs/sandbox.md.

    Raises:
        SyntaxError, ValueError, RecursionError, MemoryError: the program does not compile.
    """
    path = os.path.abspath(PROGRAM_NAME)
    # ``_signal`` is what ``signal.signal`` calls, without its enum conversions (a sample's
    # first call of those costs its runner copy-on-write faults all over the zygote's pages)
    _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    _signal.signal(_signal.SIGPIPE, _signal.SIG_IGN)
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)
    try:  # the source on disk, as for a script: tracebacks, inspect.getsource, open(__file__)
        _write_file(path, program.encode("utf-8", "surrogatepass"))
    except OSError:
        pass
    code = compile(program, path, "exec", flags=0, dont_inherit=True, optimize=0)
    module = types.ModuleType("__main__")
    namespace = module.__dict__
    namespace.update(__file__=path, __builtins__=builtins, __cached__=None)
    namespace["__loader__"] = importlib.machinery.SourceFileLoader("__main__", path)
    sys.modules["__main__"] = module
    sys.argv[:] = [path]
    sys.path.insert(0, os.path.dirname(path))
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(DEFAULT_RECURSION_LIMIT + depth)
    return code, namespace


def _load(program: str, entry_point: str) -> tuple[dict[str, Any], Any]:
    """Compile and run the candidate program; return the ready message and the function."""
    try:
        code, namespace = _as_main_program(program)
    except UnicodeError as exc:  # Python refuses a file that is not UTF-8 the same way
        detail = f"SyntaxError: the program is not valid UTF-8 text ({exc.reason} at {exc.start})"
        return {"ready": False, "status": "syntax", "detail": detail}, None
    except (SyntaxError, ValueError, RecursionError) as exc:
        return {"ready": False, "status": "syntax", "detail": f"{type(exc).__name__}: {exc}"}, None
    except MemoryError:
        return {"ready": False, "status": "memory", "detail": "MemoryError while compiling"}, None
    try:
        exec(code, namespace)
    except MemoryError:
        return {"ready": False, "status": "memory", "detail": "MemoryError at import"}, None
    except BaseException as exc:  # the candidate's failure, reported as data
        name, message = _describe_raised(exc)
        return {"ready": False, "status": "error", "detail": f"{name} at import: {message}"}, None
    fn = namespace.get(entry_point)
    if not callable(fn):
        return {
            "ready": False,
            "status": "error",
            "detail": f"the program does not define a function {entry_point!r}",
        }, None
    return {"ready": True}, fn


def _describe_raised(exc: BaseException) -> list[str]:
    """Name and message of the candidate's exception, even when its ``__str__`` misbehaves."""
    try:
        name = type(exc).__name__
        name = name if type(name) is str else "Exception"
    except BaseException:
        name = "Exception"
    try:
        message = str(exc)
        message = message[:300] if type(message) is str else ""
    except BaseException:
        message = "<the exception's message could not be read>"
    return [name, message]


OPS = ("call", "new", "method", "drive")
"""What one request may ask (``op``; a request without one is a ``call``):

- ``call``: call the entry point with ``args`` and ``kwargs`` (HumanEval's only operation);
- ``new``: call the entry point (a class) and keep the result as the handle named by the
  request's ``id``, answered ``{"id": n, "handle": n}``;
- ``method``: call method ``name`` of object ``handle``;
- ``drive``: run the trusted driver ``driver`` (one the first message named, imported before
  the candidate's code ran) on object ``handle`` or, without one, on the entry point, passing
  ``args`` and ``kwargs``; the driver returns plain data (a history of what it observed).
"""


class Session:
    """What the runner holds between requests: the entry point, the objects it made, the
    trusted drivers the judge asked for."""

    def __init__(self, fn: Any, drivers: dict[str, Any], req: Any = None, resp_fd: int = 4) -> None:
        self.fn, self.drivers = fn, drivers
        self.handles: dict[int, Any] = {}
        self.req, self.resp_fd = req, resp_fd  # for served secrets' reads

    def target(self, msg: dict[str, Any]) -> Any:
        """The callable one request names (a missing handle or driver is a ``KeyError``)."""
        op = msg.get("op", "call")
        if op == "call" or op == "new":
            return self.fn
        if op == "method":
            return getattr(self.handles[msg["handle"]], msg["name"])
        if op == "drive":
            driver = self.drivers[msg["driver"]]
            handle = msg.get("handle")
            subject = self.fn if handle is None else self.handles[handle]
            return lambda *args, **kwargs: driver(subject, *args, **kwargs)
        raise LookupError(f"unknown op {op!r}")


def _answer(ident: Any, msg: dict[str, Any], session: Session) -> bytes:
    """Run one request and encode its answer (or the candidate's failure) as one reply line."""
    args, kwargs = decode(msg["args"], REQUEST_DEPTH), decode(msg["kwargs"], REQUEST_DEPTH)
    call = None
    if msg.get("served"):
        args, call = _served.bind(args, msg["served"], ident, session.req, session.resp_fd)
    try:
        value = session.target(msg)(*args, **kwargs)
    except BaseException as exc:  # the candidate raised: report it as data
        return dumps({"id": ident, "exc": describe(exc)})
    finally:
        if call is not None:
            call.live = False
    if msg.get("op") == "new":
        session.handles[ident] = value
        return dumps({"id": ident, "handle": ident})
    try:
        return dumps({"id": ident, "ok": encode(value)})
    except CodecError as exc:
        return dumps({"id": ident, "bad": str(exc)})
    except RecursionError:
        return dumps({"id": ident, "bad": "value nested too deeply"})


def _serve(req: Any, resp_fd: int, session: Session) -> None:
    """Answer the judge's requests until it closes the request pipe.

    Anything going wrong here happens after the candidate's code ran (it may have installed
    signal handlers, exhausted memory or replaced descriptors), so it is the candidate's failure:
    the worst outcome is a failed call, never a harness failure.
    """
    while True:
        line = req.readline()
        if not line:
            return
        msg = json.loads(line)
        ident = msg["id"]
        memory_reply = dumps({"id": ident, "exc": ["MemoryError", "while answering"]})
        try:
            reply = _answer(ident, msg, session)
        except MemoryError:
            reply = memory_reply
        except BaseException as exc:
            reply = dumps({"id": ident, "exc": ["Exception", f"answer failed: {type(exc)}"]})
        _send(resp_fd, reply)


def _import_drivers(names: Any) -> dict[str, Any]:
    """The trusted drivers the judge named (``"module:attr"``), imported before the candidate's
    code runs, so each is our own code as installed (a failure here is the harness's)."""
    drivers: dict[str, Any] = {}
    for name in names or ():
        module, _, attr = str(name).partition(":")
        drivers[name] = getattr(importlib.import_module(module), attr)
    return drivers


SETUP_FD = 5  # the runner's trusted report of a setup failure, closed before candidate code


def run_candidate(
    fds: list[int], out_w: int, setup: int, limits: dict[str, Any], uid: int | None, workdir: str
) -> None:
    """Body of the runner process. Never returns.

    Until the candidate's program is loaded, a failure is the harness's: the runner reports it
    on ``setup`` (a socket only the zygote reads) and the sample is retried as ``infra``. That
    socket is closed before the candidate's code runs, so a candidate that exits with any code
    or prints anything cannot pass for a harness failure.
    """
    report_fd = setup  # moves to SETUP_FD with the other descriptors
    try:
        for fd in limits.get("cgroup_fds", ()):  # the sample's own memory and CPU bounds
            os.write(fd, b"0")
        if limits.get("new_ipc"):  # System V IPC objects die with the sample
            sc.unshare(sc.CLONE_NEWIPC)
            _bound_ipc(limits)
        # Move every source above the targets first, so no dup2 overwrites a later source.
        null = os.open("/dev/null", os.O_RDONLY)
        sources = [
            fcntl.fcntl(fd, fcntl.F_DUPFD, SETUP_FD + 1) for fd in (null, out_w, fds[0], fds[1])
        ]
        setup_high = fcntl.fcntl(setup, fcntl.F_DUPFD, SETUP_FD + 1)
        for target, fd in zip((0, 1, 3, 4), sources, strict=True):
            os.dup2(fd, target)
        os.dup2(sources[1], 2)
        os.dup2(setup_high, SETUP_FD)
        report_fd = SETUP_FD
        os.closerange(SETUP_FD + 1, 65536)
        os.chdir(workdir)
        if not limits.get("environment_set"):  # else the zygote's, inherited as it is
            use_environment(sample_environment(workdir))
        for sig in (_signal.SIGTERM, _signal.SIGINT, _signal.SIGPIPE, _signal.SIGCHLD):
            _signal.signal(sig, _signal.SIG_DFL)
        _apply_limits(limits, uid)
        if select.select([report_fd], [], [], 0)[0]:  # the zygote died before the line above
            os._exit(0)
        if limits.get("seccomp"):  # kernel surfaces the namespaces leave open (keyrings, ...)
            _seccomp.install()
        req = os.fdopen(3, "rb")
        first = json.loads(req.readline() or b"{}")
        drivers = _import_drivers(first.get("drivers"))
    except BaseException as exc:
        try:
            import traceback

            report = f"runner setup failed: {exc!r} {traceback.format_exc()[-600:]}"
            os.write(report_fd, report.encode("utf-8", "replace")[:60000])
        finally:
            os._exit(70)
    os.close(SETUP_FD)
    code = 0
    try:
        ready, fn = _load(first.get("program", ""), first.get("entry_point", ""))
        _send(4, ready)
        if fn is not None:
            _serve(req, 4, Session(fn, drivers, req, 4))
    except BaseException:  # the candidate's doing (see _serve): the judge sees the call fail
        code = 1
    os._exit(code)
