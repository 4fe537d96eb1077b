package routingdb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// BenchmarkRoutingLatency measures, on PostgreSQL with 1,000 conversations waiting:
//
//   - handoff→assign: a conversation entering a queue whose agent has room, from the
//     routing trigger to the committed assignment (classification, the queue and
//     agent locks, the claim and its event);
//   - free→assign: an agent's capacity freeing (a resolve) to the next of the 1,000
//     waiting conversations being assigned to them, across the whole backlog.
//
// It reports p50 and p99 of each. Run with `make bench`.
func BenchmarkRoutingLatency(b *testing.B) {
	kefutest.NeedPostgres(b)
	f := newFixture(b, 2, 500, 0) // 1,000 waiting; every agent is full at capacity 0
	n := f.node(b, &recorder{})
	f.routeAll(b, []node{n}) // classify the backlog
	ctx := context.Background()
	tid := f.tenants[0]
	now := time.Now().UTC()

	// A fast lane in tenant 0: its own team and agent, chosen by a contact tag.
	fast, agent, ch := uuid.New(), uuid.New(), uuid.New()
	exec(b, f.owner, "INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, 'Fast', 'x', $3, $3)", agent, "fast-"+agent.String()[:8]+"@bench.test", now)
	exec(b, f.owner, "INSERT INTO agents (user_id, presence, capacity, updated_at) VALUES ($1, 'online', 100, $2)", agent, now)
	exec(b, f.owner, "INSERT INTO memberships (tenant_id, id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, 'agent', $4, $4)", tid, uuid.New(), agent, now)
	exec(b, f.owner, "INSERT INTO teams (tenant_id, id, name, strategy, created_at, updated_at) VALUES ($1, $2, 'Fast', 'least_busy', $3, $3)", tid, fast, now)
	exec(b, f.owner, "INSERT INTO team_members (tenant_id, team_id, user_id, created_at) VALUES ($1, $2, $3, $4)", tid, fast, agent, now)
	exec(b, f.owner, "INSERT INTO channels (tenant_id, id, connector, name, created_at, updated_at) VALUES ($1, $2, 'web', 'Fast', $3, $3)", tid, ch, now)
	exec(b, f.owner, `UPDATE routing_settings SET settings = $1 WHERE tenant_id = $2`,
		fmt.Sprintf(`{"default_team_id":%q,"rules":[{"name":"fast","contact_tags":["fast"],"team_id":%q}]}`, f.teams[0].String(), fast.String()), tid)

	tctx := tenants.NewContext(ctx, tid)
	var handoff []time.Duration
	const samples = 300
	for i := 0; i < samples; i++ {
		ct, cv := uuid.New(), uuid.New()
		exec(b, f.owner, "INSERT INTO contacts (tenant_id, id, tags, created_at, updated_at) VALUES ($1, $2, '[\"fast\"]', now(), now())", tid, ct)
		exec(b, f.owner, "INSERT INTO conversations (tenant_id, id, channel_id, contact_id, status, last_message_at, created_at, updated_at) "+
			"VALUES ($1, $2, $3, $4, 'queued', now(), now(), now())", tid, cv, ch, ct)
		start := time.Now()
		if err := n.svc.Route(tctx, cv); err != nil {
			b.Fatal(err)
		}
		handoff = append(handoff, time.Since(start))
		var who *uuid.UUID
		if err := f.owner.QueryRow("SELECT assignee_id FROM conversations WHERE id = $1", cv).Scan(&who); err != nil || who == nil || *who != agent {
			b.Fatalf("the fast-lane conversation was not assigned to its agent: %v %v", who, err)
		}
		exec(b, f.owner, "UPDATE conversations SET status = 'resolved' WHERE id = $1", cv)
	}

	// Drain the backlog one freed slot at a time: agents get capacity 1, and each
	// resolve frees the slot the next waiting conversation takes.
	exec(b, f.owner, "UPDATE agents SET capacity = 1 WHERE user_id = ANY($1)", uuidArray(f.agents))
	for _, a := range f.agents {
		if err := n.svc.AgentFreed(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	var freed []time.Duration
	for round := 0; round < 2000; round++ {
		var id, who uuid.UUID
		err := f.owner.QueryRow("SELECT id, assignee_id FROM conversations WHERE status = 'open' AND assignee_id = ANY($1) LIMIT 1", uuidArray(f.agents)).Scan(&id, &who)
		if err != nil {
			break // nothing open: the backlog is served
		}
		exec(b, f.owner, "UPDATE conversations SET status = 'resolved' WHERE id = $1", id)
		start := time.Now()
		if err := n.svc.AgentFreed(ctx, who); err != nil {
			b.Fatal(err)
		}
		freed = append(freed, time.Since(start))
	}
	var left int
	_ = f.owner.QueryRow("SELECT count(*) FROM conversations WHERE status = 'queued'").Scan(&left)
	if left != 0 {
		b.Fatalf("%d conversations still wait after the drain", left)
	}
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		p := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
		b.ReportMetric(p(0.5), name+"-p50-ms")
		b.ReportMetric(p(0.99), name+"-p99-ms")
		fmt.Printf("routing %s at 1,000 queued: p50 %.2f ms, p99 %.2f ms (%d samples)\n", name, p(0.5), p(0.99), len(ds))
	}
	report("handoff→assign", handoff)
	report("free→assign", freed)
	for i := 0; i < b.N; i++ {
		// The figures above are the measurement; b.N iterations have nothing to repeat.
	}
}

func uuidArray(ids []uuid.UUID) string {
	s := "{"
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += id.String()
	}
	return s + "}"
}
