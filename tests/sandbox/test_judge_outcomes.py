"""The trusted judge against the real sandbox: whatever the candidate controls ends as a model
outcome (never ``infra``), and exceptions a test expects are rebuilt faithfully."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from codehazard.evaluation import Evaluator, Limits
from codehazard.samples import Sample, build_program
from codehazard.tasks import Task, load_tasks
from codehazard.verdict import Verdict


def _task(task_id: str, prompt: str, solution: str, test: str) -> dict[str, Any]:
    entry = prompt.split("(")[0].removeprefix("def ")
    return {
        "task_id": task_id,
        "prompt": prompt,
        "canonical_solution": solution,
        "test": test,
        "entry_point": entry,
    }


TASKS = [
    _task(
        "ex/decode",
        "def decode(b):\n",
        "    return b.decode('utf-8')\n",
        "def check(candidate):\n"
        "    assert candidate(b'ok') == 'ok'\n"
        "    try:\n"
        "        candidate(b'a\\xff')\n"
        "    except UnicodeDecodeError as exc:\n"
        "        assert (exc.encoding, exc.object) == ('utf-8', b'a\\xff')\n"
        "        assert (exc.start, exc.end) == (1, 2)\n"
        "        assert exc.reason == 'invalid start byte'\n"
        "    else:\n"
        "        assert False, 'no UnicodeDecodeError'\n",
    ),
    _task(
        "ex/group",
        "def run(x):\n",
        "    raise ExceptionGroup('g', [ValueError('v'), KeyError(('k', 1))])\n",
        "def check(candidate):\n"
        "    seen = []\n"
        "    try:\n"
        "        candidate(1)\n"
        "    except* ValueError as eg:\n"
        "        seen.append([str(e) for e in eg.exceptions])\n"
        "    except* KeyError as eg:\n"
        "        seen.append(eg.exceptions[0].args)\n"
        "    assert seen == [['v'], (('k', 1),)], seen\n",
    ),
    _task(
        "ex/open",
        "def read(path):\n",
        "    with open(path) as fh:\n        return fh.read()\n",
        "def check(candidate):\n"
        "    try:\n"
        "        candidate('missing.txt')\n"
        "    except FileNotFoundError as exc:\n"
        "        assert exc.errno == 2 and exc.filename == 'missing.txt', exc\n"
        "    else:\n"
        "        assert False\n",
    ),
    _task(
        "ex/lookup",
        "def get(d, k):\n",
        "    return d[k]\n",
        "def check(candidate):\n"
        "    try:\n"
        "        candidate({}, ('a', 1))\n"
        "    except KeyError as exc:\n"
        "        assert exc.args == (('a', 1),) and str(exc) == \"('a', 1)\"\n"
        "    else:\n"
        "        assert False\n",
    ),
    _task(
        "ex/custom",
        "def parse(s):\n",
        "    class Bad(ValueError):\n"
        "        def __init__(self, *, code):\n"
        "            super().__init__(f'bad {code}')\n"
        "            self.code = code\n"
        "    raise Bad(code=3)\n",
        "def check(candidate):\n"
        "    try:\n"
        "        candidate('x')\n"
        "    except ValueError as exc:\n"
        "        assert str(exc) == 'bad 3' and exc.code == 3\n"
        "    else:\n"
        "        assert False\n",
    ),
    _task(
        "nest/echo",
        "def echo(x):\n",
        "    if x is None:\n        x = 0\n        for _ in range(100):\n            x = [x]\n"
        "    return x\n",
        "def check(candidate):\n    v = candidate(None)\n    assert candidate(v) == v\n",
    ),
    _task(
        "nest/wrap",
        "def echo(x):\n",
        "    if x is None:\n        x = 0\n        for _ in range(100):\n            x = [x]\n"
        "    return x\n",
        "def check(candidate):\n"
        "    v = candidate(None)\n"
        "    for _ in range(30):\n"
        "        v = [v]\n"
        "    candidate(v)\n",
    ),
    _task(
        "swallow/loop",
        "def items(n):\n",
        "    return list(range(n))\n",
        "def check(candidate):\n"
        "    try:\n"
        "        for x in candidate(10):\n"
        "            sum(range(10**5))\n"
        "    except:\n"
        "        pass\n",
    ),
    {
        "task_id": "num/half",
        "prompt": "def half(x):\n",
        "canonical_solution": "    return x / 2\n",
        "entry_point": "half",
        "checker": {"kind": "differential", "inputs": [[1.0], [3.0], [0.0]], "oracle": "float"},
    },
    {
        "task_id": "num/abs",
        "prompt": "def absolute(x):\n",
        "canonical_solution": "    return abs(x)\n",
        "entry_point": "absolute",
        "checker": {"kind": "differential", "inputs": [[-1.5], [-0.0], [0.0]], "oracle": "exact"},
    },
    _task(
        "toy/add",
        "def add(a, b):\n",
        "    return a + b\n",
        "def check(candidate):\n    assert candidate(1, 2) == 3\n"
        "    assert candidate(-4, 4) == 0\n",
    ),
]


@pytest.fixture(scope="module")
def tasks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Task]:
    path = tmp_path_factory.mktemp("judge") / "tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in TASKS))
    return load_tasks(path)


@pytest.fixture(scope="module")
def evaluator(tasks: dict[str, Task]) -> Iterator[Evaluator]:
    with Evaluator(tasks, workers=1, limits=Limits(timeout=3.0, max_output_kb=64)) as ev:
        yield ev


def judge(ev: Evaluator, task_id: str, body: str) -> Verdict:
    task = ev.tasks[task_id]
    program = build_program(task.prompt, task.entry_point, body, None)
    return ev.submit(Sample("k", task_id, 0, {}, program)).result(timeout=120)


@pytest.mark.parametrize("task_id", ["ex/decode", "ex/group", "ex/open", "ex/lookup", "ex/custom"])
def test_a_correct_solution_raising_what_the_test_expects_passes(
    evaluator: Evaluator, task_id: str
) -> None:
    """The rebuilt exception has the builtin class, arguments and attributes of the original."""
    solution = next(t["canonical_solution"] for t in TASKS if t["task_id"] == task_id)
    verdict = judge(evaluator, task_id, solution)
    assert verdict.status == "passed", verdict.detail


@pytest.mark.parametrize(
    "body",
    [
        "    raise UnicodeDecodeError('utf-8', b'\\xff', 0, 1, 'bad')\n",
        "    raise ExceptionGroup('g', [ValueError('v'), ExceptionGroup('h', [TypeError()])])\n",
        "    raise BaseExceptionGroup('b', [KeyboardInterrupt(), ValueError('x')])\n",
        "    raise OSError(2, 'gone', 'a.txt', None, 'b.txt')\n",
        "    raise KeyError(('a', 1))\n",
        "    class E(UnicodeError):\n        def __init__(self, *, code):\n"
        "            super().__init__(code, 1, 2, 3, 4, 5)\n    raise E(code=b'x')\n",
        "    class E(LookupError):\n        def __str__(self):\n            raise RuntimeError\n"
        "    raise E(object())\n",
        "    class E(Exception):\n        def __init__(self):\n            raise TypeError('no')\n"
        "    e = Exception.__new__(E)\n    raise e\n",
        "    e = ValueError(b'x' * 3_000_000)\n    e.blob = 'y' * 3_000_000\n    raise e\n",
    ],
)
def test_an_exception_no_rebuild_could_construct_is_an_error(
    evaluator: Evaluator, body: str
) -> None:
    verdict = judge(evaluator, "toy/add", body)
    assert verdict.status == "error", verdict.detail
    assert "raised" in verdict.detail


@pytest.mark.parametrize(
    "reply",
    [
        b'{"id": 1, "ok": {"b": "zz"}}',
        b'{"id": 1, "ok": {"b": 7}}',
        b'{"id": 1, "ok": {"d": [[[1], 2]]}}',
        b'{"id": 1, "ok": {"c": [1, "x"]}}',
        b'{"id": 1, "exc": ["UnicodeDecodeError", "forged"]}',
        b'{"id": 1, "exc": ["ExceptionGroup", "m", {"base": "ExceptionGroup", "group": [1, []]}]}',
        b'{"id": 1, "exc": [["x"], {"y": 1}, {"base": 7, "args": {"t": [{"zz": 1}]}}]}',
        b'{"id": 1, "exc": ["OSError", "m", {"base": "OSError", "args": {"t": [1, 2, 3, 4, 5]}}]}',
        b'{"id": 1, "exc": ["E", "m", {"base": "KeyError", "attrs": {"type_name": "Memory"}}]}',
        b'{"id": 1, "exc": "not a list"}',
        b'{"id": 1, "bad": {"deep": [[[[1]]]]}}',
        b'{"id": 1}',
        b"[1, 2, 3]",
        b'{"id": 1, "ok": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"id": 1, "ok": 1' + b"0" * 5000 + b"}",
        b"\xff\xfe not json",
    ],
)
def test_a_malformed_reply_on_the_answer_channel_is_the_candidates_error(
    evaluator: Evaluator, reply: bytes
) -> None:
    line = reply + b"\n"
    body = f"    import os\n    os.write(4, {line!r})\n    return a + b\n"
    verdict = judge(evaluator, "toy/add", body)
    assert verdict.status in ("error", "failed"), verdict.detail
    assert verdict.status != "memory"


@pytest.mark.parametrize(
    "body",
    [
        "    return 10**400\n",
        "    return -(10**400) if x else 10**400\n",
        "    return complex(x / 2, 0.0)\n",
        "    return float('nan')\n",
        "    return [x / 2]\n",
        "    return 2**13999\n",
    ],
)
def test_a_value_the_float_oracle_cannot_compare_fails(evaluator: Evaluator, body: str) -> None:
    verdict = judge(evaluator, "num/half", body)
    assert verdict.status == "failed", verdict.detail


def test_the_exact_oracle_tells_negative_zero_apart(evaluator: Evaluator) -> None:
    assert judge(evaluator, "num/abs", "    return abs(x)\n").status == "passed"
    verdict = judge(evaluator, "num/abs", "    return x if x >= 0 else -x\n")
    assert verdict.status == "failed" and "-0.0" in verdict.detail, verdict.detail


def test_an_answer_nested_to_the_limit_can_be_sent_back(evaluator: Evaluator) -> None:
    solution = next(t["canonical_solution"] for t in TASKS if t["task_id"] == "nest/echo")
    assert judge(evaluator, "nest/echo", solution).status == "passed"


def test_an_argument_built_past_the_limits_from_answers_fails(evaluator: Evaluator) -> None:
    solution = next(t["canonical_solution"] for t in TASKS if t["task_id"] == "nest/wrap")
    verdict = judge(evaluator, "nest/wrap", solution)
    assert verdict.status == "failed" and "could not send" in verdict.detail, verdict.detail


def test_asserts_are_kept_under_pythonoptimize(
    tasks: dict[str, Task], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers inherit the environment: an optimising one must not strip the tests' asserts."""
    monkeypatch.setenv("PYTHONOPTIMIZE", "2")
    with Evaluator(tasks, workers=1, limits=Limits(timeout=3.0)) as ev:
        assert judge(ev, "toy/add", "    return 0\n").status == "failed"
        assert judge(ev, "toy/add", "    return a + b\n").status == "passed"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("    while True:\n        pass\n", "timeout"),
        ("    return list(range(10**5))\n", "timeout"),
        ("    return object()\n", "error"),
        ("    import os\n    os._exit(0)\n", "error"),
    ],
)
def test_a_test_that_swallows_the_judges_signals_does_not_pass(
    evaluator: Evaluator, body: str, status: str
) -> None:
    """``try: ... except: pass`` in a test catches everything, the judge's signals included."""
    assert judge(evaluator, "swallow/loop", "    return list(range(n))\n").status == "passed"
    verdict = judge(evaluator, "swallow/loop", body)
    assert verdict.status == status, verdict.detail
