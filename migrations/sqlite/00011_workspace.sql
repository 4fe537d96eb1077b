-- +goose Up
-- See the PostgreSQL migration: notes with @mentions, wrap-up, canned responses.
-- SQLite cannot change a CHECK constraint in place: the messages table is rebuilt
-- with 'note' among its types and the mentions column.
CREATE TABLE messages_new (
  tenant_id       TEXT NOT NULL,
  id              TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  channel_id      TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  sender_type     TEXT NOT NULL CHECK (sender_type IN ('contact', 'agent', 'bot', 'system')),
  sender_id       TEXT,
  type            TEXT NOT NULL CHECK (type IN ('text', 'image', 'file', 'system', 'note')),
  text            TEXT NOT NULL DEFAULT '',
  external_id     TEXT NOT NULL DEFAULT '',
  client_id       TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  error           TEXT NOT NULL DEFAULT '',
  attempts        INTEGER NOT NULL DEFAULT 0,
  mentions        TEXT NOT NULL DEFAULT '[]',
  created_at      DATETIME NOT NULL,
  updated_at      DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
INSERT INTO messages_new (tenant_id, id, conversation_id, channel_id, direction, sender_type, sender_id, type, text, external_id, client_id, status, error, attempts, created_at, updated_at) SELECT tenant_id, id, conversation_id, channel_id, direction, sender_type, sender_id, type, text, external_id, client_id, status, error, attempts, created_at, updated_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE UNIQUE INDEX messages_inbound_key ON messages (tenant_id, channel_id, external_id) WHERE direction = 'in';
CREATE UNIQUE INDEX messages_client_key ON messages (tenant_id, conversation_id, client_id) WHERE direction = 'out' AND client_id <> '';
CREATE INDEX messages_outbound_ext_idx ON messages (tenant_id, channel_id, external_id) WHERE direction = 'out' AND external_id <> '';
CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_id, id);
ALTER TABLE conversations ADD COLUMN wrapup_category TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN wrapup_summary TEXT NOT NULL DEFAULT '';

CREATE TABLE canned_responses (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  owner_id   TEXT REFERENCES users (id) ON DELETE CASCADE,
  shortcut   TEXT NOT NULL,
  title      TEXT NOT NULL,
  text       TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX canned_shared_key ON canned_responses (tenant_id, lower(shortcut)) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX canned_personal_key ON canned_responses (tenant_id, owner_id, lower(shortcut)) WHERE owner_id IS NOT NULL;

ALTER TABLE agents ADD COLUMN channel_capacity TEXT NOT NULL DEFAULT '{}';
CREATE INDEX conversations_assignee_open_idx ON conversations (assignee_id) WHERE status IN ('open', 'pending');

-- +goose Down
DROP INDEX conversations_assignee_open_idx;
ALTER TABLE agents DROP COLUMN channel_capacity;
DROP TABLE canned_responses;
ALTER TABLE conversations DROP COLUMN wrapup_summary;
ALTER TABLE conversations DROP COLUMN wrapup_category;
DELETE FROM messages WHERE type = 'note';
CREATE TABLE messages_old (
  tenant_id       TEXT NOT NULL,
  id              TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  channel_id      TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  sender_type     TEXT NOT NULL CHECK (sender_type IN ('contact', 'agent', 'bot', 'system')),
  sender_id       TEXT,
  type            TEXT NOT NULL CHECK (type IN ('text', 'image', 'file', 'system')),
  text            TEXT NOT NULL DEFAULT '',
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
INSERT INTO messages_old (tenant_id, id, conversation_id, channel_id, direction, sender_type, sender_id, type, text, external_id, client_id, status, error, attempts, created_at, updated_at) SELECT tenant_id, id, conversation_id, channel_id, direction, sender_type, sender_id, type, text, external_id, client_id, status, error, attempts, created_at, updated_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_old RENAME TO messages;
CREATE UNIQUE INDEX messages_inbound_key ON messages (tenant_id, channel_id, external_id) WHERE direction = 'in';
CREATE UNIQUE INDEX messages_client_key ON messages (tenant_id, conversation_id, client_id) WHERE direction = 'out' AND client_id <> '';
CREATE INDEX messages_outbound_ext_idx ON messages (tenant_id, channel_id, external_id) WHERE direction = 'out' AND external_id <> '';
CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_id, id);
