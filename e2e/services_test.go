package e2e

// PostgreSQL and Redis for the tests. server/internal/kefutest has the same helpers,
// but Go's internal-package rule keeps it out of reach of this directory, so they are
// mirrored here: the same environment variables (KEFU_TEST_DATABASE_URL,
// KEFU_TEST_REDIS_URL, KEFU_TEST_REQUIRE_SERVICES), the same advisory lock around the
// kefu_app role and the same Redis database leases, so these tests and the package
// tests never step on each other when `go test ./...` runs them side by side.

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
)

func requireServices() bool { return os.Getenv("KEFU_TEST_REQUIRE_SERVICES") == "1" }

func adminDatabaseURL() string {
	if u := os.Getenv("KEFU_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func adminRedisURL() string {
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
		db, err := sql.Open("pgx", adminDatabaseURL())
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

// needPostgres skips (or fails, with KEFU_TEST_REQUIRE_SERVICES=1) when PostgreSQL is
// unreachable.
func needPostgres(t testing.TB) {
	t.Helper()
	if err := pgAvailable(); err != nil {
		if requireServices() {
			t.Fatalf("PostgreSQL required (KEFU_TEST_REQUIRE_SERVICES=1) but unreachable at %s: %v", redactURL(adminDatabaseURL()), err)
		}
		t.Skipf("!!! SKIPPING PostgreSQL e2e test: %s unreachable (%v). Run ../shared/services.sh or set KEFU_TEST_DATABASE_URL.", redactURL(adminDatabaseURL()), err)
	}
}

// needRedis skips (or fails, with KEFU_TEST_REQUIRE_SERVICES=1) when Redis is
// unreachable.
func needRedis(t testing.TB) {
	t.Helper()
	opt, err := redis.ParseURL(adminRedisURL())
	if err == nil {
		c := redis.NewClient(opt)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		_ = c.Close()
	}
	if err != nil {
		if requireServices() {
			t.Fatalf("Redis required (KEFU_TEST_REQUIRE_SERVICES=1) but unreachable at %s: %v", redactURL(adminRedisURL()), err)
		}
		t.Skipf("!!! SKIPPING Redis e2e test: %s unreachable (%v). Run ../shared/services.sh or set KEFU_TEST_REDIS_URL.", redactURL(adminRedisURL()), err)
	}
}

// newPostgresDB creates an empty database, dropped (connections and all) when the
// test ends, and returns its URL.
func newPostgresDB(t testing.TB) string {
	t.Helper()
	needPostgres(t)
	admin, err := sql.Open("pgx", adminDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	// kefu_app is cluster-wide; create it under the lock kefutest uses, so packages
	// migrating at the same moment do not race to create it.
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
	name := "kefu_e2e_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", adminDatabaseURL())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(adminDatabaseURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// newRedisDB leases one of Redis's numbered databases (1–15) for the test, flushed
// before and after, and returns its URL.
func newRedisDB(t testing.TB) string {
	t.Helper()
	needRedis(t)
	opt, err := redis.ParseURL(adminRedisURL())
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
			u, err := url.Parse(adminRedisURL())
			if err != nil {
				t.Fatal(err)
			}
			u.Path = fmt.Sprintf("/%d", n)
			return u.String()
		}
		if time.Now().After(deadline) {
			t.Fatal("no free Redis database index for the test")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<url>"
	}
	return u.Redacted()
}
