package routingdb_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation/conversationdb"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/routing"
	"github.com/kefu-io/kefu/server/internal/routing/routingdb"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// fixture is several tenants, each with one team, and agents who each serve two of
// the tenants (so one capacity spans both).
type fixture struct {
	owner   *sql.DB
	url     string
	tenants []uuid.UUID
	teams   []uuid.UUID
	agents  []uuid.UUID
	convs   [][]uuid.UUID // per tenant, in arrival order
	vip     map[uuid.UUID]bool
}

func exec(t testing.TB, d *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// newFixture builds nTenants tenants with convsPer waiting conversations each (every
// fifth one from a VIP contact), six agents online with the given capacity, and team
// i holding agents i*2 .. i*2+3 (mod 6).
func newFixture(t testing.TB, nTenants, convsPer, capacity int) *fixture {
	url, owner, _ := kefutest.MigratedPostgres(t, 2)
	f := &fixture{owner: owner, url: url, vip: map[uuid.UUID]bool{}}
	now := time.Now().UTC()
	for i := 0; i < 6; i++ {
		u := uuid.New()
		f.agents = append(f.agents, u)
		exec(t, owner, "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, 'x', $4, $4)",
			u, fmt.Sprintf("agent%d-%s@route.test", i, u.String()[:6]), fmt.Sprintf("Agent %d", i), now)
		exec(t, owner, "INSERT INTO agents (user_id, presence, capacity, updated_at) VALUES ($1, 'online', $2, $3)", u, capacity, now)
	}
	for ti := 0; ti < nTenants; ti++ {
		tid, team, ch := uuid.New(), uuid.New(), uuid.New()
		f.tenants, f.teams = append(f.tenants, tid), append(f.teams, team)
		exec(t, owner, "INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)", tid, "T", "t-"+tid.String()[:8], now)
		exec(t, owner, "INSERT INTO channels (tenant_id, id, connector, name, created_at, updated_at) VALUES ($1, $2, 'web', 'Web', $3, $3)", tid, ch, now)
		exec(t, owner, "INSERT INTO teams (tenant_id, id, name, strategy, created_at, updated_at) VALUES ($1, $2, 'Support', 'round_robin', $3, $3)", tid, team, now)
		exec(t, owner, `INSERT INTO routing_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)`, tid,
			fmt.Sprintf(`{"default_team_id":%q,"rules":[{"name":"VIP","contact_tags":["vip"],"priority":5}]}`, team.String()), now)
		for k := 0; k < 4; k++ {
			a := f.agents[(ti*2+k)%6]
			exec(t, owner, "INSERT INTO memberships (tenant_id, id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, 'agent', $4, $4) ON CONFLICT DO NOTHING",
				tid, uuid.New(), a, now)
			exec(t, owner, "INSERT INTO team_members (tenant_id, team_id, user_id, created_at) VALUES ($1, $2, $3, $4)", tid, team, a, now)
		}
		var convs []uuid.UUID
		for n := 0; n < convsPer; n++ {
			ct, cv := uuid.New(), uuid.New()
			tags := "[]"
			if n%5 == 4 {
				tags = `["VIP"]`
				f.vip[cv] = true
			}
			at := now.Add(time.Duration(n) * time.Millisecond)
			exec(t, owner, "INSERT INTO contacts (tenant_id, id, tags, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)", tid, ct, tags, at)
			exec(t, owner, "INSERT INTO conversations (tenant_id, id, channel_id, contact_id, status, last_message_at, created_at, updated_at) "+
				"VALUES ($1, $2, $3, $4, 'queued', $5, $5, $5)", tid, cv, ch, ct, at)
			exec(t, owner, "INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, sender_type, type, text, status, external_id, created_at, updated_at) "+
				"VALUES ($1, $2, $3, $4, 'in', 'contact', 'text', 'hello', 'received', $6, $5, $5)", tid, uuid.New(), cv, ch, at, cv.String())
			convs = append(convs, cv)
		}
		f.convs = append(f.convs, convs)
	}
	return f
}

// node is one kefu process's routing engine: its own connection pool.
type node struct {
	svc *routing.Service
}

func (f *fixture) node(t testing.TB, rec *recorder) node {
	d, err := db.Open(context.Background(), db.Options{URL: f.url, MaxOpenConns: 6})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return node{svc: &routing.Service{Store: &routingdb.Store{DB: d}, Tx: d, Conversations: &conversationdb.Store{DB: d}, Assigned: rec.add}}
}

type recorder struct {
	mu   sync.Mutex
	seen map[uuid.UUID]int
	list []routing.Assignment
}

func (r *recorder) add(a routing.Assignment) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[uuid.UUID]int{}
	}
	r.seen[a.ConversationID]++
	r.list = append(r.list, a)
}

