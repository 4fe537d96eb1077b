package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/kefutest"
)

// ---- helpers -----------------------------------------------------------------------

var inviteLinkRE = regexp.MustCompile(`#token=(\S+)`)

// invitationToken waits for the invitation mail to addr and returns the token from
// its link.
func invitationToken(t *testing.T, e *kefutest.Env, addr string) string {
	t.Helper()
	m := e.Outbox.WaitFor(t, addr)
	g := inviteLinkRE.FindStringSubmatch(m.Text)
	if g == nil {
		t.Fatalf("no invitation link in mail to %s: %q", addr, m.Text)
	}
	return g[1]
}

type memberView struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Role   string `json:"role"`
}

func listMembers(t *testing.T, e *kefutest.Env, tenantID, token string) []memberView {
	t.Helper()
	r := e.Call("GET", "/api/v1/tenants/"+tenantID+"/members", token, nil).Must(t, http.StatusOK)
	var out struct{ Items []memberView }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("members: %v: %s", err, r.Body)
	}
	return out.Items
}

// roleOf returns the role of the member with email, or "" when there is none.
func roleOf(t *testing.T, e *kefutest.Env, tenantID, token, email string) string {
	t.Helper()
	for _, m := range listMembers(t, e, tenantID, token) {
		if m.Email == email {
			return m.Role
		}
	}
	return ""
}

func memberIDOf(t *testing.T, e *kefutest.Env, tenantID, token, userID string) string {
	t.Helper()
	for _, m := range listMembers(t, e, tenantID, token) {
		if m.UserID == userID {
			return m.ID
		}
	}
	t.Fatalf("user %s is not a member of %s", userID, tenantID)
	return ""
}

// tenantView is GET /api/v1/tenants/{id}: the caller's role and effective permissions.
type tenantView struct {
	Tenant struct {
		Status string `json:"status"`
	} `json:"tenant"`
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
}

func getTenant(t *testing.T, e *kefutest.Env, tenantID, token string) tenantView {
	t.Helper()
	r := e.Call("GET", "/api/v1/tenants/"+tenantID, token, nil).Must(t, http.StatusOK)
	var v tenantView
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("tenant: %v: %s", err, r.Body)
	}
	return v
}

