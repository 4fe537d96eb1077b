package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/plugins/web"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

const providerToken = "provider-secret-1"

// chatTenant is a tenant with a "test" channel.
type chatTenant struct {
	kefutest.Account
	channel string
}

func newChatTenant(t *testing.T, e *kefutest.Env, name, email string) chatTenant {
	t.Helper()
	a := e.Signup(name, email)
	ch := e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/channels", a.AccessToken, map[string]any{
		"connector": "test", "name": name + " line", "config": map[string]any{"token": providerToken, "greeting": "hi"}}).Must(t, http.StatusCreated)
	return chatTenant{Account: a, channel: ch.Str("id")}
}

// hook posts a provider webhook for a channel.
func hook(e *kefutest.Env, channel, token string, body any) *kefutest.Resp {
	return e.Do(kefutest.Request{Method: "POST", Path: "/hooks/" + channel, Body: body, Headers: map[string]string{"X-Test-Token": token}})
}

func (ct chatTenant) path(p string) string { return "/api/v1/tenants/" + ct.TenantID + p }

// waitFor polls until cond holds (events and deliveries are asynchronous).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestChannelsValidateAndMaskSecrets(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Chan Co", "owner@chan.test")
		base := "/api/v1/tenants/" + a.TenantID
		conns := e.Call("GET", base+"/connectors", a.AccessToken, nil).Must(t, http.StatusOK)
		names := map[string]bool{}
		for _, it := range conns.Items() {
			names[it["name"].(string)] = true
			if _, ok := it["config_schema"].(map[string]any); !ok {
				t.Errorf("connector %v has no schema object", it["name"])
			}
		}
		if !names["web"] || !names["test"] {
			t.Fatalf("connectors = %v, want web and test", names)
		}

		// Schema violations come back as field errors and create nothing.
		bad := e.Call("POST", base+"/channels", a.AccessToken, map[string]any{"connector": "test", "name": "x", "config": map[string]any{"token": "short"}})
		if bad.Status != http.StatusUnprocessableEntity || bad.Str("errors.0.field") != "config.token" {
			t.Fatalf("short token: %d %s", bad.Status, bad.Body)
		}
		if r := e.Call("POST", base+"/channels", a.AccessToken, map[string]any{"connector": "nope", "name": "x", "config": map[string]any{}}); r.Status < 400 || r.Status >= 500 {
			t.Fatalf("unknown connector: %d %s", r.Status, r.Body)
		}
		// The connector's own validation (ValidateConfig) is applied too.
		if r := e.Call("POST", base+"/channels", a.AccessToken, map[string]any{"connector": "web", "name": "x", "config": map[string]any{"require_identity": true}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "identity_secret") {
			t.Fatalf("web without secret: %d %s", r.Status, r.Body)
		}
		if n := len(e.Call("GET", base+"/channels", a.AccessToken, nil).Must(t, http.StatusOK).Items()); n != 0 {
			t.Fatalf("%d channels after invalid creates", n)
		}

		ch := e.Call("POST", base+"/channels", a.AccessToken, map[string]any{"connector": "test", "name": "Line", "config": map[string]any{"token": providerToken}}).Must(t, http.StatusCreated)
		id := ch.Str("id")
		if ch.Str("config.token") != "********" || strings.Contains(string(ch.Body), providerToken) {
			t.Fatalf("secret not masked: %s", ch.Body)
		}
		if !strings.HasSuffix(ch.Str("webhook_url"), "/hooks/"+id) {
			t.Fatalf("webhook_url = %q", ch.Str("webhook_url"))
		}
		// Encrypted at rest: the token appears nowhere in the stored row.
		var raw []string
		err := e.Main.DB.View(tenants.NewContext(context.Background(), uuid.MustParse(a.TenantID)), func(_ context.Context, tx *gorm.DB) error {
			return tx.Raw("SELECT config || ' ' || secrets FROM channels").Scan(&raw).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) != 1 || strings.Contains(raw[0], providerToken) {
			t.Fatalf("stored channel row %q holds the plaintext secret", raw)
		}
		// Sending the mask back keeps the secret: the old token still authenticates.
		e.Call("PATCH", base+"/channels/"+id, a.AccessToken, map[string]any{"name": "Line 2", "config": map[string]any{"token": "********", "greeting": "hello"}}).Must(t, http.StatusOK)
		hook(e, id, providerToken, map[string]any{"id": "m1", "from": "cust-1", "text": "hi"}).Must(t, http.StatusOK)
		// A new secret replaces it.
		e.Call("PATCH", base+"/channels/"+id, a.AccessToken, map[string]any{"config": map[string]any{"token": "rotated-token-2"}}).Must(t, http.StatusOK)
		hook(e, id, providerToken, map[string]any{"id": "m2", "from": "cust-1", "text": "hi"}).Must(t, http.StatusUnauthorized)
		hook(e, id, "rotated-token-2", map[string]any{"id": "m3", "from": "cust-1", "text": "hi"}).Must(t, http.StatusOK)
		// Disabled channels take no traffic; deleted ones are gone.
		e.Call("PATCH", base+"/channels/"+id, a.AccessToken, map[string]any{"enabled": false}).Must(t, http.StatusOK)
		if r := hook(e, id, "rotated-token-2", map[string]any{"id": "m4", "from": "cust-1", "text": "hi"}); r.Status != http.StatusNotFound {
			t.Fatalf("disabled channel hook: %d %s", r.Status, r.Body)
		}
		e.Call("DELETE", base+"/channels/"+id, a.AccessToken, nil).Must(t, http.StatusNoContent)
		e.Call("GET", base+"/channels/"+id, a.AccessToken, nil).Must(t, http.StatusNotFound)
		hook(e, id, "rotated-token-2", map[string]any{"id": "m5", "from": "cust-1", "text": "hi"}).Must(t, http.StatusNotFound)
	})
}

