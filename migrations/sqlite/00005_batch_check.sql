-- PostgreSQL's 00005 adds the group commit's check function; SQLite has no group
-- commit. Kept so both dialects report the same schema version.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
