"""Risk profiles: severity categories, likelihood levels, risk levels and the matrix joining them.

Why a profile rather than constants: organisations assess risk on their own scales (MIL-STD-882E's
4 x 6, ISO 14971-style 5 x 5, in-house 3 x 3). Every definition therefore comes from a YAML
profile; the default ships as package data with MIL-STD-882E's structure and severity
definitions rewritten for harms of code models. Lists are ordered worst first: the most severe
category, the most frequent likelihood, the highest risk.

A profile is checked when it is built, all problems at once: ids are unique, the matrix covers
every cell with a known risk level, an ``eliminated`` likelihood (at most one, listed last) maps
to the ``eliminated`` risk level in every row, and risk never decreases when severity or
likelihood gets worse. That last property is what makes a profile a risk matrix at all.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from codehazard.errors import InputError, UnknownNameError
from codehazard.hazards._problems import (
    HazardInputError,
    LineMap,
    Loc,
    Problem,
    format_loc,
    load_yaml,
    problems_from_validation,
)

PROFILE_SCHEMA_VERSION = 1
DEFAULT_PROFILE = "mil-std-882e"
BUILTIN_PROFILES: dict[str, str] = {DEFAULT_PROFILE: "profile-mil-std-882e.yaml"}


def _as_id(value: Any) -> Any:
    """YAML reads ``1`` as an int; scale ids are text, so numbers are taken as their text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Ident = Annotated[str, BeforeValidator(_as_id), Field(min_length=1)]


class SeverityCategory(BaseModel):
    """A severity category: id (``1``), name (``Catastrophic``) and what it means."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Ident
    name: str
    definition: str = ""


class LikelihoodLevel(BaseModel):
    """A likelihood level; ``eliminated`` marks the level meaning "cannot occur"."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Ident
    name: str
    definition: str = ""
    eliminated: bool = False


Acceptance = Literal["accept", "accept-with-mitigations", "do-not-deploy"]
"""What a risk level means for deployment; a report's overall verdict is the worst acceptance
among the hazards' residual risks."""


class RiskLevel(BaseModel):
    """A risk level of the matrix, with what it means for acceptance.

    ``acceptance`` is the machine-readable form of ``description``; a profile that leaves it
    out gets the default by position (``acceptance_of``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Ident
    description: str = ""
    eliminated: bool = False
    acceptance: Acceptance | None = None


class ProfileShape(BaseModel):
    """The fields of a profile, checked for types only (``Profile`` adds the consistency)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: int = PROFILE_SCHEMA_VERSION
    name: str
    description: str = ""
    severities: list[SeverityCategory] = Field(min_length=1)
    likelihoods: list[LikelihoodLevel] = Field(min_length=1)
    risk_levels: list[RiskLevel] = Field(min_length=1)
    matrix: dict[Ident, dict[Ident, Ident]]


def _dup_problems(items: list[Any], field: str) -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    out: list[tuple[Loc, str]] = []
    for i, item in enumerate(items):
        if item.id in seen:
            out.append(((field, i, "id"), f"id {item.id!r} is used twice"))
        seen.add(item.id)
    return out


def _eliminated_problems(items: list[Any], field: str) -> list[tuple[Loc, str]]:
    flagged = [i for i, item in enumerate(items) if item.eliminated]
    out: list[tuple[Loc, str]] = []
    if len(flagged) > 1:
        out.append(((field, flagged[1], "eliminated"), "only one level may be eliminated"))
    if flagged and flagged[0] != len(items) - 1:
        out.append(((field, flagged[0], "eliminated"), "the eliminated level must be listed last"))
    return out