func TestWebhookDedupeAndRejects(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Hook Co", "owner@hook.test")
		count := func() (convs, msgs int) {
			items := e.Call("GET", ct.path("/conversations"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
			for _, it := range items {
				msgs += len(e.Call("GET", ct.path("/conversations/"+it["id"].(string)+"/messages"), ct.AccessToken, nil).Must(t, http.StatusOK).Items())
			}
			return len(items), msgs
		}
		msg := map[string]any{"id": "ext-1", "from": "alice", "name": "Alice", "text": "Where is my order?"}
		hook(e, ct.channel, providerToken, msg).Must(t, http.StatusOK)
		// A provider redelivering (same external id) creates nothing new, concurrently too.
		var wg sync.WaitGroup
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := hook(e, ct.channel, providerToken, msg); r.Status != http.StatusOK {
					t.Errorf("redelivery: %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		if c, m := count(); c != 1 || m != 1 {
			t.Fatalf("after duplicates: %d conversations, %d messages; want 1, 1", c, m)
		}

		for _, tc := range []struct {
			name   string
			token  string
			body   any
			status int
		}{
			{"bad token", "wrong-token", map[string]any{"id": "x1", "from": "bob", "text": "hi"}, http.StatusUnauthorized},
			{"malformed", providerToken, "{not json", http.StatusBadRequest},
			{"missing fields", providerToken, map[string]any{"text": "hi"}, http.StatusBadRequest},
			{"too long for the connector", providerToken, map[string]any{"id": "x2", "from": "bob", "text": strings.Repeat("a", 5000)}, http.StatusRequestEntityTooLarge},
		} {
			r := hook(e, ct.channel, tc.token, tc.body)
			if r.Status != tc.status {
				t.Errorf("%s: %d, want %d: %.200s", tc.name, r.Status, tc.status, r.Body)
			}
		}
		if st, _ := overLimit(t, e, "/hooks/"+ct.channel, map[string]string{"X-Test-Token": providerToken, "Content-Type": "application/json"}, 2<<20); st != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized body: %d, want 413", st)
		}
		if r := hook(e, uuid.NewString(), providerToken, msg); r.Status != http.StatusNotFound {
			t.Errorf("unknown channel: %d", r.Status)
		}
		if r := hook(e, "not-a-uuid", providerToken, msg); r.Status != http.StatusNotFound {
			t.Errorf("malformed channel id: %d", r.Status)
		}
		if c, m := count(); c != 1 || m != 1 {
			t.Fatalf("rejected requests wrote data: %d conversations, %d messages", c, m)
		}
		// The same sender's next message joins the open conversation.
		hook(e, ct.channel, providerToken, map[string]any{"id": "ext-2", "from": "alice", "text": "Order 42"}).Must(t, http.StatusOK)
		if c, m := count(); c != 1 || m != 2 {
			t.Fatalf("second message: %d conversations, %d messages", c, m)
		}
	})
}

