-- Schema v15: the "pipeline" rollup family keeps its figures per set of
-- people as well (backend/metric/pipelinerollup.go): set 0 is everyone (the
-- rows v9 held), a set > 0 is the members of a team as they were when the
-- set was built, so a team filter reads as few rows as no filter. Runs and
-- jobs do not compress per person (a 90-day range of the large demo data:
-- 262k jobs, 124k job rows by day and person); per team they compress as
-- well as for everyone. A set is read only while its members are exactly
-- those of the filter; a membership change makes the metrics read the runs
-- until a new set is built (in the background) for the new members.
CREATE TABLE rollup_pipeline_sets (
    id       BIGINT  NOT NULL PRIMARY KEY,
    team_id  BIGINT  NOT NULL,
    complete INTEGER NOT NULL -- 1 once every day's rows are built
);
CREATE TABLE rollup_pipeline_set_members (
    set_id    BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    PRIMARY KEY (set_id, person_id)
);

-- The v9 tables, with the set first in their keys (the episodes keep their
-- person and serve every filter as they are).
DROP TABLE rollup_pipeline_hours;
CREATE TABLE rollup_pipeline_hours (
    set_id    BIGINT  NOT NULL,
    day       BIGINT  NOT NULL,
    hour      INTEGER NOT NULL, -- 0-23 UTC
    success   BIGINT  NOT NULL,
    failure   BIGINT  NOT NULL,
    cancelled BIGINT  NOT NULL,
    PRIMARY KEY (set_id, day, hour)
);

DROP TABLE rollup_pipeline_events;
CREATE TABLE rollup_pipeline_events (
    set_id  BIGINT NOT NULL,
    day     BIGINT NOT NULL,
    repo_id BIGINT,
    event   TEXT   NOT NULL,
    success BIGINT NOT NULL,
    failure BIGINT NOT NULL
);
CREATE INDEX rollup_pipeline_events_idx ON rollup_pipeline_events (set_id, day, repo_id, event, success, failure);

-- Pairs of consecutive completed runs of a pipeline on a branch among the
-- set's runs (its members' runs only: the run before is the set's).
DROP TABLE rollup_pipeline_flips;
CREATE TABLE rollup_pipeline_flips (
    set_id   BIGINT NOT NULL,
    day      BIGINT NOT NULL,
    prev_day BIGINT NOT NULL,
    pairs    BIGINT NOT NULL,
    flips    BIGINT NOT NULL,
    PRIMARY KEY (set_id, day, prev_day)
);

DROP TABLE rollup_pipeline_durations;
CREATE TABLE rollup_pipeline_durations (
    set_id      BIGINT NOT NULL,
    day         BIGINT NOT NULL,
    pipeline_id BIGINT NOT NULL,
    repo_id     BIGINT,
    secs        TEXT   NOT NULL
);
CREATE INDEX rollup_pipeline_durations_idx ON rollup_pipeline_durations (set_id, day, repo_id);

DROP TABLE rollup_pipeline_jobs;
CREATE TABLE rollup_pipeline_jobs (
    set_id         BIGINT  NOT NULL,
    day            BIGINT  NOT NULL,
    pipeline_id    BIGINT  NOT NULL,
    repo_id        BIGINT,
    run_status     TEXT    NOT NULL,
    run_timed      INTEGER NOT NULL,
    top            INTEGER NOT NULL,
    stage          TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    done           BIGINT  NOT NULL,
    failed         BIGINT  NOT NULL,
    last_failed_at BIGINT,
    timed          BIGINT  NOT NULL,
    secs           BIGINT  NOT NULL
);
CREATE INDEX rollup_pipeline_jobs_idx ON rollup_pipeline_jobs
    (set_id, day, repo_id, run_status, run_timed, top, pipeline_id, stage, name, done, failed, last_failed_at, timed, secs);

DROP TABLE rollup_pipeline_reasons;
CREATE TABLE rollup_pipeline_reasons (
    set_id   BIGINT NOT NULL,
    day      BIGINT NOT NULL,
    repo_id  BIGINT,
    reason   TEXT   NOT NULL,
    failures BIGINT NOT NULL
);
CREATE INDEX rollup_pipeline_reasons_idx ON rollup_pipeline_reasons (set_id, day, repo_id, reason, failures);

-- A set for each team that has members, as complete: every day is marked
-- dirty below, and a metric refreshes the family before it reads a set.
INSERT INTO rollup_pipeline_sets (id, team_id, complete) SELECT team_id, team_id, 1 FROM team_members GROUP BY team_id;
INSERT INTO rollup_pipeline_set_members (set_id, person_id) SELECT DISTINCT team_id, person_id FROM team_members;

-- Every day that has runs is dirty: the next refresh fills the tables.
-- (WHERE true: SQLite needs it to read ON CONFLICT after a SELECT.)
INSERT INTO rollup_dirty (family, day) SELECT DISTINCT 'pipeline', started_at / 86400 FROM pipeline_runs WHERE true
ON CONFLICT (family, day) DO NOTHING;
