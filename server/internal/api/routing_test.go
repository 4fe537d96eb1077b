package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
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
			m := ag.(map[string]any)
			if m["user_id"] != uid {
				if cur := m["current"].([]any); len(cur) != 0 {
					t.Errorf("%v holds %v, want nothing", m["email"], cur)
				}
				continue
			}
			if m["load"] != float64(1) || m["open"] != float64(1) {
				t.Errorf("Cy in the live view = %v, want load 1, open 1", m)
			}
			// The supervisor sees which conversation Cy holds, to open and watch it.
			if cur := m["current"].([]any); len(cur) != 1 || cur[0].(map[string]any)["conversation_id"] != first["id"] ||
				cur[0].(map[string]any)["channel"] != "test" || cur[0].(map[string]any)["assigned_at"] == nil {
				t.Errorf("Cy's current conversations = %v, want the first one", m["current"])
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

// TestOutsideBusinessHours: a customer who comes while the tenant is closed is told
// so (with when it opens) and, with leave_message, the conversation leaves the live
// queue for the inbox, where an agent can still take it.
func TestOutsideBusinessHours(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Hours Co", "owner@hours.test")
		// Open half an hour a day, twelve hours from now: closed now.
		h := (time.Now().UTC().Hour() + 12) % 24
		iv := []map[string]string{{"start": fmt2(h) + ":00", "end": fmt2(h) + ":30"}}
		week := map[string]any{}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
			week[d] = iv
		}
		base := ct.path("")
		if r := e.Call("PUT", base+"/routing/settings", ct.AccessToken, map[string]any{"hours": map[string]any{"time_zone": "Mars/Olympus", "weekly": week}}); r.Status != http.StatusBadRequest || r.Str("field") != "hours.time_zone" {
			t.Errorf("an unknown time zone → %d %s", r.Status, r.Body)
		}
		e.Call("PUT", base+"/routing/settings", ct.AccessToken, map[string]any{
			"hours": map[string]any{"time_zone": "UTC", "weekly": week}, "outside_hours": "leave_message",
			"outside_hours_message": "default"}).Must(t, http.StatusOK)

		hook(e, ct.channel, providerToken, map[string]any{"id": "h-1", "from": "night-owl", "text": "anyone there?"}).Must(t, http.StatusOK)
		var conv map[string]any
		waitFor(t, "the outside-hours notice", func() bool {
			for _, c := range e.Call("GET", ct.path("/conversations"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
				if c["left_message_at"] != nil {
					conv = c
				}
			}
			return conv != nil
		})
		msgs := e.Call("GET", ct.path("/conversations/"+conv["id"].(string)+"/messages"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
		last := msgs[len(msgs)-1]
		// The tenant's locale is zh-CN: the suggested text is the Chinese one.
		if txt, _ := last["text"].(string); last["direction"] != "out" || !strings.Contains(txt, "非服务时间") || !strings.Contains(txt, fmt2(h)+":00") {
			t.Errorf("the customer was told %q, want the outside-hours notice naming %s:00", txt, fmt2(h))
		}
		q := e.Call("GET", ct.path("/queue"), ct.AccessToken, nil).Must(t, http.StatusOK)
		if len(q.JSON()["items"].([]any)) != 0 || q.JSON()["left_messages"] != float64(1) {
			t.Errorf("queue = %s, want no live item and one left message", q.Body)
		}
		// An agent coming online is not given it; taking it from the inbox works.
		uid, tok := addAgent(t, e, ct.TenantID, "nia@hours.test", "Nia")
		e.Call("PATCH", "/api/v1/me/agent", tok, map[string]any{"presence": "online"}).Must(t, http.StatusOK)
		if c := e.Call("GET", ct.path("/conversations/"+conv["id"].(string)), ct.AccessToken, nil).Must(t, http.StatusOK); c.JSON()["assignee_id"] != nil {
			t.Errorf("a left message was routed: %s", c.Body)
		}
		e.Call("POST", ct.path("/conversations/"+conv["id"].(string)+"/assign"), tok, map[string]any{"assignee_id": "me"}).Must(t, http.StatusOK)
		if c := e.Call("GET", ct.path("/conversations/"+conv["id"].(string)), ct.AccessToken, nil).Must(t, http.StatusOK); c.JSON()["assignee_id"] != uid {
			t.Errorf("after taking it: %s", c.Body)
		}
	})
}

func fmt2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// TestReopenGoesBackToFormerAgent: a customer writing again in a resolved
// conversation gets the agent who had it when that agent has room, even when the
// round robin would pick someone else; without room, it queues for anyone.
func TestReopenGoesBackToFormerAgent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Sticky Co", "owner@sticky.test")
		ann, annTok := addAgent(t, e, ct.TenantID, "ann@sticky.test", "Ann")
		bob, bobTok := addAgent(t, e, ct.TenantID, "bob@sticky.test", "Bob")
		e.Call("PATCH", "/api/v1/me/agent", annTok, map[string]any{"presence": "online", "capacity": 1}).Must(t, http.StatusOK)
		hook(e, ct.channel, providerToken, map[string]any{"id": "s-1", "from": "regular", "text": "first visit"}).Must(t, http.StatusOK)
		var conv map[string]any
		waitFor(t, "Ann to get the conversation", func() bool {
			conv = conversationOf(t, e, ct, "first visit")
			return conv != nil && conv["assignee_id"] == ann
		})
		id := conv["id"].(string)
		e.Call("PATCH", "/api/v1/me/agent", bobTok, map[string]any{"presence": "online", "capacity": 1}).Must(t, http.StatusOK)
		e.Call("POST", ct.path("/conversations/"+id+"/resolve"), annTok, nil).Must(t, http.StatusOK)
		hook(e, ct.channel, providerToken, map[string]any{"id": "s-2", "from": "regular", "text": "back again"}).Must(t, http.StatusOK)
		waitFor(t, "the reopened conversation to be assigned", func() bool {
			c := conversationOf(t, e, ct, "back again")
			return c != nil && c["status"] == "open" && c["assignee_id"] != nil
		})
		if c := conversationOf(t, e, ct, "back again"); c["assignee_id"] != ann {
			t.Errorf("reopened conversation went to %v, want its former agent Ann (%s); Bob is %s", c["assignee_id"], ann, bob)
		}
		// Ann full: the next reopen goes to whoever has room.
		e.Call("POST", ct.path("/conversations/"+id+"/resolve"), annTok, nil).Must(t, http.StatusOK)
		hook(e, ct.channel, providerToken, map[string]any{"id": "s-3", "from": "someone-else", "text": "new customer"}).Must(t, http.StatusOK)
		waitFor(t, "the new customer to be assigned", func() bool {
			c := conversationOf(t, e, ct, "new customer")
			return c != nil && c["assignee_id"] != nil
		})
		full := conversationOf(t, e, ct, "new customer")["assignee_id"]
		hook(e, ct.channel, providerToken, map[string]any{"id": "s-4", "from": "regular", "text": "third visit"}).Must(t, http.StatusOK)
		waitFor(t, "the third visit to be handled", func() bool {
			c := conversationOf(t, e, ct, "third visit")
			return c != nil && c["assignee_id"] != nil
		})
		if got := conversationOf(t, e, ct, "third visit")["assignee_id"]; got == full && full == ann {
			t.Errorf("the third visit went to Ann, who was full")
		}
	})
}

