"""A study's results, its export and the import of a study run elsewhere.

Results read the participants' runs (the one record of what they did): per participant, each
finished task's verdict and timings; pooled over participants, per dimension and level, the
pass rate with the two-way interval (participants and tasks both vary,
``codehazard.scoring.crossed_rate``) and the mean times with theirs. The export is one CSV
line per participant and finished task, without free text (comments, code); ``import_results``
reads the same columns back into runs of a new study, so a study run on another machine joins
this store's analyses.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from codehazard.errors import InputError
from codehazard.human._db import HumanTables
from codehazard.human._service import (
    HUMAN_SCORER,
    Study,
    complete_run,
    create_study,
    invite,
    study_tasks,
)
from codehazard.human._study import StudyConfig
from codehazard.samples import Sample
from codehazard.scoring import CROSSED_METHOD, crossed_mean, dimension_of, level_of, pooled_levels
from codehazard.store import Record, Score, Store
from codehazard.verdict import Verdict

CSV_COLUMNS = (
    "pseudonym", "task_id", "dimension", "level", "passed", "attempts",
    "time_to_first_submission_s", "time_to_pass_s", "active_s", "gave_up", "out_of_time",
)  # fmt: skip


class Interval2(BaseModel):
    """An interval's ends."""

    model_config = ConfigDict(frozen=True)
    low: float
    high: float


class HumanLevel(BaseModel):
    """The participants pooled on one dimension at one level."""

    model_config = ConfigDict(frozen=True)
    dimension: str
    level: int
    n_participants: int
    n_tasks: int
    n_observations: int
    pass_rate: float
    interval: Interval2
    mean_time_to_pass_s: float | None = None
    time_to_pass_interval: Interval2 | None = None
    mean_time_to_first_submission_s: float | None = None
    gave_up: int = 0


class StudyResults(BaseModel):
    """What ``codehazard human results`` prints (``--json``)."""

    model_config = ConfigDict(frozen=True)
    kind: str = "codehazard-human-results"
    study: str
    config: dict[str, Any]
    confidence: float
    interval_method: str = CROSSED_METHOD
    participants: list[dict[str, Any]] = Field(default_factory=list)
    levels: list[HumanLevel] = Field(default_factory=list)


def _rows(store: Store, study: Study) -> tuple[list[dict[str, Any]], dict[str, list[Record]]]:
    rows, records = [], {}
    for p in HumanTables(store).participants(study.id):
        finished = [r for r in store.records(p.run_id) if r.verdict is not None]
        records[p.pseudonym] = finished
        for rec in finished:
            t = rec.details.get(HUMAN_SCORER, {})
            rows.append({
                "pseudonym": p.pseudonym, "task_id": rec.task_id,
                "dimension": dimension_of(rec.metadata) or "",
                "level": level_of(rec.metadata, "level"), "passed": rec.passed,
                "attempts": t.get("attempts"),
                "time_to_first_submission_s": t.get("time_to_first_submission_s"),
                "time_to_pass_s": t.get("time_to_pass_s"), "active_s": t.get("active_s"),
                "gave_up": bool(t.get("gave_up")), "out_of_time": bool(t.get("out_of_time")),
            })  # fmt: skip
    return rows, records


