-- Schema v11: covering indexes for the individual metrics (person-mrs,
-- person-reviews, person-reception; person-* with a repository filter): what a person opened,
-- merged, closed, reviewed and commented in a range, and the reviews and
-- review comments of a range, with the columns those metrics read, so the
-- person marked "me" (60k pull requests on the large demo data) is read
-- from indexes alone. Each replaces an index its columns start with.
DROP INDEX IF EXISTS pull_requests_person_created_idx;
CREATE INDEX pull_requests_person_created_idx ON pull_requests (person_id, created_at, repo_id, additions, deletions, changed_files, id);
DROP INDEX IF EXISTS pull_requests_person_merged_idx;
CREATE INDEX pull_requests_person_merged_idx ON pull_requests (person_id, merged_at, repo_id, created_at, review_rounds, id);
CREATE INDEX IF NOT EXISTS pull_requests_person_closed_idx ON pull_requests (person_id, closed_at, state, repo_id);
DROP INDEX IF EXISTS pull_request_reviews_person_idx;
CREATE INDEX pull_request_reviews_person_idx ON pull_request_reviews (person_id, submitted_at, pr_id, state);
DROP INDEX IF EXISTS pull_request_reviews_submitted_idx;
CREATE INDEX pull_request_reviews_submitted_idx ON pull_request_reviews (submitted_at, pr_id, person_id, state);
DROP INDEX IF EXISTS pull_request_comments_person_idx;
CREATE INDEX pull_request_comments_person_idx ON pull_request_comments (person_id, created_at, kind, pr_id);
-- Review threads started in a range (comments received), the figures read.
CREATE INDEX IF NOT EXISTS pull_request_comments_review_roots_idx ON pull_request_comments (created_at, pr_id, person_id, resolved_at, external_id, id)
    WHERE kind = 'review' AND in_reply_to = '';
-- The commits of the pull requests a metric looks at (their authors'
-- updates, replies to review comments), found by sha, with who wrote them
-- and when: no row read per commit.
DROP INDEX IF EXISTS commits_sha_idx;
CREATE INDEX commits_sha_idx ON commits (sha, repo_id, person_id, committed_at);
-- A person's commits with a repository filter (which the person_commits
-- rollup does not hold): streaks over all their history, a range's figures.
DROP INDEX IF EXISTS commits_person_authored_idx;
CREATE INDEX commits_person_authored_idx ON commits (person_id, authored_at, author_tz_offset, repo_id, is_merge, additions, deletions, files_changed);
ANALYZE commits;
ANALYZE pull_requests;
ANALYZE pull_request_reviews;
ANALYZE pull_request_comments;
