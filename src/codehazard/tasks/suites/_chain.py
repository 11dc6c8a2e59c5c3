"""Chains of steps: the shared structure behind the complexity suites and failure localisation.

A generated task is a chain: an initial state built from the arguments, steps applied in order,
and (for some suites) a final step that turns the state into the return value. Knowing the chain
lets us do two things with the same code:

* at build time, choose test inputs that tell the reference apart from plausible wrong programs
  (a step skipped, a known misapplication of a step, two steps reordered), so the tests are
  strong enough to reject them;
* after a run, explain a failing sample by finding which of those wrong programs reproduces its
  outputs (``codehazard.scoring.localise``).

Everything here is trusted code (our own references and our own wrong variants); untrusted model
code never runs in this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from codehazard.errors import ArgumentError

Fn = Callable[[Any], Any]

HypothesisKind = Literal[
    "alternative-reading", "skipped", "misapplied", "reordered", "wrong-variable"
]
"""How a program differs from the reference: the closed vocabulary of localisation.

``alternative-reading`` is a step done as another defensible reading of its docstring line
(e.g. "every third character" counted from 1): wrong by the tests, but not by the words.
"""

HYPOTHESIS_KINDS: tuple[HypothesisKind, ...] = (
    "alternative-reading",
    "skipped",
    "misapplied",
    "wrong-variable",
    "reordered",
)
"""Kinds in the order localisation prefers them when several explain a sample equally well: a
defensible reading first, so that a sample the wording allows is never charged with a fault."""


@dataclass(frozen=True)
class Alternative:
    """A known wrong way of performing one step (a mutant): its kind, a label, and its function."""

    kind: HypothesisKind
    label: str
    fn: Fn


@dataclass(frozen=True)
class Step:
    """One step of a chain: the block it instantiates, its function, and its known mutants.

    ``fixed`` steps (a combining ``return``) cannot be skipped or moved: removing them would not
    produce a value of the right kind.
    """

    block: str
    fn: Fn
    alternatives: tuple[Alternative, ...] = ()
    fixed: bool = False


@dataclass(frozen=True)
class Variant:
    """A wrong program near the reference: the reference up to ``start``, then ``tail``.

    ``positions`` are the 0-based steps involved, ``blocks`` their block names, ``detail`` a
    short human-readable description (e.g. ``"step 3 (trim_two) as s[1:-1]"``).
    """

    kind: HypothesisKind
    positions: tuple[int, ...]
    blocks: tuple[str, ...]
    detail: str
    start: int
    tail: tuple[Fn, ...]


_ERROR = object()


@dataclass(frozen=True)
class Chain:
    """A reference program as a chain: ``init(args)`` then each step's function in order."""

    init: Callable[[Sequence[Any]], Any]
    steps: tuple[Step, ...]

    @property
    def blocks(self) -> tuple[str, ...]:
        """The block name of every step."""
        return tuple(s.block for s in self.steps)

    def states(self, args: Sequence[Any]) -> list[Any]:
        """The state before each step and after the last one (``len(steps) + 1`` entries)."""
        state = self.init(args)
        out = [state]
        for step in self.steps:
            state = step.fn(state)
            out.append(state)
        return out

    def run(self, args: Sequence[Any]) -> Any:
        """The reference output for one argument list."""
        return self.states(args)[-1]

    def run_variant(self, variant: Variant, states: Sequence[Any]) -> Any:
        """A variant's output, given the reference ``states`` for the same arguments.

        A variant that raises yields a private sentinel that equals no output, so a crashing
        wrong program never "explains" anything.
        """
        state = states[variant.start]
        try:
            for fn in variant.tail:
                state = fn(state)
        except Exception:
            return _ERROR
        return state

    def variants(self, *, reorder: Literal["all", "adjacent", "none"] = "all") -> list[Variant]:
        """Every single-fault variant: each step skipped, each known mutant, each reordering.

        ``reorder="all"`` tries every swap of two steps and every move of one step to another
        place; ``"adjacent"`` only swaps of neighbours (cheaper, used at build time).
        """
        out = list(self._skips())
        out.extend(self._substitutions())
        if reorder != "none":
            out.extend(self._reorders(adjacent_only=reorder == "adjacent"))
        return out

    def skipped_variants(self) -> list[Variant]:
        """Each (non-fixed) step skipped, in step order."""
        return list(self._skips())

    def observable_steps(self, inputs: Iterable[Sequence[Any]]) -> tuple[bool, ...]:
        """Per step: whether skipping it changes the output on at least one of ``inputs``.

        A fixed step counts as observable (it cannot be skipped).
        """
        states = [self.states(args) for args in inputs]
        seen = [True] * len(self.steps)
        for variant in self._skips():
            seen[variant.start] = any(
                not same_value(self.run_variant(variant, st), st[-1]) for st in states
            )
        return tuple(seen)

    def _skips(self) -> Iterable[Variant]:
        fns = [s.fn for s in self.steps]
        for i, step in enumerate(self.steps):
            if step.fixed:
                continue
            detail = f"step {i + 1} ({step.block}) skipped"
            yield Variant("skipped", (i,), (step.block,), detail, i, tuple(fns[i + 1 :]))

    def _substitutions(self) -> Iterable[Variant]:
        fns = [s.fn for s in self.steps]
        for i, step in enumerate(self.steps):
            for alt in step.alternatives:
                detail = f"step {i + 1} ({step.block}) {alt.label}"
                tail = (alt.fn, *fns[i + 1 :])
                yield Variant(alt.kind, (i,), (step.block,), detail, i, tail)

    def _reorders(self, *, adjacent_only: bool) -> Iterable[Variant]:
        n = len(self.steps)
        movable = [i for i in range(n) if not self.steps[i].fixed]
        seen: set[tuple[int, ...]] = {tuple(range(n))}
        orders: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for a, i in enumerate(movable):
            for j in movable[a + 1 :]:
                if adjacent_only and j != i + 1:
                    continue
                order = list(range(n))
                order[i], order[j] = order[j], order[i]
                orders.append((tuple(order), (i, j)))
        if not adjacent_only:
            for i in movable:
                for j in movable:
                    if i == j:
                        continue
                    order = [k for k in range(n) if k != i]
                    order.insert(j, i)
                    orders.append((tuple(order), (i, j)))
        for order, (i, j) in orders:
            if order in seen:
                continue
            seen.add(order)
            start = next(k for k in range(n) if order[k] != k)
            tail = tuple(self.steps[k].fn for k in order[start:])
            pos = (min(i, j), max(i, j))
            blocks = tuple(self.steps[k].block for k in pos)
            detail = "steps in order " + ", ".join(str(k + 1) for k in order)
            yield Variant("reordered", pos, blocks, detail, start, tail)


