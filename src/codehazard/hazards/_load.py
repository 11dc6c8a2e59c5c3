"""Loading and validating a hazard log: every problem at once, with hazard id, field and line.

Validation runs in layers so that one broken hazard does not hide the problems of the others:
the YAML itself (syntax, duplicate keys), the header, each hazard on its own (types, closed
vocabularies), duplicate ids, and then, against the profile and the metric registry, the ids of
severities and likelihoods, residuals that would be worse than the unmitigated values, metric
names no suite or probe defines, and thresholds that are out of order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codehazard.hazards._log import (
    LOG_SCHEMA_VERSION,
    EvidenceRule,
    Hazard,
    HazardLog,
    LogHeader,
)
from codehazard.hazards._matrix import likelihood_rank, severity_rank
from codehazard.hazards._problems import (
    HazardInputError,
    LineMap,
    Loc,
    Problem,
    format_loc,
    load_yaml,
    problems_from_validation,
)
from codehazard.hazards._profile import Profile, _as_id, load_profile
from codehazard.hazards._rules import threshold_problems
from codehazard.metrics import MetricRegistry, default_registry


@dataclass(frozen=True)
class LoadedLog:
    """A validated log with the profile it was checked against and a digest of its text."""

    log: HazardLog
    profile: Profile
    source: str
    sha256: str


_SCALE_FIELDS = (
    ("severity", "severity"),
    ("likelihood", "likelihood"),
    ("residual_severity", "severity"),
    ("residual_likelihood", "likelihood"),
)


def _scale_problems(values: dict[str, str], profile: Profile) -> list[tuple[Loc, str]]:
    """Problems of the scale fields present in ``values`` (field name -> id)."""
    known = {"severity": profile.severity_ids(), "likelihood": profile.likelihood_ids()}
    out: list[tuple[Loc, str]] = []
    for field, what in _SCALE_FIELDS:
        value = values.get(field)
        if value is not None and value not in known[what]:
            out.append(
                (
                    (field,),
                    f"unknown {what} {value!r}; profile {profile.name!r} has "
                    f"{', '.join(known[what])}",
                )
            )
    if out:
        return out
    severity, likelihood = values.get("severity"), values.get("likelihood")
    residual_s = values.get("residual_severity") or severity
    residual_l = values.get("residual_likelihood") or likelihood
    if (
        severity
        and residual_s
        and severity_rank(profile, residual_s) > severity_rank(profile, severity)
    ):
        out.append((("residual_severity",), "is more severe than the severity"))
    if (
        likelihood
        and residual_l
        and likelihood_rank(profile, residual_l) > likelihood_rank(profile, likelihood)
    ):
        out.append((("residual_likelihood",), "is more frequent than the likelihood"))
    return out


def _rule_problems(
    index: int, rule: EvidenceRule, profile: Profile, registry: MetricRegistry
) -> list[tuple[Loc, str]]:
    out: list[tuple[Loc, str]] = []
    why = registry.problem(rule.metric)
    if why is not None:
        out.append((("evidence", index, "metric"), why))
    out += [(("evidence", index, *loc), msg) for loc, msg in threshold_problems(profile, rule)]
    return out


def hazard_problems(
    hazard: Hazard, profile: Profile, registry: MetricRegistry
) -> list[tuple[Loc, str]]:
    """Problems of one structurally valid hazard against a profile and a metric registry."""
    values = {field: getattr(hazard, field) for field, _ in _SCALE_FIELDS}
    out = _scale_problems({k: v for k, v in values.items() if v is not None}, profile)
    for i, rule in enumerate(hazard.evidence):
        out += _rule_problems(i, rule, profile, registry)
    return out


def partial_hazard_problems(
    entry: Any, profile: Profile, registry: MetricRegistry
) -> list[tuple[Loc, str]]:
    """The profile and metric problems of a hazard entry that failed structural validation.

    The structural errors are reported already; checking the well-formed parts too means a typo
    in one field does not hide an unknown likelihood or metric until the next run.
    """
    if not isinstance(entry, dict):
        return []
    values = {}
    for field, _ in _SCALE_FIELDS:
        value = _as_id(entry.get(field))
        if isinstance(value, str) and value:
            values[field] = value
    out = _scale_problems(values, profile)
    rules = entry.get("evidence")
    for i, item in enumerate(rules if isinstance(rules, list) else []):
        try:
            rule = EvidenceRule.model_validate(item)
        except ValidationError:
            metric = item.get("metric") if isinstance(item, dict) else None
            why = registry.problem(metric) if isinstance(metric, str) and metric else None
            if why is not None:
                out.append((("evidence", i, "metric"), why))
            continue
        out += _rule_problems(i, rule, profile, registry)
    return out


def _label(entry: Any, index: int) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str | int):
        return str(entry["id"])
    return f"#{index + 1}"


def _header(data: dict[str, Any], source: str, lines: LineMap) -> tuple[LogHeader, list[Problem]]:
    raw = {k: v for k, v in data.items() if k != "hazards"}
    try:
        header = LogHeader.model_validate(raw)
    except ValidationError as exc:
        return LogHeader(), problems_from_validation(exc, source, lines)
    if header.schema_version > LOG_SCHEMA_VERSION:
        return header, [
            Problem(
                source,
                f"version {header.schema_version} is newer than this codehazard understands "
                f"({LOG_SCHEMA_VERSION}); upgrade codehazard",
                "schema_version",
                line=lines.line(("schema_version",)),
            )
        ]
    return header, []


def _hazards(
    entries: list[Any], source: str, lines: LineMap
) -> tuple[list[tuple[int, Hazard]], list[int], list[Problem]]:
    valid: list[tuple[int, Hazard]] = []
    invalid: list[int] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        label = _label(entry, i)
        if isinstance(entry, dict) and "id" in entry:
            if label in seen:
                problems.append(
                    Problem(
                        source,
                        f"duplicate id (first used by hazard #{seen[label] + 1})",
                        "id",
                        hazard=label,
                        line=lines.line(("hazards", i, "id")),
                    )
                )
            seen.setdefault(label, i)
        try:
            valid.append((i, Hazard.model_validate(entry)))
        except ValidationError as exc:
            invalid.append(i)
            problems += problems_from_validation(
                exc, source, lines, prefix=("hazards", i), hazard=label
            )
    return valid, invalid, problems


def parse_log(
    text: str,
    source: str = "<hazard log>",
    *,
    profile: Profile | None = None,
    registry: MetricRegistry | None = None,
    base_dir: Path | None = None,
) -> LoadedLog:
    """Parse and validate a hazard log from YAML text.

    ``profile`` overrides the one the log names; ``base_dir`` resolves a relative profile path;
    ``registry`` defaults to ``default_registry()``.

    Raises:
        HazardInputError: anything invalid; ``problems`` lists every problem found.
    """
    data, lines, problems = load_yaml(text, source)
    if data is None and not problems:
        problems.append(Problem(source, "the file is empty; start from `codehazard hazards init`"))
    if problems and data is None:
        raise HazardInputError(problems)
    if not isinstance(data, dict):
        raise HazardInputError([Problem(source, "a hazard log must be a YAML mapping", line=1)])
    header, found = _header(data, source, lines)
    problems += found
    entries = data.get("hazards", [])
    if not isinstance(entries, list):
        problems.append(
            Problem(source, "must be a list of hazards", "hazards", line=lines.line(("hazards",)))
        )
        entries = []
    valid, invalid, found = _hazards(entries, source, lines)
    problems += found
    try:
        used = profile or load_profile(header.profile, relative_to=base_dir)
    except HazardInputError as exc:
        problems += exc.problems
        used = None
    if used is not None:
        registry = registry or default_registry()
        for i, hazard in valid:
            for loc, msg in hazard_problems(hazard, used, registry):
                line = lines.line(("hazards", i, *loc))
                problems.append(Problem(source, msg, format_loc(loc), hazard.id, line))
        for i in invalid:
            for loc, msg in partial_hazard_problems(entries[i], used, registry):
                line = lines.line(("hazards", i, *loc))
                problems.append(Problem(source, msg, format_loc(loc), _label(entries[i], i), line))
    if problems or used is None:
        problems.sort(key=lambda p: (p.source != source, p.line or 0))
        raise HazardInputError(problems)
    log = HazardLog(**header.model_dump(), hazards=[h for _, h in valid])
    return LoadedLog(log, used, source, hashlib.sha256(text.encode("utf-8")).hexdigest())


def load_log(
    path: str | Path,
    *,
    profile: Profile | None = None,
    registry: MetricRegistry | None = None,
) -> LoadedLog:
    """Load and validate a hazard log file (see ``parse_log``).

    Raises:
        HazardInputError: the file cannot be read or is invalid (every problem listed).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise HazardInputError(
            [Problem(str(path), f"cannot read the hazard log ({why})")]
        ) from None
    return parse_log(text, str(path), profile=profile, registry=registry, base_dir=path.parent)
