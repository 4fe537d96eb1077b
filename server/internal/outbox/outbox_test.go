package outbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/conversation/conversationdb"
	"github.com/kefu-io/kefu/server/internal/outbox"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

type publisher struct {
	mu   sync.Mutex
	fail bool
	got  []conversation.Event
}

func (p *publisher) Publish(_ context.Context, ev conversation.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail {
		return errors.New("redis is down")
	}
	p.got = append(p.got, ev)
	return nil
}

func (p *publisher) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got)
}

type enqueuer struct{}

func (enqueuer) EnqueueSend(context.Context, conversation.SendJob) error { return nil }
func (enqueuer) EnqueueBot(context.Context, conversation.BotJob) error   { return nil }

func pendingRows(t *testing.T, e *kefutest.Env, tid uuid.UUID) int {
	t.Helper()
	var n int64
	err := e.Main.DB.View(tenants.NewContext(context.Background(), tid), func(_ context.Context, tx *gorm.DB) error {
		return tx.Raw("SELECT count(*) FROM outbox WHERE tenant_id = ?", tid).Scan(&n).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// An effect that fails on the fast path is not lost: its row stays and the sweep runs
// it; one that succeeds has its row deleted.
func TestNothingCommittedIsLost(t *testing.T) {
	for _, b := range kefutest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := kefutest.Start(t, b.Materialize(t))
			a := e.Signup("Outbox Co", "owner@outbox.test")
			tid := uuid.MustParse(a.TenantID)
			ctx := tenants.NewContext(context.Background(), tid)
			store := &conversationdb.Store{DB: e.Main.DB}
			entry := func(text string) conversation.OutboxEntry {
				return conversation.OutboxEntry{ID: uuid.New(), TenantID: tid, Topic: conversation.TopicEvent, Created: time.Now().UTC(),
					Payload: []byte(`{"type":"typing","tenant_id":"` + tid.String() + `","conversation_id":"` + uuid.NewString() + `","from":"` + text + `"}`)}
			}
			pub := &publisher{fail: true}
			r := &outbox.Relay{DB: e.Main.DB, Publisher: pub, Enqueuer: enqueuer{}, Grace: time.Nanosecond, Sweep: time.Hour}
			r.Start()
			defer r.Close()

			down := []conversation.OutboxEntry{entry("a"), entry("b")}
			if err := store.AddOutbox(ctx, down...); err != nil {
				t.Fatal(err)
			}
			r.Wake(tid, down...) // Redis is down: nothing is published
			if pub.count() != 0 || pendingRows(t, e, tid) != 2 {
				t.Fatalf("after a failed wake: %d published, %d rows", pub.count(), pendingRows(t, e, tid))
			}
			pub.mu.Lock()
			pub.fail = false
			pub.mu.Unlock()
			if err := r.SweepOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			if pub.count() != 2 || pendingRows(t, e, tid) != 0 {
				t.Fatalf("after the sweep: %d published, %d rows", pub.count(), pendingRows(t, e, tid))
			}

			up := entry("c")
			if err := store.AddOutbox(ctx, up); err != nil {
				t.Fatal(err)
			}
			r.Wake(tid, up)
			if pub.count() != 3 {
				t.Fatalf("a wake with Redis up published %d events in all, want 3", pub.count())
			}
			deadline := time.Now().Add(10 * time.Second)
			for pendingRows(t, e, tid) != 0 {
				if time.Now().After(deadline) {
					t.Fatal("the published row was never deleted")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}
