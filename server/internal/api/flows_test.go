package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
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

// wantProblem reports unless r is an RFC 9457 problem with the wanted status and code.
func wantProblem(t testing.TB, r *kefutest.Resp, status int, code string) {
	t.Helper()
	if r.Status != status || r.Code() != code {
		t.Errorf("got %d %q, want %d %q: %s", r.Status, r.Code(), status, code, r.Body)
	}
	if got, want := r.Header.Get("Content-Type"), "application/problem+json"; !strings.HasPrefix(got, want) {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
}

// wantField reports unless the problem r names field.
func wantField(t testing.TB, r *kefutest.Resp, field string) {
	t.Helper()
	if got := r.Str("field"); got != field {
		t.Errorf("problem field = %q, want %q: %s", got, field, r.Body)
	}
}

// member is a user added directly to a tenant, logged in.
type member struct {
	ID     string // membership id
	UserID string
	Email  string
	Token  string
}

// addMember creates an account, makes it a member of tenantID with role, and logs it in.
func addMember(t testing.TB, e *kefutest.Env, tenantID, email, role string) member {
	t.Helper()
	ctx := context.Background()
	u, err := e.Main.Identity.CreateUser(ctx, email, "Member "+email, kefutest.Password, false)
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	m, err := e.Main.Identity.AddMember(tenants.NewContext(ctx, uuid.MustParse(tenantID)), u.ID, role)
	if err != nil {
		t.Fatalf("add member %s: %v", email, err)
	}
	return member{ID: m.ID.String(), UserID: u.ID.String(), Email: email, Token: e.Login(email, kefutest.Password)}
}

// tokensOf returns the access and refresh tokens of a login-like response.
func tokensOf(t testing.TB, r *kefutest.Resp) (access, refresh string) {
	t.Helper()
	access, refresh = r.Str("access_token"), r.Str("refresh_token")
	if access == "" || refresh == "" {
		t.Fatalf("no tokens in %d response: %s", r.Status, r.Body)
	}
	return access, refresh
}
