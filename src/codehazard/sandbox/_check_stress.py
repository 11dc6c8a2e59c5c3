"""The ``stress`` checker kind's trusted side: plans, the driver's report validated, the verdict.

Per round the judge constructs a fresh object over the channel, sends the driver a plan of
seeded operations (``_stress_models.plan_threads``, or the lock's and pool's own plans), and gets
back a report: a history of stamped operations and what the driver saw of jobs, initialisers and
critical sections. Nothing in the report is believed as a verdict. The judge checks its shape
against the plan it sent (every planned operation exactly once, stamps unique and ordered, each
thread's operations in program order), reads the final state back through the channel, and
decides every property itself: a watchdog report of pending operations is a ``deadlock``; an
operation that raised, or a history no sequential run of the model explains, is a ``race``; a
broken invariant of the final state (money created, records lost, jobs not run) is an
``invariant``; a writer kept waiting while readers were admitted past the bound is ``liveness``.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from codehazard.sandbox._drivers_threads import STRESS
from codehazard.sandbox._judge import Channel, Outcome, PreparedTask, short
from codehazard.sandbox._prepare import reference_code
from codehazard.sandbox._stress_models import (
    Op,
    Undecided,
    initial_state,
    linearizable,
    plan_threads,
    same,
)
from codehazard.tasks import Task

StressChecker = Any  # tasks._kind_stress.StressChecker (a private module of another package)

FINAL_READS: dict[str, tuple[str, ...]] = {
    "counter": ("value",),
    "ids": ("issued",),
    "high-water": ("best",),
    "bank": ("balances",),
    "stats": ("summary",),
    "once": ("peek",),
    "queue": ("size",),
}
"""The read-back operations of each linearizable model, run after the round ended."""


class Malformed(Exception):
    """The driver's report does not match the plan (the object interfered with the driver)."""


def prepare_stress(task: Task, checker: StressChecker, timeout: float) -> PreparedTask:
    """The ``stress`` kind: nothing to compute ahead; the judge plans each round from the seed."""
    return PreparedTask(
        task.task_id,
        task.entry_point,
        reference_code(task),
        run=run_stress,
        data=checker,
    )


def run_stress(task: PreparedTask, ch: Channel) -> Outcome:
    """The ``stress`` kind's judge: ``rounds`` rounds; the first failing one decides."""
    spec: StressChecker = task.data
    overlapped = False
    waits: list[int] = []
    for index in range(spec.rounds):
        outcome, ops, report = _round(spec, ch, index)
        if outcome is not None:
            outcome["detail"] = f"round {index + 1} of {spec.rounds}: {outcome['detail']}"
            return outcome
        overlapped = overlapped or _overlap(ops)
        if spec.model == "rwlock":
            waits.append(longest_wait(report, ops))
    starved = _starved(spec, waits) if spec.model == "rwlock" else None
    if starved is not None:
        return starved
    if not overlapped:
        return _failed(
            "invariant",
            f"in {spec.rounds} rounds no two operations ever ran at the same time: the "
            "driver's threads were serialised by something the program changed",
        )
    return {"status": "passed", "detail": ""}


def _overlap(ops: list[Op]) -> bool:
    """Whether two operations of the round (of different threads) ran at the same time."""
    latest = 0
    for op in sorted(ops, key=lambda o: o.inv):
        if op.inv < latest:
            return True
        latest = max(latest, op.resp)
    return False


def _failed(kind: str, detail: str, **extra: Any) -> Outcome:
    return {"status": "failed", "failure_kind": kind, "detail": detail, **extra}


