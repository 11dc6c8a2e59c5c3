"""Text view of a capability profile: the dimension-by-level table with one column group per
model, then where each model stops being reliable, then what failed.

The renderer takes the profile (``codehazard.analysis.CapabilityProfile``, a versioned
pydantic model whose ``model_dump`` is the JSON form) and returns text; it prints nothing.
"""

from __future__ import annotations

from codehazard.analysis import CapabilityProfile, DimensionProfile, ProfileCell

_DIM = 24
_LEVEL = 5
_CELL = 42


def _pct(value: float) -> str:
    return f"{100 * value:5.1f}%"


def _cell(cell: ProfileCell | None) -> str:
    if cell is None:
        return f"{'-':>6}"
    span = f"[{_pct(cell.interval.low)}, {_pct(cell.interval.high)}]"
    return f"{_pct(cell.pass_at_1)} {span} {f'{cell.n_samples} ({cell.n_tasks})':>15}"


def _group_width(profile: CapabilityProfile) -> list[int]:
    return [max(_CELL, len(_title(profile, i)) + 1) for i in range(len(profile.models))]


def _title(profile: CapabilityProfile, index: int) -> str:
    model = profile.models[index]
    return model.model + (" [simulated]" if model.simulated else "")


def _table(profile: CapabilityProfile) -> list[str]:
    widths = _group_width(profile)
    pct = round(profile.confidence * 100)
    lead = " " * (_DIM + _LEVEL + 2)
    titles = "".join(f"{_title(profile, i):<{w}}" for i, w in enumerate(widths))
    out = [(lead + titles).rstrip()]
    sub = f"{'pass@1':>6} {f'{pct}% interval':^17} {'samples (tasks)':>15}"
    heads = "".join(f"{sub:<{w}}" for w in widths)
    out.append(f"{'dimension':<{_DIM}} {'level':>{_LEVEL}} {heads}".rstrip())
    for dim in profile.dimensions:
        for i, level in enumerate(dim.levels):
            name = dim.label if i == 0 else ""
            cells = [next((c for c in m.cells if c.level == level), None) for m in dim.models]
            row = "".join(f"{_cell(c):<{w}}" for c, w in zip(cells, widths, strict=True))
            out.append(f"{name:<{_DIM}} {level:>{_LEVEL}} {row}".rstrip())
    return out


def _reach(level: int | None, last: int) -> str:
    """``3``: reliable up to level 3; ``3+``: up to the highest level measured, none falls
    below; ``none``: the lowest level already does."""
    if level is None:
        return "none"
    return f"{level}+" if level == last else str(level)


def _reliability(profile: CapabilityProfile) -> list[str]:
    out = [
        "reliable up to level: the highest level at which pass@1, as at every level below it,",
        "is at least the threshold (in brackets: the interval's lower end is); N+: no level",
        "measured falls below; none: the lowest level already does",
    ]
    head = "".join(f"{f'>= {100 * t:g}%':<12}" for t in profile.thresholds)
    span = 12 * len(profile.thresholds) + 2
    widths = [max(span, len(_title(profile, i)) + 1) for i in range(len(profile.models))]
    titles = "".join(f"{_title(profile, i):<{w}}" for i, w in enumerate(widths))
    out.append(f"{'dimension':<{_DIM}} {titles}".rstrip())
    out.append((" " * (_DIM + 1) + "".join(f"{head:<{w}}" for w in widths)).rstrip())
    for dim in profile.dimensions:
        groups = []
        for model, w in zip(dim.models, widths, strict=True):
            last = model.cells[-1].level if model.cells else 0
            parts = [
                f"{_reach(r.reliable_up_to, last)} ({_reach(r.conservative_up_to, last)})"
                for r in model.reliability
            ] or ["-"]
            groups.append(f"{''.join(f'{p:<12}' for p in parts):<{w}}")
        out.append(f"{dim.label:<{_DIM}} {''.join(groups)}".rstrip())
    return out


def _failures(dim: DimensionProfile) -> str:
    parts = []
    for model in dim.models:
        counts = ", ".join(f"{k} {n}" for k, n in model.failures.items()) or "none"
        parts.append(f"{model.model}: {counts}" if model.cells else f"{model.model}: -")
    return f"  {dim.label}: " + "; ".join(parts)


def profile_text(profile: CapabilityProfile) -> str:
    """The profile as text: header, table, reliability per threshold, failures, notes."""
    pct = round(profile.confidence * 100)
    models = ", ".join(m.model for m in profile.models)
    out = [
        f"capability profile of {models}: pass@1 by dimension and level",
        f"intervals: {pct}% {profile.interval_legend}",
        "",
    ]
    if profile.dimensions:
        out += _table(profile)
        out += ["", *_reliability(profile), ""]
        out.append(
            "failures: checked samples that did not pass, by the failure kind the checker "
            "named, else by status"
        )
        out += [_failures(d) for d in profile.dimensions]
    out += _human(profile)
    for note in profile.notes:
        out.append(f"note: {note}")
    return "\n".join(out)


def _human(profile: CapabilityProfile) -> list[str]:
    """Relative to human ability: the participants pooled per level, each model's ratio."""
    if not profile.human:
        return []
    out = ["", "relative to human ability: pass@1 of each model / the participants' pooled "
           "rate (interval over participants and tasks)"]  # fmt: skip
    labels = {d.dimension: d.label for d in profile.dimensions}
    for cell in profile.human:
        ratios = ", ".join(
            f"{m} {'-' if r is None else f'{r:.2f}'}" for m, r in cell.ratios.items()
        )
        out.append(
            f"  {labels.get(cell.dimension, cell.dimension)} level {cell.level}: "
            f"people {cell.pass_rate:.2f} "
            f"[{cell.interval.low:.2f}, {cell.interval.high:.2f}] ({cell.n_participants} "
            f"people, {cell.n_tasks} tasks); ratio {ratios or '-'}"
        )
    return out
