-- Schema v6: indexes for the metric queries on a million-row history
-- (build/bench-metrics.sh measures them). Most are covering: they hold every
-- column a metric reads from the rows of a range, so a 90-day range is read
-- from the index alone instead of one random row read per row. Each index
-- that starts with an older one's columns replaces it.

-- Deployments by the instant they finished (deployments, lead time), and
-- those of a merge commit (a deployment ships the PR it deployed).
CREATE INDEX deployments_finished_idx ON deployments (finished_at, is_production, status, repo_id, commit_sha);
DROP INDEX deployments_sha_idx;
CREATE INDEX deployments_sha_idx ON deployments (commit_sha, repo_id, is_production, status, finished_at);
DROP INDEX deployment_pull_requests_pr_idx;
CREATE INDEX deployment_pull_requests_pr_idx ON deployment_pull_requests (pr_id, deployment_id);

-- Pull requests merged in a range (activity, cycle time, review quality,
-- person-mrs) and closed in one (work in progress).
DROP INDEX pull_requests_merged_idx;
CREATE INDEX pull_requests_merged_idx ON pull_requests (merged_at, person_id, repo_id, created_at, ready_at, first_commit_at, first_review_at, review_rounds);
DROP INDEX pull_requests_closed_idx;
CREATE INDEX pull_requests_open_idx ON pull_requests (closed_at, merged_at, created_at, person_id, repo_id, is_draft, ready_at, first_review_at, approved_at);
CREATE INDEX pull_requests_person_merged_idx ON pull_requests (person_id, merged_at);

-- What others did on a pull request (review quality, reviews received).
CREATE INDEX pull_request_comments_pr_idx ON pull_request_comments (pr_id, kind, created_at, person_id, resolved_at, in_reply_to);
CREATE INDEX pull_request_reviews_pr_idx ON pull_request_reviews (pr_id, submitted_at, person_id, state);

-- A person's commits on their local days, however far back (streaks).
DROP INDEX commits_person_authored_idx;
CREATE INDEX commits_person_authored_idx ON commits (person_id, authored_at, author_tz_offset);

-- Pipeline runs started in a range with what the pipeline metrics read;
-- by who triggered them; a pipeline's history on a branch (flips, failure
-- episodes and recoveries); the jobs of a run.
DROP INDEX pipeline_runs_started_idx;
CREATE INDEX pipeline_runs_range_idx ON pipeline_runs (started_at, status, repo_id, person_id, pipeline_id, branch, event, duration_s, finished_at, id);
DROP INDEX pipeline_runs_person_idx;
CREATE INDEX pipeline_runs_person_idx ON pipeline_runs (person_id, started_at);
DROP INDEX pipeline_runs_branch_idx;
CREATE INDEX pipeline_runs_branch_idx ON pipeline_runs (pipeline_id, branch, started_at, id, status, finished_at);
DROP INDEX pipeline_jobs_run_idx;
CREATE INDEX pipeline_jobs_run_idx ON pipeline_jobs (run_id, parent_id, status, stage, name, duration_s, started_at, finished_at);

ANALYZE;
