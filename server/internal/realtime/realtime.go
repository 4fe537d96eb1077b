// Package realtime fans conversation events out to the websockets held by this node.
// Events travel through Redis pub/sub, one channel per tenant, so any node can serve
// any socket; a node subscribes only to the tenants its connected clients belong to.
//
// Each connection has one bounded queue drained by its own writer. A client too slow
// to keep up is not allowed to slow the others: its queue is dropped and it is sent a
// "resync" frame, which tells it to refetch instead of silently missing events.
package realtime

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/kefu-io/kefu/server/internal/conversation"
)

const channelPrefix = "kefu:rt:"

// QueueSize bounds each connection's pending frames.
const QueueSize = 256

// Hub is this node's fan-out point.
type Hub struct {
	rdb redis.UniversalClient
	log *slog.Logger
	ps  *redis.PubSub

	mu    sync.Mutex
	subs  map[uuid.UUID]map[*Conn]struct{}
	done  chan struct{}
	count atomic.Int64
}

// New starts a hub on Redis.
func New(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger) (*Hub, error) {
	if log == nil {
		log = slog.Default()
	}
	h := &Hub{rdb: rdb, log: log, subs: map[uuid.UUID]map[*Conn]struct{}{}, done: make(chan struct{})}
	// A subscription to a channel no tenant uses keeps the connection in subscriber
	// mode, so later Subscribe calls need no round trip to establish it.
	h.ps = rdb.Subscribe(ctx, channelPrefix+"hub")
	if _, err := h.ps.Receive(ctx); err != nil {
		_ = h.ps.Close()
		return nil, fmt.Errorf("realtime: subscribe: %w", err)
	}
	go h.loop()
	return h, nil
}

// Close stops the hub and closes every connection's queue.
func (h *Hub) Close() error {
	err := h.ps.Close()
	<-h.done
	return err
}

// Connections is the number of live connections on this node.
func (h *Hub) Connections() int64 { return h.count.Load() }

// Publish sends an event to every node (implements outbox.Publisher).
func (h *Hub) Publish(ctx context.Context, ev conversation.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return h.rdb.Publish(ctx, channelPrefix+ev.TenantID.String(), b).Err()
}

func (h *Hub) loop() {
	defer close(h.done)
	for m := range h.ps.Channel(redis.WithChannelSize(4096)) {
		tid, err := uuid.Parse(strings.TrimPrefix(m.Channel, channelPrefix))
		if err != nil {
			continue
		}
		var ev conversation.Event
		if err := json.Unmarshal([]byte(m.Payload), &ev); err != nil {
			h.log.Warn("realtime: undecodable event", "err", err)
			continue
		}
		if ev.TenantID != tid {
			continue // never deliver an event under another tenant's channel
		}
		payload := []byte(m.Payload)
		h.mu.Lock()
		conns := make([]*Conn, 0, len(h.subs[tid]))
		for c := range h.subs[tid] {
			conns = append(conns, c)
		}
		h.mu.Unlock()
		for _, c := range conns {
			if frame := c.filter(&ev, payload); frame != nil {
				c.push(frame)
			}
		}
	}
	h.mu.Lock()
	for _, cs := range h.subs {
		for c := range cs {
			c.shutdown()
		}
	}
	h.mu.Unlock()
}

// Conn is one client's subscription. Frames arrive on C; Close unsubscribes.
type Conn struct {
	hub     *Hub
	tenants []uuid.UUID
	filter  func(*conversation.Event, []byte) []byte
	q       chan []byte
	// behind is set when frames were dropped; the writer sends a resync first.
	behind atomic.Bool
	closed atomic.Bool
	once   sync.Once
	unsub  sync.Once
	// Done is closed when the hub shuts the connection down.
	Done chan struct{}
}

// ResyncFrame tells a client it missed events and must refetch.
var ResyncFrame = []byte(`{"type":"resync"}`)

