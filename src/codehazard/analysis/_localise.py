"""Failure localisation: which step of a chain a failing sample got wrong.

For a failing sample of a chain task (``building-blocks``, ``variable-binding``) we compare its
outputs on the task's test inputs with the outputs of every single-fault variant of the
reference: a step skipped, a step misapplied (a known wrong implementation of that block), a
step bound to the wrong variable, two steps reordered (a swap, or one step moved). A variant
that reproduces every output the sample produced explains it. Design choices (ours):

* several variants can explain the same outputs (two commuting steps, a step whose effect a
  later one subsumes); the first in the order alternative-reading, skipped, misapplied,
  wrong-variable, reordered, then by step position, is reported, and the others are listed as
  ``alternatives``; summaries count such ties apart from unique diagnoses;
* failing that, a variant that matches at least ``min_agreement`` (default 80%) of the outputs,
  and more of them than the reference does, is reported as a partial explanation;
* a sample that raised on every input is ``crashed``; one whose outputs all match the reference
  is ``no-mismatch`` (it failed for another reason, e.g. a wrong type); anything else is
  ``unexplained``.

The diagnosis functions are pure: they never run candidate code. ``localise_run`` is the glue
that reads a run from the store and gets a stored sample's outputs from the sandbox
(``codehazard.sandbox.collect_outputs``), which is why this lives in ``codehazard.analysis``,
above ``scoring`` (pure maths), ``store`` and ``sandbox``.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from codehazard.errors import ArgumentError, InputError, SandboxError
from codehazard.scoring import level_of
from codehazard.tasks.suites import (
    HYPOTHESIS_KINDS,
    Chain,
    HypothesisKind,
    Variant,
    get_suite,
    same_value,
)

if TYPE_CHECKING:
    from codehazard.store import Store

LocalisationKind = Literal[
    "alternative-reading",
    "skipped",
    "misapplied",
    "wrong-variable",
    "reordered",
    "crashed",
    "no-mismatch",
    "unexplained",
]
"""What went wrong in a failing sample (the first five name a step; ``alternative-reading``
is a step done as another defensible reading of its docstring line, not a fault of the model)."""

Certainty = Literal["unique", "tied", "partial", "none"]
"""How firm a diagnosis is: the only variant reproducing every output; one of several that do
(``alternatives``); the best partial match; or no step named (crashed, no-mismatch,
unexplained)."""

Outcome = Mapping[str, Any]
"""One call's result from the sandbox: ``{"ok": bool, "value": ..., "error": str | None}``."""

Collect = Callable[..., list[dict[str, Any]]]
"""``collect_outputs(program, entry_point, inputs, *, timeout)``: the sandbox's call runner."""

LOCALISED_STATUSES = ("failed", "error")


@dataclass(frozen=True)
class Explanation:
    """A single-step fault that reproduces a sample's outputs (positions are 0-based)."""

    kind: HypothesisKind
    positions: tuple[int, ...]
    blocks: tuple[str, ...]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (steps 1-based, as people count them)."""
        return {
            "kind": self.kind,
            "steps": [p + 1 for p in self.positions],
            "blocks": list(self.blocks),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Localisation:
    """The diagnosis of one failing sample.

    ``positions`` are 0-based step indices, ``blocks`` their block names; ``agreement`` is the
    fraction of the sample's successful outputs that the explanation reproduces; ``exact`` says
    whether it reproduces all of them; ``alternatives`` are other faults that do as well.
    """

    kind: LocalisationKind
    positions: tuple[int, ...] = ()
    blocks: tuple[str, ...] = ()
    detail: str = ""
    agreement: float = 0.0
    exact: bool = False
    alternatives: tuple[Explanation, ...] = ()

    @property
    def certainty(self) -> Certainty:
        """``unique``, ``tied``, ``partial`` or ``none`` (see ``Certainty``)."""
        if self.kind in ("crashed", "no-mismatch", "unexplained"):
            return "none"
        if not self.exact:
            return "partial"
        return "tied" if self.alternatives else "unique"

    def explanations(self) -> list[tuple[str, tuple[str, ...]]]:
        """``(kind, blocks)`` of the diagnosis and of each alternative, in order."""
        return [(self.kind, self.blocks), *((a.kind, a.blocks) for a in self.alternatives)]

    def explains(self, kind: str, positions: Sequence[int]) -> bool:
        """Whether the diagnosis or one of its alternatives is ``kind`` at ``positions``."""
        options = [(self.kind, self.positions)]
        options += [(a.kind, a.positions) for a in self.alternatives]
        return (kind, tuple(positions)) in options

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (steps 1-based, as people count them)."""
        return {
            "kind": self.kind,
            "steps": [p + 1 for p in self.positions],
            "blocks": list(self.blocks),
            "detail": self.detail,
            "agreement": self.agreement,
            "exact": self.exact,
            "alternatives": [a.as_dict() for a in self.alternatives],
        }


