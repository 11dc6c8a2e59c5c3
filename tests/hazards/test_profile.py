"""Risk profiles: the default MIL-STD-882E structure, user profiles, consistency checks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hazard_fixtures import FIVE_BY_FIVE, write

from codehazard.hazards import (
    HazardInputError,
    Profile,
    builtin_profile_text,
    load_profile,
    parse_profile,
    risk,
)

# DOMAIN.md section 6, verbatim as cells.
EXPECTED_882E = {
    "High": "1A 1B 1C 2A 2B",
    "Serious": "1D 2C 3A 3B",
    "Medium": "1E 2D 2E 3C 3D 4A 4B",
    "Low": "3E 4C 4D 4E",
}


def test_default_profile_is_the_882e_matrix() -> None:
    p = load_profile()
    assert p.severity_ids() == ["1", "2", "3", "4"]
    assert [s.name for s in p.severities] == ["Catastrophic", "Critical", "Marginal", "Negligible"]
    assert p.likelihood_ids() == list("ABCDEF")
    assert [lk.name for lk in p.likelihoods] == [
        "Frequent",
        "Probable",
        "Occasional",
        "Remote",
        "Improbable",
        "Eliminated",
    ]
    assert p.risk_ids() == ["High", "Serious", "Medium", "Low", "Eliminated"]
    assert p.eliminated_likelihood() == "F"
    for level, cells in EXPECTED_882E.items():
        for cell in cells.split():
            assert risk(p, cell[0], cell[1]) == level, cell
    assert {risk(p, s, "F") for s in "1234"} == {"Eliminated"}


def test_a_5x5_profile_loads_from_a_file_without_code_changes(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path / "iso.yaml", FIVE_BY_FIVE))
    assert p.name == "ISO 14971-style 5x5"
    assert len(p.severities) == len(p.likelihoods) == 5
    assert p.eliminated_likelihood() is None
    assert risk(p, "S3", "P4") == "Investigate"


def test_relative_profile_paths_resolve_against_the_log_folder(tmp_path: Path) -> None:
    write(tmp_path / "iso.yaml", FIVE_BY_FIVE)
    assert load_profile("iso.yaml", relative_to=tmp_path).name == "ISO 14971-style 5x5"


def _broken(edit) -> str:
    data = yaml.safe_load(FIVE_BY_FIVE)
    edit(data)
    return yaml.safe_dump(data, sort_keys=False)


def _problems(text: str) -> list[str]:
    with pytest.raises(HazardInputError) as info:
        parse_profile(text, "p.yaml")
    return [str(p) for p in info.value.problems]


def test_non_monotone_matrix_is_rejected_naming_the_cell() -> None:
    def edit(d):
        d["matrix"]["S1"]["P1"] = "Unacceptable"

    problems = _problems(_broken(edit))
    assert any("matrix.S1.P1" in p and "higher than" in p for p in problems)


def test_every_consistency_problem_is_reported() -> None:
    def edit(d):
        del d["matrix"]["S2"]["P3"]
        d["matrix"]["S3"]["P1"] = "Fine"

    problems = _problems(_broken(edit))
    assert any("no cell for likelihood 'P3'" in p for p in problems)
    assert any("unknown risk level 'Fine'" in p for p in problems)


def test_duplicate_ids_and_misplaced_eliminated_levels() -> None:
    def edit(d):
        d["severities"][1]["id"] = "S5"
        d["likelihoods"][0]["eliminated"] = True

    problems = _problems(_broken(edit))
    assert any("severities[1].id" in p and "used twice" in p for p in problems)
    assert any("likelihoods[0].eliminated" in p and "listed last" in p for p in problems)


def test_eliminated_column_must_map_to_the_eliminated_risk() -> None:
    text = builtin_profile_text().replace(
        '"4": {A: Medium, B: Medium, C: Low, D: Low, E: Low, F: Eliminated}',
        '"4": {A: Medium, B: Medium, C: Low, D: Low, E: Low, F: Low}',
    )
    assert any("must map to the eliminated" in p for p in _problems(text))


def test_type_errors_carry_lines() -> None:
    problems = _problems(FIVE_BY_FIVE.replace("name: ISO 14971-style 5x5", "nam: x"))
    assert any(p.startswith("p.yaml:2: field nam: unknown field") for p in problems)
    assert any("field name: required field is missing" in p for p in problems)


def test_unknown_builtin_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HazardInputError, match="no built-in profile"):
        load_profile("iso-9999")
    with pytest.raises(HazardInputError, match="cannot read the profile"):
        load_profile(tmp_path / "missing.yaml")


def test_profile_model_checks_consistency_when_built_in_code() -> None:
    data = yaml.safe_load(FIVE_BY_FIVE)
    data["matrix"]["S1"]["P1"] = "Unacceptable"
    with pytest.raises(ValueError, match=r"matrix\.S1\.P1"):
        Profile.model_validate(data)
