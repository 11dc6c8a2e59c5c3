"""The human baseline: people solve the same tasks as the models, so that "relative to human
ability" is measured, not assumed.

A study (``StudyConfig``: suites, levels, tasks per level, time budget, seed) is stored with
``create_study`` and gets participants with ``invite`` (a pseudonym, a private token, and an
ordinary run whose model is ``human/<pseudonym>``, so every analysis reads them as it reads a
model). ``ParticipantService`` is what a participant does (consent, examples, submit, give
up, pause); ``create_app`` serves it over HTTP (Starlette, the ``human`` extra);
``study_results`` pools the participants per dimension and level with intervals over both
participants and tasks; ``export_csv`` and ``import_results`` move results between stores.
See ``docs/human-baseline.md``.
"""

from codehazard.human._app import CSP, create_app, serve
from codehazard.human._judge import SandboxJudge, docstring_examples, examples_task
from codehazard.human._results import (
    CSV_COLUMNS,
    HumanLevel,
    StudyResults,
    export_csv,
    import_results,
    study_results,
)
from codehazard.human._service import (
    GAP_CAP_S,
    HEARTBEAT_S,
    HUMAN_SCORER,
    Invitation,
    Judge,
    NotFound,
    ParticipantService,
    Study,
    create_study,
    delete_participant,
    invite,
    load_study,
    new_operator_token,
    study_runs,
    study_tasks,
)
from codehazard.human._study import (
    DEFAULT_CONSENT,
    StudyConfig,
    distinct_order,
    participant_order,
    select_tasks,
)

__all__ = [
    "CSP",
    "CSV_COLUMNS",
    "DEFAULT_CONSENT",
    "GAP_CAP_S",
    "HEARTBEAT_S",
    "HUMAN_SCORER",
    "HumanLevel",
    "Invitation",
    "Judge",
    "NotFound",
    "ParticipantService",
    "SandboxJudge",
    "Study",
    "StudyConfig",
    "StudyResults",
    "create_app",
    "create_study",
    "delete_participant",
    "distinct_order",
    "docstring_examples",
    "examples_task",
    "export_csv",
    "import_results",
    "invite",
    "load_study",
    "new_operator_token",
    "participant_order",
    "select_tasks",
    "serve",
    "study_results",
    "study_runs",
    "study_tasks",
]
