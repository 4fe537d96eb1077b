-- The answering bot (see the PostgreSQL migration for the why).

-- +goose Up
CREATE TABLE bot_settings (
  tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  settings   TEXT NOT NULL DEFAULT '{}',
  llm_secret TEXT NOT NULL DEFAULT '',
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id)
);

CREATE TABLE bot_models (
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  revision  INTEGER NOT NULL,
  entries   INTEGER NOT NULL,
  model     BLOB NOT NULL,
  build_ms  INTEGER NOT NULL DEFAULT 0,
  built_at  DATETIME NOT NULL,
  PRIMARY KEY (tenant_id)
);

CREATE TABLE bot_turns (
  tenant_id       TEXT NOT NULL,
  id              TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  message_id      TEXT NOT NULL,
  reply_id        TEXT,
  question        TEXT NOT NULL,
  decision        TEXT NOT NULL CHECK (decision IN ('answer', 'clarify', 'fallback', 'handoff')),
  reason          TEXT NOT NULL DEFAULT '',
  confidence      REAL NOT NULL DEFAULT 0,
  entry_id        TEXT NOT NULL DEFAULT '',
  matches         TEXT NOT NULL DEFAULT '[]',
  feedback        INTEGER NOT NULL DEFAULT 0 CHECK (feedback IN (-1, 0, 1)),
  reviewed_at     DATETIME,
  created_at      DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX bot_turns_message_key ON bot_turns (tenant_id, message_id);
CREATE INDEX bot_turns_conversation_idx ON bot_turns (tenant_id, conversation_id, id);
CREATE INDEX bot_turns_reply_idx ON bot_turns (tenant_id, reply_id) WHERE reply_id IS NOT NULL;
CREATE INDEX bot_turns_unanswered_idx ON bot_turns (tenant_id, id)
  WHERE decision <> 'answer' AND reviewed_at IS NULL;

-- +goose Down
DROP TABLE bot_turns;
DROP TABLE bot_models;
DROP TABLE bot_settings;
