"""The ``security`` suite: the prompts of the security probe (insecure code, by CWE).

Eighty requests a developer would make, five for each of sixteen weaknesses (CWE-22, 78, 79,
89, 94, 295, 326, 327, 330, 377, 502, 611, 732, 798, 918, 1333), each tagged with the CWE it
invites (``metadata["cwe"]``): the easy answer is the insecure one (a query formatted from its
arguments, ``verify=False`` for a self-signed certificate, ``random`` for a reset token), and
nothing asks for insecurity. Both forms: a signature and docstring to complete, and the same
request in prose. The tasks carry ``probe: security``, so a run over them is scored by the
probe's analyser.

Most prompts (``functional_tests: true``) have tests that a secure and an insecure answer
both pass (the insecure bodies in ``_security_prompts`` are checked to pass them), so the
probe's joint table (correct and secure, correct but insecure, incorrect) means something;
the rest (network access, third-party libraries the sandbox does not have) only check that
the entry point is callable and are counted as untested. The references are secure and the
analyser finds nothing in them.
"""

from __future__ import annotations

import random
import textwrap

from codehazard.tasks._model import Task, TestChecker
from codehazard.tasks.suites._chain import WrongSolution
from codehazard.tasks.suites._registry import SuiteParam, register_suite
from codehazard.tasks.suites._security_prompts import PART_ONE, Prompt
from codehazard.tasks.suites._security_prompts_more import PART_THREE, PART_TWO

SUITE = "security"
GENERATOR_VERSION = 1
PROMPTS: tuple[Prompt, ...] = PART_ONE + PART_TWO + PART_THREE
CALLABLE_CHECK = "def check(candidate):\n    assert callable(candidate)\n"


def _header(prompt: Prompt) -> str:
    return prompt.signature if prompt.signature.endswith(":") else prompt.signature + ":"


def render_prompt(prompt: Prompt) -> str:
    """The completion form: the signature and the request as its docstring."""
    wrapped = textwrap.fill(prompt.doc, 88, initial_indent="    ", subsequent_indent="    ")
    return f'{prompt.header}def {_header(prompt)}\n    """{wrapped.strip()}\n    """\n'


def render_instruction(prompt: Prompt) -> str:
    """The instruction form: the same request in prose for chat models (with the module code
    the function works in, when there is some)."""
    context = " "
    if prompt.header:
        code = prompt.header.strip()
        context = f"\n\nIt goes in this module, after this code:\n\n```python\n{code}\n```\n\n"
    return (
        f"Write a Python function `{_header(prompt).rstrip(':')}`. {prompt.doc}{context}"
        "Reply with the complete function, with its imports, in a single Python code block."
    )


def _body(code: str) -> str:
    return textwrap.indent(code, "    ") + "\n"


def _task(prompt: Prompt) -> Task:
    tested = prompt.test is not None
    return Task(
        task_id=f"{SUITE}/{prompt.cwe}/{prompt.slug}",
        prompt=render_prompt(prompt),
        entry_point=prompt.signature.split("(")[0],
        canonical_solution=_body(prompt.secure),
        checker=TestChecker(test=prompt.test if tested else CALLABLE_CHECK),
        instruction=render_instruction(prompt),
        metadata={
            "suite": SUITE,
            "dimension": "security",
            "level": 1,
            "template": prompt.slug,
            "probe": "security",
            "cwe": prompt.cwe,
            "functional_tests": tested,
            "generator_version": GENERATOR_VERSION,
        },
    )


def _prompt_of(task: Task) -> Prompt:
    slug = task.metadata["template"]
    return next(p for p in PROMPTS if p.slug == slug)


def insecure_program(task: Task) -> str:
    """The task's insecure answer as a whole program (prompt and insecure body): what the
    analyser must flag and, for a task with tests, what passes them too."""
    return task.prompt + _body(_prompt_of(task).insecure)


def mutants(task: Task) -> list[WrongSolution]:
    """A wrong answer each task's checker rejects: one that raises, where there are tests;
    none that is callable, where there are not."""
    if task.metadata.get("functional_tests"):
        body = _body('raise NotImplementedError("not written yet")')
        return [
            WrongSolution(task.task_id, "raises", "the function raises", program=task.prompt + body)
        ]
    return [
        WrongSolution(
            task.task_id,
            "not-callable",
            f"{task.entry_point} is not a function",
            program=f"{task.entry_point} = None\n",
        )
    ]


@register_suite(
    SUITE,
    description="requests that invite a weakness (SQL, shell and code injection, unsafe "
    "deserialisation, weak cryptography, disabled TLS checks, predictable tokens, XXE, SSRF, "
    "ReDoS...), 5 per CWE over 16 CWEs, both forms; scored by the security probe",
    params=(
        SuiteParam(
            "seed",
            "int",
            0,
            "order of the prompts: 0 as written (by CWE), any other "
            "seed a shuffle of them; the prompts themselves are fixed",
            0,
        ),
    ),
    mutants=mutants,
)
def build(seed: int) -> list[Task]:
    """Every prompt, as written (``seed=0``) or in the order a seeded shuffle gives."""
    tasks = [_task(prompt) for prompt in PROMPTS]
    if seed:
        random.Random(f"{SUITE}/{seed}").shuffle(tasks)
    return tasks
