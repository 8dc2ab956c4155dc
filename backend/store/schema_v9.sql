-- Schema v9: the "pipeline" rollup family (backend/metric/pipelinerollup.go),
-- per UTC day of a run's start (started_at / 86400): what the pipeline
-- metrics read when no person or team filter narrows them to a few rows.
--
-- Run outcomes per hour, of all repositories (the hours a repository
-- filter reads are few enough to count from the runs).
CREATE TABLE rollup_pipeline_hours (
    day       BIGINT  NOT NULL,
    hour      INTEGER NOT NULL, -- 0-23 UTC
    success   BIGINT  NOT NULL,
    failure   BIGINT  NOT NULL,
    cancelled BIGINT  NOT NULL,
    PRIMARY KEY (day, hour)
);

-- Completed runs per repository and event.
CREATE TABLE rollup_pipeline_events (
    day     BIGINT NOT NULL,
    repo_id BIGINT,
    event   TEXT   NOT NULL,
    success BIGINT NOT NULL,
    failure BIGINT NOT NULL
);
CREATE INDEX rollup_pipeline_events_idx ON rollup_pipeline_events (day, repo_id, event, success, failure);

-- Consecutive completed runs of a pipeline on a branch, by the day of the
-- later run and the day of the one before it (flips count only pairs whose
-- earlier run is in the range too).
CREATE TABLE rollup_pipeline_flips (
    day      BIGINT NOT NULL,
    prev_day BIGINT NOT NULL,
    pairs    BIGINT NOT NULL,
    flips    BIGINT NOT NULL,
    PRIMARY KEY (day, prev_day)
);

-- The durations in seconds of the successful runs of a pipeline that day,
-- comma-separated: exact percentiles need every value.
CREATE TABLE rollup_pipeline_durations (
    day         BIGINT NOT NULL,
    pipeline_id BIGINT NOT NULL,
    repo_id     BIGINT,
    secs        TEXT   NOT NULL
);
CREATE INDEX rollup_pipeline_durations_idx ON rollup_pipeline_durations (day, repo_id);

