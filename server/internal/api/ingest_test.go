package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"testing"

	"github.com/kefu-io/kefu/server/kefutest"
)

// Many senders of two tenants writing at once (which on PostgreSQL is stored in
// batches, several messages per transaction): every message is stored once, in each
// sender's order, in one conversation per sender and tenant, with the unread count and
// preview of the last; redeliveries inside the same burst change nothing.
func TestConcurrentInboundBursts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := newChatTenant(t, e, "Burst A", "owner@burst-a.test")
		b := newChatTenant(t, e, "Burst B", "owner@burst-b.test")
		const senders, perSender = 12, 8
		var wg sync.WaitGroup
		for _, ct := range []chatTenant{a, b} {
			for s := 0; s < senders; s++ {
				wg.Add(1)
				go func(ct chatTenant, s int) {
					defer wg.Done()
					from := fmt.Sprintf("sender-%d", s)
					for m := 0; m < perSender; m++ {
						msg := map[string]any{"id": fmt.Sprintf("%s-%s-%d", ct.TenantID[:8], from, m), "from": from, "text": fmt.Sprintf("m%d", m)}
						// Every third message is delivered twice at the same time.
						n := 1
						if m%3 == 1 {
							n = 2
						}
						var dwg sync.WaitGroup
						for d := 0; d < n; d++ {
							dwg.Add(1)
							go func() {
								defer dwg.Done()
								if r := hook(e, ct.channel, providerToken, msg); r.Status != http.StatusOK {
									t.Errorf("%s message %d: %d %s", from, m, r.Status, r.Body)
								}
							}()
						}
						dwg.Wait()
					}
				}(ct, s)
			}
		}
		// A provider's batched webhook: one new sender's three messages, one of them twice.
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := []map[string]any{
				{"id": "multi-1", "from": "multi", "text": "m0"},
				{"id": "multi-2", "from": "multi", "text": "m1"},
				{"id": "multi-2", "from": "multi", "text": "m1"},
				{"id": "multi-3", "from": "multi", "text": "m2"},
			}
			hook(e, a.channel, providerToken, batch).Must(t, http.StatusOK)
		}()
		// A new sender's first messages arriving at once open one contact and one
		// conversation between them.
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hook(e, a.channel, providerToken, map[string]any{"id": fmt.Sprintf("racer-%d", i), "from": "racer", "name": "Racer", "text": fmt.Sprintf("m%d", i)}).Must(t, http.StatusOK)
			}()
		}
		wg.Wait()
		if e.Backend.Name == "postgres" {
			// The messages after each sender's first took the bulk statements, not
			// only the one-message fallback.
			metrics := string(e.Call("GET", "/metrics", "", nil).Must(t, http.StatusOK).Body)
			re := regexp.MustCompile(`kefu_ingest_batch_messages_count\{path="bulk"\} (\d+)`)
			if m := re.FindStringSubmatch(metrics); m == nil || m[1] == "0" {
				t.Fatalf("no message took the bulk path: %v", m)
			}
		}

		for _, ct := range []chatTenant{a, b} {
			convs := e.Call("GET", ct.path("/conversations?limit=100"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
			want := senders
			if ct.TenantID == a.TenantID {
				want += 2 // the batched sender and the racer
			}
			contactItems := e.Call("GET", ct.path("/contacts?limit=100"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
			if len(contactItems) != want {
				t.Fatalf("tenant %s: %d contacts, want %d (one per sender)", ct.TenantID, len(contactItems), want)
			}
			if len(convs) != want {
				t.Fatalf("tenant %s: %d conversations, want %d (one per sender)", ct.TenantID, len(convs), want)
			}
			contacts := map[string]bool{}
			for _, c := range convs {
				contact := c["contact"].(map[string]any)["id"].(string)
				if contacts[contact] {
					t.Fatalf("two conversations for contact %v", contact)
				}
				contacts[contact] = true
				msgs := e.Call("GET", ct.path("/conversations/"+c["id"].(string)+"/messages?limit=100"), ct.AccessToken, nil).Must(t, http.StatusOK).Items()
				sort.Slice(msgs, func(i, j int) bool { return msgs[i]["id"].(string) < msgs[j]["id"].(string) })
				n := perSender
				if len(msgs) == 3 {
					n = 3 // the batched sender
				}
				if c["contact"].(map[string]any)["name"] == "Racer" {
					if len(msgs) != 4 || int(c["unread"].(float64)) != 4 {
						t.Fatalf("racer: %d messages, unread %v; want 4 and 4", len(msgs), c["unread"])
					}
					continue // sent at once: no order to check
				}
				if len(msgs) != n {
					t.Fatalf("conversation %v: %d messages, want %d", c["id"], len(msgs), n)
				}
				for i, m := range msgs {
					if m["text"] != fmt.Sprintf("m%d", i) {
						t.Fatalf("conversation %v: message %d is %q: out of order or duplicated", c["id"], i, m["text"])
					}
				}
				if int(c["unread"].(float64)) != n || c["last_message_preview"] != fmt.Sprintf("m%d", n-1) {
					t.Fatalf("conversation %v: unread %v preview %q, want %d and m%d", c["id"], c["unread"], c["last_message_preview"], n, n-1)
				}
			}
		}
	})
}

// A customer writing into a resolved conversation reopens it into the queue, without
// its former agent (who may have no room for it now: routing decides), on PostgreSQL
// through the batch statements too.
func TestInboundReopensResolved(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		ct := newChatTenant(t, e, "Reopen Co", "owner@reopen.test")
		for _, tc := range []struct {
			from, want string
			assign     bool
		}{{"assigned-customer", "queued", true}, {"queued-customer", "queued", false}} {
			hook(e, ct.channel, providerToken, map[string]any{"id": tc.from + "-1", "from": tc.from, "text": "first"}).Must(t, http.StatusOK)
			var conv string
			for _, c := range e.Call("GET", ct.path("/conversations?limit=100"), ct.AccessToken, nil).Must(t, http.StatusOK).Items() {
				if c["last_message_preview"] == "first" {
					conv = c["id"].(string)
				}
			}
			if conv == "" {
				t.Fatalf("%s: no conversation", tc.from)
			}
			if tc.assign {
				e.Call("POST", ct.path("/conversations/"+conv+"/assign"), ct.AccessToken, map[string]any{"assignee_id": "me"}).Must(t, http.StatusOK)
			}
			e.Call("POST", ct.path("/conversations/"+conv+"/resolve"), ct.AccessToken, nil).Must(t, http.StatusOK)
			hook(e, ct.channel, providerToken, map[string]any{"id": tc.from + "-2", "from": tc.from, "text": "again"}).Must(t, http.StatusOK)
			got := e.Call("GET", ct.path("/conversations/"+conv), ct.AccessToken, nil).Must(t, http.StatusOK)
			if got.Str("status") != tc.want || got.Str("resolved_at") != "" || got.Str("assignee_id") != "" || got.Str("last_message_preview") != "again" {
				t.Fatalf("%s after a new message: %s", tc.from, got.Body)
			}
		}
	})
}