func permStrings(ps []authz.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// ---- invitations -------------------------------------------------------------------

func TestInvitations(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Invite Co", "owner@invite.test")
		base := "/api/v1/tenants/" + o.TenantID

		inv := e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": " New.Agent@Invite.TEST", "role": "agent"}).
			Must(t, http.StatusCreated)
		const email = "new.agent@invite.test"
		if got := inv.Str("email"); got != email {
			t.Errorf("invitation email = %q, want %q", got, email)
		}
		if strings.Contains(string(inv.Body), "kfi_") {
			t.Errorf("the invitation response carries the token: %s", inv.Body)
		}
		tok := invitationToken(t, e, email)
		list := e.Call("GET", base+"/invitations", o.AccessToken, nil).Must(t, http.StatusOK)
		if !strings.Contains(string(list.Body), inv.Str("id")) || strings.Contains(string(list.Body), tok) {
			t.Errorf("invitations list = %s, want the invitation without its token", list.Body)
		}

		lk := e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": tok}).Must(t, http.StatusOK)
		for k, want := range map[string]any{"tenant_name": "Invite Co", "email": email, "role": "agent", "account_exists": false} {
			if got := lk.JSON()[k]; got != want {
				t.Errorf("lookup %s = %v, want %v", k, got, want)
			}
		}
		for _, bad := range []string{"nope", "kfi_" + strings.Repeat("0", 64), tok[:len(tok)-1] + "A", tok + "A"} {
			if bad == tok {
				continue
			}
			wantProblem(t, e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": bad}), http.StatusNotFound, "invitation.not-found")
			wantProblem(t, e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": bad, "name": "N", "password": kefutest.Password}),
				http.StatusNotFound, "invitation.not-found")
		}

		// Bad account details leave the invitation pending.
		r := e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": tok, "password": kefutest.Password})
		wantProblem(t, r, http.StatusBadRequest, "request.invalid")
		wantField(t, r, "name")
		r = e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": tok, "name": "New Agent", "password": "short"})
		wantProblem(t, r, http.StatusUnprocessableEntity, "password.too-short")
		wantField(t, r, "password")
		e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": tok}).Must(t, http.StatusOK)

		acc := e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": tok, "name": "New Agent", "password": kefutest.Password}).
			Must(t, http.StatusCreated)
		agentTok, _ := tokensOf(t, acc)
		if got := acc.Str("membership.role"); got != "agent" {
			t.Errorf("membership.role = %q, want agent", got)
		}
		if got := acc.Str("membership.tenant_id"); got != o.TenantID {
			t.Errorf("membership.tenant_id = %q, want %q", got, o.TenantID)
		}
		if got := getTenant(t, e, o.TenantID, agentTok).Role; got != "agent" {
			t.Errorf("new member's role = %q, want agent", got)
		}
		if got := roleOf(t, e, o.TenantID, o.AccessToken, email); got != "agent" {
			t.Errorf("members list role of %s = %q, want agent", email, got)
		}
		login(e, email, kefutest.Password, "", nil).Must(t, http.StatusOK)

		// Used up.
		wantProblem(t, e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": tok, "name": "Again", "password": kefutest.Password}),
			http.StatusNotFound, "invitation.not-found")
		wantProblem(t, e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": tok}), http.StatusNotFound, "invitation.not-found")
		r = e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": email, "role": "viewer"})
		wantProblem(t, r, http.StatusConflict, "member.already-member")
		wantField(t, r, "email")
		r = e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": "x@invite.test", "role": "wizard"})
		wantProblem(t, r, http.StatusUnprocessableEntity, "role.unknown")
		wantField(t, r, "role")

		t.Run("revoked and replaced invitations die", func(t *testing.T) {
			id := e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": "gone@invite.test", "role": "agent"}).
				Must(t, http.StatusCreated).Str("id")
			gone := invitationToken(t, e, "gone@invite.test")
			e.Call("DELETE", base+"/invitations/"+id, o.AccessToken, nil).Must(t, http.StatusNoContent)
			wantProblem(t, e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": gone}), http.StatusNotFound, "invitation.not-found")
			wantProblem(t, e.Call("DELETE", base+"/invitations/"+id, o.AccessToken, nil), http.StatusNotFound, "invitation.not-found")

			e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": "twice@invite.test", "role": "agent"}).Must(t, http.StatusCreated)
			first := invitationToken(t, e, "twice@invite.test")
			e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": "twice@invite.test", "role": "viewer"}).Must(t, http.StatusCreated)
			second := first
			for deadline := time.Now().Add(15 * time.Second); second == first && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
				second = invitationToken(t, e, "twice@invite.test")
			}
			wantProblem(t, e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": first}), http.StatusNotFound, "invitation.not-found")
			if got := e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": second}).Must(t, http.StatusOK).Str("role"); got != "viewer" {
				t.Errorf("replacement invitation role = %q, want viewer", got)
			}
		})

		t.Run("existing account", func(t *testing.T) {
			x := e.Signup("Elsewhere", "exists@invite.test")
			e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": x.Email, "role": "viewer"}).Must(t, http.StatusCreated)
			xt := invitationToken(t, e, x.Email)
			if got := e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": xt}).Must(t, http.StatusOK).JSON()["account_exists"]; got != true {
				t.Errorf("account_exists = %v, want true", got)
			}
			// Holding the link is not enough to act for the account, nor to take it over.
			wantProblem(t, e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": xt}),
				http.StatusUnauthorized, "invitation.login-required")
			wantProblem(t, e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": xt, "name": "Mole", "password": "another strong passphrase"}),
				http.StatusUnauthorized, "invitation.login-required")
			wantProblem(t, e.Call("POST", "/api/v1/invitations/accept", agentTok, map[string]string{"token": xt}),
				http.StatusForbidden, "invitation.wrong-account")
			login(e, x.Email, kefutest.Password, "", nil).Must(t, http.StatusOK)
			wantProblem(t, e.Call("GET", base, x.AccessToken, nil), http.StatusNotFound, "tenant.not-found")

			acc := e.Call("POST", "/api/v1/invitations/accept", x.AccessToken, map[string]string{"token": xt}).Must(t, http.StatusCreated)
			if _, ok := acc.JSON()["access_token"]; ok {
				t.Errorf("accepting as a logged-in user issued tokens: %s", acc.Body)
			}
			if got := getTenant(t, e, o.TenantID, x.AccessToken).Role; got != "viewer" {
				t.Errorf("role after accepting = %q, want viewer", got)
			}
			// Still a member of their own tenant too.
			getTenant(t, e, x.TenantID, x.AccessToken)
		})
	})
}

// ---- roles -------------------------------------------------------------------------

