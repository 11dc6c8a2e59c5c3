"""The suite registry: lookup, parameter parsing and validation, registration rules."""

from __future__ import annotations

import pytest

from codehazard.errors import InputError
from codehazard.tasks import Task
from codehazard.tasks import TestChecker as HumanEvalTests
from codehazard.tasks.suites import Suite, SuiteParam, get_suite, list_suites, register_suite
from codehazard.tasks.suites._registry import SuiteRegistry


def test_builtin_suites_are_listed() -> None:
    names = [s.name for s in list_suites()]
    assert names == sorted(names)
    assert {"building-blocks", "variable-binding"} <= set(names)
    for suite in list_suites():
        assert isinstance(suite, Suite)
        assert suite.description
        assert all(p.help for p in suite.params)
        assert "seed" in suite.defaults()


def test_unknown_suite_lists_the_known_ones() -> None:
    with pytest.raises(
        InputError, match=r"unknown suite 'nope'.*building-blocks.*variable-binding"
    ):
        get_suite("nope")


LENGTHS = SuiteParam("lengths", "ints", (1, 2), "lengths", 1, 13)
COUNT = SuiteParam("count", "int", 3, "count", 1, 100)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-10", tuple(range(1, 11))),
        ("1,3,5", (1, 3, 5)),
        ("2-4,7", (2, 3, 4, 7)),
        (" 5 ", (5,)),
        ("3,1,3", (1, 3)),
        (range(1, 4), (1, 2, 3)),
        ([4, 2], (2, 4)),
        (6, (6,)),
    ],
)
def test_int_sets_are_parsed(text: object, expected: tuple[int, ...]) -> None:
    assert LENGTHS.coerce(text) == expected


@pytest.mark.parametrize("text", ["", "a-b", "4-2", "1-2-3", "1,,2", True, [], [1.5]])
def test_bad_int_sets_name_the_parameter(text: object) -> None:
    with pytest.raises(InputError, match="lengths"):
        LENGTHS.coerce(text)


def test_bounds_are_enforced() -> None:
    with pytest.raises(InputError, match="lengths: 14 is out of range; use values from 1 to 13"):
        LENGTHS.coerce("12-14")
    with pytest.raises(InputError, match="count: 0 is out of range"):
        COUNT.coerce("0")
    assert COUNT.coerce("7") == 7
    with pytest.raises(InputError, match="count: expected an integer"):
        COUNT.coerce("seven")
    with pytest.raises(InputError, match="count: expected an integer"):
        COUNT.coerce(False)


def test_flags_follow_parameter_names() -> None:
    assert SuiteParam("per_length", "int", 1, "x").flag == "--per-length"


def _toy(registry: SuiteRegistry) -> None:
    @register_suite("toy", description="a toy", params=(COUNT,), registry=registry)
    def build(count: int) -> list[Task]:
        return [
            Task(task_id=f"toy/{i}", prompt="", entry_point="f", checker=HumanEvalTests(test=""))
            for i in range(count)
        ]


def test_a_private_registry_builds_with_defaults_and_overrides() -> None:
    registry = SuiteRegistry()
    _toy(registry)
    suite = registry.get("toy")
    assert len(suite.build()) == 3
    assert len(suite.build(count="5")) == 5
    assert suite.resolve(count=None) == {"count": 3}
    with pytest.raises(InputError, match=r"suite 'toy' has no parameter.*lengths.*are count"):
        suite.build(lengths="1-3")
    with pytest.raises(InputError, match="known suites: toy"):
        registry.get("other")


def test_registration_rejects_mismatched_builders_and_duplicates() -> None:
    registry = SuiteRegistry()
    with pytest.raises(ValueError, match="differ from the declared"):

        @register_suite("bad", description="", params=(COUNT,), registry=registry)
        def build(other: int) -> list[Task]:
            return []

    _toy(registry)
    with pytest.raises(ValueError, match="already registered"):
        _toy(registry)


def test_builtin_builds_validate_their_parameters() -> None:
    with pytest.raises(InputError, match="lengths: 14 is out of range"):
        get_suite("building-blocks").build(lengths="1-14")
    with pytest.raises(InputError, match="variables: 9 is out of range"):
        get_suite("variable-binding").build(variables=9)
    with pytest.raises(InputError, match="has no parameter"):
        get_suite("variable-binding").build(lengths="1-3")


class _BrokenEntryPoint:
    name = "broken"
    value = "broken_plugin:suites"

    def load(self) -> None:
        raise ImportError("no module named broken_plugin")


def test_a_broken_plugin_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from codehazard.tasks.suites._registry import suite_registry

    # a failed load is not remembered as done, so later lookups see the same error
    suite_registry().forget_plugins()
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [_BrokenEntryPoint()])
    with pytest.raises(InputError, match=r"suite plugin 'broken' \(broken_plugin:suites\)"):
        list_suites()
    with pytest.raises(InputError, match="suite plugin 'broken'"):
        list_suites()


def test_a_choice_parameter_takes_one_of_its_names() -> None:
    base = SuiteParam("base", "choice", "humaneval", "b", choices=("humaneval", "blocks"))
    assert base.coerce(" Blocks ") == "blocks" and base.coerce("humaneval") == "humaneval"
    with pytest.raises(InputError, match=r"base: 'mbpp' is not one of humaneval, blocks"):
        base.coerce("mbpp")
    with pytest.raises(InputError, match="is not one of"):
        base.coerce(1)
    from codehazard.errors import RegistryError

    with pytest.raises(RegistryError, match="choices that hold its default"):
        SuiteParam("base", "choice", "other", "b", choices=("humaneval",))
    with pytest.raises(RegistryError, match="only a choice parameter has choices"):
        SuiteParam("n", "int", 1, "n", choices=("x",))


def test_the_misalignment_base_is_named_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from codehazard.cli import main

    assert main(["suites", "build", "misalignment", "--base", "nope", "-o", "-"]) == 2
    err = capsys.readouterr().err
    assert "base: 'nope' is not one of humaneval, building-blocks" in err
