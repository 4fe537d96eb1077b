package conversation

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestRouteEntries(t *testing.T) {
	agent, other := uuid.New(), uuid.New()
	conv := func(st Status, who *uuid.UUID) *Conversation {
		return &Conversation{ID: uuid.New(), TenantID: uuid.New(), Status: st, AssigneeID: who}
	}
	jobs := func(before, after *Conversation) (route, freed int) {
		for _, e := range routeEntries(before, after, time.Now()) {
			var j RouteJob
			if e.Topic != TopicRoute || json.Unmarshal(e.Payload, &j) != nil {
				t.Fatalf("bad entry %+v", e)
			}
			if j.ConversationID != nil {
				route++
			}
			if j.AgentID != nil {
				freed++
			}
		}
		return
	}
	cases := []struct {
		name          string
		before, after *Conversation
		route, freed  int
	}{
		{"a new queued conversation is routed", nil, conv(StatusQueued, nil), 1, 0},
		{"a new bot conversation is not", nil, conv(StatusBot, nil), 0, 0},
		{"hand-off from the bot", conv(StatusBot, nil), conv(StatusQueued, nil), 1, 0},
		{"still waiting: nothing new", conv(StatusQueued, nil), conv(StatusQueued, nil), 0, 0},
		{"resolving frees the agent", conv(StatusOpen, &agent), conv(StatusResolved, &agent), 0, 1},
		{"unassigning queues it and frees the agent", conv(StatusOpen, &agent), conv(StatusQueued, nil), 1, 1},
		{"a transfer frees the first agent", conv(StatusOpen, &agent), conv(StatusOpen, &other), 0, 1},
		{"open to pending keeps the load", conv(StatusOpen, &agent), conv(StatusPending, &agent), 0, 0},
		{"a reopened resolved one is routed", conv(StatusResolved, &agent), conv(StatusQueued, nil), 1, 0},
	}
	for _, c := range cases {
		if r, f := jobs(c.before, c.after); r != c.route || f != c.freed {
			t.Errorf("%s: %d route and %d freed jobs, want %d and %d", c.name, r, f, c.route, c.freed)
		}
	}
}
