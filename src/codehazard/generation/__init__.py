"""Generation: ask a model backend for samples, with bounded concurrency, retries and a cache.

``Generator`` is the generation stage alone, for callers that only want samples; whole runs
(generate, judge, record, resume) are ``codehazard.runs``. See docs/generation.md.
"""

from codehazard.generation._generate import Generated, GenerationStats, Generator, preflight
from codehazard.generation._records import (
    GenerationMeta,
    decided_verdict,
    generation_totals,
    make_sample,
    read_meta,
    sample_key,
)
from codehazard.generation._retry import RetriesExhausted, RetryPolicy, call_with_retries

__all__ = [
    "Generated",
    "GenerationMeta",
    "GenerationStats",
    "Generator",
    "RetriesExhausted",
    "RetryPolicy",
    "call_with_retries",
    "decided_verdict",
    "generation_totals",
    "make_sample",
    "preflight",
    "read_meta",
    "sample_key",
]