func TestMemberRoles(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Roles Co", "owner@roles.test")
		base := "/api/v1/tenants/" + o.TenantID
		ag := addMember(t, e, o.TenantID, "agent@roles.test", "agent")

		wantProblem(t, e.Call("GET", base+"/members", ag.Token, nil), http.StatusForbidden, "auth.forbidden")
		r := e.Call("PATCH", base+"/members/"+ag.ID, o.AccessToken, map[string]string{"role": "wizard"})
		wantProblem(t, r, http.StatusUnprocessableEntity, "role.unknown")
		wantField(t, r, "role")

		r = e.Call("PATCH", base+"/members/"+ag.ID, o.AccessToken, map[string]string{"role": "viewer"}).Must(t, http.StatusOK)
		if got := r.Str("role"); got != "viewer" {
			t.Errorf("PATCH returned role %q, want viewer", got)
		}
		e.Call("GET", base+"/members", ag.Token, nil).Must(t, http.StatusOK)
		wantProblem(t, e.Call("POST", base+"/invitations", ag.Token, map[string]string{"email": "x@roles.test", "role": "agent"}),
			http.StatusForbidden, "auth.forbidden")
		v := getTenant(t, e, o.TenantID, ag.Token)
		if got, want := v.Role, "viewer"; got != want {
			t.Errorf("role = %q, want %q", got, want)
		}
		if got, want := sorted(v.Permissions), permStrings(authz.BuiltinPermissions("viewer")); !slices.Equal(got, want) {
			t.Errorf("viewer permissions = %v, want %v", got, want)
		}

		t.Run("custom role", func(t *testing.T) {
			leadPerms := []string{"roles:manage", "members:read", "members:manage", "roles:read"}
			lead := e.Call("POST", base+"/roles", o.AccessToken, map[string]any{"name": "team-lead", "description": "Runs a team", "permissions": leadPerms}).
				Must(t, http.StatusCreated)
			leadID := lead.Str("id")
			for _, c := range []struct {
				name   string
				body   map[string]any
				status int
				code   string
				field  string
			}{
				{"taken name", map[string]any{"name": "team-lead"}, http.StatusConflict, "role.name-taken", "name"},
				{"built-in name", map[string]any{"name": "admin"}, http.StatusBadRequest, "request.invalid", "name"},
				{"invalid name", map[string]any{"name": "Team Lead!"}, http.StatusBadRequest, "request.invalid", "name"},
				{"unknown permission", map[string]any{"name": "nuke", "permissions": []string{"missiles:launch"}}, http.StatusBadRequest, "request.invalid", "permissions"},
			} {
				r := e.Call("POST", base+"/roles", o.AccessToken, c.body)
				wantProblem(t, r, c.status, c.code)
				wantField(t, r, c.field)
			}
			got := e.Call("GET", base+"/roles/"+leadID, o.AccessToken, nil).Must(t, http.StatusOK)
			var role struct{ Permissions []string }
			_ = json.Unmarshal(got.Body, &role)
			if !slices.Equal(role.Permissions, sorted(leadPerms)) {
				t.Errorf("role permissions = %v, want %v", role.Permissions, sorted(leadPerms))
			}

			e.Call("PATCH", base+"/members/"+ag.ID, o.AccessToken, map[string]string{"role": "team-lead"}).Must(t, http.StatusOK)
			v := getTenant(t, e, o.TenantID, ag.Token)
			if v.Role != "team-lead" || !slices.Equal(sorted(v.Permissions), sorted(leadPerms)) {
				t.Errorf("effective role %q permissions %v, want team-lead %v", v.Role, sorted(v.Permissions), sorted(leadPerms))
			}

			// No one mints a role stronger than their own.
			wantProblem(t, e.Call("POST", base+"/roles", ag.Token, map[string]any{"name": "hooks", "permissions": []string{"webhooks:manage"}}),
				http.StatusForbidden, "role.escalation")
			readers := e.Call("POST", base+"/roles", ag.Token, map[string]any{"name": "readers", "permissions": []string{"members:read"}}).
				Must(t, http.StatusCreated).Str("id")
			wantProblem(t, e.Call("PATCH", base+"/roles/"+readers, ag.Token, map[string]any{"permissions": []string{"members:read", "webhooks:manage"}}),
				http.StatusForbidden, "role.escalation")
			wantProblem(t, e.Call("PATCH", base+"/roles/"+leadID, ag.Token, map[string]any{"permissions": append(leadPerms, "apikeys:manage")}),
				http.StatusForbidden, "role.escalation")
			// Nor hands out one: members:manage does not make a stronger role grantable.
			wantProblem(t, e.Call("PATCH", base+"/members/"+ag.ID, ag.Token, map[string]string{"role": "admin"}),
				http.StatusForbidden, "role.escalation")
			wantProblem(t, e.Call("POST", base+"/invitations", ag.Token, map[string]string{"email": "mole@roles.test", "role": "admin"}),
				http.StatusForbidden, "role.escalation")
			if got := getTenant(t, e, o.TenantID, ag.Token); got.Role != "team-lead" || slices.Contains(got.Permissions, "webhooks:manage") {
				t.Errorf("after escalation attempts: role %q permissions %v", got.Role, got.Permissions)
			}
			var rs struct{ Items []struct{ Name string } }
			_ = json.Unmarshal(e.Call("GET", base+"/roles", o.AccessToken, nil).Must(t, http.StatusOK).Body, &rs)
			for _, r := range rs.Items {
				if r.Name == "hooks" {
					t.Error("the escalating role was created")
				}
			}
			// Within their own permissions they can.
			e.Call("POST", base+"/invitations", ag.Token, map[string]string{"email": "reader@roles.test", "role": "readers"}).Must(t, http.StatusCreated)
			readerTok := invitationToken(t, e, "reader@roles.test")

			// A role in use stays; built-in roles are fixed.
			wantProblem(t, e.Call("DELETE", base+"/roles/"+leadID, o.AccessToken, nil), http.StatusConflict, "role.in-use")
			e.Call("GET", base+"/roles/"+leadID, o.AccessToken, nil).Must(t, http.StatusOK)
			wantProblem(t, e.Call("PATCH", base+"/roles/agent", o.AccessToken, map[string]any{"description": "mine now"}), http.StatusConflict, "role.builtin")
			wantProblem(t, e.Call("PATCH", base+"/roles/agent", o.AccessToken, map[string]any{"permissions": []string{"webhooks:manage"}}), http.StatusConflict, "role.builtin")
			wantProblem(t, e.Call("DELETE", base+"/roles/admin", o.AccessToken, nil), http.StatusConflict, "role.builtin")
			r := e.Call("PATCH", base+"/roles/"+leadID, o.AccessToken, map[string]any{"name": "renamed"})
			wantProblem(t, r, http.StatusBadRequest, "request.invalid")
			wantField(t, r, "name")

			// Editing a role changes what its members may do at once.
			e.Call("PATCH", base+"/roles/"+leadID, o.AccessToken, map[string]any{"permissions": []string{"members:read"}}).Must(t, http.StatusOK)
			wantProblem(t, e.Call("POST", base+"/roles", ag.Token, map[string]any{"name": "more"}), http.StatusForbidden, "auth.forbidden")

			e.Call("PATCH", base+"/members/"+ag.ID, o.AccessToken, map[string]string{"role": "agent"}).Must(t, http.StatusOK)
			e.Call("DELETE", base+"/roles/"+leadID, o.AccessToken, nil).Must(t, http.StatusNoContent)
			wantProblem(t, e.Call("GET", base+"/roles/"+leadID, o.AccessToken, nil), http.StatusNotFound, "role.not-found")
			// Deleting a role withdraws pending invitations to it.
			e.Call("DELETE", base+"/roles/"+readers, o.AccessToken, nil).Must(t, http.StatusNoContent)
			wantProblem(t, e.Call("POST", "/api/v1/invitations/lookup", "", map[string]string{"token": readerTok}), http.StatusNotFound, "invitation.not-found")
		})
	})
}

