"""Failure localisation as report tables, from a hand-made summary (the sandbox path is in
test_report_cli's demo run)."""

from __future__ import annotations

from codehazard.analysis import LocalisationSummary
from codehazard.report._localise_table import localisation_tables


def _summary(**kw: object) -> LocalisationSummary:
    base: dict[str, object] = {
        "total": 3,
        "certainty": {"unique": 2, "tied": 1, "partial": 0, "none": 0},
        "by_kind": {
            "skipped": {"unique": 2.0, "tied": 0.5, "partial": 0.0},
            "reordered": {"unique": 0.0, "tied": 0.5, "partial": 0.0},
        },
        "outcomes": {},
        "by_block": {"upper": {"skipped": 2.0}, "strip": {"reordered": 0.5, "skipped": 0.5}},
        "not_localised": {"over-limit": 7},
        "examined_by_level": {1: 1, 2: 2},
        "failing_by_level": {1: 4, 2: 6},
    }
    return LocalisationSummary(**{**base, **kw})  # type: ignore[arg-type]


def test_kinds_blocks_and_what_was_examined_are_tabled() -> None:
    kinds, blocks = localisation_tables("run A", _summary())
    assert kinds.rows == [["skipped", 2, 0.5, 0], ["reordered", 0, 0.5, 0]]
    assert "3 failing sample(s) re-run and diagnosed: 2 unique, 1 tied" in kinds.notes[0]
    assert "failing per level: 1: 4, 2: 6" in kinds.notes[1]
    assert any(n == "Not examined: over-limit 7." for n in kinds.notes)
    assert blocks.columns == ["block", "reordered", "skipped"]
    assert blocks.rows == [["upper", 0, 2], ["strip", 0.5, 0.5]]


def test_a_run_with_nothing_to_localise_gives_no_table() -> None:
    empty = _summary(
        total=0,
        certainty={"unique": 0, "tied": 0, "partial": 0, "none": 0},
        by_kind={},
        by_block={},
        not_localised={},
    )
    assert localisation_tables("run A", empty) == []