def _priority(variant: Variant) -> tuple[int, tuple[int, ...]]:
    return HYPOTHESIS_KINDS.index(variant.kind), variant.positions


def localise_chain(
    chain: Chain,
    inputs: Sequence[Sequence[Any]],
    outputs: Sequence[Outcome],
    *,
    min_agreement: float = 0.8,
) -> Localisation:
    """Explain a sample's ``outputs`` on ``inputs`` by the single-fault variants of ``chain``.

    Raises:
        ArgumentError: ``inputs`` and ``outputs`` differ in length, or ``min_agreement`` is
            outside (0, 1] (also a ``ValueError``).
    """
    if len(inputs) != len(outputs):
        raise ArgumentError(f"{len(inputs)} inputs but {len(outputs)} outputs")
    if not 0 < min_agreement <= 1:
        raise ArgumentError(f"min_agreement must be in (0, 1], got {min_agreement}")
    usable = [
        (args, out.get("value")) for args, out in zip(inputs, outputs, strict=True) if out.get("ok")
    ]
    if not usable:
        return Localisation("crashed", detail="raised on every input")
    states = [chain.states(args) for args, _ in usable]
    reference = sum(same_value(st[-1], v) for st, (_, v) in zip(states, usable, strict=True))
    if reference == len(usable):
        if len(usable) < len(inputs):
            detail = f"raised on {len(inputs) - len(usable)} input(s), right on the rest"
            return Localisation("crashed", detail=detail, agreement=1.0)
        return Localisation("no-mismatch", detail="every output matches the reference")
    scored = []
    for variant in sorted(chain.variants(), key=_priority):
        hits = sum(
            same_value(chain.run_variant(variant, st), v)
            for st, (_, v) in zip(states, usable, strict=True)
        )
        scored.append((hits, variant))
    best = max(h for h, _ in scored)
    if best == len(usable):
        exact = [v for h, v in scored if h == best]
        return _found(exact[0], 1.0, True, exact[1:])
    if best / len(usable) >= min_agreement and best > reference:
        top = [v for h, v in scored if h == best]
        return _found(top[0], best / len(usable), False, top[1:])
    return Localisation(
        "unexplained",
        detail=f"no single-step fault reproduces the outputs (best {best}/{len(usable)})",
        agreement=best / len(usable),
    )


def _found(variant: Variant, agreement: float, exact: bool, others: list[Variant]) -> Localisation:
    return Localisation(
        kind=variant.kind,
        positions=variant.positions,
        blocks=variant.blocks,
        detail=variant.detail,
        agreement=agreement,
        exact=exact,
        alternatives=tuple(Explanation(v.kind, v.positions, v.blocks, v.detail) for v in others),
    )


def chain_for(metadata: Mapping[str, Any]) -> Chain:
    """The reference chain of a task, rebuilt by its suite from the task metadata.

    Raises:
        InputError: the metadata names no suite, an unknown suite, a suite without chains,
            or metadata the suite cannot read.
    """
    name = metadata.get("suite")
    if not isinstance(name, str):
        raise InputError("task metadata names no 'suite': cannot rebuild its chain")
    suite = get_suite(name)
    if suite.chain is None:
        raise InputError(f"suite {name!r} has no chains to localise failures in")
    return suite.chain(metadata)


def localise(
    metadata: Mapping[str, Any],
    inputs: Sequence[Sequence[Any]],
    outputs: Sequence[Outcome],
    *,
    min_agreement: float = 0.8,
) -> Localisation:
    """Localise a failing sample of a generated chain task from its outputs on ``inputs``.

    Raises:
        InputError: the task's metadata does not describe a chain (see ``chain_for``).
        ValueError: ``inputs`` and ``outputs`` differ in length.
    """
    return localise_chain(chain_for(metadata), inputs, outputs, min_agreement=min_agreement)


def sandbox_collect() -> Collect:
    """``codehazard.sandbox.collect_outputs``, the only runner allowed for untrusted code.

    Raises:
        SandboxError: this installation has no sandbox with ``collect_outputs``.
    """
    try:  # imported when used: analysis sits above the sandbox
        from codehazard.sandbox import collect_outputs
    except ImportError:
        raise SandboxError(
            "failure localisation reruns samples in the sandbox, but this installation has no "
            "codehazard.sandbox.collect_outputs"
        ) from None
    return collect_outputs


