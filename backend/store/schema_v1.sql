-- Schema v1: the domain Momentum collects and measures.
--
-- Written once for both engines. {{pk}} becomes an identity column on PostgreSQL
-- and a rowid alias on SQLite; everything else is the common subset of both.
-- Instants are BIGINT Unix seconds (UTC): the same type, comparison and
-- arithmetic on both engines, compact indexes, and bucketing by integer
-- division. Where a person's local time matters, the offset from UTC in
-- minutes is stored beside the instant. Foreign-key columns are indexed so
-- that deletes and identity merges never scan a child table.

-- Collection: configuration and run history ---------------------------------

CREATE TABLE data_source_configs (
    source     TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL DEFAULT '',  -- empty for secrets
    secret_ref TEXT   NOT NULL DEFAULT '',  -- keychain reference for secrets, never the secret
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (source, key)
);

CREATE TABLE data_source_runs (
    id              {{pk}},
    source          TEXT    NOT NULL,
    script          TEXT    NOT NULL,
    status          TEXT    NOT NULL,        -- RUNNING, COMPLETED, FAILED, SKIPPED
    started_at      BIGINT  NOT NULL,
    finished_at     BIGINT,
    window_start    BIGINT,
    window_end      BIGINT,
    last_fetched_at BIGINT,                  -- set only on success
    items           BIGINT  NOT NULL DEFAULT 0,
    requests        BIGINT  NOT NULL DEFAULT 0,
    error           TEXT    NOT NULL DEFAULT '',
    owner           TEXT    NOT NULL DEFAULT '' -- host/process that ran it
);
CREATE INDEX data_source_runs_script_idx ON data_source_runs (source, script, started_at);

