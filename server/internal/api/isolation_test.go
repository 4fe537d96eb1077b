package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// nonTenantRoutes are the routes without a tenant in their path. Every other route
// must have an isolation case below; adding a route without classifying it fails
// TestCrossTenantIsolation, so no later feature can forget tenant isolation.
var nonTenantRoutes = map[string]bool{
	"GET /healthz":                       true,
	"GET /readyz":                        true,
	"GET /metrics":                       true,
	"GET /api/v1/openapi.json":           true,
	"POST /api/v1/signup":                true,
	"POST /api/v1/auth/login":            true,
	"POST /api/v1/auth/refresh":          true,
	"POST /api/v1/auth/logout":           true,
	"POST /api/v1/auth/password/forgot":  true,
	"POST /api/v1/auth/password/reset":   true,
	"POST /api/v1/invitations/lookup":    true,
	"POST /api/v1/invitations/accept":    true,
	"GET /api/v1/me":                     true,
	"PATCH /api/v1/me":                   true,
	"POST /api/v1/me/password":           true,
	"POST /api/v1/me/2fa/enroll":         true,
	"POST /api/v1/me/2fa/confirm":        true,
	"POST /api/v1/me/2fa/disable":        true,
	"POST /api/v1/me/2fa/recovery-codes": true,
	"GET /api/v1/platform/tenants":       true, // operator only; checked below
}

// victim holds tenant B's objects, which A's credentials try to reach.
type victim struct {
	tenant, member, invitation, role, apiKey string
	token                                    string // B's owner, for checksums
	secrets                                  []string
}

// isolationCase says how to aim a route at B: the body to send (bodies carry B's ids
// where a route takes ids in the body).
type isolationCase struct {
	body func(v victim) any
}

var isolationCases = map[string]isolationCase{
	"GET /api/v1/tenants/:tenant_id":                               {},
	"GET /api/v1/tenants/:tenant_id/settings":                      {},
	"PATCH /api/v1/tenants/:tenant_id/settings":                    {body: func(victim) any { return map[string]any{"name": "pwned", "require_2fa": true} }},
	"GET /api/v1/tenants/:tenant_id/members":                       {},
	"PATCH /api/v1/tenants/:tenant_id/members/:member_id":          {body: func(victim) any { return map[string]any{"role": "viewer"} }},
	"DELETE /api/v1/tenants/:tenant_id/members/:member_id":         {},
	"GET /api/v1/tenants/:tenant_id/invitations":                   {},
	"POST /api/v1/tenants/:tenant_id/invitations":                  {body: func(victim) any { return map[string]any{"email": "mole@evil.test", "role": "admin"} }},
	"DELETE /api/v1/tenants/:tenant_id/invitations/:invitation_id": {},
	"GET /api/v1/tenants/:tenant_id/roles":                         {},
	"POST /api/v1/tenants/:tenant_id/roles":                        {body: func(victim) any { return map[string]any{"name": "mole", "permissions": []string{"members:manage"}} }},
	"GET /api/v1/tenants/:tenant_id/roles/:role_id":                {},
	"PATCH /api/v1/tenants/:tenant_id/roles/:role_id":              {body: func(victim) any { return map[string]any{"permissions": []string{"members:manage"}} }},
	"DELETE /api/v1/tenants/:tenant_id/roles/:role_id":             {},
	"GET /api/v1/tenants/:tenant_id/permissions":                   {},
	"GET /api/v1/tenants/:tenant_id/api-keys":                      {},
	"POST /api/v1/tenants/:tenant_id/api-keys":                     {body: func(victim) any { return map[string]any{"name": "mole", "role": "admin"} }},
	"DELETE /api/v1/tenants/:tenant_id/api-keys/:key_id":           {},
	"GET /api/v1/tenants/:tenant_id/audit-log":                     {},
	// Operator routes name a tenant but are not tenant routes: a tenant owner is not an
	// operator, so they are forbidden outright.
	"POST /api/v1/platform/tenants/:tenant_id/suspend": {},
	"POST /api/v1/platform/tenants/:tenant_id/resume":  {},
}

func (v victim) fill(path string, tenant string) string {
	r := strings.NewReplacer(":tenant_id", tenant, ":member_id", v.member, ":invitation_id", v.invitation,
		":role_id", v.role, ":key_id", v.apiKey)
	return r.Replace(path)
}

