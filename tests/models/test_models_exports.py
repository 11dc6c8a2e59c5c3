"""The public names of ``codehazard.models`` and ``codehazard.generation`` are pinned."""

from __future__ import annotations

import codehazard.generation as generation
import codehazard.models as models

MODELS = {
    "CODEX_STOP", "COMPLETION_WRAPPER", "DEMO_NOTICE", "BackendOptions", "BackendRegistry",
    "Completion", "FinishReason", "GenerationParams", "Mode", "ModelBackend", "PromptForm",
    "RejectedRequestError", "Request", "TransientBackendError", "build_messages",
    "create_backend", "default_registry", "parse_retry_after", "parse_spec", "register_backend",
}  # fmt: skip
GENERATION = {
    "RUN_KIND", "EvaluatorFactory", "Executor", "Generated", "GenerationMeta",
    "GenerationStats", "Generator", "ProgressFn", "ProgressState", "RetriesExhausted",
    "RetryPolicy", "RunConfig", "RunInterrupted", "RunResult", "RunStopped", "SessionOptions",
    "build_summary", "call_with_retries", "check_expectations", "decided_verdict",
    "generation_totals", "make_sample", "preflight", "resume_run", "sample_key", "start_run",
    "tasks_digest",
}  # fmt: skip


def test_public_names() -> None:
    assert set(models.__all__) == MODELS
    assert set(generation.__all__) == GENERATION
    for module in (models, generation):
        for name in module.__all__:
            assert hasattr(module, name), name
