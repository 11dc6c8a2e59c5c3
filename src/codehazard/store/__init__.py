"""The results store: runs, tasks, samples and verdicts in one embedded SQLite file."""

from codehazard.store._paths import default_store_path
from codehazard.store._sqlite import SCHEMA_VERSION, Record, RunInfo, Store, new_run_id
from codehazard.store._text import to_json

__all__ = [
    "SCHEMA_VERSION",
    "Record",
    "RunInfo",
    "Store",
    "default_store_path",
    "new_run_id",
    "to_json",
]
