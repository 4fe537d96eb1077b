package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// globalTables hold no tenant data: the tenant root, global identity, and the
// security-event log (authentication belongs to a user, not a tenant). Every other
// table is a tenant table and must follow the rules TestCatalogTenantRules checks.
var globalTables = map[string]bool{
	"goose_db_version":     true,
	"tenants":              true,
	"users":                true,
	"agents":               true, // one capacity per agent across tenants
	"sessions":             true,
	"refresh_tokens":       true,
	"recovery_codes":       true,
	"security_events":      true,
	"password_resets":      true,
	"plugin_registrations": true, // operator-registered connector binaries: platform-wide
}

func migratedPostgres(t *testing.T) (url string, owner *sql.DB, app *db.DB) {
	return kefutest.MigratedPostgres(t, 4)
}

// TestCatalogTenantRules reads the live PostgreSQL catalog and fails on any table that
// breaks the multi-tenant rules — for every table present now and added later.
func TestCatalogTenantRules(t *testing.T) {
	_, owner, _ := migratedPostgres(t)
	ctx := context.Background()
	rows, err := owner.QueryContext(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name       string
		rls, force bool
		owner      string
		policies   int
	}
	var tables []table
	for rows.Next() {
		var tb table
		if err := rows.Scan(&tb.name, &tb.rls, &tb.force, &tb.owner, &tb.policies); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("found only %d tables; the migration did not run?", len(tables))
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].name < tables[j].name })
	tenantTables := map[string]bool{}
	for _, tb := range tables {
		var nullable sql.NullString
		err := owner.QueryRowContext(ctx, `SELECT is_nullable FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name = $1 AND column_name = 'tenant_id'`, tb.name).Scan(&nullable)
		hasTenant := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		if globalTables[tb.name] {
			if hasTenant {
				t.Errorf("%s is listed as global but has a tenant_id column", tb.name)
			}
			continue
		}
		if !hasTenant {
			t.Errorf("%s has no tenant_id column: tenant tables need one (or list it in globalTables if it truly holds no tenant data)", tb.name)
			continue
		}
		tenantTables[tb.name] = true
		if nullable.String != "NO" {
			t.Errorf("%s.tenant_id is nullable", tb.name)
		}
		if !tb.rls || !tb.force {
			t.Errorf("%s: row-level security enabled=%v forced=%v, want both", tb.name, tb.rls, tb.force)
		}
		if tb.policies == 0 {
			t.Errorf("%s has no row-level security policy", tb.name)
		}
		if tb.owner == db.AppRole {
			t.Errorf("%s is owned by %s; owners bypass row-level security", tb.name, db.AppRole)
		}
	}
	// Primary keys and unique indexes must contain tenant_id.
	idx, err := owner.QueryContext(ctx, `
		SELECT t.relname, i.relname, ix.indisprimary,
		       array_to_string(ARRAY(SELECT a.attname FROM unnest(ix.indkey) k JOIN pg_attribute a
		              ON a.attrelid = t.oid AND a.attnum = k), ',')
		FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public' AND (ix.indisunique OR ix.indisprimary)`)
	if err != nil {
		t.Fatal(err)
	}
	hasPK := map[string]bool{}
	for idx.Next() {
		var tbl, name, cols string
		var primary bool
		if err := idx.Scan(&tbl, &name, &primary, &cols); err != nil {
			t.Fatal(err)
		}
		if !tenantTables[tbl] {
			continue
		}
		if primary {
			hasPK[tbl] = true
		}
		if !containsCol(cols, "tenant_id") {
			t.Errorf("%s: unique index %s (%s) lacks tenant_id", tbl, name, cols)
		}
	}
	idx.Close()
	for tbl := range tenantTables {
		if !hasPK[tbl] {
			t.Errorf("%s has no primary key", tbl)
		}
	}
	// Foreign keys between tenant tables must include tenant_id.
	fks, err := owner.QueryContext(ctx, `
		SELECT c.conname, src.relname, dst.relname,
		       array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) k JOIN pg_attribute a
		              ON a.attrelid = c.conrelid AND a.attnum = k), ',')
		FROM pg_constraint c JOIN pg_class src ON src.oid = c.conrelid JOIN pg_class dst ON dst.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = src.relnamespace
		WHERE n.nspname = 'public' AND c.contype = 'f'`)
	if err != nil {
		t.Fatal(err)
	}
	for fks.Next() {
		var name, src, dst, cols string
		if err := fks.Scan(&name, &src, &dst, &cols); err != nil {
			t.Fatal(err)
		}
		if tenantTables[src] && tenantTables[dst] && !containsCol(cols, "tenant_id") {
			t.Errorf("foreign key %s from %s to %s (%s) lacks tenant_id", name, src, dst, cols)
		}
	}
	fks.Close()
}

