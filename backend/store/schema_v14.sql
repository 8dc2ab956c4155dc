-- Schema v14: the pr_reception rollup (backend/metric/personreception.go):
-- one row per review thread that someone started on a pull request with a
-- known author, with when that author addressed it, so person-reception
-- reads one row per comment received instead of joining the person's pull
-- requests to their comments, the replies in each thread and every commit
-- of each pull request (12.8k commit lookups for the person marked "me" in
-- 90 days of the large demo data).
--
-- addressed_at is the first, at or after the comment, of: the PR author's
-- reply in the thread, the PR author's commit on the pull request (by
-- committed_at), the thread's resolution; NULL when none. Rows are kept by
-- the UTC day of the comment (day = created_at / 86400). The triggers mark
-- the day of every thread root whose figures a change can move: the root
-- itself, a reply in its thread, a commit of its pull request (the link or
-- the commit), its pull request's author or repository.
CREATE TABLE rollup_pr_reception (
    comment_id   BIGINT NOT NULL PRIMARY KEY,
    day          BIGINT NOT NULL,
    pr_id        BIGINT NOT NULL,
    author_id    BIGINT NOT NULL, -- the pull request's author
    repo_id      BIGINT NOT NULL,
    person_id    BIGINT,          -- who started the thread
    created_at   BIGINT NOT NULL,
    resolved_at  BIGINT,
    addressed_at BIGINT
);
CREATE INDEX rollup_pr_reception_author_idx ON rollup_pr_reception (author_id, created_at, repo_id, person_id, comment_id, pr_id, resolved_at, addressed_at);
CREATE INDEX rollup_pr_reception_day_idx ON rollup_pr_reception (day);

-- +sqlite
CREATE TRIGGER pr_reception_comment_insert AFTER INSERT ON pull_request_comments BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', NEW.created_at / 86400 WHERE NEW.kind = 'review' AND NEW.in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', r.created_at / 86400 FROM pull_request_comments r
        WHERE NEW.in_reply_to <> '' AND r.pr_id = NEW.pr_id AND r.external_id = NEW.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_comment_update AFTER UPDATE ON pull_request_comments
WHEN OLD.pr_id <> NEW.pr_id OR OLD.external_id <> NEW.external_id OR OLD.person_id IS NOT NEW.person_id OR OLD.kind <> NEW.kind
    OR OLD.in_reply_to <> NEW.in_reply_to OR OLD.created_at <> NEW.created_at OR OLD.resolved_at IS NOT NEW.resolved_at
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', d FROM (
            SELECT OLD.created_at / 86400 AS d WHERE OLD.kind = 'review' AND OLD.in_reply_to = ''
            UNION SELECT NEW.created_at / 86400 WHERE NEW.kind = 'review' AND NEW.in_reply_to = ''
            UNION SELECT r.created_at / 86400 FROM pull_request_comments r
                WHERE OLD.in_reply_to <> '' AND r.pr_id = OLD.pr_id AND r.external_id = OLD.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
            UNION SELECT r.created_at / 86400 FROM pull_request_comments r
                WHERE NEW.in_reply_to <> '' AND r.pr_id = NEW.pr_id AND r.external_id = NEW.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
        ) WHERE true
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_comment_delete AFTER DELETE ON pull_request_comments BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', OLD.created_at / 86400 WHERE OLD.kind = 'review' AND OLD.in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', r.created_at / 86400 FROM pull_request_comments r
        WHERE OLD.in_reply_to <> '' AND r.pr_id = OLD.pr_id AND r.external_id = OLD.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
END;

-- A commit linked to or unlinked from a pull request: its threads.
CREATE TRIGGER pr_reception_pr_commit_insert AFTER INSERT ON pull_request_commits BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', created_at / 86400 FROM pull_request_comments
        WHERE pr_id = NEW.pr_id AND kind = 'review' AND in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_pr_commit_update AFTER UPDATE ON pull_request_commits
WHEN OLD.pr_id <> NEW.pr_id OR OLD.commit_sha <> NEW.commit_sha
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', created_at / 86400 FROM pull_request_comments
        WHERE pr_id IN (OLD.pr_id, NEW.pr_id) AND kind = 'review' AND in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_pr_commit_delete AFTER DELETE ON pull_request_commits BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', created_at / 86400 FROM pull_request_comments
        WHERE pr_id = OLD.pr_id AND kind = 'review' AND in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
