-- Third-party connector binaries an operator allowed to run (kefu plugin register):
-- a binary in the plugin directory runs only if its SHA-256 is here.

-- +goose Up
CREATE TABLE plugin_registrations (
  sha256        TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  version       TEXT NOT NULL,
  path          TEXT NOT NULL,
  registered_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE plugin_registrations;
