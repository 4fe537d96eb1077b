// Package db opens kefu's database (embedded SQLite or PostgreSQL) and runs every
// query in the tenant scope carried by the context.
//
// Two defences keep tenants apart. In Go, a GORM callback adds "tenant_id = ?" to every
// query on a model with a TenantID field and refuses to run one without a tenant in
// the context (fail closed). On PostgreSQL, each transaction also sets app.tenant_id
// with set_config(..., true), and row-level security on every tenant table checks it,
// while the application runs as a role (kefu_app) that does not own the tables — so a
// forgotten WHERE still cannot read another tenant's rows.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/kefu-io/kefu/tenants"
)

// Dialect names the SQL backend.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// AppRole is the PostgreSQL role the application runs as. It owns nothing, so
// row-level security applies to it (owners and superusers bypass policies).
const AppRole = "kefu_app"

// Options configures Open.
type Options struct {
	// URL is a postgres:// URL; empty selects SQLite under DataDir.
	URL     string
	DataDir string
	// MaxOpenConns bounds the pool (PostgreSQL); 0 picks a default.
	MaxOpenConns int
	Logger       *slog.Logger
}

// DB is the application's database handle.
type DB struct {
	gorm    *gorm.DB
	sqlDB   *sql.DB
	dialect Dialect
}

// Open connects and verifies the connection. It does not migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	gcfg := &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	d := &DB{}
	switch {
	case o.URL == "":
		if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		d.dialect = SQLite
		g, err := gorm.Open(sqlite.Open(SQLiteDSN(filepath.Join(o.DataDir, "kefu.db"))), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		d.gorm = g
	case strings.HasPrefix(o.URL, "postgres://") || strings.HasPrefix(o.URL, "postgresql://"):
		d.dialect = Postgres
		cc, err := pgx.ParseConfig(o.URL)
		if err != nil {
			return nil, fmt.Errorf("parse database url: %s", redactURL(o.URL))
		}
		// The role is set once per connection; tenant settings are per transaction
		// (set_config(..., true)), so nothing tenant-specific survives in the pool.
		sqlDB := stdlib.OpenDB(*cc, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET ROLE "+AppRole)
			return err
		}))
		n := o.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), gcfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		d.gorm = g
	default:
		return nil, fmt.Errorf("database url must start with postgres:// (got %s)", redactURL(o.URL))
	}
	sqlDB, err := d.gorm.DB()
	if err != nil {
		return nil, err
	}
	d.sqlDB = sqlDB
	if err := registerTenantGuard(d.gorm); err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		if d.dialect == Postgres && strings.Contains(err.Error(), AppRole) {
			return nil, fmt.Errorf("connect to postgres as %s (run `kefu migrate up` first, which creates the role): %w", AppRole, err)
		}
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return d, nil
}

// SQLiteDSN is the DSN kefu uses for a SQLite file. _txlock=immediate takes the write
// lock at BEGIN, so concurrent writers queue on busy_timeout instead of failing with
// "database is locked" when a read transaction tries to upgrade.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
}

// Dialect reports the backend.
func (d *DB) Dialect() Dialect { return d.dialect }

// SQL exposes the pool for health checks and tests.
func (d *DB) SQL() *sql.DB { return d.sqlDB }

// Ping checks the database is reachable.
func (d *DB) Ping(ctx context.Context) error { return d.sqlDB.PingContext(ctx) }

// Close releases the pool.
func (d *DB) Close() error { return d.sqlDB.Close() }

type txKey struct{}

type txState struct {
	tx     *gorm.DB
	tenant uuid.UUID
	user   uuid.UUID
}

// Tx runs fn in a transaction scoped to ctx's tenant and user. A nested call joins
// the outer transaction (re-applying the scope if ctx changed it), so a flow that
// spans several stores commits or rolls back as one. fn must use the ctx it is given.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		if err := d.applyScope(ctx, st); err != nil {
			return err
		}
		return fn(ctx, st.tx.WithContext(ctx))
	}
	return d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st := &txState{tx: tx}
		ctx := context.WithValue(ctx, txKey{}, st)
		if err := d.applyScope(ctx, st); err != nil {
			return err
		}
		return fn(ctx, tx.WithContext(ctx))
	})
}

// View runs a read. On PostgreSQL it is a transaction (the tenant setting is
// transaction-local); on SQLite it avoids BEGIN IMMEDIATE, which would serialise
// readers behind writers, and reads the WAL snapshot directly.
func (d *DB) View(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok || d.dialect == Postgres {
		return d.Tx(ctx, fn)
	}
	return fn(ctx, d.gorm.WithContext(ctx))
}

func (d *DB) applyScope(ctx context.Context, st *txState) error {
	if d.dialect != Postgres {
		return nil
	}
	t, _ := tenants.FromContext(ctx)
	u, _ := tenants.UserFromContext(ctx)
	if st.tenant == t && st.user == u && (t != uuid.Nil || u != uuid.Nil) {
		return nil
	}
	if t == uuid.Nil && u == uuid.Nil && st.tenant == uuid.Nil && st.user == uuid.Nil {
		return nil
	}
	ts, us := "", ""
	if t != uuid.Nil {
		ts = t.String()
	}
	if u != uuid.Nil {
		us = u.String()
	}
	if err := st.tx.Exec("SELECT set_config('app.tenant_id', ?, true), set_config('app.user_id', ?, true)", ts, us).Error; err != nil {
		return fmt.Errorf("set tenant scope: %w", err)
	}
	st.tenant, st.user = t, u
	return nil
}

// IsUniqueViolation reports a duplicate-key error on either backend.
func IsUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsNotFound reports gorm's record-not-found.
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparseable url>"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// RedactURL hides the password in a database or Redis URL for logs and --help.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	return redactURL(s)
}

// InTx runs fn in a transaction (joining an outer one) for engines that group several
// store calls without touching GORM themselves.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return d.Tx(ctx, func(ctx context.Context, _ *gorm.DB) error { return fn(ctx) })
}

// Conn is a transaction's connection for raw statements GORM would rewrite: it expands
// slice arguments into lists, where PostgreSQL array parameters keep one statement
// text (and one plan) whatever their length.
type Conn interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// RawConn is tx's connection (inside Tx, the transaction itself).
func RawConn(tx *gorm.DB) (Conn, error) {
	c, ok := tx.Statement.ConnPool.(Conn)
	if !ok {
		return nil, fmt.Errorf("raw statements: connection pool %T cannot query", tx.Statement.ConnPool)
	}
	return c, nil
}

// SQLRows runs a read outside any transaction or tenant scope. It is for the narrow
// SECURITY DEFINER functions that map a public id to its tenant or list pending work
// across tenants, returning ids only; tenant rows are read in the tenant's scope.
func (d *DB) SQLRows(ctx context.Context, dest any, query string, args ...any) error {
	return d.gorm.WithContext(ctx).Raw(query, args...).Scan(dest).Error
}