def study_results(store: Store, study: Study, *, confidence: float = 0.95) -> StudyResults:
    """The study's results (see the module's docstring).

    Raises:
        ArgumentError: a confidence outside (0, 1).
    """
    rows, records = _rows(store, study)
    times: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        times[(row["dimension"], row["level"])].append(row)
    levels = []
    for pooled in pooled_levels(records, confidence=confidence):
        cell = times[(pooled.dimension, pooled.level)]
        passes = [(r["pseudonym"], r["task_id"], float(r["time_to_pass_s"]))
                  for r in cell if r["time_to_pass_s"] is not None]  # fmt: skip
        firsts = [(r["pseudonym"], r["task_id"], float(r["time_to_first_submission_s"]))
                  for r in cell if r["time_to_first_submission_s"] is not None]  # fmt: skip
        to_pass = crossed_mean(passes, confidence=confidence) if passes else None
        rate = pooled.rate
        levels.append(HumanLevel(
            dimension=pooled.dimension, level=pooled.level,
            n_participants=rate.n_participants, n_tasks=rate.n_tasks,
            n_observations=rate.n_observations, pass_rate=rate.value,
            interval=Interval2(low=rate.interval.low, high=rate.interval.high)
            if rate.interval else Interval2(low=0.0, high=1.0),
            mean_time_to_pass_s=to_pass.value if to_pass else None,
            time_to_pass_interval=Interval2(low=to_pass.interval.low, high=to_pass.interval.high)
            if to_pass and to_pass.interval else None,
            mean_time_to_first_submission_s=crossed_mean(firsts).value if firsts else None,
            gave_up=sum(1 for r in cell if r["gave_up"]),
        ))  # fmt: skip
    people = []
    for p in HumanTables(store).participants(study.id):
        mine = [r for r in rows if r["pseudonym"] == p.pseudonym]
        people.append({"pseudonym": p.pseudonym, "run_id": p.run_id, "done": len(mine),
                       "tasks": len(p.order), "passed": sum(r["passed"] for r in mine),
                       "consented": p.consented is not None})  # fmt: skip
    return StudyResults(study=study.id, config=study.config.model_dump(mode="json"),
                        confidence=confidence, participants=people, levels=levels)  # fmt: skip


def export_csv(store: Store, study: Study) -> str:
    """The study's finished tasks as CSV (``CSV_COLUMNS``): no code, no comments."""
    rows, _ = _rows(store, study)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _number(value: str, column: str, where: str) -> float | None:
    if value.strip() == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{where}: column {column!r} is not a number: {value!r}") from None


def _flag(value: str, column: str, where: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no", ""):
        return False
    raise InputError(f"{where}: column {column!r} must be true or false, got {value!r}")


def import_results(store: Store, path: str | Path, config: StudyConfig) -> Study:
    """Read a results CSV (``CSV_COLUMNS``; ``pseudonym``, ``task_id`` and ``passed``
    required) into a new study of ``config``'s design: one run per pseudonym.

    Raises:
        InputError: the file is unreadable, a required column is missing, a value is
            malformed, or a task id is not among the design's tasks (the message names the
            line).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the results file ({exc.strerror})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = {"pseudonym", "task_id", "passed"} - set(reader.fieldnames or ())
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    by_person: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for line, row in enumerate(reader, start=2):
        by_person[row["pseudonym"].strip()].append((line, row))
    study, _ = create_study(store, config.model_copy(update={"per_level": config.per_level}))
    tasks = {t.task_id: t for t in study_tasks(study)}
    for line, row in (x for rows in by_person.values() for x in rows):
        if row["task_id"] not in tasks:
            raise InputError(f"{path}:{line}: task {row['task_id']!r} is not in the design")
    for pseudonym, rows in by_person.items():
        (inv,) = invite(store, study, 1, tasks=list(tasks.values()))
        for line, row in rows:
            _import_row(store, inv.run_id, row, f"{path}:{line}", pseudonym)
        complete_run(store, inv.run_id)
    return study


def _import_row(store: Store, run_id: str, row: dict[str, str], where: str, who: str) -> None:
    passed = _flag(row["passed"], "passed", where)
    timings = {
        c: _number(row.get(c) or "", c, where)
        for c in ("time_to_first_submission_s", "time_to_pass_s", "active_s", "attempts")
    } | {c: _flag(row.get(c) or "", c, where) for c in ("gave_up", "out_of_time")}
    timings |= {"imported": True, "pseudonym": who}
    key = f"{row['task_id']}#0"
    store.add_samples(run_id, [Sample(key, row["task_id"], 0, {"imported": True}, "",
                                      {"human": timings})])  # fmt: skip
    status = "passed" if passed else "failed"
    store.record_verdict(run_id, key, Verdict(status=status, detail="imported result"))
    store.record_score(run_id, Score(key=key, scorer=HUMAN_SCORER, value=float(passed),
                                     explanation="imported", metadata=timings))  # fmt: skip
