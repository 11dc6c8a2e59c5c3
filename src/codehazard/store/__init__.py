"""The results store: runs, tasks, samples, verdicts and scores in one embedded SQLite file."""

from codehazard.store._paths import default_store_path
from codehazard.store._scores import SANDBOX_SCORER, Score, verdict_score
from codehazard.store._sqlite import SCHEMA_VERSION, Record, RunInfo, Store, new_run_id

__all__ = [
    "SANDBOX_SCORER",
    "SCHEMA_VERSION",
    "Record",
    "RunInfo",
    "Score",
    "Store",
    "default_store_path",
    "new_run_id",
    "verdict_score",
]
