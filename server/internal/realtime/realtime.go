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
	"errors"
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

// QueueSize bounds the pending frames of a connection that sees every event of its
// tenants (a console): a busy workspace sends a few thousand a second, and a GC pause
// or a slow network must not turn that into a resync. KeyedQueueSize bounds a keyed
// one's (a visitor's own conversation), which sees a few: the buffer is allocated
// per connection, and a thousand visitors must not each hold a console's.
const (
	QueueSize      = 1024
	KeyedQueueSize = 64
)

// Hub is this node's fan-out point.
type Hub struct {
	rdb redis.UniversalClient
	log *slog.Logger
	ps  *redis.PubSub

	mu   sync.Mutex
	subs map[uuid.UUID]map[*Conn]struct{}
	// index routes a tenant's events: key "" holds connections that see every event
	// (agents, filtered per event), other keys connections that see only events
	// routed to them (a visitor's conversation), so a thousand visitors' sockets cost
	// an event nothing but a map lookup.
	index map[uuid.UUID]map[string]map[*Conn]struct{}
	done  chan struct{}
	count atomic.Int64
}

// New starts a hub on Redis.
func New(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger) (*Hub, error) {
	if log == nil {
		log = slog.Default()
	}
	h := &Hub{rdb: rdb, log: log, subs: map[uuid.UUID]map[*Conn]struct{}{},
		index: map[uuid.UUID]map[string]map[*Conn]struct{}{}, done: make(chan struct{})}
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

// PublishRaw sends one tenant's encoded events in one pipeline (implements
// outbox.RawPublisher). Subscribers check each event's tenant against the channel.
func (h *Hub) PublishRaw(ctx context.Context, tenantID uuid.UUID, payloads [][]byte) error {
	ch := channelPrefix + tenantID.String()
	if len(payloads) == 1 {
		return h.rdb.Publish(ctx, ch, payloads[0]).Err()
	}
	_, err := h.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, b := range payloads {
			p.Publish(ctx, ch, b)
		}
		return nil
	})
	return err
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
		idx := h.index[tid]
		wide, byConv := idx[""], idx[ConversationKey(ev.ConversationID)]
		var byFrom map[*Conn]struct{}
		if ev.From != "" {
			byFrom = idx[FromKey(ev.From)]
		}
		conns := make([]*Conn, 0, len(wide)+len(byConv)+len(byFrom))
		for c := range wide {
			conns = append(conns, c)
		}
		for c := range byConv {
			conns = append(conns, c)
		}
		for c := range byFrom {
			if _, dup := byConv[c]; !dup {
				conns = append(conns, c)
			}
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

// ConversationKey routes a conversation's events to a keyed subscription.
func ConversationKey(id uuid.UUID) string { return "conv:" + id.String() }

// FromKey routes events whose From is s (a visitor's visitor.bound) to a keyed
// subscription.
func FromKey(s string) string { return "from:" + s }

// Conn is one client's subscription. Frames arrive on C; Close unsubscribes.
type Conn struct {
	hub     *Hub
	tenants []uuid.UUID
	keys    []string // nil: every event of its tenants
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
	return h.subscribe(ctx, tenantIDs, nil, filter)
}

// SubscribeKeys registers a connection for the events of one tenant routed to keys
// (ConversationKey, FromKey); filter still decides what each becomes. SetKeys moves it.
func (h *Hub) SubscribeKeys(ctx context.Context, tenantID uuid.UUID, keys []string, filter func(ev *conversation.Event, raw []byte) []byte) (*Conn, error) {
	if keys == nil {
		keys = []string{}
	}
	return h.subscribe(ctx, []uuid.UUID{tenantID}, keys, filter)
}

func (h *Hub) subscribe(ctx context.Context, tenantIDs []uuid.UUID, keys []string, filter func(ev *conversation.Event, raw []byte) []byte) (*Conn, error) {
	size := QueueSize
	if keys != nil {
		size = KeyedQueueSize
	}
	c := &Conn{hub: h, tenants: tenantIDs, keys: keys, filter: filter, q: make(chan []byte, size), Done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	var fresh []string
	for _, t := range tenantIDs {
		if h.subs[t] == nil {
			h.subs[t] = map[*Conn]struct{}{}
			fresh = append(fresh, channelPrefix+t.String())
		}
		h.subs[t][c] = struct{}{}
		h.indexLocked(t, c, true)
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

func (h *Hub) indexLocked(t uuid.UUID, c *Conn, add bool) {
	keys := c.keys
	if keys == nil {
		keys = []string{""}
	}
	for _, k := range keys {
		if add {
			if h.index[t] == nil {
				h.index[t] = map[string]map[*Conn]struct{}{}
			}
			if h.index[t][k] == nil {
				h.index[t][k] = map[*Conn]struct{}{}
			}
			h.index[t][k][c] = struct{}{}
			continue
		}
		if cs := h.index[t][k]; cs != nil {
			delete(cs, c)
			if len(cs) == 0 {
				delete(h.index[t], k)
			}
		}
	}
	if !add && len(h.index[t]) == 0 {
		delete(h.index, t)
	}
}

// SetKeys changes what a keyed subscription is routed (a visitor's new conversation).
func (c *Conn) SetKeys(keys ...string) {
	h := c.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if c.keys == nil || c.closed.Load() {
		return // tenant-wide, or gone
	}
	for _, t := range c.tenants {
		h.indexLocked(t, c, false)
	}
	c.keys = append([]string{}, keys...)
	for _, t := range c.tenants {
		h.indexLocked(t, c, true)
	}
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
				h.indexLocked(t, c, false)
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

// consolesKey is one sorted set for every node: each user with a console open, scored
// by the last sign of life of any of their consoles (a beat, or the close of one).
const consolesKey = "kefu:consoles"

// ConsoleBeat records that one of the user's consoles is alive now (also called when
// one closes, so the grace period counts from the close). added is true when the user
// had no entry: their first console, or the first since the sweep declared them gone.
func (h *Hub) ConsoleBeat(ctx context.Context, userID uuid.UUID) (added bool, err error) {
	n, err := h.rdb.ZAdd(ctx, consolesKey, redis.Z{Score: float64(time.Now().UnixMilli()), Member: userID.String()}).Result()
	return n > 0, err
}

// ConsolesSilentSince lists users none of whose consoles has shown a sign of life
// since t: the last one closed, or its node died.
func (h *Hub) ConsolesSilentSince(ctx context.Context, t time.Time, limit int) ([]uuid.UUID, error) {
	ms, err := h.rdb.ZRangeByScore(ctx, consolesKey, &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(t.UnixMilli(), 10), Count: int64(limit)}).Result()
	if err != nil {
		return nil, err
	}
	out := make([]uuid.UUID, 0, len(ms))
	for _, m := range ms {
		if id, err := uuid.Parse(m); err == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// ConsoleForget removes a silent user's entry if it is still older than t; false
// when it is not (a console came back, or another node got there first).
func (h *Hub) ConsoleForget(ctx context.Context, userID uuid.UUID, t time.Time) (bool, error) {
	n, err := forgetScript.Run(ctx, h.rdb, []string{consolesKey}, userID.String(), t.UnixMilli()).Int()
	return n == 1, err
}

// ConsoleLive reports whether the user has an entry (a console beat since the last
// ConsoleForget).
func (h *Hub) ConsoleLive(ctx context.Context, userID uuid.UUID) (bool, error) {
	_, err := h.rdb.ZScore(ctx, consolesKey, userID.String()).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}

// forgetScript removes the member only while its score is below the limit, so a beat
// that lands between the sweep's read and its removal is not lost.
var forgetScript = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) < tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`)
