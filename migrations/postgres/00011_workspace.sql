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

-- +goose Down
DROP TABLE canned_responses;
ALTER TABLE conversations DROP COLUMN wrapup_summary;
ALTER TABLE conversations DROP COLUMN wrapup_category;
DELETE FROM messages WHERE type = 'note';
ALTER TABLE messages DROP CONSTRAINT messages_type_check;
ALTER TABLE messages ADD CONSTRAINT messages_type_check CHECK (type IN ('text', 'image', 'file', 'system'));
ALTER TABLE messages DROP COLUMN mentions;
