-- Schema v4: names users pick are unique regardless of case, so that a team
-- filter or a saved view named in a link means one thing.
CREATE UNIQUE INDEX saved_views_name_idx ON saved_views (lower(name));
CREATE UNIQUE INDEX teams_name_lower_idx ON teams (lower(name));