// routeAll routes every conversation at once from two nodes.
func (f *fixture) routeAll(t testing.TB, nodes []node) {
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	i := 0
	for ti, convs := range f.convs {
		for _, cv := range convs {
			n := nodes[i%len(nodes)]
			i++
			wg.Add(1)
			go func(tid, cv uuid.UUID) {
				defer wg.Done()
				ctx := tenants.NewContext(context.Background(), tid)
				if err := n.svc.Route(ctx, cv); err != nil {
					errs <- err
				}
			}(f.tenants[ti], cv)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("route: %v", err)
	}
}

type state struct {
	load      map[uuid.UUID]int // from the agents table
	open      map[uuid.UUID]int // counted from conversations
	perTeam   map[uuid.UUID]map[uuid.UUID]int
	assigned  map[uuid.UUID]bool
	queueRank map[uuid.UUID]int // position in its team's queue order
}

func (f *fixture) read(t *testing.T) state {
	s := state{load: map[uuid.UUID]int{}, open: map[uuid.UUID]int{}, perTeam: map[uuid.UUID]map[uuid.UUID]int{},
		assigned: map[uuid.UUID]bool{}, queueRank: map[uuid.UUID]int{}}
	rows, err := f.owner.Query("SELECT user_id, load FROM agents")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u uuid.UUID
		var n int
		if err := rows.Scan(&u, &n); err != nil {
			t.Fatal(err)
		}
		s.load[u] = n
	}
	rows.Close()
	rows, err = f.owner.Query("SELECT id, team_id, assignee_id, status FROM conversations ORDER BY team_id, priority DESC, queued_at, id")
	if err != nil {
		t.Fatal(err)
	}
	rank := map[uuid.UUID]int{}
	for rows.Next() {
		var id uuid.UUID
		var team, who *uuid.UUID
		var st string
		if err := rows.Scan(&id, &team, &who, &st); err != nil {
			t.Fatal(err)
		}
		if team == nil {
			t.Fatalf("conversation %s was not classified into its tenant's default team", id)
		}
		s.queueRank[id] = rank[*team]
		rank[*team]++
		if who != nil {
			s.assigned[id] = true
			if st == "open" {
				s.open[*who]++
			}
			if s.perTeam[*team] == nil {
				s.perTeam[*team] = map[uuid.UUID]int{}
			}
			s.perTeam[*team][*who]++
		}
	}
	rows.Close()
	return s
}

