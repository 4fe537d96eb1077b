package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
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
	"GET /api/v1/platform/plugins":       true, // operator only (TestPlatformPlugins)
	// The inbox spans the caller's own tenants (TestInboxSpansTenants); the realtime
	// stream authorizes every event (TestRealtimeNeverCrossesTenants).
	"GET /api/v1/conversations": true,
	"GET /api/v1/realtime":      true,
	// A person's own presence and capacity (TestPresenceAndCapacity).
	"GET /api/v1/me/agent":   true,
	"PATCH /api/v1/me/agent": true,
}

// channelRoutes are public routes scoped by a channel: the tenant comes from the
// channel, and the caller proves itself to the channel (a provider's signature, a
// visitor token). TestChannelRoutesIsolation aims each at B's channel with A's
// credentials.
var channelRoutes = map[string]bool{
	"GET /hooks/:channel_id":                             true,
	"POST /hooks/:channel_id":                            true,
	"PUT /hooks/:channel_id":                             true,
	"GET /hooks/:channel_id/*":                           true,
	"POST /hooks/:channel_id/*":                          true,
	"PUT /hooks/:channel_id/*":                           true,
	"GET /widget/:channel_id/config":                     true,
	"POST /widget/:channel_id/session":                   true,
	"GET /widget/:channel_id/messages":                   true,
	"POST /widget/:channel_id/messages":                  true,
	"POST /widget/:channel_id/attachments":               true,
	"GET /widget/:channel_id/attachments/:attachment_id": true,
	"POST /widget/:channel_id/read":                      true,
	"POST /widget/:channel_id/typing":                    true,
	"GET /widget/:channel_id/ws":                         true,
	"POST /widget/:channel_id/feedback":                  true,
}

// helpRoutes are the public help centre's routes, scoped by a tenant's slug.
// TestHelpCenterIsolation aims each at A's slug with B's ids.
var helpRoutes = map[string]bool{
	"GET /help/:slug":                                true,
	"GET /help/:slug/search":                         true,
	"GET /help/:slug/categories/:category_id":        true,
	"GET /help/:slug/articles/:article_id":           true,
	"GET /help/:slug/faqs/:faq_id":                   true,
	"POST /help/:slug/articles/:article_id/feedback": true,
	"POST /help/:slug/faqs/:faq_id/feedback":         true,
}

