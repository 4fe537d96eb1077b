-- +goose Up
-- The agent workspace: internal notes with @mentions (a note is a message of type
-- 'note' that never leaves kefu), wrap-up of a resolved conversation, and canned
-- responses.
ALTER TABLE messages ADD COLUMN mentions text NOT NULL DEFAULT '[]';
ALTER TABLE messages DROP CONSTRAINT messages_type_check;
ALTER TABLE messages ADD CONSTRAINT messages_type_check CHECK (type IN ('text', 'image', 'file', 'system', 'note'));
ALTER TABLE conversations ADD COLUMN wrapup_category text NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN wrapup_summary text NOT NULL DEFAULT '';

-- A canned response is shared by the tenant (owner_id NULL) or personal to one agent.
-- Its shortcut ("refund", typed as /refund) is unique among the shared ones and among
-- each agent's own.
CREATE TABLE canned_responses (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL,
  owner_id   uuid REFERENCES users (id) ON DELETE CASCADE,
  shortcut   text NOT NULL,
  title      text NOT NULL,
  text       text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX canned_shared_key ON canned_responses (tenant_id, lower(shortcut)) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX canned_personal_key ON canned_responses (tenant_id, owner_id, lower(shortcut)) WHERE owner_id IS NOT NULL;
SELECT kefu_enable_tenant_rls('canned_responses');
GRANT SELECT, INSERT, UPDATE, DELETE ON canned_responses TO kefu_app;

-- An agent may cap some channel types below their overall capacity ({"email": 10,
-- "web": 3}): counted across tenants, like the load.
ALTER TABLE agents ADD COLUMN channel_capacity text NOT NULL DEFAULT '{}';
CREATE INDEX conversations_assignee_open_idx ON conversations (assignee_id) WHERE status IN ('open', 'pending');
-- An agent's open conversations on one channel type, in every tenant (row-level
-- security would hide the other tenants'); a number only.
-- +goose StatementBegin
CREATE FUNCTION kefu_agent_kind_load(agent uuid, kind text) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT count(*)::integer FROM conversations c
  JOIN channels ch ON ch.tenant_id = c.tenant_id AND ch.id = c.channel_id
  WHERE c.assignee_id = agent AND c.status IN ('open', 'pending') AND ch.connector = kind
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION kefu_agent_kind_load(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_agent_kind_load(uuid, text) TO kefu_app;

-- +goose Down
DROP FUNCTION kefu_agent_kind_load(uuid, text);
DROP INDEX conversations_assignee_open_idx;
ALTER TABLE agents DROP COLUMN channel_capacity;
DROP TABLE canned_responses;
ALTER TABLE conversations DROP COLUMN wrapup_summary;
ALTER TABLE conversations DROP COLUMN wrapup_category;
DELETE FROM messages WHERE type = 'note';
ALTER TABLE messages DROP CONSTRAINT messages_type_check;
ALTER TABLE messages ADD CONSTRAINT messages_type_check CHECK (type IN ('text', 'image', 'file', 'system'));
ALTER TABLE messages DROP COLUMN mentions;
