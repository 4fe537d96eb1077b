package conversation

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/tenants"
)

// BatchStore writes the inbound messages of many senders of one tenant in a handful of
// statements. Stores that cannot (SQLite, which serialises writers anyway) leave it out
// and every message takes its own transaction.
type BatchStore interface {
	// Batches reports whether this store's database takes the batch path.
	Batches() bool
	// Batch runs fn in one transaction in the context tenant's scope: committed by
	// tx.CommitInbound, or when fn returns nil; rolled back when it returns an error.
	Batch(ctx context.Context, fn func(ctx context.Context, tx BatchTx) error) error
}

// BatchTx is a batch's transaction. On PostgreSQL its BEGIN travels with Threads and
// its COMMIT with CommitInbound: a batch is two round trips (three when it opens
// conversations), however many messages it holds.
type BatchTx interface {
	// Threads finds each known sender's contact and latest conversation on the
	// channel; unknown senders are absent, and Latest is nil for a contact without one.
	Threads(ctx context.Context, keys []SenderKey) (map[SenderKey]Thread, error)
	// OpenThreads creates new senders' contacts, identities and first conversations
	// in one statement. It reports how many identities were new: fewer means another
	// transaction created some of these senders, and the caller must roll back.
	OpenThreads(ctx context.Context, ts []NewThread) (opened int, err error)
	// CommitInbound writes the batch in one statement and commits with it. It fails
	// with ErrBatchConflict, and writes nothing, when a message was stored before, a
	// conversation is no longer as the touch read it, or a row it must update stayed
	// locked by another transaction too long.
	CommitInbound(ctx context.Context, b InboundBatch) error
}

// ErrBatchConflict is a batch that no longer holds (or would wait on another
// transaction's lock); its messages are stored one by one.
var ErrBatchConflict = errors.New("batch conflict: a message was stored before or a conversation changed")

// InboundBatch is what a batch writes: customer messages without attachments, the
// touches of their conversations, fills of known contacts' empty profile fields, and
// the outbox rows of the events.
type InboundBatch struct {
	Messages []*Message
	Touches  []InboundTouch
	Fills    []ContactFill
	Outbox   []OutboxEntry
}

// ContactFill sets a contact's empty profile fields (FillContact's rule); empty
// values leave a field alone.
type ContactFill struct {
	ContactID                     uuid.UUID
	Name, Email, Phone, AvatarURL string
	At                            time.Time
}

// NewThread is a first-time sender: its contact, identity and conversation.
type NewThread struct {
	Contact      Contact
	Identity     Identity
	Conversation Conversation
}

// Thread is a sender's contact and latest conversation on a channel.
type Thread struct {
	ContactID uuid.UUID
	Latest    *Conversation
}

// SenderKey names a sender on a channel.
type SenderKey struct {
	ChannelID  uuid.UUID
	ExternalID string
}

// InboundTouch is what new customer messages do to a conversation: Was is the row as
// read, Now as it must become (touchedInbound). The update applies only to a row still
// as read, so the event built from Now tells what was stored.
type InboundTouch struct {
	Was, Now Conversation
}

// Group commit: concurrent Ingest calls are handed to a few committers that store
// whatever has queued up in one transaction, so under load a commit (and its WAL
// flush) and each statement serve many messages. Alone, a message is committed at
// once; nothing waits for a batch to fill. Since a batch is two round trips, one
// committer keeps up and measured best on two cores (1,000 paced visitors, alternating
// A/B runs): PostgreSQL CPU per message 0.41–0.46 ms against 0.58–0.63 with two, p99
// median 41 against 46 ms, throughput 4,000 against 4,200 messages/s. With five
// round trips per batch, one had doubled the p99.
const (
	ingestCommitters = 1
	ingestBatchMax   = 64
	ingestTimeout    = 30 * time.Second
)

// ingestReq is one Ingest call. The committer works in a context of its own (the
// tenant only): a caller's transaction or cancellation must not reach the batch.
type ingestReq struct {
	tid       uuid.UUID
	channelID uuid.UUID
	ins       []Inbound
	out       []Ingested
	err       error
	done      chan struct{}
	// opening is the status a conversation opened for this channel starts in, looked
	// up before the batch so the batch transaction makes no other query.
	opening Status
}

