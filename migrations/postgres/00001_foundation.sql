-- Foundation: tenants, global identity, memberships, roles, invitations, API keys, audit.
--
-- Rules every tenant table follows (the Citus multi-tenant rules, checked by a test that
-- reads the live catalog): tenant_id uuid NOT NULL; primary key (tenant_id, id);
-- tenant_id in every unique index and every foreign key to another tenant table;
-- row-level security enabled, forced, and keyed on the transaction setting app.tenant_id.
-- Global tables (tenants, users, sessions, refresh_tokens, recovery_codes,
-- security_events) carry no tenant_id.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kefu_app') THEN
    CREATE ROLE kefu_app NOLOGIN;
  END IF;
  -- The migrating user runs the app through SET ROLE kefu_app, so it must be a member.
  IF NOT pg_has_role(current_user, 'kefu_app', 'MEMBER') THEN
    EXECUTE format('GRANT kefu_app TO %I', current_user);
  END IF;
END
$$;
-- +goose StatementEnd
GRANT USAGE ON SCHEMA public TO kefu_app;

-- +goose StatementBegin
CREATE FUNCTION kefu_enable_tenant_rls(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  -- NULLIF: after a transaction that set it ends, the setting reads as '' (not NULL)
  -- on that pooled connection, and ''::uuid would be an error rather than "no rows".
  EXECUTE format($p$CREATE POLICY tenant_isolation ON %s
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, tbl);
END
$$;
-- +goose StatementEnd

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  slug        text NOT NULL,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  timezone    text NOT NULL DEFAULT 'UTC',
  locale      text NOT NULL DEFAULT 'zh-CN',
  require_2fa boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

CREATE TABLE users (
  id             uuid PRIMARY KEY,
  email          text NOT NULL,
  name           text NOT NULL,
  password_hash  text NOT NULL,
  is_operator    boolean NOT NULL DEFAULT false,
  totp_secret    text NOT NULL DEFAULT '',
  totp_enabled   boolean NOT NULL DEFAULT false,
  totp_last_step bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE recovery_codes (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash  text NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);

-- A session is one login; its refresh tokens are a rotation family.
CREATE TABLE sessions (
  id            uuid PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  ip            text NOT NULL DEFAULT '',
  user_agent    text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL,
  last_used_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  revoke_reason text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE refresh_tokens (
  id         uuid PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  token_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Authentication events are about a user, not a tenant: kept globally.
CREATE TABLE security_events (
  id         uuid PRIMARY KEY,
  user_id    uuid,
  action     text NOT NULL,
  ip         text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  data       text NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL
);
CREATE INDEX security_events_user_idx ON security_events (user_id, created_at);

CREATE TABLE memberships (
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id         uuid NOT NULL,
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role       text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX memberships_user_key ON memberships (tenant_id, user_id);
CREATE INDEX memberships_user_idx ON memberships (user_id);
SELECT kefu_enable_tenant_rls('memberships');
-- One console across tenants: a user may read their own memberships in every tenant.
CREATE POLICY member_self_read ON memberships FOR SELECT
  USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid);

CREATE TABLE roles (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid NOT NULL,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  permissions text NOT NULL DEFAULT '[]',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX roles_name_key ON roles (tenant_id, name);
SELECT kefu_enable_tenant_rls('roles');

CREATE TABLE invitations (
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id          uuid NOT NULL,
  email       text NOT NULL,
  role        text NOT NULL,
  token_hash  text NOT NULL,
  invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at  timestamptz NOT NULL,
  accepted_at timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX invitations_token_key ON invitations (tenant_id, token_hash);
SELECT kefu_enable_tenant_rls('invitations');

CREATE TABLE api_keys (
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id           uuid NOT NULL,
  name         text NOT NULL,
  prefix       text NOT NULL,
  key_hash     text NOT NULL,
  role         text NOT NULL,
  created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (tenant_id, key_hash);
SELECT kefu_enable_tenant_rls('api_keys');

CREATE TABLE audit_log (
  tenant_id   uuid NOT NULL,
  id          uuid NOT NULL,
  actor_type  text NOT NULL,
  actor_id    text NOT NULL DEFAULT '',
  action      text NOT NULL,
  target_type text NOT NULL DEFAULT '',
  target_id   text NOT NULL DEFAULT '',
  data        text NOT NULL DEFAULT '{}',
  ip          text NOT NULL DEFAULT '',
  request_id  text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_time_idx ON audit_log (tenant_id, created_at);
SELECT kefu_enable_tenant_rls('audit_log');

GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, users, recovery_codes, sessions, refresh_tokens,
  memberships, roles, invitations, api_keys TO kefu_app;
-- Append-only: the application may write and read its logs, never rewrite them.
GRANT SELECT, INSERT ON audit_log, security_events TO kefu_app;

-- +goose Down
DROP TABLE audit_log;
DROP TABLE api_keys;
DROP TABLE invitations;
DROP TABLE roles;
DROP TABLE memberships;
DROP TABLE security_events;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE recovery_codes;
DROP TABLE users;
DROP TABLE tenants;
DROP FUNCTION kefu_enable_tenant_rls(regclass);