CREATE TABLE settings (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- People -------------------------------------------------------------------

CREATE TABLE people (
    id           {{pk}},
    display_name TEXT    NOT NULL,
    email        TEXT    NOT NULL DEFAULT '',  -- primary email, lower case
    is_bot       BOOLEAN NOT NULL DEFAULT FALSE,
    is_me        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX people_email_idx ON people (email);

-- One person, many accounts: git identities, GitHub/GitLab/Jira logins.
CREATE TABLE accounts (
    id          {{pk}},
    person_id   BIGINT  NOT NULL REFERENCES people (id),
    source      TEXT    NOT NULL,             -- git, github, gitlab, jira ...
    external_id TEXT    NOT NULL,             -- platform user id, or the email for git
    login       TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',  -- lower case
    name        TEXT    NOT NULL DEFAULT '',
    avatar_url  TEXT    NOT NULL DEFAULT '',
    profile_url TEXT    NOT NULL DEFAULT '',
    is_bot      BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (source, external_id)
);
CREATE INDEX accounts_person_idx ON accounts (person_id);
CREATE INDEX accounts_email_idx ON accounts (email);
CREATE INDEX accounts_login_idx ON accounts (login);

-- Teams ----------------------------------------------------------------------

CREATE TABLE teams (
    id          {{pk}},
    name        TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id   BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person_idx ON team_members (person_id);

-- Repositories and code -------------------------------------------------------

CREATE TABLE repositories (
    id             {{pk}},
    source         TEXT    NOT NULL,
    external_id    TEXT    NOT NULL,
    full_name      TEXT    NOT NULL,          -- owner/name, or the folder name for local git
    name           TEXT    NOT NULL,
    url            TEXT    NOT NULL DEFAULT '',
    local_path     TEXT    NOT NULL DEFAULT '',
    description    TEXT    NOT NULL DEFAULT '',
    default_branch TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    stars          BIGINT  NOT NULL DEFAULT 0,
    forks          BIGINT  NOT NULL DEFAULT 0,
    is_private     BOOLEAN NOT NULL DEFAULT FALSE,
    is_archived    BOOLEAN NOT NULL DEFAULT FALSE,
    excluded       BOOLEAN NOT NULL DEFAULT FALSE, -- the user chose not to collect it
    created_at     BIGINT,
    updated_at     BIGINT,
    UNIQUE (source, external_id)
);
CREATE INDEX repositories_full_name_idx ON repositories (full_name);

CREATE TABLE team_repositories (
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    repo_id BIGINT NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, repo_id)
);
CREATE INDEX team_repositories_repo_idx ON team_repositories (repo_id);

-- person_id is denormalised from the author account so that people and team
-- filters need no join on million-row tables; identity merges update it.
CREATE TABLE commits (
    id                  {{pk}},
    repo_id             BIGINT  NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    sha                 TEXT    NOT NULL,
    author_account_id   BIGINT  REFERENCES accounts (id),
    person_id           BIGINT  REFERENCES people (id),
    committer_account_id BIGINT REFERENCES accounts (id),
    authored_at         BIGINT  NOT NULL,
    author_tz_offset    INTEGER NOT NULL DEFAULT 0, -- minutes east of UTC
    committed_at        BIGINT  NOT NULL,
    subject             TEXT    NOT NULL DEFAULT '',
    is_merge            BOOLEAN NOT NULL DEFAULT FALSE,
    additions           BIGINT  NOT NULL DEFAULT 0,
    deletions           BIGINT  NOT NULL DEFAULT 0,
    files_changed       BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (repo_id, sha)
);
CREATE INDEX commits_authored_idx ON commits (authored_at);
CREATE INDEX commits_repo_authored_idx ON commits (repo_id, authored_at);
CREATE INDEX commits_person_authored_idx ON commits (person_id, authored_at);
CREATE INDEX commits_sha_idx ON commits (sha);
CREATE INDEX commits_author_account_idx ON commits (author_account_id);
CREATE INDEX commits_committer_account_idx ON commits (committer_account_id);

CREATE TABLE commit_files (
    commit_id BIGINT NOT NULL REFERENCES commits (id) ON DELETE CASCADE,
    path      TEXT   NOT NULL,
    language  TEXT   NOT NULL DEFAULT '',
    additions BIGINT NOT NULL DEFAULT 0,      -- 0 for binary files
    deletions BIGINT NOT NULL DEFAULT 0,
    is_binary BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (commit_id, path)
);

-- Pull / merge requests -----------------------------------------------------------

CREATE TABLE pull_requests (
    id                {{pk}},
    repo_id           BIGINT  NOT NULL REFERENCES repositories (id) ON DELETE CASCADE,
    source            TEXT    NOT NULL,
    external_id       TEXT    NOT NULL,
    number            BIGINT  NOT NULL,
    title             TEXT    NOT NULL DEFAULT '',
    url               TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL,        -- open, merged, closed (closed unmerged)
    is_draft          BOOLEAN NOT NULL DEFAULT FALSE,
    author_account_id BIGINT  REFERENCES accounts (id),
    person_id         BIGINT  REFERENCES people (id),
    head_branch       TEXT    NOT NULL DEFAULT '',
    base_branch       TEXT    NOT NULL DEFAULT '',
    created_at        BIGINT  NOT NULL,
    ready_at          BIGINT,                  -- left draft; equals created_at when never a draft
    first_commit_at   BIGINT,
    first_review_at   BIGINT,                  -- first review or comment by someone else, bots excluded
    approved_at       BIGINT,
    merged_at         BIGINT,
    closed_at         BIGINT,
    updated_at        BIGINT  NOT NULL,
    merge_commit_sha  TEXT    NOT NULL DEFAULT '',
    additions         BIGINT  NOT NULL DEFAULT 0,
    deletions         BIGINT  NOT NULL DEFAULT 0,
    changed_files     BIGINT  NOT NULL DEFAULT 0,
    commits_count     BIGINT  NOT NULL DEFAULT 0,
    review_rounds     BIGINT  NOT NULL DEFAULT 0,
    comments_count    BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (repo_id, number)
);
CREATE INDEX pull_requests_created_idx ON pull_requests (created_at);
CREATE INDEX pull_requests_merged_idx ON pull_requests (merged_at);
CREATE INDEX pull_requests_closed_idx ON pull_requests (closed_at);
CREATE INDEX pull_requests_repo_created_idx ON pull_requests (repo_id, created_at);
CREATE INDEX pull_requests_person_created_idx ON pull_requests (person_id, created_at);
CREATE INDEX pull_requests_state_idx ON pull_requests (state, created_at);
CREATE INDEX pull_requests_merge_sha_idx ON pull_requests (merge_commit_sha);
CREATE INDEX pull_requests_author_account_idx ON pull_requests (author_account_id);

CREATE TABLE pull_request_reviews (
    id                  {{pk}},
    pr_id               BIGINT  NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    external_id         TEXT    NOT NULL,
    reviewer_account_id BIGINT  REFERENCES accounts (id),
    person_id           BIGINT  REFERENCES people (id),
    state               TEXT    NOT NULL,      -- approved, changes_requested, commented, dismissed
    submitted_at        BIGINT  NOT NULL,
    comments_count      BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (pr_id, external_id)
);
CREATE INDEX pull_request_reviews_submitted_idx ON pull_request_reviews (submitted_at);
CREATE INDEX pull_request_reviews_person_idx ON pull_request_reviews (person_id, submitted_at);
CREATE INDEX pull_request_reviews_reviewer_idx ON pull_request_reviews (reviewer_account_id);

CREATE TABLE pull_request_comments (
    id                {{pk}},
    pr_id             BIGINT  NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    external_id       TEXT    NOT NULL,
    author_account_id BIGINT  REFERENCES accounts (id),
    person_id         BIGINT  REFERENCES people (id),
    kind              TEXT    NOT NULL,        -- review (on a diff line), discussion, system
    in_reply_to       TEXT    NOT NULL DEFAULT '',
    body_length       BIGINT  NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL,
    resolved_at       BIGINT,
    UNIQUE (pr_id, external_id)
);
CREATE INDEX pull_request_comments_created_idx ON pull_request_comments (created_at);
CREATE INDEX pull_request_comments_person_idx ON pull_request_comments (person_id, created_at);
CREATE INDEX pull_request_comments_author_idx ON pull_request_comments (author_account_id);

CREATE TABLE pull_request_commits (
    pr_id      BIGINT NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    commit_sha TEXT   NOT NULL,
    PRIMARY KEY (pr_id, commit_sha)
);
CREATE INDEX pull_request_commits_sha_idx ON pull_request_commits (commit_sha);

-- CI/CD ------------------------------------------------------------------------

-- A pipeline is a definition: a workflow, a Jenkins job, a GitLab CI config.
CREATE TABLE pipelines (
    id          {{pk}},
    repo_id     BIGINT REFERENCES repositories (id) ON DELETE CASCADE,
    source      TEXT   NOT NULL,
    external_id TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    path        TEXT   NOT NULL DEFAULT '',
    url         TEXT   NOT NULL DEFAULT '',
    UNIQUE (source, external_id)
);

CREATE TABLE pipeline_runs (
    id             {{pk}},
    pipeline_id    BIGINT  NOT NULL REFERENCES pipelines (id) ON DELETE CASCADE,
    repo_id        BIGINT  REFERENCES repositories (id) ON DELETE CASCADE,
    external_id    TEXT    NOT NULL,
    number         BIGINT  NOT NULL DEFAULT 0,
    branch         TEXT    NOT NULL DEFAULT '',
    commit_sha     TEXT    NOT NULL DEFAULT '',
    event          TEXT    NOT NULL DEFAULT '', -- push, pull_request, schedule, manual
    status         TEXT    NOT NULL,            -- success, failure, cancelled, running, skipped
    attempt        INTEGER NOT NULL DEFAULT 1,
    person_id      BIGINT  REFERENCES people (id),
    started_at     BIGINT  NOT NULL,
    finished_at    BIGINT,
    duration_s     BIGINT,
    failure_reason TEXT    NOT NULL DEFAULT '',
    url            TEXT    NOT NULL DEFAULT '',
    UNIQUE (pipeline_id, external_id, attempt) -- a re-run keeps its run id
);
CREATE INDEX pipeline_runs_started_idx ON pipeline_runs (started_at);
CREATE INDEX pipeline_runs_repo_started_idx ON pipeline_runs (repo_id, started_at);
CREATE INDEX pipeline_runs_branch_idx ON pipeline_runs (pipeline_id, branch, started_at);
CREATE INDEX pipeline_runs_person_idx ON pipeline_runs (person_id);

-- Jobs, stages and steps of a run; parent_id links a step to its job.
CREATE TABLE pipeline_jobs (
    id             {{pk}},
    run_id         BIGINT NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
    parent_id      BIGINT REFERENCES pipeline_jobs (id) ON DELETE CASCADE,
    external_id    TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    stage          TEXT   NOT NULL DEFAULT '',
    status         TEXT   NOT NULL,
    started_at     BIGINT,
    finished_at    BIGINT,
    duration_s     BIGINT,
    failure_reason TEXT   NOT NULL DEFAULT '',
    UNIQUE (run_id, external_id)
);
CREATE INDEX pipeline_jobs_run_idx ON pipeline_jobs (run_id);
CREATE INDEX pipeline_jobs_parent_idx ON pipeline_jobs (parent_id);

CREATE TABLE deployments (
    id              {{pk}},
    repo_id         BIGINT  REFERENCES repositories (id) ON DELETE CASCADE,
    source          TEXT    NOT NULL,
    external_id     TEXT    NOT NULL,
    environment     TEXT    NOT NULL,
    is_production   BOOLEAN NOT NULL DEFAULT FALSE,
    status          TEXT    NOT NULL,          -- success, failure, in_progress, cancelled
    commit_sha      TEXT    NOT NULL DEFAULT '',
    ref             TEXT    NOT NULL DEFAULT '',
    pipeline_run_id BIGINT  REFERENCES pipeline_runs (id) ON DELETE SET NULL,
    person_id       BIGINT  REFERENCES people (id),
    created_at      BIGINT  NOT NULL,
    finished_at     BIGINT,
    url             TEXT    NOT NULL DEFAULT '',
    UNIQUE (source, external_id)
);
CREATE INDEX deployments_created_idx ON deployments (created_at);
CREATE INDEX deployments_repo_created_idx ON deployments (repo_id, created_at);
CREATE INDEX deployments_sha_idx ON deployments (commit_sha);
CREATE INDEX deployments_run_idx ON deployments (pipeline_run_id);
CREATE INDEX deployments_person_idx ON deployments (person_id);

-- Which pull requests a deployment shipped (by merge-commit reachability or the
-- platform's own link), so lead time needs no graph walk at query time.
CREATE TABLE deployment_pull_requests (
    deployment_id BIGINT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
    pr_id         BIGINT NOT NULL REFERENCES pull_requests (id) ON DELETE CASCADE,
    PRIMARY KEY (deployment_id, pr_id)
);
CREATE INDEX deployment_pull_requests_pr_idx ON deployment_pull_requests (pr_id);

-- Project management ------------------------------------------------------------

CREATE TABLE boards (
    id          {{pk}},
    source      TEXT   NOT NULL,
    external_id TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    project_key TEXT   NOT NULL DEFAULT '',
    kind        TEXT   NOT NULL DEFAULT '',    -- scrum, kanban, list
    url         TEXT   NOT NULL DEFAULT '',
    UNIQUE (source, external_id)
);

CREATE TABLE sprints (
    id           {{pk}},
    board_id     BIGINT REFERENCES boards (id) ON DELETE CASCADE,
    source       TEXT   NOT NULL,
    external_id  TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    state        TEXT   NOT NULL DEFAULT '',   -- future, active, closed
    goal         TEXT   NOT NULL DEFAULT '',
    started_at   BIGINT,
    ends_at      BIGINT,
    completed_at BIGINT,
    UNIQUE (source, external_id)
);

CREATE TABLE tickets (
    id                  {{pk}},
    source              TEXT   NOT NULL,
    external_id         TEXT   NOT NULL,
    key                 TEXT   NOT NULL DEFAULT '',   -- PROJ-123
    project_key         TEXT   NOT NULL DEFAULT '',
    board_id            BIGINT REFERENCES boards (id) ON DELETE SET NULL,
    sprint_id           BIGINT REFERENCES sprints (id) ON DELETE SET NULL,
    title               TEXT   NOT NULL DEFAULT '',
    type                TEXT   NOT NULL DEFAULT '',
    status              TEXT   NOT NULL DEFAULT '',
    status_category     TEXT   NOT NULL DEFAULT '',   -- todo, in_progress, done
    priority            TEXT   NOT NULL DEFAULT '',
    assignee_account_id BIGINT REFERENCES accounts (id),
    assignee_person_id  BIGINT REFERENCES people (id),
    reporter_account_id BIGINT REFERENCES accounts (id),
    story_points        DOUBLE PRECISION,
    url                 TEXT   NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    resolved_at         BIGINT,
    UNIQUE (source, external_id)
);
CREATE INDEX tickets_created_idx ON tickets (created_at);
CREATE INDEX tickets_resolved_idx ON tickets (resolved_at);
CREATE INDEX tickets_assignee_idx ON tickets (assignee_person_id, created_at);
CREATE INDEX tickets_sprint_idx ON tickets (sprint_id);
CREATE INDEX tickets_board_idx ON tickets (board_id);

CREATE TABLE ticket_transitions (
    id                {{pk}},
    ticket_id         BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    external_id       TEXT   NOT NULL,
    from_status       TEXT   NOT NULL DEFAULT '',
    to_status         TEXT   NOT NULL,
    to_category       TEXT   NOT NULL DEFAULT '',
    author_account_id BIGINT REFERENCES accounts (id),
    transitioned_at   BIGINT NOT NULL,
    UNIQUE (ticket_id, external_id)
);
CREATE INDEX ticket_transitions_at_idx ON ticket_transitions (transitioned_at);

-- Code quality -------------------------------------------------------------------

CREATE TABLE quality_snapshots (
    id                     {{pk}},
    repo_id                BIGINT REFERENCES repositories (id) ON DELETE CASCADE,
    source                 TEXT   NOT NULL,
    project_key            TEXT   NOT NULL,
    analyzed_at            BIGINT NOT NULL,
    coverage               DOUBLE PRECISION,  -- 0..1
    lines_of_code          BIGINT,
    bugs                   BIGINT,
    vulnerabilities        BIGINT,
    code_smells            BIGINT,
    debt_minutes           BIGINT,
    debt_ratio             DOUBLE PRECISION,
    complexity             BIGINT,
    cognitive_complexity   BIGINT,
    duplication            DOUBLE PRECISION,  -- 0..1
    maintainability_rating TEXT NOT NULL DEFAULT '',  -- A..E
    reliability_rating     TEXT NOT NULL DEFAULT '',
    security_rating        TEXT NOT NULL DEFAULT '',
    UNIQUE (source, project_key, analyzed_at)
);
CREATE INDEX quality_snapshots_analyzed_idx ON quality_snapshots (analyzed_at);
CREATE INDEX quality_snapshots_repo_idx ON quality_snapshots (repo_id, analyzed_at);

CREATE TABLE quality_issues (
    id          {{pk}},
    repo_id     BIGINT REFERENCES repositories (id) ON DELETE CASCADE,
    source      TEXT   NOT NULL,
    external_id TEXT   NOT NULL,
    kind        TEXT   NOT NULL,   -- vulnerability, bug, smell, hotspot
    severity    TEXT   NOT NULL,   -- blocker, critical, major, minor, info
    rule        TEXT   NOT NULL DEFAULT '',
    category    TEXT   NOT NULL DEFAULT '',  -- e.g. OWASP / CWE type
    message     TEXT   NOT NULL DEFAULT '',
    path        TEXT   NOT NULL DEFAULT '',
    status      TEXT   NOT NULL,   -- open, resolved, ...
    effort_minutes BIGINT,
    created_at  BIGINT NOT NULL,
    resolved_at BIGINT,
    UNIQUE (source, external_id)
);
CREATE INDEX quality_issues_created_idx ON quality_issues (created_at);
CREATE INDEX quality_issues_repo_idx ON quality_issues (repo_id, kind, status);

-- Infrastructure costs ----------------------------------------------------------

CREATE TABLE cost_records (
    id       {{pk}},
    source   TEXT   NOT NULL,            -- aws, azure, gcp
    account  TEXT   NOT NULL,            -- account / subscription / project
    service  TEXT   NOT NULL,
    region   TEXT   NOT NULL DEFAULT '',
    day      BIGINT NOT NULL,            -- Unix seconds of the UTC day start
    amount   DOUBLE PRECISION NOT NULL,
    currency TEXT   NOT NULL DEFAULT 'USD',
    UNIQUE (source, account, service, region, day)
);
CREATE INDEX cost_records_day_idx ON cost_records (day);

CREATE TABLE budgets (
    id         {{pk}},
    name       TEXT   NOT NULL UNIQUE,
    source     TEXT   NOT NULL DEFAULT '',  -- empty: all providers
    service    TEXT   NOT NULL DEFAULT '',  -- empty: all services
    monthly_amount DOUBLE PRECISION NOT NULL,
    currency   TEXT   NOT NULL DEFAULT 'USD',
    created_at BIGINT NOT NULL
);

-- Saved dashboard views ------------------------------------------------------------

CREATE TABLE saved_views (
    id         {{pk}},
    name       TEXT   NOT NULL,
    slug       TEXT   NOT NULL UNIQUE,      -- the shareable link's key
    page       TEXT   NOT NULL,             -- organization, individual
    query      TEXT   NOT NULL,             -- the URL query that restores the view
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