func containsCol(list, col string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == col {
			return true
		}
	}
	return false
}

type seeded struct{ a, b uuid.UUID }

// seed writes two tenants with a membership each, as the table owner.
func seed(t *testing.T, owner *sql.DB) seeded {
	t.Helper()
	ctx := context.Background()
	s := seeded{a: uuid.Must(uuid.NewV7()), b: uuid.Must(uuid.NewV7())}
	now := time.Now().UTC()
	for i, tid := range []uuid.UUID{s.a, s.b} {
		uid := uuid.Must(uuid.NewV7())
		stmts := []struct {
			q    string
			args []any
		}{
			{`INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, []any{tid, fmt.Sprint("T", i), fmt.Sprint("tenant-", i, "-", tid.String()[:8]), now}},
			{`INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, 'U', 'x', $3, $3)`, []any{uid, fmt.Sprintf("u%d-%s@x.test", i, uid.String()[:8]), now}},
			{`INSERT INTO memberships (tenant_id, id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, 'owner', $4, $4)`, []any{tid, uuid.Must(uuid.NewV7()), uid, now}},
			{`INSERT INTO roles (tenant_id, id, name, created_at, updated_at) VALUES ($1, $2, 'billing', $3, $3)`, []any{tid, uuid.Must(uuid.NewV7()), now}},
		}
		for _, st := range stmts {
			if _, err := owner.ExecContext(ctx, st.q, st.args...); err != nil {
				t.Fatalf("seed: %v", err)
			}
		}
	}
	return s
}

// TestRowLevelSecurity proves the database itself keeps tenants apart for the
// application role: a query with a deliberately missing WHERE sees one tenant only.
func TestRowLevelSecurity(t *testing.T) {
	_, owner, app := migratedPostgres(t)
	s := seed(t, owner)
	ctx := context.Background()
	sqlDB := app.SQL()

	count := func(tx *sql.Tx, q string, args ...any) int {
		t.Helper()
		var n int
		if err := tx.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}

	t.Run("no tenant set: nothing visible, nothing writable", func(t *testing.T) {
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, tbl := range []string{"memberships", "roles", "invitations", "api_keys", "audit_log"} {
			if n := count(tx, "SELECT count(*) FROM "+tbl); n != 0 {
				t.Errorf("%s: %d rows visible without app.tenant_id", tbl, n)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO roles (tenant_id, id, name, created_at, updated_at) VALUES ($1, $2, 'x', now(), now())`, s.a, uuid.New())
		if err == nil {
			t.Error("insert without app.tenant_id succeeded")
		}
	})

	t.Run("tenant A set: only A's rows, even without WHERE", func(t *testing.T) {
		tx, err := sqlDB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', $1, true)", s.a.String()); err != nil {
			t.Fatal(err)
		}
		if got := count(tx, "SELECT count(*) FROM memberships"); got != 1 {
			t.Errorf("memberships visible = %d, want 1 (A's own)", got)
		}
		if got := count(tx, "SELECT count(*) FROM roles WHERE tenant_id = $1", s.b); got != 0 {
			t.Errorf("B's roles visible to A: %d", got)
		}
		res, err := tx.ExecContext(ctx, "UPDATE roles SET description = 'pwned'")
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("unscoped UPDATE touched %d rows, want only A's 1", n)
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT s"); err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO roles (tenant_id, id, name, created_at, updated_at) VALUES ($1, $2, 'mole', now(), now())`, s.b, uuid.New())
		if err == nil {
			t.Error("A inserted a row into B")
		}
		_, _ = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT s")
	})

	t.Run("audit log is append-only for the app role", func(t *testing.T) {
		for _, q := range []string{"UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "DELETE FROM security_events"} {
			tx, err := sqlDB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.ExecContext(ctx, q)
			_ = tx.Rollback()
			if err == nil || !strings.Contains(err.Error(), "permission denied") {
				t.Errorf("%s: err = %v, want permission denied", q, err)
			}
		}
	})

	t.Run("GORM guard fails closed without a tenant", func(t *testing.T) {
		type roleRow struct {
			TenantID uuid.UUID `gorm:"primaryKey"`
			ID       uuid.UUID `gorm:"primaryKey"`
			Name     string
		}
		var rows []roleRow
		err := app.View(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Table("roles").Find(&rows).Error })
		if !errors.Is(err, tenants.ErrNoTenant) {
			t.Fatalf("query without tenant: err = %v, want ErrNoTenant", err)
		}
		err = app.View(tenants.NewContext(ctx, s.b), func(ctx context.Context, tx *gorm.DB) error { return tx.Table("roles").Find(&rows).Error })
		if err != nil || len(rows) != 1 || rows[0].TenantID != s.b {
			t.Fatalf("scoped query: %v %+v", err, rows)
		}
		err = app.Tx(tenants.NewContext(ctx, s.a), func(ctx context.Context, tx *gorm.DB) error {
			return tx.Table("roles").Create(&roleRow{TenantID: s.b, ID: uuid.New(), Name: "mole"}).Error
		})
		if !errors.Is(err, tenants.ErrTenantMismatch) {
			t.Fatalf("create for another tenant: err = %v, want ErrTenantMismatch", err)
		}
	})
}

