package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/config"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// addAgent creates a user with the agent role in the tenant and logs them in.
func addAgent(t *testing.T, e *kefutest.Env, tenantID, email, name string) (userID, token string) {
	t.Helper()
	ctx := context.Background()
	u, err := e.Main.Identity.CreateUser(ctx, email, name, kefutest.Password, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Main.Identity.AddMember(tenants.NewContext(ctx, uuid.MustParse(tenantID)), u.ID, "agent"); err != nil {
		t.Fatal(err)
	}
	return u.ID.String(), e.Login(email, kefutest.Password)
}

// conversationOf finds a conversation by its last message.
func conversationOf(t *testing.T, e *kefutest.Env, ct chatTenant, preview string) map[string]any {
	t.Helper()
	for _, c := range e.Call("GET", ct.path("/conversations"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
		if c["last_message_preview"] == preview {
			return c
		}
	}
	return nil
}

func TestPresenceAndCapacity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Presence Co", "owner@presence.test")
		me := e.Call("GET", "/api/v1/me/agent", a.AccessToken, nil).Must(t, http.StatusOK)
		if me.Str("presence") != "offline" || me.JSON()["capacity"] != float64(5) || me.JSON()["load"] != float64(0) {
			t.Fatalf("a new agent = %s, want offline, capacity 5, load 0", me.Body)
		}
		for _, bad := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"presence": "sleeping"}, "presence"},
			{map[string]any{"capacity": 101}, "capacity"},
			{map[string]any{"capacity": -1}, "capacity"},
		} {
			r := e.Call("PATCH", "/api/v1/me/agent", a.AccessToken, bad.body)
			if r.Status != http.StatusBadRequest || r.Str("field") != bad.field {
				t.Errorf("PATCH /me/agent %v → %d %s, want 400 naming %s", bad.body, r.Status, r.Body, bad.field)
			}
		}
		got := e.Call("PATCH", "/api/v1/me/agent", a.AccessToken, map[string]any{"presence": "online", "capacity": 2}).Must(t, http.StatusOK)
		if got.Str("presence") != "online" || got.JSON()["capacity"] != float64(2) || got.JSON()["presence_auto"] != false {
			t.Errorf("after PATCH: %s", got.Body)
		}
		// An API key has no person behind it.
		key := e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/api-keys", a.AccessToken, map[string]any{"name": "k", "role": "admin"}).Must(t, http.StatusCreated).Str("key")
		if r := e.Call("GET", "/api/v1/me/agent", key, nil); r.Status != http.StatusForbidden {
			t.Errorf("GET /me/agent with an API key → %d, want 403", r.Status)
		}

		// An agent cannot sign colleagues off; an admin can, for members only.
		uid, agentTok := addAgent(t, e, a.TenantID, "ann@presence.test", "Ann")
		base := "/api/v1/tenants/" + a.TenantID
		if r := e.Call("PATCH", base+"/agents/"+uid, agentTok, map[string]any{"presence": "offline"}); r.Status != http.StatusForbidden {
			t.Errorf("an agent changing a colleague → %d, want 403", r.Status)
		}
		e.Call("PATCH", "/api/v1/me/agent", agentTok, map[string]any{"presence": "online"}).Must(t, http.StatusOK)
		v := e.Call("PATCH", base+"/agents/"+uid, a.AccessToken, map[string]any{"presence": "offline", "capacity": 3}).Must(t, http.StatusOK)
		if v.Str("presence") != "offline" || v.JSON()["capacity"] != float64(3) || v.Str("name") != "Ann" {
			t.Errorf("admin update → %s", v.Body)
		}
		if r := e.Call("PATCH", base+"/agents/"+uuid.NewString(), a.AccessToken, map[string]any{"presence": "offline"}); r.Status != http.StatusNotFound || r.Code() != "agent.not-found" {
			t.Errorf("a stranger → %d %s, want 404 agent.not-found", r.Status, r.Body)
		}
		audit := e.Call("GET", base+"/audit-log?limit=50", a.AccessToken, nil).Must(t, http.StatusOK)
		found := false
		for _, it := range audit.Items() {
			found = found || it["action"] == "agent.updated"
		}
		if !found {
			t.Errorf("the admin's change is not in the audit log: %s", audit.Body)
		}
		list := e.Call("GET", base+"/agents", agentTok, nil).Must(t, http.StatusOK).Items()
		if len(list) != 2 {
			t.Fatalf("agents = %v, want 2", list)
		}
	})
}

func TestTeamsAndRoutingSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Teams Co", "owner@teams.test")
		base := "/api/v1/tenants/" + a.TenantID
		uid, agentTok := addAgent(t, e, a.TenantID, "bo@teams.test", "Bo")
		other := e.Signup("Other Co", "owner@other.test")
		otherUser := getUserID(t, e, other.AccessToken)

		if r := e.Call("POST", base+"/teams", agentTok, map[string]any{"name": "Sales"}); r.Status != http.StatusForbidden {
			t.Errorf("an agent creating a team → %d, want 403", r.Status)
		}
		if r := e.Call("POST", base+"/teams", a.AccessToken, map[string]any{"name": "Mole", "members": []map[string]any{{"user_id": otherUser}}}); r.Status != http.StatusBadRequest || r.Code() != "routing.not-member" {
			t.Errorf("a stranger as a member → %d %s, want 400 routing.not-member", r.Status, r.Body)
		}
		if r := e.Call("POST", base+"/teams", a.AccessToken, map[string]any{"name": "X", "strategy": "random"}); r.Status != http.StatusBadRequest || r.Str("field") != "strategy" {
			t.Errorf("an unknown strategy → %d %s", r.Status, r.Body)
		}
		sales := e.Call("POST", base+"/teams", a.AccessToken, map[string]any{"name": "Sales", "strategy": "skills",
			"members": []map[string]any{{"user_id": uid, "skills": []string{"English", " refunds ", "english"}}}}).Must(t, http.StatusCreated)
		if sk := sales.JSON()["members"].([]any)[0].(map[string]any)["skills"]; len(sk.([]any)) != 2 {
			t.Errorf("skills are not normalised: %v", sk)
		}
		if r := e.Call("POST", base+"/teams", a.AccessToken, map[string]any{"name": "Sales"}); r.Status != http.StatusConflict || r.Code() != "team.name-taken" {
			t.Errorf("a duplicate name → %d %s", r.Status, r.Body)
		}
		vip := e.Call("POST", base+"/teams", a.AccessToken, map[string]any{"name": "VIP",
			"settings": map[string]any{"overflow_after_minutes": 5, "overflow_team_id": sales.Str("id")}}).Must(t, http.StatusCreated)
		if r := e.Call("PATCH", base+"/teams/"+vip.Str("id"), a.AccessToken, map[string]any{"settings": map[string]any{"overflow_after_minutes": 5, "overflow_team_id": vip.Str("id")}}); r.Status != http.StatusBadRequest {
			t.Errorf("overflowing into itself → %d %s", r.Status, r.Body)
		}
		p := e.Call("PATCH", base+"/teams/"+vip.Str("id"), a.AccessToken, map[string]any{"members": []map[string]any{{"user_id": uid}}}).Must(t, http.StatusOK)
		if p.Str("name") != "VIP" || len(p.JSON()["members"].([]any)) != 1 {
			t.Errorf("PATCH members: %s", p.Body)
		}
		if ts := e.Call("GET", base+"/teams", agentTok, nil).Must(t, http.StatusOK).Items(); len(ts) != 2 {
			t.Errorf("teams = %v", ts)
		}
		agents := e.Call("GET", base+"/agents", a.AccessToken, nil).Must(t, http.StatusOK).Items()
		for _, ag := range agents {
			if ag["user_id"] == uid && len(ag["team_ids"].([]any)) != 2 {
				t.Errorf("Bo's teams = %v, want both", ag["team_ids"])
			}
		}

		// Settings: a team of another tenant is refused; rules are normalised.
		ot := e.Call("POST", "/api/v1/tenants/"+other.TenantID+"/teams", other.AccessToken, map[string]any{"name": "Theirs"}).Must(t, http.StatusCreated)
		if r := e.Call("PUT", base+"/routing/settings", a.AccessToken, map[string]any{"default_team_id": ot.Str("id")}); r.Status != http.StatusBadRequest || r.Str("field") != "default_team_id" {
			t.Errorf("another tenant's team as default → %d %s", r.Status, r.Body)
		}
		if r := e.Call("PUT", base+"/routing/settings", a.AccessToken, map[string]any{"rules": []map[string]any{{"name": "x", "priority": 11}}}); r.Status != http.StatusBadRequest || r.Str("field") != "rules[0].priority" {
			t.Errorf("priority 11 → %d %s", r.Status, r.Body)
		}
		set := e.Call("PUT", base+"/routing/settings", a.AccessToken, map[string]any{
			"rules":         []map[string]any{{"name": "VIPs", "contact_tags": []string{"VIP"}, "team_id": vip.Str("id"), "priority": 5}},
			"queue_message": "default"}).Must(t, http.StatusOK)
		rule := set.JSON()["rules"].([]any)[0].(map[string]any)
		if rule["contact_tags"].([]any)[0] != "vip" || set.JSON()["default_team_id"] != nil || rule["channel_ids"] == nil {
			t.Errorf("settings = %s", set.Body)
		}
		if r := e.Call("GET", base+"/routing/settings", agentTok, nil); r.Status != http.StatusForbidden {
			t.Errorf("an agent reading routing settings → %d", r.Status)
		}

		e.Call("DELETE", base+"/teams/"+vip.Str("id"), a.AccessToken, nil).Must(t, http.StatusNoContent)
		if r := e.Call("GET", base+"/teams/"+vip.Str("id"), a.AccessToken, nil); r.Status != http.StatusNotFound || r.Code() != "team.not-found" {
			t.Errorf("deleted team → %d %s", r.Status, r.Body)
		}
	})
}

