"""The ``sequence`` kind's monitors and report checks, on traces written by hand.

Each property is fed a trace that keeps it and one that breaks it at a known step; values of
the wrong shape (the candidate's) end as a message, never as an error of the judge.
"""

from __future__ import annotations

from typing import Any

import pytest

from codehazard.sandbox._check_sequence import _Data, _property_violation, _valid_report
from codehazard.sandbox._sequence_monitors import MONITOR_CLASSES
from codehazard.tasks._kind_sequence import MONITORS, SequenceChecker

Trace = list[tuple[str, list[Any], Any, dict[str, Any]]]


def _first(monitor: str, params: dict[str, Any], start: dict[str, Any], trace: Trace) -> Any:
    m = MONITOR_CLASSES[monitor](params)
    if m.start(start):
        return -1
    for index, (name, args, answer, seen) in enumerate(trace):
        if m.step(name, args, answer, seen):
            return index
    return "finish" if m.finish() else None


def test_every_declared_monitor_has_a_class() -> None:
    assert set(MONITORS) == set(MONITOR_CLASSES)


def test_at_least() -> None:
    params = {"bounds": {"balance": 0}}
    ok: Trace = [("withdraw", [3], True, {"balance": 0})]
    assert _first("at_least", params, {"balance": 3}, ok) is None
    bad: Trace = [*ok, ("withdraw", [1], True, {"balance": -1})]
    assert _first("at_least", params, {"balance": 3}, bad) == 1
    assert _first("at_least", params, {"balance": "3"}, []) == -1  # not a number


@pytest.mark.parametrize(
    ("params", "entries", "broken"),
    [
        ({"observe": "b"}, [[1, "a"], [2, "b"]], False),
        ({"observe": "b"}, [[1, "a"], [1, "b"]], True),
        ({"observe": "b", "intervals": True}, [[0, 2, "a"], [2, 4, "b"]], False),
        ({"observe": "b", "intervals": True}, [[0, 3, "a"], [2, 4, "b"]], True),
        ({"observe": "b", "intervals": True}, [[0, 9, "a"], [2, 4, "b"]], True),
        ({"observe": "b"}, [[None, "a"]], True),
        ({"observe": "b"}, "not a list", True),
    ],
)
def test_exclusive(params: dict[str, Any], entries: Any, broken: bool) -> None:
    found = _first("exclusive", params, {"b": []}, [("book", [], True, {"b": entries})])
    assert (found == 0) is broken


def test_transitions() -> None:
    params = {"observe": "s", "allowed": [["new", "paid"], ["paid", "shipped"]]}
    ok: Trace = [("pay", [], True, {"s": "paid"}), ("pay", [], False, {"s": "paid"})]
    assert _first("transitions", params, {"s": "new"}, ok) is None
    skip: Trace = [("ship", [], True, {"s": "shipped"})]
    assert _first("transitions", params, {"s": "new"}, skip) == 0
    odd: Trace = [("pay", [], True, {"s": ["paid"]})]  # unhashable: still a message
    with pytest.raises(TypeError):
        _first("transitions", params, {"s": "new"}, odd)  # _property_violation catches it


def test_window() -> None:
    params = {"method": "allow", "limit": 2, "width": 3, "time_arg": 0, "key_arg": None}
    ok = [("allow", [t], t != 1, {}) for t in (0, 0, 1, 3, 4)]
    assert _first("window", params, {}, ok) is None
    bad = [("allow", [t], True, {}) for t in (0, 2, 2)]
    assert _first("window", params, {}, bad) == 2