// victim holds tenant B's objects, which A's credentials try to reach.
type victim struct {
	tenant, member, invitation, role, apiKey string
	channel, webChannel, conversation        string
	attachment, visitorToken, contact        string
	kbCategory, kbArticle, kbFAQ             string
	agentUser, team, canned                  string
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
	"GET /api/v1/tenants/:tenant_id/connectors":                    {},
	"GET /api/v1/tenants/:tenant_id/channels":                      {},
	"POST /api/v1/tenants/:tenant_id/channels": {body: func(victim) any {
		return map[string]any{"connector": "test", "name": "mole", "config": map[string]any{"token": "mole-token-1"}}
	}},
	"GET /api/v1/tenants/:tenant_id/channels/:channel_id":                        {},
	"PATCH /api/v1/tenants/:tenant_id/channels/:channel_id":                      {body: func(victim) any { return map[string]any{"name": "pwned", "enabled": false} }},
	"DELETE /api/v1/tenants/:tenant_id/channels/:channel_id":                     {},
	"GET /api/v1/tenants/:tenant_id/conversations":                               {},
	"GET /api/v1/tenants/:tenant_id/conversations/:conversation_id":              {},
	"GET /api/v1/tenants/:tenant_id/conversations/:conversation_id/messages":     {},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/messages":    {body: func(victim) any { return map[string]any{"text": "mole", "client_id": "mole-1"} }},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/assign":      {body: func(victim) any { return map[string]any{"assignee_id": "me"} }},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/resolve":     {},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/reopen":      {},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/read":        {},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/typing":      {},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/attachments": {},
	"GET /api/v1/tenants/:tenant_id/attachments/:attachment_id":                  {},
	"GET /api/v1/tenants/:tenant_id/contacts":                                    {},
	"GET /api/v1/tenants/:tenant_id/contacts/:contact_id":                        {},
	"PATCH /api/v1/tenants/:tenant_id/contacts/:contact_id":                      {body: func(victim) any { return map[string]any{"name": "pwned"} }},
	"POST /api/v1/tenants/:tenant_id/contacts/:contact_id/merge":                 {body: func(v victim) any { return map[string]any{"contact_id": v.contact} }},
	"GET /api/v1/tenants/:tenant_id/kb/categories":                               {},
	"POST /api/v1/tenants/:tenant_id/kb/categories": {body: func(v victim) any {
		return map[string]any{"name": map[string]string{"en": "mole"}, "parent_id": v.kbCategory}
	}},
	"GET /api/v1/tenants/:tenant_id/kb/categories/:category_id":       {},
	"PATCH /api/v1/tenants/:tenant_id/kb/categories/:category_id":     {body: func(victim) any { return map[string]any{"name": map[string]string{"en": "pwned"}} }},
	"POST /api/v1/tenants/:tenant_id/kb/categories/:category_id/move": {body: func(victim) any { return map[string]any{"parent_id": nil, "position": 0} }},
	"DELETE /api/v1/tenants/:tenant_id/kb/categories/:category_id":    {},
	"GET /api/v1/tenants/:tenant_id/kb/articles":                      {},
	"GET /api/v1/tenants/:tenant_id/kb/search":                        {},
	"GET /api/v1/tenants/:tenant_id/kb/export":                        {},
	"GET /api/v1/tenants/:tenant_id/kb/import/template":               {},
	"POST /api/v1/tenants/:tenant_id/kb/import":                       {},
	"POST /api/v1/tenants/:tenant_id/kb/articles": {body: func(v victim) any {
		return map[string]any{"title": "mole", "body": "mole", "category_id": v.kbCategory}
	}},
	"GET /api/v1/tenants/:tenant_id/kb/articles/:article_id":                   {},
	"PATCH /api/v1/tenants/:tenant_id/kb/articles/:article_id":                 {body: func(victim) any { return map[string]any{"title": "pwned"} }},
	"DELETE /api/v1/tenants/:tenant_id/kb/articles/:article_id":                {},
	"POST /api/v1/tenants/:tenant_id/kb/articles/:article_id/submit":           {},
	"POST /api/v1/tenants/:tenant_id/kb/articles/:article_id/publish":          {},
	"POST /api/v1/tenants/:tenant_id/kb/articles/:article_id/reject":           {body: func(victim) any { return map[string]any{"note": "mole"} }},
	"POST /api/v1/tenants/:tenant_id/kb/articles/:article_id/archive":          {},
	"POST /api/v1/tenants/:tenant_id/kb/articles/:article_id/rollback":         {body: func(victim) any { return map[string]any{"version": 1} }},
	"GET /api/v1/tenants/:tenant_id/kb/articles/:article_id/versions":          {},
	"GET /api/v1/tenants/:tenant_id/kb/articles/:article_id/versions/:version": {},
	"GET /api/v1/tenants/:tenant_id/kb/articles/:article_id/diff":              {},
	"GET /api/v1/tenants/:tenant_id/kb/faqs":                                   {},
	"POST /api/v1/tenants/:tenant_id/kb/faqs": {body: func(v victim) any {
		return map[string]any{"question": "mole", "answer": "mole", "category_id": v.kbCategory}
	}},
	"GET /api/v1/tenants/:tenant_id/kb/faqs/:faq_id":                   {},
	"PATCH /api/v1/tenants/:tenant_id/kb/faqs/:faq_id":                 {body: func(victim) any { return map[string]any{"answer": "pwned"} }},
	"DELETE /api/v1/tenants/:tenant_id/kb/faqs/:faq_id":                {},
	"POST /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/submit":           {},
	"POST /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/publish":          {},
	"POST /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/reject":           {body: func(victim) any { return map[string]any{"note": "mole"} }},
	"POST /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/archive":          {},
	"POST /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/rollback":         {body: func(victim) any { return map[string]any{"version": 1} }},
	"GET /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/versions":          {},
	"GET /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/versions/:version": {},
	"GET /api/v1/tenants/:tenant_id/kb/faqs/:faq_id/diff":              {},
	"GET /api/v1/tenants/:tenant_id/bot/settings":                      {},
	"PUT /api/v1/tenants/:tenant_id/bot/settings": {body: func(v victim) any {
		return map[string]any{"channels": []string{v.channel}, "fallback_text": "pwned"}
	}},
	"GET /api/v1/tenants/:tenant_id/bot/model":      {},
	"POST /api/v1/tenants/:tenant_id/bot/try":       {body: func(victim) any { return map[string]any{"text": "mole"} }},
	"GET /api/v1/tenants/:tenant_id/bot/unanswered": {},
	"POST /api/v1/tenants/:tenant_id/bot/unanswered/resolve": {body: func(v victim) any {
		return map[string]any{"turn_ids": []string{v.conversation}, "action": "add_similar", "faq_id": v.kbFAQ, "similar": []string{"mole"}}
	}},
	"GET /api/v1/tenants/:tenant_id/conversations/:conversation_id/bot-turns": {},
	"GET /api/v1/tenants/:tenant_id/agents":                                   {},
	"PATCH /api/v1/tenants/:tenant_id/agents/:user_id":                        {body: func(victim) any { return map[string]any{"presence": "online", "capacity": 100} }},
	"GET /api/v1/tenants/:tenant_id/teams":                                    {},
	"POST /api/v1/tenants/:tenant_id/teams": {body: func(v victim) any {
		return map[string]any{"name": "mole", "members": []map[string]any{{"user_id": v.agentUser}},
			"settings": map[string]any{"overflow_after_minutes": 1, "overflow_team_id": v.team}}
	}},
	"GET /api/v1/tenants/:tenant_id/teams/:team_id":    {},
	"PATCH /api/v1/tenants/:tenant_id/teams/:team_id":  {body: func(victim) any { return map[string]any{"name": "pwned", "members": []any{}} }},
	"DELETE /api/v1/tenants/:tenant_id/teams/:team_id": {},
	"GET /api/v1/tenants/:tenant_id/routing/settings":  {},
	"PUT /api/v1/tenants/:tenant_id/routing/settings": {body: func(v victim) any {
		return map[string]any{"default_team_id": v.team, "rules": []map[string]any{{"name": "mole", "team_id": v.team}}}
	}},
	"GET /api/v1/tenants/:tenant_id/queue":   {},
	"GET /api/v1/tenants/:tenant_id/wrap-up": {},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/notes": {body: func(v victim) any {
		return map[string]any{"text": "mole", "mentions": []string{v.agentUser}}
	}},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/merge": {body: func(v victim) any { return map[string]any{"conversation_id": v.conversation} }},
	"POST /api/v1/tenants/:tenant_id/conversations/:conversation_id/transfer": {body: func(v victim) any {
		return map[string]any{"team_id": v.team, "note": "mole"}
	}},
	"GET /api/v1/tenants/:tenant_id/canned-responses": {},
	"POST /api/v1/tenants/:tenant_id/canned-responses": {body: func(victim) any {
		return map[string]any{"scope": "shared", "shortcut": "mole", "title": "mole", "text": "mole"}
	}},
	"PATCH /api/v1/tenants/:tenant_id/canned-responses/:canned_id":  {body: func(victim) any { return map[string]any{"text": "pwned"} }},
	"DELETE /api/v1/tenants/:tenant_id/canned-responses/:canned_id": {},
	"POST /api/v1/tenants/:tenant_id/canned-responses/:canned_id/render": {body: func(v victim) any {
		return map[string]any{"conversation_id": v.conversation}
	}},
	// Operator routes name a tenant but are not tenant routes: a tenant owner is not an
	// operator, so they are forbidden outright.
	"POST /api/v1/platform/tenants/:tenant_id/suspend": {},
	"POST /api/v1/platform/tenants/:tenant_id/resume":  {},
}

