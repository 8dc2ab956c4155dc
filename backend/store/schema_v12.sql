-- Schema v12: the "pipeline" rollup family gains failure episodes (MTTR)
-- and reads its job rows from its index alone; person-filtered runs too.
--
-- A failure episode starts with a failed run of a pipeline on a branch whose
-- previous completed run there succeeded (or that has none); it is fixed by
-- the next successful run there. One row per episode, by the day its first
-- run started, with that run's repository and person (the filters apply to
-- it) and when it finished and when the fix finished (NULL: not yet).
CREATE TABLE rollup_pipeline_episodes (
    day       BIGINT NOT NULL,
    repo_id   BIGINT,
    person_id BIGINT,
    failed_at BIGINT NOT NULL,
    fixed_at  BIGINT
);
CREATE INDEX rollup_pipeline_episodes_idx ON rollup_pipeline_episodes (day, repo_id, person_id, failed_at, fixed_at);

-- Every column the metrics read, so SQLite reads a range from the index
-- alone instead of one table row per job row.
DROP INDEX rollup_pipeline_jobs_idx;
CREATE INDEX rollup_pipeline_jobs_idx ON rollup_pipeline_jobs
    (day, repo_id, run_status, run_timed, top, pipeline_id, stage, name, done, failed, last_failed_at, timed, secs);

-- The runs a person or team filter reads (their figures stay raw: they do
-- not compress), from the index alone; it replaces v6's (person_id, started_at).
DROP INDEX pipeline_runs_person_idx;
CREATE INDEX pipeline_runs_person_idx ON pipeline_runs (person_id, started_at, status, repo_id, pipeline_id, branch, event, duration_s, finished_at, id);

-- A run now also marks the day of the episode it may fix or extend: the
-- first failed run after the last successful one before it on its branch.
-- (Its own day and its successor's stay marked as in v9.)
-- +sqlite
DROP TRIGGER rollup_pipeline_runs_ins;
DROP TRIGGER rollup_pipeline_runs_upd;
DROP TRIGGER rollup_pipeline_runs_del;
CREATE TRIGGER rollup_pipeline_runs_ins AFTER INSERT ON pipeline_runs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pipeline', NEW.started_at / 86400);
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', n.started_at / 86400 FROM pipeline_runs n
        WHERE n.pipeline_id = NEW.pipeline_id AND n.branch = NEW.branch AND n.status IN ('success', 'failure')
          AND n.started_at >= NEW.started_at AND (n.started_at > NEW.started_at OR n.id > NEW.id)
        ORDER BY n.started_at, n.id LIMIT 1;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', d FROM (SELECT (SELECT f.started_at / 86400 FROM pipeline_runs f
            WHERE f.status = 'failure' AND f.pipeline_id = NEW.pipeline_id AND f.branch = NEW.branch AND f.started_at <= NEW.started_at AND (f.started_at < NEW.started_at OR f.id < NEW.id)
              AND f.started_at >= COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = NEW.pipeline_id AND s.branch = NEW.branch AND s.started_at <= NEW.started_at AND (s.started_at < NEW.started_at OR s.id < NEW.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at)
              AND (f.started_at > COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = NEW.pipeline_id AND s.branch = NEW.branch AND s.started_at <= NEW.started_at AND (s.started_at < NEW.started_at OR s.id < NEW.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at - 1)
                   OR f.id > (SELECT s.id FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = NEW.pipeline_id AND s.branch = NEW.branch AND s.started_at <= NEW.started_at AND (s.started_at < NEW.started_at OR s.id < NEW.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1))
            ORDER BY f.started_at, f.id LIMIT 1) AS d) e WHERE d IS NOT NULL;
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
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', d FROM (SELECT (SELECT f.started_at / 86400 FROM pipeline_runs f
            WHERE f.status = 'failure' AND f.pipeline_id = OLD.pipeline_id AND f.branch = OLD.branch AND f.started_at <= OLD.started_at AND (f.started_at < OLD.started_at OR f.id < OLD.id)
              AND f.started_at >= COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = OLD.pipeline_id AND s.branch = OLD.branch AND s.started_at <= OLD.started_at AND (s.started_at < OLD.started_at OR s.id < OLD.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at)
              AND (f.started_at > COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = OLD.pipeline_id AND s.branch = OLD.branch AND s.started_at <= OLD.started_at AND (s.started_at < OLD.started_at OR s.id < OLD.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at - 1)
                   OR f.id > (SELECT s.id FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = OLD.pipeline_id AND s.branch = OLD.branch AND s.started_at <= OLD.started_at AND (s.started_at < OLD.started_at OR s.id < OLD.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1))
            ORDER BY f.started_at, f.id LIMIT 1) AS d) e WHERE d IS NOT NULL;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', d FROM (SELECT (SELECT f.started_at / 86400 FROM pipeline_runs f
            WHERE f.status = 'failure' AND f.pipeline_id = NEW.pipeline_id AND f.branch = NEW.branch AND f.started_at <= NEW.started_at AND (f.started_at < NEW.started_at OR f.id < NEW.id)
              AND f.started_at >= COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = NEW.pipeline_id AND s.branch = NEW.branch AND s.started_at <= NEW.started_at AND (s.started_at < NEW.started_at OR s.id < NEW.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at)
              AND (f.started_at > COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = NEW.pipeline_id AND s.branch = NEW.branch AND s.started_at <= NEW.started_at AND (s.started_at < NEW.started_at OR s.id < NEW.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at - 1)
                   OR f.id > (SELECT s.id FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = NEW.pipeline_id AND s.branch = NEW.branch AND s.started_at <= NEW.started_at AND (s.started_at < NEW.started_at OR s.id < NEW.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1))
            ORDER BY f.started_at, f.id LIMIT 1) AS d) e WHERE d IS NOT NULL;