// TestWidgetQueuePosition: a waiting web visitor is told their place in the queue on
// their socket, and told again as the queue moves.
func TestWidgetQueuePosition(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Line Co", "owner@line.test")
		ch := webChannel(t, e, a, map[string]any{})
		e.Call("PUT", "/api/v1/tenants/"+a.TenantID+"/routing/settings", a.AccessToken, map[string]any{"queue_message": "default"}).Must(t, http.StatusOK)
		type visitor struct {
			frames <-chan frame
			conn   *websocket.Conn
			token  string
		}
		arrive := func(n int) visitor {
			tok := e.Call("POST", "/widget/"+ch+"/session", "", map[string]any{}).Must(t, http.StatusOK).Str("token")
			c, _, err := websocket.DefaultDialer.Dial(wsURL(e, "/widget/"+ch+"/ws?token="+tok), nil)
			if err != nil {
				t.Fatal(err)
			}
			fr, _ := readFrames(t, c)
			if err := c.WriteJSON(map[string]any{"type": "message", "client_id": "m", "text": "hello " + strconv.Itoa(n)}); err != nil {
				t.Fatal(err)
			}
			return visitor{fr, c, tok}
		}
		position := func(v visitor, want float64) {
			t.Helper()
			f := waitFrame(t, v.frames, func(f frame) bool { return f["type"] == "queue.position" && f["position"] == want })
			if _, leaks := f["tenant_id"]; leaks {
				t.Errorf("the position frame carries the tenant: %v", f)
			}
		}
		v1 := arrive(1)
		defer v1.conn.Close()
		position(v1, 1)
		// The queue message tells them too, in the tenant's language. (It may be sent
		// before the socket follows the new conversation; the widget then refetches on
		// the resync frame, as here.)
		waitFor(t, "the queue message", func() bool {
			r := e.Do(kefutest.Request{Method: "GET", Path: "/widget/" + ch + "/messages", Token: v1.token}).Must(t, http.StatusOK)
			return strings.Contains(string(r.Body), "第 1 位")
		})
		v2 := arrive(2)
		defer v2.conn.Close()
		position(v2, 2)
		// An agent comes online with room for one: the first is served, the second moves up.
		_, tok := addAgent(t, e, a.TenantID, "lu@line.test", "Lu")
		e.Call("PATCH", "/api/v1/me/agent", tok, map[string]any{"presence": "online", "capacity": 1}).Must(t, http.StatusOK)
		// The first is told the wait is over (position 0); the second moves up.
		waitFrame(t, v1.frames, func(f frame) bool { return f["type"] == "queue.position" && f["position"] == float64(0) })
		position(v2, 1)
	})
}