func TestOwnerRules(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Owners Co", "owner@owners.test")
		base := "/api/v1/tenants/" + o.TenantID
		owner := memberIDOf(t, e, o.TenantID, o.AccessToken, o.UserID)

		wantProblem(t, e.Call("PATCH", base+"/members/"+owner, o.AccessToken, map[string]string{"role": "admin"}), http.StatusConflict, "member.last-owner")
		wantProblem(t, e.Call("DELETE", base+"/members/"+owner, o.AccessToken, nil), http.StatusConflict, "member.last-owner")
		if got := roleOf(t, e, o.TenantID, o.AccessToken, o.Email); got != "owner" {
			t.Fatalf("owner's role = %q after refused changes", got)
		}

		ad := addMember(t, e, o.TenantID, "admin@owners.test", "admin")
		ag := addMember(t, e, o.TenantID, "agent@owners.test", "agent")
		for _, c := range []struct {
			name, method, path string
			body               any
		}{
			{"demote the owner", "PATCH", base + "/members/" + owner, map[string]string{"role": "agent"}},
			{"remove the owner", "DELETE", base + "/members/" + owner, nil},
			{"make an owner", "PATCH", base + "/members/" + ag.ID, map[string]string{"role": "owner"}},
			{"make themselves owner", "PATCH", base + "/members/" + ad.ID, map[string]string{"role": "owner"}},
			{"invite an owner", "POST", base + "/invitations", map[string]string{"email": "boss@owners.test", "role": "owner"}},
		} {
			wantProblem(t, e.Call(c.method, c.path, ad.Token, c.body), http.StatusForbidden, "member.owner-only")
		}
		wantProblem(t, e.Call("POST", base+"/api-keys", o.AccessToken, map[string]string{"name": "root", "role": "owner"}),
			http.StatusUnprocessableEntity, "apikey.owner-role")
		if got := roleOf(t, e, o.TenantID, o.AccessToken, o.Email); got != "owner" {
			t.Fatalf("owner's role = %q after the admin's attempts", got)
		}

		// Admins manage everyone else.
		e.Call("PATCH", base+"/members/"+ag.ID, ad.Token, map[string]string{"role": "viewer"}).Must(t, http.StatusOK)
		e.Call("DELETE", base+"/members/"+ag.ID, ad.Token, nil).Must(t, http.StatusNoContent)
		wantProblem(t, e.Call("GET", base, ag.Token, nil), http.StatusNotFound, "tenant.not-found")
		wantProblem(t, e.Call("DELETE", base+"/members/"+ag.ID, ad.Token, nil), http.StatusNotFound, "member.not-found")

		// With a second owner, the first may step down; the last may not.
		e.Call("PATCH", base+"/members/"+ad.ID, o.AccessToken, map[string]string{"role": "owner"}).Must(t, http.StatusOK)
		e.Call("PATCH", base+"/members/"+owner, o.AccessToken, map[string]string{"role": "admin"}).Must(t, http.StatusOK)
		wantProblem(t, e.Call("PATCH", base+"/members/"+ad.ID, o.AccessToken, map[string]string{"role": "admin"}), http.StatusForbidden, "member.owner-only")
		wantProblem(t, e.Call("DELETE", base+"/members/"+ad.ID, ad.Token, nil), http.StatusConflict, "member.last-owner")
		if got := roleOf(t, e, o.TenantID, ad.Token, ad.Email); got != "owner" {
			t.Errorf("last owner's role = %q", got)
		}
	})
}