// TestQueueAndCapacityOverHTTP drives routing the way a console does: with capacity 1
// the second customer waits with a visible position, manual assignment and a reply
// that would take it are refused at capacity, and resolving the first drains the queue.
func TestQueueAndCapacityOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Queue Co", "owner@queue.test")
		uid, agentTok := addAgent(t, e, ct.TenantID, "cy@queue.test", "Cy")
		e.Call("PATCH", "/api/v1/me/agent", agentTok, map[string]any{"presence": "online", "capacity": 1}).Must(t, http.StatusOK)

		hook(e, ct.channel, providerToken, map[string]any{"id": "q-1", "from": "first", "text": "first hello"}).Must(t, http.StatusOK)
		var first map[string]any
		waitFor(t, "the first customer to be assigned", func() bool {
			first = conversationOf(t, e, ct, "first hello")
			return first != nil && first["assignee_id"] == uid && first["status"] == "open"
		})
		hook(e, ct.channel, providerToken, map[string]any{"id": "q-2", "from": "second", "text": "second hello"}).Must(t, http.StatusOK)
		var q *kefutest.Resp
		waitFor(t, "the second customer to be in the queue", func() bool {
			q = e.Call("GET", ct.path("/queue"), agentTok, nil).Must(t, http.StatusOK)
			// The counts and the list are two reads: wait for both to see it.
			return len(q.JSON()["items"].([]any)) == 1 && len(q.JSON()["queues"].([]any)) == 1
		})
		second := conversationOf(t, e, ct, "second hello")
		it := q.JSON()["items"].([]any)[0].(map[string]any)
		if it["conversation_id"] != second["id"] || it["position"] != float64(1) {
			t.Errorf("queue items = %v", q.JSON()["items"])
		}
		if qs := q.JSON()["queues"].([]any); len(qs) != 1 || qs[0].(map[string]any)["waiting"] != float64(1) {
			t.Errorf("queues = %v", qs)
		}
		for _, ag := range q.JSON()["agents"].([]any) {
			if m := ag.(map[string]any); m["user_id"] == uid && (m["load"] != float64(1) || m["open"] != float64(1)) {
				t.Errorf("Cy in the live view = %v, want load 1, open 1", m)
			}
		}

		// At capacity: neither an assignment nor a reply can give Cy a second one.
		if r := e.Call("POST", ct.path("/conversations/"+second["id"].(string)+"/assign"), ct.AccessToken, map[string]any{"assignee_id": uid}); r.Status != http.StatusConflict || r.Code() != "agent.at-capacity" {
			t.Errorf("assigning beyond capacity → %d %s", r.Status, r.Body)
		}
		if r := e.Call("POST", ct.path("/conversations/"+second["id"].(string)+"/messages"), agentTok, map[string]any{"text": "hi", "client_id": "c-1"}); r.Status != http.StatusConflict || r.Code() != "agent.at-capacity" {
			t.Errorf("a reply that would take a second conversation → %d %s", r.Status, r.Body)
		}
		// Resolving the first drains the queue to Cy.
		e.Call("POST", ct.path("/conversations/"+first["id"].(string)+"/resolve"), agentTok, nil).Must(t, http.StatusOK)
		waitFor(t, "the queue to drain", func() bool {
			c := conversationOf(t, e, ct, "second hello")
			return c["assignee_id"] == uid && c["status"] == "open"
		})
		if n := len(e.Call("GET", ct.path("/queue"), agentTok, nil).Must(t, http.StatusOK).JSON()["items"].([]any)); n != 0 {
			t.Errorf("the queue still lists %d", n)
		}
	})
}

