package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var demoLogin = regexp.MustCompile(`demo tenant login: (\S+) / (\S+)`)

// TestEmbeddedFirstRun is a newcomer's first `kefu serve --demo`: no database, no
// Redis, an empty data directory — and a working, observable server with a login.
func TestEmbeddedFirstRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := kefuEnv()
	s := startServer(t, "kefu serve --demo", dir, env, "--demo")

	expect(t, call(t, "GET", s.URL+"/healthz", "", nil), http.StatusOK)
	r := expect(t, call(t, "GET", s.URL+"/readyz", "", nil), http.StatusOK)
	for _, check := range []string{"database", "redis"} {
		if got := r.Str("checks." + check); got != "ok" {
			t.Errorf("readyz check %s = %q: %s", check, got, r)
		}
	}

	m := s.WaitOutput(t, demoLogin, startDeadline)
	email, pw := m[1], m[2]
	if email != "demo@kefu.local" {
		t.Errorf("demo login email = %q, want demo@kefu.local", email)
	}
	tok := login(t, s, email, pw)
	r = expect(t, call(t, "GET", s.URL+"/api/v1/me", tok, nil), http.StatusOK)
	if got := r.Str("user.email"); got != email {
		t.Errorf("me.user.email = %q: %s", got, r)
	}

	// The demo tenant's bot answers from its seven seeded FAQs once its model is built.
	tid := r.Str("memberships.0.tenant_id")
	deadline := time.Now().Add(startDeadline)
	for {
		m := expect(t, call(t, "GET", s.URL+"/api/v1/tenants/"+tid+"/bot/model", tok, nil), http.StatusOK)
		if j := m.JSON(); j["entries"] == float64(7) && j["building"] == false {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo bot model never built: %s", m)
		}
		time.Sleep(100 * time.Millisecond)
	}
	a := expect(t, call(t, "POST", s.URL+"/api/v1/tenants/"+tid+"/bot/try", tok, map[string]any{"text": "我的钱什么时候退回来"}), http.StatusOK)
	if a.Str("decision") != "answer" || !strings.Contains(a.Str("reply"), "原路退回") {
		t.Errorf("demo bot: %s", a)
	}

	r = expect(t, call(t, "GET", s.URL+"/metrics", "", nil), http.StatusOK)
	if !strings.Contains(string(r.Body), "kefu_http_requests_total") {
		t.Errorf("/metrics lacks kefu_http_requests_total:\n%.2000s", r.Body)
	}

	code, err := s.Stop()
	if err != nil || code != 0 {
		t.Fatalf("after SIGTERM: exit code %d, %v", code, err)
	}

	// A restart on the same data directory keeps the demo tenant and prints the same
	// login again.
	s = startServer(t, "kefu serve --demo (restart)", dir, env, "--demo")
	if m2 := s.WaitOutput(t, demoLogin, startDeadline); m2[1] != email || m2[2] != pw {
		t.Fatalf("restart printed %s / %s, want the first run's login", m2[1], m2[2])
	}
	login(t, s, email, pw)
}