// TestPooledConnectionsDoNotLeakTenant runs many concurrent scoped reads alternating
// tenants over a pool of 4 connections: no read may see the other tenant's rows, and a
// connection returned to the pool carries no tenant setting.
func TestPooledConnectionsDoNotLeakTenant(t *testing.T) {
	_, owner, app := migratedPostgres(t)
	s := seed(t, owner)
	ctx := context.Background()
	type roleRow struct {
		TenantID uuid.UUID
		ID       uuid.UUID `gorm:"primaryKey"`
	}
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tid := s.a
			if i%2 == 1 {
				tid = s.b
			}
			var rows []roleRow
			err := app.View(tenants.NewContext(ctx, tid), func(ctx context.Context, tx *gorm.DB) error {
				// Raw SQL on purpose: only row-level security scopes it.
				return tx.Raw("SELECT tenant_id, id FROM roles").Scan(&rows).Error
			})
			if err != nil {
				errs <- err
				return
			}
			for _, r := range rows {
				if r.TenantID != tid {
					errs <- fmt.Errorf("request for %s saw a row of %s", tid, r.TenantID)
				}
			}
			if len(rows) != 1 {
				errs <- fmt.Errorf("request for %s saw %d rows, want 1", tid, len(rows))
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var setting sql.NullString
	if err := app.SQL().QueryRowContext(ctx, "SELECT current_setting('app.tenant_id', true)").Scan(&setting); err != nil {
		t.Fatal(err)
	}
	if setting.String != "" {
		t.Fatalf("pooled connection carries app.tenant_id = %q after its transaction", setting.String)
	}
}