// TestConsolePresence: an online agent whose last console closes turns away after
// the grace period and back online when a console reconnects; a presence the agent
// chose (busy) is never changed by the system.
func TestConsolePresence(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Away Co", "owner@away.test")
		_, dee := addAgent(t, e, a.TenantID, "dee@away.test", "Dee")
		_, eve := addAgent(t, e, a.TenantID, "eve@away.test", "Eve")
		e.Call("PATCH", "/api/v1/me/agent", dee, map[string]any{"presence": "online"}).Must(t, http.StatusOK)
		e.Call("PATCH", "/api/v1/me/agent", eve, map[string]any{"presence": "busy"}).Must(t, http.StatusOK)
		open := func(tok string) *websocket.Conn {
			c, _, err := websocket.DefaultDialer.Dial(wsURL(e, "/api/v1/realtime?access_token="+tok), nil)
			if err != nil {
				t.Fatal(err)
			}
			ch, _ := readFrames(t, c)
			waitFrame(t, ch, func(f frame) bool { return f["type"] == "ready" })
			return c
		}
		presence := func(tok string) (string, bool) {
			r := e.Call("GET", "/api/v1/me/agent", tok, nil).Must(t, http.StatusOK)
			return r.Str("presence"), r.JSON()["presence_auto"] == true
		}
		d1, d2, e1 := open(dee), open(dee), open(eve)
		// One of two consoles closing is not leaving.
		_ = d1.Close()
		_ = e1.Close()
		time.Sleep(1500 * time.Millisecond)
		if p, _ := presence(dee); p != "online" {
			t.Errorf("with a console still open Dee is %s", p)
		}
		_ = d2.Close()
		waitFor(t, "Dee to turn away", func() bool { p, auto := presence(dee); return p == "away" && auto })
		if p, _ := presence(eve); p != "busy" {
			t.Errorf("Eve chose busy; the system changed it to %s", p)
		}
		d3 := open(dee)
		defer d3.Close()
		if p, auto := presence(dee); p != "online" || auto {
			t.Errorf("after reconnecting Dee is %s (auto %v), want online", p, auto)
		}
		// An away the agent chose stays when a console opens.
		e.Call("PATCH", "/api/v1/me/agent", dee, map[string]any{"presence": "away"}).Must(t, http.StatusOK)
		d4 := open(dee)
		defer d4.Close()
		if p, _ := presence(dee); p != "away" {
			t.Errorf("a chosen away became %s when a console opened", p)
		}
	}, kefutest.WithConfig(func(c *config.Config) { c.AwayAfter = time.Second }))
}
