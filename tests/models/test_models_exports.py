"""The public names of ``codehazard.models``, ``codehazard.generation`` and ``codehazard.runs``
(where the run orchestration moved from ``generation``) are pinned."""

from __future__ import annotations

import codehazard.generation as generation
import codehazard.models as models
import codehazard.runs as runs

MODELS = {
    "CODEX_STOP", "COMPLETION_WRAPPER", "DEMO_NOTICE", "BackendOptions", "BackendRegistry",
    "NO_OUTPUT",
    "Completion", "FinishReason", "GenerationParams", "Mode", "ModelBackend", "PromptForm",
    "RejectedRequestError", "Request", "TransientBackendError", "build_messages",
    "create_backend", "default_registry", "parse_retry_after", "parse_spec", "register_backend",
}  # fmt: skip
GENERATION = {
    "Generated", "GenerationMeta", "GenerationStats", "Generator", "RetriesExhausted",
    "RetryPolicy", "call_with_retries", "decided_verdict", "generation_totals", "make_sample",
    "preflight", "read_meta", "sample_key",
}  # fmt: skip
RUNS = {
    "DeletedRun", "GivenTasks", "MANIFEST_VERSION", "ProgressFn", "ProgressState", "Run",
    "RunConfig", "RunExport", "RunInterrupted", "RunManifest", "RunRecord", "RunStopped",
    "RunSummary", "SandboxScorer", "Scorer", "SessionOptions", "SessionRecord", "SuiteSource",
    "TaskFile", "TaskSource", "build_summary", "check_expectations", "delete_run", "evaluate",
    "export_run", "get_scorer", "list_run_records", "load_run", "resolve_run_id",
    "results_path_for", "resume", "scorers", "start", "task_source", "tasks_digest",
    "write_results",
}  # fmt: skip


def test_public_names() -> None:
    assert set(models.__all__) == MODELS
    assert set(generation.__all__) == GENERATION
    assert set(runs.__all__) == RUNS
    for module in (models, generation, runs):
        for name in module.__all__:
            assert hasattr(module, name), name
