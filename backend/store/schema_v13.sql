-- Schema v13: covering indexes for commit-pr-activity on a million-row
-- history. The sizes of the pull requests opened in a range (additions,
-- deletions) and the ones closed unmerged in a range (state) were read one
-- table row per pull request; these indexes hold what those counts read,
-- with the repository and person of the filters. The first replaces the
-- index its columns start with.
DROP INDEX IF EXISTS pull_requests_created_idx;
CREATE INDEX pull_requests_created_idx ON pull_requests (created_at, repo_id, person_id, additions, deletions);
CREATE INDEX pull_requests_closed_state_idx ON pull_requests (closed_at, state, repo_id, person_id);