def make_plan(spec: StressChecker, index: int) -> dict[str, Any]:
    """The plan of round ``index`` (roles, not yet method names): the same for a seed."""
    rng = random.Random(f"stress:{spec.seed}:{index}")
    if spec.model == "rwlock":
        threads = _rwlock_plan(spec, rng)
    elif spec.model == "pool":
        threads = _pool_plan(spec, rng, index)
    else:
        threads = plan_threads(spec.model, spec.params, spec.threads, spec.ops, rng)
    schedule = pool_schedule(index) if spec.model == "pool" else "free"
    return {
        "threads": threads,
        "seed": rng.randrange(1 << 30),
        "switch": spec.switch_interval,
        "yield_p": spec.yield_p,
        "hold": spec.hold,
        "stall_s": spec.stall_s,
        "gate_s": min(POOL_GATE_S, spec.stall_s / 4) if schedule == "gated" else 0.0,
        "gate_peak": int(spec.params.get("workers", 1)),
        "drain": spec.threads * spec.ops if schedule == "drained" else 0,
    }


def _rwlock_plan(spec: StressChecker, rng: random.Random) -> list[dict[str, Any]]:
    writers = int(spec.params.get("writers", 2))
    out = []
    for t in range(spec.threads):
        mode = "write" if t < writers else "read"
        count = int(spec.params.get("writes", 2)) if mode == "write" else spec.ops
        one = [[f"acquire_{mode}", []], ["$section", [mode]], [f"release_{mode}", []]]
        delay = 0.004 + rng.uniform(0, 0.004) if mode == "write" else rng.uniform(0, 0.001)
        out.append({"ops": one * count, "delay": delay})
    return out


POOL_GATE_S = 0.05
"""How long at most a pool's job holds for the gate (the driver's ``gate_s``): far under the
watchdog's patience, so a correct pool whose ``submit`` waits for a free worker only slows."""


def pool_schedule(index: int) -> str:
    """Round ``index``'s schedule of a pool, in turn: ``gated``, ``drained``, ``free``.

    Each makes one kind of mistake show whatever the machine's load, where a free-running
    round shows it only when the timing happens to fall right (on a loaded machine a pool that
    started a thread per job was once seen running no more than its workers in 20 rounds):
    ``gated``: jobs hold until shutdown was called, so every job a pool starts is running at
    once (too many workers) and jobs are still queued when shutdown begins (jobs dropped);
    ``drained``: shutdown is called once every job ran, with the workers idle and waiting (a
    lost wake-up at shutdown); ``free``: jobs run as they come (any other interleaving)."""
    return ("gated", "drained", "free")[index % 3]


def _pool_plan(spec: StressChecker, rng: random.Random, index: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "ops": [["submit", [{"$job": t * 100 + k}]] for k in range(spec.ops)],
            "delay": rng.uniform(0, 0.002),
        }
        for t in range(spec.threads)
    ]
    gated = pool_schedule(index) == "gated"
    out.append({"ops": [["shutdown", []]], "after": True, "opens_gate": gated})
    return out


def _named(spec: StressChecker, plan: dict[str, Any]) -> dict[str, Any]:
    """The plan as the driver gets it: roles replaced by the task's method names."""
    threads = [
        {**t, "ops": [[spec.methods.get(r, r), a] for r, a in t["ops"]]} for t in plan["threads"]
    ]
    return {**plan, "threads": threads}


def _round(
    spec: StressChecker, ch: Channel, index: int
) -> tuple[Outcome | None, list[Op], dict[str, Any]]:
    """One round: its outcome (``None`` when it found nothing wrong), operations and report."""
    plan = make_plan(spec, index)
    handle = ch.new(tuple(spec.init))
    report = ch.drive(STRESS, (_named(spec, plan),), handle=handle)
    try:
        ops, stamps = _validate(report, plan)
    except Malformed as exc:
        detail = f"the driver's report is not a history of the plan ({exc})"
        return _failed("invariant", detail), [], {}
    return _decide(spec, ch, handle, plan, report, ops, max(stamps, default=0)), ops, report