END;

-- A commit of a pull request stored, changed (author, time) or deleted:
-- the threads of the pull requests that list it.
CREATE TRIGGER pr_reception_commit_insert AFTER INSERT ON commits BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', cm.created_at / 86400 FROM pull_request_commits pc
            JOIN pull_request_comments cm ON cm.pr_id = pc.pr_id AND cm.kind = 'review' AND cm.in_reply_to = ''
        WHERE pc.commit_sha = NEW.sha
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_commit_update AFTER UPDATE ON commits
WHEN OLD.sha <> NEW.sha OR OLD.repo_id <> NEW.repo_id OR OLD.person_id IS NOT NEW.person_id OR OLD.committed_at IS NOT NEW.committed_at
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', cm.created_at / 86400 FROM pull_request_commits pc
            JOIN pull_request_comments cm ON cm.pr_id = pc.pr_id AND cm.kind = 'review' AND cm.in_reply_to = ''
        WHERE pc.commit_sha IN (OLD.sha, NEW.sha)
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_commit_delete AFTER DELETE ON commits BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', cm.created_at / 86400 FROM pull_request_commits pc
            JOIN pull_request_comments cm ON cm.pr_id = pc.pr_id AND cm.kind = 'review' AND cm.in_reply_to = ''
        WHERE pc.commit_sha = OLD.sha
        ON CONFLICT (family, day) DO NOTHING;
END;

-- A pull request's author or repository changed (a deleted one takes its
-- comments with it, whose triggers mark their days).
CREATE TRIGGER pr_reception_pr_update AFTER UPDATE ON pull_requests
WHEN OLD.id <> NEW.id OR OLD.person_id IS NOT NEW.person_id OR OLD.repo_id <> NEW.repo_id
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', created_at / 86400 FROM pull_request_comments
        WHERE pr_id IN (OLD.id, NEW.id) AND kind = 'review' AND in_reply_to = ''
        ON CONFLICT (family, day) DO NOTHING;
END;
-- +end

-- +postgres
-- A comment stored, changed (what the figures read) or deleted: its own day
-- when it starts a review thread, the day of the thread it replies to.
CREATE FUNCTION pr_reception_mark_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_reception', d FROM (
                SELECT n.created_at / 86400 AS d FROM new_rows n WHERE n.kind = 'review' AND n.in_reply_to = ''
                UNION SELECT r.created_at / 86400 FROM new_rows n JOIN pull_request_comments r
                    ON r.pr_id = n.pr_id AND r.external_id = n.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
                WHERE n.in_reply_to <> ''
            ) x
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_reception', d FROM (
                SELECT o.created_at / 86400 AS d FROM old_rows o WHERE o.kind = 'review' AND o.in_reply_to = ''
                UNION SELECT r.created_at / 86400 FROM old_rows o JOIN pull_request_comments r
                    ON r.pr_id = o.pr_id AND r.external_id = o.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
                WHERE o.in_reply_to <> ''
            ) x
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        WITH changed AS (
            SELECT o.pr_id AS o_pr, o.external_id AS o_ext, o.kind AS o_kind, o.in_reply_to AS o_to, o.created_at AS o_at,
                n.pr_id AS n_pr, n.external_id AS n_ext, n.kind AS n_kind, n.in_reply_to AS n_to, n.created_at AS n_at
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE (o.pr_id, o.external_id, o.person_id, o.kind, o.in_reply_to, o.created_at, o.resolved_at)
                IS DISTINCT FROM (n.pr_id, n.external_id, n.person_id, n.kind, n.in_reply_to, n.created_at, n.resolved_at)
        ), touched (pr_id, external_id, kind, in_reply_to, created_at) AS (
            SELECT o_pr, o_ext, o_kind, o_to, o_at FROM changed
            UNION ALL SELECT n_pr, n_ext, n_kind, n_to, n_at FROM changed
        )
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_reception', d FROM (
                SELECT c.created_at / 86400 AS d FROM touched c WHERE c.kind = 'review' AND c.in_reply_to = ''
                UNION SELECT r.created_at / 86400 FROM touched c JOIN pull_request_comments r
                    ON r.pr_id = c.pr_id AND r.external_id = c.in_reply_to AND r.kind = 'review' AND r.in_reply_to = ''
                WHERE c.in_reply_to <> ''
            ) x
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reception_comment_insert AFTER INSERT ON pull_request_comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_comments();
CREATE TRIGGER pr_reception_comment_update AFTER UPDATE ON pull_request_comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_comments();
CREATE TRIGGER pr_reception_comment_delete AFTER DELETE ON pull_request_comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_comments();

