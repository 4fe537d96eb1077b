package authz

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

const testChannel = "kefu:authz:test"

func newRedisClient(t *testing.T, mr *miniredis.Miniredis) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newWatcher(t *testing.T, mr *miniredis.Miniredis, onChange func(uuid.UUID), opts ...WatcherOption) *RedisWatcher {
	t.Helper()
	w, err := NewRedisWatcher(context.Background(), newRedisClient(t, mr), testChannel, onChange, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// TestWatcherPropagatesChanges runs two "processes" on one database.
func TestWatcherPropagatesChanges(t *testing.T) {
	mr := miniredis.RunT(t)
	src := newFakeSource()
	tenant, alice := uuid.New(), newUser()
	src.assign(tenant, alice, RoleAgent)

	var enforcers [2]*Enforcer
	for i := range enforcers {
		e := newEnforcer(t, src, Options{})
		e.SetPublisher(newWatcher(t, mr, e.Invalidate, OnResync(e.InvalidateAll)))
		enforcers[i] = e
	}
	e1, e2 := enforcers[0], enforcers[1]
	ctx := context.Background()

	steps := []struct {
		name   string
		policy TenantPolicy
		want   bool
	}{
		{"promote to admin", TenantPolicy{Assignments: []Assignment{{alice, RoleAdmin}}}, true},
		{"remove from tenant", TenantPolicy{}, false},
	}
	for _, s := range steps {
		before := allowed(t, e2, tenant, alice, MembersManage)
		src.set(tenant, s.policy)
		if got, want := allowed(t, e2, tenant, alice, MembersManage), before; got != want {
			t.Fatalf("%s: #2 before Changed = %v, want %v (cached)", s.name, got, want)
		}
		if err := e1.Changed(ctx, tenant); err != nil {
			t.Fatal(err)
		}
		if got, want := allowed(t, e1, tenant, alice, MembersManage), s.want; got != want {
			t.Errorf("%s: #1 = %v, want %v", s.name, got, want)
		}
		waitFor(t, s.name+" to reach #2", func() bool {
			return allowed(t, e2, tenant, alice, MembersManage) == s.want
		})
	}
}

func TestWatcherIgnoresItsOwnMessages(t *testing.T) {
	mr := miniredis.RunT(t)
	var mu sync.Mutex
	var got []uuid.UUID
	w1 := newWatcher(t, mr, func(id uuid.UUID) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, id)
	})
	w2 := newWatcher(t, mr, func(uuid.UUID) {})

	own, marker := uuid.New(), uuid.New()
	ctx := context.Background()
	if err := w1.Publish(ctx, own); err != nil {
		t.Fatal(err)
	}
	// Redis delivers one channel's messages in order, so once w1 has seen
	// w2's marker it has also seen, and dropped, its own message.
	if err := w2.Publish(ctx, marker); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the marker", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != marker {
		t.Errorf("w1 received %v, want only the marker %v", got, marker)
	}
}

func TestWatcherResyncsAfterReconnect(t *testing.T) {
	mr := miniredis.RunT(t)
	var resyncs atomic.Int64
	var changes atomic.Int64
	newWatcher(t, mr, func(uuid.UUID) { changes.Add(1) }, OnResync(func() { resyncs.Add(1) }))
	if got, want := resyncs.Load(), int64(0); got != want {
		t.Fatalf("resyncs after subscribing = %d, want %d", got, want)
	}

	mr.Close()
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a resync after the reconnect", func() bool { return resyncs.Load() > 0 })

	// The resubscription works: new messages arrive again.
	other := newWatcher(t, mr, func(uuid.UUID) {})
	if err := other.Publish(context.Background(), uuid.New()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a change after the reconnect", func() bool { return changes.Load() > 0 })
}

func TestWatcherResyncsOnUndecodableMessage(t *testing.T) {
	mr := miniredis.RunT(t)
	var resyncs, changes atomic.Int64
	newWatcher(t, mr, func(uuid.UUID) { changes.Add(1) }, OnResync(func() { resyncs.Add(1) }))
	for _, payload := range []string{"garbage", `{"tenant":"*","origin":"x"}`, `{"tenant":"` + uuid.Nil.String() + `","origin":"x"}`, `{"tenant":"` + uuid.NewString() + `"}`} {
		mr.Publish(testChannel, payload)
	}
	waitFor(t, "four resyncs", func() bool { return resyncs.Load() == 4 })
	if got, want := changes.Load(), int64(0); got != want {
		t.Errorf("changes = %d, want %d", got, want)
	}
}

func TestNewRedisWatcherFailsWithoutRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	client := newRedisClient(t, mr)
	mr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := NewRedisWatcher(ctx, client, testChannel, func(uuid.UUID) {}); err == nil {
		t.Error("NewRedisWatcher error = nil, want an error")
	}
}

func TestNewRedisWatcherValidates(t *testing.T) {
	mr := miniredis.RunT(t)
	client := newRedisClient(t, mr)
	ctx := context.Background()
	if _, err := NewRedisWatcher(ctx, nil, testChannel, func(uuid.UUID) {}); err == nil {
		t.Error("nil client: error = nil, want an error")
	}
	if _, err := NewRedisWatcher(ctx, client, "", func(uuid.UUID) {}); err == nil {
		t.Error("empty channel: error = nil, want an error")
	}
	if _, err := NewRedisWatcher(ctx, client, testChannel, nil); err == nil {
		t.Error("nil onChange: error = nil, want an error")
	}
	w := newWatcher(t, mr, func(uuid.UUID) {})
	if err := w.Publish(ctx, uuid.Nil); err == nil {
		t.Error("Publish(zero tenant) error = nil, want an error")
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
