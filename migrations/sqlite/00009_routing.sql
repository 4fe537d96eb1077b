-- Routing: agents' presence and capacity, teams, routing rules and the queue (see the
-- PostgreSQL migration for the why). SQLite serialises writers, so the router's row
-- lock is the database's write lock here.

-- +goose Up
CREATE TABLE agents (
  user_id          TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  presence         TEXT NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'busy', 'away', 'offline')),
  presence_auto    BOOLEAN NOT NULL DEFAULT false,
  capacity         INTEGER NOT NULL DEFAULT 5 CHECK (capacity BETWEEN 0 AND 100),
  load             INTEGER NOT NULL DEFAULT 0,
  last_assigned_at DATETIME,
  last_seen_at     DATETIME,
  updated_at       DATETIME NOT NULL
);
CREATE INDEX agents_presence_idx ON agents (presence) WHERE presence <> 'offline';

CREATE TABLE teams (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  name       TEXT NOT NULL,
  strategy   TEXT NOT NULL DEFAULT 'round_robin' CHECK (strategy IN ('round_robin', 'least_busy', 'skills')),
  settings   TEXT NOT NULL DEFAULT '{}',
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX teams_name_key ON teams (tenant_id, lower(name));

CREATE TABLE team_members (
  tenant_id        TEXT NOT NULL,
  team_id          TEXT NOT NULL,
  user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  skills           TEXT NOT NULL DEFAULT '[]',
  last_assigned_at DATETIME,
  created_at       DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, team_id, user_id),
  FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_user_idx ON team_members (tenant_id, user_id);

CREATE TABLE routing_settings (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  settings   TEXT NOT NULL DEFAULT '{}',
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id)
);

ALTER TABLE conversations ADD COLUMN team_id TEXT;
ALTER TABLE conversations ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN queued_at DATETIME;
ALTER TABLE conversations ADD COLUMN assigned_at DATETIME;
-- Set when routing first classified the conversation (team, priority, skills): only
-- classified conversations are served from a queue, so none is taken by the wrong one.
ALTER TABLE conversations ADD COLUMN routed_at DATETIME;
ALTER TABLE conversations ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';
CREATE INDEX conversations_queue_idx ON conversations (tenant_id, team_id, priority DESC, queued_at, id)
  WHERE status = 'queued' AND assignee_id IS NULL AND routed_at IS NOT NULL;

ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

-- The time format is the one the Go driver writes, so queued_at orders and scans like
-- every other timestamp.
-- +goose StatementBegin
CREATE TRIGGER conversations_queued_at_ins AFTER INSERT ON conversations
WHEN NEW.status = 'queued'
BEGIN
  UPDATE conversations SET queued_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
  WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_queued_at_upd AFTER UPDATE OF status ON conversations
WHEN NEW.status = 'queued' AND OLD.status <> 'queued'
BEGIN
  UPDATE conversations SET queued_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
  WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conversations_load_ins AFTER INSERT ON conversations
WHEN NEW.assignee_id IS NOT NULL AND NEW.status IN ('open', 'pending')
BEGIN
  INSERT INTO agents (user_id, load, updated_at) VALUES (NEW.assignee_id, 1, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now'))
  ON CONFLICT (user_id) DO UPDATE SET load = load + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_load_del AFTER DELETE ON conversations
WHEN OLD.assignee_id IS NOT NULL AND OLD.status IN ('open', 'pending')
BEGIN
  UPDATE agents SET load = max(load - 1, 0) WHERE user_id = OLD.assignee_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER conversations_load_upd AFTER UPDATE OF status, assignee_id ON conversations
WHEN (CASE WHEN OLD.assignee_id IS NOT NULL AND OLD.status IN ('open', 'pending') THEN OLD.assignee_id END)
  IS NOT (CASE WHEN NEW.assignee_id IS NOT NULL AND NEW.status IN ('open', 'pending') THEN NEW.assignee_id END)
BEGIN
  UPDATE agents SET load = max(load - 1, 0)
  WHERE OLD.assignee_id IS NOT NULL AND OLD.status IN ('open', 'pending') AND user_id = OLD.assignee_id;
  INSERT INTO agents (user_id, load, updated_at)
  SELECT NEW.assignee_id, 1, strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')
  WHERE NEW.assignee_id IS NOT NULL AND NEW.status IN ('open', 'pending')
  ON CONFLICT (user_id) DO UPDATE SET load = load + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER conversations_load_upd;
DROP TRIGGER conversations_load_del;
DROP TRIGGER conversations_load_ins;
DROP TRIGGER conversations_queued_at_upd;
DROP TRIGGER conversations_queued_at_ins;
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
