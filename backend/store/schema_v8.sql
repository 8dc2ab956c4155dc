-- Schema v8: the person_commits rollup (backend/metric/personrollup.go): a
-- person's commits per LOCAL day of theirs, (authored_at + author_tz_offset
-- × 60) / 86400, for the individual commit metrics. facts packs every commit
-- of the day with what the metrics read (its pull request included);
-- person_language_days sums the changed lines of non-merge commits' files.
-- The triggers mark the UTC day of each commit whose figures change: its
-- own row, a file of it, a pull request it was pushed to or that it merged.
-- +sqlite
CREATE TABLE person_commit_days (
    person_id BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    commits   BIGINT NOT NULL,
    facts     BLOB   NOT NULL,
    PRIMARY KEY (person_id, day)
);
-- +end
-- +postgres
CREATE TABLE person_commit_days (
    person_id BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    commits   BIGINT NOT NULL,
    facts     BYTEA  NOT NULL,
    PRIMARY KEY (person_id, day)
);
-- +end
-- Commit counts without the packed facts (streaks, the calendar); by day
-- for the rebuild.
CREATE INDEX person_commit_days_count_idx ON person_commit_days (person_id, day, commits);
CREATE INDEX person_commit_days_day_idx ON person_commit_days (day);

CREATE TABLE person_language_days (
    person_id BIGINT NOT NULL,
    day       BIGINT NOT NULL,
    language  TEXT   NOT NULL,
    additions BIGINT NOT NULL,
    deletions BIGINT NOT NULL,
    PRIMARY KEY (person_id, day, language)
);
CREATE INDEX person_language_days_day_idx ON person_language_days (day);

-- +sqlite
CREATE TRIGGER person_commits_commit_insert AFTER INSERT ON commits BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('person_commits', NEW.authored_at / 86400);
END;
CREATE TRIGGER person_commits_commit_update AFTER UPDATE ON commits
WHEN OLD.id <> NEW.id OR OLD.person_id IS NOT NEW.person_id OR OLD.authored_at <> NEW.authored_at
    OR OLD.author_tz_offset <> NEW.author_tz_offset OR OLD.repo_id <> NEW.repo_id OR OLD.sha <> NEW.sha
    OR OLD.is_merge <> NEW.is_merge OR OLD.additions <> NEW.additions OR OLD.deletions <> NEW.deletions
    OR OLD.files_changed <> NEW.files_changed
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES
        ('person_commits', OLD.authored_at / 86400), ('person_commits', NEW.authored_at / 86400);
END;
CREATE TRIGGER person_commits_commit_delete AFTER DELETE ON commits BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('person_commits', OLD.authored_at / 86400);
END;

CREATE TRIGGER person_commits_file_insert AFTER INSERT ON commit_files BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE id = NEW.commit_id;
END;
CREATE TRIGGER person_commits_file_update AFTER UPDATE ON commit_files
WHEN OLD.commit_id <> NEW.commit_id OR OLD.language <> NEW.language
    OR OLD.additions <> NEW.additions OR OLD.deletions <> NEW.deletions
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE id IN (OLD.commit_id, NEW.commit_id);
END;
CREATE TRIGGER person_commits_file_delete AFTER DELETE ON commit_files BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE id = OLD.commit_id;
END;

CREATE TRIGGER person_commits_prcommit_insert AFTER INSERT ON pull_request_commits BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE sha = NEW.commit_sha;
END;
CREATE TRIGGER person_commits_prcommit_update AFTER UPDATE ON pull_request_commits BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE sha IN (OLD.commit_sha, NEW.commit_sha);
END;
CREATE TRIGGER person_commits_prcommit_delete AFTER DELETE ON pull_request_commits BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE sha = OLD.commit_sha;
END;

CREATE TRIGGER person_commits_pr_insert AFTER INSERT ON pull_requests WHEN NEW.merge_commit_sha <> '' BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits WHERE sha = NEW.merge_commit_sha;
END;
CREATE TRIGGER person_commits_pr_update AFTER UPDATE ON pull_requests
WHEN OLD.id <> NEW.id OR OLD.repo_id <> NEW.repo_id OR OLD.merge_commit_sha <> NEW.merge_commit_sha
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits
        WHERE sha IN (OLD.merge_commit_sha, NEW.merge_commit_sha) AND sha <> ''
            OR sha IN (SELECT commit_sha FROM pull_request_commits WHERE pr_id IN (OLD.id, NEW.id));
