"""The results store: runs, tasks, samples, verdicts and scores in one embedded SQLite file."""

from codehazard.store._cache import ResponseCache
from codehazard.store._paths import default_store_path
from codehazard.store._scores import SANDBOX_SCORER, Score, verdict_score
from codehazard.store._sqlite import SCHEMA_VERSION, Record, RunInfo, Store, new_run_id
from codehazard.store._text import to_json

__all__ = [
    "SANDBOX_SCORER",
    "SCHEMA_VERSION",
    "Record",
    "ResponseCache",
    "RunInfo",
    "Score",
    "Store",
    "default_store_path",
    "new_run_id",
    "to_json",
    "verdict_score",
]