type ingester struct {
	once  sync.Once
	queue chan *ingestReq
}

func (s *Service) batchStore() (BatchStore, bool) {
	b, ok := s.Store.(BatchStore)
	return b, ok && b.Batches()
}

func (s *Service) submit(ctx context.Context, r *ingestReq) error {
	s.ingest.once.Do(func() {
		s.ingest.queue = make(chan *ingestReq, 1024)
		for i := 0; i < ingestCommitters; i++ {
			go s.commitLoop()
		}
	})
	select {
	case s.ingest.queue <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the request is stored whatever happens to the caller: waiting for
	// the outcome is what makes an acknowledgement mean "committed".
	<-r.done
	return nil
}

func (s *Service) commitLoop() {
	for first := range s.ingest.queue {
		batch := []*ingestReq{first}
		n := len(first.ins)
	drain:
		for n < ingestBatchMax {
			select {
			case r := <-s.ingest.queue:
				batch = append(batch, r)
				n += len(r.ins)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
	}
}

// batchItem is one message of a request in a batch.
type batchItem struct {
	req     *ingestReq
	idx     int
	in      *Inbound
	contact uuid.UUID
	conv    Conversation
	msg     *Message
	done    bool
}

// commitBatch stores a batch, tenant by tenant, in one transaction per tenant: known
// senders' messages join their conversations and first-time senders' messages open
// theirs, in a few statements for the whole batch. Messages with attachments, those
// reopening a closed conversation, and everything of a batch that failed take the
// one-message path, in order within their request, beside the committer (one
// goroutine per request), so they do not hold up the next batch.
func (s *Service) commitBatch(batch []*ingestReq) {
	byTenant := map[uuid.UUID][]*ingestReq{}
	var order []uuid.UUID
	for _, r := range batch {
		r.out = make([]Ingested, len(r.ins))
		if _, ok := byTenant[r.tid]; !ok {
			order = append(order, r.tid)
		}
		byTenant[r.tid] = append(byTenant[r.tid], r)
	}
	for _, tid := range order {
		reqs := byTenant[tid]
		var items []*batchItem
		for _, r := range reqs {
			for i := range r.ins {
				items = append(items, &batchItem{req: r, idx: i, in: &r.ins[i]})
			}
		}
		bulk := 0
		if bs, ok := s.batchStore(); ok && len(items) > 0 {
			ctx, cancel := context.WithTimeout(tenants.NewContext(context.Background(), tid), ingestTimeout)
			var woke []OutboxEntry
			err := bs.Batch(ctx, func(ctx context.Context, tx BatchTx) error {
				var err error
				woke, err = s.bulkIngest(ctx, tx, tid, items)
				return err
			})
			if err != nil {
				// Nothing of the bulk transaction stayed: every message goes the slow way.
				if s.Logger != nil && !errors.Is(err, errBatchDuplicate) && !errors.Is(err, ErrBatchConflict) {
					s.Logger.Warn("ingest: batch failed; storing its messages one by one", "tenant_id", tid, "messages", len(items), "err", err)
				}
				for _, it := range items {
					it.done = false
					it.req.out[it.idx] = Ingested{} // rolled back: not stored
				}
			} else {
				s.wake(ctx, woke)
				for _, it := range items {
					if it.done {
						bulk++
					}
				}
			}
			cancel()
		}
		if s.ObserveBatch != nil {
			s.ObserveBatch(len(items), bulk)
		}
		slow := map[*ingestReq][]*batchItem{}
		for _, it := range items {
			if !it.done {
				slow[it.req] = append(slow[it.req], it)
			}
		}
		for _, r := range reqs {
			if its := slow[r]; len(its) > 0 {
				go s.ingestSlow(tid, r, its)
			} else {
				close(r.done)
			}
		}
	}
}

// ingestSlow stores a request's remaining messages one transaction each, in order,
// and releases the caller.
func (s *Service) ingestSlow(tid uuid.UUID, r *ingestReq, items []*batchItem) {
	defer close(r.done)
	ctx, cancel := context.WithTimeout(tenants.NewContext(context.Background(), tid), ingestTimeout)
	defer cancel()
	for _, it := range items {
		res, woke, err := s.ingestSingle(ctx, tid, r.channelID, it.in)
		if err != nil {
			r.err = err // the rest of this request is not stored
			return
		}
		s.wake(ctx, woke)
		r.out[it.idx] = res
	}
}

// errBatchDuplicate rolls a batch back when it held a message stored before (the
// one-message path then reports it as a duplicate) or a sender another transaction
// was creating at the same time.
var errBatchDuplicate = errors.New("batch holds a message stored before")

// bulkIngest stores the items it can in the batch's transaction and marks them done:
// one statement looks the senders up, one opens first-time senders' conversations
// (when there are any), and one inserts the messages, updates the conversations and
// adds the outbox rows, and commits.
func (s *Service) bulkIngest(ctx context.Context, bs BatchTx, tid uuid.UUID, items []*batchItem) ([]OutboxEntry, error) {
	key := func(it *batchItem) SenderKey {
		return SenderKey{ChannelID: it.req.channelID, ExternalID: it.in.Sender.ExternalID}
	}
	keys := make([]SenderKey, 0, len(items))
	seen := map[SenderKey]bool{}
	for _, it := range items {
		if k := key(it); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	threads, err := bs.Threads(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("look up senders: %w", err)
	}
	// PostgreSQL keeps microseconds: the events must carry the times as stored.
	now := s.now().Truncate(time.Microsecond)
	// A sender's messages keep their order: from its first message that cannot take
	// the bulk path (an attachment, a closed conversation to reopen under a lock), the
	// sender's later messages in the batch wait for the one-message path too.
	slow := map[SenderKey]bool{}
	// First-time senders get their contact and conversation here too, in one
	// statement, in a fixed order (two batches never wait on each other's senders).
	var news []NewThread
	newKeys := map[SenderKey]bool{}
	newConvs := map[uuid.UUID]bool{}
	for _, it := range items {
		k := key(it)
		if slow[k] || len(it.in.Attachments) > 0 {
			slow[k] = true
			continue
		}
		if _, known := threads[k]; known || newKeys[k] {
			continue
		}
		newKeys[k] = true
		snd := it.in.Sender
		c := Contact{ID: newID(), TenantID: tid, Name: snd.Name, Email: snd.Email, Phone: snd.Phone,
			AvatarURL: snd.AvatarURL, Attributes: snd.Attributes, CreatedAt: now}
		news = append(news, NewThread{Contact: c,
			Identity: Identity{ChannelID: k.ChannelID, ExternalID: k.ExternalID, Verified: snd.Verified},
			Conversation: Conversation{ID: newID(), TenantID: tid, ChannelID: k.ChannelID, ContactID: c.ID,
				Status: it.req.opening, LastMessageAt: now, CreatedAt: now, UpdatedAt: now}})
	}
	if len(news) > 0 {
		sort.Slice(news, func(i, j int) bool {
			a, b := news[i].Identity, news[j].Identity
			if a.ChannelID != b.ChannelID {
				return lessUUID(a.ChannelID, b.ChannelID)
			}
			return a.ExternalID < b.ExternalID
		})
		opened, err := bs.OpenThreads(ctx, news)
		if err != nil {
			return nil, fmt.Errorf("open conversations: %w", err)
		}
		if opened != len(news) {
			return nil, errBatchDuplicate
		}
		for i := range news {
			n := &news[i]
			threads[SenderKey{ChannelID: n.Identity.ChannelID, ExternalID: n.Identity.ExternalID}] = Thread{ContactID: n.Contact.ID, Latest: &n.Conversation}
			newConvs[n.Conversation.ID] = true
		}
	}
	var fast []*batchItem
	var msgs []*Message
	var fills []ContactFill
	filled := map[uuid.UUID]int{}
	type pending struct {
		was     Conversation
		at      time.Time
		preview string
		count   int
	}
	touched := map[uuid.UUID]*pending{}
	clear(slow)
	for _, it := range items {
		k := key(it)
		th, ok := threads[k]
		if slow[k] || !ok || th.Latest == nil || !th.Latest.Status.Active() || len(it.in.Attachments) > 0 {
			slow[k] = true
			continue
		}
		it.contact = th.ContactID
		if snd := it.in.Sender; !newKeys[k] && (snd.Name != "" || snd.Email != "" || snd.Phone != "" || snd.AvatarURL != "") {
			// Empty fields take the first value given, as one FillContact per message would.
			i, ok := filled[it.contact]
			if !ok {
				i = len(fills)
				filled[it.contact] = i
				fills = append(fills, ContactFill{ContactID: it.contact, At: now})
			}
			f := &fills[i]
			for _, p := range []struct {
				dst *string
				v   string
			}{{&f.Name, snd.Name}, {&f.Email, snd.Email}, {&f.Phone, snd.Phone}, {&f.AvatarURL, snd.AvatarURL}} {
				if *p.dst == "" {
					*p.dst = p.v
				}
			}
		}
		contactID := it.contact
		it.conv = *th.Latest
		it.msg = &Message{
			ID: newID(), TenantID: tid, ConversationID: it.conv.ID, ChannelID: it.req.channelID,
			Direction: In, SenderType: SenderContact, SenderID: &contactID, Type: it.in.Type, Text: it.in.Text,
			ExternalID: it.in.ExternalID, Status: DeliveryReceived, Attachments: []Attachment{},
			CreatedAt: now, UpdatedAt: now,
		}
		fast = append(fast, it)
		msgs = append(msgs, it.msg)
		p := touched[it.conv.ID]
		if p == nil {
			p = &pending{was: it.conv}
			touched[it.conv.ID] = p
		}
		p.at, p.preview = it.msg.CreatedAt, Preview(it.msg)
		p.count++
	}
	if len(fast) == 0 {
		return nil, nil
	}
	// The events go into the outbox in the same statement as the messages, so they
	// carry the conversations as the update leaves them: the update writes exactly
	// this prediction, and only to rows still as read (an agent's assignment in
	// between fails the statement, and the batch goes the one-message way).
	ts := make([]InboundTouch, 0, len(touched))
	for _, p := range touched {
		ts = append(ts, InboundTouch{Was: p.was, Now: touchedInbound(p.was, p.at, p.preview, p.count)})
	}
	// One lock order for every batch, so two committers never deadlock on conversations.
	sort.Slice(ts, func(i, j int) bool { return lessUUID(ts[i].Was.ID, ts[j].Was.ID) })
	next := make(map[uuid.UUID]*Conversation, len(ts))
	for i := range ts {
		next[ts[i].Was.ID] = &ts[i].Now
	}
	evs := make([]OutboxEntry, 0, len(fast))
	for _, it := range fast {
		conv := *next[it.conv.ID]
		evs = append(evs, eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: conv.ID, Message: it.msg, Conversation: &conv}, now))
		if e, ok := botEntry(&conv, it.msg, now); ok {
			evs = append(evs, e)
		}
	}
	// Routing hears once per conversation: a new one (its "was" is itself) or one the
	// batch moved into the queue.
	for i := range ts {
		t := &ts[i]
		var before *Conversation
		if !newConvs[t.Was.ID] {
			before = &t.Was
		}
		evs = append(evs, routeEntries(before, &t.Now, now)...)
	}
	if err := bs.CommitInbound(ctx, InboundBatch{Messages: msgs, Touches: ts, Fills: fills, Outbox: evs}); err != nil {
		if errors.Is(err, ErrBatchConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("insert messages: %w", err)
	}
	for _, it := range fast {
		it.req.out[it.idx] = Ingested{MessageID: it.msg.ID, ConversationID: it.conv.ID, ContactID: it.contact}
		it.done = true
	}
	return evs, nil
}

// touchedInbound is what TouchInbound does to a conversation with count new customer
// messages, the last at at with preview.
func touchedInbound(c Conversation, at time.Time, preview string, count int) Conversation {
	switch c.Status {
	case StatusResolved:
		// Back to the queue: routing gives it to an agent with room for it.
		c.ResolvedAt, c.AssigneeID, c.Status = nil, nil, StatusQueued
	case StatusPending:
		c.Status = StatusOpen
		if c.AssigneeID == nil {
			c.Status = StatusQueued
		}
	}
	c.LastMessageAt, c.Preview, c.Unread, c.UpdatedAt = at, preview, c.Unread+count, at
	return c
}

func lessUUID(a, b uuid.UUID) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