// ---- API keys ----------------------------------------------------------------------

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Keys Co", "owner@keys.test")
		other := e.Signup("Other Keys Co", "owner@otherkeys.test")
		base := "/api/v1/tenants/" + o.TenantID

		created := e.Call("POST", base+"/api-keys", o.AccessToken, map[string]string{"name": "reporting", "role": "viewer"}).Must(t, http.StatusCreated)
		key, id := created.Str("key"), created.Str("id")
		if !strings.HasPrefix(key, "kefu_") || created.Str("prefix") == "" || !strings.HasPrefix(key, created.Str("prefix")) {
			t.Fatalf("created key %q with prefix %q", key, created.Str("prefix"))
		}
		if got := created.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", got)
		}
		list := e.Call("GET", base+"/api-keys", o.AccessToken, nil).Must(t, http.StatusOK)
		if strings.Contains(string(list.Body), key) || strings.Contains(string(list.Body), `"key"`) || !strings.Contains(string(list.Body), id) {
			t.Errorf("key list = %s, want the key listed without its secret", list.Body)
		}

		// The key acts as its role in its tenant only.
		e.Call("GET", base+"/members", key, nil).Must(t, http.StatusOK)
		if v := getTenant(t, e, o.TenantID, key); v.Role != "viewer" || !slices.Equal(sorted(v.Permissions), permStrings(authz.BuiltinPermissions("viewer"))) {
			t.Errorf("key sees role %q permissions %v", v.Role, v.Permissions)
		}
		wantProblem(t, e.Call("POST", base+"/invitations", key, map[string]string{"email": "x@keys.test", "role": "agent"}), http.StatusForbidden, "auth.forbidden")
		wantProblem(t, e.Call("POST", base+"/api-keys", key, map[string]string{"name": "child", "role": "viewer"}), http.StatusForbidden, "auth.forbidden")
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/me"}, {"POST", "/api/v1/auth/logout"}, {"GET", "/api/v1/platform/tenants"},
		} {
			wantProblem(t, e.Call(c.method, c.path, key, nil), http.StatusForbidden, "auth.user-only")
		}
		for _, p := range []string{"/api/v1/tenants/" + other.TenantID, "/api/v1/tenants/" + other.TenantID + "/members"} {
			wantProblem(t, e.Call("GET", p, key, nil), http.StatusNotFound, "tenant.not-found")
		}
		// Keys travel in the Authorization header only, and must be whole.
		wantProblem(t, e.Call("GET", base+"/members?api_key="+key, "", nil), http.StatusUnauthorized, "auth.invalid-token")
		// (A different last character: a key that already ends in "x" made this flaky.)
		altered := key[:len(key)-1] + "x"
		if strings.HasSuffix(key, "x") {
			altered = key[:len(key)-1] + "y"
		}
		wantProblem(t, e.Call("GET", base+"/members", altered, nil), http.StatusUnauthorized, "auth.invalid-api-key")

		for _, c := range []struct {
			name   string
			body   map[string]string
			status int
			code   string
			field  string
		}{
			{"owner role", map[string]string{"name": "root", "role": "owner"}, http.StatusUnprocessableEntity, "apikey.owner-role", "role"},
			{"unknown role", map[string]string{"name": "x", "role": "wizard"}, http.StatusUnprocessableEntity, "role.unknown", "role"},
			{"no name", map[string]string{"role": "viewer"}, http.StatusBadRequest, "request.invalid", "name"},
			{"long name", map[string]string{"name": strings.Repeat("n", 101), "role": "viewer"}, http.StatusBadRequest, "request.invalid", "name"},
		} {
			r := e.Call("POST", base+"/api-keys", o.AccessToken, c.body)
			wantProblem(t, r, c.status, c.code)
			wantField(t, r, c.field)
		}

		// Whoever manages keys cannot mint one stronger than themselves.
		e.Call("POST", base+"/roles", o.AccessToken, map[string]any{"name": "integrator", "permissions": []string{"apikeys:manage", "members:read"}}).
			Must(t, http.StatusCreated)
		in := addMember(t, e, o.TenantID, "integrator@keys.test", "integrator")
		for _, role := range []string{"admin", "viewer"} {
			wantProblem(t, e.Call("POST", base+"/api-keys", in.Token, map[string]string{"name": "mine", "role": role}), http.StatusForbidden, "role.escalation")
		}
		e.Call("POST", base+"/api-keys", in.Token, map[string]string{"name": "mine", "role": "integrator"}).Must(t, http.StatusCreated)

		// Revoked: refused on the very next call.
		e.Call("DELETE", base+"/api-keys/"+id, o.AccessToken, nil).Must(t, http.StatusNoContent)
		wantProblem(t, e.Call("GET", base+"/members", key, nil), http.StatusUnauthorized, "auth.invalid-api-key")
		wantProblem(t, e.Call("DELETE", base+"/api-keys/"+id, o.AccessToken, nil), http.StatusNotFound, "apikey.not-found")
		var keys struct {
			Items []struct {
				ID        string  `json:"id"`
				RevokedAt *string `json:"revoked_at"`
			}
		}
		_ = json.Unmarshal(e.Call("GET", base+"/api-keys", o.AccessToken, nil).Must(t, http.StatusOK).Body, &keys)
		for _, k := range keys.Items {
			if k.ID == id && k.RevokedAt == nil {
				t.Error("the revoked key is listed without revoked_at")
			}
		}
	})
}

