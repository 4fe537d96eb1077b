-- Password reset tokens (global: they belong to a user, not a tenant). Only a hash of
-- the token is stored; a token is single-use and short-lived.

-- +goose Up
CREATE TABLE password_resets (
  id         uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX password_resets_hash_key ON password_resets (token_hash);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON password_resets TO kefu_app;

-- +goose Down
DROP TABLE password_resets;
