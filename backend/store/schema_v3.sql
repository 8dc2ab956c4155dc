-- Schema v3: where the local git source resumes, repository remotes, and
-- identity decisions made by hand.

-- The local git source's resume point per repository: the commit every ref
-- pointed at when the last import completed, how far back that import
-- reached, and a fingerprint of the mailmap it read. A re-sync whose refs
-- and mailmap are unchanged reads no history at all.
CREATE TABLE git_sync_state (
    repo_id   BIGINT NOT NULL PRIMARY KEY REFERENCES repositories (id) ON DELETE CASCADE,
    tips      TEXT   NOT NULL DEFAULT '',  -- "sha ref" lines, sorted by ref
    since     BIGINT NOT NULL DEFAULT 0,   -- history imported from this committer time; 0: all of it
    mailmap   TEXT   NOT NULL DEFAULT '',  -- fingerprint of the mailmap in effect
    synced_at BIGINT NOT NULL
);

-- A repository's remotes ("name url" lines), so that a local clone can be
-- matched with the same repository collected from a hosted source.
ALTER TABLE repositories ADD COLUMN remotes TEXT NOT NULL DEFAULT '';

-- A person merged or split by hand. Automatic merging still attaches new
-- accounts to such a person but never merges it with another person, so a
-- later sync cannot undo the user's decision.
ALTER TABLE people ADD COLUMN manual BOOLEAN NOT NULL DEFAULT FALSE;