def test_bounded_wait_starvation_no_progress_and_the_drain() -> None:
    params = {"request": "submit", "serve": "step", "bound": 2}
    fair: Trace = [
        ("submit", [0], 1, {}),
        ("submit", [1], 2, {}),
        ("step", [], 1, {}),
        ("step", [], 2, {}),
        ("step", [], None, {}),
    ]
    assert _first("bounded_wait", params, {}, fair) is None
    starved: Trace = [("submit", [1], 1, {})]
    for ticket in (2, 3, 4):
        starved += [("submit", [0], ticket, {}), ("step", [], ticket, {})]
    assert _first("bounded_wait", params, {}, starved) == 6
    stalled: Trace = [("submit", [0], 1, {}), ("step", [], None, {})]
    assert _first("bounded_wait", params, {}, stalled) == 1
    assert _first("bounded_wait", params, {}, [("submit", [0], 1, {})]) == "finish"
    reused: Trace = [("submit", [0], 1, {}), ("step", [], 1, {}), ("submit", [0], 1, {})]
    assert _first("bounded_wait", params, {}, reused) == 2


def test_bounded_wait_as_a_lock() -> None:
    params = {
        "style": "lock",
        "request": "acquire",
        "serve": "release",
        "bound": 1,
        "holder": "holder",
    }
    fifo: Trace = [
        ("acquire", [0], True, {"holder": 0}),
        ("acquire", [1], False, {"holder": 0}),
        ("release", [2], False, {"holder": 0}),
        ("release", [0], 1, {"holder": 1}),
    ]
    assert _first("bounded_wait", params, {"holder": None}, fifo) is None
    forgot: Trace = [*fifo[:2], ("release", [0], None, {"holder": None})]
    assert _first("bounded_wait", params, {"holder": None}, forgot) == 2


def test_gives_up() -> None:
    params = {"fail": "fail", "reset": "succeed", "attempts": 2}
    ends: Trace = [("fail", [], 1, {}), ("fail", [], 2, {}), ("fail", [], None, {})]
    assert _first("gives_up", params, {}, ends) is None
    reset: Trace = [*ends[:2], ("succeed", [], None, {}), *ends]
    assert _first("gives_up", params, {}, reset) is None
    forever: Trace = [*ends[:2], ("fail", [], 4, {})]
    assert _first("gives_up", params, {}, forever) == 2
    budget = {**params, "budget": 3}
    assert _first("gives_up", budget, {}, reset) == 4  # the fourth retry in all


def _data(monitor: str, params: dict[str, Any], observe: list[str]) -> _Data:
    checker = SequenceChecker(
        observe=observe, sequences=[[("m", [])]], monitor=monitor, params=params
    )
    return _Data(checker, None, [])


def test_a_value_the_property_cannot_read_is_a_contract_violation() -> None:
    data = _data("transitions", {"observe": "s", "allowed": []}, ["s"])
    report = {"initial": ["new"], "steps": [[["ok", True], [["odd"]]]]}
    found = _property_violation(data, [("m", [])], report)
    assert found is not None and found.kind == "contract"


@pytest.mark.parametrize(
    ("report", "valid"),
    [
        ({"initial": [1], "steps": [[["ok", True], [1]]]}, True),
        ({"initial": [1], "steps": [[["raise", "E", "m"], []]]}, True),
        ({"initial": [], "steps": [[["raise", "E", "m"], []]]}, True),
        ({"initial": [1], "steps": []}, False),  # cut short without a raise
        ({"initial": [1], "steps": [[["ok", True], []]]}, False),  # observations missing
        ({"initial": [1], "steps": [[["ok"], [1]]]}, False),
        ({"initial": [1], "steps": [[["ok", True], [1]], [["ok", 1], [1]]]}, False),  # too many
        ({"initial": [1], "steps": [[["ok", 1], [1]]], "extra": 1}, False),
        ([], False),
    ],
)
def test_report_shapes(report: Any, valid: bool) -> None:
    assert _valid_report(report, [("m", [])], 1) is valid


def test_an_unknown_monitor_or_no_sequence_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="unknown monitor 'eventually'"):
        SequenceChecker(sequences=[[("m", [])]], monitor="eventually")
    with pytest.raises(ValueError, match="sequences is empty"):
        SequenceChecker(sequences=[], monitor="at_least")
