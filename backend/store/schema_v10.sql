-- Schema v10: two rollups of merged pull requests, by the UTC day of the
-- merge (merged_at / 86400), that spare the Organization delivery metrics a
-- join of every merged pull request to its deployments, comments and reviews
-- (backend/metric/deployrollup.go, reviewrollup.go).
--
-- pr_deploys: for every merged pull request that reached production, the
-- instant its first successful production deployment finished at or after
-- the merge (linked by deployment_pull_requests or deploying its merge
-- commit). cycle-time's deploy stage reads it by merge instant,
-- deployments' lead time by deployment instant. The triggers mark the merge
-- day of each pull request whose figure a change can move: its own row, a
-- link of it, a production deployment that shipped it.
CREATE TABLE rollup_pr_deploys (
    pr_id       BIGINT NOT NULL PRIMARY KEY,
    repo_id     BIGINT,
    person_id   BIGINT,
    start_at    BIGINT NOT NULL, -- first commit, else opened
    merged_at   BIGINT NOT NULL,
    deployed_at BIGINT NOT NULL
);
CREATE INDEX rollup_pr_deploys_merged_idx ON rollup_pr_deploys (merged_at, repo_id, person_id, pr_id, deployed_at);
CREATE INDEX rollup_pr_deploys_deployed_idx ON rollup_pr_deploys (deployed_at, person_id, pr_id, start_at, merged_at);

-- +sqlite
CREATE TRIGGER pr_deploys_pr_insert AFTER INSERT ON pull_requests WHEN NEW.merged_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pr_deploys', NEW.merged_at / 86400);
END;
CREATE TRIGGER pr_deploys_pr_update AFTER UPDATE ON pull_requests
WHEN OLD.id <> NEW.id OR OLD.merged_at IS NOT NEW.merged_at OR OLD.merge_commit_sha IS NOT NEW.merge_commit_sha
    OR OLD.repo_id IS NOT NEW.repo_id OR OLD.person_id IS NOT NEW.person_id
    OR OLD.first_commit_at IS NOT NEW.first_commit_at OR OLD.created_at IS NOT NEW.created_at
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', d FROM (SELECT OLD.merged_at / 86400 AS d UNION SELECT NEW.merged_at / 86400) WHERE d IS NOT NULL;
END;
CREATE TRIGGER pr_deploys_pr_delete AFTER DELETE ON pull_requests WHEN OLD.merged_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pr_deploys', OLD.merged_at / 86400);
END;

CREATE TRIGGER pr_deploys_link_insert AFTER INSERT ON deployment_pull_requests BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests WHERE id = NEW.pr_id AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_deploys_link_update AFTER UPDATE ON deployment_pull_requests BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests WHERE id IN (OLD.pr_id, NEW.pr_id) AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_deploys_link_delete AFTER DELETE ON deployment_pull_requests BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests WHERE id = OLD.pr_id AND merged_at IS NOT NULL;
END;

-- Only a successful production deployment ships; one that becomes or stops
-- being one, or moves, marks what it shipped before and after.
CREATE TRIGGER pr_deploys_deployment_insert AFTER INSERT ON deployments
WHEN NEW.is_production AND NEW.status = 'success'
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', pr.merged_at / 86400 FROM deployment_pull_requests dp JOIN pull_requests pr ON pr.id = dp.pr_id
        WHERE dp.deployment_id = NEW.id AND pr.merged_at IS NOT NULL;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests
        WHERE NEW.commit_sha <> '' AND merge_commit_sha = NEW.commit_sha AND repo_id = NEW.repo_id AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_deploys_deployment_update AFTER UPDATE ON deployments