// firstConversation returns the tenant's newest conversation id.
func firstConversation(t *testing.T, e *kefutest.Env, ct chatTenant) string {
	t.Helper()
	var id string
	waitFor(t, "a conversation", func() bool {
		items := e.Call("GET", ct.path("/conversations"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(items) > 0 {
			id = items[0]["id"].(string)
		}
		return id != ""
	})
	return id
}

func messageStatus(t *testing.T, e *kefutest.Env, ct chatTenant, conv, id string) (string, map[string]any) {
	t.Helper()
	for _, m := range e.Call("GET", ct.path("/conversations/"+conv+"/messages"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
		if m["id"] == id {
			s, _ := m["status"].(string)
			return s, m
		}
	}
	return "", nil
}

func TestReplyDeliveryAndFailures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Reply Co", "owner@reply.test")
		hook(e, ct.channel, providerToken, map[string]any{"id": "in-1", "from": "carol", "text": "Hello?"}).Must(t, http.StatusOK)
		conv := firstConversation(t, e, ct)

		r := e.Call("POST", ct.path("/conversations/"+conv+"/messages"), ct.AccessToken, map[string]any{"text": "Hi Carol", "client_id": "c-1"}).Must(t, http.StatusAccepted)
		id := r.Str("id")
		if r.Str("status") != "queued" || r.Str("direction") != "out" {
			t.Fatalf("reply = %s", r.Body)
		}
		// Retrying the same client id is the same message, sent once.
		again := e.Call("POST", ct.path("/conversations/"+conv+"/messages"), ct.AccessToken, map[string]any{"text": "Hi Carol", "client_id": "c-1"})
		if again.Status >= 300 || again.Str("id") != id {
			t.Fatalf("idempotent reply: %d %s", again.Status, again.Body)
		}
		sent := e.Provider.WaitSent(t, 1)
		if sent[0].Recipient.ExternalID != "carol" || sent[0].Text != "Hi Carol" || sent[0].MessageID != id {
			t.Fatalf("sent %+v", sent[0])
		}
		waitFor(t, "status sent", func() bool { s, _ := messageStatus(t, e, ct, conv, id); return s == "sent" })

		// A delivery receipt moves it forward.
		hook(e, ct.channel, providerToken+"/receipt", nil) // wrong path form is harmless
		e.Do(kefutest.Request{Method: "POST", Path: "/hooks/" + ct.channel + "/receipt", Body: map[string]any{"ID": "test-out-" + id, "Status": "delivered"},
			Headers: map[string]string{"X-Test-Token": providerToken}}).Must(t, http.StatusOK)
		waitFor(t, "status delivered", func() bool { s, _ := messageStatus(t, e, ct, conv, id); return s == "delivered" })

		// A permanent provider error fails the message and says why.
		pf := e.Call("POST", ct.path("/conversations/"+conv+"/messages"), ct.AccessToken, map[string]any{"text": "fail-permanent please", "client_id": "c-2"}).Must(t, http.StatusAccepted)
		var failed map[string]any
		waitFor(t, "status failed", func() bool {
			s, m := messageStatus(t, e, ct, conv, pf.Str("id"))
			failed = m
			return s == "failed"
		})
		if e, _ := failed["error"].(string); !strings.Contains(e, "rejected") {
			t.Fatalf("failed message error = %v", failed)
		}
		// A retryable one is retried until the provider recovers.
		rt := e.Call("POST", ct.path("/conversations/"+conv+"/messages"), ct.AccessToken, map[string]any{"text": "fail-retry once", "client_id": "c-3"}).Must(t, http.StatusAccepted)
		waitFor(t, "a failed attempt", func() bool {
			_, m := messageStatus(t, e, ct, conv, rt.Str("id"))
			return m != nil && m["error"] != nil && m["error"] != ""
		})
		e.Provider.Heal()
		waitFor(t, "retry succeeds", func() bool { s, _ := messageStatus(t, e, ct, conv, rt.Str("id")); return s == "sent" })

		// Bad input is a 4xx and writes nothing.
		for _, body := range []any{map[string]any{"text": ""}, map[string]any{"text": strings.Repeat("x", 20000), "client_id": "c-4"}, "nope"} {
			if r := e.Call("POST", ct.path("/conversations/"+conv+"/messages"), ct.AccessToken, body); r.Status < 400 || r.Status >= 500 {
				t.Errorf("bad reply %v: %d %s", body, r.Status, r.Body)
			}
		}
		if r := e.Call("POST", ct.path("/conversations/"+uuid.NewString()+"/messages"), ct.AccessToken, map[string]any{"text": "x", "client_id": "c-5"}); r.Status != http.StatusNotFound {
			t.Errorf("reply to unknown conversation: %d", r.Status)
		}

		// Assign, resolve, reopen.
		e.Call("POST", ct.path("/conversations/"+conv+"/assign"), ct.AccessToken, map[string]any{"assignee_id": "me"}).Must(t, http.StatusOK)
		got := e.Call("GET", ct.path("/conversations/"+conv), ct.AccessToken, nil).Must(t, http.StatusOK)
		if got.Str("assignee_id") == "" || got.Str("status") != "open" {
			t.Fatalf("after assign: %s", got.Body)
		}
		if got.Str("contact.name") != "" && got.Str("contact.identities.0.external_id") != "carol" {
			t.Fatalf("contact = %s", got.Body)
		}
		e.Call("POST", ct.path("/conversations/"+conv+"/resolve"), ct.AccessToken, nil).Must(t, http.StatusOK)
		mine := e.Call("GET", ct.path("/conversations?status=resolved"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(mine) != 1 {
			t.Fatalf("resolved filter: %d items", len(mine))
		}
		e.Call("POST", ct.path("/conversations/"+conv+"/reopen"), ct.AccessToken, nil).Must(t, http.StatusOK)
		if n := len(e.Call("GET", ct.path("/conversations?status=resolved"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()); n != 0 {
			t.Fatalf("reopened conversation still resolved")
		}
		if r := e.Call("GET", ct.path("/conversations?status=bogus"), ct.AccessToken, nil); r.Status != http.StatusBadRequest {
			t.Fatalf("bogus status filter: %d", r.Status)
		}
	})
}

func TestMessagesCursor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Page Co", "owner@page.test")
		for i := 0; i < 7; i++ {
			hook(e, ct.channel, providerToken, map[string]any{"id": fmt.Sprintf("p-%d", i), "from": "dave", "text": fmt.Sprintf("msg %d", i)}).Must(t, http.StatusOK)
		}
		conv := firstConversation(t, e, ct)
		seen := map[string]bool{}
		var texts []string
		path := ct.path("/conversations/" + conv + "/messages?limit=3")
		for pages := 0; pages < 5; pages++ {
			r := e.Call("GET", path, ct.AccessToken, nil).Must(t, http.StatusOK)
			for _, m := range r.Items() {
				if seen[m["id"].(string)] {
					t.Fatalf("message %v on two pages", m["id"])
				}
				seen[m["id"].(string)] = true
				texts = append(texts, m["text"].(string))
			}
			next := r.Str("next_cursor")
			if next == "" {
				break
			}
			path = ct.path("/conversations/" + conv + "/messages?limit=3&before=" + next)
		}
		if len(seen) != 7 {
			t.Fatalf("paged %d messages, want 7: %v", len(seen), texts)
		}
		if r := e.Call("GET", ct.path("/conversations/"+conv+"/messages?before=garbage"), ct.AccessToken, nil); r.Status != http.StatusBadRequest {
			t.Fatalf("garbage cursor: %d", r.Status)
		}
	})
}

func TestInboxSpansTenants(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		one := newChatTenant(t, e, "One Co", "owner@one.test")
		two := newChatTenant(t, e, "Two Co", "owner@two.test")
		other := newChatTenant(t, e, "Other Co", "owner@other.test")
		// An agent in One and Two, not in Other.
		ctx := context.Background()
		u, err := e.Main.Identity.CreateUser(ctx, "agent@multi.test", "Multi Agent", kefutest.Password, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, ten := range []chatTenant{one, two} {
			if _, err := e.Main.Identity.AddMember(tenants.NewContext(ctx, uuid.MustParse(ten.TenantID)), u.ID, "agent"); err != nil {
				t.Fatal(err)
			}
		}
		tok := e.Login("agent@multi.test", kefutest.Password)
		hook(e, one.channel, providerToken, map[string]any{"id": "1", "from": "x", "text": "from one"}).Must(t, http.StatusOK)
		hook(e, two.channel, providerToken, map[string]any{"id": "1", "from": "x", "text": "from two"}).Must(t, http.StatusOK)
		hook(e, other.channel, providerToken, map[string]any{"id": "1", "from": "x", "text": "from other"}).Must(t, http.StatusOK)

		items := e.Call("GET", "/api/v1/conversations", tok, nil).Must(t, http.StatusOK).Items()
		got := map[string]string{}
		for _, it := range items {
			got[it["tenant_id"].(string)] = it["tenant_name"].(string)
		}
		if len(items) != 2 || got[one.TenantID] != "One Co" || got[two.TenantID] != "Two Co" {
			t.Fatalf("inbox = %v", items)
		}
		only := e.Call("GET", "/api/v1/conversations?tenant_id="+two.TenantID, tok, nil).Must(t, http.StatusOK).Items()
		if len(only) != 1 || only[0]["tenant_id"] != two.TenantID {
			t.Fatalf("tenant filter = %v", only)
		}
		if r := e.Call("GET", "/api/v1/conversations?tenant_id="+other.TenantID, tok, nil).Must(t, http.StatusOK).Items(); len(r) != 0 {
			t.Fatalf("inbox shows a tenant the agent is not in: %v", r)
		}
		if r := e.Call("GET", "/api/v1/conversations", "", nil); r.Status != http.StatusUnauthorized {
			t.Fatalf("anonymous inbox: %d", r.Status)
		}
		// The agent's permissions apply per tenant: replying in Other is not found.
		conv := firstConversation(t, e, other)
		if r := e.Call("POST", other.path("/conversations/"+conv+"/messages"), tok, map[string]any{"text": "x", "client_id": "z"}); r.Status != http.StatusNotFound {
			t.Fatalf("reply in a tenant the agent is not in: %d", r.Status)
		}
	})
}