// TestChannelTypeCapacity: a cap on one channel type holds within the overall
// capacity — routing and manual assignment both respect it — while other types still
// reach the agent.
func TestChannelTypeCapacity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Caps Co", "owner@caps.test")
		uid, tok := addAgent(t, e, ct.TenantID, "cap@caps.test", "Cap")
		if r := e.Call("PATCH", "/api/v1/me/agent", tok, map[string]any{"channel_capacity": map[string]int{"Bad Name": 1}}); r.Status != http.StatusBadRequest || r.Str("field") != "channel_capacity" {
			t.Errorf("a bad channel type → %d %s", r.Status, r.Body)
		}
		me := e.Call("PATCH", "/api/v1/me/agent", tok, map[string]any{"presence": "online", "capacity": 3, "channel_capacity": map[string]int{"test": 1}}).Must(t, http.StatusOK)
		if me.JSON()["channel_capacity"].(map[string]any)["test"] != float64(1) {
			t.Fatalf("agent = %s", me.Body)
		}
		hook(e, ct.channel, providerToken, map[string]any{"id": "k-1", "from": "one", "text": "first on test"}).Must(t, http.StatusOK)
		waitFor(t, "the first test-channel conversation to be assigned", func() bool {
			c := conversationOf(t, e, ct, "first on test")
			return c != nil && c["assignee_id"] == uid
		})
		hook(e, ct.channel, providerToken, map[string]any{"id": "k-2", "from": "two", "text": "second on test"}).Must(t, http.StatusOK)
		// Another channel type still reaches the agent.
		web := webChannel(t, e, ct.Account, map[string]any{})
		vt := e.Call("POST", "/widget/"+web+"/session", "", map[string]any{}).Must(t, http.StatusOK).Str("token")
		e.Do(kefutest.Request{Method: "POST", Path: "/widget/" + web + "/messages", Token: vt, Body: map[string]any{"client_id": "w", "text": "from the web"}}).Must(t, http.StatusAccepted)
		waitFor(t, "the web conversation to be assigned", func() bool {
			c := conversationOf(t, e, ct, "from the web")
			return c != nil && c["assignee_id"] == uid
		})
		second := conversationOf(t, e, ct, "second on test")
		if second["assignee_id"] != nil {
			t.Errorf("the second test-channel conversation went to an agent capped at 1 for that type: %v", second)
		}
		if r := e.Call("POST", ct.path("/conversations/"+second["id"].(string)+"/assign"), ct.AccessToken, map[string]any{"assignee_id": uid}); r.Status != http.StatusConflict || r.Code() != "agent.at-capacity" {
			t.Errorf("assigning beyond the type cap → %d %s", r.Status, r.Body)
		}
		// Raising the cap drains it.
		e.Call("PATCH", "/api/v1/me/agent", tok, map[string]any{"channel_capacity": map[string]int{"test": 2}}).Must(t, http.StatusOK)
		waitFor(t, "the second test-channel conversation to be assigned", func() bool {
			return conversationOf(t, e, ct, "second on test")["assignee_id"] == uid
		})
	})
}

// TestPresenceReachesLiveView: a presence change reaches the consoles of the tenants
// the agent serves (the live queue view), not others.
func TestPresenceReachesLiveView(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Live Co", "owner@live-view.test")
		other := e.Signup("Elsewhere Co", "owner@elsewhere.test")
		uid, tok := addAgent(t, e, a.TenantID, "pia@live-view.test", "Pia")
		mine, _ := consoleSocket(t, e, a.AccessToken)
		_, theirs := consoleSocket(t, e, other.AccessToken)
		e.Call("PATCH", "/api/v1/me/agent", tok, map[string]any{"presence": "busy"}).Must(t, http.StatusOK)
		f := waitFrame(t, mine, func(f frame) bool { return f["type"] == "agent.updated" })
		data, _ := f["data"].(map[string]any)
		if f["user_id"] != uid || data["presence"] != "busy" || f["tenant_id"] != a.TenantID {
			t.Errorf("agent.updated = %v", f)
		}
		time.Sleep(300 * time.Millisecond)
		for _, g := range theirs() {
			if g["type"] == "agent.updated" {
				t.Errorf("another tenant's console heard of Pia: %v", g)
			}
		}
	})
}