def _cell_problems(shape: ProfileShape) -> list[tuple[Loc, str]]:
    risks = {r.id: r for r in shape.risk_levels}
    out: list[tuple[Loc, str]] = []
    for sev in shape.severities:
        row = shape.matrix.get(sev.id)
        if row is None:
            out.append((("matrix",), f"no row for severity {sev.id!r}"))
            continue
        for lik in shape.likelihoods:
            cell = row.get(lik.id)
            loc: Loc = ("matrix", sev.id, lik.id)
            if cell is None:
                out.append((("matrix", sev.id), f"no cell for likelihood {lik.id!r}"))
            elif cell not in risks:
                out.append((loc, f"unknown risk level {cell!r}; use one of {', '.join(risks)}"))
            elif risks[cell].eliminated != lik.eliminated:
                want = "the eliminated" if lik.eliminated else "a non-eliminated"
                out.append((loc, f"likelihood {lik.id!r} must map to {want} risk level"))
    known_s = {s.id for s in shape.severities}
    known_l = {lk.id for lk in shape.likelihoods}
    for sid, row in shape.matrix.items():
        if sid not in known_s:
            out.append((("matrix", sid), f"row for unknown severity {sid!r}"))
            continue
        out += [
            (("matrix", sid, lid), f"cell for unknown likelihood {lid!r}")
            for lid in row
            if lid not in known_l
        ]
    return out


def _monotone_problems(shape: ProfileShape) -> list[tuple[Loc, str]]:
    rank = {r.id: len(shape.risk_levels) - i for i, r in enumerate(shape.risk_levels)}
    sevs = [s.id for s in shape.severities]
    liks = [lk.id for lk in shape.likelihoods]

    def r(s: str, lk: str) -> int:
        return rank.get(shape.matrix.get(s, {}).get(lk, ""), 0)

    out: list[tuple[Loc, str]] = []
    for i, s in enumerate(sevs):
        for j, lk in enumerate(liks):
            if i > 0 and r(sevs[i - 1], lk) < r(s, lk):
                out.append(
                    (("matrix", s, lk), f"risk is higher than for the more severe {sevs[i - 1]!r}")
                )
            if j > 0 and r(s, liks[j - 1]) < r(s, lk):
                out.append(
                    (("matrix", s, lk), f"risk is higher than for the more likely {liks[j - 1]!r}")
                )
    return out


def profile_problems(shape: ProfileShape) -> list[tuple[Loc, str]]:
    """Every consistency problem of a profile, as (field path, message)."""
    out = _dup_problems(shape.severities, "severities")
    out += _dup_problems(shape.likelihoods, "likelihoods")
    out += _dup_problems(shape.risk_levels, "risk_levels")
    out += _eliminated_problems(shape.likelihoods, "likelihoods")
    out += _eliminated_problems(shape.risk_levels, "risk_levels")
    if not out:
        out += _cell_problems(shape)
    if not out:
        out += _monotone_problems(shape)
    if shape.schema_version > PROFILE_SCHEMA_VERSION:
        out.append(
            (("schema_version",), f"version {shape.schema_version} is newer than this codehazard")
        )
    return out


class Profile(ProfileShape):
    """A consistent risk profile (see the module docstring for what is checked).

    Raises (on construction):
        pydantic.ValidationError: a field has the wrong type or the profile is inconsistent.
    """

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        problems = profile_problems(self)
        if problems:
            raise InputError("; ".join(f"{format_loc(loc)}: {msg}" for loc, msg in problems))
        return self

    def severity_ids(self) -> list[str]:
        """Severity ids, most severe first."""
        return [s.id for s in self.severities]

    def likelihood_ids(self) -> list[str]:
        """Likelihood ids, most frequent first."""
        return [lk.id for lk in self.likelihoods]

    def risk_ids(self) -> list[str]:
        """Risk level ids, highest first."""
        return [r.id for r in self.risk_levels]

    def eliminated_likelihood(self) -> str | None:
        """The id of the eliminated likelihood level, if the profile has one."""
        return next((lk.id for lk in self.likelihoods if lk.eliminated), None)

    def severity(self, sid: str) -> SeverityCategory:
        """The severity category ``sid``. Raises: KeyError when unknown."""
        for sev in self.severities:
            if sev.id == sid:
                return sev
        return _raise_key(sid, "severity")

    def likelihood(self, lid: str) -> LikelihoodLevel:
        """The likelihood level ``lid``. Raises: KeyError when unknown."""
        for lk in self.likelihoods:
            if lk.id == lid:
                return lk
        return _raise_key(lid, "likelihood")


