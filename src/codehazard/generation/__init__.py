"""Generation: ask a model backend for samples, judge them as they arrive, record, resume.

``start_run(store, tasks, RunConfig(model="openai/gpt-4o-mini", ...))`` runs the whole
pipeline; ``resume_run(store, run_id)`` continues one after any interruption, to exactly the
result an uninterrupted run gives. ``Generator`` is the generation stage alone (bounded
concurrency, retries, cache), for callers that only want samples. See docs/generation.md.
"""

from codehazard.generation._generate import Generated, GenerationStats, Generator, preflight
from codehazard.generation._pipeline import (
    RunInterrupted,
    RunResult,
    RunStopped,
    build_summary,
    check_expectations,
    resume_run,
    start_run,
)
from codehazard.generation._records import (
    RUN_KIND,
    GenerationMeta,
    RunConfig,
    decided_verdict,
    generation_totals,
    make_sample,
    sample_key,
    tasks_digest,
)
from codehazard.generation._retry import RetriesExhausted, RetryPolicy, call_with_retries
from codehazard.generation._session import (
    EvaluatorFactory,
    Executor,
    ProgressFn,
    ProgressState,
    SessionOptions,
)

__all__ = [
    "RUN_KIND",
    "EvaluatorFactory",
    "Executor",
    "Generated",
    "GenerationMeta",
    "GenerationStats",
    "Generator",
    "ProgressFn",
    "ProgressState",
    "RetriesExhausted",
    "RetryPolicy",
    "RunConfig",
    "RunInterrupted",
    "RunResult",
    "RunStopped",
    "SessionOptions",
    "build_summary",
    "call_with_retries",
    "check_expectations",
    "decided_verdict",
    "generation_totals",
    "make_sample",
    "preflight",
    "resume_run",
    "sample_key",
    "start_run",
    "tasks_digest",
]
