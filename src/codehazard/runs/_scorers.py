"""Per-sample scorers: named measurements of each sample, beside the sandbox's verdict.

A scorer looks at one judged sample (its task, the sample and the verdict) and returns a
``Score`` (value, explanation, metadata) or ``None`` when it has nothing to say. The sandbox
verdict is the first scorer, ``sandbox``: its scores are the verdicts themselves. Others
(static analysis, package resolution, refusal detection...) register by name::

    @scorers.register("mentions-eval")
    class MentionsEval:
        name = "mentions-eval"
        def score(self, task, sample, verdict): ...

or through the ``codehazard.scorers`` entry-point group; a run names the scorers it uses in
``RunConfig.scorers``, and every score is committed as soon as it exists.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from codehazard._registry import Registry
from codehazard.errors import RegistrationTypeError
from codehazard.samples import Sample
from codehazard.store import SANDBOX_SCORER, Score, verdict_score
from codehazard.tasks import Task
from codehazard.verdict import Verdict


@runtime_checkable
class Scorer(Protocol):
    """Scores one judged sample; must not run the sample's code (the sandbox does that)."""

    name: str

    def score(self, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
        """The sample's score, or ``None`` when this scorer does not apply to it."""
        ...


class SandboxScorer:
    """The first scorer: the sandbox's verdict as a score (1.0 passed, 0.0 a model failure,
    ``None`` for infra). Its scores are derived from the verdicts, never stored twice."""

    name = SANDBOX_SCORER

    def score(self, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
        """The verdict as a score."""
        return verdict_score(sample.key, verdict)


def _validate(name: str, obj: Any) -> None:
    if not callable(getattr(obj, "score", None)):
        raise RegistrationTypeError(
            f"scorer {name!r} must have a score(task, sample, verdict) method"
        )


scorers: Registry[Any] = Registry("scorer", "codehazard.scorers", validate=_validate)
scorers.register(SANDBOX_SCORER, SandboxScorer)


def get_scorer(name: str) -> Scorer:
    """A fresh instance of the scorer registered as ``name`` (a class, or an instance); a
    registered probe's name gives that probe's scorer (``codehazard.probes``), so a run over a
    probe's prompts needs no registration beyond the probe's own.

    Raises:
        UnknownNameError: no scorer or probe has that name; the message lists the scorers.
    """
    if name not in scorers:
        from codehazard.probes import get_probe, probe_registry

        if name in probe_registry:
            return get_probe(name).scorer()
    found = scorers.get(name)
    return found() if isinstance(found, type) else found


def run_scorer(scorer: Scorer, task: Task, sample: Sample, verdict: Verdict) -> Score | None:
    """``scorer.score`` with its own failure kept as a score without a value (our bug, shown,
    never a model outcome and never a crash of the run)."""
    try:
        return scorer.score(task, sample, verdict)
    except Exception as exc:
        return Score(
            key=sample.key,
            scorer=scorer.name,
            value=None,
            explanation=f"scorer failed: {type(exc).__name__}: {exc}",
        )
