"""Summaries of failure localisations: how many failing samples went wrong where, and how surely.

Diagnoses differ in strength, and the summary keeps them apart (our choice):

* **unique**: exactly one single-step fault reproduces every output; it counts 1 for its kind
  and its block(s);
* **tied**: several faults reproduce every output (commuting steps, a step a later one
  subsumes); each of the ``n`` counts ``1 / n``, so no kind wins a tie by its place in the
  preference order;
* **partial**: the best fault reproduces at least ``min_agreement`` of the outputs; counted
  apart, shared likewise among equally good faults, and never in the per-block counts;
* **none**: ``crashed``, ``no-mismatch`` or ``unexplained`` (the ``outcomes``).

``alternative-reading`` (a defensible reading of the docstring line that the tests reject) is
its own kind, so that it is never added to the model's faults by accident.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from codehazard.analysis._localise import Localisation, LocalisedRun

FAULT_KINDS = ("alternative-reading", "skipped", "misapplied", "wrong-variable", "reordered")
OUTCOMES = ("crashed", "no-mismatch", "unexplained")
CERTAINTIES = ("unique", "tied", "partial", "none")


def _level_key(level: int | None) -> tuple[bool, int]:
    return (level is None, level or 0)


@dataclass(frozen=True)
class LocalisationSummary:
    """Counts of localised failures: per certainty, per kind (split by certainty), per block.

    ``by_kind[kind]`` is ``{"unique": n, "tied": x, "partial": y}`` (ties and partials shared
    fractionally); ``by_block[block][kind]`` counts exact diagnoses only (unique 1, tied shared);
    ``outcomes`` counts samples without a named step. ``examined_by_level`` and
    ``failing_by_level`` say which levels the examined samples came from, out of how many.
    """

    total: int
    certainty: dict[str, int]
    by_kind: dict[str, dict[str, float]]
    outcomes: dict[str, int]
    by_block: dict[str, dict[str, float]]
    not_localised: dict[str, int] = field(default_factory=dict)
    examined_by_level: dict[int | None, int] = field(default_factory=dict)
    failing_by_level: dict[int | None, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (levels as strings, ``"none"`` for tasks without a level)."""

        def levels(counts: Mapping[int | None, int]) -> dict[str, int]:
            return {("none" if k is None else str(k)): v for k, v in counts.items()}

        return {
            "total": self.total,
            "certainty": self.certainty,
            "by_kind": self.by_kind,
            "outcomes": self.outcomes,
            "by_block": self.by_block,
            "not_localised": self.not_localised,
            "examined_by_level": levels(self.examined_by_level),
            "failing_by_level": levels(self.failing_by_level),
        }


def summarise_localisations(
    localisations: Iterable[Localisation],
    not_localised: Mapping[str, int] | None = None,
    *,
    examined_by_level: Mapping[int | None, int] | None = None,
    failing_by_level: Mapping[int | None, int] | None = None,
) -> LocalisationSummary:
    """Count diagnoses per certainty, kind and block (see the module notes).

    A reordering counts for both blocks involved.
    """
    certainty: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    outcomes: Counter[str] = Counter()
    by_block: dict[str, Counter[str]] = defaultdict(Counter)
    total = 0
    for loc in localisations:
        total += 1
        how = loc.certainty
        certainty[how] += 1
        if how == "none":
            outcomes[loc.kind] += 1
            continue
        explanations = loc.explanations()
        share = 1 / len(explanations)
        column = "partial" if how == "partial" else ("unique" if how == "unique" else "tied")
        for kind, blocks in explanations:
            by_kind[kind][column] += share
            if how != "partial":
                for block in dict.fromkeys(blocks):
                    by_block[block][kind] += share
    kinds = [k for k in FAULT_KINDS if k in by_kind] + sorted(set(by_kind) - set(FAULT_KINDS))
    return LocalisationSummary(
        total=total,
        certainty={c: certainty[c] for c in CERTAINTIES},
        by_kind={
            k: {c: _tidy(by_kind[k][c]) for c in ("unique", "tied", "partial")} for k in kinds
        },
        outcomes={o: outcomes[o] for o in OUTCOMES if outcomes[o]},
        by_block={
            b: {k: _tidy(v) for k, v in sorted(c.items())} for b, c in sorted(by_block.items())
        },
        not_localised=dict(sorted((not_localised or {}).items())),
        examined_by_level=dict(
            sorted((examined_by_level or {}).items(), key=lambda kv: _level_key(kv[0]))
        ),
        failing_by_level=dict(
            sorted((failing_by_level or {}).items(), key=lambda kv: _level_key(kv[0]))
        ),
    )


def summarise_run(result: LocalisedRun) -> LocalisationSummary:
    """The summary of what ``localise_run`` found, with which levels were examined of which."""
    return summarise_localisations(
        (f.localisation for f in result.found),
        result.not_localised,
        examined_by_level=Counter(f.level for f in result.found),
        failing_by_level=result.failing_by_level,
    )


def _tidy(value: float) -> float:
    """Round away float dust from fractional shares (1/3 + 1/3 + 1/3 is 1.0, not 0.999...)."""
    return round(value, 6)