// checksum fingerprints everything of B's that A might change, read as B's owner.
func checksum(t *testing.T, e *kefutest.Env, v victim) string {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{"", "/settings", "/members", "/invitations", "/roles", "/api-keys", "/audit-log?limit=200"} {
		r := e.Call("GET", "/api/v1/tenants/"+v.tenant+p, v.token, nil).Must(t, http.StatusOK)
		h.Write([]byte(p))
		h.Write(r.Body)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func setupVictim(t *testing.T, e *kefutest.Env) victim {
	t.Helper()
	b := e.Signup("Victim Co", "owner@victim.test")
	v := victim{tenant: b.TenantID, token: b.AccessToken}
	role := e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/roles", b.AccessToken, map[string]any{
		"name": "billing", "permissions": []string{"reports:view", "members:read"}}).Must(t, http.StatusCreated)
	v.role = role.Str("id")
	inv := e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/invitations", b.AccessToken, map[string]any{
		"email": "pending@victim.test", "role": "agent"}).Must(t, http.StatusCreated)
	v.invitation = inv.Str("id")
	key := e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/api-keys", b.AccessToken, map[string]any{
		"name": "integration", "role": "viewer"}).Must(t, http.StatusCreated)
	v.apiKey = key.Str("id")
	v.secrets = append(v.secrets, key.Str("key"))
	// A second member, added directly.
	ctx := context.Background()
	u, err := e.Main.Identity.CreateUser(ctx, "agent@victim.test", "Victim Agent", kefutest.Password, false)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.Main.Identity.AddMember(tenants.NewContext(ctx, uuid.MustParse(b.TenantID)), u.ID, "agent")
	if err != nil {
		t.Fatal(err)
	}
	v.member = m.ID.String()
	return v
}

func TestCrossTenantIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Attacker Inc", "owner@attacker.test")
		aKey := e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/api-keys", a.AccessToken, map[string]any{
			"name": "attacker", "role": "admin"}).Must(t, http.StatusCreated).Str("key")
		v := setupVictim(t, e)
		forbiddenInBody := []string{v.member, v.invitation, v.role, v.apiKey, "Victim Co", "victim.test", "billing"}
		forbiddenInBody = append(forbiddenInBody, v.secrets...)

		routes := e.Main.HTTP.Routes()
		sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
		for _, r := range routes {
			key := r.Method + " " + r.Path
			if nonTenantRoutes[key] {
				continue
			}
			c, ok := isolationCases[key]
			if !ok {
				t.Errorf("route %s has no cross-tenant isolation case: add one to isolationCases (or, if it has no tenant in its path, to nonTenantRoutes)", key)
				continue
			}
			t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
				before := checksum(t, e, v)
				var body any
				if c.body != nil {
					body = c.body(v)
				}
				type attempt struct {
					name, path, token string
					want              []int
				}
				attempts := []attempt{
					// A's owner (every permission in A) on B's tenant with B's ids.
					{"A token on B path", v.fill(r.Path, v.tenant), a.AccessToken, []int{http.StatusNotFound}},
					// A's admin API key on B's tenant: the key is looked up only in B.
					{"A api key on B path", v.fill(r.Path, v.tenant), aKey, []int{http.StatusNotFound, http.StatusUnauthorized}},
				}
				if strings.Count(r.Path, ":") > 1 {
					// A's own tenant in the path, B's object ids: the objects are not there.
					attempts = append(attempts, attempt{"A tenant with B object ids", v.fill(r.Path, a.TenantID), a.AccessToken, []int{http.StatusNotFound}})
				}
				if strings.HasPrefix(r.Path, "/api/v1/platform/") {
					for i := range attempts {
						attempts[i].want = []int{http.StatusForbidden, http.StatusUnauthorized}
					}
				}
				for _, at := range attempts {
					res := e.Call(r.Method, at.path, at.token, body)
					if !containsInt(at.want, res.Status) {
						t.Errorf("%s: %s %s → %d, want one of %v: %s", at.name, r.Method, at.path, res.Status, at.want, res.Body)
					}
					var m map[string]any
					_ = json.Unmarshal(res.Body, &m)
					delete(m, "instance") // echoes the requested path, which the attacker chose
					echo, _ := json.Marshal(m)
					for _, s := range forbiddenInBody {
						if s != "" && strings.Contains(string(echo), s) {
							t.Errorf("%s: response leaks %q of tenant B: %s", at.name, s, echo)
						}
					}
				}
				if after := checksum(t, e, v); after != before {
					t.Errorf("%s changed tenant B's data", key)
				}
			})
		}
		// The matrix must not silently shrink: every case names a real route.
		registered := map[string]bool{}
		for _, r := range routes {
			registered[r.Method+" "+r.Path] = true
		}
		for k := range isolationCases {
			if !registered[k] {
				t.Errorf("isolation case %s names no registered route", k)
			}
		}
	})
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
