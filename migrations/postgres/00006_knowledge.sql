-- The knowledge base: a category tree, articles and FAQ entries with a review workflow,
-- every change kept as a version, and a per-tenant revision of the published content.
-- Same rules as 00001: tenant_id leads every key, row-level security on every table.
--
-- An entry has two copies. The working copy (content, title, tags, expires_at, ...) is
-- what editors change; live is the snapshot customers see (the bot, the help centre),
-- replaced only by publishing. So an edit of a published entry changes nothing for
-- customers until it is published in turn.

-- +goose Up
CREATE TABLE kb_categories (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL,
  parent_id  uuid,
  position   integer NOT NULL DEFAULT 0,
  name       text NOT NULL, -- JSON object: locale → name
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  -- No cascade: a category with children is refused by the engine, and this is the
  -- backstop.
  FOREIGN KEY (tenant_id, parent_id) REFERENCES kb_categories (tenant_id, id)
);
CREATE INDEX kb_categories_parent_idx ON kb_categories (tenant_id, parent_id, position);
SELECT kefu_enable_tenant_rls('kb_categories');

CREATE TABLE kb_entries (
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id               uuid NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('article', 'faq')),
  status           text NOT NULL CHECK (status IN ('draft', 'in_review', 'published', 'archived')),
  -- The working copy: content is the full JSON snapshot; the columns beside it are
  -- copies of its fields that lists filter and sort on.
  category_id      uuid,
  locale           text NOT NULL,
  title            text NOT NULL, -- an article's title, an FAQ's standard question
  content          text NOT NULL,
  html             text NOT NULL DEFAULT '', -- an article's body rendered and sanitised
  -- The working copy's texts, lower-cased (by the application, alike on every backend)
  -- for the q filter.
  search_text      text NOT NULL DEFAULT '',
  expires_at       timestamptz,
  version          integer NOT NULL,
  -- The published snapshot (NULL when nothing is live).
  live             text,
  live_version     integer,
  live_category_id uuid,
  live_locale      text,
  live_expires_at  timestamptz,
  published_at     timestamptz,
  created_by       uuid,
  updated_by       uuid,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, category_id) REFERENCES kb_categories (tenant_id, id),
  CHECK ((live IS NULL) = (live_version IS NULL))
);
CREATE INDEX kb_entries_list_idx ON kb_entries (tenant_id, kind, id DESC);
CREATE INDEX kb_entries_category_idx ON kb_entries (tenant_id, category_id);
CREATE INDEX kb_entries_live_category_idx ON kb_entries (tenant_id, live_category_id) WHERE live_category_id IS NOT NULL;
CREATE INDEX kb_entries_live_idx ON kb_entries (tenant_id, live_expires_at) WHERE live IS NOT NULL;
SELECT kefu_enable_tenant_rls('kb_entries');

-- The working copy's tags, one row each, for the tag filter.
CREATE TABLE kb_entry_tags (
  tenant_id uuid NOT NULL,
  entry_id  uuid NOT NULL,
  tag       text NOT NULL,
  PRIMARY KEY (tenant_id, entry_id, tag),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX kb_entry_tags_tag_idx ON kb_entry_tags (tenant_id, tag);
SELECT kefu_enable_tenant_rls('kb_entry_tags');

-- Every change of an entry: who, when, what it did, and the full snapshot after it.
CREATE TABLE kb_versions (
  tenant_id  uuid NOT NULL,
  entry_id   uuid NOT NULL,
  version    integer NOT NULL,
  action     text NOT NULL,
  status     text NOT NULL,
  content    text NOT NULL,
  note       text NOT NULL DEFAULT '',
  author_id  uuid,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, entry_id, version),
  FOREIGN KEY (tenant_id, entry_id) REFERENCES kb_entries (tenant_id, id) ON DELETE CASCADE
);
SELECT kefu_enable_tenant_rls('kb_versions');

-- The revision of a tenant's live content. folded_at is the time up to which passed
-- expiry dates are already counted in revision (see knowledgedb.Store.Revision).
CREATE TABLE kb_state (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  revision   bigint NOT NULL,
  folded_at  timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);
SELECT kefu_enable_tenant_rls('kb_state');

GRANT SELECT, INSERT, UPDATE, DELETE ON kb_categories, kb_entries, kb_entry_tags, kb_versions, kb_state TO kefu_app;

-- +goose Down
DROP TABLE kb_state;
DROP TABLE kb_versions;
DROP TABLE kb_entry_tags;
DROP TABLE kb_entries;
DROP TABLE kb_categories;
