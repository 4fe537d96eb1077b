-- The answering bot: per-tenant settings, the built model every node serves, and a log
-- of every turn (what was asked, what the bot decided, the customer's rating). The
-- unanswered-questions view reads the log; nothing here is needed on the message path
-- except the model and the settings, which nodes cache.

-- +goose Up
CREATE TABLE bot_settings (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  settings   text NOT NULL DEFAULT '{}',
  -- The LLM provider's API key, sealed like channel secrets; never returned by the API.
  llm_secret text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);
SELECT kefu_enable_tenant_rls('bot_settings');

CREATE TABLE bot_models (
  tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- The knowledge revision the model was built from; a node reloads when it grows.
  revision  bigint NOT NULL,
  entries   integer NOT NULL,
  model     bytea NOT NULL,
  build_ms  integer NOT NULL DEFAULT 0,
  built_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);
SELECT kefu_enable_tenant_rls('bot_models');

CREATE TABLE bot_turns (
  tenant_id       uuid NOT NULL,
  id              uuid NOT NULL,
  conversation_id uuid NOT NULL,
  message_id      uuid NOT NULL,
  reply_id        uuid,
  question        text NOT NULL,
  decision        text NOT NULL CHECK (decision IN ('answer', 'clarify', 'fallback', 'handoff')),
  reason          text NOT NULL DEFAULT '',
  confidence      double precision NOT NULL DEFAULT 0,
  entry_id        text NOT NULL DEFAULT '',
  matches         text NOT NULL DEFAULT '[]',
  feedback        smallint NOT NULL DEFAULT 0 CHECK (feedback IN (-1, 0, 1)),
  reviewed_at     timestamptz,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
-- One turn per customer message: a retried task finds the turn it already took.
CREATE UNIQUE INDEX bot_turns_message_key ON bot_turns (tenant_id, message_id);
CREATE INDEX bot_turns_conversation_idx ON bot_turns (tenant_id, conversation_id, id);
CREATE INDEX bot_turns_reply_idx ON bot_turns (tenant_id, reply_id) WHERE reply_id IS NOT NULL;
CREATE INDEX bot_turns_unanswered_idx ON bot_turns (tenant_id, id)
  WHERE decision <> 'answer' AND reviewed_at IS NULL;
SELECT kefu_enable_tenant_rls('bot_turns');

GRANT SELECT, INSERT, UPDATE, DELETE ON bot_settings, bot_models, bot_turns TO kefu_app;

-- +goose Down
DROP TABLE bot_turns;
DROP TABLE bot_models;
DROP TABLE bot_settings;
