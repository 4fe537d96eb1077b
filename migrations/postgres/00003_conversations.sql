-- Channels, contacts, conversations, messages, attachments and the transactional outbox.
-- Same rules as 00001: tenant_id leads every key, row-level security on every table.
--
-- Two public entry points know only a channel id (provider webhooks, the web widget) and
-- two background loops work across tenants (the outbox relay, the plugin host starting
-- every channel of a connector). Rather than widening the
-- row-level policies, each gets a narrow SECURITY DEFINER function that returns ids
-- only; the caller then works inside that tenant's scope like everything else.

-- +goose Up
CREATE TABLE channels (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL,
  connector  text NOT NULL,
  name       text NOT NULL,
  config     text NOT NULL DEFAULT '{}',
  secrets    text NOT NULL DEFAULT '',
  enabled    boolean NOT NULL DEFAULT true,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX channels_name_key ON channels (tenant_id, name) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX channels_id_key ON channels (id, tenant_id);
SELECT kefu_enable_tenant_rls('channels');

CREATE TABLE contacts (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid NOT NULL,
  name        text NOT NULL DEFAULT '',
  email       text NOT NULL DEFAULT '',
  phone       text NOT NULL DEFAULT '',
  avatar_url  text NOT NULL DEFAULT '',
  attributes  text NOT NULL DEFAULT '{}',
  merged_into uuid,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contacts_email_idx ON contacts (tenant_id, email) WHERE email <> '';
SELECT kefu_enable_tenant_rls('contacts');

CREATE TABLE contact_identities (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  contact_id  uuid NOT NULL,
  channel_id  uuid NOT NULL,
  external_id text NOT NULL,
  verified    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX contact_identities_key ON contact_identities (tenant_id, channel_id, external_id);
CREATE INDEX contact_identities_contact_idx ON contact_identities (tenant_id, contact_id);
SELECT kefu_enable_tenant_rls('contact_identities');

CREATE TABLE conversations (
  tenant_id            uuid NOT NULL,
  id                   uuid NOT NULL,
  channel_id           uuid NOT NULL,
  contact_id           uuid NOT NULL,
  status               text NOT NULL CHECK (status IN ('bot', 'queued', 'open', 'pending', 'resolved', 'closed')),
  assignee_id          uuid,
  last_message_at      timestamptz NOT NULL,
  last_message_preview text NOT NULL DEFAULT '',
  unread               integer NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  resolved_at          timestamptz,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversations_inbox_idx ON conversations (tenant_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_status_idx ON conversations (tenant_id, status, last_message_at DESC);
CREATE INDEX conversations_assignee_idx ON conversations (tenant_id, assignee_id, status);
CREATE INDEX conversations_contact_idx ON conversations (tenant_id, contact_id, channel_id);
SELECT kefu_enable_tenant_rls('conversations');

CREATE TABLE messages (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  conversation_id uuid NOT NULL,
  channel_id      uuid NOT NULL,
  direction       text NOT NULL CHECK (direction IN ('in', 'out')),
  sender_type     text NOT NULL CHECK (sender_type IN ('contact', 'agent', 'bot', 'system')),
  sender_id       uuid,
  type            text NOT NULL CHECK (type IN ('text', 'image', 'file', 'system')),
  text            text NOT NULL DEFAULT '',
  external_id     text NOT NULL DEFAULT '',
  client_id       text NOT NULL DEFAULT '',
  status          text NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed')),
  error           text NOT NULL DEFAULT '',
  attempts        integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
-- De-duplication of provider deliveries, and idempotent agent replies.
CREATE UNIQUE INDEX messages_inbound_key ON messages (tenant_id, channel_id, external_id) WHERE direction = 'in';
CREATE UNIQUE INDEX messages_client_key ON messages (tenant_id, conversation_id, client_id) WHERE direction = 'out' AND client_id <> '';
CREATE INDEX messages_outbound_ext_idx ON messages (tenant_id, channel_id, external_id) WHERE direction = 'out' AND external_id <> '';
CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_id, id);
SELECT kefu_enable_tenant_rls('messages');

CREATE TABLE attachments (
  tenant_id    uuid NOT NULL,
  id           uuid NOT NULL,
  message_id   uuid,
  channel_id   uuid NOT NULL,
  name         text NOT NULL,
  content_type text NOT NULL,
  size         bigint NOT NULL,
  storage_key  text NOT NULL,
  uploader     text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX attachments_message_idx ON attachments (tenant_id, message_id);
SELECT kefu_enable_tenant_rls('attachments');

-- Side effects of a committed change (publish an event, enqueue an outbound send),
-- written in the same transaction and removed once done.
CREATE TABLE outbox (
  tenant_id  uuid NOT NULL,
  id         uuid NOT NULL,
  topic      text NOT NULL,
  payload    text NOT NULL,
  attempts   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_created_idx ON outbox (created_at);
SELECT kefu_enable_tenant_rls('outbox');

-- +goose StatementBegin
CREATE FUNCTION kefu_channel_tenant(channel uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT tenant_id FROM channels WHERE id = channel AND deleted_at IS NULL
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION kefu_outbox_pending(max_rows integer, older_than timestamptz)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT o.tenant_id, o.id FROM outbox o WHERE o.created_at < older_than
  ORDER BY o.created_at LIMIT LEAST(GREATEST(max_rows, 1), 1000)
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION kefu_channels_of(conn text)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT c.tenant_id, c.id FROM channels c JOIN tenants t ON t.id = c.tenant_id
  WHERE c.connector = conn AND c.enabled AND c.deleted_at IS NULL AND t.status = 'active'
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION kefu_channels_of(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_channels_of(text) TO kefu_app;
REVOKE ALL ON FUNCTION kefu_channel_tenant(uuid) FROM PUBLIC;
REVOKE ALL ON FUNCTION kefu_outbox_pending(integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_channel_tenant(uuid) TO kefu_app;
GRANT EXECUTE ON FUNCTION kefu_outbox_pending(integer, timestamptz) TO kefu_app;

GRANT SELECT, INSERT, UPDATE, DELETE ON channels, contacts, contact_identities, conversations,
  messages, attachments, outbox TO kefu_app;

-- +goose Down
DROP FUNCTION kefu_channels_of(text);
DROP FUNCTION kefu_outbox_pending(integer, timestamptz);
DROP FUNCTION kefu_channel_tenant(uuid);
DROP TABLE outbox;
DROP TABLE attachments;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE contact_identities;
DROP TABLE contacts;
DROP TABLE channels;
