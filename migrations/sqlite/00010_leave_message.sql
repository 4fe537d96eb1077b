-- +goose Up
-- See the PostgreSQL migration: a conversation whose customer was offered to leave a
-- message leaves the live queue; overflowed_at makes a conversation overflow at most
-- once per queue entry. Entering the queue again clears both.
ALTER TABLE conversations ADD COLUMN left_message_at DATETIME;
ALTER TABLE conversations ADD COLUMN overflowed_at DATETIME;
ALTER TABLE conversations ADD COLUMN last_assignee_id TEXT;
DROP INDEX conversations_queue_idx;
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, team_id, priority DESC, queued_at, id)
  WHERE status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL AND left_message_at IS NULL;

DROP TRIGGER conversations_queued_at_upd;
-- +goose StatementBegin
CREATE TRIGGER conversations_queued_at_upd AFTER UPDATE OF status ON conversations
WHEN NEW.status = 'queued' AND OLD.status <> 'queued'
BEGIN
  UPDATE conversations SET queued_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'), left_message_at = NULL, overflowed_at = NULL,
    last_assignee_id = CASE WHEN OLD.status = 'resolved' THEN OLD.assignee_id END
  WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conversations_queued_at_upd;
-- +goose StatementBegin
CREATE TRIGGER conversations_queued_at_upd AFTER UPDATE OF status ON conversations
WHEN NEW.status = 'queued' AND OLD.status <> 'queued'
BEGIN
  UPDATE conversations SET queued_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
  WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
END;
-- +goose StatementEnd
DROP INDEX conversations_queue_idx;
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, team_id, priority DESC, queued_at, id)
  WHERE status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL;
ALTER TABLE conversations DROP COLUMN last_assignee_id;
ALTER TABLE conversations DROP COLUMN overflowed_at;
ALTER TABLE conversations DROP COLUMN left_message_at;