// Subscribe registers a connection for the given tenants. accept filters each event
// (authorisation, conversation scope); it runs on the hub's goroutine and must be fast.
func (h *Hub) Subscribe(ctx context.Context, tenantIDs []uuid.UUID, accept func(*conversation.Event) bool) (*Conn, error) {
	return h.SubscribeFunc(ctx, tenantIDs, func(ev *conversation.Event, raw []byte) []byte {
		if accept == nil || accept(ev) {
			return raw
		}
		return nil
	})
}

// SubscribeFunc is Subscribe for clients that must not see events as they are (web
// visitors): filter returns the frame to send for an event, or nil to skip it. It
// runs on the hub's goroutine and must be fast.
func (h *Hub) SubscribeFunc(ctx context.Context, tenantIDs []uuid.UUID, filter func(ev *conversation.Event, raw []byte) []byte) (*Conn, error) {
	c := &Conn{hub: h, tenants: tenantIDs, filter: filter, q: make(chan []byte, QueueSize), Done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	var fresh []string
	for _, t := range tenantIDs {
		if h.subs[t] == nil {
			h.subs[t] = map[*Conn]struct{}{}
			fresh = append(fresh, channelPrefix+t.String())
		}
		h.subs[t][c] = struct{}{}
	}
	h.count.Add(1)
	// Under the lock, so a concurrent last-leaver's UNSUBSCRIBE cannot overtake it.
	if len(fresh) > 0 {
		if err := h.ps.Subscribe(ctx, fresh...); err != nil {
			h.removeLocked(c)
			return nil, fmt.Errorf("realtime: subscribe: %w", err)
		}
	}
	return c, nil
}

// C yields frames to write, in order.
func (c *Conn) C() <-chan []byte { return c.q }

// Behind reports (and clears) that frames were dropped since the last call.
func (c *Conn) Behind() bool { return c.behind.Swap(false) }

// Send queues a frame that does not come from Redis (an ack, a pong).
func (c *Conn) Send(frame []byte) { c.push(frame) }

func (c *Conn) push(frame []byte) {
	if c.closed.Load() {
		return
	}
	select {
	case c.q <- frame:
	default:
		// Drain what is queued: the client refetches anyway, and keeping stale
		// frames would only delay the resync.
		for {
			select {
			case <-c.q:
				continue
			default:
			}
			break
		}
		c.behind.Store(true)
		select {
		case c.q <- ResyncFrame:
		default:
		}
	}
}

func (c *Conn) shutdown() {
	c.once.Do(func() {
		c.closed.Store(true)
		close(c.Done)
	})
}

// Close unsubscribes the connection.
func (c *Conn) Close() {
	h := c.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(c)
}

func (h *Hub) removeLocked(c *Conn) {
	c.unsub.Do(func() {
		h.count.Add(-1)
		var stale []string
		for _, t := range c.tenants {
			if cs, ok := h.subs[t]; ok {
				if _, mine := cs[c]; !mine {
					continue
				}
				delete(cs, c)
				if len(cs) == 0 {
					delete(h.subs, t)
					stale = append(stale, channelPrefix+t.String())
				}
			}
		}
		if len(stale) > 0 {
			_ = h.ps.Unsubscribe(context.Background(), stale...)
		}
	})
	c.shutdown()
}

// presenceTTL is how long an agent counts as online after their socket's last beat.
const presenceTTL = 90 * time.Second

func presenceKey(tenant uuid.UUID) string { return "kefu:presence:" + tenant.String() }

// Touch marks a user online in the given tenants (an agent socket beats every ping).
func (h *Hub) Touch(ctx context.Context, tenantIDs []uuid.UUID, userID uuid.UUID) error {
	now := float64(time.Now().Unix())
	pipe := h.rdb.Pipeline()
	for _, t := range tenantIDs {
		pipe.ZAdd(ctx, presenceKey(t), redis.Z{Score: now, Member: userID.String()})
		pipe.Expire(ctx, presenceKey(t), 2*presenceTTL)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// Online reports whether any agent of the tenant has a live console.
func (h *Hub) Online(ctx context.Context, tenantID uuid.UUID) (bool, error) {
	min := strconv.FormatInt(time.Now().Add(-presenceTTL).Unix(), 10)
	n, err := h.rdb.ZCount(ctx, presenceKey(tenantID), min, "+inf").Result()
	return n > 0, err
}
