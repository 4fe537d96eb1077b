package api_test

import (
	"net/http"
	"testing"

	"github.com/kefu-io/kefu/server/internal/kefutest"
)

// forEachBackend runs fn against a fresh kefu on every storage backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *kefutest.Env), opts ...kefutest.Option) {
	for _, b := range kefutest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := kefutest.Start(t, b.Materialize(t), opts...)
			fn(t, e)
		})
	}
}

func TestSignupLoginMe(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Acme Support", "owner@acme.test")
		if a.TenantID == "" || a.AccessToken == "" || a.RefreshToken == "" {
			t.Fatalf("signup returned %+v", a)
		}
		me := e.Call("GET", "/api/v1/me", a.AccessToken, nil).Must(t, http.StatusOK)
		if got, want := me.Str("user.email"), "owner@acme.test"; got != want {
			t.Fatalf("me email = %q, want %q", got, want)
		}
		ms, _ := me.JSON()["memberships"].([]any)
		if len(ms) != 1 {
			t.Fatalf("memberships = %v", ms)
		}
		m := ms[0].(map[string]any)
		if m["tenant_id"] != a.TenantID || m["role"] != "owner" || m["tenant_name"] != "Acme Support" {
			t.Fatalf("membership = %v", m)
		}
		tok := e.Login("OWNER@acme.test ", kefutest.Password)
		e.Call("GET", "/api/v1/tenants/"+a.TenantID, tok, nil).Must(t, http.StatusOK)
	})
}