// wsURL turns the test server's URL into a websocket one.
func wsURL(e *kefutest.Env, path string) string {
	return "ws" + strings.TrimPrefix(e.URL, "http") + path
}

type frame map[string]any

// readFrames collects frames from a socket until it closes.
func readFrames(t *testing.T, c *websocket.Conn) (<-chan frame, func() []frame) {
	ch := make(chan frame, 256)
	var mu sync.Mutex
	var all []frame
	go func() {
		defer close(ch)
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			var f frame
			if json.Unmarshal(b, &f) == nil {
				mu.Lock()
				all = append(all, f)
				mu.Unlock()
				select {
				case ch <- f:
				default:
				}
			}
		}
	}()
	return ch, func() []frame { mu.Lock(); defer mu.Unlock(); return append([]frame(nil), all...) }
}

func waitFrame(t *testing.T, ch <-chan frame, match func(frame) bool) frame {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case f, ok := <-ch:
			if !ok {
				t.Fatal("socket closed")
			}
			if match(f) {
				return f
			}
		case <-timeout:
			t.Fatal("timed out waiting for a frame")
		}
	}
}

func TestRealtimeNeverCrossesTenants(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := newChatTenant(t, e, "Live A", "owner@livea.test")
		b := newChatTenant(t, e, "Live B", "owner@liveb.test")
		// No token, a bad token: refused before the upgrade.
		if _, res, err := websocket.DefaultDialer.Dial(wsURL(e, "/api/v1/realtime"), nil); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous socket: %v %v", err, res)
		}
		if _, res, err := websocket.DefaultDialer.Dial(wsURL(e, "/api/v1/realtime?access_token=garbage"), nil); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("bad-token socket: %v %v", err, res)
		}
		if r := e.Call("GET", "/api/v1/realtime", a.AccessToken, nil); r.Status != http.StatusBadRequest {
			t.Fatalf("plain GET: %d", r.Status)
		}

		conn, _, err := websocket.DefaultDialer.Dial(wsURL(e, "/api/v1/realtime?access_token="+a.AccessToken), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		frames, all := readFrames(t, conn)
		ready := waitFrame(t, frames, func(f frame) bool { return f["type"] == "ready" })
		if ids, _ := ready["tenant_ids"].([]any); len(ids) != 1 || ids[0] != a.TenantID {
			t.Fatalf("ready = %v", ready)
		}
		// B's traffic first, then A's: A must see its own and never B's.
		hook(e, b.channel, providerToken, map[string]any{"id": "b1", "from": "bob", "text": "secret of B"}).Must(t, http.StatusOK)
		hook(e, a.channel, providerToken, map[string]any{"id": "a1", "from": "ann", "text": "hello A"}).Must(t, http.StatusOK)
		got := waitFrame(t, frames, func(f frame) bool { return f["type"] == "message.created" })
		if got["tenant_id"] != a.TenantID || !strings.Contains(fmt.Sprint(got["message"]), "hello A") {
			t.Fatalf("first event = %v", got)
		}
		// A's reply shows up as an event too (the agent's own other tabs).
		conv := firstConversation(t, e, a)
		e.Call("POST", a.path("/conversations/"+conv+"/messages"), a.AccessToken, map[string]any{"text": "answer", "client_id": "r1"}).Must(t, http.StatusAccepted)
		waitFrame(t, frames, func(f frame) bool {
			return f["type"] == "message.created" && strings.Contains(fmt.Sprint(f["message"]), "answer")
		})
		// B writes again while A listens; then ping/pong proves the stream is flushed.
		hook(e, b.channel, providerToken, map[string]any{"id": "b2", "from": "bob", "text": "more of B"}).Must(t, http.StatusOK)
		bconv := firstConversation(t, e, b)
		e.Call("POST", b.path("/conversations/"+bconv+"/messages"), b.AccessToken, map[string]any{"text": "B reply", "client_id": "r2"}).Must(t, http.StatusAccepted)
		time.Sleep(300 * time.Millisecond)
		if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping"}`)); err != nil {
			t.Fatal(err)
		}
		waitFrame(t, frames, func(f frame) bool { return f["type"] == "pong" })
		for _, f := range all() {
			if tid, ok := f["tenant_id"]; ok && tid != a.TenantID {
				t.Fatalf("A's stream delivered another tenant's event: %v", f)
			}
			if strings.Contains(fmt.Sprint(f), "of B") || strings.Contains(fmt.Sprint(f), b.TenantID) {
				t.Fatalf("A's stream leaked B: %v", f)
			}
		}
	})
}

