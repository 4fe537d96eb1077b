-- The help centre's "was this helpful?" counts (see the PostgreSQL migration for the why).

-- +goose Up
CREATE TABLE kb_feedback (
  tenant_id   TEXT NOT NULL,
  entry_id    TEXT NOT NULL,
  helpful     INTEGER NOT NULL DEFAULT 0 CHECK (helpful >= 0),
  not_helpful INTEGER NOT NULL DEFAULT 0 CHECK (not_helpful >= 0),
  updated_at  DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, entry_id),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE kb_feedback;
