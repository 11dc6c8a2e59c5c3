"""Served secrets over the channel: the candidate reads a secret the judge holds, one counted
access at a time (``_served``, ``Channel.served_call``).

Real programs in the real sandbox, judged by a small judge of their own: every read is counted
on the judge's side, a patched proxy or hand-written requests are still counted, a forged
reply or a secret kept past its call gives nothing, and a read past the budget ends the call.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

import pytest

from codehazard.sandbox import Channel, Limits, Outcome, PreparedTask, Sandbox, judge_sample
from codehazard.sandbox._served import ReadBudgetSpent, SecretServer, _compare_cost

COMPARE = """
def check(stored, guess):
    diff = len(stored) ^ len(guess)
    for i in range(len(guess)):
        diff |= ord(stored[i % len(stored)]) ^ ord(guess[i])
    return diff == 0
"""


def _judge_reads(task: PreparedTask, ch: Channel) -> Outcome:
    """Two calls on different secrets; the outcome reports each call's answer and work."""
    runs = []
    for secret in task.data["secrets"]:
        server = SecretServer(secret, budget=task.data.get("budget", 10_000))
        try:
            value = ch.served_call((secret, task.data["guess"]), {}, {0: server})
        except ReadBudgetSpent as exc:
            return {"status": "failed", "detail": f"budget: {exc}", "failure_kind": "work"}
        runs.append([value, server.work, server.accesses])
    return {"status": "failed", "detail": repr(runs)}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(index=12)
    box.start()
    try:
        yield box
    finally:
        box.close()


def _runs(sandbox: Sandbox, program: str, secrets: list[Any], guess: Any, **data: Any) -> Any:
    task = PreparedTask(
        "served/check",
        "check",
        None,
        run=_judge_reads,
        data={"secrets": secrets, "guess": guess, **data},
    )
    verdict = judge_sample(sandbox, task, program, Limits(timeout=5))
    if verdict.status != "failed" or verdict.failure_kind is not None:
        return verdict
    return ast.literal_eval(verdict.detail)


def test_every_read_is_counted_by_the_judge(sandbox: Sandbox) -> None:
    runs = _runs(sandbox, COMPARE, ["hunter22", "hunter23"], "hunter22")
    # len(stored) once, then len(stored) and one item per character of the guess
    assert runs == [[True, 17, 17], [False, 17, 17]]


def test_an_early_return_shows_as_work_that_depends_on_the_secret(sandbox: Sandbox) -> None:
    early = """
def check(stored, guess):
    if len(stored) != len(guess):
        return False
    for i, c in enumerate(stored):
        if c != guess[i]:
            return False
    return True
"""
    runs = _runs(sandbox, early, ["abcdef", "abXdef"], "abcdef")
    assert [r[0] for r in runs] == [True, False]
    assert runs[0][1] == 1 + 7 and runs[1][1] == 1 + 3  # iteration ends with one failed read


def test_equality_costs_what_a_short_circuiting_comparison_looks_at(sandbox: Sandbox) -> None:
    runs = _runs(
        sandbox,
        "def check(stored, guess):\n    return stored == guess\n",
        ["abcdef", "abXdef", "abc"],
        "abcdef",
    )
    assert runs == [[True, 6, 1], [False, 3, 1], [False, 1, 1]]
    assert _compare_cost([1, 2, 3], (1, 2, 4)) == 3 and _compare_cost("ab", 5) == 1


def test_membership_indexing_errors_and_the_proxys_surface(sandbox: Sandbox) -> None:
    program = """
def check(stored, guess):
    out = [guess in stored, stored[-1], bool(stored), repr(stored)]
    for bad in (lambda: stored[99], lambda: stored[1:], lambda: hash(stored)):
        try:
            bad()
        except Exception as exc:
            out.append(type(exc).__name__)
    return out
"""
    runs = _runs(sandbox, program, [[3, 1, 4], [3, 9, 4]], 1)
    names = ["IndexError", "TypeError", "TypeError"]
    assert runs[0][0] == [True, 4, True, "<secret>", *names]
    assert runs[1][0] == [False, 4, True, "<secret>", *names]
    # `in` (up to the item found, or all), [-1], bool, [99], the refused slice; hash reads nothing
    assert runs[0][1] == 2 + 1 + 1 + 1 + 1 and runs[1][1] == 3 + 1 + 1 + 1 + 1


HAND_WRITTEN = """
import json, os

CALLS = [0]  # requests are numbered from 1 on a channel; each call here is one request


def check(stored, guess):
    # bypass the proxy: write the read request by hand, then read the reply from fd 3
    CALLS[0] += 1
    request = {"id": CALLS[0], "access": [0, "item", 0]}
    os.write(4, (json.dumps(request) + "\\n").encode())
    line = b""
    while not line.endswith(b"\\n"):
        line += os.read(3, 1)
    return json.loads(line)["value"]
"""


def test_a_hand_written_read_is_served_and_counted_like_any_other(sandbox: Sandbox) -> None:
    runs = _runs(sandbox, HAND_WRITTEN, ["q", "r"], "")
    assert runs == [["q", 1, 1], ["r", 1, 1]]


@pytest.mark.parametrize(
    "program",
    [
        # a forged read request naming a position that is not served
        "import os\ndef check(s, g):\n"
        '    os.write(4, b\'{"id": 1, "access": [5, "len", null]}\\n\')\n'
        "    return os.read(3, 100)\n",
        # a read request of the wrong shape
        'import os\ndef check(s, g):\n    os.write(4, b\'{"id": 1, "access": "len"}\\n\')\n'
        "    return os.read(3, 100)\n",
    ],
)
def test_a_forged_read_is_the_candidates_error(sandbox: Sandbox, program: str) -> None:
    verdict = _runs(sandbox, program, ["a", "b"], "")
    assert verdict.status == "error" and "malformed read" in verdict.detail


def test_a_secret_kept_past_its_call_reads_nothing(sandbox: Sandbox) -> None:
    program = """
KEPT = []

def check(stored, guess):
    if KEPT:
        try:
            return KEPT[0][0]
        except RuntimeError as exc:
            return str(exc)
    KEPT.append(stored)
    return len(stored)
"""
    runs = _runs(sandbox, program, ["abc", "xyz"], "")
    assert runs[0] == [3, 1, 1]
    assert runs[1][0].startswith("a secret can be read only during") and runs[1][1:] == [0, 0]


def test_a_read_past_the_budget_ends_the_call(sandbox: Sandbox) -> None:
    program = "def check(s, g):\n    while True:\n        s[0]\n"
    verdict = _runs(sandbox, program, ["abc"], "", budget=50)
    assert (verdict.status, verdict.failure_kind) == ("failed", "work")
    assert "more than 50" in verdict.detail
