"""Studies and participants: create, invite, and everything a participant does on a task.

Each participant is an ordinary run of the store whose model is ``human/<pseudonym>``: its
tasks are the study's, and when the participant finishes a task (passes, gives up, or runs out
of the time budget) one sample is recorded with the final code and its sandbox verdict, plus a
``human`` score whose metadata holds the timings. So ``curves``, ``profile`` and ``report``
read a participant as they read a model.

Time on a task is active time: the clock runs while the task page is open and the participant
has not paused. The page reports every ``HEARTBEAT_S`` seconds; a gap between two reports is
counted up to ``GAP_CAP_S`` only, so a closed tab or a stopped server does not bill the time
away from the page. Every step is committed before it is answered, and a repeated submission
(a double click, a resent request) gets the verdict already recorded.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from codehazard.errors import ArgumentError, InputError, UnknownNameError
from codehazard.evaluation import code_version, host_profile
from codehazard.human._db import HumanTables, ParticipantRow
from codehazard.human._study import (
    DEFAULT_CONSENT,
    StudyConfig,
    check_config,
    distinct_order,
    select_tasks,
)
from codehazard.runs import RunConfig, RunManifest, build_summary, load_run
from codehazard.samples import Sample
from codehazard.store import Score, Store
from codehazard.tasks import Task
from codehazard.verdict import Verdict

HUMAN_SCORER = "human"
HEARTBEAT_S = 15.0
GAP_CAP_S = 60.0
MAX_CODE_CHARS = 100_000


class Judge(Protocol):
    """What judges a participant's code (``SandboxJudge`` in the sandbox)."""

    async def judge(self, task_id: str, program: str, *, examples: bool = False) -> Verdict:
        """The verdict on ``program``."""
        ...


@dataclass(frozen=True)
class Study:
    """A stored study: its id, design, tasks (in the study's order) and consent text."""

    id: str
    created: float
    config: StudyConfig
    task_ids: list[str]
    consent: str


@dataclass(frozen=True)
class Invitation:
    """A new participant: pseudonym, private token (shown once) and run id."""

    pseudonym: str
    token: str
    run_id: str


def create_study(
    store: Store, config: StudyConfig, *, consent: str | None = None
) -> tuple[Study, str]:
    """Record a new study; returns it and the operator's token (shown once, stored hashed).

    Raises:
        ArgumentError: a bad design (see ``check_config``, ``select_tasks``).
        InputError: an unknown suite or parameter.
    """
    check_config(config)
    tasks = select_tasks(config, config.source().load())
    study_id = "h" + time.strftime("%Y%m%d", time.gmtime()) + "-" + secrets.token_hex(3)
    operator = secrets.token_urlsafe(24)
    HumanTables(store).add_study(
        study_id, config.model_dump_json(), [t.task_id for t in tasks],
        consent if consent is not None else DEFAULT_CONSENT, operator,
    )  # fmt: skip
    return load_study(store, study_id), operator


def load_study(store: Store, study_id: str) -> Study:
    """The stored study with this id (or unique prefix).

    Raises:
        UnknownNameError: no such study (the message lists the store's studies).
    """
    tables = HumanTables(store)
    ids = tables.study_ids()
    matches = [i for i in ids if i == study_id] or [i for i in ids if i.startswith(study_id)]
    if len(matches) != 1:
        raise UnknownNameError(
            f"`study={study_id}`: {'ambiguous' if matches else 'no such study'} in "
            f"{store.path}; studies: {', '.join(ids) or 'none'}"
        )
    row = tables.study_row(matches[0])
    assert row is not None
    return Study(row[0], row[1], StudyConfig.model_validate_json(row[2]), row[3], row[4])


def new_operator_token(store: Store, study: Study) -> str:
    """A new operator token for the study (shown once; the previous one stops working)."""
    token = secrets.token_urlsafe(24)
    HumanTables(store).set_operator(study.id, token)
    return token