def _decide(
    spec: StressChecker,
    ch: Channel,
    handle: int,
    plan: dict[str, Any],
    report: dict[str, Any],
    ops: list[Op],
    last: int,
) -> Outcome | None:
    """The round's verdict from its validated history (``None``: nothing wrong found)."""
    for op in ops:
        if op.result[0] == "exc":
            return _failed("race", f"{_show(op)} raised {op.result[1]} under contention")
    if report["pending"]:
        where = ", ".join(f"thread {t} op {k}" for t, k in report["pending"][:6])
        return _failed("deadlock", f"no progress for {spec.stall_s:g} s; still waiting: {where}")
    if report["tracer_lost"]:
        return _failed("invariant", "the object removed the driver's scheduler (sys.settrace)")
    if spec.model == "rwlock":
        return _check_rwlock(report)
    if spec.model == "pool":
        return _check_pool(spec, report, ops, plan)
    return _check_linearizable(spec, ch, handle, report, list(ops), last)


def _validate(report: Any, plan: dict[str, Any]) -> tuple[list[Op], list[int]]:
    """The report's operations, checked against the plan; every stamp seen.

    Raises:
        Malformed: a missing, repeated or unplanned operation, a stamp that is not a unique
            integer, an answer before its call, or a thread's operations out of order.
    """
    keys = ("events", "jobs", "inits", "sections", "pending", "tracer_lost")
    if type(report) is not dict or any(k not in report for k in keys):
        raise Malformed("not a report")
    pending = {tuple(p) for p in report["pending"] if type(p) is list}
    stamps: list[int] = []
    ops: list[Op] = []
    seen: dict[tuple[int, int], Op] = {}
    threads = plan["threads"]
    for event in report["events"]:
        if type(event) is not list or len(event) != 5:
            raise Malformed("an event of the wrong shape")
        t, k, inv, resp, result = event
        if not all(type(x) is int for x in (t, k, inv, resp)) or not inv < resp:
            raise Malformed("stamps out of order")
        if not 0 <= t < len(threads) or not 0 <= k < len(threads[t]["ops"]) or (t, k) in seen:
            raise Malformed(f"unplanned or repeated operation {t}/{k}")
        if type(result) is not list or len(result) != 2 or result[0] not in ("ok", "exc"):
            raise Malformed("an answer of the wrong shape")
        role, args = threads[t]["ops"][k]
        op = Op(t, role, tuple(args), inv, resp, result)
        seen[(t, k)] = op
        ops.append(op)
        stamps += [inv, resp]
    for t, spec in enumerate(threads):
        done = [seen[(t, k)] for k in range(len(spec["ops"])) if (t, k) in seen]
        if not pending and len(done) < len(spec["ops"]):
            raise Malformed(f"thread {t} did not report all its operations")
        if any(a.resp > b.inv for a, b in itertools.pairwise(done)):
            raise Malformed(f"thread {t}'s operations overlap")
    for name, width in (("jobs", 3), ("inits", 2), ("sections", 3)):
        for item in report[name]:
            if type(item) is not list or len(item) != width:
                raise Malformed(f"a {name} record of the wrong shape")
            stamps += [s for s in item[1:] if type(s) is int]
            if any(type(s) is not int for s in item[1:]):
                raise Malformed(f"a {name} stamp that is not an integer")
    if len(set(stamps)) != len(stamps):
        raise Malformed("a stamp used twice")
    return ops, stamps


def _show(op: Op) -> str:
    args = ", ".join(short(a) for a in op.args)
    return f"{op.role}({args}) in thread {op.thread}"


def _check_linearizable(
    spec: StressChecker,
    ch: Channel,
    handle: int,
    report: dict[str, Any],
    ops: list[Op],
    last: int,
) -> Outcome | None:
    for n, role in enumerate(FINAL_READS[spec.model]):
        value = ch.method(handle, spec.methods.get(role, role))
        ops.append(Op(-1, role, (), last + 2 * n + 1, last + 2 * n + 2, ["ok", value]))
    broken = _invariant(spec, report, ops)
    if broken is not None:
        return _failed("invariant", broken)
    model_ops = [Op(o.thread, o.role, o.args, o.inv, o.resp, o.result[1]) for o in ops]
    try:
        ok, prefix = linearizable(model_ops, spec.model, spec.params)
    except Undecided:
        return _failed("race", f"the history of {len(ops)} operations could not be explained")
    if ok:
        return None
    stuck = [o for o in model_ops if o not in prefix]
    shown = "; ".join(f"{_show(o)} -> {short(o.result)}" for o in stuck[:3])
    return _failed(
        "race",
        f"no sequential order of the {len(ops)} operations gives these answers "
        f"(lost update or torn read); unexplained: {shown}",
    )


