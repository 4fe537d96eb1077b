-- The knowledge base (SQLite mirror of postgres/00006_knowledge.sql: same tables and
-- keys, no row-level security; ids are TEXT uuids).

-- +goose Up
CREATE TABLE kb_categories (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  parent_id  TEXT,
  position   INTEGER NOT NULL DEFAULT 0,
  name       TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, parent_id) REFERENCES kb_categories (tenant_id, id)
);
CREATE INDEX kb_categories_parent_idx ON kb_categories (tenant_id, parent_id, position);

CREATE TABLE kb_entries (
  tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id               TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('article', 'faq')),
  status           TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'archived')),
  category_id      TEXT,
  locale           TEXT NOT NULL,
  title            TEXT NOT NULL,
  content          TEXT NOT NULL,
  html             TEXT NOT NULL DEFAULT '',
  search_text      TEXT NOT NULL DEFAULT '',
  expires_at       DATETIME,
  version          INTEGER NOT NULL,
  live             TEXT,
  live_version     INTEGER,
  live_category_id TEXT,
  live_locale      TEXT,
  live_expires_at  DATETIME,
  published_at     DATETIME,
  created_by       TEXT,
  updated_by       TEXT,
  created_at       DATETIME NOT NULL,
  updated_at       DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, category_id) REFERENCES kb_categories (tenant_id, id),
  CHECK ((live IS NULL) = (live_version IS NULL))
);
CREATE INDEX kb_entries_list_idx ON kb_entries (tenant_id, kind, id DESC);
CREATE INDEX kb_entries_category_idx ON kb_entries (tenant_id, category_id);
CREATE INDEX kb_entries_live_category_idx ON kb_entries (tenant_id, live_category_id) WHERE live_category_id IS NOT NULL;
CREATE INDEX kb_entries_live_idx ON kb_entries (tenant_id, live_expires_at) WHERE live IS NOT NULL;

CREATE TABLE kb_entry_tags (
  tenant_id TEXT NOT NULL,
  entry_id  TEXT NOT NULL,
  tag       TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entry_id, tag),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_entry_tags_tag_idx ON kb_entry_tags (tenant_id, tag);

CREATE TABLE kb_versions (
  tenant_id  TEXT NOT NULL,
  entry_id   TEXT NOT NULL,
  version    INTEGER NOT NULL,
  action     TEXT NOT NULL,
  status     TEXT NOT NULL,
  content    TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  author_id  TEXT,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, entry_id, version),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE kb_state (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  revision   INTEGER NOT NULL,
  folded_at  DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id)
);

-- +goose Down
DROP TABLE kb_state;
DROP TABLE kb_versions;
DROP TABLE kb_entry_tags;
DROP TABLE kb_entries;
DROP TABLE kb_categories;
