"""The capability profile: every dimension by level, one column group per model.

The framework's evaluation result is not one pass rate but where a model stops being
reliable: fine on a short, constrained specification, poor on a long, expressive or high-level
one. The profile puts every dimension the runs hold (``scoring.DIMENSIONS``: chain length,
variable binding, interdependence, temporal safety and liveness, concurrency, hyperproperties,
nondeterminism, abstraction, and any other a suite names) by level, and for each model:

* pass@1 per cell (a dimension at a level) with its interval, the project's one interval for
  a mean of per-task rates (the cluster-score interval, ``docs/metrics.md``), and the samples
  and tasks behind it;
* per threshold (default 0.8 and 0.5) the highest level up to which pass@1 stays at or above
  it ("reliable up to level N") and the level where it first falls below; the same read off
  the interval's lower end (``conservative_up_to``: reliable with the interval's confidence)
  and the first level whose whole interval is below (``certainly_below_at``);
* the failure breakdown: failed samples by the failure kind their verdict names, or by their
  status where the checker named none.

Nothing here knows a suite: a task is placed by its ``dimension`` and integer ``level``
metadata (former dimension names read as today's, ``scoring.dimension_of``), so a new suite
that writes them appears without code. ``capability_profile`` is pure (records in, a
versioned pydantic model out); ``profile_runs`` reads runs from a store and names each column
by the model its run manifest records. Rendering is in ``codehazard.report``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from codehazard.errors import ArgumentError
from codehazard.scoring import (
    DIMENSIONS,
    METHOD_LEGEND,
    TASK_MEAN_METHOD,
    LevelPoint,
    Scorable,
    dimension_of,
    human_ratio,
    level_of,
    level_points,
    pooled_levels,
    suite_of,
)

if TYPE_CHECKING:
    from codehazard.store import Store

PROFILE_SCHEMA_VERSION = 1
PROFILE_KIND = "codehazard-profile"
DEFAULT_THRESHOLDS: tuple[float, ...] = (0.8, 0.5)
LEVEL_KEY = "level"
GroupBy = Literal["model", "run"]
"""How runs become column groups: one per model (runs of one model pooled) or one per run."""


class CellInterval(BaseModel):
    """A cell's interval (its confidence and method are the profile's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    low: float
    high: float


class ProfileCell(BaseModel):
    """One model on one dimension at one level: pass@1 with its interval, and what failed.

    ``failures`` counts the checked samples that did not pass, by the failure kind their
    verdict names, else by their status (``failed``, ``error``, ``timeout``, ...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    level: int
    n_tasks: int
    n_samples: int
    passed: int
    pass_at_1: float
    interval: CellInterval
    failures: dict[str, int] = Field(default_factory=dict)


class Reliability(BaseModel):
    """Where one model's pass@1 on one dimension falls below ``threshold``.

    Levels are those measured, in order. ``reliable_up_to`` is the highest level such that
    pass@1 is at least the threshold there and at every lower level (``None``: already below at
    the lowest); ``falls_below_at`` the first level below it (``None``: none is).
    ``conservative_up_to`` is the same read off the interval's lower end (reliable with the
    profile's confidence), and ``certainly_below_at`` the first level whose interval lies wholly
    below the threshold.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    threshold: float
    reliable_up_to: int | None
    falls_below_at: int | None
    conservative_up_to: int | None
    certainly_below_at: int | None


class ModelDimension(BaseModel):
    """One model's cells on one dimension (empty when its runs hold none), its reliability per
    threshold and its failures summed over the levels."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    model: str
    cells: list[ProfileCell] = Field(default_factory=list)
    reliability: list[Reliability] = Field(default_factory=list)
    failures: dict[str, int] = Field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        """The checked samples behind the cells."""
        return sum(c.n_samples for c in self.cells)


class DimensionProfile(BaseModel):
    """One dimension: its label, the suites its tasks came from, the levels any model has, and
    one entry per model in the profile's order."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    dimension: str
    label: str
    suites: list[str]
    levels: list[int]
    models: list[ModelDimension]