func webChannel(t *testing.T, e *kefutest.Env, a kefutest.Account, cfg map[string]any) string {
	t.Helper()
	return e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/channels", a.AccessToken, map[string]any{
		"connector": "web", "name": "Website " + uuid.NewString()[:8], "config": cfg}).Must(t, http.StatusCreated).Str("id")
}

func TestWidgetConversation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Widget Co", "owner@widget.test")
		ch := webChannel(t, e, a, map[string]any{"welcome_message": "Hi there", "allowed_origins": []string{"https://shop.example"}})
		w := "/widget/" + ch
		cfg := e.Call("GET", w+"/config", "", nil).Must(t, http.StatusOK)
		if cfg.Str("welcome_message") != "Hi there" || strings.Contains(string(cfg.Body), "allowed_origins") {
			t.Fatalf("config = %s", cfg.Body)
		}
		origin := map[string]string{"Origin": "https://shop.example"}
		if r := e.Do(kefutest.Request{Method: "POST", Path: w + "/session", Body: map[string]any{}, Headers: map[string]string{"Origin": "https://evil.example"}}); r.Status != http.StatusForbidden {
			t.Fatalf("foreign origin: %d %s", r.Status, r.Body)
		}
		s := e.Do(kefutest.Request{Method: "POST", Path: w + "/session", Body: map[string]any{}, Headers: origin}).Must(t, http.StatusOK)
		tok, visitor := s.Str("token"), s.Str("visitor_id")
		if tok == "" || !strings.HasPrefix(visitor, "v_") {
			t.Fatalf("session = %s", s.Body)
		}
		// The same visitor id resumes the same identity.
		s2 := e.Do(kefutest.Request{Method: "POST", Path: w + "/session", Body: map[string]any{"visitor_id": visitor}, Headers: origin}).Must(t, http.StatusOK)
		if s2.Str("visitor_id") != visitor {
			t.Fatalf("resumed visitor = %s", s2.Body)
		}

		// The visitor's socket.
		vc, _, err := websocket.DefaultDialer.Dial(wsURL(e, w+"/ws?token="+tok), http.Header{"Origin": {"https://shop.example"}})
		if err != nil {
			t.Fatal(err)
		}
		defer vc.Close()
		vframes, vall := readFrames(t, vc)
		if err := vc.WriteJSON(map[string]any{"type": "message", "client_id": "w-1", "text": "Do you ship to Shanghai?"}); err != nil {
			t.Fatal(err)
		}
		ack := waitFrame(t, vframes, func(f frame) bool { return f["type"] == "ack" || f["type"] == "error" })
		if ack["type"] != "ack" || ack["client_id"] != "w-1" {
			t.Fatalf("ack = %v", ack)
		}
		// Resending the same client id (a flaky network) is one message.
		e.Do(kefutest.Request{Method: "POST", Path: w + "/messages", Token: tok, Body: map[string]any{"client_id": "w-1", "text": "Do you ship to Shanghai?"}, Headers: origin}).Must(t, http.StatusAccepted)

		items := e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/conversations", a.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(items) != 1 {
			t.Fatalf("conversations = %v", items)
		}
		conv := items[0]["id"].(string)
		msgs := e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/conversations/"+conv+"/messages", a.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(msgs) != 1 || msgs[0]["text"] != "Do you ship to Shanghai?" {
			t.Fatalf("messages = %v", msgs)
		}
		// The agent answers; the visitor sees it live and in history.
		replyID := e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/conversations/"+conv+"/messages", a.AccessToken, map[string]any{"text": "Yes, in 2 days.", "client_id": "a-1"}).Must(t, http.StatusAccepted).Str("id")
		waitFrame(t, vframes, func(f frame) bool {
			return f["type"] == "message.created" && strings.Contains(fmt.Sprint(f["message"]), "Yes, in 2 days.")
		})
		// The agent reads the conversation: the visitor is told up to which message.
		e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/conversations/"+conv+"/read", a.AccessToken, nil).Must(t, http.StatusOK)
		rd := waitFrame(t, vframes, func(f frame) bool { return f["type"] == "read" })
		if rd["from"] != "agent" || rd["message_id"] != msgs[0]["id"] {
			t.Fatalf("read frame = %v", rd)
		}
		// Visitors see messages as the widget API shows them: no internal ids.
		for _, f := range vall() {
			s := fmt.Sprint(f)
			for _, leak := range []string{a.TenantID, "sender_id", "assignee_id", "contact_id", "tenant_id"} {
				if strings.Contains(s, leak) {
					t.Fatalf("a visitor frame leaks %q: %v", leak, f)
				}
			}
		}
		// The visitor reads the reply: the agent sees it read.
		replyStatus := func() string {
			for _, m := range e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/conversations/"+conv+"/messages", a.AccessToken, nil).Must(t, http.StatusOK).Items() {
				if m["id"] == replyID {
					return m["status"].(string)
				}
			}
			return ""
		}
		waitFor(t, "the reply sent", func() bool { return replyStatus() == "sent" })
		e.Do(kefutest.Request{Method: "POST", Path: w + "/read", Token: tok, Body: map[string]any{"message_id": replyID}}).Must(t, http.StatusNoContent)
		waitFor(t, "the reply read", func() bool { return replyStatus() == "read" })
		hist := e.Do(kefutest.Request{Method: "GET", Path: w + "/messages", Token: tok}).Must(t, http.StatusOK)
		if !strings.Contains(string(hist.Body), "Yes, in 2 days.") || strings.Contains(string(hist.Body), a.TenantID) {
			t.Fatalf("history = %s", hist.Body)
		}
		// Attachments: an image is accepted, an executable is refused.
		up := func(name, ctype string, data []byte) *kefutest.Resp {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			fw, _ := mw.CreateFormFile("file", name)
			_, _ = fw.Write(data)
			_ = mw.Close()
			return e.Do(kefutest.Request{Method: "POST", Path: w + "/attachments", Token: tok, Body: buf.Bytes(), Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
		}
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...)
		att := up("photo.png", "image/png", png).Must(t, http.StatusCreated)
		if r := up("evil.exe", "application/octet-stream", append([]byte("MZ"), bytes.Repeat([]byte{1}, 64)...)); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("executable upload: %d %s", r.Status, r.Body)
		}
		e.Do(kefutest.Request{Method: "POST", Path: w + "/messages", Token: tok, Headers: origin,
			Body: map[string]any{"client_id": "w-2", "text": "", "attachments": []map[string]any{{"id": att.Str("id")}}}}).Must(t, http.StatusAccepted)
		dl := e.Do(kefutest.Request{Method: "GET", Path: w + "/attachments/" + att.Str("id"), Token: tok}).Must(t, http.StatusOK)
		if !bytes.Equal(dl.Body, png) || dl.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %d bytes, headers %v", len(dl.Body), dl.Header)
		}
		// Another visitor cannot read this visitor's history or files.
		other := e.Do(kefutest.Request{Method: "POST", Path: w + "/session", Body: map[string]any{}, Headers: origin}).Must(t, http.StatusOK).Str("token")
		if h := e.Do(kefutest.Request{Method: "GET", Path: w + "/messages", Token: other}).Must(t, http.StatusOK); strings.Contains(string(h.Body), "Shanghai") {
			t.Fatalf("other visitor sees history: %s", h.Body)
		}
		if r := e.Do(kefutest.Request{Method: "GET", Path: w + "/attachments/" + att.Str("id"), Token: other}); r.Status != http.StatusNotFound {
			t.Fatalf("other visitor downloads: %d", r.Status)
		}
		// A token is bound to its channel and cannot be forged.
		ch2 := webChannel(t, e, a, map[string]any{})
		if r := e.Do(kefutest.Request{Method: "GET", Path: "/widget/" + ch2 + "/messages", Token: tok}); r.Status != http.StatusUnauthorized {
			t.Fatalf("token on another channel: %d", r.Status)
		}
		if r := e.Do(kefutest.Request{Method: "GET", Path: w + "/messages", Token: tok + "x"}); r.Status != http.StatusUnauthorized {
			t.Fatalf("tampered token: %d", r.Status)
		}
		// Bad input is a clear 4xx.
		if r := e.Do(kefutest.Request{Method: "POST", Path: w + "/messages", Token: tok, Headers: origin, Body: map[string]any{"client_id": "w-3", "text": strings.Repeat("é", 4001)}}); r.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("too long: %d %s", r.Status, r.Body)
		}
		if r := e.Do(kefutest.Request{Method: "POST", Path: w + "/messages", Token: tok, Headers: origin, Body: map[string]any{"text": "no client id"}}); r.Status != http.StatusBadRequest {
			t.Fatalf("no client id: %d %s", r.Status, r.Body)
		}
	})
}

