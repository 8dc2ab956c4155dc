-- Schema v16: the pr_reception rollup (v14) holds every review as well,
-- with its pull request's author and repository, kept by the UTC day of the
-- review (submitted_at / 86400): person-reception counted the reviews a
-- person received by joining their pull requests of all time to their
-- reviews (60k index seeks for the person marked "me" on the large demo
-- data, whatever the range), and those they gave by looking up the pull
-- request of each (PostgreSQL went parallel for it: 140 ms). The triggers mark the day of a review stored,
-- changed or deleted, and of every review of a pull request whose author
-- or repository changes (a deleted pull request takes its reviews with it).
CREATE TABLE rollup_pr_reception_reviews (
    review_id    BIGINT NOT NULL PRIMARY KEY,
    day          BIGINT NOT NULL,
    author_id    BIGINT,          -- the pull request's author
    repo_id      BIGINT NOT NULL,
    person_id    BIGINT,          -- the reviewer
    submitted_at BIGINT NOT NULL
);
-- Reviews received (by author) and given (by reviewer).
CREATE INDEX rollup_pr_reception_reviews_author_idx ON rollup_pr_reception_reviews (author_id, submitted_at, repo_id, person_id);
CREATE INDEX rollup_pr_reception_reviews_person_idx ON rollup_pr_reception_reviews (person_id, submitted_at, repo_id, author_id);
CREATE INDEX rollup_pr_reception_reviews_day_idx ON rollup_pr_reception_reviews (day);

-- +sqlite
CREATE TRIGGER pr_reception_review_insert AFTER INSERT ON pull_request_reviews BEGIN
    INSERT INTO rollup_dirty (family, day) VALUES ('pr_reception', NEW.submitted_at / 86400)
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_review_update AFTER UPDATE ON pull_request_reviews
WHEN OLD.pr_id <> NEW.pr_id OR OLD.person_id IS NOT NEW.person_id OR OLD.submitted_at <> NEW.submitted_at
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', d FROM (SELECT OLD.submitted_at / 86400 AS d UNION SELECT NEW.submitted_at / 86400) WHERE true
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_review_delete AFTER DELETE ON pull_request_reviews BEGIN
    INSERT INTO rollup_dirty (family, day) VALUES ('pr_reception', OLD.submitted_at / 86400)
        ON CONFLICT (family, day) DO NOTHING;
END;
CREATE TRIGGER pr_reception_pr_update_reviews AFTER UPDATE ON pull_requests
WHEN OLD.id <> NEW.id OR OLD.person_id IS NOT NEW.person_id OR OLD.repo_id <> NEW.repo_id
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT 'pr_reception', submitted_at / 86400 FROM pull_request_reviews WHERE pr_id IN (OLD.id, NEW.id)
        ON CONFLICT (family, day) DO NOTHING;
END;
-- +end

-- +postgres
CREATE FUNCTION pr_reception_mark_reviews() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', submitted_at / 86400 FROM new_rows
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO rollup_dirty (family, day)
            SELECT DISTINCT 'pr_reception', submitted_at / 86400 FROM old_rows
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    ELSE
        INSERT INTO rollup_dirty (family, day)
            SELECT 'pr_reception', d FROM (
                SELECT o.submitted_at / 86400 AS d1, n.submitted_at / 86400 AS d2
                FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.pr_id, o.person_id, o.submitted_at) IS DISTINCT FROM (n.pr_id, n.person_id, n.submitted_at)
            ) changed CROSS JOIN LATERAL (VALUES (d1), (d2)) v (d)
            GROUP BY d
            ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reception_review_insert AFTER INSERT ON pull_request_reviews
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_reviews();
CREATE TRIGGER pr_reception_review_update AFTER UPDATE ON pull_request_reviews
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_reviews();
CREATE TRIGGER pr_reception_review_delete AFTER DELETE ON pull_request_reviews
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_reviews();

CREATE FUNCTION pr_reception_mark_pr_reviews() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (family, day)
        SELECT DISTINCT 'pr_reception', r.submitted_at / 86400 FROM pull_request_reviews r
        WHERE r.pr_id IN (
            SELECT i FROM old_rows o JOIN new_rows n ON n.id = o.id CROSS JOIN LATERAL (VALUES (o.id), (n.id)) v (i)
            WHERE (o.id, o.person_id, o.repo_id) IS DISTINCT FROM (n.id, n.person_id, n.repo_id))
        ON CONFLICT (family, day) DO UPDATE SET day = EXCLUDED.day;
    RETURN NULL;
END $$;
CREATE TRIGGER pr_reception_pr_update_reviews AFTER UPDATE ON pull_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pr_reception_mark_pr_reviews();
-- +end

-- The days of the reviews already stored.
INSERT INTO rollup_dirty (family, day)
    SELECT DISTINCT 'pr_reception', submitted_at / 86400 FROM pull_request_reviews WHERE true
    ON CONFLICT (family, day) DO NOTHING;
