-- Third-party connector binaries an operator allowed to run (kefu plugin register):
-- a binary in the plugin directory runs only if its SHA-256 is here. Platform-wide,
-- not per tenant.

-- +goose Up
CREATE TABLE plugin_registrations (
  sha256        text PRIMARY KEY,
  name          text NOT NULL,
  version       text NOT NULL,
  path          text NOT NULL,
  registered_at timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON plugin_registrations TO kefu_app;

-- +goose Down
DROP TABLE plugin_registrations;
