-- Schema v2: the collection engine's locks and state, and the audit log.

-- One row per lock name ("github/commit" for a script, "schedule" for the
-- scheduled collection). On PostgreSQL the holder keeps the row locked
-- (SELECT ... FOR UPDATE SKIP LOCKED) for as long as it runs, and the lock
-- dies with its connection; owner and lease_until are what SQLite, which
-- has no row locks, decides by: a lease renewed while the holder runs.
CREATE TABLE collect_locks (
    name        TEXT   PRIMARY KEY,
    owner       TEXT   NOT NULL DEFAULT '',  -- host:pid:nonce of the holder
    lease_until BIGINT NOT NULL DEFAULT 0
);

-- Where incremental collection resumes, per script. It moves only when a
-- run succeeds; a reset (--full) clears it.
CREATE TABLE collect_state (
    source          TEXT   NOT NULL,
    script          TEXT   NOT NULL,
    last_fetched_at BIGINT,
    PRIMARY KEY (source, script)
);

CREATE INDEX data_source_runs_status_idx ON data_source_runs (status);

-- Configuration changes, manual syncs and resets: who did what, never a value.
CREATE TABLE audit_log (
    id     {{pk}},
    at     BIGINT NOT NULL,
    via    TEXT   NOT NULL,             -- cli, api, desktop, scheduler
    action TEXT   NOT NULL,             -- config.set, config.unset, collect, reset, retention
    source TEXT   NOT NULL DEFAULT '',
    key    TEXT   NOT NULL DEFAULT '',
    detail TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
