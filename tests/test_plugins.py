"""A worked plug-in: one new module adds a backend, a suite, a probe, a report format, a metric
family and an executor.

The plug-in is a real distribution on ``sys.path`` (a ``.dist-info`` folder with
``entry_points.txt``), found through ``importlib.metadata`` as an installed package would be:
nothing in codehazard lists it. Files of the example: ``toy_plugin.py`` (the one module) and
``toy_plugin-0.1.dist-info/{METADATA,entry_points.txt}`` (what ``pip install`` would write).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import codehazard

PLUGIN = """
from typing import ClassVar

from codehazard.executors import LocalPool, executors
from codehazard.metrics import absent, metric_family
from codehazard.models import Completion, ModelBackend, register_backend
from codehazard.probes import probe_registry
from codehazard.report import report_formats
from codehazard.tasks import Task, TestChecker
from codehazard.tasks.suites import SuiteParam, register_suite


@register_backend("echo")
class Echo(ModelBackend):
    spec_help: ClassVar[str] = "echo/<word>"

    async def generate(self, request, task):
        return Completion(text=self.model)


COUNT = SuiteParam("count", "int", 2, "how many", 1, 9)


@register_suite("toy", description="a toy suite", params=(COUNT,))
def build(count: int) -> list[Task]:
    checker = TestChecker(test="")
    return [Task(task_id=f"toy/{i}", prompt="", entry_point="f", checker=checker)
            for i in range(count)]


@probe_registry.register("always-safe")
def always_safe():
    return lambda sample: 1.0


report_formats.register("title", lambda assessment: assessment.log.title)


@executors.register("one-at-a-time")
def one_at_a_time(tasks, *, workers, limits, isolation):
    return LocalPool(tasks, workers=1, limits=limits, isolation=isolation)


@metric_family
class ToyRate:
    pattern = "probe.toy.<rate>"
    description = "a toy probe's rates"

    def check(self, metric, parts):
        return None if parts["rate"] == "odd_rate" else "unknown toy rate"

    def measure(self, metric, parts, records, confidence):
        return absent(metric.text, self.pattern, "the toy measures nothing")
"""

ENTRY_POINTS = """\
[codehazard.backends]
toy = toy_plugin

[codehazard.suites]
toy = toy_plugin

[codehazard.probes]
toy = toy_plugin

[codehazard.report_formats]
toy = toy_plugin

[codehazard.metrics]
toy = toy_plugin

[codehazard.executors]
toy = toy_plugin
"""

CHECK = """\
from codehazard.models import create_backend, default_registry
from codehazard.probes import probe_registry
from codehazard.report import report_formats
from codehazard.tasks.suites import get_suite
print(create_backend("echo/hi").model)
print(len(get_suite("toy").build(count="3")))
print(probe_registry.get("always-safe")()(None))
print("title" in report_formats.names(), "echo/<word>" in default_registry().forms())
from codehazard.metrics import default_registry as metrics
print(metrics().knows("probe.toy.odd_rate"), metrics(plugins=False).knows("probe.toy.odd_rate"))
from codehazard.executors import get_executor
print(get_executor("one-at-a-time").__name__)
"""


def _install(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "toy_plugin.py").write_text(textwrap.dedent(PLUGIN))
    info = tmp_path / "toy_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    src = Path(codehazard.__file__).parents[1]
    path = os.pathsep.join([str(tmp_path), str(src), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


def test_one_module_adds_a_backend_suite_probe_report_format_metric_and_executor(
    tmp_path: Path,
) -> None:
    env = _install(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")[:6]
    assert lines == ["hi", "3", "1.0", "True True", "True False", "one_at_a_time"]


def test_the_cli_help_lists_the_plugin(tmp_path: Path) -> None:
    env = _install(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "codehazard", "run", "--help"],
        capture_output=True,
        text=True,
        env={**env, "COLUMNS": "200"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "echo/<word>" in done.stdout and "toy" in done.stdout