WHEN (OLD.is_production AND OLD.status = 'success' OR NEW.is_production AND NEW.status = 'success')
    AND (OLD.id <> NEW.id OR OLD.is_production IS NOT NEW.is_production OR OLD.status IS NOT NEW.status
        OR OLD.finished_at IS NOT NEW.finished_at OR OLD.commit_sha IS NOT NEW.commit_sha OR OLD.repo_id IS NOT NEW.repo_id)
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', pr.merged_at / 86400 FROM deployment_pull_requests dp JOIN pull_requests pr ON pr.id = dp.pr_id
        WHERE dp.deployment_id IN (OLD.id, NEW.id) AND pr.merged_at IS NOT NULL;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests
        WHERE OLD.commit_sha <> '' AND merge_commit_sha = OLD.commit_sha AND repo_id = OLD.repo_id AND merged_at IS NOT NULL;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests
        WHERE NEW.commit_sha <> '' AND merge_commit_sha = NEW.commit_sha AND repo_id = NEW.repo_id AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_deploys_deployment_delete AFTER DELETE ON deployments
WHEN OLD.is_production AND OLD.status = 'success'
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', pr.merged_at / 86400 FROM deployment_pull_requests dp JOIN pull_requests pr ON pr.id = dp.pr_id
        WHERE dp.deployment_id = OLD.id AND pr.merged_at IS NOT NULL;
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_deploys', merged_at / 86400 FROM pull_requests
        WHERE OLD.commit_sha <> '' AND merge_commit_sha = OLD.commit_sha AND repo_id = OLD.repo_id AND merged_at IS NOT NULL;
END;
-- +end

-- +postgres
CREATE FUNCTION pr_deploys_mark_prs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_deploys', merged_at / 86400 FROM new_rows WHERE merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_deploys', merged_at / 86400 FROM old_rows WHERE merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_deploys', d FROM (
                SELECT o.merged_at / 86400 AS d1, n.merged_at / 86400 AS d2
                FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                WHERE (o.id, o.merged_at, o.merge_commit_sha, o.repo_id, o.person_id, o.first_commit_at, o.created_at)
                    IS DISTINCT FROM (n.id, n.merged_at, n.merge_commit_sha, n.repo_id, n.person_id, n.first_commit_at, n.created_at)
            ) changed CROSS JOIN LATERAL (VALUES (d1), (d2)) v (d)
            WHERE d IS NOT NULL GROUP BY d
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_deploys_pr_insert AFTER INSERT ON pull_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_prs();
CREATE TRIGGER pr_deploys_pr_update AFTER UPDATE ON pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_prs();
CREATE TRIGGER pr_deploys_pr_delete AFTER DELETE ON pull_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_prs();

CREATE FUNCTION pr_deploys_mark_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_deploys', pr.merged_at / 86400 FROM pull_requests pr
            WHERE pr.id IN (SELECT pr_id FROM new_rows) AND pr.merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_deploys', pr.merged_at / 86400 FROM pull_requests pr
            WHERE pr.id IN (SELECT pr_id FROM old_rows) AND pr.merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_deploys_link_insert AFTER INSERT ON deployment_pull_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_links();
CREATE TRIGGER pr_deploys_link_update AFTER UPDATE ON deployment_pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_links();
CREATE TRIGGER pr_deploys_link_delete AFTER DELETE ON deployment_pull_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_links();