END;
CREATE TRIGGER rollup_pipeline_runs_del AFTER DELETE ON pipeline_runs BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pipeline', OLD.started_at / 86400);
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', n.started_at / 86400 FROM pipeline_runs n
        WHERE n.pipeline_id = OLD.pipeline_id AND n.branch = OLD.branch AND n.status IN ('success', 'failure')
          AND n.started_at >= OLD.started_at AND (n.started_at > OLD.started_at OR n.id > OLD.id)
        ORDER BY n.started_at, n.id LIMIT 1;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pipeline', d FROM (SELECT (SELECT f.started_at / 86400 FROM pipeline_runs f
            WHERE f.status = 'failure' AND f.pipeline_id = OLD.pipeline_id AND f.branch = OLD.branch AND f.started_at <= OLD.started_at AND (f.started_at < OLD.started_at OR f.id < OLD.id)
              AND f.started_at >= COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = OLD.pipeline_id AND s.branch = OLD.branch AND s.started_at <= OLD.started_at AND (s.started_at < OLD.started_at OR s.id < OLD.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at)
              AND (f.started_at > COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = OLD.pipeline_id AND s.branch = OLD.branch AND s.started_at <= OLD.started_at AND (s.started_at < OLD.started_at OR s.id < OLD.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at - 1)
                   OR f.id > (SELECT s.id FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = OLD.pipeline_id AND s.branch = OLD.branch AND s.started_at <= OLD.started_at AND (s.started_at < OLD.started_at OR s.id < OLD.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1))
            ORDER BY f.started_at, f.id LIMIT 1) AS d) e WHERE d IS NOT NULL;
END;
-- +end
-- +postgres
CREATE OR REPLACE FUNCTION rollup_pipeline_runs_mark() RETURNS trigger LANGUAGE plpgsql AS $$
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
            FROM new_rows x
            UNION ALL
            SELECT (SELECT f.started_at / 86400 FROM pipeline_runs f
            WHERE f.status = 'failure' AND f.pipeline_id = x.pipeline_id AND f.branch = x.branch AND f.started_at <= x.started_at AND (f.started_at < x.started_at OR f.id < x.id)
              AND f.started_at >= COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = x.pipeline_id AND s.branch = x.branch AND s.started_at <= x.started_at AND (s.started_at < x.started_at OR s.id < x.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at)
              AND (f.started_at > COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = x.pipeline_id AND s.branch = x.branch AND s.started_at <= x.started_at AND (s.started_at < x.started_at OR s.id < x.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at - 1)
                   OR f.id > (SELECT s.id FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = x.pipeline_id AND s.branch = x.branch AND s.started_at <= x.started_at AND (s.started_at < x.started_at OR s.id < x.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1))
            ORDER BY f.started_at, f.id LIMIT 1)
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
            FROM old_rows x
            UNION ALL
            SELECT (SELECT f.started_at / 86400 FROM pipeline_runs f
            WHERE f.status = 'failure' AND f.pipeline_id = x.pipeline_id AND f.branch = x.branch AND f.started_at <= x.started_at AND (f.started_at < x.started_at OR f.id < x.id)
              AND f.started_at >= COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = x.pipeline_id AND s.branch = x.branch AND s.started_at <= x.started_at AND (s.started_at < x.started_at OR s.id < x.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at)
              AND (f.started_at > COALESCE((SELECT s.started_at FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = x.pipeline_id AND s.branch = x.branch AND s.started_at <= x.started_at AND (s.started_at < x.started_at OR s.id < x.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1), f.started_at - 1)
                   OR f.id > (SELECT s.id FROM pipeline_runs s WHERE s.status = 'success' AND s.pipeline_id = x.pipeline_id AND s.branch = x.branch AND s.started_at <= x.started_at AND (s.started_at < x.started_at OR s.id < x.id)
                ORDER BY s.started_at DESC, s.id DESC LIMIT 1))
            ORDER BY f.started_at, f.id LIMIT 1)
            FROM old_rows x) t
        WHERE d IS NOT NULL ORDER BY 2
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
-- +end

-- Every day that has runs is dirty: the next refresh fills the episodes.
-- +sqlite
INSERT OR IGNORE INTO rollup_dirty (family, day) SELECT DISTINCT 'pipeline', started_at / 86400 FROM pipeline_runs;
-- +end
-- +postgres
INSERT INTO rollup_dirty (family, day) SELECT DISTINCT 'pipeline', started_at / 86400 FROM pipeline_runs
ON CONFLICT (family, day) DO NOTHING;
-- +end