func TestWidgetSignedIdentity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Ident Co", "owner@ident.test")
		secret := "site-identity-secret-0123"
		ch := webChannel(t, e, a, map[string]any{"identity_secret": secret, "require_identity": true})
		w := "/widget/" + ch
		if r := e.Call("POST", w+"/session", "", map[string]any{}); r.Status != http.StatusForbidden && r.Status != http.StatusUnauthorized {
			t.Fatalf("anonymous on identity-only channel: %d %s", r.Status, r.Body)
		}
		id := web.Identity{UserID: "user-77", Name: "Erin", Email: "erin@shop.example", TS: time.Now().Unix()}
		forged := id
		forged.Signature = web.Sign("wrong-secret-000000", id)
		if r := e.Call("POST", w+"/session", "", map[string]any{"identity": forged}); r.Status != http.StatusForbidden && r.Status != http.StatusUnauthorized {
			t.Fatalf("forged identity: %d %s", r.Status, r.Body)
		}
		id.Signature = web.Sign(secret, id)
		tok := e.Call("POST", w+"/session", "", map[string]any{"identity": id}).Must(t, http.StatusOK).Str("token")
		e.Do(kefutest.Request{Method: "POST", Path: w + "/messages", Token: tok, Body: map[string]any{"client_id": "s-1", "text": "hello", "name": "Mallory"}}).Must(t, http.StatusAccepted)
		items := e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/conversations", a.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(items) != 1 {
			t.Fatalf("conversations = %v", items)
		}
		c := e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/conversations/"+items[0]["id"].(string), a.AccessToken, nil).Must(t, http.StatusOK)
		if c.Str("contact.name") != "Erin" || c.Str("contact.email") != "erin@shop.example" || c.Str("contact.identities.0.external_id") != "u:user-77" {
			t.Fatalf("verified contact = %s", c.Body)
		}
		if v, _ := c.JSON()["contact"].(map[string]any)["identities"].([]any)[0].(map[string]any)["verified"].(bool); !v {
			t.Fatalf("identity not marked verified: %s", c.Body)
		}
	})
}

