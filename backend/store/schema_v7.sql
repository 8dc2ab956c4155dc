-- Schema v7: dirty marks of the rollup tables (backend/rollup). Triggers on
-- a family's source tables insert (family, UTC day) here when a row of that
-- day changes; rollup.Refresh rebuilds those days and deletes the marks it
-- processed. A step that adds a family creates its triggers and marks every
-- existing day, so a database that already holds data is correct on open.
CREATE TABLE rollup_dirty (
    family TEXT   NOT NULL,
    day    BIGINT NOT NULL, -- unix seconds / 86400 (UTC)
    PRIMARY KEY (family, day)
);
