-- Routing: agents' presence and capacity, teams, routing rules and the queue.
--
-- An agent's capacity counts across every tenant they serve, so the agents table is
-- global (keyed by user, like users). Its load column is the number of conversations
-- assigned to the agent and still open or pending, in any tenant. A trigger on
-- conversations keeps it, so every path that changes a status or an assignee (the bulk
-- ingest statements included) is counted without each having to remember it; the
-- router locks the agent's row before it assigns, which is what makes the capacity
-- check and the assignment one atomic step across nodes.

-- +goose Up
CREATE TABLE agents (
  user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  presence         text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'busy', 'away', 'offline')),
  -- True when the system set the presence (away after the console closed), so a
  -- reconnect may restore online; an agent's own choice is never overridden.
  presence_auto    boolean NOT NULL DEFAULT false,
  capacity         integer NOT NULL DEFAULT 5 CHECK (capacity BETWEEN 0 AND 100),
  load             integer NOT NULL DEFAULT 0,
  last_assigned_at timestamptz,
  last_seen_at     timestamptz,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX agents_presence_idx ON agents (presence) WHERE presence <> 'offline';

CREATE TABLE teams (
  tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id               uuid NOT NULL,
  name             text NOT NULL,
  strategy         text NOT NULL DEFAULT 'round_robin' CHECK (strategy IN ('round_robin', 'least_busy', 'skills')),
  -- Overflow and business hours, as JSON the routing engine validates.
  settings         text NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX teams_name_key ON teams (tenant_id, lower(name));
SELECT kefu_enable_tenant_rls('teams');

CREATE TABLE team_members (
  tenant_id        uuid NOT NULL,
  team_id          uuid NOT NULL,
  user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  skills           text NOT NULL DEFAULT '[]',
  -- Round robin within the team takes whoever was given one longest ago.
  last_assigned_at timestamptz,
  created_at       timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, team_id, user_id),
  FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_user_idx ON team_members (tenant_id, user_id);
SELECT kefu_enable_tenant_rls('team_members');

CREATE TABLE routing_settings (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  settings   text NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);
SELECT kefu_enable_tenant_rls('routing_settings');

ALTER TABLE conversations ADD COLUMN team_id uuid;
ALTER TABLE conversations ADD COLUMN priority smallint NOT NULL DEFAULT 0;
-- When the conversation last entered the queue (kept by the trigger below): the queue
-- is served highest priority first, then longest waiting.
ALTER TABLE conversations ADD COLUMN queued_at timestamptz;
ALTER TABLE conversations ADD COLUMN assigned_at timestamptz;
-- Set when routing first classified the conversation (team, priority, skills): only
-- classified conversations are served from a queue, so none is taken by the wrong one.
ALTER TABLE conversations ADD COLUMN routed_at timestamptz;
ALTER TABLE conversations ADD COLUMN skills text NOT NULL DEFAULT '[]';
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, team_id, priority DESC, queued_at, id)
  WHERE status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL;

ALTER TABLE contacts ADD COLUMN tags text NOT NULL DEFAULT '[]';

-- +goose StatementBegin
CREATE FUNCTION kefu_conversation_queued_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status <> 'queued') THEN
    NEW.queued_at := clock_timestamp();
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER conversations_queued_at BEFORE INSERT OR UPDATE OF status ON conversations
  FOR EACH ROW EXECUTE FUNCTION kefu_conversation_queued_at();

-- +goose StatementBegin
CREATE FUNCTION kefu_agent_load() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was uuid;
  now_ uuid;
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.assignee_id IS NOT NULL AND OLD.status IN ('open', 'pending') THEN
    was := OLD.assignee_id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.assignee_id IS NOT NULL AND NEW.status IN ('open', 'pending') THEN
    now_ := NEW.assignee_id;
  END IF;
  IF was IS NOT DISTINCT FROM now_ THEN
    RETURN NULL;
  END IF;
  IF was IS NOT NULL THEN
    UPDATE agents SET load = greatest(load - 1, 0) WHERE user_id = was;
  END IF;
  IF now_ IS NOT NULL THEN
    INSERT INTO agents (user_id, load, updated_at) VALUES (now_, 1, clock_timestamp())
    ON CONFLICT (user_id) DO UPDATE SET load = agents.load + 1;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER conversations_agent_load AFTER INSERT OR DELETE OR UPDATE OF status, assignee_id ON conversations
  FOR EACH ROW EXECUTE FUNCTION kefu_agent_load();

-- The queue across tenants: an agent whose capacity frees is offered the best waiting
-- conversation of every tenant they belong to, which row-level security would hide.
-- It returns ids only, for the tenants the user is a member of; the caller claims one
-- inside that tenant's scope like any other write.
-- +goose StatementBegin
CREATE FUNCTION kefu_queue_heads(agent uuid, max_rows integer)
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

-- Every queue with someone waiting, for the periodic sweep (ids only).
-- +goose StatementBegin
CREATE FUNCTION kefu_waiting_queues(max_rows integer)
RETURNS TABLE (tenant_id uuid, team_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT DISTINCT c.tenant_id, c.team_id FROM conversations c
  JOIN tenants tn ON tn.id = c.tenant_id AND tn.status = 'active'
  WHERE c.status = 'queued' AND c.assignee_id IS NULL AND c.routed_at IS NOT NULL
  LIMIT max_rows
$$;
-- +goose StatementEnd

GRANT SELECT, INSERT, UPDATE, DELETE ON agents, teams, team_members, routing_settings TO kefu_app;
REVOKE ALL ON FUNCTION kefu_queue_heads(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_queue_heads(uuid, integer) TO kefu_app;
REVOKE ALL ON FUNCTION kefu_waiting_queues(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kefu_waiting_queues(integer) TO kefu_app;

-- +goose Down
DROP FUNCTION kefu_waiting_queues(integer);
DROP FUNCTION kefu_queue_heads(uuid, integer);
DROP TRIGGER conversations_agent_load ON conversations;
DROP FUNCTION kefu_agent_load();
DROP TRIGGER conversations_queued_at ON conversations;
DROP FUNCTION kefu_conversation_queued_at();
ALTER TABLE contacts DROP COLUMN tags;
DROP INDEX conversations_queue_idx;
ALTER TABLE conversations DROP COLUMN skills;
ALTER TABLE conversations DROP COLUMN routed_at;
ALTER TABLE conversations DROP COLUMN assigned_at;
ALTER TABLE conversations DROP COLUMN queued_at;
ALTER TABLE conversations DROP COLUMN priority;
ALTER TABLE conversations DROP COLUMN team_id;
DROP TABLE routing_settings;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE agents;
