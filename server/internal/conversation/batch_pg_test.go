package conversation_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/conversation/conversationdb"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// The batch path on PostgreSQL, below the service: what CommitInbound writes, what
// makes it write nothing, and that its pipelined transaction leaves no tenant scope on
// the pooled connection.
func TestBatchStorePostgres(t *testing.T) {
	// One connection: the scope check below must see the batch's own connection.
	_, owner, app := kefutest.MigratedPostgres(t, 1)
	bg := context.Background()
	tid, chID := uuid.New(), uuid.New()
	now := time.Now().UTC().Truncate(time.Microsecond)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES ($1, 'Batch', $2, $3, $3)`, []any{tid, "batch-" + tid.String()[:8], now}},
		{`INSERT INTO channels (tenant_id, id, connector, name, created_at, updated_at) VALUES ($1, $2, 'web', 'Web', $3, $3)`, []any{tid, chID, now}},
	} {
		if _, err := owner.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	st := &conversationdb.Store{DB: app}
	ctx := tenants.NewContext(bg, tid)
	agent := uuid.New()
	if _, err := owner.Exec(`INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, 'Agent', '', $3, $3)`,
		agent, agent.String()[:8]+"@batch.test", now); err != nil {
		t.Fatal(err)
	}
	seq := 0
	// thread makes a contact with a conversation in the given state, on the one-message path.
	thread := func(status conversation.Status, assignee *uuid.UUID, resolved bool) (conversation.Contact, conversation.Conversation) {
		t.Helper()
		seq++
		at := now.Add(-time.Hour)
		c := conversation.Contact{ID: uuid.New(), TenantID: tid, Email: "known@batch.test", CreatedAt: at}
		if err := st.CreateContact(ctx, &c, conversation.Identity{ChannelID: chID, ExternalID: uuid.NewString()}); err != nil {
			t.Fatal(err)
		}
		v := conversation.Conversation{ID: uuid.New(), TenantID: tid, ChannelID: chID, ContactID: c.ID, Status: status,
			AssigneeID: assignee, LastMessageAt: at, Preview: "before", Unread: 2, CreatedAt: at, UpdatedAt: at}
		if resolved {
			v.ResolvedAt = &at
		}
		if err := st.CreateConversation(ctx, &v); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetConversation(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		return c, got
	}
	msg := func(c conversation.Contact, v conversation.Conversation, ext string) *conversation.Message {
		id := c.ID
		return &conversation.Message{ID: uuid.New(), TenantID: tid, ConversationID: v.ID, ChannelID: chID, Direction: conversation.In,
			SenderType: conversation.SenderContact, SenderID: &id, Type: "text", Text: "hi", ExternalID: ext,
			Status: conversation.DeliveryReceived, CreatedAt: now, UpdatedAt: now}
	}
	commit := func(b conversation.InboundBatch) error {
		return st.Batch(ctx, func(ctx context.Context, tx conversation.BatchTx) error {
			if _, err := tx.Threads(ctx, []conversation.SenderKey{{ChannelID: chID, ExternalID: "nobody"}}); err != nil {
				return err
			}
			return tx.CommitInbound(ctx, b)
		})
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := owner.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	same := func(a, b conversation.Conversation) bool {
		return a.Status == b.Status && a.Unread == b.Unread && a.Preview == b.Preview && a.LastMessageAt.Equal(b.LastMessageAt) &&
			a.UpdatedAt.Equal(b.UpdatedAt) && (a.ResolvedAt == nil) == (b.ResolvedAt == nil) &&
			(a.AssigneeID == nil) == (b.AssigneeID == nil)
	}

	t.Run("writes the prediction, which is what the one-message path stores", func(t *testing.T) {
		for _, tc := range []struct {
			status   conversation.Status
			assignee *uuid.UUID
			resolved bool
		}{
			{conversation.StatusQueued, nil, false}, {conversation.StatusOpen, &agent, false}, {conversation.StatusBot, nil, false},
			{conversation.StatusResolved, nil, true}, {conversation.StatusResolved, &agent, true}, {conversation.StatusPending, &agent, false},
		} {
			_, single := thread(tc.status, tc.assignee, tc.resolved)
			want, err := st.TouchInbound(ctx, single.ID, now, "hi")
			if err != nil {
				t.Fatal(err)
			}
			c, v := thread(tc.status, tc.assignee, tc.resolved)
			next := conversation.TouchedInbound(v, now, "hi", 1)
			if err := commit(conversation.InboundBatch{Messages: []*conversation.Message{msg(c, v, uuid.NewString())},
				Touches: []conversation.InboundTouch{{Was: v, Now: next}}}); err != nil {
				t.Fatalf("%s: %v", tc.status, err)
			}
			got, err := st.GetConversation(ctx, v.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !same(got, next) || !got.UpdatedAt.Equal(next.UpdatedAt) {
				t.Fatalf("%s: stored %+v, predicted %+v", tc.status, got, next)
			}
			if !same(got, want) {
				t.Fatalf("%s: batch stored %+v, the one-message path %+v", tc.status, got, want)
			}
		}
	})

	t.Run("a conversation changed since it was read fails the batch and writes nothing", func(t *testing.T) {
		c, v := thread(conversation.StatusQueued, nil, false)
		changed := v
		changed.AssigneeID, changed.Status, changed.UpdatedAt = &agent, conversation.StatusOpen, now
		if err := st.UpdateConversation(ctx, &changed); err != nil {
			t.Fatal(err)
		}
		outbox := count(`SELECT count(*) FROM outbox`)
		err := commit(conversation.InboundBatch{Messages: []*conversation.Message{msg(c, v, uuid.NewString())},
			Touches: []conversation.InboundTouch{{Was: v, Now: conversation.TouchedInbound(v, now, "hi", 1)}},
			Outbox:  []conversation.OutboxEntry{{ID: uuid.New(), TenantID: tid, Topic: "t", Payload: []byte(`{}`), Created: now}}})
		if !errors.Is(err, conversation.ErrBatchConflict) {
			t.Fatalf("got %v, want ErrBatchConflict", err)
		}
		if n := count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, v.ID); n != 0 {
			t.Fatalf("%d messages stored", n)
		}
		if n := count(`SELECT count(*) FROM outbox`); n != outbox {
			t.Fatalf("outbox went from %d to %d rows", outbox, n)
		}
		got, _ := st.GetConversation(ctx, v.ID)
		if got.Unread != v.Unread || got.Status != conversation.StatusOpen {
			t.Fatalf("conversation touched: %+v", got)
		}
	})

	t.Run("a message stored before fails the batch and writes nothing", func(t *testing.T) {
		c, v := thread(conversation.StatusQueued, nil, false)
		next := conversation.TouchedInbound(v, now, "hi", 1)
		if err := commit(conversation.InboundBatch{Messages: []*conversation.Message{msg(c, v, "dup")},
			Touches: []conversation.InboundTouch{{Was: v, Now: next}}}); err != nil {
			t.Fatal(err)
		}
		again := conversation.TouchedInbound(next, now.Add(time.Second), "hi", 2)
		err := commit(conversation.InboundBatch{Messages: []*conversation.Message{msg(c, v, "dup"), msg(c, v, "new")},
			Touches: []conversation.InboundTouch{{Was: next, Now: again}}})
		if !errors.Is(err, conversation.ErrBatchConflict) {
			t.Fatalf("got %v, want ErrBatchConflict", err)
		}
		if n := count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, v.ID); n != 1 {
			t.Fatalf("%d messages stored, want the first one only", n)
		}
		if got, _ := st.GetConversation(ctx, v.ID); got.Unread != next.Unread {
			t.Fatalf("unread %d, want %d", got.Unread, next.Unread)
		}
	})

	t.Run("a conversation another transaction holds locked fails the batch instead of waiting", func(t *testing.T) {
		c, v := thread(conversation.StatusQueued, nil, false)
		holder, err := owner.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer holder.Rollback()
		if _, err := holder.Exec(`SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE`, v.ID); err != nil {
			t.Fatal(err)
		}
		err = commit(conversation.InboundBatch{Messages: []*conversation.Message{msg(c, v, uuid.NewString())},
			Touches: []conversation.InboundTouch{{Was: v, Now: conversation.TouchedInbound(v, now, "hi", 1)}}})
		if !errors.Is(err, conversation.ErrBatchConflict) {
			t.Fatalf("got %v, want ErrBatchConflict (lock timeout)", err)
		}
		_ = holder.Rollback()
		if n := count(`SELECT count(*) FROM messages WHERE conversation_id = $1`, v.ID); n != 0 {
			t.Fatalf("%d messages stored", n)
		}
	})

	t.Run("fills only a contact's empty fields", func(t *testing.T) {
		c, v := thread(conversation.StatusQueued, nil, false)
		err := commit(conversation.InboundBatch{Messages: []*conversation.Message{msg(c, v, uuid.NewString())},
			Touches: []conversation.InboundTouch{{Was: v, Now: conversation.TouchedInbound(v, now, "hi", 1)}},
			Fills:   []conversation.ContactFill{{ContactID: c.ID, Name: "Wang Fang", Email: "other@batch.test", At: now}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.GetContact(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Wang Fang" || got.Email != "known@batch.test" {
			t.Fatalf("contact %q <%s>, want the name filled and the email kept", got.Name, got.Email)
		}
	})

	t.Run("leaves no transaction or tenant scope on the connection", func(t *testing.T) {
		_ = st.Batch(ctx, func(ctx context.Context, tx conversation.BatchTx) error {
			if _, err := tx.Threads(ctx, []conversation.SenderKey{{ChannelID: chID, ExternalID: "nobody"}}); err != nil {
				return err
			}
			return errors.New("give up after the first statement")
		})
		var scope []struct{ T, U, L string }
		if err := app.SQLRows(bg, &scope, `SELECT current_setting('app.tenant_id', true) AS t, current_setting('app.user_id', true) AS u, current_setting('lock_timeout') AS l`); err != nil {
			t.Fatal(err)
		}
		if len(scope) != 1 || scope[0].T != "" || scope[0].U != "" || scope[0].L != "0" {
			t.Fatalf("the pooled connection kept a scope: %+v", scope)
		}
		var rows []struct{ N int }
		if err := app.SQLRows(bg, &rows, `SELECT count(*) AS n FROM conversations`); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].N != 0 {
			t.Fatalf("without a scope row-level security must hide every conversation, saw %+v", rows)
		}
	})
}