class ProfileModel(BaseModel):
    """A column group: the model, the runs pooled into it, whether they were simulated, the
    checked samples in the profile and the samples left out of it, by why."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    model: str
    runs: list[str] = Field(default_factory=list)
    simulated: bool = False
    n_samples: int = 0
    left_out: dict[str, int] = Field(default_factory=dict)


HUMAN_PREFIX = "human/"
"""Column groups whose model starts so are study participants (``codehazard.human``)."""


class HumanBaselineCell(BaseModel):
    """The participants pooled on one dimension at one level (an interval over participants
    and tasks both, ``scoring.crossed_rate``) and each model's pass@1 divided by their rate
    there (``None``: the people passed nothing, or the model has no cell there)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    dimension: str
    level: int
    n_participants: int
    n_tasks: int
    pass_rate: float
    interval: CellInterval
    ratios: dict[str, float | None] = Field(default_factory=dict)


class CapabilityProfile(BaseModel):
    """The capability profile (what ``codehazard profile --json`` prints), versioned."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = PROFILE_SCHEMA_VERSION
    kind: Literal["codehazard-profile"] = PROFILE_KIND
    confidence: float
    interval_method: str = TASK_MEAN_METHOD
    interval_legend: str = METHOD_LEGEND[TASK_MEAN_METHOD]
    thresholds: list[float]
    models: list[ProfileModel]
    dimensions: list[DimensionProfile]
    human: list[HumanBaselineCell] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def dimension(self, name: str) -> DimensionProfile | None:
        """The dimension called ``name`` (a former name works too), ``None`` if absent."""
        wanted = dimension_of({"dimension": name})
        return next((d for d in self.dimensions if d.dimension == wanted), None)


@dataclass(frozen=True)
class ProfileSource:
    """The records of one column group: its model name, its runs, whether it is simulated."""

    model: str
    records: Sequence[Scorable]
    runs: tuple[str, ...] = ()
    simulated: bool = False


LEFT_OUT_REASONS = {
    "pending": "no verdict yet",
    "infra": "harness failure (infra)",
    "no-dimension": "task names no dimension",
    "no-level": "task has no integer level",
}
"""Why a sample is not in the profile, keyed as ``ProfileModel.left_out``."""


def _left_out_reason(record: Scorable) -> str | None:
    if record.status is None:
        return "pending"
    if record.status == "infra":
        return "infra"
    if dimension_of(record.metadata) is None:
        return "no-dimension"
    if level_of(record.metadata, LEVEL_KEY) is None:
        return "no-level"
    return None


def check_thresholds(thresholds: Iterable[float]) -> list[float]:
    """The thresholds, highest first.

    Raises:
        ArgumentError: none given, one outside (0, 1], or one given twice.
    """
    values = [float(t) for t in thresholds]
    if not values:
        raise ArgumentError("thresholds: give at least one pass rate, e.g. thresholds=(0.8, 0.5)")
    bad = [t for t in values if not 0 < t <= 1]
    if bad:
        raise ArgumentError(f"thresholds: {bad[0]:g} is not a pass rate in (0, 1]")
    if len(set(values)) != len(values):
        raise ArgumentError(f"thresholds: {values} names a threshold twice")
    return sorted(values, reverse=True)


def _failures(records: Iterable[Scorable]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for rec in records:
        if rec.status in (None, "infra", "passed"):
            continue
        kind = getattr(rec, "failure_kind", None)
        counts[kind if isinstance(kind, str) and kind else str(rec.status)] += 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _cell(point: LevelPoint, records: Sequence[Scorable]) -> ProfileCell:
    checked = [r for r in records if r.status not in (None, "infra")]
    return ProfileCell(
        level=int(point.level),
        n_tasks=point.n_tasks,
        n_samples=point.n_samples,
        passed=sum(1 for r in checked if r.passed),
        pass_at_1=point.pass_at_1,
        interval=CellInterval(low=point.interval.low, high=point.interval.high),
        failures=_failures(checked),
    )


def reliability(cells: Sequence[ProfileCell], threshold: float) -> Reliability:
    """Where the cells (one dimension, levels in order) fall below ``threshold``: by pass@1,
    by the interval's lower end, and where the whole interval is below."""

    def up_to(below: list[bool]) -> tuple[int | None, int | None]:
        first = next((i for i, b in enumerate(below) if b), None)
        if first is None:
            return (cells[-1].level if cells else None), None
        return (cells[first - 1].level if first else None), cells[first].level

    reliable, falls = up_to([c.pass_at_1 < threshold for c in cells])
    conservative, _ = up_to([c.interval.low < threshold for c in cells])
    certainly = next((c.level for c in cells if c.interval.high < threshold), None)
    return Reliability(
        threshold=threshold,
        reliable_up_to=reliable,
        falls_below_at=falls,
        conservative_up_to=conservative,
        certainly_below_at=certainly,
    )


