"""The public surface, pinned: every package's ``__all__``, the lazy façade, the exception tree,
and the optional dependencies (httpx's ``tests/test_exported_members.py`` is the model).

A change here is a change of the public API: make it on purpose, and say so in the changelog.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import codehazard
from codehazard._registry import install_line

SRC = Path(codehazard.__file__).parent

PUBLIC: dict[str, set[str]] = {
    "codehazard": {
        "ArgumentError", "Assessment", "BackendError", "CodehazardError", "Curve", "InputError",
        "Limits", "MissingExtraError", "Run", "RunSummary", "SandboxError", "Store", "StoreError",
        "Task", "UnknownNameError", "UnknownRunError", "Verdict", "__version__", "assess",
        "build_suite", "curves", "evaluate", "export_run", "load_tasks", "resume", "run",
        "CapabilityProfile", "profile",
    },
    "codehazard.analysis": {
        "Certainty", "Localisation", "LocalisationKind", "LocalisationSummary", "LocalisedRun",
        "LocalisedSample", "localise", "localise_chain", "localise_run", "summarise_localisations",
        "summarise_run",
        "CapabilityProfile", "CellInterval", "DEFAULT_THRESHOLDS", "DimensionProfile", "GroupBy",
        "LEFT_OUT_REASONS", "ModelDimension", "PROFILE_KIND", "PROFILE_SCHEMA_VERSION",
        "HumanBaselineCell",
        "ProfileCell", "ProfileModel", "ProfileSource", "Reliability", "capability_profile",
        "profile_runs",
    },
    "codehazard.errors": {
        "ArgumentError", "ArgumentTypeError", "BackendError", "CodehazardError", "InputError",
        "MissingBackendExtraError", "MissingExtraError", "RegistrationTypeError", "RegistryError",
        "SandboxError", "StoreError", "TaskLoadError", "UnknownNameError", "UnknownRunError",
    },
    "codehazard.evaluation": {
        "DEFAULT_RERUNS", "Escape", "Evaluator", "Limits", "SelftestResult", "code_version",
        "host_profile", "in_process_judge", "selftest", "selftest_many", "summarize",
    },
    "codehazard.executors": {
        "Executor", "ExecutorFactory", "LocalPool", "executors", "get_executor",
        "split_executor_spec",
    },
    "codehazard.generation": {
        "Generated", "GenerationMeta", "GenerationStats", "Generator", "RetriesExhausted",
        "RetryPolicy", "call_with_retries", "decided_verdict", "generation_totals", "make_sample",
        "preflight", "read_meta", "sample_key",
    },
    "codehazard.hazards": {
        "ASSESSMENT_SCHEMA_VERSION", "Acceptance", "Assessment", "AssessmentDiff",
        "BUILTIN_PROFILES", "acceptance_of",
        "DEFAULT_PROFILE", "DIFF_SCHEMA_VERSION", "EvidenceChange", "EvidenceResult",
        "EvidenceRule", "Hazard", "HazardAssessment", "HazardChange", "HazardInputError",
        "HazardLog", "HazardStatus", "IntervalEnd", "KNOWN_SOURCES", "KnownSource",
        "LOG_SCHEMA_VERSION", "LikelierWhen", "LikelihoodBasis", "LikelihoodLevel", "LoadedLog",
        "LogRef", "Mitigation", "MitigationStatus", "PROFILE_SCHEMA_VERSION", "Problem", "Profile",
        "RiskLevel", "RuleOutcome", "RunRef", "SeverityCategory", "assess", "assess_runs",
        "builtin_profile_text", "default_catalogue_text", "diff_assessments",
        "evaluate_rule", "format_value", "level_for_value", "likelihood_rank", "load_assessment",
        "load_log", "load_profile", "parse_log", "parse_profile", "residual_likelihood", "risk",
        "risk_rank", "severity_rank", "worst_risk",
    },
    "codehazard.metrics": {
        "ENTRY_POINT_GROUP", "IntervalMethod", "MEASUREMENT_SCHEMA_VERSION", "Measurement",
        "MetricFamily", "MetricInterval", "MetricName", "MetricNameError", "MetricRecord",
        "MetricRegistry", "OPERATORS", "Operator", "Selector", "UnknownMetricError", "absent",
        "default_registry",
        "metric_family", "parse_metric", "rate_measurement", "task_mean_measurement",
    },
    "codehazard.models": {
        "BackendOptions", "BackendRegistry", "CODEX_STOP", "COMPLETION_WRAPPER", "Completion",
        "SIMULATED_NOTICE", "FinishReason", "GenerationParams", "Mode", "ModelBackend",
        "PromptForm", "NO_OUTPUT",
        "RejectedRequestError", "Request", "TransientBackendError", "build_messages",
        "create_backend", "default_registry", "parse_retry_after", "parse_spec", "register_backend",
    },
    "codehazard.integrations": {
        "INSPECT_EXTRA", "codehazard_task", "import_inspect_log", "require_inspect",
    },
    "codehazard.models.tiny": {
        "WEIGHTS", "Config", "Generated", "Sampling", "TinyBackend", "TinyModel", "Tokenizer",
        "init_weights", "learn_merges", "load_model", "save", "weights_digest",
    },
    "codehazard.probes": {
        "Analyser", "Analysis", "AnalysisStatus", "COUNTED_STATUSES", "CategoryScore", "Finding",
        "JointRow", "LabelledItem", "Level", "MisuseAnalyser", "Probe", "ProbeFactory",
        "ProbeMetric", "ProbeOutcome", "ProbeScorer", "ProbeSelftest", "ReanalysedProbe",
        "ScannedFile", "SecurityAnalyser",
        "analyse_run", "analysis_score", "dedupe", "flagged", "get_probe", "joint_outcome",
        "joint_table", "labelled_set", "output_text", "probe_names", "probe_registry",
        "probe_scorer_names", "python_files", "read_labelled", "reported", "run_probes",
        "safe_analyse", "sarif_log", "scan_file", "scan_paths", "selftest",
        "VerdictOutcome", "safe_outcome",
    },
    "codehazard.report": {
        "CurveReport", "DEFAULT_CAP", "DEFAULT_TEXT_LIMIT", "PLOT_FORMATS",
        "ProfileTable", "REPORT_SCHEMA_VERSION", "Report", "ReportFormat", "ReportOptions",
        "ReportRenderer",
        "assessment_diff_text", "assessment_markdown", "assessment_summary", "build_report",
        "curve_json", "curve_text", "curve_to_dict", "matrix_cells", "plot_curve",
        "report_formats", "report_html", "report_json", "report_markdown", "report_renderers",
        "report_schema", "profile_text",
        "human_comparison", "human_comparison_lines",
    },
    "codehazard.runs": {
        "DeletedRun", "GivenTasks", "MANIFEST_VERSION", "ProgressFn", "ProgressState", "Run",
        "RunConfig", "RunExport", "RunInterrupted", "RunManifest", "RunRecord", "RunStopped",
        "RunSummary", "SandboxScorer", "Scorer", "SessionOptions", "SessionRecord", "SuiteSource",
        "SuitesSource", "TaskFile", "TaskSource", "build_summary", "check_expectations",
        "delete_run", "evaluate", "export_run", "get_scorer", "iter_export", "list_run_records",
        "load_run", "resolve_run_id", "results_path_for", "resume", "scorers", "start",
        "suite_source", "task_source", "tasks_digest", "write_export", "write_results",
    },
    "codehazard.samples": {
        "BadLine", "Sample", "SampleSpool", "SamplesFile", "build_program", "fenced_blocks",
        "load_samples", "prompt_header", "spool_samples",
    },
    "codehazard.sandbox": {
        "Channel", "CodecError", "Done", "ISOLATION_LEVELS", "IsolationRefused", "Job", "Limits",
        "Outcome", "PreparedTask", "Ready", "Refused", "Sandbox", "StartFailed", "Stop",
        "WorkerConfig", "collect_outputs", "comparator", "decode", "encode", "hidden_view",
        "isolation_record", "isolation_worker_mode", "judge_sample", "parse_isolation_level",
        "prepare_task",
        "reference_code", "reference_outputs", "remove_worker_groups", "require_isolation",
        "require_isolation_kept", "self_check",
    },
    "codehazard.human": {
        "CSP", "CSV_COLUMNS", "DEFAULT_CONSENT", "GAP_CAP_S", "HEARTBEAT_S", "HUMAN_SCORER",
        "HumanLevel", "Invitation", "Judge", "NotFound", "ParticipantService", "SandboxJudge",
        "Study", "StudyConfig", "StudyResults", "create_app", "create_study",
        "delete_participant", "distinct_order", "docstring_examples", "examples_task",
        "export_csv", "import_results", "invite", "load_study", "new_operator_token",
        "participant_order", "select_tasks", "serve", "study_results", "study_runs",
        "study_tasks",
    },
    "codehazard.scoring": {
        "BlockRate", "Composition", "Curve", "DecayFit", "FitQuality", "Interval", "LevelGap",
        "LevelPoint", "METHOD_LEGEND", "Scorable", "Scores", "TASK_MEAN_METHOD", "TaskMeanInterval",
        "TaskScore", "block_rates", "breakdown", "capability_curve", "cluster_score_interval",
        "clustered_wilson_interval", "composition_gap", "design_effect", "failure_kinds",
        "fit_decay", "group_of", "level_of", "level_points", "pass_at_k", "rate_interval", "score",
        "suite_curves", "suite_of", "t_quantile", "task_passk_interval", "task_rate_interval",
        "wilson_interval",
        "DIMENSIONS", "DIMENSION_ALIASES", "DIMENSION_KEY", "canonical_metadata", "dimension_of",
        "CROSSED_METHOD", "CrossedMean", "crossed_mean", "crossed_rate", "crossed_variance",
        "human_ratio", "PooledLevel", "pooled_levels",
    },
    "codehazard.store": {
        "Record", "ResponseCache", "RunInfo", "SANDBOX_SCORER", "SCHEMA_VERSION", "Score", "Store",
        "default_store_path", "new_run_id", "to_json", "verdict_score",
    },
    "codehazard.tasks": {
        "DATASETS", "Checker", "CheckerKind", "CheckerSpec", "Dataset", "DifferentialChecker",
        "Oracle", "dataset_path",
        "TASK_SCHEMA_VERSION", "Task", "TestChecker", "checker_kind", "checker_registry",
        "import_kind_sources", "kind_driver_modules", "kind_sources", "load_tasks",
        "parse_checker", "task_from_dict", "write_tasks",
        "MalformedSample", "StatisticalChecker", "category_key", "freeze", "project",
    },
    "codehazard.tasks.suites": {
        "Chain", "HYPOTHESIS_KINDS", "HypothesisKind", "Suite", "SuiteParam", "Variant",
        "WrongSolution", "get_suite", "list_suites", "register_suite", "same_value",
        "suite_registry",
    },
}  # fmt: skip
"""Every package's ``__all__``. ``codehazard.generation`` and ``codehazard.evaluation`` shrink
when the run model lands (their names move to ``codehazard.runs`` and ``codehazard.executors``);
the façade gains ``evaluate``, ``run`` and ``resume`` then."""


def _packages() -> list[str]:
    found = ["codehazard.errors"]
    for path in sorted(SRC.rglob("__init__.py")):
        parts = path.parent.relative_to(SRC.parent).parts
        if "cli" not in parts:
            found.append(".".join(parts))
    return sorted(found)


def test_every_package_is_pinned() -> None:
    assert set(_packages()) == set(PUBLIC)


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_names(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) == PUBLIC[package]
    assert len(module.__all__) == len(set(module.__all__)), "a name is listed twice"
    for name in module.__all__:
        assert hasattr(module, name), (package, name)


def _python(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter on this source tree; its stdout."""
    path = os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_codehazard_loads_nothing_else() -> None:
    out = _python(
        "import sys, codehazard\n"
        "print(sorted(m for m in sys.modules if m.startswith('codehazard.') "
        "or m.split('.')[0] in ('numpy', 'pydantic', 'yaml', 'rich')))"
    )
    assert out.strip() == "[]"


