package authz

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// RedisWatcher carries "this tenant's authorization data changed" messages
// between kefu processes over Redis pub/sub. Wire it as
//
//	w, err := authz.NewRedisWatcher(ctx, rdb, "kefu:authz", enf.Invalidate,
//		authz.OnResync(enf.InvalidateAll))
//	enf.SetPublisher(w)
//
// and call enf.Changed after committing a change to roles or assignments.
//
// Propagation bound: normally the other processes drop the tenant within the
// pub/sub round trip (milliseconds) and reload it on their next check. Pub/sub
// delivers at most once, so messages published while a subscriber is
// disconnected are lost; go-redis reconnects and resubscribes by itself, and
// the resubscription triggers OnResync, which should drop every tenant. A
// message lost in any other way (Publish failing, a process not subscribed
// yet) is covered only by Options.TTL, the worst-case bound.
type RedisWatcher struct {
	client   redis.UniversalClient
	channel  string
	origin   string
	onChange func(uuid.UUID)
	onResync func()
	pubsub   *redis.PubSub
	done     chan struct{}

	closeOnce sync.Once
	closeErr  error
}

var _ Publisher = (*RedisWatcher)(nil)

// WatcherOption configures a RedisWatcher.
type WatcherOption func(*RedisWatcher)

// OnResync sets the function called when changes may have been missed: after
// go-redis re-established a dropped subscription, and on a message that
// cannot be decoded. It should invalidate every tenant (Enforcer.InvalidateAll).
func OnResync(fn func()) WatcherOption {
	return func(w *RedisWatcher) { w.onResync = fn }
}

// watcherMessage is the payload on the channel. Origin identifies the
// publishing watcher, which has already invalidated its own process.
type watcherMessage struct {
	Tenant uuid.UUID `json:"tenant"`
	Origin string    `json:"origin"`
}

// subscribeTimeout bounds the wait for the subscription confirmation when ctx
// has no earlier deadline, so a hung Redis cannot hang startup.
const subscribeTimeout = 10 * time.Second

// NewRedisWatcher subscribes to channel and calls onChange with the tenant of
// every change published by another watcher. It returns once Redis has
// confirmed the subscription, so changes published after it returns are
// received.
func NewRedisWatcher(ctx context.Context, client redis.UniversalClient, channel string, onChange func(tenantID uuid.UUID), opts ...WatcherOption) (*RedisWatcher, error) {
	if client == nil || channel == "" || onChange == nil {
		return nil, errors.New("authz: NewRedisWatcher needs a client, a channel and onChange")
	}
	w := &RedisWatcher{
		client:   client,
		channel:  channel,
		origin:   uuid.NewString(),
		onChange: onChange,
		done:     make(chan struct{}),
	}
	for _, opt := range opts {
		opt(w)
	}

	ctx, cancel := context.WithTimeout(ctx, subscribeTimeout)
	defer cancel()
	ps := client.Subscribe(ctx, channel)
	for {
		msg, err := ps.Receive(ctx)
		if err != nil {
			_ = ps.Close()
			return nil, fmt.Errorf("authz: subscribing to %q: %w", channel, err)
		}
		if s, ok := msg.(*redis.Subscription); ok && s.Kind == "subscribe" && s.Channel == channel {
			break
		}
	}
	w.pubsub = ps
	// Unlike Channel, ChannelWithSubscriptions also delivers the confirmation
	// of every resubscription after a reconnect, which is how lost messages
	// are detected.
	go w.run(ps.ChannelWithSubscriptions())
	return w, nil
}

func (w *RedisWatcher) run(msgs <-chan any) {
	defer close(w.done)
	for m := range msgs {
		switch m := m.(type) {
		case *redis.Subscription:
			// The initial confirmation was consumed by NewRedisWatcher, so
			// this is a resubscription after a reconnect.
			if m.Kind == "subscribe" {
				w.resync()
			}
		case *redis.Message:
			w.handle(m.Payload)
		}
	}
}

func (w *RedisWatcher) handle(payload string) {
	var msg watcherMessage
	if err := json.Unmarshal([]byte(payload), &msg); err != nil || msg.Tenant == uuid.Nil || msg.Origin == "" {
		// Something changed but we cannot tell what, e.g. a newer kefu
		// speaking another format: assume everything did.
		w.resync()
		return
	}
	if msg.Origin == w.origin {
		return
	}
	w.onChange(msg.Tenant)
}

func (w *RedisWatcher) resync() {
	if w.onResync != nil {
		w.onResync()
	}
}

// Publish announces that the tenant's authorization data changed. Other
// processes' watchers call their onChange; this one ignores its own message.
func (w *RedisWatcher) Publish(ctx context.Context, tenantID uuid.UUID) error {
	if tenantID == uuid.Nil {
		return errors.New("authz: publishing a change of the zero tenant ID")
	}
	payload, err := json.Marshal(watcherMessage{Tenant: tenantID, Origin: w.origin})
	if err != nil {
		return err
	}
	if err := w.client.Publish(ctx, w.channel, payload).Err(); err != nil {
		return fmt.Errorf("authz: publishing change of tenant %s: %w", tenantID, err)
	}
	return nil
}

// Close unsubscribes and waits until no more callbacks run. It does not close
// the Redis client.
func (w *RedisWatcher) Close() error {
	w.closeOnce.Do(func() {
		w.closeErr = w.pubsub.Close()
		<-w.done
	})
	return w.closeErr
}
