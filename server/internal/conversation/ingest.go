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
	// IdentityContacts maps senders to their contacts; unknown senders are absent.
	IdentityContacts(ctx context.Context, keys []SenderKey) (map[SenderKey]uuid.UUID, error)
	// LatestConversations is each (contact, channel)'s most recent conversation.
	LatestConversations(ctx context.Context, keys []ContactChannel) (map[ContactChannel]Conversation, error)
	// InsertInbound inserts inbound messages without attachments, skipping any whose
	// (channel, external id) is already stored; it reports the ids it inserted.
	InsertInbound(ctx context.Context, ms []*Message) (map[uuid.UUID]bool, error)
	// TouchInboundMany is TouchInbound for several conversations in one statement.
	TouchInboundMany(ctx context.Context, ts []InboundTouch) (map[uuid.UUID]Conversation, error)
}

// SenderKey names a sender on a channel.
type SenderKey struct {
	ChannelID  uuid.UUID
	ExternalID string
}

// ContactChannel names a contact's thread on a channel.
type ContactChannel struct {
	ContactID uuid.UUID
	ChannelID uuid.UUID
}

// InboundTouch is what Count new customer messages do to a conversation; At and
// Preview are the last one's.
type InboundTouch struct {
	ID      uuid.UUID
	At      time.Time
	Preview string
	Count   int
}

// Group commit: concurrent Ingest calls are handed to a few committers that store
// whatever has queued up in one transaction, so under load a commit (and its WAL
// flush) and each statement serve many messages. Alone, a message is committed at
// once; nothing waits for a batch to fill.
const (
	ingestCommitters = 4
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
	woke      []OutboxEntry
	err       error
	done      chan struct{}
}

type ingester struct {
	once  sync.Once
	queue chan *ingestReq
}

func (s *Service) batchStore() (BatchStore, bool) {
	b, ok := s.Store.(BatchStore)
	return b, ok && b.Batches() && !s.NoBatching
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

// commitBatch stores a batch, tenant by tenant. Messages from senders the tenant knows,
// joining an active conversation, go through the bulk statements; first messages (a
// contact or conversation to create), messages with attachments and anything the bulk
// transaction failed on take the one-message path, in the order they arrived.
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
		ctx, cancel := context.WithTimeout(tenants.NewContext(context.Background(), tid), ingestTimeout)
		var items []*batchItem
		for _, r := range reqs {
			for i := range r.ins {
				items = append(items, &batchItem{req: r, idx: i, in: &r.ins[i]})
			}
		}
		bulk := 0
		if bs, ok := s.batchStore(); ok && len(items) > 0 {
			var woke []OutboxEntry
			err := s.Tx.InTx(ctx, func(ctx context.Context) error {
				var err error
				woke, err = s.bulkIngest(ctx, bs, tid, items)
				return err
			})
			if err != nil {
				// Nothing of the bulk transaction stayed: every message goes the slow way.
				if s.Logger != nil {
					s.Logger.Warn("ingest: batch failed; storing its messages one by one", "tenant_id", tid, "messages", len(items), "err", err)
				}
				for _, it := range items {
					it.done = false
				}
			} else {
				s.wake(ctx, woke)
				for _, it := range items {
					if it.done {
						bulk++
					}
				}
			}
		}
		if s.ObserveBatch != nil {
			s.ObserveBatch(len(items), bulk)
		}
		for _, it := range items {
			if it.done {
				continue
			}
			r := it.req
			if r.err != nil {
				continue // an earlier message of this request failed: the rest is not stored
			}
			res, woke, err := s.ingestSingle(ctx, tid, r.channelID, it.in)
			if err != nil {
				r.err = err
				continue
			}
			s.wake(ctx, woke)
			r.out[it.idx] = res
		}
		cancel()
	}
	for _, r := range batch {
		close(r.done)
	}
}

