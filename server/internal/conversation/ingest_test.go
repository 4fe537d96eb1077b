package conversation

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// touchedInbound is what the batch statement writes, so it must follow TouchInbound's
// rules (the one-message path); TestBatchStorePostgres compares the two on a database.
func TestTouchedInbound(t *testing.T) {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	resolvedAt := at.Add(-time.Hour)
	agent := uuid.New()
	for _, tc := range []struct {
		name       string
		status     Status
		assignee   *uuid.UUID
		resolvedAt *time.Time
		want       Status
	}{
		{"queued stays queued", StatusQueued, nil, nil, StatusQueued},
		{"open stays open", StatusOpen, &agent, nil, StatusOpen},
		{"bot stays with the bot", StatusBot, nil, nil, StatusBot},
		{"resolved and unassigned goes back to the queue", StatusResolved, nil, &resolvedAt, StatusQueued},
		// Its agent may have no room now: routing decides who takes it.
		{"resolved with its agent goes back to the queue", StatusResolved, &agent, &resolvedAt, StatusQueued},
		{"pending with its agent reopens", StatusPending, &agent, nil, StatusOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Conversation{ID: uuid.New(), Status: tc.status, AssigneeID: tc.assignee, ResolvedAt: tc.resolvedAt, Unread: 3,
				LastMessageAt: at.Add(-time.Minute), UpdatedAt: at.Add(-time.Minute), Preview: "before"}
			got := touchedInbound(c, at, "hello", 2)
			if got.Status != tc.want {
				t.Fatalf("status %s, want %s", got.Status, tc.want)
			}
			if got.Unread != 5 || got.Preview != "hello" || !got.LastMessageAt.Equal(at) || !got.UpdatedAt.Equal(at) {
				t.Fatalf("activity not applied: %+v", got)
			}
			if tc.status == StatusResolved && got.AssigneeID != nil {
				t.Fatalf("a reopened conversation keeps its former agent %v", got.AssigneeID)
			}
			if tc.status == StatusResolved && got.ResolvedAt != nil {
				t.Fatalf("a reopened conversation keeps resolved_at %v", got.ResolvedAt)
			}
			if tc.status != StatusResolved && (got.ResolvedAt == nil) != (tc.resolvedAt == nil) {
				t.Fatalf("resolved_at changed: %v", got.ResolvedAt)
			}
		})
	}
}
