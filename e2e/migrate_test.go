package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kefu-io/kefu/server/kefutest"
)

// TestMigrateDownUp rolls the PostgreSQL schema down and up again on a fresh database:
// every Down must undo its Up cleanly enough for the Up to run again.
func TestMigrateDownUp(t *testing.T) {
	t.Parallel()
	kefutest.NeedPostgres(t)
	env := kefuEnv("KEFU_DATABASE_URL=" + kefutest.NewPostgresDB(t))
	dir := t.TempDir()
	cli := func(args ...string) string {
		t.Helper()
		return mustKefu(t, env, append(args, "--data-dir", dir)...)
	}
	applied := regexp.MustCompile(`applied ([1-9]\d*) migration`)

	m := applied.FindStringSubmatch(cli("migrate", "up"))
	if m == nil {
		t.Fatal("first migrate up applied nothing")
	}
	if out := cli("migrate", "status"); strings.Contains(out, "pending") {
		t.Fatalf("status after up:\n%s", out)
	}
	if out := cli("migrate", "down"); !strings.Contains(out, "rolled back 1 migration") {
		t.Fatalf("migrate down:\n%s", out)
	}
	if out := cli("migrate", "status"); !strings.Contains(out, "pending") {
		t.Fatalf("status after down should show a pending migration:\n%s", out)
	}
	if out := cli("migrate", "up"); !strings.Contains(out, "applied 1 migration") {
		t.Fatalf("migrate up after down should apply the rolled-back migration again:\n%s", out)
	}
	if out := cli("migrate", "status"); strings.Contains(out, "pending") {
		t.Fatalf("status after down and up:\n%s", out)
	}

	// The re-migrated schema works: the CLI creates a tenant with its owner (all or
	// nothing, under row-level security), and a server started on it lets them in.
	if out, err := kefu(t, env, "tenant", "create", "--name", "Down Up", "--owner-email", "dora@downup.test", "--owner-password", "short", "--data-dir", dir); err == nil {
		t.Fatalf("tenant create with a too-short owner password should fail:\n%s", out)
	}
	out := cli("tenant", "create", "--name", "Down Up", "--owner-email", "dora@downup.test", "--owner-name", "Dora", "--owner-password", testPassword)
	m = regexp.MustCompile(`created tenant Down Up \(([0-9a-f-]{36})\) slug=down-up\n`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tenant create after a failed one should get its slug:\n%s", out)
	}
	s := startServer(t, "kefu serve", dir, env, "--auto-migrate=false")
	r := expect(t, call(t, "GET", s.URL+"/api/v1/tenants/"+m[1], login(t, s, "dora@downup.test", testPassword), nil), http.StatusOK)
	if got := r.Str("role"); got != "owner" {
		t.Fatalf("role = %q, want owner: %s", got, r)
	}
}