// bulkIngest stores the items it can in the current transaction and marks them done.
func (s *Service) bulkIngest(ctx context.Context, bs BatchStore, tid uuid.UUID, items []*batchItem) ([]OutboxEntry, error) {
	keys := make([]SenderKey, 0, len(items))
	seen := map[SenderKey]bool{}
	for _, it := range items {
		k := SenderKey{ChannelID: it.req.channelID, ExternalID: it.in.Sender.ExternalID}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	contacts, err := bs.IdentityContacts(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("look up senders: %w", err)
	}
	var ccs []ContactChannel
	seenCC := map[ContactChannel]bool{}
	for _, it := range items {
		id, ok := contacts[SenderKey{ChannelID: it.req.channelID, ExternalID: it.in.Sender.ExternalID}]
		if !ok {
			continue
		}
		it.contact = id
		cc := ContactChannel{ContactID: id, ChannelID: it.req.channelID}
		if !seenCC[cc] {
			seenCC[cc] = true
			ccs = append(ccs, cc)
		}
	}
	if len(ccs) == 0 {
		return nil, nil
	}
	convs, err := bs.LatestConversations(ctx, ccs)
	if err != nil {
		return nil, fmt.Errorf("look up conversations: %w", err)
	}
	now := s.now()
	var fast []*batchItem
	var msgs []*Message
	for _, it := range items {
		if it.contact == uuid.Nil || len(it.in.Attachments) > 0 {
			continue
		}
		c, ok := convs[ContactChannel{ContactID: it.contact, ChannelID: it.req.channelID}]
		if !ok || !c.Status.Active() {
			continue
		}
		if snd := it.in.Sender; snd.Name != "" || snd.Email != "" || snd.Phone != "" || snd.AvatarURL != "" {
			if err := s.Store.FillContact(ctx, it.contact, snd); err != nil {
				return nil, err
			}
		}
		contactID := it.contact
		it.conv = c
		it.msg = &Message{
			ID: newID(), TenantID: tid, ConversationID: c.ID, ChannelID: it.req.channelID,
			Direction: In, SenderType: SenderContact, SenderID: &contactID, Type: it.in.Type, Text: it.in.Text,
			ExternalID: it.in.ExternalID, Status: DeliveryReceived, Attachments: []Attachment{},
			CreatedAt: now, UpdatedAt: now,
		}
		fast = append(fast, it)
		msgs = append(msgs, it.msg)
	}
	if len(fast) == 0 {
		return nil, nil
	}
	inserted, err := bs.InsertInbound(ctx, msgs)
	if err != nil {
		return nil, fmt.Errorf("insert messages: %w", err)
	}
	touches := map[uuid.UUID]*InboundTouch{}
	for _, it := range fast {
		if !inserted[it.msg.ID] {
			continue
		}
		t := touches[it.conv.ID]
		if t == nil {
			t = &InboundTouch{ID: it.conv.ID}
			touches[it.conv.ID] = t
		}
		t.At, t.Preview = it.msg.CreatedAt, Preview(it.msg)
		t.Count++
	}
	ts := make([]InboundTouch, 0, len(touches))
	for _, t := range touches {
		ts = append(ts, *t)
	}
	// One lock order for every batch, so two committers never deadlock on conversations.
	sort.Slice(ts, func(i, j int) bool { return lessUUID(ts[i].ID, ts[j].ID) })
	var updated map[uuid.UUID]Conversation
	if len(ts) > 0 {
		if updated, err = bs.TouchInboundMany(ctx, ts); err != nil {
			return nil, fmt.Errorf("update conversations: %w", err)
		}
	}
	var evs []OutboxEntry
	for _, it := range fast {
		if !inserted[it.msg.ID] {
			// Stored before (a redelivery, or the same message twice in this batch).
			dup, ok, err := s.Store.FindInbound(ctx, it.req.channelID, it.in.ExternalID)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, errors.New("inbound message vanished after a conflict")
			}
			it.req.out[it.idx] = Ingested{MessageID: dup.ID, ConversationID: dup.ConversationID, ContactID: it.contact, Duplicate: true}
			continue
		}
		conv, ok := updated[it.conv.ID]
		if !ok {
			return nil, ErrConversationNotFound
		}
		evs = append(evs, eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: conv.ID, Message: it.msg, Conversation: &conv}, now))
		it.req.out[it.idx] = Ingested{MessageID: it.msg.ID, ConversationID: conv.ID, ContactID: it.contact}
	}
	if err := s.Store.AddOutbox(ctx, evs...); err != nil {
		return nil, err
	}
	for _, it := range fast {
		it.done = true
	}
	return evs, nil
}

func lessUUID(a, b uuid.UUID) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
