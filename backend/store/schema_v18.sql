-- Schema v18: the "pipeline" rollup family (backend/metric/pipelinerollup.go)
-- keeps the hourly run outcomes and the flips by repository as well, for
-- pipeline-success under a filter of one repository (the largest of the
-- large demo: 11k runs in the 119 days the metric reads, each a table row
-- behind pipeline_runs_repo_started_idx, and their flips sorted by branch).
-- The flips pair a run with the completed run before it on its branch in
-- the same repository: what a filter of that repository pairs.
CREATE TABLE rollup_pipeline_repo_hours (
    set_id    BIGINT  NOT NULL,
    day       BIGINT  NOT NULL,
    repo_id   BIGINT  NOT NULL,
    hour      INTEGER NOT NULL, -- 0-23 UTC
    success   BIGINT  NOT NULL,
    failure   BIGINT  NOT NULL,
    cancelled BIGINT  NOT NULL,
    PRIMARY KEY (set_id, repo_id, day, hour)
);

CREATE TABLE rollup_pipeline_repo_flips (
    set_id   BIGINT NOT NULL,
    day      BIGINT NOT NULL,
    repo_id  BIGINT NOT NULL,
    prev_day BIGINT NOT NULL,
    pairs    BIGINT NOT NULL,
    flips    BIGINT NOT NULL,
    PRIMARY KEY (set_id, repo_id, day, prev_day)
);

-- Every day that has runs is dirty: the next refresh fills the tables.
-- (WHERE true: SQLite needs it to read ON CONFLICT after a SELECT.)
INSERT INTO rollup_dirty (family, day) SELECT DISTINCT 'pipeline', started_at / 86400 FROM pipeline_runs WHERE true
ON CONFLICT (family, day) DO NOTHING;