def acceptance_of(profile: Profile, risk_id: str) -> Acceptance:
    """What ``risk_id`` means for deployment: the level's own ``acceptance``, else by position:
    the highest risk level is ``do-not-deploy``, the lowest non-eliminated one and the
    eliminated one ``accept``, those between ``accept-with-mitigations``.

    Raises:
        KeyError: ``risk_id`` is not a risk level of the profile.
    """
    levels = profile.risk_levels
    for i, level in enumerate(levels):
        if level.id != risk_id:
            continue
        if level.acceptance is not None:
            return level.acceptance
        live = [lvl.id for lvl in levels if not lvl.eliminated]
        if level.eliminated or (len(live) > 1 and risk_id == live[-1]):
            return "accept"
        return "do-not-deploy" if i == 0 else "accept-with-mitigations"
    return _raise_key(risk_id, "risk level")


def _raise_key(key: str, what: str) -> Any:
    raise UnknownNameError(f"unknown {what} {key!r}", kind=what, name=key)


def _problems_for(
    shape_or_data: Any, source: str, lines: LineMap
) -> tuple[Profile | None, list[Problem]]:
    try:
        shape = ProfileShape.model_validate(shape_or_data)
    except ValidationError as exc:
        return None, problems_from_validation(exc, source, lines)
    found = profile_problems(shape)
    if found:
        return None, [
            Problem(source, msg, format_loc(loc), line=lines.line(loc)) for loc, msg in found
        ]
    return Profile.model_validate(shape.model_dump()), []


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    """Build a profile from YAML text.

    Raises:
        HazardInputError: bad YAML, wrong fields or an inconsistent matrix (every problem, with
            its field and line).
    """
    data, lines, problems = load_yaml(text, source)
    if problems:
        raise HazardInputError(problems)
    if not isinstance(data, dict):
        raise HazardInputError([Problem(source, "a profile must be a YAML mapping", line=1)])
    profile, problems = _problems_for(data, source, lines)
    if profile is None:
        raise HazardInputError(problems)
    return profile


def builtin_profile_text(name: str = DEFAULT_PROFILE) -> str:
    """The YAML text of a built-in profile, comments included (for editing).

    Raises:
        HazardInputError: no built-in profile has that name.
    """
    if name not in BUILTIN_PROFILES:
        raise HazardInputError(
            [
                Problem(
                    name,
                    f"no built-in profile; use one of {', '.join(BUILTIN_PROFILES)} "
                    "or a path to a profile YAML file",
                )
            ]
        )
    data = resources.files("codehazard.hazards") / "data" / BUILTIN_PROFILES[name]
    return data.read_text(encoding="utf-8")


def load_profile(ref: str | Path = DEFAULT_PROFILE, *, relative_to: Path | None = None) -> Profile:
    """Load a built-in profile by name, or a profile YAML file by path.

    A reference ending in ``.yaml``/``.yml`` or containing a path separator is a file, resolved
    against ``relative_to`` (the hazard log's folder) when relative.

    Raises:
        HazardInputError: unknown built-in name, unreadable file, or an invalid profile.
    """
    text_ref = str(ref)
    is_file = isinstance(ref, Path) or text_ref.endswith((".yaml", ".yml")) or "/" in text_ref
    if not is_file:
        return parse_profile(builtin_profile_text(text_ref), f"<built-in profile {text_ref}>")
    path = Path(text_ref)
    if not path.is_absolute() and relative_to is not None:
        path = relative_to / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HazardInputError(
            [Problem(str(path), f"cannot read the profile ({exc.strerror or exc})")]
        ) from None
    return parse_profile(text, str(path))