END;
-- Before: the pull request's commits are still listed.
CREATE TRIGGER person_commits_pr_delete BEFORE DELETE ON pull_requests BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'person_commits', authored_at / 86400 FROM commits
        WHERE sha = OLD.merge_commit_sha AND sha <> ''
            OR sha IN (SELECT commit_sha FROM pull_request_commits WHERE pr_id = OLD.id);
END;
-- +end

-- +postgres
CREATE FUNCTION person_commits_mark_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', authored_at / 86400 FROM new_rows
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', authored_at / 86400 FROM old_rows
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        INSERT INTO rollup_dirty (family, day)
            SELECT 'person_commits', d FROM (
                SELECT o.authored_at / 86400 AS d1, n.authored_at / 86400 AS d2
                FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                WHERE (o.id, o.person_id, o.authored_at, o.author_tz_offset, o.repo_id, o.sha, o.is_merge,
                        o.additions, o.deletions, o.files_changed)
                    IS DISTINCT FROM (n.id, n.person_id, n.authored_at, n.author_tz_offset, n.repo_id, n.sha, n.is_merge,
                        n.additions, n.deletions, n.files_changed)
            ) changed CROSS JOIN LATERAL (VALUES (d1), (d2)) v (d)
            WHERE d IS NOT NULL GROUP BY d
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_commits_commit_insert AFTER INSERT ON commits
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_commits();
CREATE TRIGGER person_commits_commit_update AFTER UPDATE ON commits
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_commits();
CREATE TRIGGER person_commits_commit_delete AFTER DELETE ON commits
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_commits();

-- A file, a pull request's commit list: the days of the commits they name.
CREATE FUNCTION person_commits_mark_files() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c WHERE c.id IN (SELECT commit_id FROM new_rows)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c WHERE c.id IN (SELECT commit_id FROM old_rows)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_commits_file_insert AFTER INSERT ON commit_files
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_files();
CREATE TRIGGER person_commits_file_update AFTER UPDATE ON commit_files
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_files();
CREATE TRIGGER person_commits_file_delete AFTER DELETE ON commit_files
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_files();

CREATE FUNCTION person_commits_mark_prcommits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c WHERE c.sha IN (SELECT commit_sha FROM new_rows)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c WHERE c.sha IN (SELECT commit_sha FROM old_rows)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_commits_prcommit_insert AFTER INSERT ON pull_request_commits
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_prcommits();
CREATE TRIGGER person_commits_prcommit_update AFTER UPDATE ON pull_request_commits
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_prcommits();
CREATE TRIGGER person_commits_prcommit_delete AFTER DELETE ON pull_request_commits
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_prcommits();

-- A pull request: the commit it merged, and those pushed to it when it
-- moves (a deleted one's commit list goes with it, marked by the trigger
-- above as the cascade deletes it).
CREATE FUNCTION person_commits_mark_prs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c
            WHERE c.sha IN (SELECT merge_commit_sha FROM new_rows WHERE merge_commit_sha <> '')
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c
            WHERE c.sha IN (SELECT merge_commit_sha FROM old_rows WHERE merge_commit_sha <> '')
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'person_commits', c.authored_at / 86400 FROM commits c
            WHERE c.sha IN (
                SELECT s FROM old_rows o JOIN new_rows n ON n.id = o.id
                    CROSS JOIN LATERAL (VALUES (o.merge_commit_sha), (n.merge_commit_sha)) v (s)
                WHERE o.merge_commit_sha <> n.merge_commit_sha AND s <> ''
                UNION
                SELECT pc.commit_sha FROM old_rows o JOIN new_rows n ON n.id = o.id
                    JOIN pull_request_commits pc ON pc.pr_id = n.id
                WHERE o.repo_id <> n.repo_id)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_commits_pr_insert AFTER INSERT ON pull_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_prs();
CREATE TRIGGER person_commits_pr_update AFTER UPDATE ON pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_prs();
CREATE TRIGGER person_commits_pr_delete AFTER DELETE ON pull_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION person_commits_mark_prs();
-- +end

-- The days of the commits already stored.
INSERT INTO rollup_dirty (family, day)
    SELECT DISTINCT 'person_commits', authored_at / 86400 FROM commits WHERE TRUE
    ON CONFLICT (family, day) DO NOTHING;