-- Only a successful production deployment ships; one that becomes or stops
-- being one, or moves, marks what it shipped before and after.
CREATE FUNCTION pr_deploys_mark_deployments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH shipped AS (SELECT id, repo_id, commit_sha FROM new_rows WHERE is_production AND status = 'success')
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_deploys', d FROM (
                SELECT pr.merged_at / 86400 AS d FROM shipped c
                JOIN deployment_pull_requests dp ON dp.deployment_id = c.id JOIN pull_requests pr ON pr.id = dp.pr_id
                WHERE pr.merged_at IS NOT NULL
                UNION
                SELECT pr.merged_at / 86400 FROM shipped c
                JOIN pull_requests pr ON pr.merge_commit_sha = c.commit_sha AND pr.repo_id = c.repo_id
                WHERE c.commit_sha <> '' AND pr.merged_at IS NOT NULL
            ) days
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        WITH shipped AS (SELECT id, repo_id, commit_sha FROM old_rows WHERE is_production AND status = 'success')
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_deploys', d FROM (
                SELECT pr.merged_at / 86400 AS d FROM shipped c
                JOIN deployment_pull_requests dp ON dp.deployment_id = c.id JOIN pull_requests pr ON pr.id = dp.pr_id
                WHERE pr.merged_at IS NOT NULL
                UNION
                SELECT pr.merged_at / 86400 FROM shipped c
                JOIN pull_requests pr ON pr.merge_commit_sha = c.commit_sha AND pr.repo_id = c.repo_id
                WHERE c.commit_sha <> '' AND pr.merged_at IS NOT NULL
            ) days
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        WITH shipped AS (
            SELECT x.id, x.repo_id, x.commit_sha FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.id, o.repo_id, o.commit_sha), (n.id, n.repo_id, n.commit_sha)) x (id, repo_id, commit_sha)
            WHERE (o.is_production AND o.status = 'success' OR n.is_production AND n.status = 'success')
            AND (o.id, o.is_production, o.status, o.finished_at, o.commit_sha, o.repo_id)
                IS DISTINCT FROM (n.id, n.is_production, n.status, n.finished_at, n.commit_sha, n.repo_id)
            AND x.id IS NOT NULL)
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_deploys', d FROM (
                SELECT pr.merged_at / 86400 AS d FROM shipped c
                JOIN deployment_pull_requests dp ON dp.deployment_id = c.id JOIN pull_requests pr ON pr.id = dp.pr_id
                WHERE pr.merged_at IS NOT NULL
                UNION
                SELECT pr.merged_at / 86400 FROM shipped c
                JOIN pull_requests pr ON pr.merge_commit_sha = c.commit_sha AND pr.repo_id = c.repo_id
                WHERE c.commit_sha <> '' AND pr.merged_at IS NOT NULL
            ) days
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_deploys_deployment_insert AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_deployments();
CREATE TRIGGER pr_deploys_deployment_update AFTER UPDATE ON deployments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_deployments();
CREATE TRIGGER pr_deploys_deployment_delete AFTER DELETE ON deployments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_deploys_mark_deployments();
-- +end

-- pr_reviews: what people other than its author did on a merged pull
-- request until the merge, one row per pull request and person (NULL: an
-- unknown account): comments (system events are not comments), review
-- comments, reviews, approvals, review threads opened (a review comment
-- that is not a reply) and the seconds each resolved one took to resolve,
-- comma-separated (exact percentiles need every value). Bots stay in: a
-- request leaves them out by person. The triggers mark the merge day of the
-- pull request of a changed comment or review, and of a changed pull request.
CREATE TABLE rollup_pr_reviews (
    merged_at       BIGINT NOT NULL,
    pr_id           BIGINT NOT NULL,
    repo_id         BIGINT,
    author_id       BIGINT,
    actor_id        BIGINT,
    comments        BIGINT NOT NULL,
    review_comments BIGINT NOT NULL,
    reviews         BIGINT NOT NULL,
    approvals       BIGINT NOT NULL,
    threads         BIGINT NOT NULL,
    resolved_s      TEXT   NOT NULL
);
CREATE INDEX rollup_pr_reviews_merged_idx ON rollup_pr_reviews (merged_at, repo_id, author_id, actor_id, pr_id,
    comments, review_comments, reviews, approvals, threads, resolved_s);

-- +sqlite
CREATE TRIGGER pr_reviews_pr_insert AFTER INSERT ON pull_requests WHEN NEW.merged_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pr_reviews', NEW.merged_at / 86400);
END;
CREATE TRIGGER pr_reviews_pr_update AFTER UPDATE ON pull_requests
WHEN OLD.id <> NEW.id OR OLD.merged_at IS NOT NEW.merged_at OR OLD.repo_id IS NOT NEW.repo_id OR OLD.person_id IS NOT NEW.person_id
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', d FROM (SELECT OLD.merged_at / 86400 AS d UNION SELECT NEW.merged_at / 86400) WHERE d IS NOT NULL;
END;
CREATE TRIGGER pr_reviews_pr_delete AFTER DELETE ON pull_requests WHEN OLD.merged_at IS NOT NULL BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day) VALUES ('pr_reviews', OLD.merged_at / 86400);
END;

