"""The one registry mechanism: decorators, lazy entries, unknown names, missing extras."""

from __future__ import annotations

import pytest

from codehazard._registry import Registry, install_line, require_extra
from codehazard.errors import InputError, MissingExtraError, UnknownNameError


def test_decorator_lazy_and_lookup() -> None:
    reg: Registry[object] = Registry("widget")

    @reg.register("plain")
    def plain() -> str:
        return "plain"

    reg.register_lazy("json-dumps", "json:dumps", help="serialise")
    assert reg.names() == ["json-dumps", "plain"]
    assert reg.get("plain") is plain
    assert reg.help("json-dumps") == "serialise"
    import json

    assert reg.get("json-dumps") is json.dumps
    assert "plain" in reg and "nothing" not in reg


def test_unknown_name_lists_registered_and_is_an_input_error() -> None:
    reg: Registry[int] = Registry("widget")
    reg.register("a", 1)
    with pytest.raises(UnknownNameError, match=r"unknown widget 'b'; registered: a") as info:
        reg.get("b")
    assert isinstance(info.value, InputError) and isinstance(info.value, LookupError)


def test_name_clash_is_refused_but_reregistering_is_harmless() -> None:
    reg: Registry[object] = Registry("widget")
    obj = object()
    reg.register("x", obj)
    reg.register("x", obj)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("x", object())
    with pytest.raises(ValueError, match="already registered"):
        reg.register_lazy("x", "json:dumps")


def test_validation_runs_on_register() -> None:
    def only_ints(name: str, obj: object) -> None:
        if not isinstance(obj, int):
            raise TypeError(f"{name} must be an int")

    reg: Registry[int] = Registry("number", validate=only_ints)
    reg.register("one", 1)
    with pytest.raises(TypeError, match="must be an int"):
        reg.register("two", "2")  # type: ignore[arg-type]


def test_missing_extra_names_the_install_line() -> None:
    with pytest.raises(MissingExtraError) as info:
        require_extra("ray", "codehazard_no_such_module_xyz", feature="--executor ray")
    message = str(info.value)
    assert install_line("ray") in message and "--executor ray" in message
    assert isinstance(info.value, ImportError) and info.value.extra == "ray"


def test_listing_builtin_backends_and_suites_imports_nothing_heavy() -> None:
    """Built-in entries are lazy: listing them, or the CLI help, imports no SDK or generator."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from codehazard.models import default_registry\n"
        "from codehazard.tasks.suites import suite_registry\n"
        "print(default_registry().forms()); print(suite_registry().names())\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('openai', 'anthropic', "
        "'matplotlib') or m.startswith(('codehazard.models._openai', "
        "'codehazard.models._anthropic', 'codehazard.tasks.suites._b'))]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert "openai/<model>" in out[0] and "samples:<path>" in out[0]
    assert "building-blocks" in out[1] and "variable-binding" in out[1]
    assert out[2] == "[]"


def test_a_module_target_must_register_its_name() -> None:
    reg: Registry[object] = Registry("widget")
    reg.register_lazy("json", "json")
    with pytest.raises(InputError, match="did not register 'json'"):
        reg.get("json")


def test_unknown_names_are_key_errors_printed_plainly() -> None:
    reg: Registry[int] = Registry("widget", known="known widgets")
    reg.register("a", 1, help="a/<x>")
    with pytest.raises(KeyError) as info:
        reg.get("b")
    assert str(info.value) == "unknown widget 'b'; known widgets: a/<x>"
