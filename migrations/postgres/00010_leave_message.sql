-- +goose Up
-- A conversation whose customer was offered to leave a message (the queue overflowed,
-- or it arrived outside business hours) leaves the live queue: agents pick it up from
-- the inbox. overflowed_at marks one that already moved to its team's overflow team,
-- so it overflows at most once per queue entry. Entering the queue again clears both.
ALTER TABLE conversations ADD COLUMN left_message_at timestamptz;
ALTER TABLE conversations ADD COLUMN overflowed_at timestamptz;
-- Who had the conversation when its customer reopened it (resolved → queued): routing
-- gives it back to them when they have room.
ALTER TABLE conversations ADD COLUMN last_assignee_id uuid;
DROP INDEX conversations_queue_idx;
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, team_id, priority DESC, queued_at, id)
  WHERE status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL AND left_message_at IS NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kefu_conversation_queued_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status <> 'queued') THEN
    NEW.queued_at := clock_timestamp();
    NEW.left_message_at := NULL;
    NEW.overflowed_at := NULL;
    NEW.last_assignee_id := CASE WHEN TG_OP = 'UPDATE' AND OLD.status = 'resolved' THEN OLD.assignee_id END;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kefu_queue_heads(agent uuid, max_rows integer)
RETURNS TABLE (tenant_id uuid, id uuid, team_id uuid, priority smallint, queued_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT h.tenant_id, h.id, h.team_id, h.priority, h.queued_at
  FROM memberships m
  CROSS JOIN LATERAL (
    SELECT c.tenant_id, c.id, c.team_id, c.priority, c.queued_at FROM conversations c
    WHERE c.tenant_id = m.tenant_id AND c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL
      AND c.left_message_at IS NULL
      AND (c.team_id IS NULL OR EXISTS (SELECT 1 FROM team_members t
           WHERE t.tenant_id = c.tenant_id AND t.team_id = c.team_id AND t.user_id = agent))
    ORDER BY c.priority DESC, c.queued_at, c.id
    LIMIT max_rows) h
  JOIN tenants tn ON tn.id = m.tenant_id AND tn.status = 'active'
  WHERE m.user_id = agent
  ORDER BY h.priority DESC, h.queued_at, h.id
  LIMIT max_rows
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kefu_waiting_queues(max_rows integer)
RETURNS TABLE (tenant_id uuid, team_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT c.tenant_id, c.team_id FROM conversations c
  JOIN tenants tn ON tn.id = c.tenant_id AND tn.status = 'active'
  WHERE c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL AND c.left_message_at IS NULL
  LIMIT max_rows
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kefu_waiting_queues(max_rows integer)
RETURNS TABLE (tenant_id uuid, team_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT c.tenant_id, c.team_id FROM conversations c
  JOIN tenants tn ON tn.id = c.tenant_id AND tn.status = 'active'
  WHERE c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL
  LIMIT max_rows
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kefu_queue_heads(agent uuid, max_rows integer)
RETURNS TABLE (tenant_id uuid, id uuid, team_id uuid, priority smallint, queued_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT h.tenant_id, h.id, h.team_id, h.priority, h.queued_at
  FROM memberships m
  CROSS JOIN LATERAL (
    SELECT c.tenant_id, c.id, c.team_id, c.priority, c.queued_at FROM conversations c
    WHERE c.tenant_id = m.tenant_id AND c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL
      AND (c.team_id IS NULL OR EXISTS (SELECT 1 FROM team_members t
           WHERE t.tenant_id = c.tenant_id AND t.team_id = c.team_id AND t.user_id = agent))
    ORDER BY c.priority DESC, c.queued_at, c.id
    LIMIT max_rows) h
  JOIN tenants tn ON tn.id = m.tenant_id AND tn.status = 'active'
  WHERE m.user_id = agent
  ORDER BY h.priority DESC, h.queued_at, h.id
  LIMIT max_rows
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION kefu_conversation_queued_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status <> 'queued') THEN
    NEW.queued_at := clock_timestamp();
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
DROP INDEX conversations_queue_idx;
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, team_id, priority DESC, queued_at, id)
  WHERE status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL;
ALTER TABLE conversations DROP COLUMN last_assignee_id;
ALTER TABLE conversations DROP COLUMN overflowed_at;
ALTER TABLE conversations DROP COLUMN left_message_at;