def _model_dimension(
    model: str, records: Sequence[Scorable], thresholds: Sequence[float], confidence: float
) -> ModelDimension:
    if not any(r.status not in (None, "infra") for r in records):
        return ModelDimension(model=model)
    by_level: dict[int | None, list[Scorable]] = defaultdict(list)
    for rec in records:
        by_level[level_of(rec.metadata, LEVEL_KEY)].append(rec)  # every one has a level
    points = level_points(records, LEVEL_KEY, confidence=confidence)
    cells = [_cell(p, by_level[int(p.level)]) for p in points]
    return ModelDimension(
        model=model,
        cells=cells,
        reliability=[reliability(cells, t) for t in thresholds],
        failures=_failures(records),
    )


def _dimension_order(name: str) -> tuple[int, str]:
    known = list(DIMENSIONS)
    return (known.index(name) if name in known else len(known), name)


def _notes(models: Sequence[ProfileModel], dimensions: Sequence[DimensionProfile]) -> list[str]:
    notes = [
        f"{m.model}: simulated answers (a demonstration of the tool, not a measurement)"
        for m in models
        if m.simulated
    ]
    for m in models:
        if m.left_out:
            why = ", ".join(f"{n} {LEFT_OUT_REASONS.get(k, k)}" for k, n in m.left_out.items())
            notes.append(f"{m.model}: samples left out of the profile: {why}")
    if not dimensions:
        notes.append(
            "no sample of the runs belongs to a task with `dimension` and integer `level` "
            "metadata (every generated suite writes them; HumanEval-format files do not)"
        )
    return notes


def capability_profile(
    sources: Sequence[ProfileSource],
    *,
    thresholds: Iterable[float] = DEFAULT_THRESHOLDS,
    confidence: float = 0.95,
) -> CapabilityProfile:
    """The profile of some column groups' records: every dimension by level, side by side.

    Raises:
        ArgumentError: no sources, two with one model name, bad thresholds, or a confidence
            outside (0, 1).
    """
    if not 0 < confidence < 1:
        raise ArgumentError(f"confidence must be in (0, 1), got {confidence}")
    if not sources:
        raise ArgumentError("sources: give at least one column group of records")
    names = [s.model for s in sources]
    if len(set(names)) != len(names):
        raise ArgumentError(f"sources: model names must differ, got {names}")
    levels = check_thresholds(thresholds)
    placed: dict[str, dict[str, list[Scorable]]] = defaultdict(lambda: defaultdict(list))
    suites: dict[str, set[str]] = defaultdict(set)
    models = []
    for source in sources:
        left: Counter[str] = Counter()
        for rec in source.records:
            reason = _left_out_reason(rec)
            if reason is not None:
                left[reason] += 1
                continue
            dimension = dimension_of(rec.metadata) or ""
            placed[dimension][source.model].append(rec)
            suites[dimension].add(suite_of(rec) or "-")
        models.append(
            ProfileModel(
                model=source.model,
                runs=list(source.runs),
                simulated=source.simulated,
                n_samples=sum(len(p.get(source.model, ())) for p in placed.values()),
                left_out=dict(sorted(left.items())),
            )
        )
    dimensions = []
    for name in sorted(placed, key=_dimension_order):
        entries = [
            _model_dimension(s.model, placed[name].get(s.model, []), levels, confidence)
            for s in sources
        ]
        dimensions.append(
            DimensionProfile(
                dimension=name,
                label=DIMENSIONS.get(name, name),
                suites=sorted(suites[name]),
                levels=sorted({c.level for e in entries for c in e.cells}),
                models=entries,
            )
        )
    return CapabilityProfile(
        confidence=confidence,
        thresholds=levels,
        models=models,
        dimensions=dimensions,
        human=_human_baseline(placed, dimensions, confidence),
        notes=_notes(models, dimensions),
    )