def study_tasks(study: Study) -> list[Task]:
    """The study's tasks, rebuilt from its suites (byte-identical), in the study's order.

    Raises:
        InputError: a task of the study is no longer made by its suites.
    """
    built = {t.task_id: t for t in study.config.source().load()}
    missing = [t for t in study.task_ids if t not in built]
    if missing:
        raise InputError(f"study {study.id}: its suites no longer make task {missing[0]!r}")
    return [built[t] for t in study.task_ids]


def _manifest(study: Study, pseudonym: str, n_tasks: int, seq: int) -> RunManifest:
    model = f"human/{pseudonym}"
    config = RunConfig(
        model=model,
        tasks_source=study.config.source().record(),
        limits={"timeout": study.config.timeout_s},
        ks=(1,),
        scorers=(),
    )
    return RunManifest(
        model=model, config=config, n_tasks=n_tasks, planned_samples=n_tasks,
        backend={"name": "human", "study": study.id, "pseudonym": pseudonym},
        seeds={"study": study.config.seed, "order": seq}, code_version=code_version(),
        host=host_profile(),
    )  # fmt: skip


def invite(
    store: Store, study: Study, count: int, *, tasks: Sequence[Task] = ()
) -> list[Invitation]:
    """Add ``count`` participants, each with a pseudonym, a private token and a run.

    Raises:
        ArgumentError: ``count`` below 1.
        InputError: the study's tasks cannot be rebuilt.
    """
    if count < 1:
        raise ArgumentError(f"`participants` must be at least 1, got {count}")
    tasks = list(tasks) or study_tasks(study)
    tables = HumanTables(store)
    out = []
    for _ in range(count):
        seq = tables.next_seq(study.id)
        pseudonym = f"{study.id[-6:]}-p{seq + 1:02d}"
        taken = [p.order for p in tables.participants(study.id)]
        order = distinct_order(tasks, study.config.seed, seq, taken)
        manifest = _manifest(study, pseudonym, len(tasks), seq)
        run_id = store.create_run("run", manifest.to_params())
        by_id = {t.task_id: t for t in tasks}
        store.add_tasks(run_id, [by_id[t] for t in order])
        token = secrets.token_urlsafe(24)
        row = ParticipantRow(f"{study.id}/{seq}", study.id, seq, pseudonym, run_id, order,
                             time.time(), None, 0, False)  # fmt: skip
        tables.add_participant(row, token)
        out.append(Invitation(pseudonym, token, run_id))
    return out


def complete_run(store: Store, run_id: str) -> None:
    """Mark a participant's run complete with its summary, as a model's run ends."""
    summary = build_summary(store, run_id, load_run(store, run_id).manifest.config)
    store.set_run_status(run_id, "complete", summary.model_dump(mode="json"))


def study_runs(store: Store, study: Study) -> list[str]:
    """The run ids of the study's participants, in the order they were invited."""
    return [p.run_id for p in HumanTables(store).participants(study.id)]


def delete_participant(store: Store, study: Study, pseudonym: str) -> str:
    """Remove a participant: their rows, attempts and run. Returns the run id removed.

    Raises:
        UnknownNameError: no participant of the study has that pseudonym.
    """
    tables = HumanTables(store)
    found = [p for p in tables.participants(study.id) if p.pseudonym == pseudonym]
    if not found:
        raise UnknownNameError(f"no participant {pseudonym!r} in study {study.id}")
    tables.delete_participant(found[0].id)
    store.delete_run(found[0].run_id)
    return found[0].run_id


class NotFound(InputError):
    """No participant has this token (or the task is not theirs): answered as 404."""


