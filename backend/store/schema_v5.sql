-- Schema v5: validators of conditional HTTP requests, so that a source asks
-- "changed since?" (If-None-Match) and an unchanged resource answers 304,
-- which costs no API rate limit. One row per (scope, URL): scope is the
-- source and script ("github/repository"). through is the end of the window
-- the response was processed for: a validator is used only by a run that
-- starts there, so a --full or --since run fetches everything again. memo is
-- what the scope needs to act on a 304 without the body (the next page's URL,
-- the ids a page listed).
CREATE TABLE http_validators (
    scope      TEXT   NOT NULL,
    url        TEXT   NOT NULL,
    etag       TEXT   NOT NULL,
    memo       TEXT   NOT NULL DEFAULT '',
    through    BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (scope, url)
);