// ---- suspension ----------------------------------------------------------------------

func TestTenantSuspension(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Suspend Co", "owner@suspend.test")
		base := "/api/v1/tenants/" + o.TenantID
		key := e.Call("POST", base+"/api-keys", o.AccessToken, map[string]string{"name": "bot", "role": "viewer"}).Must(t, http.StatusCreated).Str("key")
		if _, err := e.Main.Identity.CreateUser(context.Background(), "op@kefu.test", "Operator", kefutest.Password, true); err != nil {
			t.Fatal(err)
		}
		op := e.Login("op@kefu.test", kefutest.Password)
		suspend, resume := "/api/v1/platform/tenants/"+o.TenantID+"/suspend", "/api/v1/platform/tenants/"+o.TenantID+"/resume"

		for _, p := range []string{suspend, resume} {
			wantProblem(t, e.Call("POST", p, o.AccessToken, nil), http.StatusForbidden, "auth.operator-only")
			wantProblem(t, e.Call("POST", p, key, nil), http.StatusForbidden, "auth.user-only")
			wantProblem(t, e.Call("POST", p, "", nil), http.StatusUnauthorized, "auth.invalid-token")
		}
		wantProblem(t, e.Call("GET", "/api/v1/platform/tenants", o.AccessToken, nil), http.StatusForbidden, "auth.operator-only")
		// Operators run the platform; they do not read tenants' data.
		wantProblem(t, e.Call("GET", base+"/members", op, nil), http.StatusNotFound, "tenant.not-found")
		if !strings.Contains(string(e.Call("GET", "/api/v1/platform/tenants", op, nil).Must(t, http.StatusOK).Body), o.TenantID) {
			t.Error("operator tenant list lacks the tenant")
		}
		wantProblem(t, e.Call("POST", "/api/v1/platform/tenants/"+"01890000-0000-7000-8000-000000000000"+"/suspend", op, nil), http.StatusNotFound, "tenant.not-found")

		if got := e.Call("POST", suspend, op, nil).Must(t, http.StatusOK).Str("status"); got != "suspended" {
			t.Errorf("status after suspend = %q", got)
		}
		for _, tok := range []string{o.AccessToken, key} {
			for _, p := range []string{base, base + "/members", base + "/settings"} {
				wantProblem(t, e.Call("GET", p, tok, nil), http.StatusForbidden, "tenant.suspended")
			}
		}
		wantProblem(t, e.Call("PATCH", base+"/settings", o.AccessToken, map[string]any{"name": "Still Here"}), http.StatusForbidden, "tenant.suspended")
		tok := e.Login(o.Email, o.Password)
		me := e.Call("GET", "/api/v1/me", tok, nil).Must(t, http.StatusOK)
		ms, _ := me.JSON()["memberships"].([]any)
		if len(ms) != 1 || ms[0].(map[string]any)["tenant_status"] != "suspended" {
			t.Errorf("memberships = %v, want the tenant with tenant_status suspended", ms)
		}

		if got := e.Call("POST", resume, op, nil).Must(t, http.StatusOK).Str("status"); got != "active" {
			t.Errorf("status after resume = %q", got)
		}
		e.Call("GET", base+"/members", o.AccessToken, nil).Must(t, http.StatusOK)
		e.Call("GET", base+"/members", key, nil).Must(t, http.StatusOK)
		if got := getTenant(t, e, o.TenantID, tok).Tenant.Status; got != "active" {
			t.Errorf("tenant status = %q after resume", got)
		}
	})
}

