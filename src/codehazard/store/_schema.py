"""The store's tables, its schema version and the migrations from older versions."""

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS tasks (
    run_id TEXT NOT NULL REFERENCES runs(id),
    task_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, task_id)
);
CREATE TABLE IF NOT EXISTS samples (
    run_id TEXT NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    task_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    raw TEXT NOT NULL,
    program TEXT NOT NULL,
    meta TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
-- add_samples numbers each new sample after the run's last: without this index, finding the
-- last is a scan of the run's samples, and adding n samples one at a time takes n^2 / 2 rows
CREATE INDEX IF NOT EXISTS samples_order ON samples (run_id, seq);
CREATE TABLE IF NOT EXISTS verdicts (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    recorded REAL NOT NULL,
    PRIMARY KEY (run_id, key),
    FOREIGN KEY (run_id, key) REFERENCES samples(run_id, key)
);
CREATE TABLE IF NOT EXISTS scores (
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    scorer TEXT NOT NULL,
    value REAL,
    explanation TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    recorded REAL NOT NULL,
    PRIMARY KEY (run_id, key, scorer),
    FOREIGN KEY (run_id, key) REFERENCES samples(run_id, key)
);
"""

# schema 1 -> 2: the scores table (created by _SCHEMA), and one sample-key scheme: evaluate
# runs keyed samples by their line (``L<line>``); every run now keys them ``<task_id>#<index>``
MIGRATE_1_TO_2 = """
UPDATE verdicts SET key = (
    SELECT s.task_id || '#' || s.idx FROM samples s
    WHERE s.run_id = verdicts.run_id AND s.key = verdicts.key
) WHERE run_id IN (SELECT id FROM runs WHERE kind = 'evaluate') AND key LIKE 'L%';
UPDATE samples SET key = task_id || '#' || idx
WHERE run_id IN (SELECT id FROM runs WHERE kind = 'evaluate') AND key LIKE 'L%';
"""

ADD_SAMPLE = (
    "INSERT OR IGNORE INTO samples (run_id, key, seq, task_id, idx, raw, program, meta) "
    "VALUES (?, ?, (SELECT COALESCE(MAX(seq), -1) + 1 FROM samples WHERE run_id=?), ?, ?, ?, "
    "?, ?)"
)
"""One sample, numbered after the run's last (the ``samples_order`` index finds it)."""