-- A commit linked to or unlinked from a pull request: its threads.
CREATE FUNCTION pr_reception_mark_pr_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', cm.created_at / 86400 FROM pull_request_comments cm
            WHERE cm.pr_id IN (SELECT pr_id FROM new_rows) AND cm.kind = 'review' AND cm.in_reply_to = ''
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', cm.created_at / 86400 FROM pull_request_comments cm
            WHERE cm.pr_id IN (SELECT pr_id FROM old_rows) AND cm.kind = 'review' AND cm.in_reply_to = ''
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reception_pr_commit_insert AFTER INSERT ON pull_request_commits
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_pr_commits();
CREATE TRIGGER pr_reception_pr_commit_update AFTER UPDATE ON pull_request_commits
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_pr_commits();
CREATE TRIGGER pr_reception_pr_commit_delete AFTER DELETE ON pull_request_commits
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_pr_commits();

-- A commit of a pull request stored, changed (author, time) or deleted:
-- the threads of the pull requests that list it.
CREATE FUNCTION pr_reception_mark_commits() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', cm.created_at / 86400 FROM pull_request_commits pc
                JOIN pull_request_comments cm ON cm.pr_id = pc.pr_id AND cm.kind = 'review' AND cm.in_reply_to = ''
            WHERE pc.commit_sha IN (SELECT sha FROM new_rows)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', cm.created_at / 86400 FROM pull_request_commits pc
                JOIN pull_request_comments cm ON cm.pr_id = pc.pr_id AND cm.kind = 'review' AND cm.in_reply_to = ''
            WHERE pc.commit_sha IN (SELECT sha FROM old_rows)
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', cm.created_at / 86400 FROM pull_request_commits pc
                JOIN pull_request_comments cm ON cm.pr_id = pc.pr_id AND cm.kind = 'review' AND cm.in_reply_to = ''
            WHERE pc.commit_sha IN (
                SELECT s FROM old_rows o JOIN new_rows n ON n.id = o.id
                    CROSS JOIN LATERAL (VALUES (o.sha), (n.sha)) v (s)
                WHERE (o.sha, o.repo_id, o.person_id, o.committed_at) IS DISTINCT FROM (n.sha, n.repo_id, n.person_id, n.committed_at))
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reception_commit_insert AFTER INSERT ON commits
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_commits();
CREATE TRIGGER pr_reception_commit_update AFTER UPDATE ON commits
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_commits();
CREATE TRIGGER pr_reception_commit_delete AFTER DELETE ON commits
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_commits();

-- A pull request's author or repository changed (a deleted one takes its
-- comments with it, whose triggers mark their days).
CREATE FUNCTION pr_reception_mark_prs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT DISTINCT 'pr_reception', cm.created_at / 86400 FROM pull_request_comments cm
        WHERE cm.pr_id IN (
            SELECT i FROM old_rows o JOIN new_rows n ON n.id = o.id CROSS JOIN LATERAL (VALUES (o.id), (n.id)) v (i)
            WHERE (o.id, o.person_id, o.repo_id) IS DISTINCT FROM (n.id, n.person_id, n.repo_id))
            AND cm.kind = 'review' AND cm.in_reply_to = ''
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reception_pr_update AFTER UPDATE ON pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_prs();
-- +end

-- The days of the review threads already stored.
INSERT INTO rollup_dirty (family, day)
    SELECT DISTINCT 'pr_reception', created_at / 86400 FROM pull_request_comments WHERE kind = 'review' AND in_reply_to = ''
    ON CONFLICT (family, day) DO NOTHING;
