-- Channels, contacts, conversations, messages, attachments and the outbox (SQLite mirror
-- of postgres/00003_conversations.sql: same tables and keys, no row-level security or
-- SECURITY DEFINER functions; ids are TEXT uuids).

-- +goose Up
CREATE TABLE channels (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  connector  TEXT NOT NULL,
  name       TEXT NOT NULL,
  config     TEXT NOT NULL DEFAULT '{}',
  secrets    TEXT NOT NULL DEFAULT '',
  enabled    BOOLEAN NOT NULL DEFAULT true,
  created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  deleted_at DATETIME,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX channels_name_key ON channels (tenant_id, name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX channels_id_key ON channels (id, tenant_id);

CREATE TABLE contacts (
  tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  email       TEXT NOT NULL DEFAULT '',
  phone       TEXT NOT NULL DEFAULT '',
  avatar_url  TEXT NOT NULL DEFAULT '',
  attributes  TEXT NOT NULL DEFAULT '{}',
  merged_into TEXT,
  created_at  DATETIME NOT NULL,
  updated_at  DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contacts_email_idx ON contacts (tenant_id, email) WHERE email <> '';

CREATE TABLE contact_identities (
  tenant_id   TEXT NOT NULL,
  id          TEXT NOT NULL,
  contact_id  TEXT NOT NULL,
  channel_id  TEXT NOT NULL,
  external_id TEXT NOT NULL,
  verified    BOOLEAN NOT NULL DEFAULT false,
  created_at  DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX contact_identities_key ON contact_identities (tenant_id, channel_id, external_id);
CREATE INDEX contact_identities_contact_idx ON contact_identities (tenant_id, contact_id);

CREATE TABLE conversations (
  tenant_id            TEXT NOT NULL,
  id                   TEXT NOT NULL,
  channel_id           TEXT NOT NULL,
  contact_id           TEXT NOT NULL,
  status               TEXT NOT NULL CHECK (status IN ('bot', 'queued', 'open', 'pending', 'resolved', 'closed')),
  assignee_id          TEXT,
  last_message_at      DATETIME NOT NULL,
  last_message_preview TEXT NOT NULL DEFAULT '',
  unread               INTEGER NOT NULL DEFAULT 0,
  created_at           DATETIME NOT NULL,
  updated_at           DATETIME NOT NULL,
  resolved_at          DATETIME,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_inbox_idx ON conversations (tenant_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_status_idx ON conversations (tenant_id, status, last_message_at DESC);
CREATE INDEX conversations_assignee_idx ON conversations (tenant_id, assignee_id, status);
CREATE INDEX conversations_contact_idx ON conversations (tenant_id, contact_id, channel_id);

CREATE TABLE messages (
  tenant_id       TEXT NOT NULL,
  id              TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  channel_id      TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  sender_type     TEXT NOT NULL CHECK (sender_type IN ('contact', 'agent', 'bot', 'system')),
  sender_id       TEXT,
  type            TEXT NOT NULL CHECK (type IN ('text', 'image', 'file', 'system')),
  TEXT            TEXT NOT NULL DEFAULT '',
  external_id     TEXT NOT NULL DEFAULT '',
  client_id       TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  error           TEXT NOT NULL DEFAULT '',
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      DATETIME NOT NULL,
  updated_at      DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
-- De-duplication of provider deliveries, and idempotent agent replies.
CREATE UNIQUE INDEX messages_inbound_key ON messages (tenant_id, channel_id, external_id) WHERE direction = 'in';
CREATE UNIQUE INDEX messages_client_key ON messages (tenant_id, conversation_id, client_id) WHERE direction = 'out' AND client_id <> '';
CREATE INDEX messages_outbound_ext_idx ON messages (tenant_id, channel_id, external_id) WHERE direction = 'out' AND external_id <> '';
CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_id, id);

CREATE TABLE attachments (
  tenant_id    TEXT NOT NULL,
  id           TEXT NOT NULL,
  message_id   TEXT,
  channel_id   TEXT NOT NULL,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  storage_key  TEXT NOT NULL,
  uploader     text NOT NULL DEFAULT '',
  created_at   DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX attachments_message_idx ON attachments (tenant_id, message_id);

-- Side effects of a committed change (publish an event, enqueue an outbound send),
-- written in the same transaction and removed once done.
CREATE TABLE outbox (
  tenant_id  TEXT NOT NULL,
  id         TEXT NOT NULL,
  topic      TEXT NOT NULL,
  payload    TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_created_idx ON outbox (created_at);



-- +goose Down
DROP TABLE outbox;
DROP TABLE attachments;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE contact_identities;
DROP TABLE contacts;
DROP TABLE channels;