def _human_baseline(
    placed: dict[str, dict[str, list[Scorable]]],
    dimensions: Sequence[DimensionProfile],
    confidence: float,
) -> list[HumanBaselineCell]:
    """The participants' pooled cells and every other model's ratio to them, per level."""
    people = {
        model: recs
        for by_model in placed.values()
        for model, recs in by_model.items()
        if model.startswith(HUMAN_PREFIX)
    }
    if not people:
        return []
    cells = []
    for pooled in pooled_levels(people, key=LEVEL_KEY, confidence=confidence):
        ratios: dict[str, float | None] = {}
        for d in dimensions:
            if d.dimension != pooled.dimension:
                continue
            for m in d.models:
                if m.model.startswith(HUMAN_PREFIX):
                    continue
                cell = next((c for c in m.cells if c.level == pooled.level), None)
                ratios[m.model] = (
                    None if cell is None else human_ratio(cell.pass_at_1, pooled.rate.value)
                )
        interval = pooled.rate.interval
        cells.append(
            HumanBaselineCell(
                dimension=pooled.dimension,
                level=pooled.level,
                n_participants=pooled.rate.n_participants,
                n_tasks=pooled.rate.n_tasks,
                pass_rate=pooled.rate.value,
                interval=CellInterval(
                    low=interval.low if interval else 0.0, high=interval.high if interval else 1.0
                ),
                ratios=ratios,
            )
        )
    return cells


def profile_runs(
    store: Store,
    run_ids: Sequence[str],
    *,
    thresholds: Iterable[float] = DEFAULT_THRESHOLDS,
    confidence: float = 0.95,
    group_by: GroupBy = "model",
) -> CapabilityProfile:
    """The capability profile of stored runs, one column group per model (the model each
    run's manifest records; runs of one model pooled, in the order first given) or, with
    ``group_by="run"``, one per run. Run ids may be unique prefixes; each counts once.

    Raises:
        ArgumentError: no run ids, an unknown ``group_by``, bad thresholds or confidence.
        UnknownRunError: a run id names no run, or a prefix names several.
        StoreError: a run's manifest is unreadable.
    """
    from codehazard.runs import load_run

    if group_by not in ("model", "run"):
        raise ArgumentError(f"group_by must be 'model' or 'run', got {group_by!r}")
    if not run_ids:
        raise ArgumentError("run_ids: give at least one run id (`codehazard runs list`)")
    groups: dict[str, list[tuple[str, bool]]] = {}
    for given in run_ids:
        record = load_run(store, given)
        manifest = record.manifest
        model = manifest.model or manifest.config.model
        simulated = manifest.simulated or bool(manifest.backend.get("simulated"))
        label = model if group_by == "model" else f"{model} ({record.id})"
        runs = groups.setdefault(label, [])
        if record.id not in [r for r, _ in runs]:
            runs.append((record.id, simulated))
    sources = [
        ProfileSource(
            model=label,
            records=[rec for run_id, _ in runs for rec in store.records(run_id)],
            runs=tuple(r for r, _ in runs),
            simulated=any(s for _, s in runs),
        )
        for label, runs in groups.items()
    ]
    return capability_profile(sources, thresholds=thresholds, confidence=confidence)
