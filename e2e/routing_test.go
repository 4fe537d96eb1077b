package e2e

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/kefutest"
)

// TestRoutingAcrossTwoNodes runs routing on two kefu processes sharing PostgreSQL and
// Redis. One agent serves two tenants with one capacity; customers of both arrive at
// once through both nodes. Until every conversation is served, no agent ever holds
// more than their capacity, every conversation reaches an agent exactly once, and
// resolving on either node drains the queue. Then 90 customers of a third tenant
// arrive at once: its three agents get 30 each (±1), none twice.
func TestRoutingAcrossTwoNodes(t *testing.T) {
	t.Parallel()
	kefutest.NeedPostgres(t)
	kefutest.NeedRedis(t)
	dbURL, _ := withPassword(t, kefutest.NewPostgresDB(t))
	env := kefuEnv("KEFU_DATABASE_URL="+dbURL, "KEFU_REDIS_URL="+kefutest.NewRedisDB(t))
	root := t.TempDir()
	dirA, dirB := filepath.Join(root, "a"), filepath.Join(root, "b")
	a := spawnServer(t, "node A", freePort(t), dirA, env)
	b := spawnServer(t, "node B", freePort(t), dirB, env)
	nodes := []*server{a, b}
	for _, s := range nodes {
		if err := s.waitHealthy(startDeadline); err != nil {
			t.Fatalf("%s: %v\n--- %s output ---\n%s", s.name, err, s.name, s.Output())
		}
	}
	signup := func(s *server, name, email string) (tenant, token string) {
		r := expect(t, call(t, "POST", s.URL+"/api/v1/signup", "", map[string]string{
			"tenant_name": name, "name": name + " Owner", "email": email, "password": testPassword}), http.StatusCreated)
		return r.Str("tenant.id"), r.Str("access_token")
	}
	t1, olga := signup(a, "Route One", "olga@route-one.test")
	t2, pete := signup(b, "Route Two", "pete@route-two.test")
	// Olga also serves tenant two: one person, one capacity across both.
	expect(t, call(t, "POST", b.URL+"/api/v1/tenants/"+t2+"/invitations", pete, map[string]string{
		"email": "olga@route-one.test", "role": "agent"}), http.StatusCreated)
	inv := waitMailToken(t, "olga@route-one.test", dirA, dirB)
	expect(t, call(t, "POST", a.URL+"/api/v1/invitations/accept", olga, map[string]string{"token": inv}), http.StatusCreated)

	capacity := map[string]int{olga: 2, pete: 1}
	name := map[string]string{olga: "Olga", pete: "Pete"}
	for tok, n := range capacity {
		expect(t, call(t, "PATCH", a.URL+"/api/v1/me/agent", tok, map[string]any{"presence": "online", "capacity": n}), http.StatusOK)
	}
	channel := func(s *server, tenant, token string) string {
		return expect(t, call(t, "POST", s.URL+"/api/v1/tenants/"+tenant+"/channels", token, map[string]any{
			"connector": "web", "name": "Site", "config": map[string]any{}}), http.StatusCreated).Str("id")
	}
	ch1, ch2 := channel(a, t1, olga), channel(b, t2, pete)

	// 12 customers per tenant write at the same moment, half through each node.
	const per = 12
	var wg sync.WaitGroup
	for i := 0; i < 2*per; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s, ch := nodes[i%2], ch1
			if i >= per {
				ch = ch2
			}
			tok := expect(t, call(t, "POST", s.URL+"/widget/"+ch+"/session", "", map[string]any{}), http.StatusOK).Str("token")
			expect(t, call(t, "POST", s.URL+"/widget/"+ch+"/messages", tok, map[string]any{
				"client_id": "c", "text": fmt.Sprintf("customer %d", i)}), http.StatusAccepted)
		}(i)
	}
	wg.Wait()

	// mine lists an agent's open conversations across their tenants.
	mine := func(s *server, tok string) []map[string]any {
		return expect(t, call(t, "GET", s.URL+"/api/v1/conversations?assignee=me&status=open&limit=100", tok, nil), http.StatusOK).Items()
	}
	served := map[string]string{} // conversation → the agent who had it
	deadline := time.Now().Add(90 * time.Second)
	for round := 0; len(served) < 2*per; round++ {
		if time.Now().After(deadline) {
			t.Fatalf("after %d rounds only %d of %d conversations were served\n--- node A ---\n%s\n--- node B ---\n%s",
				round, len(served), 2*per, a.Output(), b.Output())
		}
		progressed := false
		for tok, cap := range capacity {
			s := nodes[round%2]
			open := mine(s, tok)
			me := expect(t, call(t, "GET", s.URL+"/api/v1/me/agent", tok, nil), http.StatusOK)
			if load := int(me.JSON()["load"].(float64)); load > cap || len(open) > cap {
				t.Fatalf("%s holds %d open (load %d), capacity %d", name[tok], len(open), load, cap)
			}
			for _, c := range open {
				id := c["id"].(string)
				if who, ok := served[id]; ok {
					t.Fatalf("conversation %s was given to %s and again to %s", id, who, name[tok])
				}
				served[id] = name[tok]
				// Resolve on the other node: the freed capacity is refilled from either.
				other := nodes[(round+1)%2]
				expect(t, call(t, "POST", other.URL+"/api/v1/tenants/"+c["tenant_id"].(string)+"/conversations/"+id+"/resolve", tok, nil), http.StatusOK)
				progressed = true
			}
		}
		if !progressed {
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Tenant one's customers could only go to Olga; both reached someone.
	perAgent := map[string]int{}
	for _, who := range served {
		perAgent[who]++
	}
	if perAgent["Olga"] < per || perAgent["Pete"] == 0 {
		t.Errorf("served per agent = %v: Olga must have had all of tenant one's %d, and Pete some of tenant two's", perAgent, per)
	}
	for _, tk := range []struct{ tenant, tok string }{{t1, olga}, {t2, pete}} {
		q := expect(t, call(t, "GET", a.URL+"/api/v1/tenants/"+tk.tenant+"/queue", tk.tok, nil), http.StatusOK)
		if n := len(q.JSON()["items"].([]any)); n != 0 {
			t.Errorf("tenant %s still has %d waiting", tk.tenant, n)
		}
	}

	// Fairness: 90 customers of a third tenant arrive at once through both nodes; its
	// three agents have room for all, and round robin gives each 30 (±1).
	t3, quinn := signup(a, "Route Three", "quinn@route-three.test")
	agents := map[string]string{quinn: "Quinn"}
	for _, who := range []string{"rosa", "sam"} {
		addr := who + "@route-three.test"
		expect(t, call(t, "POST", a.URL+"/api/v1/tenants/"+t3+"/invitations", quinn, map[string]string{"email": addr, "role": "agent"}), http.StatusCreated)
		tok := waitMailToken(t, addr, dirA, dirB)
		r := expect(t, call(t, "POST", b.URL+"/api/v1/invitations/accept", "", map[string]string{"token": tok, "name": who, "password": testPassword}), http.StatusCreated)
		agents[r.Str("access_token")] = who
	}
	for tok := range agents {
		expect(t, call(t, "PATCH", b.URL+"/api/v1/me/agent", tok, map[string]any{"presence": "online", "capacity": 40}), http.StatusOK)
	}
	ch3 := channel(a, t3, quinn)
	const crowd = 90
	for i := 0; i < crowd; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := nodes[i%2]
			tok := expect(t, call(t, "POST", s.URL+"/widget/"+ch3+"/session", "", map[string]any{}), http.StatusOK).Str("token")
			expect(t, call(t, "POST", s.URL+"/widget/"+ch3+"/messages", tok, map[string]any{
				"client_id": "c", "text": fmt.Sprintf("crowd %d", i)}), http.StatusAccepted)
		}(i)
	}
	wg.Wait()
	counts := map[string]int{}
	owner := map[string]string{}
	deadline = time.Now().Add(60 * time.Second)
	for {
		total := 0
		for tok, who := range agents {
			open := mine(nodes[total%2], tok)
			counts[who] = len(open)
			total += len(open)
			for _, c := range open {
				if prev, ok := owner[c["id"].(string)]; ok && prev != who {
					t.Fatalf("conversation %s is open for both %s and %s", c["id"], prev, who)
				}
				owner[c["id"].(string)] = who
			}
		}
		if total == crowd {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d crowd conversations were assigned: %v", total, crowd, counts)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for who, n := range counts {
		if n < crowd/3-1 || n > crowd/3+1 {
			t.Errorf("round robin gave %s %d of %d (want %d ±1): %v", who, n, crowd, crowd/3, counts)
		}
	}
}
