"""The Ray executor: a sandbox pool on each node of a Ray cluster, fed from this process.

Each node gets one actor (``_ray_actor.NodePool``) holding a ``LocalPool``: the local executor's
own pool, so every verdict is judged under the same isolation and limits as on this machine,
and a node whose sandboxes obtain less than the minimum refuses exactly as a local worker does.
The ``workers`` asked for are the total over the cluster, spread over the nodes in proportion
to their CPUs (``_ray_cluster.spread``); each actor reserves that many CPUs of its node (at most
the node's own).

This process keeps a bounded window in flight: ``_PER_WORKER`` samples per worker of each
actor, the rest in a queue here (which the caller bounds: the run's session holds at most
``max(64, 8 * workers)`` samples between generation and verdict). One thread sends samples to
the actor with the most room and collects verdicts as they arrive; ``submit`` returns a future,
as the local pool's does, so the run commits each verdict as soon as it exists.

Faults are the harness's, never the model's. An actor or node that is lost (Ray reports the
actor dead or unreachable) is replaced, on the same node when it is still alive, else wherever
Ray finds the CPUs, and its samples in flight are sent again to the actors left, each alone on
its actor (one of them may be what killed it). A sample that was in flight on ``_LOSSES``
actors that were lost ends ``infra``, with the reasons; so does every waiting sample once no
actor is left and none could be started. See ``docs/scale.md``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, InvalidStateError, wait
from dataclasses import dataclass, field
from typing import Any

from codehazard.errors import ArgumentError, SandboxError
from codehazard.executors._base import check_submittable
from codehazard.executors._ray_actor import NodePool, ray, refusal
from codehazard.executors._ray_cluster import Connection, alive_nodes, connect, least_isolation
from codehazard.executors._ray_cluster import spread as spread_workers
from codehazard.samples import Sample
from codehazard.sandbox import IsolationRefused, Limits, isolation_record, require_isolation_kept
from codehazard.sandbox import parse_isolation_level as parse_level
from codehazard.tasks import Task, kind_sources
from codehazard.verdict import Verdict

_START_TIMEOUT = 120.0
"""Seconds an actor may take to start: a Ray worker process, codehazard's import, its sandboxes.
An actor still waiting for CPUs after that is given up."""
_PER_WORKER = 3
"""Samples in flight per sandbox worker of an actor: the one it judges, the next already in its
connection (``_local.PIPELINE``), and one waiting in the actor, so no worker waits on the
network."""
_LOSSES = 3
"""A sample in flight on this many lost actors ends ``infra`` (it may be what kills them)."""
_POLL = 0.05
"""Seconds the dispatch thread waits for a verdict before looking for new samples."""


@dataclass
class _Work:
    """One sample on its way, and why the actors it was on were lost."""

    sample: Sample
    future: Future[Verdict]
    losses: list[str] = field(default_factory=list)


@dataclass(eq=False)
class _Member:
    """One actor: the node it runs on, its workers, what it has in flight."""

    actor: Any
    workers: int
    cpus: float
    node: dict[str, str] = field(default_factory=dict)
    isolation: dict[str, Any] | None = None
    starting: Any = None  # the start call's ObjectRef while the actor starts
    deadline: float = 0.0
    inflight: dict[Any, _Work] = field(default_factory=dict)

    @property
    def room(self) -> int:
        return self.workers * _PER_WORKER - len(self.inflight)

    @property
    def suspect(self) -> bool:
        """Whether a sample that was on a lost actor is in flight here (it is judged alone)."""
        return any(work.losses for work in self.inflight.values())

    @property
    def where(self) -> str:
        node = self.node
        return f"node {node.get('ip', '?')} ({node.get('id', '?')[:12]})" if node else "a node"


def _settle(future: Future[Verdict], verdict: Verdict | None, exc: BaseException | None) -> None:
    """Give ``future`` its verdict or exception, unless it was cancelled (a closing pool)."""
    try:
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(verdict)  # type: ignore[arg-type]
    except InvalidStateError:
        pass


def _refused(data: dict[str, Any], where: str) -> IsolationRefused:
    return IsolationRefused(
        f"{where}: {data['message']}",
        obtained=data["obtained"],
        required=data["required"],
        refused=list(data["refused"]),
    )


class RayExecutor:
    """Judge samples on the nodes of a Ray cluster, one sandbox pool per node.

    ``address``: ``None`` starts a local Ray runtime (shut down at ``close``); ``ray://HOST:PORT``
    joins a cluster through Ray Client; ``HOST:PORT`` or ``auto`` joins a cluster this machine
    is a node of (``connect``). ``workers`` is the total over the cluster. ``isolation`` is the
    least accepted, as for ``LocalPool``; the run's isolation is the least of the nodes'.

    Raises:
        ArgumentError: ``workers < 1``, a bad ``isolation``, or Ray already connected elsewhere.
        SandboxError: Ray cannot start or be reached, or a node's pool cannot start;
            ``IsolationRefused`` when a node's sandboxes obtain less than ``isolation``
            accepts (or less than another node's, in a way neither keeps).
    """

    def __init__(
        self,
        tasks: Mapping[str, Task],
        *,
        workers: int = 2,
        limits: Limits | None = None,
        isolation: str = "auto",
        address: str | None = None,
        retries: int = 2,
    ) -> None:
        if workers < 1:
            raise ArgumentError(f"workers must be at least 1, got {workers}")
        self.tasks = dict(tasks)
        self.limits = limits or Limits()
        self.minimum_isolation = parse_level(isolation)
        self._isolation_arg, self.retries = isolation, retries
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._queue: deque[_Work] = deque()
        self._members: list[_Member] = []  # started and judging
        self._starting: list[_Member] = []  # replacements on their way
        self._refs: dict[Any, _Member] = {}  # every call in flight, by its ObjectRef
        self._given_up: list[str] = []  # actors lost or never started, and why
        self._broken: SandboxError | None = None  # judging stopped: every sample gets it
        self._closed = False
        self._connection: Connection = connect(address)
        try:
            self._start(workers)
        except BaseException:
            self._teardown(self._starting)
            self._connection.close()
            raise
        self._replacements = max(8, 4 * len(self._members))
        self._thread = threading.Thread(target=self._loop, name="codehazard-ray", daemon=True)
        self._thread.start()

    # starting ---------------------------------------------------------------------------

    def _start(self, workers: int) -> None:
        tasks_json = [t.model_dump_json() for t in self.tasks.values()]
        sources = kind_sources({t.checker.kind for t in self.tasks.values()})
        self._payload = ray.put((tasks_json, sources))
        for node, share in spread_workers(alive_nodes(), workers):
            strategy = ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
                node.id, soft=False
            )
            self._spawn(share, min(float(share), node.cpus), strategy)
        starting = {m.starting: m for m in self._starting}
        ready, _ = ray.wait(list(starting), num_returns=len(starting), timeout=_START_TIMEOUT)
        for ref, member in starting.items():
            if ref not in ready:
                raise SandboxError(
                    f"the Ray executor's pool on node {member.node.get('id', '?')} did not start "
                    f"within {_START_TIMEOUT:.0f}s (are {member.cpus:g} of its CPUs free?)"
                )
            reply = self._reply(ref, member)
            if "refused" in reply:
                raise _refused(reply["refused"], member.where)
            if "ok" not in reply:
                raise SandboxError(
                    f"the Ray executor's pool on {member.where} did not start: {reply['failed']}"
                )
            member.isolation = reply["ok"]["isolation"]
        self._least = least_isolation(
            [m.isolation or {} for m in self._starting], self.minimum_isolation
        )
        self._members, self._starting = self._starting, []
        self._initial = list(self._members)
        self._refs.clear()

    def _spawn(self, workers: int, cpus: float, strategy: Any) -> _Member:
        actor = NodePool.options(num_cpus=cpus, scheduling_strategy=strategy).remote()
        member = _Member(actor, workers, cpus, deadline=time.monotonic() + _START_TIMEOUT)
        if isinstance(strategy, ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy):
            member.node = {"id": strategy.node_id}
        member.starting = actor.start.remote(
            self._payload, workers, self.limits, self._isolation_arg, self.retries
        )
        self._starting.append(member)
        self._refs[member.starting] = member
        return member

    def _reply(self, ref: Any, member: _Member) -> dict[str, Any]:
        """The start call's answer; the member learns its node from it.

        Raises:
            SandboxError: the actor died before it answered.
        """
        try:
            reply: dict[str, Any] = ray.get(ref)
        except ray.exceptions.RayError as exc:
            raise SandboxError(
                f"the Ray executor's pool on {member.where} did not start: {_first_line(exc)}"
            ) from None
        member.node = reply.get("node") or member.node
        return reply

    # the caller's side ------------------------------------------------------------------

    @property
    def isolation(self) -> dict[str, Any]:
        """The run's isolation: the least of the nodes' pools, with each node's workers."""
        nodes = [
            {**m.node, "workers": m.workers, "level": (m.isolation or {}).get("level")}
            for m in self._initial
        ]
        return {
            **isolation_record(self._least, self.minimum_isolation),
            "workers": sum(m.workers for m in self._initial),
            "executor": "ray",
            "nodes": nodes,
        }

    def submit(self, sample: Sample) -> Future[Verdict]:
        """Queue one sample; its task must be among the executor's tasks.

        Raises:
            KeyError: the sample's task is unknown to this executor (an ``UnknownNameError``).
            RuntimeError: the executor is closed.
        """
        check_submittable(self._closed, self.tasks, sample)
        future: Future[Verdict] = Future()
        with self._lock:
            if self._broken is not None:
                future.set_exception(self._broken)
            elif not self._members and not self._starting:
                future.set_result(self._starved())
            else:
                self._queue.append(_Work(sample, future))
        self._wake.set()
        return future

    def evaluate(self, samples: Iterable[Sample]) -> Iterator[tuple[Sample, Verdict]]:
        """Judge samples, yielding each with its verdict as soon as it is known; at most a
        window of them (twice what the actors hold) is submitted ahead of the verdicts."""
        window = max(64, 2 * sum(m.workers * _PER_WORKER for m in self._initial))
        pending: dict[Future[Verdict], Sample] = {}
        remaining = iter(samples)
        more = True
        while more or pending:
            while more and len(pending) < window:
                sample = next(remaining, None)
                if sample is None:
                    more = False
                else:
                    pending[self.submit(sample)] = sample
            if pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()

    def close(self) -> None:
        """Stop: samples not yet judged are cancelled, every pool is stopped (its workers,
        cgroups and uid leases released) and its actor ended; a Ray runtime the executor
        started is shut down, a connection it made is closed."""
        if self._closed:
            return
        with self._lock:
            self._closed = True
            works = [*self._queue, *(w for m in self._members for w in m.inflight.values())]
            self._queue.clear()
        for work in works:
            work.future.cancel()
        self._wake.set()
        self._thread.join()
        self._teardown([*self._members, *self._starting])
        self._connection.close()

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the dispatch thread ----------------------------------------------------------------

    def _loop(self) -> None:
        """Send queued samples to the actors with room; collect what comes back. Should Ray
        itself fail here (a Ray Client connection dropped), every sample not yet judged gets
        a ``SandboxError`` rather than waiting for ever (the run records them ``infra``)."""
        try:
            self._serve()
        except Exception as exc:
            with self._lock:
                self._refuse(SandboxError(f"the Ray executor lost its cluster: {exc}"), [])

    def _serve(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                self._dispatch()
                refs = list(self._refs)
            if not refs:
                self._wake.wait(_POLL)
                self._wake.clear()
                continue
            ready, _ = ray.wait(refs, num_returns=1, timeout=_POLL)
            if ready:
                ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
            with self._lock:
                if self._closed:
                    return
                for ref in ready:
                    self._collect(ref)
                self._check_deadlines()

    def _dispatch(self) -> None:
        """Send the queue's samples, in order, to the actors with the most room (in turn, among
        equals). A sample that
        was on a lost actor goes to an actor with nothing else in flight, and nothing joins it
        there: if it is what kills actors, it takes no other sample with it again."""
        while self._queue and self._members:
            work = self._queue[0]
            if work.future.cancelled():
                self._queue.popleft()
                continue
            if work.losses:
                fit = [m for m in self._members if not m.inflight]
            else:
                fit = [m for m in self._members if m.room > 0 and not m.suspect]
            if not fit:
                return
            member = max(fit, key=lambda m: m.room)  # the first of those with the most room,
            self._members.remove(member)  # and it goes last: a trickle of samples is spread
            self._members.append(member)
            self._queue.popleft()
            sample = work.sample
            ref = member.actor.judge.remote(
                sample.key, sample.task_id, sample.index, sample.program
            )
            member.inflight[ref] = work
            self._refs[ref] = member

    def _collect(self, ref: Any) -> None:
        member = self._refs.pop(ref, None)
        if member is None:  # its actor was given up already
            return
        if member.starting is not None and ref == member.starting:
            self._started(member, ref)
            return
        work = member.inflight.pop(ref)
        try:
            reply = ray.get(ref)
        except ray.exceptions.RayTaskError as exc:  # the actor's method raised: a bug of ours
            _settle(work.future, self._infra(f"{member.where}: {_first_line(exc)}", member), None)
        except ray.exceptions.RayError as exc:  # the actor, or its node, is gone
            self._lose(member, exc, [work])
        else:
            self._answer(member, work, reply)

    def _answer(self, member: _Member, work: _Work, reply: dict[str, Any]) -> None:
        if "verdict" in reply:
            _settle(work.future, Verdict.model_validate(reply["verdict"]), None)
        elif "refused" in reply:  # a worker restarted on that node obtained less: stop
            self._refuse(_refused(reply["refused"], member.where), [work])
        else:
            detail = f"the sandbox pool on {member.where} failed: {reply.get('error')}"
            _settle(work.future, self._infra(detail, member), None)

    # faults -----------------------------------------------------------------------------

    def _lose(self, member: _Member, exc: BaseException, works: list[_Work]) -> None:
        """``member``'s actor is gone: its samples go back to the queue's front (or end
        ``infra`` after ``_LOSSES`` losses), and a replacement is started."""
        reason = f"the Ray actor on {member.where} was lost ({type(exc).__name__}: "
        reason += f"{_first_line(exc)})"
        works = [*works, *member.inflight.values()]
        for ref in member.inflight:
            self._refs.pop(ref, None)
        member.inflight.clear()
        if member in self._members:
            self._members.remove(member)
        self._given_up.append(reason)
        _kill(member.actor)
        for work in reversed(works):
            work.losses.append(reason)
            if len(work.losses) >= _LOSSES:
                detail = (
                    f"not judged: the Ray actors it was sent to were lost {len(work.losses)} "
                    f"times ({'; '.join(work.losses)})"
                )
                _settle(work.future, self._infra(detail, member), None)
            else:
                self._queue.appendleft(work)
        if self._replacements > 0:
            self._replacements -= 1
            node = member.node.get("id")
            strategy: Any = "DEFAULT"
            if node:  # there again while that node lives, else wherever Ray finds the CPUs
                strategy = ray.util.scheduling_strategies.NodeAffinitySchedulingStrategy(
                    node, soft=True
                )
            self._spawn(member.workers, member.cpus, strategy)
        self._starve_if_alone()

    def _started(self, member: _Member, ref: Any) -> None:
        """A replacement answered its start: it judges from now on, unless it obtained less
        isolation than the run started with (then the run stops, as locally)."""
        self._starting.remove(member)
        member.starting = None
        try:
            reply = self._reply(ref, member)
        except SandboxError as exc:
            self._abandon(member, str(exc))
            return
        if "refused" in reply:
            _kill(member.actor)
            self._refuse(_refused(reply["refused"], f"{member.where} (a replacement)"), [])
            return
        if "ok" not in reply:
            self._abandon(member, f"a replacement on {member.where} failed: {reply['failed']}")
            return
        try:
            require_isolation_kept(self._least, reply["ok"]["isolation"], self.minimum_isolation)
        except IsolationRefused as exc:
            _kill(member.actor)
            where = f"{member.where} (a replacement)"
            self._refuse(_refused(refusal(exc), where), [])
            return
        member.isolation = reply["ok"]["isolation"]
        self._members.append(member)

    def _check_deadlines(self) -> None:
        now = time.monotonic()
        for member in [m for m in self._starting if now > m.deadline]:
            self._starting.remove(member)
            self._refs.pop(member.starting, None)
            self._abandon(
                member,
                f"a replacement pool did not start within {_START_TIMEOUT:.0f}s (no node had "
                f"{member.cpus:g} free CPUs)",
            )

    def _abandon(self, member: _Member, reason: str) -> None:
        _kill(member.actor)
        self._given_up.append(reason)
        self._starve_if_alone()

    def _starve_if_alone(self) -> None:
        """With no actor left and none starting, every waiting sample ends ``infra``."""
        if self._members or self._starting:
            return
        while self._queue:
            _settle(self._queue.popleft().future, self._starved(), None)

    def _starved(self) -> Verdict:
        return Verdict(
            status="infra",
            detail="not judged: no Ray actor is left to judge it, and none could be started ("
            + "; ".join(self._given_up[-4:])
            + ")",
        )

    def _refuse(self, exc: SandboxError, works: list[_Work]) -> None:
        """Stop judging: every sample not yet judged, and every one submitted later, gets
        ``exc`` (an ``IsolationRefused`` stops the run)."""
        self._broken = exc
        works = [*works, *self._queue, *(w for m in self._members for w in m.inflight.values())]
        self._queue.clear()
        for member in self._members:
            for ref in member.inflight:
                self._refs.pop(ref, None)
            member.inflight.clear()
        for work in works:
            _settle(work.future, None, exc)

    def _infra(self, detail: str, member: _Member) -> Verdict:
        return Verdict(status="infra", detail=detail, isolation={"node": member.node})

    def _teardown(self, members: list[_Member]) -> None:
        """Stop the members' pools (a grace period), then end their actors."""
        started = [m.actor.close.remote() for m in members if m.isolation is not None]
        if started:
            try:
                ray.wait(started, num_returns=len(started), timeout=30)
            except ray.exceptions.RayError:
                pass
        for member in members:
            _kill(member.actor)


def _kill(actor: Any) -> None:
    try:
        ray.kill(actor, no_restart=True)
    except Exception:  # already dead, or Ray gone: nothing left to end
        pass


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]
