"""The ``statistical`` checker kind's trusted side: draw samples, validate them, test them.

The judge asks the trusted ``sample`` driver (``sandbox._drivers``) for the samples, in one
round trip. The driver runs in the candidate's process, so its report is the candidate's
behaviour and is validated here, never trusted: its shape; a second run with the same seeds
(and another seed of the global generator) where the specification says seeded runs repeat;
a few draws repeated by direct calls over the channel, which must answer what the driver
reported; each contract on each sample; then every goodness-of-fit test, two-sided, at the
Bonferroni level of the task's false-alarm rate. See ``docs/suites/expressivity.md``.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from codehazard.sandbox._drivers import SAMPLE
from codehazard.sandbox._judge import Channel, Outcome, PreparedTask, short
from codehazard.sandbox._prepare import reference_code
from codehazard.sandbox._statmath import chi2_tails, chi_square, ks_uniform
from codehazard.tasks import (
    MalformedSample,
    StatisticalChecker,
    Task,
    category_key,
    freeze,
    project,
)

MIN_DF_LOWER_TAIL = 5
"""Below this many degrees of freedom the chi-square lower tail is not used: counts are
integers, so an exactly balanced count (a fair coin's 5,000 heads in 10,000) is far more likely
than the continuous distribution says, and would be a false alarm."""


class Rejected(Exception):
    """The samples break a contract or fail a test: ``kind`` is the verdict's failure kind."""

    def __init__(self, kind: str, detail: str, actual: Any = None, expected: Any = None) -> None:
        super().__init__(detail)
        self.kind, self.detail, self.actual, self.expected = kind, detail, actual, expected


def prepare_statistical(task: Task, checker: StatisticalChecker, timeout: float) -> PreparedTask:
    """The ``statistical`` kind: nothing to compute ahead; the judge needs the checker only."""
    return PreparedTask(
        task.task_id,
        task.entry_point,
        reference_code(task),
        run=run_statistical,
        data=checker,
    )


def run_statistical(task: PreparedTask, ch: Channel) -> Outcome:
    """Draw the samples through the driver, validate the report, decide every property."""
    checker: StatisticalChecker = task.data
    spec = checker.sampling.model_dump(mode="json")
    report = ch.drive(SAMPLE, (spec,))
    try:
        samples = checked_shape(checker, report)
        if any(c.contract == "repeatable" for c in checker.contracts):
            again = ch.drive(SAMPLE, ({**spec, "global_seed": spec["global_seed"] + 1},))
            check_repeats(samples, again)
        spot_check(checker, samples, ch)
        assess(checker, samples)
    except Rejected as failure:
        outcome: Outcome = {
            "status": "failed",
            "detail": failure.detail,
            "failure_kind": failure.kind,
        }
        if failure.actual is not None:
            outcome["actual"] = short(failure.actual)
        if failure.expected is not None:
            outcome["expected"] = short(failure.expected)
        return outcome
    return {"status": "passed", "detail": ""}


def checked_shape(checker: StatisticalChecker, report: Any) -> list[Any]:
    """The report as a list of samples, or ``Rejected`` when its shape is not the one asked."""
    sampling = checker.sampling
    if type(report) is not list or len(report) != sampling.draws:
        got = len(report) if type(report) is list else type(report).__name__
        raise Rejected("contract", f"asked for {sampling.draws} samples, the report holds {got}")
    if sampling.form == "object":
        for answers in report:
            if type(answers) is not list or len(answers) != sampling.calls:
                raise Rejected(
                    "contract",
                    f"each object was to answer {sampling.calls} calls of {sampling.method}()",
                    actual=answers,
                )
    return report


def check_repeats(samples: list[Any], again: Any) -> None:
    """The contract that seeded runs repeat exactly."""
    if type(again) is not list or len(again) != len(samples):
        raise Rejected("contract", "a second run with the same seeds gave another number")
    for index, (first, second) in enumerate(zip(samples, again, strict=True)):
        if _frozen(first) != _frozen(second):
            raise Rejected(
                "contract",
                f"seeded runs do not repeat: draw {index} with the same seed answered "
                f"{short(first)} and then {short(second)}",
                actual=second,
                expected=first,
            )


def _frozen(value: Any) -> Any:
    try:
        return freeze(value)
    except MalformedSample as exc:
        raise Rejected("contract", f"not a possible answer: {exc}", actual=value) from None


def _key(value: Any) -> str:
    try:
        return category_key(value)
    except MalformedSample as exc:
        raise Rejected("contract", f"not a possible answer: {exc}", actual=value) from None


def _direct_args(values: list[Any], seed: int) -> list[Any] | None:
    """Arguments with ``$seed`` placeholders resolved, or ``None`` when another placeholder
    (an ``random.Random`` or an iterator, which no plain call can carry) is among them."""
    out: list[Any] = []
    for value in values:
        if type(value) is dict and len(value) == 1:
            key = next(iter(value))
            if key == "$seed":
                out.append(seed)
                continue
            if key.startswith("$"):
                return None
        out.append(value)
    return out


def spot_check(checker: StatisticalChecker, samples: list[Any], ch: Channel) -> None:
    """Repeat a few seeded draws by direct calls; each must answer what the driver reported."""
    sampling = checker.sampling
    if sampling.spot_checks == 0:
        return
    seeded = any(v == {"$seed": None} for v in [*sampling.args, *sampling.init])
    if not seeded:
        return
    step = max(1, sampling.draws // sampling.spot_checks)
    for index in range(0, sampling.draws, step)[: sampling.spot_checks]:
        seed = sampling.seed + index
        if sampling.form == "function":
            args = _direct_args(sampling.args, seed)
            if args is None:
                return
            answer: Any = ch.call(tuple(args), {})
        else:
            init = _direct_args(sampling.init, seed)
            method_args = _direct_args(sampling.args, seed)
            if init is None or method_args is None or sampling.args != method_args:
                return
            handle = ch.new(tuple(init))
            method = str(sampling.method)
            answer = [ch.method(handle, method, tuple(method_args)) for _ in range(sampling.calls)]
        if _key(answer) != _key(samples[index]):
            raise Rejected(
                "contract",
                f"a direct call with seed {seed} answered {short(answer)}, the driver reported "
                f"{short(samples[index])}",
                actual=answer,
                expected=samples[index],
            )


def _projected(projection: Any, sample: Any) -> list[Any]:
    try:
        return project(projection, sample)
    except MalformedSample as exc:
        raise Rejected("contract", f"a malformed answer: {exc}", actual=sample) from None


def check_contract(contract: Any, samples: list[Any]) -> None:
    """One contract on every sample (``repeatable`` is checked by ``check_repeats``)."""
    if contract.contract == "repeatable":
        return
    wanted = sorted(map(_key, contract.of or []))
    for sample in samples:
        for part in _projected(contract.projection, sample):
            _one_contract(contract, part, wanted)


def _one_contract(contract: Any, part: Any, wanted: list[str]) -> None:
    name = contract.contract
    if name == "range":
        values = part if type(part) is list else [part]
        for v in values:
            if type(v) not in (int, float) or not contract.low <= v <= contract.high:  # type: ignore[operator]
                raise Rejected(
                    "contract",
                    f"{short(v)} is outside [{contract.low}, {contract.high}]",
                    actual=part,
                )
        return
    if type(part) not in (list, tuple):
        raise Rejected("contract", f"expected a list, got {short(part)}", actual=part)
    part = list(part)
    if name == "length" and len(part) != contract.length:
        raise Rejected(
            "contract", f"{len(part)} elements instead of {contract.length}", actual=part
        )
    keys = sorted(map(_key, part))
    if name == "permutation" and keys != wanted:
        raise Rejected(
            "contract",
            f"{short(part)} is not a rearrangement of {short(contract.of)}: every element must "
            "appear exactly once",
            actual=part,
            expected=contract.of,
        )
    if name == "distinct":
        if len(set(keys)) != len(keys):
            raise Rejected("contract", f"{short(part)} repeats an element", actual=part)
        if not set(keys) <= set(wanted):
            raise Rejected(
                "contract", f"{short(part)} holds an element not in {short(contract.of)}"
            )


def assess(checker: StatisticalChecker, samples: list[Any]) -> None:
    """Every contract, then every test; ``Rejected`` on the first that fails."""
    for contract in checker.contracts:
        check_contract(contract, samples)
    level = checker.per_tail_alpha
    for test in checker.tests:
        _TESTS[test.test](test, samples, level)


def _decide(label: str, what: str, tails: tuple[float, float], df: int, level: float) -> None:
    upper, lower = tails
    if upper < level:
        raise Rejected(
            "distribution",
            f"{label}: {what}, p = {upper:.3g} < {level:.3g}: not the specified distribution",
        )
    if df >= MIN_DF_LOWER_TAIL and lower < level:
        raise Rejected(
            "distribution",
            f"{label}: {what}, lower-tail p = {lower:.3g} < {level:.3g}: the counts fit too "
            "well to come from independent random draws",
        )


def _counts(test: Any, samples: list[Any]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for sample in samples:
        for value in _projected(test.projection, sample):
            counts[_key(value)] += 1
    return counts


def _chi_square(test: Any, samples: list[Any], level: float) -> None:
    counts = _counts(test, samples)
    impossible = sorted(set(counts) - set(test.expected))
    if impossible:
        raise Rejected(
            "contract",
            f"{test.label}: {impossible[0]} is not a possible answer (it came "
            f"{counts[impossible[0]]} times)",
            actual=impossible[0],
        )
    keys = sorted(test.expected)
    observed = [counts[k] for k in keys]
    statistic = chi_square(observed, [test.expected[k] for k in keys])
    df = len(keys) - 1
    shown = {k: counts[k] for k in keys[:12]}
    try:
        _decide(
            test.label,
            f"chi-square {statistic:.1f} (df {df})",
            chi2_tails(statistic, df),
            df,
            level,
        )
    except Rejected as exc:
        exc.actual = shown
        exc.expected = {k: round(test.expected[k] * sum(observed), 1) for k in keys[:12]}
        raise


def _transitions(test: Any, samples: list[Any], level: float) -> None:
    by_prev: dict[str, Counter[str]] = {}
    for sample in samples:
        for pair in _projected(test.projection, sample):
            prev, nxt = _key(pair[0]), _key(pair[1])
            row = test.expected.get(prev)
            if row is None or nxt not in row:
                raise Rejected("contract", f"{test.label}: {nxt} cannot follow {prev}", actual=pair)
            by_prev.setdefault(prev, Counter())[nxt] += 1
    statistic, df = 0.0, 0
    for prev, counts in sorted(by_prev.items()):
        keys = sorted(test.expected[prev])
        if len(keys) > 1:
            statistic += chi_square(
                [counts[k] for k in keys], [test.expected[prev][k] for k in keys]
            )
            df += len(keys) - 1
    _decide(
        test.label, f"chi-square {statistic:.1f} (df {df})", chi2_tails(statistic, df), df, level
    )


def _ks(test: Any, samples: list[Any], level: float) -> None:
    values: list[float] = []
    for sample in samples:
        for value in _projected(test.projection, sample):
            if type(value) not in (int, float) or not math.isfinite(value):
                raise Rejected("contract", f"{test.label}: {short(value)} is not a number")
            values.append(float(value))
    d, upper, lower = ks_uniform(values, test.low, test.high)
    what = f"Kolmogorov-Smirnov D = {d:.4f} over {len(values)} values"
    if upper < level:
        raise Rejected(
            "distribution",
            f"{test.label}: {what}, p = {upper:.3g} < {level:.3g}: not uniform on "
            f"[{test.low}, {test.high}]",
        )
    if lower < level:
        raise Rejected(
            "distribution",
            f"{test.label}: {what}, lower-tail p = {lower:.3g} < {level:.3g}: the values are "
            "too evenly spread to come from independent random draws",
        )


def serial_groups(expected: dict[str, float], groups: int) -> tuple[dict[str, int], list[float]]:
    """Categories in key order cut into at most ``groups`` bins of near-equal probability:
    each category's bin and each bin's probability (empty bins dropped)."""
    assigned: dict[str, int] = {}
    cumulative = 0.0
    for key in sorted(expected):
        p = expected[key]
        assigned[key] = min(groups - 1, int((cumulative + p / 2) * groups))
        cumulative += p
    used = sorted(set(assigned.values()))
    renumber = {g: i for i, g in enumerate(used)}
    mass = [0.0] * len(used)
    for key, g in assigned.items():
        assigned[key] = renumber[g]
        mass[renumber[g]] += expected[key]
    return assigned, mass


def _serial(test: Any, samples: list[Any], level: float) -> None:
    assigned, mass = serial_groups(test.expected, test.groups)
    if len(mass) < 2:
        return
    sequence: list[int] = []
    for sample in samples:
        for value in _projected(test.projection, sample):
            key = _key(value)
            if key not in assigned:
                raise Rejected("contract", f"{test.label}: {key} is not a possible answer")
            sequence.append(assigned[key])
    g = len(mass)
    cells = Counter(sequence[i] * g + sequence[i + 1] for i in range(0, len(sequence) - 1, 2))
    observed = [cells[a * g + b] for a in range(g) for b in range(g)]
    probabilities = [mass[a] * mass[b] for a in range(g) for b in range(g)]
    statistic = chi_square(observed, probabilities)
    df = g * g - 1
    _decide(
        f"{test.label} (successive draws)",
        f"chi-square {statistic:.1f} (df {df})",
        chi2_tails(statistic, df),
        df,
        level,
    )


_TESTS = {
    "chi-square": _chi_square,
    "transitions": _transitions,
    "ks-uniform": _ks,
    "serial": _serial,
}
