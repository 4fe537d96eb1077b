package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestCLITenantLifecycle drives the operator CLI on the embedded backends and checks
// what it did through a running server on the same data directory.
func TestCLITenantLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("serve --help", testServeHelp)
	t.Run("secrets never printed", testSecretsNeverPrinted)

	dir := t.TempDir()
	env := kefuEnv()
	cli := func(args ...string) string {
		t.Helper()
		return mustKefu(t, env, append(args, "--data-dir", dir)...)
	}

	if out := cli("migrate", "up"); !regexp.MustCompile(`applied [1-9]\d* migration`).MatchString(out) {
		t.Fatalf("migrate up on an empty data dir:\n%s", out)
	}
	out := cli("migrate", "status")
	if !strings.Contains(out, "applied") || strings.Contains(out, "pending") {
		t.Fatalf("migrate status after up should show every migration applied:\n%s", out)
	}
	if out := cli("migrate", "up"); !strings.Contains(out, "applied 0 migration") {
		t.Fatalf("second migrate up should apply nothing:\n%s", out)
	}

	// A create that fails half-way (the owner's password is too short) leaves nothing
	// behind, so the retry gets the slug it asks for.
	if out, err := kefu(t, env, "tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--owner-password", "short", "--data-dir", dir); err == nil {
		t.Fatalf("tenant create with a too-short owner password should fail:\n%s", out)
	}
	if out := cli("tenant", "list"); strings.Contains(out, "Acme") {
		t.Fatalf("a failed tenant create left a tenant behind:\n%s", out)
	}
	out = cli("tenant", "create", "--name", "Acme", "--owner-email", "owner@acme.test", "--owner-name", "Owner",
		"--owner-password", testPassword)
	m := regexp.MustCompile(`created tenant Acme \(([0-9a-f-]{36})\) slug=(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("tenant create:\n%s", out)
	}
	tid, slug := m[1], m[2]
	if slug != "acme" {
		t.Errorf("slug = %q, want acme (derived from the name)", slug)
	}
	if out := cli("tenant", "list"); !regexp.MustCompile(tid + `\s+` + regexp.QuoteMeta(slug) + `\s+Acme\s+active`).MatchString(out) {
		t.Fatalf("tenant list should show %s (%s) active:\n%s", slug, tid, out)
	}
	if out := cli("tenant", "suspend", slug); !strings.Contains(out, "is now suspended") {
		t.Fatalf("tenant suspend:\n%s", out)
	}
	if out := cli("tenant", "list", "--status", "suspended"); !strings.Contains(out, tid) {
		t.Fatalf("tenant list --status suspended should show %s:\n%s", tid, out)
	}
	if out := cli("tenant", "list", "--status", "active"); strings.Contains(out, tid) {
		t.Fatalf("tenant list --status active should not show %s:\n%s", tid, out)
	}
	if out := cli("operator", "create", "--email", "op@kefu.test", "--name", "Opal Operator", "--password", testPassword); !strings.Contains(out, "created platform operator op@kefu.test") {
		t.Fatalf("operator create:\n%s", out)
	}
	if out, err := kefu(t, env, "tenant", "suspend", "no-such-tenant", "--data-dir", dir); err == nil {
		t.Fatalf("suspending an unknown tenant should fail:\n%s", out)
	}

	// A server on the same data dir: the suspended tenant's owner can log in, but the
	// tenant refuses them.
	s := startServer(t, "kefu serve", dir, env)
	owner := login(t, s, "owner@acme.test", testPassword)
	r := expect(t, call(t, "GET", s.URL+"/api/v1/tenants/"+tid, owner, nil), http.StatusForbidden)
	if r.Code() != "tenant.suspended" {
		t.Fatalf("want code tenant.suspended: %s", r)
	}

	// Resumed by the CLI while the server runs (SQLite in WAL mode allows a second
	// process); the server sees it on the next request.
	if out := cli("tenant", "resume", slug); !strings.Contains(out, "is now active") {
		t.Fatalf("tenant resume:\n%s", out)
	}
	r = expect(t, call(t, "GET", s.URL+"/api/v1/tenants/"+tid, owner, nil), http.StatusOK)
	if got := r.Str("tenant.status"); got != "active" {
		t.Fatalf("tenant status after resume = %q: %s", got, r)
	}

	// The operator made by the CLI sees every tenant; the owner is no operator.
	op := login(t, s, "op@kefu.test", testPassword)
	found := false
	for _, it := range expect(t, call(t, "GET", s.URL+"/api/v1/platform/tenants", op, nil), http.StatusOK).Items() {
		found = found || it["id"] == tid
	}
	if !found {
		t.Fatalf("operator's tenant list lacks %s", tid)
	}
	expect(t, call(t, "GET", s.URL+"/api/v1/platform/tenants", owner, nil), http.StatusForbidden)
}

// testServeHelp checks that `kefu serve --help` documents the storage settings with
// their environment variables and defaults.
func testServeHelp(t *testing.T) {
	out := mustKefu(t, kefuEnv(), "serve", "--help")
	for _, want := range []struct{ env, def string }{
		{"KEFU_ADDR", "127.0.0.1:8080"},
		{"KEFU_DATA_DIR", "./data"},
		{"KEFU_DATABASE_URL", `""`},
		{"KEFU_REDIS_URL", `""`},
		{"KEFU_SECRET_KEY", `""`},
	} {
		i := strings.Index(out, "("+want.env+")")
		if i < 0 {
			t.Errorf("serve --help does not list %s:\n%s", want.env, out)
			continue
		}
		entry := out[i:]
		if j := strings.Index(entry, "\n  --"); j >= 0 {
			entry = entry[:j] // up to the next flag
		}
		if !strings.Contains(entry, "default: "+want.def) {
			t.Errorf("serve --help: %s should show default %s:\n%s", want.env, want.def, entry)
		}
	}
	// A command's help shows its own flags as well as the storage settings.
	out = mustKefu(t, kefuEnv(), "tenant", "create", "--help")
	for _, want := range []string{"-name", "-owner-email", "-owner-password", "KEFU_DATA_DIR"} {
		if !strings.Contains(out, want) {
			t.Errorf("tenant create --help does not mention %s:\n%s", want, out)
		}
	}
}

// testSecretsNeverPrinted starts kefu against unreachable or malformed stores whose
// URLs hold a password: it must fail, and say why, without printing the password.
func testSecretsNeverPrinted(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"database unreachable", []string{"KEFU_DATABASE_URL=postgres://u:supersecret@127.0.0.1:1/x"}, []string{"serve"}},
		{"database unreachable, no auto-migrate", []string{"KEFU_DATABASE_URL=postgres://u:supersecret@127.0.0.1:1/x"}, []string{"serve", "--auto-migrate=false"}},
		{"database url invalid", []string{"KEFU_DATABASE_URL=postgres://u:supersecret@127.0.0.1:1/x?sslmode=bogus"}, []string{"serve"}},
		{"database url as flag", nil, []string{"serve", "--database-url", "postgres://u:supersecret@127.0.0.1:1/x"}},
		{"migrate", []string{"KEFU_DATABASE_URL=postgres://u:supersecret@127.0.0.1:1/x"}, []string{"migrate", "status"}},
		{"redis unreachable", []string{"KEFU_REDIS_URL=redis://:supersecret@127.0.0.1:1/0"}, []string{"serve"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "--data-dir", t.TempDir())
			if tc.args[0] == "serve" {
				args = append(args, "--addr", "127.0.0.1:0")
			}
			out, err := kefu(t, kefuEnv(tc.env...), args...)
			if err == nil {
				t.Fatalf("kefu %s should fail:\n%s", strings.Join(args, " "), out)
			}
			if strings.Contains(out, "supersecret") {
				t.Fatalf("the password was printed:\n%s", out)
			}
			if !strings.Contains(out, "kefu:") {
				t.Fatalf("no error message:\n%s", out)
			}
		})
	}
}
