-- Schema v17: two narrower views of rollup_pipeline_jobs (v15) for what the
-- pipeline metrics read most (backend/metric/pipelinerollup.go), both built
-- from its rows by the family's refresh. A 90-day range of the large demo
-- data is 27k job rows: reading them row by row was most of the time of an
-- unfiltered pipeline-duration or pipeline-failures request.
--
-- Stage and step durations of the successful runs with a duration, per day
-- and set, of all repositories (810 rows in that range): what the duration
-- metric reads without a repository filter.
CREATE TABLE rollup_pipeline_stages (
    set_id BIGINT  NOT NULL,
    day    BIGINT  NOT NULL,
    top    INTEGER NOT NULL,
    stage  TEXT    NOT NULL,
    name   TEXT    NOT NULL,
    timed  BIGINT  NOT NULL,
    secs   BIGINT  NOT NULL,
    PRIMARY KEY (set_id, day, top, stage, name)
);

-- Completed jobs (done > 0) per block of seven UTC days (week = day / 7),
-- set, repository, pipeline, level, stage and name, whether the run
-- completed, with the start of the latest failed one's run: a range reads
-- its whole blocks here and the days at its edges from rollup_pipeline_jobs
-- (5.5k + 1.4k rows instead of 27k for 90 days).
CREATE TABLE rollup_pipeline_job_weeks (
    set_id         BIGINT  NOT NULL,
    week           BIGINT  NOT NULL,
    repo_id        BIGINT,
    completed      INTEGER NOT NULL,
    top            INTEGER NOT NULL,
    pipeline_id    BIGINT  NOT NULL,
    stage          TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    done           BIGINT  NOT NULL,
    failed         BIGINT  NOT NULL,
    last_failed_at BIGINT
);
CREATE INDEX rollup_pipeline_job_weeks_idx ON rollup_pipeline_job_weeks
    (set_id, week, repo_id, completed, top, pipeline_id, stage, name, done, failed, last_failed_at);

-- Filled from the day rows as they are; days still marked dirty rebuild
-- theirs (and their weeks) at the next refresh.
INSERT INTO rollup_pipeline_stages (set_id, day, top, stage, name, timed, secs)
SELECT set_id, day, top, stage, name, SUM(timed), SUM(secs) FROM rollup_pipeline_jobs
WHERE run_status = 'success' AND run_timed = 1 AND timed > 0
GROUP BY set_id, day, top, stage, name;

INSERT INTO rollup_pipeline_job_weeks (set_id, week, repo_id, completed, top, pipeline_id, stage, name, done, failed, last_failed_at)
SELECT set_id, day / 7, repo_id, CASE WHEN run_status = 'other' THEN 0 ELSE 1 END, top, pipeline_id, stage, name,
    SUM(done), SUM(failed), MAX(last_failed_at)
FROM rollup_pipeline_jobs WHERE done > 0
GROUP BY set_id, day / 7, repo_id, CASE WHEN run_status = 'other' THEN 0 ELSE 1 END, top, pipeline_id, stage, name;