func TestPlatformPlugins(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Plug Co", "owner@plug.test")
		if r := e.Call("GET", "/api/v1/platform/plugins", a.AccessToken, nil); r.Status != http.StatusForbidden {
			t.Fatalf("tenant owner lists plugins: %d", r.Status)
		}
		if _, err := e.Main.Identity.CreateUser(context.Background(), "op@plug.test", "Operator", kefutest.Password, true); err != nil {
			t.Fatal(err)
		}
		op := e.Login("op@plug.test", kefutest.Password)
		states := map[string]string{}
		for _, it := range e.Call("GET", "/api/v1/platform/plugins", op, nil).Must(t, http.StatusOK).Items() {
			states[it["name"].(string)] = it["state"].(string)
		}
		if states["web"] != "running" || states["test"] != "running" {
			t.Fatalf("plugins = %v", states)
		}
	})
}

func TestContactsEditAndMerge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Merge Co", "owner@merge.test")
		web := webChannel(t, e, ct.Account, map[string]any{})
		// One person: a provider sender and a web visitor.
		hook(e, ct.channel, providerToken, map[string]any{"id": "p1", "from": "+8613800000000", "name": "Li Lei", "text": "by phone"}).Must(t, http.StatusOK)
		vt := e.Call("POST", "/widget/"+web+"/session", "", map[string]any{}).Must(t, http.StatusOK).Str("token")
		e.Do(kefutest.Request{Method: "POST", Path: "/widget/" + web + "/messages", Token: vt, Body: map[string]any{"client_id": "w1", "text": "by web", "email": "li@example.com"}}).Must(t, http.StatusAccepted)
		cs := e.Call("GET", ct.path("/contacts"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(cs) != 2 {
			t.Fatalf("contacts = %v", cs)
		}
		var phone, visitor string
		for _, c := range cs {
			if c["name"] == "Li Lei" {
				phone = c["id"].(string)
			} else {
				visitor = c["id"].(string)
			}
		}
		if found := e.Call("GET", ct.path("/contacts?q=li%40example"), ct.AccessToken, nil).Must(t, http.StatusOK).Items(); len(found) != 1 || found[0]["id"] != visitor {
			t.Fatalf("search by email = %v", found)
		}
		if found := e.Call("GET", ct.path("/contacts?q=%25"), ct.AccessToken, nil).Must(t, http.StatusOK).Items(); len(found) != 0 {
			t.Fatalf("a literal %% matched %v", found)
		}
		// Edit.
		up := e.Call("PATCH", ct.path("/contacts/"+phone), ct.AccessToken, map[string]any{"phone": "+86 138 0000 0000"}).Must(t, http.StatusOK)
		if up.Str("phone") != "+86 138 0000 0000" || up.Str("name") != "Li Lei" {
			t.Fatalf("edited = %s", up.Body)
		}
		if r := e.Call("PATCH", ct.path("/contacts/"+phone), ct.AccessToken, map[string]any{"email": "not an address"}); r.Status != http.StatusBadRequest || r.Str("field") != "email" {
			t.Fatalf("bad email: %d %s", r.Status, r.Body)
		}
		// Merge the visitor into the phone contact: identities and conversations follow.
		if r := e.Call("POST", ct.path("/contacts/"+phone+"/merge"), ct.AccessToken, map[string]any{"contact_id": phone}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("self merge: %d", r.Status)
		}
		m := e.Call("POST", ct.path("/contacts/"+phone+"/merge"), ct.AccessToken, map[string]any{"contact_id": visitor}).Must(t, http.StatusOK)
		ids, _ := m.JSON()["identities"].([]any)
		if len(ids) != 2 || m.Str("email") != "li@example.com" || m.Str("name") != "Li Lei" {
			t.Fatalf("merged = %s", m.Body)
		}
		for _, cv := range e.Call("GET", ct.path("/conversations"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
			if cv["contact"].(map[string]any)["id"] != phone {
				t.Fatalf("conversation %v still belongs to the merged contact", cv["id"])
			}
		}
		gone := e.Call("GET", ct.path("/contacts/"+visitor), ct.AccessToken, nil).Must(t, http.StatusOK)
		if gone.Str("merged_into") != phone {
			t.Fatalf("merged contact = %s", gone.Body)
		}
		if n := len(e.Call("GET", ct.path("/contacts"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()); n != 1 {
			t.Fatalf("%d contacts listed after the merge", n)
		}
		// The visitor keeps chatting, now as the merged contact.
		e.Do(kefutest.Request{Method: "POST", Path: "/widget/" + web + "/messages", Token: vt, Body: map[string]any{"client_id": "w2", "text": "still me"}}).Must(t, http.StatusAccepted)
		if n := len(e.Call("GET", ct.path("/contacts"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()); n != 1 {
			t.Fatalf("%d contacts after the visitor wrote again", n)
		}
		// Two contacts with identities on one channel cannot merge.
		hook(e, ct.channel, providerToken, map[string]any{"id": "p2", "from": "+8613900000000", "text": "another phone"}).Must(t, http.StatusOK)
		var other string
		for _, c := range e.Call("GET", ct.path("/contacts"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
			if c["id"] != phone {
				other = c["id"].(string)
			}
		}
		if r := e.Call("POST", ct.path("/contacts/"+phone+"/merge"), ct.AccessToken, map[string]any{"contact_id": other}); r.Status != http.StatusConflict || r.Code() != "contact.merge-conflict" {
			t.Fatalf("conflicting merge: %d %s", r.Status, r.Body)
		}
		if r := e.Call("POST", ct.path("/contacts/"+phone+"/merge"), ct.AccessToken, map[string]any{"contact_id": uuid.NewString()}); r.Status != http.StatusNotFound {
			t.Fatalf("merge with an unknown contact: %d", r.Status)
		}
	})
}

// The widget runs on customers' sites: its API answers CORS preflights, and widget.js
// declares its charset.
func TestWidgetCORSAndCharset(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Cors Co", "owner@cors.test")
		ch := webChannel(t, e, a, map[string]any{})
		r := e.Do(kefutest.Request{Method: "OPTIONS", Path: "/widget/" + ch + "/messages", Headers: map[string]string{
			"Origin": "https://shop.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}})
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
			t.Fatalf("preflight: %d %v", r.Status, r.Header)
		}
		if r := e.Do(kefutest.Request{Method: "OPTIONS", Path: "/api/v1/me"}); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("the console API allows cross-origin calls: %v", r.Header)
		}
		s := e.Do(kefutest.Request{Method: "POST", Path: "/widget/" + ch + "/session", Body: map[string]any{}, Headers: map[string]string{"Origin": "https://shop.example"}}).Must(t, http.StatusOK)
		if s.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("session without CORS headers: %v", s.Header)
		}
	})
}

// A visitor whose socket opened before their first message (sent by HTTP) still gets
// the agent's typing and replies on that socket.
func TestWidgetSocketFollowsHTTPSends(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Follow Co", "owner@follow.test")
		ch := webChannel(t, e, a, map[string]any{})
		w := "/widget/" + ch
		tok := e.Call("POST", w+"/session", "", map[string]any{}).Must(t, http.StatusOK).Str("token")
		vc, _, err := websocket.DefaultDialer.Dial(wsURL(e, w+"/ws?token="+tok), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer vc.Close()
		frames, _ := readFrames(t, vc)
		sent := e.Do(kefutest.Request{Method: "POST", Path: w + "/messages", Token: tok, Body: map[string]any{"client_id": "h1", "text": "first, by HTTP"}}).Must(t, http.StatusAccepted)
		conv := sent.Str("conversation_id")
		// The socket learns the conversation (the bind event follows the message's own
		// event, so that one may be missed): typing and replies arrive on it.
		e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/conversations/"+conv+"/typing", a.AccessToken, nil).Must(t, http.StatusNoContent)
		waitFrame(t, frames, func(f frame) bool { return f["type"] == "typing" && f["from"] == "agent" })
		e.Call("POST", "/api/v1/tenants/"+a.TenantID+"/conversations/"+conv+"/messages", a.AccessToken, map[string]any{"text": "hello back", "client_id": "r1"}).Must(t, http.StatusAccepted)
		waitFrame(t, frames, func(f frame) bool {
			return f["type"] == "message.created" && strings.Contains(fmt.Sprint(f["message"]), "hello back")
		})
	})
}