class ParticipantService:
    """A participant's actions on a study, by token. Every method touches the clock first.

    ``clock`` is the time source (``time.time``). Methods raise ``NotFound`` for a token no
    participant has, or a task that is not the participant's current one, and
    ``ArgumentError`` for a malformed input; neither changes anything recorded.
    """

    def __init__(
        self, store: Store, study: Study, tasks: Sequence[Task], judge: Judge,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.store, self.study, self.judge, self.clock = store, study, judge, clock
        self.tables = HumanTables(store)
        self.tasks = {t.task_id: t for t in tasks}
        self._locks: dict[str, asyncio.Lock] = {}

    # lookup ---------------------------------------------------------------------------------

    def participant(self, token: str) -> ParticipantRow:
        """The token's participant (of this study).

        Raises:
            NotFound: no participant of this study has the token.
        """
        row = self.tables.participant_by_token(token) if token else None
        if row is None or row.study_id != self.study.id:
            raise NotFound("no such participant")
        return row

    def _current(self, row: ParticipantRow, task_id: str | None) -> str | None:
        current = row.order[row.position] if row.position < len(row.order) else None
        if task_id is not None and task_id != current:
            raise NotFound(f"task {task_id!r} is not the participant's current task")
        return current

    # the clock ------------------------------------------------------------------------------

    def _touch(self, row: ParticipantRow) -> dict[str, Any] | None:
        """Count the active time since the last report on the current task; end the task
        when its budget is spent. Returns the current task's progress (``None``: no task)."""
        task_id = self._current(row, None)
        if task_id is None or row.consented is None:
            return None
        now = self.clock()
        prog = self.tables.progress(row.id, task_id)
        if prog is None:
            self.tables.open_task(row.id, task_id, now, self.tasks[task_id].prompt)
            return self.tables.progress(row.id, task_id)
        if prog["done"]:
            return prog
        gained = 0.0 if row.paused else min(max(0.0, now - prog["last_seen"]), GAP_CAP_S)
        active = prog["active_s"] + gained
        self.tables.set_progress(row.id, task_id, last_seen=now, active_s=active)
        prog = prog | {"last_seen": now, "active_s": active}
        if active >= self.study.config.time_budget_s:
            self._finish(row, prog, out_of_time=True)
            prog = self.tables.progress(row.id, task_id) or prog
        return prog

    # answers --------------------------------------------------------------------------------

    def state(self, token: str) -> dict[str, Any]:
        """What the participant's page shows now.

        Raises:
            NotFound: an unknown token.
        """
        row = self.participant(token)
        prog = self._touch(row)
        row = self.participant(token)
        if prog is not None and prog["done"]:  # finished by the budget just now: move on
            prog = self._touch(row)
        base: dict[str, Any] = {"pseudonym": row.pseudonym, "total": len(row.order),
                                "position": row.position, "paused": row.paused,
                                "heartbeat_s": HEARTBEAT_S}  # fmt: skip
        if row.consented is None:
            return base | {"stage": "consent", "consent": self.study.consent}
        if prog is None:
            return base | {"stage": "finished"}
        task = self.tasks[prog["task_id"]]
        return base | {
            "stage": "task",
            "task_id": task.task_id,
            "prompt": task.prompt,
            "draft": prog["draft"],
            "attempts": prog["attempts"],
            "active_s": round(prog["active_s"], 1),
            "budget_s": self.study.config.time_budget_s,
            "last": self._last_verdict(row, task.task_id),
        }

    def _last_verdict(self, row: ParticipantRow, task_id: str) -> dict[str, Any] | None:
        attempts = self.tables.attempts(row.id, task_id)
        if not attempts:
            return None
        last = attempts[-1]
        return {"n": last["n"], "status": last["status"], "message": _shown(last["status"])}

    def consent(self, token: str, agree: bool) -> dict[str, Any]:
        """Record the participant's consent (``agree`` must be true).

        Raises:
            NotFound: an unknown token.
            ArgumentError: ``agree`` is not true.
        """
        row = self.participant(token)
        if agree is not True:
            raise ArgumentError("field 'agree' must be true to take part")
        if row.consented is None:
            self.tables.update_participant(row.id, consented=self.clock())
        return self.state(token)

    def heartbeat(
        self, token: str, task_id: str | None = None, draft: str | None = None
    ) -> dict[str, Any]:
        """The page is open: count the time, keep the draft.

        Raises:
            NotFound: an unknown token or a task that is not the current one.
            ArgumentError: a draft that is not text or too long.
        """
        row = self.participant(token)
        self._current(row, task_id)
        prog = self._touch(row)
        if draft is not None and prog is not None and not prog["done"]:
            self.tables.set_progress(row.id, prog["task_id"], draft=_code(draft))
        return self.state(token)

    def pause(self, token: str, paused: bool) -> dict[str, Any]:
        """Pause (the clock stops) or resume.

        Raises:
            NotFound: an unknown token.
        """
        row = self.participant(token)
        self._touch(row)
        self.tables.update_participant(row.id, paused=int(bool(paused)))
        prog = self._touch(self.participant(token))  # resumes from now, not from the pause
        if prog is not None and not paused:
            self.tables.set_progress(row.id, prog["task_id"], last_seen=self.clock())
        return self.state(token)

    def _lock(self, row: ParticipantRow) -> asyncio.Lock:
        return self._locks.setdefault(row.id, asyncio.Lock())

    def _ready(self, token: str, task_id: str) -> tuple[ParticipantRow, dict[str, Any]]:
        row = self.participant(token)
        self._current(row, task_id)
        if row.paused:
            raise ArgumentError("the study is paused: resume it first")
        prog = self._touch(row)
        if prog is None or prog["done"]:
            raise NotFound(f"task {task_id!r} is finished")
        return row, prog

    async def examples(self, token: str, task_id: str, code: str) -> dict[str, Any]:
        """Run the prompt's examples on ``code`` in the sandbox (not an attempt).

        Raises:
            NotFound, ArgumentError: as ``heartbeat``; also a paused study.
        """
        code = _code(code)
        row, prog = self._ready(token, task_id)
        self.tables.set_progress(row.id, task_id, draft=code,
                                 example_runs=prog["example_runs"] + 1)  # fmt: skip
        verdict = await self.judge.judge(task_id, code, examples=True)
        shown = {"status": verdict.status, "message": _shown(verdict.status)}
        if verdict.status == "failed" and verdict.failing_input:  # the prompt's own example
            entry = self.tasks[task_id].entry_point
            shown["example"] = verdict.failing_input.replace("candidate(", entry + "(")
            shown["expected"], shown["actual"] = verdict.expected, verdict.actual
        return shown

    async def submit(self, token: str, task_id: str, code: str, seq: int) -> dict[str, Any]:
        """Judge ``code`` with the full checker as attempt ``seq`` (1, 2, ...). A ``seq``
        already recorded gets that attempt's verdict back and changes nothing.

        Raises:
            NotFound, ArgumentError: as ``examples``; also a ``seq`` past the next attempt.
        """
        code = _code(code)
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise ArgumentError("field 'seq' must be the attempt's number, 1 or more")
        row = self.participant(token)
        async with self._lock(row):
            done = self.tables.attempts(row.id, task_id)
            if seq <= len(done):
                return _answer(done[seq - 1]["status"], seq, repeated=True) | self._next(token)
            if seq != len(done) + 1:
                raise ArgumentError(f"field 'seq' is {seq}: the next attempt is {len(done) + 1}")
            row, prog = self._ready(token, task_id)
            verdict = await self.judge.judge(task_id, code)
            if verdict.status == "infra":  # the harness failed: not the participant's attempt
                return _answer(verdict.status, seq) | self._next(token)
            prog = self._touch(self.participant(token)) or prog
            if prog["done"] or prog["task_id"] != task_id:  # the budget ran out meanwhile
                return _answer(verdict.status, seq) | {"late": True} | self._next(token)
            elapsed = prog["active_s"]
            update: dict[str, Any] = {"attempts": seq, "draft": code, "verdict": verdict.status}
            if prog["first_submit_s"] is None:
                update["first_submit_s"] = elapsed
            if verdict.passed:
                update["pass_s"] = elapsed
            self.tables.add_attempt(row.id, task_id, seq, elapsed, code,
                                    verdict.model_dump_json(), verdict.status, update)  # fmt: skip
            if verdict.passed:
                self._finish(row, prog | update)
        return _answer(verdict.status, seq) | self._next(token)

    def give_up(self, token: str, task_id: str, comment: str = "") -> dict[str, Any]:
        """End the current task as given up (the last submission, if any, is its answer).

        Raises:
            NotFound, ArgumentError: as ``heartbeat``.
        """
        row = self.participant(token)
        self._current(row, task_id)
        prog = self._touch(row)
        if prog is None or prog["done"]:
            raise NotFound(f"task {task_id!r} is finished")
        if not isinstance(comment, str) or len(comment) > 2000:
            raise ArgumentError("field 'comment' must be text of at most 2000 characters")
        self.tables.set_progress(row.id, task_id, gave_up=1, comment=comment)
        self._finish(row, prog | {"gave_up": 1})
        return self.state(token)

    def _next(self, token: str) -> dict[str, Any]:
        return {"state": self.state(token)}

    # ending a task --------------------------------------------------------------------------

    def _finish(
        self, row: ParticipantRow, prog: dict[str, Any], *, out_of_time: bool = False
    ) -> None:
        """Record the task's sample, verdict and timings in the participant's run, then move
        on. Safe to repeat: the run's sample is kept as first recorded."""
        task_id = prog["task_id"]
        attempts = self.tables.attempts(row.id, task_id)
        if attempts:
            program = attempts[-1]["code"]
            verdict = Verdict.model_validate_json(attempts[-1]["verdict"])
        else:
            why = "ran out of time" if out_of_time else "gave up"
            program = prog["draft"]
            verdict = Verdict(status="failed", detail=f"no solution was submitted ({why})")
        timings = {
            "time_to_first_submission_s": prog["first_submit_s"],
            "time_to_pass_s": prog["pass_s"] if verdict.passed else None,
            "active_s": prog["active_s"],
            "attempts": len(attempts),
            "example_runs": prog["example_runs"],
            "gave_up": bool(prog["gave_up"]),
            "out_of_time": out_of_time,
            "study": self.study.id,
        }
        key = f"{task_id}#0"
        sample = Sample(key, task_id, 0, {"solution": program}, program, {"human": timings})
        self.store.add_samples(row.run_id, [sample])
        self.store.record_verdict(row.run_id, key, verdict)
        self.store.record_score(row.run_id, Score(
            key=key, scorer=HUMAN_SCORER, value=1.0 if verdict.passed else 0.0,
            explanation="a participant's final answer and timings", metadata=timings,
        ))  # fmt: skip
        self.tables.set_progress(row.id, task_id, done=1, out_of_time=int(out_of_time))
        position = row.order.index(task_id) + 1
        self.tables.update_participant(row.id, position=position)
        if position >= len(row.order):
            complete_run(self.store, row.run_id)


_MESSAGES = {
    "passed": "Passed: your function meets the specification.",
    "failed": "Not yet: your function gives a wrong answer on some input.",
    "error": "Your function raised an exception on some input.",
    "timeout": "Your function took too long on some input.",
    "memory": "Your function used too much memory.",
    "syntax": "The code does not compile (a syntax error), or the function is missing.",
    "infra": "The checker could not run (not your fault): submit again.",
}


def _shown(status: str) -> str:
    """What a participant is told about a verdict: its kind, never the test that decided it."""
    return _MESSAGES.get(status, status)


def _answer(status: str, seq: int, *, repeated: bool = False) -> dict[str, Any]:
    return {"n": seq, "status": status, "message": _shown(status), "repeated": repeated}


def _code(code: Any) -> str:
    if not isinstance(code, str):
        raise ArgumentError("field 'code' must be text")
    if len(code) > MAX_CODE_CHARS:
        raise ArgumentError(f"field 'code' is longer than {MAX_CODE_CHARS} characters")
    return code