// ---- audit log -----------------------------------------------------------------------

func TestAuditLog(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Audit Co", "owner@audit.test")
		base := "/api/v1/tenants/" + o.TenantID
		secrets := []string{o.Password, o.AccessToken, o.RefreshToken}

		e.Call("POST", base+"/invitations", o.AccessToken, map[string]string{"email": "joiner@audit.test", "role": "agent"}).Must(t, http.StatusCreated)
		inviteTok := invitationToken(t, e, "joiner@audit.test")
		const joinerPW = "a private passphrase 7"
		acc := e.Call("POST", "/api/v1/invitations/accept", "", map[string]string{"token": inviteTok, "name": "Joiner", "password": joinerPW}).
			Must(t, http.StatusCreated)
		ja, jr := tokensOf(t, acc)
		joiner := memberIDOf(t, e, o.TenantID, o.AccessToken, getUserID(t, e, ja))
		e.Call("PATCH", base+"/members/"+joiner, o.AccessToken, map[string]string{"role": "viewer"}).Must(t, http.StatusOK)
		e.Call("POST", base+"/roles", o.AccessToken, map[string]any{"name": "auditor", "permissions": []string{"audit:read"}}).Must(t, http.StatusCreated)
		key := e.Call("POST", base+"/api-keys", o.AccessToken, map[string]string{"name": "siem", "role": "auditor"}).Must(t, http.StatusCreated).Str("key")
		e.Call("PATCH", base+"/settings", o.AccessToken, map[string]any{"require_2fa": false, "timezone": "Asia/Shanghai"}).Must(t, http.StatusOK)
		if _, err := e.Main.Identity.CreateUser(context.Background(), "op@audit.test", "Operator", kefutest.Password, true); err != nil {
			t.Fatal(err)
		}
		op := e.Login("op@audit.test", kefutest.Password)
		e.Call("POST", "/api/v1/platform/tenants/"+o.TenantID+"/suspend", op, nil).Must(t, http.StatusOK)
		e.Call("POST", "/api/v1/platform/tenants/"+o.TenantID+"/resume", op, nil).Must(t, http.StatusOK)
		// Security-relevant account changes with secrets of their own.
		totpSecret, recovery := enableTOTP(t, e, o.AccessToken)
		pw := e.Call("POST", "/api/v1/me/password", o.AccessToken, map[string]string{"current_password": o.Password, "new_password": "a fresh passphrase 9"}).
			Must(t, http.StatusOK)
		na, nr := tokensOf(t, pw)
		secrets = append(secrets, inviteTok, joinerPW, ja, jr, key, key[12:], "a fresh passphrase 9", na, nr, op, totpSecret)
		secrets = append(secrets, recovery...)

		r := e.Call("GET", base+"/audit-log?limit=200", key, nil).Must(t, http.StatusOK)
		var out struct {
			Items []struct {
				Action    string          `json:"action"`
				ActorType string          `json:"actor_type"`
				ActorID   string          `json:"actor_id"`
				Data      json.RawMessage `json:"data"`
			}
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, it := range out.Items {
			seen[it.Action]++
			switch it.Action {
			case "tenant.status_changed":
				if it.ActorType != "operator" {
					t.Errorf("%s by %s, want operator", it.Action, it.ActorType)
				}
			case "member.role_changed", "role.created", "apikey.created", "invitation.created":
				if it.ActorType != "user" || it.ActorID != o.UserID {
					t.Errorf("%s by %s %s, want user %s", it.Action, it.ActorType, it.ActorID, o.UserID)
				}
			}
		}
		for action, n := range map[string]int{
			"tenant.created": 1, "member.added": 1, "invitation.created": 1, "member.joined": 1, "member.role_changed": 1,
			"role.created": 1, "apikey.created": 1, "tenant.settings_changed": 1, "tenant.status_changed": 2,
		} {
			if seen[action] != n {
				t.Errorf("%d %s entries, want %d (have %v)", seen[action], action, n, seen)
			}
		}
		for _, s := range secrets {
			if s != "" && strings.Contains(string(r.Body), s) {
				t.Errorf("the audit log contains a secret (%.12s…)", s)
			}
		}

		f := e.Call("GET", base+"/audit-log?action=member.role_changed", na, nil).Must(t, http.StatusOK)
		var filtered struct{ Items []struct{ Action string } }
		_ = json.Unmarshal(f.Body, &filtered)
		if len(filtered.Items) != 1 || filtered.Items[0].Action != "member.role_changed" {
			t.Errorf("action filter returned %s", f.Body)
		}
	})
}