func TestRoutingUnderConcurrency(t *testing.T) {
	kefutest.NeedPostgres(t)

	t.Run("round robin spreads evenly and nobody is given a conversation twice", func(t *testing.T) {
		f := newFixture(t, 3, 40, 100)
		rec := &recorder{}
		f.routeAll(t, []node{f.node(t, rec), f.node(t, rec)})
		s := f.read(t)
		if len(rec.list) != 120 || len(s.assigned) != 120 {
			t.Fatalf("assigned %d (recorded %d), want all 120", len(s.assigned), len(rec.list))
		}
		for cv, n := range rec.seen {
			if n != 1 {
				t.Errorf("conversation %s was assigned %d times", cv, n)
			}
		}
		for team, per := range s.perTeam {
			lo, hi := 1<<30, 0
			for _, n := range per {
				lo, hi = min(lo, n), max(hi, n)
			}
			if len(per) != 4 || hi-lo > 1 {
				t.Errorf("team %s: round robin gave %v (want 4 agents within ±1)", team, per)
			}
		}
		for _, a := range f.agents {
			if s.load[a] != s.open[a] {
				t.Errorf("agent %s: load column %d, open conversations %d", a, s.load[a], s.open[a])
			}
		}
	})

	t.Run("capacity holds across tenants and the queue drains in order", func(t *testing.T) {
		const capacity = 3
		f := newFixture(t, 3, 20, capacity)
		rec := &recorder{}
		nodes := []node{f.node(t, rec), f.node(t, rec)}
		// They all arrive while every agent is offline: classified and queued.
		exec(t, f.owner, "UPDATE agents SET presence = 'offline'")
		f.routeAll(t, nodes)
		if s := f.read(t); len(s.assigned) != 0 {
			t.Fatalf("%d assigned while every agent was offline", len(s.assigned))
		}
		freeAll := func() {
			var wg sync.WaitGroup
			for i, a := range f.agents {
				wg.Add(1)
				go func(n node, a uuid.UUID) {
					defer wg.Done()
					if err := n.svc.AgentFreed(context.Background(), a); err != nil {
						t.Errorf("agent freed: %v", err)
					}
				}(nodes[i%2], a)
			}
			wg.Wait()
		}
		// check asserts what must hold whatever the interleaving: nobody above
		// capacity, the load column agreeing with the conversations, nothing assigned
		// twice, every team's assigned conversations a prefix of its queue (VIPs
		// first, then oldest first), and no agent idle while their teams have someone
		// waiting.
		check := func(stage string) state {
			t.Helper()
			s := f.read(t)
			for _, a := range f.agents {
				if s.open[a] > capacity || s.load[a] != s.open[a] {
					t.Fatalf("%s: agent %s has %d open (load column %d), capacity %d", stage, a, s.open[a], s.load[a], capacity)
				}
			}
			rec.mu.Lock()
			for cv, n := range rec.seen {
				if n != 1 {
					t.Fatalf("%s: conversation %s assigned %d times", stage, cv, n)
				}
			}
			rec.mu.Unlock()
			for ti, convs := range f.convs {
				ranked := append([]uuid.UUID(nil), convs...)
				sort.Slice(ranked, func(i, j int) bool { return s.queueRank[ranked[i]] < s.queueRank[ranked[j]] })
				if !f.vip[ranked[0]] {
					t.Fatalf("%s: tenant %d: the head of the queue is not a VIP", stage, ti)
				}
				gap := false
				for _, cv := range ranked {
					if !s.assigned[cv] {
						gap = true
					} else if gap {
						t.Fatalf("%s: tenant %d served %s ahead of a conversation queued before it", stage, ti, cv)
					}
				}
				if gap {
					for k := 0; k < 4; k++ {
						if a := f.agents[(ti*2+k)%6]; s.open[a] < capacity {
							t.Fatalf("%s: agent %s has room (%d/%d) while tenant %d has someone waiting", stage, a, s.open[a], capacity, ti)
						}
					}
				}
			}
			return s
		}
		// Everyone comes online at the same moment, on two nodes.
		exec(t, f.owner, "UPDATE agents SET presence = 'online'")
		freeAll()
		if s := check("at once"); len(s.assigned) != 6*capacity {
			t.Fatalf("at once: %d assigned, want every agent full (%d)", len(s.assigned), 6*capacity)
		}
		// Agents resolve everything they have, a round at a time; each freed agent is
		// offered the queues of both their tenants.
		for round := 1; ; round++ {
			exec(t, f.owner, "UPDATE conversations SET status = 'resolved' WHERE status = 'open'")
			freeAll()
			s := check(fmt.Sprintf("round %d", round))
			if len(s.assigned) == 60 {
				break
			}
			if round > 10 {
				t.Fatalf("the queues did not drain: %d of 60 served after %d rounds", len(s.assigned), round)
			}
		}
	})
}