def same_value(a: Any, b: Any) -> bool:
    """Exact equality of plain values: equal and of identical types (``True`` is not ``1``)."""
    return type(a) is type(b) and a == b


def select_inputs(
    chain: Chain,
    base: Sequence[Sequence[Any]],
    pool: Iterable[Sequence[Any]],
    *,
    cap: int,
    reorder: Literal["all", "adjacent", "none"] = "adjacent",
) -> list[list[Any]]:
    """Test inputs: ``base``, plus inputs from ``pool`` that reject variants ``base`` misses.

    Greedy: for each pool input in order, keep it if it distinguishes at least one variant not
    yet distinguished, until every variant is distinguished, the pool is exhausted, or ``cap``
    inputs are chosen. Variants the pool cannot distinguish are equivalent to the reference on
    every input we would try (e.g. a vowel set missing the uppercase vowels, right after the
    string was lowercased) and cannot be rejected by any test.

    Raises:
        ValueError: ``cap`` is smaller than ``len(base)``.
    """
    if cap < len(base):
        raise ArgumentError(f"cap {cap} is smaller than the {len(base)} base inputs")
    chosen = [list(args) for args in base]
    alive = chain.variants(reorder=reorder)
    for args in chosen:
        alive = _survivors(chain, alive, args)
    for args in pool:
        if not alive or len(chosen) >= cap:
            break
        remaining = _survivors(chain, alive, args)
        if len(remaining) < len(alive):
            chosen.append(list(args))
            alive = remaining
    return chosen


def _survivors(chain: Chain, variants: list[Variant], args: Sequence[Any]) -> list[Variant]:
    states = chain.states(args)
    expected = states[-1]
    return [v for v in variants if same_value(chain.run_variant(v, states), expected)]


@dataclass(frozen=True)
class WrongSolution:
    """A known wrong solution of one task (a mutant) that the task's checker must reject.

    A mutant is given as trusted code of ours in one of two forms, or both:

    - ``call``: the wrong function itself, called in-process with the task's arguments (the
      chain suites, whose checkers compare return values);
    - ``program``: the whole wrong program (prompt and body), judged in the real sandbox like
      any sample (suites whose checkers drive objects, threads or randomness).

    ``kind`` names the mistake (for the chain suites a ``HypothesisKind``; for others a label
    such as ``missing-lock``). ``told_apart()`` says whether any input of an independent probe
    gives another answer than the reference: a mutant it cannot tell apart is equivalent on
    every input we would try, and no checker could reject it (``None``: always told apart).
    """

    task_id: str
    kind: str
    detail: str
    blocks: tuple[str, ...] = ()
    call: Callable[..., Any] | None = None
    told_apart: Callable[[], bool] | None = None
    program: str | None = None

    def distinguishable(self) -> bool:
        """Whether some checker could reject this mutant (``told_apart``, else true)."""
        return True if self.told_apart is None else self.told_apart()


def chain_mutants(
    task_id: str, chain: Chain, probe: Sequence[Sequence[Any]]
) -> list[WrongSolution]:
    """Every single-fault variant of ``chain`` (adjacent reorders) as a wrong solution.

    ``probe`` is the independent set of argument lists ``told_apart`` tries.
    """
    expected: list[Any] = []

    def reference_outputs() -> list[Any]:
        if not expected:
            expected.extend(chain.run(args) for args in probe)
        return expected

    out = []
    for variant in chain.variants(reorder="adjacent"):

        def call(*args: Any, v: Variant = variant) -> Any:
            return chain.run_variant(v, chain.states(args))

        def told_apart(v: Variant = variant) -> bool:
            pairs = zip(probe, reference_outputs(), strict=True)
            return any(not same_value(chain.run_variant(v, chain.states(a)), e) for a, e in pairs)

        out.append(
            WrongSolution(task_id, variant.kind, variant.detail, variant.blocks, call, told_apart)
        )
    return out