def _invariant(spec: StressChecker, report: dict[str, Any], ops: list[Op]) -> str | None:
    """A broken invariant of the final state (or of what the driver counted), in words."""
    final = ops[-1].result[1]
    if spec.model == "bank":
        opening = list(initial_state("bank", spec.params))
        if type(final) is not list or not all(type(v) is int for v in final):
            return f"balances() returned {short(final)}, not a list of integers"
        if sum(final) != sum(opening) or min(final, default=0) < 0:
            return f"the balances {short(final)} do not keep the total {sum(opening)} >= 0"
    if spec.model == "stats":
        records = [o.args[0] for o in ops if o.role == "record"]
        if not same(final, [len(records), sum(records)]):
            return f"summary() is {short(final)} after {len(records)} records of {sum(records)}"
    if spec.model == "once" and len(report["inits"]) != 1:
        return f"the initialiser ran {len(report['inits'])} times, not once"
    return None


def _check_rwlock(report: dict[str, Any]) -> Outcome | None:
    sections = report["sections"]
    for w in (s for s in sections if s[0] == "write"):
        for other in sections:
            if other is not w and other[1] < w[2] and w[1] < other[2]:
                return _failed("race", f"a {other[0]}r held the lock while a writer did")
    return None


def longest_wait(report: dict[str, Any], ops: list[Op]) -> int:
    """The most read sections that began while one writer of the round waited to enter."""
    reads = [s[1] for s in report["sections"] if s[0] == "read"]
    waits = [op for op in ops if op.role == "acquire_write"]
    return max((sum(1 for e in reads if op.inv < e < op.resp) for op in waits), default=0)


def _starved(spec: StressChecker, waits: list[int]) -> Outcome | None:
    """Writers starve when in at least half of the rounds a writer saw more than the bound of
    readers admitted while it waited: on a lock that lets a waiting writer in first nearly
    every round stays under it, while one round can go over on any lock whose writer the
    machine did not run for a while."""
    bound = int(spec.params.get("starvation_bound", 48))
    long = sorted(w for w in waits if w > bound)
    if waits and 2 * len(long) >= len(waits):
        return _failed(
            "liveness",
            f"in {len(long)} of {len(waits)} rounds a waiting writer saw more than {bound} "
            f"readers admitted first (up to {long[-1]}): writers starve",
        )
    return None


def _check_pool(
    spec: StressChecker, report: dict[str, Any], ops: list[Op], plan: dict[str, Any]
) -> Outcome | None:
    planned = sorted(a[0]["$job"] for t in plan["threads"] for r, a in t["ops"] if r == "submit")
    ran = sorted(j[0] for j in report["jobs"])
    if len(set(ran)) != len(ran):
        return _failed("race", "a job ran twice")
    if ran != planned:
        missing = sorted(set(planned) - set(ran))
        return _failed(
            "invariant", f"{len(missing)} submitted jobs had not run when shutdown returned"
        )
    shutdown = next(o for o in ops if o.role == "shutdown")
    late = [j for j in report["jobs"] if j[2] > shutdown.resp]
    if late:
        return _failed("invariant", f"shutdown returned before {len(late)} jobs finished")
    edges = sorted([(j[1], 1) for j in report["jobs"]] + [(j[2], -1) for j in report["jobs"]])
    running = peak = 0
    for _, change in edges:
        running += change
        peak = max(peak, running)
    workers = int(spec.params["workers"])
    if peak > workers:
        return _failed("invariant", f"{peak} jobs ran at once in a pool of {workers} workers")
    return None