def test_facade_names_resolve_lazily_to_the_package_objects() -> None:
    from codehazard.errors import UnknownNameError
    from codehazard.store import Store
    from codehazard.tasks import Task

    assert codehazard.Task is Task and codehazard.Store is Store
    assert codehazard.UnknownNameError is UnknownNameError
    assert "curves" in dir(codehazard)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        codehazard.nothing_here  # noqa: B018


def test_blas_threads_are_one_when_the_library_is_imported() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
    }
    path = os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, codehazard.scoring; "
            "print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "PYTHONPATH": path},
    )
    assert done.stdout.split() == ["1", "1"], done.stderr
    assert (
        _python(
            "import os, codehazard; print(os.environ['OPENBLAS_NUM_THREADS'])",
            OPENBLAS_NUM_THREADS="4",
        ).strip()
        == "4"
    ), "a value the user set wins"


def test_builtin_errors_are_still_caught_by_their_builtins() -> None:
    from codehazard import errors

    assert issubclass(errors.ArgumentError, ValueError)
    assert issubclass(errors.ArgumentTypeError, TypeError)
    assert issubclass(errors.UnknownNameError, KeyError)
    assert issubclass(errors.UnknownNameError, ValueError)
    assert issubclass(errors.RegistryError, ValueError)
    assert issubclass(errors.RegistrationTypeError, TypeError)
    assert issubclass(errors.MissingBackendExtraError, errors.BackendError)
    assert issubclass(errors.MissingBackendExtraError, ImportError)
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.CodehazardError), name