func getUserID(t *testing.T, e *kefutest.Env, token string) string {
	t.Helper()
	return e.Call("GET", "/api/v1/me", token, nil).Must(t, http.StatusOK).Str("user.id")
}

// TestOutrankedMembers: members:manage alone lets a manager change and remove members
// whose roles are no stronger than theirs, never an admin's.
func TestOutrankedMembers(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		o := e.Signup("Ranks Co", "owner@ranks.test")
		base := "/api/v1/tenants/" + o.TenantID
		e.Call("POST", base+"/roles", o.AccessToken, map[string]any{
			"name": "team-lead", "permissions": []string{"members:read", "members:manage", "conversations:read"}}).Must(t, http.StatusCreated)
		lead := addMember(t, e, o.TenantID, "lead@ranks.test", "team-lead")
		ad := addMember(t, e, o.TenantID, "admin@ranks.test", "admin")
		vw := addMember(t, e, o.TenantID, "viewer@ranks.test", "viewer")

		wantProblem(t, e.Call("PATCH", base+"/members/"+ad.ID, lead.Token, map[string]string{"role": "viewer"}), http.StatusForbidden, "member.outranked")
		wantProblem(t, e.Call("DELETE", base+"/members/"+ad.ID, lead.Token, nil), http.StatusForbidden, "member.outranked")
		if got := roleOf(t, e, o.TenantID, o.AccessToken, ad.Email); got != "admin" {
			t.Fatalf("admin's role = %q after the lead's attempts", got)
		}
		// A viewer holds reads the lead lacks (e.g. settings:read), so the lead cannot
		// act on them either; an equal custom role can be managed.
		wantProblem(t, e.Call("DELETE", base+"/members/"+vw.ID, lead.Token, nil), http.StatusForbidden, "member.outranked")
		peer := addMember(t, e, o.TenantID, "peer@ranks.test", "team-lead")
		e.Call("DELETE", base+"/members/"+peer.ID, lead.Token, nil).Must(t, http.StatusNoContent)
	})
}
