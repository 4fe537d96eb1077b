package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/kefu-io/kefu/migrations"
)

// MigrationStatus is one migration's state.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// Migrator applies the embedded migrations. On PostgreSQL it connects as the URL's
// own user (the table owner), not as AppRole.
type Migrator struct {
	p  *goose.Provider
	db *sql.DB
}

// NewMigrator prepares the migrations for a database URL (PostgreSQL) or, when url is
// empty, for the SQLite file in dataDir. It does not need the application role, which
// the first migration creates.
func NewMigrator(url, dataDir string) (*Migrator, error) {
	if url == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		return newMigrator(SQLite, "", SQLiteDSN(filepath.Join(dataDir, "kefu.db")))
	}
	return newMigrator(Postgres, url, "")
}

func newMigrator(dialect Dialect, pgURL, sqliteDSN string) (*Migrator, error) {
	var (
		sqlDB *sql.DB
		gd    goose.Dialect
		dir   string
		opts  []goose.ProviderOption
		err   error
	)
	switch dialect {
	case Postgres:
		sqlDB, err = sql.Open("pgx", pgURL)
		if err != nil {
			return nil, fmt.Errorf("open migration connection: %w", err)
		}
		gd, dir = goose.DialectPostgres, "postgres"
		// Two nodes starting at once must not both migrate.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	default:
		sqlDB, err = sql.Open("sqlite", sqliteDSN)
		if err != nil {
			return nil, fmt.Errorf("open migration connection: %w", err)
		}
		sqlDB.SetMaxOpenConns(1)
		gd, dir = goose.DialectSQLite3, "sqlite"
	}
	sub, err := fs.Sub(migrations.FS, dir)
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(gd, sqlDB, sub, opts...)
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return &Migrator{p: p, db: sqlDB}, nil
}

// Up applies every pending migration and returns how many ran.
func (m *Migrator) Up(ctx context.Context) (int, error) {
	res, err := m.p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate up: %w", err)
	}
	return len(res), nil
}

// Down rolls back the newest migration.
func (m *Migrator) Down(ctx context.Context) error {
	if _, err := m.p.Down(ctx); err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// Status lists every known migration.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		name := s.Source.Path
		if i := strings.LastIndex(name, "/"); i >= 0 {
			name = name[i+1:]
		}
		out = append(out, MigrationStatus{Version: s.Source.Version, Name: name, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}

// Close releases the migration connection.
func (m *Migrator) Close() error { return m.db.Close() }

// MigrateUp is the common case: apply everything, then close.
func MigrateUp(ctx context.Context, url, dataDir string) (int, error) {
	m, err := NewMigrator(url, dataDir)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	return m.Up(ctx)
}