def test_no_plain_builtin_raise_in_the_library() -> None:
    """Library raises use the exception tree, whose leaves derive the builtins."""
    bad = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(exc, ast.Name) and exc.id in ("ValueError", "TypeError", "KeyError"):
                    bad.append(f"{path.relative_to(SRC)}:{node.lineno}: raise {exc.id}")
    assert not bad, "use codehazard.errors instead:\n" + "\n".join(bad)


HIDE_EXTRAS = "import sys\nfor m in ('openai', 'matplotlib'):\n    sys.modules[m] = None\n"
"""Prepended to a script: ``openai`` and ``matplotlib`` become unimportable, as if the ``openai``
and ``plot`` extras were not installed (whether or not they are here)."""

LOG = """\
schema_version: 1
title: Facade log
profile: mil-std-882e
hazards:
  - id: H-FAIL
    title: Wrong code accepted
    source: over-reliance
    severity: 3
    likelihood: D
    evidence:
      - metric: suite.building-blocks.rate.failed
        thresholds: {A: 0.5, B: 0.2, C: 0.05, D: 0.01}
"""


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A real ``run --suite building-blocks --model simulated`` with the openai and plot extras
    hidden: the main job needs neither."""
    store = tmp_path_factory.mktemp("facade") / "results.sqlite"
    out = _python(
        HIDE_EXTRAS
        + "import json\nfrom codehazard.cli import main\n"
        + "import contextlib, io\nbuf = io.StringIO()\n"
        + "with contextlib.redirect_stdout(buf):\n"
        + "    rc = main(['run', '--suite', 'building-blocks', '--model', 'simulated', '--store', "
        + f"{str(store)!r}, '-n', '2', '--lengths', '1-3', '--per-length', '2', '--json'])\n"
        + "assert rc == 0, rc\n"
        + "heavy = [m for m in sys.modules if m.split('.')[0] in ('openai', 'matplotlib') "
        + "and sys.modules[m] is not None]\n"
        + "print(json.dumps({'run_id': json.loads(buf.getvalue())['run_id'], 'heavy': heavy}))\n"
    )
    import json

    data = json.loads(out.strip().splitlines()[-1])
    assert data["heavy"] == []
    return store, data["run_id"]


def test_facade_functions_return_typed_objects(demo_run: tuple[Path, str], tmp_path: Path) -> None:
    from codehazard.hazards import Assessment
    from codehazard.scoring import Curve

    store, run_id = demo_run
    tasks = codehazard.build_suite("building-blocks", lengths="1-2", per_length=1)
    assert tasks and all(isinstance(t, codehazard.Task) for t in tasks)
    curve = codehazard.curves(run_id, store=store, ks=(2,))
    assert isinstance(curve, Curve) and [p.level for p in curve.levels] == [1, 2, 3]
    assert 2 in curve.levels[0].pass_at_k
    log = tmp_path / "log.yaml"
    log.write_text(LOG)
    assessment = codehazard.assess(log, [run_id], store=store)
    assert isinstance(assessment, Assessment) and assessment.hazards[0].id == "H-FAIL"
    with codehazard.Store(store) as opened:
        assert codehazard.curves(run_id, store=opened).key == "components"
    export = codehazard.export_run(run_id[:-2], store=store, path=tmp_path / "new" / "e.jsonl")
    with codehazard.Store(store) as opened:
        assert export.run_id == run_id and len(export.lines) == len(opened.records(run_id))
    assert (tmp_path / "new" / "e.jsonl").read_text(encoding="utf-8") == export.jsonl()


def test_facade_errors_name_the_argument(tmp_path: Path) -> None:
    with pytest.raises(codehazard.InputError, match=r"store: no results store at .*nowhere"):
        codehazard.curves("x", store=tmp_path / "nowhere.sqlite")
    assert not (tmp_path / "nowhere.sqlite").exists(), "reading never creates a store"
    with pytest.raises(codehazard.UnknownNameError, match="unknown suite 'nope'; known suites"):
        codehazard.build_suite("nope")


def test_missing_matplotlib_names_the_plot_extra(
    demo_run: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codehazard.errors import MissingExtraError
    from codehazard.report import plot_curve

    store, run_id = demo_run
    curve = codehazard.curves(run_id, store=store)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    with pytest.raises(MissingExtraError) as caught:
        plot_curve(curve, tmp_path / "c.png")
    assert install_line("plot") in str(caught.value) and caught.value.extra == "plot"
    assert not (tmp_path / "c.png").exists()


def test_missing_openai_names_the_openai_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from codehazard.errors import BackendError, MissingExtraError
    from codehazard.models import BackendOptions, create_backend

    monkeypatch.setitem(sys.modules, "openai", None)  # as if not installed
    with pytest.raises(MissingExtraError) as caught:
        create_backend("openai/gpt-x", BackendOptions(api_key="k"))
    assert isinstance(caught.value, BackendError), "a run stops as a backend failure"
    message = str(caught.value)
    assert install_line("openai") in message and "\n" not in message


def test_the_cli_prints_the_install_line_for_a_missing_plot_extra(
    demo_run: tuple[Path, str], tmp_path: Path
) -> None:
    store, run_id = demo_run
    plot = tmp_path / "c.png"
    code = (
        HIDE_EXTRAS
        + "from codehazard.cli import main\n"
        + f"sys.exit(main(['curves', {run_id!r}, '--store', {str(store)!r}, "
        + f"'--plot', {str(plot)!r}]))\n"
    )
    path = os.pathsep.join([str(SRC.parent), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert install_line("plot") in done.stderr