@dataclass(frozen=True)
class LocalisedSample:
    """One stored sample with its diagnosis and its task's level (``None`` without one)."""

    key: str
    task_id: str
    localisation: Localisation
    level: int | None = None


class LocalisedRun(NamedTuple):
    """What ``localise_run`` examined and what it did not.

    ``found``: the diagnoses. ``not_localised``: per reason, the failing samples not examined
    (``timeout``, ``syntax``, ..., ``not-a-chain``, ``over-limit``). ``failing_by_level``: the
    failing samples that could have been examined, per level, of which ``found`` is a sample.
    """

    found: list[LocalisedSample]
    not_localised: dict[str, int]
    failing_by_level: dict[int | None, int]


def stratified_sample(
    by_level: Mapping[int | None, Sequence[int]], limit: int, seed: int
) -> list[int]:
    """At most ``limit`` items, spread as evenly as the levels allow, drawn at random per level.

    Each level gets an equal share; a level with fewer items than its share gives the rest to
    the others. Within a level the items are a seeded random sample. Returns the chosen items
    sorted, so that the work is done in stored order.
    """
    quota = {level: 0 for level in by_level}
    left = limit
    open_levels = [lv for lv in by_level if by_level[lv]]
    while left > 0 and open_levels:
        share = max(1, left // len(open_levels))
        for level in list(open_levels):
            take = min(share, len(by_level[level]) - quota[level], left)
            quota[level] += take
            left -= take
            if quota[level] >= len(by_level[level]):
                open_levels.remove(level)
            if left == 0:
                break
    rng = random.Random(f"localise/{seed}")
    chosen: list[int] = []
    for level in sorted(by_level, key=lambda lv: (lv is None, lv or 0)):
        items = list(by_level[level])
        chosen += items if quota[level] >= len(items) else rng.sample(items, quota[level])
    return sorted(chosen)


def localise_run(
    store: Store,
    run_id: str,
    *,
    collect: Collect | None = None,
    timeout: float = 3.0,
    min_agreement: float = 0.8,
    limit: int | None = None,
    key: str = "components",
    seed: int = 0,
) -> LocalisedRun:
    """Localise the ``failed`` or ``error`` samples of a run's chain tasks.

    Each sample's program is run again, in the sandbox, on its task's test inputs (from the
    task metadata ``test_inputs``). ``collect`` defaults to ``codehazard.sandbox
    .collect_outputs``; tests pass their own trusted runner. With a ``limit`` (the sandbox
    starts afresh for each sample, a fraction of a second each), a seeded sample stratified by
    the task level ``key`` is examined, so that long chains are not crowded out by the short
    ones stored first; the rest count as ``over-limit``.

    Raises:
        StoreError: the run does not exist.
        SandboxError: the sandbox is unavailable or failed.
    """
    run = collect or sandbox_collect()
    tasks = store.tasks(run_id)
    skipped: Counter[str] = Counter()
    eligible: list[tuple[Any, Chain, list[Any], int | None]] = []
    for rec in store.records(run_id):
        if rec.status is None or rec.status in ("passed", "infra"):
            continue
        if rec.status not in LOCALISED_STATUSES:
            skipped[rec.status] += 1
            continue
        inputs = rec.metadata.get("test_inputs")
        try:
            chain = chain_for(rec.metadata)
        except InputError:
            chain = None
        if chain is None or not isinstance(inputs, list) or rec.task_id not in tasks:
            skipped["not-a-chain"] += 1
            continue
        eligible.append((rec, chain, inputs, level_of(rec.metadata, key)))
    by_level: dict[int | None, list[int]] = defaultdict(list)
    for i, (_, _, _, level) in enumerate(eligible):
        by_level[level].append(i)
    chosen = range(len(eligible))
    if limit is not None and len(eligible) > limit:
        chosen = stratified_sample(by_level, limit, seed)
        skipped["over-limit"] += len(eligible) - len(chosen)
    found: list[LocalisedSample] = []
    for i in chosen:
        rec, chain, inputs, level = eligible[i]
        outputs = run(rec.program, tasks[rec.task_id].entry_point, inputs, timeout=timeout)
        loc = localise_chain(chain, inputs, outputs, min_agreement=min_agreement)
        found.append(LocalisedSample(rec.key, rec.task_id, loc, level))
    failing = {level: len(items) for level, items in by_level.items()}
    return LocalisedRun(found, dict(skipped), failing)