-- Jobs by the run's pipeline and outcome (run_status success, failure or
-- other; run_timed when a successful run has a duration), level (top: a job,
-- not a step), stage and name: completed jobs, failed ones and the start of
-- the latest failed one's run, and the jobs with a duration and its sum.
CREATE TABLE rollup_pipeline_jobs (
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
CREATE INDEX rollup_pipeline_jobs_idx ON rollup_pipeline_jobs (day, repo_id);

-- Failed runs by reason.
CREATE TABLE rollup_pipeline_reasons (
    day      BIGINT NOT NULL,
    repo_id  BIGINT,
    reason   TEXT   NOT NULL,
    failures BIGINT NOT NULL
);
CREATE INDEX rollup_pipeline_reasons_idx ON rollup_pipeline_reasons (day, repo_id, reason, failures);

-- A run marks its day and the day of the next completed run of its pipeline
-- on its branch (whose previous run, for the flips, it may have become or
-- stopped being); a job marks its run's day.
-- +sqlite
CREATE TRIGGER rollup_pipeline_runs_ins AFTER INSERT ON pipeline_runs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pipeline', NEW.started_at / 86400);
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', n.started_at / 86400 FROM pipeline_runs n
        WHERE n.pipeline_id = NEW.pipeline_id AND n.branch = NEW.branch AND n.status IN ('success', 'failure')
          AND n.started_at >= NEW.started_at AND (n.started_at > NEW.started_at OR n.id > NEW.id)
        ORDER BY n.started_at, n.id LIMIT 1;
END;
CREATE TRIGGER rollup_pipeline_runs_upd AFTER UPDATE ON pipeline_runs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pipeline', OLD.started_at / 86400), ('pipeline', NEW.started_at / 86400);
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', n.started_at / 86400 FROM pipeline_runs n
        WHERE n.pipeline_id = OLD.pipeline_id AND n.branch = OLD.branch AND n.status IN ('success', 'failure')
          AND n.started_at >= OLD.started_at AND (n.started_at > OLD.started_at OR n.id > OLD.id)
        ORDER BY n.started_at, n.id LIMIT 1;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', n.started_at / 86400 FROM pipeline_runs n
        WHERE n.pipeline_id = NEW.pipeline_id AND n.branch = NEW.branch AND n.status IN ('success', 'failure')
          AND n.started_at >= NEW.started_at AND (n.started_at > NEW.started_at OR n.id > NEW.id)
        ORDER BY n.started_at, n.id LIMIT 1;
END;
CREATE TRIGGER rollup_pipeline_runs_del AFTER DELETE ON pipeline_runs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pipeline', OLD.started_at / 86400);
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', n.started_at / 86400 FROM pipeline_runs n
        WHERE n.pipeline_id = OLD.pipeline_id AND n.branch = OLD.branch AND n.status IN ('success', 'failure')
          AND n.started_at >= OLD.started_at AND (n.started_at > OLD.started_at OR n.id > OLD.id)
        ORDER BY n.started_at, n.id LIMIT 1;
END;
CREATE TRIGGER rollup_pipeline_jobs_ins AFTER INSERT ON pipeline_jobs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', r.started_at / 86400 FROM pipeline_runs r WHERE r.id = NEW.run_id;
END;
CREATE TRIGGER rollup_pipeline_jobs_upd AFTER UPDATE ON pipeline_jobs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', r.started_at / 86400 FROM pipeline_runs r WHERE r.id IN (OLD.run_id, NEW.run_id);
END;
CREATE TRIGGER rollup_pipeline_jobs_del AFTER DELETE ON pipeline_jobs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', r.started_at / 86400 FROM pipeline_runs r WHERE r.id = OLD.run_id;
END;
-- +end
-- +postgres
-- Statement triggers: one upsert per statement, however many rows it wrote.
-- DO UPDATE (not DO NOTHING) locks the mark until the writer commits, so a
-- refresh cannot claim it before the change is visible (see rollup.Refresh).
CREATE FUNCTION rollup_pipeline_runs_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
        SELECT DISTINCT 'pipeline', d FROM (
            SELECT x.started_at / 86400 AS d FROM new_rows x
            UNION ALL
            SELECT (SELECT n.started_at / 86400 FROM pipeline_runs n
                    WHERE n.pipeline_id = x.pipeline_id AND n.branch = x.branch AND n.status IN ('success', 'failure')
                      AND n.started_at >= x.started_at AND (n.started_at > x.started_at OR n.id > x.id)
                    ORDER BY n.started_at, n.id LIMIT 1)
            FROM new_rows x) t
        WHERE d IS NOT NULL ORDER BY 2
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
        SELECT DISTINCT 'pipeline', d FROM (
            SELECT x.started_at / 86400 AS d FROM old_rows x
            UNION ALL
            SELECT (SELECT n.started_at / 86400 FROM pipeline_runs n
                    WHERE n.pipeline_id = x.pipeline_id AND n.branch = x.branch AND n.status IN ('success', 'failure')
                      AND n.started_at >= x.started_at AND (n.started_at > x.started_at OR n.id > x.id)
                    ORDER BY n.started_at, n.id LIMIT 1)
            FROM old_rows x) t
        WHERE d IS NOT NULL ORDER BY 2
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rollup_pipeline_runs_ins AFTER INSERT ON pipeline_runs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_pipeline_runs_mark();
CREATE TRIGGER rollup_pipeline_runs_upd AFTER UPDATE ON pipeline_runs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_pipeline_runs_mark();
CREATE TRIGGER rollup_pipeline_runs_del AFTER DELETE ON pipeline_runs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_pipeline_runs_mark();

CREATE FUNCTION rollup_pipeline_jobs_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
        SELECT DISTINCT 'pipeline', r.started_at / 86400 FROM pipeline_runs r
        WHERE r.id IN (SELECT run_id FROM new_rows) ORDER BY 2
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
        SELECT DISTINCT 'pipeline', r.started_at / 86400 FROM pipeline_runs r
        WHERE r.id IN (SELECT run_id FROM old_rows) ORDER BY 2
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER rollup_pipeline_jobs_ins AFTER INSERT ON pipeline_jobs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_pipeline_jobs_mark();
CREATE TRIGGER rollup_pipeline_jobs_upd AFTER UPDATE ON pipeline_jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_pipeline_jobs_mark();
CREATE TRIGGER rollup_pipeline_jobs_del AFTER DELETE ON pipeline_jobs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rollup_pipeline_jobs_mark();
-- +end

-- Every day that has runs is dirty: the first refresh fills the tables.
INSERT INTO rollup_dirty (family, day) SELECT DISTINCT 'pipeline', started_at / 86400 FROM pipeline_runs;
