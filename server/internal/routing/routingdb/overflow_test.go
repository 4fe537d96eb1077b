package routingdb_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/routing"
	"github.com/kefu-io/kefu/tenants"
)

// TestOverflow: conversations that wait past their team's overflow time move to the
// overflow team once (never back, even when that team overflows into the first), and
// a team without an overflow team turns them into left messages, out of the live
// queue.
func TestOverflow(t *testing.T) {
	f := newFixture(t, 1, 6, 0) // nobody has room: everything waits
	tid, teamA, teamB := f.tenants[0], f.teams[0], uuid.New()
	now := time.Now().UTC()
	exec(t, f.owner, "INSERT INTO teams (tenant_id, id, name, strategy, created_at, updated_at) VALUES ($1, $2, 'Overflow', 'round_robin', $3, $3)", tid, teamB, now)
	setOverflow := func(team uuid.UUID, after int, to *uuid.UUID) {
		t.Helper()
		js := `{"overflow_after_minutes":` + itoa(after) + `,"overflow_team_id":null}`
		if to != nil {
			js = `{"overflow_after_minutes":` + itoa(after) + `,"overflow_team_id":"` + to.String() + `"}`
		}
		exec(t, f.owner, "UPDATE teams SET settings = $1 WHERE id = $2", js, team)
	}
	setOverflow(teamA, 1, &teamB)
	setOverflow(teamB, 1, &teamA) // a cycle: each conversation still moves only once

	n := f.node(t, &recorder{})
	f.routeAll(t, []node{n})
	count := func(q string, args ...any) int {
		t.Helper()
		var c int
		if err := f.owner.QueryRow(q, args...).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := count("SELECT count(*) FROM conversations WHERE team_id = $1 AND status = 'queued'", teamA); c != 6 {
		t.Fatalf("%d wait in team A after routing, want 6", c)
	}
	at := func(d time.Duration) *routing.Service {
		svc := *n.svc
		svc.Now = func() time.Time { return now.Add(d) }
		return &svc
	}
	ctx := context.Background()
	// Not yet due: nothing moves.
	if err := at(30 * time.Second).Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if c := count("SELECT count(*) FROM conversations WHERE team_id = $1", teamA); c != 6 {
		t.Fatalf("%d left team A before their overflow time", 6-c)
	}
	if err := at(2 * time.Minute).Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if c := count("SELECT count(*) FROM conversations WHERE team_id = $1 AND overflowed_at IS NOT NULL", teamB); c != 6 {
		t.Fatalf("%d moved to team B, want 6", c)
	}
	// B overflows back into A, but these already overflowed once in this queue entry.
	if err := at(10 * time.Minute).Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if c := count("SELECT count(*) FROM conversations WHERE team_id = $1", teamB); c != 6 {
		t.Fatalf("conversations bounced back: %d still in team B, want 6", c)
	}
	// B without an overflow team: its overdue conversations become left messages.
	setOverflow(teamB, 1, nil)
	if err := at(11 * time.Minute).Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if c := count("SELECT count(*) FROM conversations WHERE left_message_at IS NOT NULL AND status = 'queued'"); c != 6 {
		t.Fatalf("%d became left messages, want 6", c)
	}
	tctx := tenants.NewContext(ctx, tid)
	o, err := n.svc.Overview(tctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Items) != 0 || len(o.Queues) != 0 || o.LeftMessages != 6 {
		t.Errorf("overview: %d waiting in %d queues, %d left messages; want 0, 0, 6", len(o.Items), len(o.Queues), o.LeftMessages)
	}
	// A left message is out of the live queue: an agent with room is not given it.
	exec(t, f.owner, "UPDATE agents SET capacity = 5")
	for _, a := range f.agents {
		if err := n.svc.AgentFreed(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if c := count("SELECT count(*) FROM conversations WHERE assignee_id IS NOT NULL"); c != 0 {
		t.Errorf("%d left messages were routed to agents", c)
	}
	// Entering the queue again (an agent unassigns one it took) clears the marks.
	cv := f.convs[0][0]
	exec(t, f.owner, "UPDATE conversations SET status = 'open', assignee_id = $1 WHERE id = $2", f.agents[0], cv)
	exec(t, f.owner, "UPDATE conversations SET status = 'queued', assignee_id = NULL WHERE id = $1", cv)
	if c := count("SELECT count(*) FROM conversations WHERE id = $1 AND left_message_at IS NULL AND overflowed_at IS NULL", cv); c != 1 {
		t.Errorf("re-entering the queue kept the overflow marks")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