func (v victim) fill(path string, tenant string) string {
	r := strings.NewReplacer(":tenant_id", tenant, ":member_id", v.member, ":invitation_id", v.invitation,
		":role_id", v.role, ":key_id", v.apiKey, ":channel_id", v.channel, ":conversation_id", v.conversation,
		":attachment_id", v.attachment, ":contact_id", v.contact, ":category_id", v.kbCategory, ":article_id", v.kbArticle,
		":faq_id", v.kbFAQ, ":version", "1", ":user_id", v.agentUser, ":team_id", v.team, ":canned_id", v.canned)
	return r.Replace(path)
}

// checksum fingerprints everything of B's that A might change, read as B's owner.
func checksum(t *testing.T, e *kefutest.Env, v victim) string {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{"", "/settings", "/members", "/invitations", "/roles", "/api-keys", "/audit-log?limit=200",
		"/channels", "/conversations", "/conversations/" + v.conversation + "/messages", "/attachments/" + v.attachment,
		"/contacts", "/contacts/" + v.contact, "/kb/categories", "/kb/categories/" + v.kbCategory, "/kb/articles", "/kb/faqs",
		"/kb/articles/" + v.kbArticle, "/kb/faqs/" + v.kbFAQ, "/kb/articles/" + v.kbArticle + "/versions", "/kb/faqs/" + v.kbFAQ + "/versions",
		"/bot/settings", "/bot/unanswered", "/conversations/" + v.conversation + "/bot-turns",
		"/agents", "/teams", "/teams/" + v.team, "/routing/settings", "/wrap-up", "/canned-responses"} {
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
	v.agentUser = u.ID.String()
	// A team with that agent, named in the routing rules.
	v.team = e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/teams", b.AccessToken, map[string]any{"name": "Victim team",
		"members": []map[string]any{{"user_id": v.agentUser, "skills": []string{"victim-skill"}}}}).Must(t, http.StatusCreated).Str("id")
	e.Call("PUT", "/api/v1/tenants/"+b.TenantID+"/routing/settings", b.AccessToken, map[string]any{
		"rules": []map[string]any{{"name": "Victim rule", "keywords": []string{"victim-keyword"}, "team_id": v.team}}}).Must(t, http.StatusOK)
	v.secrets = append(v.secrets, "Victim team", "victim-skill", "Victim rule", "victim-keyword", "Victim Agent")
	v.canned = e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/canned-responses", b.AccessToken, map[string]any{"scope": "shared",
		"shortcut": "victimrefund", "title": "Victim refund", "text": "victim canned text for {{customer.name}}"}).Must(t, http.StatusCreated).Str("id")
	v.secrets = append(v.secrets, "victimrefund", "victim canned text")

	// A provider channel with a customer's conversation, and a web channel whose
	// visitor sent a file.
	v.channel = e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/channels", b.AccessToken, map[string]any{
		"connector": "test", "name": "Victim line", "config": map[string]any{"token": providerToken}}).Must(t, http.StatusCreated).Str("id")
	hook(e, v.channel, providerToken, map[string]any{"id": "vm-1", "from": "victim-customer", "text": "victim secret text"}).Must(t, http.StatusOK)
	v.conversation = e.Call("GET", "/api/v1/tenants/"+b.TenantID+"/conversations", b.AccessToken, nil).Must(t, http.StatusOK).Items()[0]["id"].(string)
	v.contact = e.Call("GET", "/api/v1/tenants/"+b.TenantID+"/conversations/"+v.conversation, b.AccessToken, nil).Must(t, http.StatusOK).Str("contact.id")
	v.webChannel = e.Call("POST", "/api/v1/tenants/"+b.TenantID+"/channels", b.AccessToken, map[string]any{
		"connector": "web", "name": "Victim site", "config": map[string]any{}}).Must(t, http.StatusCreated).Str("id")
	v.visitorToken = e.Call("POST", "/widget/"+v.webChannel+"/session", "", map[string]any{}).Must(t, http.StatusOK).Str("token")
	v.attachment = upload(t, e, v.webChannel, v.visitorToken, "victim.txt", []byte("victim file body")).Str("id")
	e.Do(kefutest.Request{Method: "POST", Path: "/widget/" + v.webChannel + "/messages", Token: v.visitorToken,
		Body: map[string]any{"client_id": "vw-1", "text": "victim web text", "attachments": []map[string]any{{"id": v.attachment}}}}).Must(t, http.StatusAccepted)
	v.secrets = append(v.secrets, providerToken, "victim secret text", "victim web text", "victim-customer", v.visitorToken)

	// Knowledge: a category, a published article and a live FAQ with an unpublished edit.
	kb := "/api/v1/tenants/" + b.TenantID + "/kb"
	v.kbCategory = e.Call("POST", kb+"/categories", b.AccessToken, map[string]any{"name": map[string]string{"en": "Victim KB"}}).Must(t, http.StatusCreated).Str("id")
	v.kbArticle = e.Call("POST", kb+"/articles", b.AccessToken, map[string]any{"title": "Victim article", "body": "victim kb article body",
		"category_id": v.kbCategory, "tags": []string{"victim-tag"}}).Must(t, http.StatusCreated).Str("id")
	e.Call("POST", kb+"/articles/"+v.kbArticle+"/publish", b.AccessToken, nil).Must(t, http.StatusOK)
	v.kbFAQ = e.Call("POST", kb+"/faqs", b.AccessToken, map[string]any{"question": "Victim question?", "answer": "victim kb answer",
		"category_id": v.kbCategory}).Must(t, http.StatusCreated).Str("id")
	e.Call("POST", kb+"/faqs/"+v.kbFAQ+"/publish", b.AccessToken, nil).Must(t, http.StatusOK)
	e.Call("PATCH", kb+"/faqs/"+v.kbFAQ, b.AccessToken, map[string]any{"answer": "victim kb draft answer"}).Must(t, http.StatusOK)
	v.secrets = append(v.secrets, "victim kb article body", "victim kb answer", "victim kb draft answer", "Victim KB", "victim-tag")
	return v
}

