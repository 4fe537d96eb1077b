-- The help centre's "was this helpful?" answers, counted per knowledge entry. One row
-- per entry (not per vote): the help centre is anonymous, so there is nobody to
-- remember a vote by, and counts are all the console shows.

-- +goose Up
CREATE TABLE kb_feedback (
  tenant_id   uuid NOT NULL,
  entry_id    uuid NOT NULL,
  helpful     bigint NOT NULL DEFAULT 0 CHECK (helpful >= 0),
  not_helpful bigint NOT NULL DEFAULT 0 CHECK (not_helpful >= 0),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, entry_id),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);
SELECT kefu_enable_tenant_rls('kb_feedback');

GRANT SELECT, INSERT, UPDATE, DELETE ON kb_feedback TO kefu_app;

-- +goose Down
DROP TABLE kb_feedback;
