"""The shared finding vocabulary: deduplication across analysers keeps the surest finding."""

from codehazard.probes import Analysis, Finding, dedupe


def _finding(analyser: str, rule: str, line: int, confidence: str = "medium") -> Finding:
    return Finding(
        analyser=analyser,
        rule=rule,
        category="CWE-327",
        message="weak cipher",
        confidence=confidence,  # type: ignore[arg-type]
        line=line,
    )


def test_same_weakness_on_the_same_line_is_reported_once_with_the_others_named() -> None:
    kept = dedupe([_finding("bandit", "B304", 3), _finding("ast", "CH-ECB", 3, "high")])
    assert len(kept) == 1
    assert kept[0].rule == "CH-ECB"
    assert kept[0].metadata["also"] == ["bandit:B304"]


def test_different_lines_stay_apart_and_come_out_in_line_order() -> None:
    kept = dedupe([_finding("ast", "CH-ECB", 9), _finding("bandit", "B304", 2)])
    assert [f.line for f in kept] == [2, 9]
    assert all("also" not in f.metadata for f in kept)


def test_analysis_categories_and_flag() -> None:
    analysis = Analysis(status="analysed", findings=(_finding("ast", "R", 1),))
    assert analysis.flagged and analysis.categories == {"CWE-327"}
    assert not Analysis(status="no-code").flagged