// upload sends a file through the widget.
func upload(t *testing.T, e *kefutest.Env, channel, token, name string, data []byte) *kefutest.Resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return e.Do(kefutest.Request{Method: "POST", Path: "/widget/" + channel + "/attachments", Token: token, Body: buf.Bytes(),
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

func TestCrossTenantIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Attacker Inc", "owner@attacker.test")
		aKey := e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/api-keys", a.AccessToken, map[string]any{
			"name": "attacker", "role": "admin"}).Must(t, http.StatusCreated).Str("key")
		v := setupVictim(t, e)
		forbiddenInBody := []string{v.member, v.invitation, v.role, v.apiKey, "Victim Co", "victim.test", "billing",
			v.conversation, v.attachment, v.contact, "Victim line", "Victim site", v.kbCategory, v.kbArticle, v.kbFAQ, v.agentUser, v.team, v.canned}
		forbiddenInBody = append(forbiddenInBody, v.secrets...)

		routes := e.Main.HTTP.Routes()
		sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
		for _, r := range routes {
			key := r.Method + " " + r.Path
			if nonTenantRoutes[key] || channelRoutes[key] || helpRoutes[key] {
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

// TestChannelRoutesIsolation aims every channel-scoped public route at B's channels
// with A's credentials (A's visitor token, A's provider token, B's ids under A's
// channel): none answers with B's data or changes it.
func TestChannelRoutesIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := newChatTenant(t, e, "Attacker Inc", "owner@attacker.test")
		aWeb := webChannel(t, e, a.Account, map[string]any{})
		aTok := e.Call("POST", "/widget/"+aWeb+"/session", "", map[string]any{}).Must(t, http.StatusOK).Str("token")
		v := setupVictim(t, e)
		forbidden := append([]string{v.conversation, v.attachment, "Victim"}, v.secrets...)

		seen := map[string]bool{}
		for _, r := range e.Main.HTTP.Routes() {
			key := r.Method + " " + r.Path
			if !strings.HasPrefix(r.Path, "/hooks/") && !strings.HasPrefix(r.Path, "/widget/") {
				continue
			}
			seen[key] = true
			if !channelRoutes[key] {
				t.Errorf("channel route %s is not in channelRoutes", key)
			}
		}
		for k := range channelRoutes {
			if !seen[k] {
				t.Errorf("channelRoutes names %s, which is not registered", k)
			}
		}

		type attempt struct {
			method, path, token string
			headers             map[string]string
			body                any
			want                []int
		}
		wp := func(ch, p string) string { return "/widget/" + ch + p }
		attempts := []attempt{
			// A's provider credentials on B's provider channel.
			{"POST", "/hooks/" + v.channel, "", map[string]string{"X-Test-Token": "attacker-token"}, map[string]any{"id": "x", "from": "mole", "text": "mole"}, []int{http.StatusUnauthorized}},
			{"POST", "/hooks/" + v.channel + "/receipt", "", map[string]string{"X-Test-Token": "attacker-token"}, map[string]any{"ID": "x", "Status": "read"}, []int{http.StatusUnauthorized}},
			{"GET", "/hooks/" + v.channel, "", nil, nil, []int{http.StatusUnauthorized}},
			{"PUT", "/hooks/" + v.channel + "/x", "", nil, nil, []int{http.StatusUnauthorized}},
			// A's visitor token on B's web channel: bound to A's channel.
			{"GET", wp(v.webChannel, "/messages"), aTok, nil, nil, []int{http.StatusUnauthorized}},
			{"POST", wp(v.webChannel, "/messages"), aTok, nil, map[string]any{"client_id": "m", "text": "mole"}, []int{http.StatusUnauthorized}},
			{"POST", wp(v.webChannel, "/attachments"), aTok, nil, "x", []int{http.StatusUnauthorized, http.StatusBadRequest}},
			{"GET", wp(v.webChannel, "/attachments/"+v.attachment), aTok, nil, nil, []int{http.StatusUnauthorized}},
			{"POST", wp(v.webChannel, "/read"), aTok, nil, map[string]any{"message_id": uuid.NewString()}, []int{http.StatusUnauthorized}},
			{"POST", wp(v.webChannel, "/typing"), aTok, nil, map[string]any{}, []int{http.StatusUnauthorized}},
			{"GET", wp(v.webChannel, "/ws"), aTok, nil, nil, []int{http.StatusUnauthorized, http.StatusBadRequest}},
			// A's own channel and token, B's file id: not there.
			{"GET", wp(aWeb, "/attachments/"+v.attachment), aTok, nil, nil, []int{http.StatusNotFound}},
			// B's provider channel is not a web channel: no widget there.
			{"GET", wp(v.channel, "/config"), "", nil, nil, []int{http.StatusNotFound}},
			{"POST", wp(v.channel, "/session"), "", nil, map[string]any{}, []int{http.StatusNotFound}},
			// A session on B's web channel is a new, empty visitor of B: it sees nothing of
			// B's other visitors (checked below).
		}
		before := checksum(t, e, v)
		for _, at := range attempts {
			res := e.Do(kefutest.Request{Method: at.method, Path: at.path, Token: at.token, Headers: at.headers, Body: at.body})
			if !containsInt(at.want, res.Status) {
				t.Errorf("%s %s → %d, want %v: %s", at.method, at.path, res.Status, at.want, res.Body)
			}
			for _, s := range forbidden {
				if s != "" && strings.Contains(string(res.Body), s) && !strings.Contains(at.path, s) {
					t.Errorf("%s %s leaks %q: %s", at.method, at.path, s, res.Body)
				}
			}
		}
		fresh := e.Call("POST", wp(v.webChannel, "/session"), "", map[string]any{}).Must(t, http.StatusOK).Str("token")
		if h := e.Do(kefutest.Request{Method: "GET", Path: wp(v.webChannel, "/messages"), Token: fresh}).Must(t, http.StatusOK); strings.Contains(string(h.Body), "victim") {
			t.Errorf("a new visitor sees another visitor's conversation: %s", h.Body)
		}
		if r := e.Do(kefutest.Request{Method: "GET", Path: wp(v.webChannel, "/attachments/"+v.attachment), Token: fresh}); r.Status != http.StatusNotFound {
			t.Errorf("a new visitor downloads another visitor's file: %d", r.Status)
		}
		if after := checksum(t, e, v); after != before {
			t.Errorf("channel routes changed tenant B's data")
		}
	})
}