CREATE TRIGGER pr_reviews_comment_insert AFTER INSERT ON pull_request_comments BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE id = NEW.pr_id AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_reviews_comment_update AFTER UPDATE ON pull_request_comments
WHEN OLD.pr_id <> NEW.pr_id OR OLD.person_id IS NOT NEW.person_id OR OLD.kind <> NEW.kind OR OLD.created_at <> NEW.created_at
    OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.in_reply_to <> NEW.in_reply_to
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE id IN (OLD.pr_id, NEW.pr_id) AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_reviews_comment_delete AFTER DELETE ON pull_request_comments BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE id = OLD.pr_id AND merged_at IS NOT NULL;
END;

CREATE TRIGGER pr_reviews_review_insert AFTER INSERT ON pull_request_reviews BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE id = NEW.pr_id AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_reviews_review_update AFTER UPDATE ON pull_request_reviews
WHEN OLD.pr_id <> NEW.pr_id OR OLD.person_id IS NOT NEW.person_id OR OLD.state <> NEW.state OR OLD.submitted_at <> NEW.submitted_at
BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE id IN (OLD.pr_id, NEW.pr_id) AND merged_at IS NOT NULL;
END;
CREATE TRIGGER pr_reviews_review_delete AFTER DELETE ON pull_request_reviews BEGIN
    INSERT OR IGNORE INTO rollup_dirty (family, day)
        SELECT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE id = OLD.pr_id AND merged_at IS NOT NULL;
END;
-- +end

-- +postgres
CREATE FUNCTION pr_reviews_mark_prs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reviews', merged_at / 86400 FROM new_rows WHERE merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reviews', merged_at / 86400 FROM old_rows WHERE merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_reviews', d FROM (
                SELECT o.merged_at / 86400 AS d1, n.merged_at / 86400 AS d2
                FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
                WHERE (o.id, o.merged_at, o.repo_id, o.person_id) IS DISTINCT FROM (n.id, n.merged_at, n.repo_id, n.person_id)
            ) changed CROSS JOIN LATERAL (VALUES (d1), (d2)) v (d)
            WHERE d IS NOT NULL GROUP BY d
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reviews_pr_insert AFTER INSERT ON pull_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_prs();
CREATE TRIGGER pr_reviews_pr_update AFTER UPDATE ON pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_prs();
CREATE TRIGGER pr_reviews_pr_delete AFTER DELETE ON pull_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_prs();

-- A comment or a review (the same function: both have pr_id): the merge
-- day of its pull request, before and after.
CREATE FUNCTION pr_reviews_mark_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reviews', pr.merged_at / 86400 FROM pull_requests pr
            WHERE pr.id IN (SELECT pr_id FROM new_rows) AND pr.merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reviews', pr.merged_at / 86400 FROM pull_requests pr
            WHERE pr.id IN (SELECT pr_id FROM old_rows) AND pr.merged_at IS NOT NULL
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reviews_comment_insert AFTER INSERT ON pull_request_comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_children();
CREATE TRIGGER pr_reviews_comment_update AFTER UPDATE ON pull_request_comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_children();
CREATE TRIGGER pr_reviews_comment_delete AFTER DELETE ON pull_request_comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_children();
CREATE TRIGGER pr_reviews_review_insert AFTER INSERT ON pull_request_reviews
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_children();
CREATE TRIGGER pr_reviews_review_update AFTER UPDATE ON pull_request_reviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_children();
CREATE TRIGGER pr_reviews_review_delete AFTER DELETE ON pull_request_reviews
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reviews_mark_children();
-- +end

-- The merge days of the pull requests already stored.
INSERT INTO rollup_dirty (family, day)
    SELECT DISTINCT 'pr_deploys', merged_at / 86400 FROM pull_requests WHERE merged_at IS NOT NULL
    ON CONFLICT (family, day) DO NOTHING;
INSERT INTO rollup_dirty (family, day)
    SELECT DISTINCT 'pr_reviews', merged_at / 86400 FROM pull_requests WHERE merged_at IS NOT NULL
    ON CONFLICT (family, day) DO NOTHING;
