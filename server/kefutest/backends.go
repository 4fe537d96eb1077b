// Package kefutest runs kefu for tests: the real app.Main on 127.0.0.1:0, on the
// embedded backends (SQLite + in-process Redis) and on PostgreSQL + Redis, with an
// HTTP client and a mail outbox. Tests that need PostgreSQL or Redis skip loudly when
// those are unreachable, unless KEFU_TEST_REQUIRE_SERVICES=1 (CI), where they fail.
package kefutest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/redis/go-redis/v9"

	"github.com/kefu-io/kefu/server/internal/platform/db"
)

// Backend is a storage configuration to run tests against.
type Backend struct {
	Name        string // "sqlite" or "postgres"
	DatabaseURL string // empty for SQLite
	RedisURL    string // empty for the embedded server
}

// RequireServices reports whether missing services must fail tests instead of skipping.
func RequireServices() bool { return os.Getenv("KEFU_TEST_REQUIRE_SERVICES") == "1" }

// AdminDatabaseURL is the PostgreSQL URL tests create their databases through.
func AdminDatabaseURL() string {
	if u := os.Getenv("KEFU_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// AdminRedisURL is the Redis tests use.
func AdminRedisURL() string {
	if u := os.Getenv("KEFU_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

var (
	pgOnce sync.Once
	pgErr  error
)

func pgAvailable() error {
	pgOnce.Do(func() {
		db, err := sql.Open("pgx", AdminDatabaseURL())
		if err != nil {
			pgErr = err
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pgErr = db.PingContext(ctx)
	})
	return pgErr
}

// NeedPostgres skips (or fails, in CI) when PostgreSQL is unreachable.
func NeedPostgres(t testing.TB) {
	t.Helper()
	if err := pgAvailable(); err != nil {
		if RequireServices() {
			t.Fatalf("PostgreSQL required (KEFU_TEST_REQUIRE_SERVICES=1) but unreachable at %s: %v", redact(AdminDatabaseURL()), err)
		}
		t.Skipf("!!! SKIPPING PostgreSQL test: %s unreachable (%v). Run ../shared/services.sh or set KEFU_TEST_DATABASE_URL.", redact(AdminDatabaseURL()), err)
	}
}

// NeedRedis skips (or fails, in CI) when Redis is unreachable.
func NeedRedis(t testing.TB) {
	t.Helper()
	opt, err := redis.ParseURL(AdminRedisURL())
	if err == nil {
		c := redis.NewClient(opt)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		_ = c.Close()
	}
	if err != nil {
		if RequireServices() {
			t.Fatalf("Redis required (KEFU_TEST_REQUIRE_SERVICES=1) but unreachable at %s: %v", AdminRedisURL(), err)
		}
		t.Skipf("!!! SKIPPING Redis test: %s unreachable (%v). Run ../shared/services.sh or set KEFU_TEST_REDIS_URL.", AdminRedisURL(), err)
	}
}

// Backends returns SQLite and, when reachable, PostgreSQL + Redis (each with a fresh
// database and a private Redis database index).
func Backends(t testing.TB) []Backend {
	t.Helper()
	bs := []Backend{{Name: "sqlite"}}
	pgErr := pgAvailable()
	if pgErr != nil && RequireServices() {
		t.Fatalf("PostgreSQL required but unreachable: %v", pgErr)
	}
	if pgErr != nil {
		t.Logf("!!! PostgreSQL unreachable (%v): running the SQLite backend only", pgErr)
		return bs
	}
	return append(bs, Backend{Name: "postgres"})
}

// Materialize gives a backend its own fresh database and Redis index for one test.
func (b Backend) Materialize(t testing.TB) Backend {
	t.Helper()
	if b.Name != "postgres" {
		return b
	}
	NeedRedis(t)
	return Backend{Name: b.Name, DatabaseURL: NewPostgresDB(t), RedisURL: NewRedisDB(t)}
}

// NewPostgresDB creates an empty database, dropped when the test ends.
func NewPostgresDB(t testing.TB) string {
	t.Helper()
	NeedPostgres(t)
	admin, err := sql.Open("pgx", AdminDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	// Roles are cluster-wide: create the application role once, under a lock, so
	// parallel test packages migrating at the same moment do not race to create it.
	conn, err := admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT pg_advisory_lock(727274)",
		"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kefu_app') THEN CREATE ROLE kefu_app NOLOGIN; END IF; END $$",
		"SELECT pg_advisory_unlock(727274)",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			t.Fatalf("prepare role: %v", err)
		}
	}
	conn.Close()
	name := "kefu_t_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", AdminDatabaseURL())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(AdminDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// NewRedisDB leases one of Redis's numbered databases (1–15) for the test, so queues
// and rate limits of concurrent tests never mix, and flushes it before and after.
func NewRedisDB(t testing.TB) string {
	t.Helper()
	NeedRedis(t)
	opt, err := redis.ParseURL(AdminRedisURL())
	if err != nil {
		t.Fatal(err)
	}
	ctl := redis.NewClient(opt)
	defer ctl.Close()
	ctx := context.Background()
	owner := uuid.NewString()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		for n := 1; n <= 15; n++ {
			key := fmt.Sprintf("kefu:test:redis-db:%d", n)
			ok, err := ctl.SetNX(ctx, key, owner, 10*time.Minute).Result()
			if err != nil {
				t.Fatalf("lease redis db: %v", err)
			}
			if !ok {
				continue
			}
			o := *opt
			o.DB = n
			c := redis.NewClient(&o)
			_ = c.FlushDB(ctx).Err()
			_ = c.Close()
			t.Cleanup(func() {
				c := redis.NewClient(&o)
				_ = c.FlushDB(context.Background()).Err()
				_ = c.Close()
				r := redis.NewClient(opt)
				if v, _ := r.Get(context.Background(), key).Result(); v == owner {
					r.Del(context.Background(), key)
				}
				_ = r.Close()
			})
			u, _ := url.Parse(AdminRedisURL())
			u.Path = fmt.Sprintf("/%d", n)
			return u.String()
		}
		if time.Now().After(deadline) {
			t.Fatal("no free Redis database index for the test")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<url>"
	}
	return u.Redacted()
}

// MigratedPostgres is a fresh database with kefu's migrations applied: its URL, a
// connection as the owner (a superuser here, so row-level security does not apply:
// for setup and checks) and kefu's own pool of at most maxConns connections, which
// runs as kefu_app. All are closed when the test ends.
func MigratedPostgres(t testing.TB, maxConns int) (url string, owner *sql.DB, app *db.DB) {
	t.Helper()
	url = NewPostgresDB(t)
	ctx := context.Background()
	if _, err := db.MigrateUp(ctx, url, ""); err != nil {
		t.Fatal(err)
	}
	owner, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close() })
	app, err = db.Open(ctx, db.Options{URL: url, MaxOpenConns: maxConns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return url, owner, app
}
