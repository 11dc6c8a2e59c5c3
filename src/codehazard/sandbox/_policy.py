"""The minimum isolation policy: levels, their order, and the refusal to evaluate below one.

The sandbox takes the strongest isolation the host allows and records what it obtained
(``_describe`` in ``_worker``). Obtaining less must never pass silently: the caller names the
least it accepts (``full`` unless told otherwise) and an evaluation whose workers obtained less
does not start. The refusal says which guarantees the host refused, why, and how to allow
them, or how to accept less explicitly. Enforced at one place, where the evaluator's pool
learns what its workers obtained.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from codehazard.errors import InputError, SandboxError

IsolationLevel = Literal["none", "rlimits-only", "partial", "full"]
LEVELS: tuple[str, ...] = get_args(IsolationLevel)  # weakest first
ALIASES = {"auto": "full"}  # the strongest available, which the default then requires
CHOICES: tuple[str, ...] = ("full", "partial", "rlimits-only", "none")

# The guarantees behind ``full``: (field of the isolation record, what it gives).
GUARANTEES: tuple[tuple[str, str], ...] = (
    ("network_namespace", "no network (a network namespace of its own)"),
    ("mount_namespace", "a mount namespace of its own"),
    ("private_root", "a private read-only root (host files, the store and tasks out of view)"),
    ("pid_namespace_per_sample", "a PID namespace per sample (host processes out of view)"),
    ("ipc_uts_namespaces", "IPC and UTS namespaces of its own"),
)

_USERNS_HINT = (
    "allow unprivileged user namespaces (`sysctl -w kernel.unprivileged_userns_clone=1` on "
    "Debian and Ubuntu, `sysctl -w user.max_user_namespaces=15000`, and on Ubuntu 23.10 or "
    "later `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`); in a container, allow "
    "unshare(2) and mount(2) (Docker and Podman block them by default: run with "
    "`--security-opt seccomp=unconfined --security-opt apparmor=unconfined`, or as root with "
    "CAP_SYS_ADMIN)"
)


class IsolationRefused(SandboxError):
    """The isolation obtained is below the minimum the caller accepts; evaluation refused.

    ``obtained`` and ``required`` are level names; ``refused`` lists the guarantees missing.
    """

    def __init__(self, message: str, *, obtained: str, required: str, refused: list[str]) -> None:
        super().__init__(message)
        self.obtained = obtained
        self.required = required
        self.refused = refused


def parse_level(value: str, *, argument: str = "isolation") -> str:
    """The minimum level named by ``value`` (``auto`` means ``full``).

    Raises:
        InputError: not a level; the message names the argument and the choices.
    """
    level = ALIASES.get(value, value)
    if level not in LEVELS:
        raise InputError(
            f"{argument}: unknown isolation level {value!r}; choose one of "
            f"{', '.join(CHOICES)} (the least the evaluation accepts; default full)"
        )
    return level


def worker_mode(minimum: str) -> str:
    """What the sandbox workers are asked for: nothing for ``none``, else the strongest."""
    return "none" if parse_level(minimum) == "none" else "auto"


def rank(level: str) -> int:
    """Position of ``level`` in the order ``none < rlimits-only < partial < full``.

    Raises:
        InputError: not a level.
    """
    return LEVELS.index(parse_level(level))


def refused_guarantees(isolation: dict[str, Any]) -> list[str]:
    """The guarantees of ``full`` that the isolation record says were not obtained."""
    refused = [text for key, text in GUARANTEES if not isolation.get(key)]
    if isolation.get("unprivileged_uid") is None and not isolation.get("user_namespace"):
        refused.append("an unprivileged uid or a user namespace (the caller's own uid is used)")
    return refused


_DELEGATE_HINT = (
    "as an ordinary user, run under a delegated cgroup v2 subtree (`systemd-run --user "
    "--scope -p Delegate=yes codehazard ...`), or as root"
)


def _uid_note(isolation: dict[str, Any]) -> str:
    lease = isolation.get("uid_range") or {}
    uid = isolation.get("unprivileged_uid")
    if uid is not None:
        where = "in a user namespace of its own, " if isolation.get("user_namespace") else ""
        return f"uid: a private uid {uid} per worker ({where}{lease.get('note', 'leased')})"
    if isolation.get("user_namespace") and lease.get("note") == "leased":  # root, no SETUID
        return (
            "uid: no private uid (root without CAP_SETUID cannot map its leased uid into the "
            "user namespace): samples run as root without capabilities, which RLIMIT_NPROC "
            "does not bound; to allow a private uid, grant CAP_SETUID and CAP_SETGID"
        )
    if isolation.get("user_namespace"):
        return (
            "uid: no private uid (only root can switch uids): the caller's uid as uid 0 of a "
            "user namespace, every capability dropped"
        )
    return "uid: the caller's own uid (no user namespace, no private uid)"


def resource_notes(isolation: dict[str, Any]) -> list[str]:
    """One line per resource bound (memory, CPU share, time, uid): how it is bounded here, and
    for what the host withholds (no cgroup delegation), what is lost and how to allow it.

    The guarantees of ``full`` do not depend on these; they say what a report may claim about
    memory and CPU, so a host without cgroups is said to be one, never passed over.
    """
    memory = {
        "cgroup": "memory: a memory cgroup per sample (all its processes, tmpfs included)",
        "watched": (
            "memory: watched from outside (no memory cgroup: the sample's processes are summed "
            "every 50 ms and killed over the limit, an overshoot of one interval is possible; "
            f"to allow a cgroup: {_DELEGATE_HINT})"
        ),
    }.get(str(isolation.get("memory_limit")), "memory: per process only (RLIMIT_AS)")
    if isolation.get("cpu_cgroup"):
        cpu = "CPU share: at most one core per sample (a cpu cgroup)"
    else:
        cpu = (
            "CPU share: unbounded (no cpu cgroup: a hostile sample can slow, not fail, another "
            f"worker's samples; to allow it: {_DELEGATE_HINT})"
        )
    time = {
        "cpu-cgroup": "time limit: the sample's own CPU time, from its cgroup",
        "cpu-watched": "time limit: the sample's own CPU time, read from /proc",
    }.get(str(isolation.get("time_limit")), "time limit: wall-clock seconds (no /proc to watch)")
    return [memory, cpu, time, _uid_note(isolation)]


def require(isolation: dict[str, Any], minimum: str) -> None:
    """Refuse to evaluate when ``isolation`` (a worker's record) is below ``minimum``.

    Raises:
        IsolationRefused: below the minimum; the message lists what the host refused, the
            errors it gave, how to allow the guarantees, and how to accept less explicitly.
        InputError: ``minimum`` is not a level.
    """
    required = parse_level(minimum)
    obtained = str(isolation.get("level", "rlimits-only"))
    if obtained in LEVELS and rank(obtained) >= rank(required):
        return
    refused = refused_guarantees(isolation)
    errors = [str(e) for e in isolation.get("errors", [])]
    weaker = [lvl for lvl in CHOICES if lvl in LEVELS and rank(lvl) <= rank(obtained)]
    accept = weaker[0] if weaker else "none"
    parts = [
        f"sandbox isolation obtained is {obtained!r}, below the required {required!r}; "
        "evaluation refused.",
        "The host refused: " + ("; ".join(refused) or "nothing recorded") + ".",
    ]
    if errors:
        parts.append("Errors: " + "; ".join(errors) + ".")
    parts.append(f"To allow them: {_USERNS_HINT}.")
    parts.append(
        f"Check with `codehazard sandbox check`. To accept less explicitly: `isolation={accept}`."
    )
    raise IsolationRefused(" ".join(parts), obtained=obtained, required=required, refused=refused)


# Bounds beyond the level that a run's verdicts rely on: (field, what it gives).
_BOUNDS: tuple[tuple[str, str], ...] = (
    ("memory_cgroup", "a memory cgroup per sample"),
    ("cpu_cgroup", "a cpu cgroup per sample (one core)"),
    ("private_dev_shm", "a private, bounded /dev/shm per sample"),
)


def lost_guarantees(first: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What ``now`` (a restarted worker's isolation record) lacks of ``first`` (what the run
    started with): the level, each guarantee and bound, the private uid, its lease, the
    seccomp filter and how the time limit is measured."""
    lost = []
    was, got = str(first.get("level", "none")), str(now.get("level", "rlimits-only"))
    if was in LEVELS and (got not in LEVELS or rank(got) < rank(was)):
        lost.append(f"the isolation level ({was!r}, now {got!r})")
    for key, text in (*GUARANTEES, *_BOUNDS):
        if first.get(key) and not now.get(key):
            lost.append(text)
    if first.get("unprivileged_uid") is not None and now.get("unprivileged_uid") is None:
        lost.append("a private unprivileged uid")
    was_note = (first.get("uid_range") or {}).get("note")
    now_note = (now.get("uid_range") or {}).get("note")
    if was_note == "leased" and now_note != "leased":
        lost.append(f"a leased uid (now {now_note or 'none'})")
    if first.get("seccomp") == "filter" and now.get("seccomp") != "filter":
        lost.append("the seccomp filter")
    if first.get("time_limit") != now.get("time_limit") and now.get("time_limit") == "wall":
        lost.append(f"the time limit as {first.get('time_limit')} (now wall-clock)")
    return lost


def require_kept(first: dict[str, Any], now: dict[str, Any], minimum: str) -> None:
    """Refuse to judge with a restarted worker that obtained less than the run started with.

    A worker restarted after a crash (or a zygote restarted inside one) may meet a host that
    gives less: uid leases exhausted, a cgroup that can no longer be made, namespaces refused.
    Its verdicts would be judged under other bounds than the run's others, and the run's
    record would no longer be true of them, so the run stops instead (exit 3 at the command
    line) and says what was lost and why.

    Raises:
        IsolationRefused: below ``minimum`` (as ``require``), or less than ``first``.
        InputError: ``minimum`` is not a level.
    """
    require(now, minimum)
    lost = lost_guarantees(first, now)
    if not lost:
        return
    errors = [str(e) for e in now.get("errors", []) if e not in first.get("errors", [])]
    parts = [
        "a restarted sandbox worker obtained less isolation than the run started with "
        f"({first.get('level')!r}); evaluation stopped, so that no verdict is judged with less.",
        "Lost: " + "; ".join(lost) + ".",
    ]
    if errors:
        parts.append("Errors: " + "; ".join(errors) + ".")
    parts.append(
        "The host's resources may be exhausted (uid leases in /run/codehazard, cgroups, "
        "user namespaces: `user.max_user_namespaces`); free them and resume the run."
    )
    raise IsolationRefused(
        " ".join(parts),
        obtained=str(now.get("level", "rlimits-only")),
        required=str(first.get("level", parse_level(minimum))),
        refused=lost,
    )


def record(isolation: dict[str, Any], minimum: str) -> dict[str, Any]:
    """The isolation record as reports keep it: what was obtained, what was required,
    whether less than ``full`` was accepted explicitly, and how each resource is bounded
    (``resources``, from ``resource_notes``)."""
    required = parse_level(minimum)
    return {
        **isolation,
        "required": required,
        "accepted_below_full": isolation.get("level") != "full",
        "resources": resource_notes(isolation),
    }
