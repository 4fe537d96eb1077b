package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// ErrDuplicate is what a Store returns when a unique key already exists (a race lost
// to a concurrent writer); the service re-reads.
var ErrDuplicate = errors.New("duplicate")

// Store persists the engine's rows. Every method runs in the tenant scope of ctx
// (joining the caller's transaction when there is one).
type Store interface {
	FindInbound(ctx context.Context, channelID uuid.UUID, externalID string) (Message, bool, error)
	IdentityContact(ctx context.Context, channelID uuid.UUID, externalID string) (uuid.UUID, bool, error)
	// CreateContact inserts the contact and its first identity; ErrDuplicate if the
	// identity was created concurrently.
	CreateContact(ctx context.Context, c *Contact, ident Identity) error
	FillContact(ctx context.Context, id uuid.UUID, in InboundContact) error
	GetContact(ctx context.Context, id uuid.UUID) (Contact, error)
	// LatestConversation is the contact's most recent conversation on the channel.
	LatestConversation(ctx context.Context, contactID, channelID uuid.UUID) (Conversation, bool, error)
	// LockContact serialises conversation creation for one contact (no-op where the
	// database serialises writers anyway).
	LockContact(ctx context.Context, contactID uuid.UUID) error
	CreateConversation(ctx context.Context, c *Conversation) error
	GetConversation(ctx context.Context, id uuid.UUID) (Conversation, error)
	// TouchInbound records a customer message on the conversation in one statement:
	// activity, preview, unread count, and reopening a resolved or pending one.
	TouchInbound(ctx context.Context, id uuid.UUID, at time.Time, preview string) (Conversation, error)
	// TouchOutbound records a reply: activity, preview, unread cleared, and a queued
	// conversation becomes open (assigned to the replier when nobody has it).
	TouchOutbound(ctx context.Context, id uuid.UUID, at time.Time, preview string, agent *uuid.UUID) (Conversation, error)
	UpdateConversation(ctx context.Context, c *Conversation) error
	ListConversations(ctx context.Context, f Filter) ([]Conversation, error)
	InsertMessage(ctx context.Context, m *Message) (inserted bool, err error)
	FindOutboundByClientID(ctx context.Context, conversationID uuid.UUID, clientID string) (Message, bool, error)
	GetMessage(ctx context.Context, id uuid.UUID) (Message, error)
	ListMessages(ctx context.Context, conversationID uuid.UUID, before, after *uuid.UUID, limit int) ([]Message, error)
	// DeliveredUpTo lists the conversation's replies sent or delivered but not read,
	// up to and including messageID (ids are time-ordered UUIDv7).
	DeliveredUpTo(ctx context.Context, conversationID, messageID uuid.UUID) ([]Message, error)
	UpdateDelivery(ctx context.Context, id uuid.UUID, status, externalID, errText string, attempts int) (Message, error)
	OutboundByExternalID(ctx context.Context, channelID uuid.UUID, externalID string) (Message, bool, error)
	AddOutbox(ctx context.Context, e ...OutboxEntry) error
	// ListContacts lists live contacts, newest first, matching q (name, email, phone).
	ListContacts(ctx context.Context, q string, before *uuid.UUID, limit int) ([]Contact, error)
	UpdateContact(ctx context.Context, c *Contact) error
	// MergeContacts moves from's identities, conversations and messages to into and
	// marks from merged.
	MergeContacts(ctx context.Context, into, from uuid.UUID, at time.Time) error
	// MergeConversations moves from's messages into into, takes over its latest
	// activity and unread count, and closes from.
	MergeConversations(ctx context.Context, into, from Conversation, at time.Time) error
}

// Filter selects conversations for a list.
type Filter struct {
	Statuses   []Status
	ChannelID  *uuid.UUID
	AssigneeID *uuid.UUID
	Unassigned bool
	ContactID  *uuid.UUID
	// Cursor: strictly after (older than) this position in last-activity order.
	Before *Cursor
	Limit  int
}

// Cursor is a position in the newest-first conversation order.
type Cursor struct {
	At time.Time
	ID uuid.UUID
}

// Tx runs a function in one transaction.
type Tx interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Waker is handed the outbox rows a transaction committed, so the relay acts on them
// at once instead of at its next sweep.
type Waker interface {
	Wake(tenantID uuid.UUID, entries ...OutboxEntry)
}

// Members checks that a user may be assigned in the context's tenant.
type Members interface {
	IsMember(ctx context.Context, userID uuid.UUID) (bool, error)
}

// Capacity admits an assignment against the agent's capacity. Admit runs inside the
// assigning transaction and holds the agent's row until it ends, so an assignment made
// here and one made by routing (which takes the same lock) cannot both use the
// agent's last free slot.
type Capacity interface {
	Admit(ctx context.Context, userID, channelID uuid.UUID) error
}

// BotChannels says which channels' new conversations start with the bot. It is asked
// on the message path, so implementations cache.
type BotChannels interface {
	BotOn(ctx context.Context, channelID uuid.UUID) bool
}

// Service is the conversation engine.
type Service struct {
	Store   Store
	Tx      Tx
	Waker   Waker
	Members Members
	// Capacity, when set, refuses assignments beyond an agent's capacity.
	Capacity Capacity
	// Bot, when set, starts conversations on its channels in bot mode.
	Bot BotChannels
	Now func() time.Time
	// ObserveBatch, when set, is told the size of every group commit (messages) and
	// how many of them took the bulk statements.
	ObserveBatch func(messages, bulk int)
	// Logger hears about batches that fell back to one transaction per message.
	Logger *slog.Logger

	ingest ingester
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// openingStatus is the status a new conversation on the channel starts in.
func (s *Service) openingStatus(ctx context.Context, channelID uuid.UUID) Status {
	if s.Bot != nil && s.Bot.BotOn(ctx, channelID) {
		return StatusBot
	}
	return StatusQueued
}

// botEntry asks the bot to answer m when its conversation is in bot mode.
func botEntry(c *Conversation, m *Message, at time.Time) (OutboxEntry, bool) {
	if c.Status != StatusBot || m.Direction != In {
		return OutboxEntry{}, false
	}
	b, _ := json.Marshal(BotJob{TenantID: c.TenantID, ConversationID: c.ID, MessageID: m.ID})
	return OutboxEntry{ID: newID(), TenantID: c.TenantID, Topic: TopicBot, Payload: b, Created: at}, true
}

// routeEntries asks routing to act on a change from before (nil: a new conversation)
// to after: a conversation that entered the queue is routed, and an agent whose load
// fell is offered the queue.
func routeEntries(before *Conversation, after *Conversation, at time.Time) []OutboxEntry {
	var out []OutboxEntry
	add := func(j RouteJob) {
		b, _ := json.Marshal(j)
		out = append(out, OutboxEntry{ID: newID(), TenantID: after.TenantID, Topic: TopicRoute, Payload: b, Created: at})
	}
	waiting := func(c *Conversation) bool { return c.Status == StatusQueued && c.AssigneeID == nil }
	if waiting(after) && (before == nil || !waiting(before)) {
		id := after.ID
		add(RouteJob{TenantID: after.TenantID, ConversationID: &id})
	}
	if before != nil && before.Counts() && !(after.Counts() && *after.AssigneeID == *before.AssigneeID) {
		a := *before.AssigneeID
		add(RouteJob{TenantID: after.TenantID, AgentID: &a})
	}
	return out
}

func (s *Service) wake(ctx context.Context, entries []OutboxEntry) {
	if s.Waker == nil || len(entries) == 0 {
		return
	}
	if tid, ok := tenants.FromContext(ctx); ok {
		s.Waker.Wake(tid, entries...)
	}
}

// EventEntry is the outbox row that publishes ev, for engines that change
// conversations in their own transactions (routing).
func EventEntry(ev Event, at time.Time) OutboxEntry { return eventEntry(ev, at) }

func eventEntry(ev Event, at time.Time) OutboxEntry {
	b, _ := json.Marshal(ev)
	return OutboxEntry{ID: newID(), TenantID: ev.TenantID, Topic: TopicEvent, Payload: b, Created: at}
}

// Preview shortens a message for lists.
func Preview(m *Message) string {
	t := strings.Join(strings.Fields(m.Text), " ")
	if t == "" && len(m.Attachments) > 0 {
		t = "📎 " + m.Attachments[0].Name
	}
	if utf8.RuneCountInString(t) > previewLen {
		r := []rune(t)
		t = string(r[:previewLen-1]) + "…"
	}
	return t
}

// ValidateInbound checks what a connector produced before it is stored.
func ValidateInbound(in *Inbound) error {
	if in.ExternalID == "" || len(in.ExternalID) > MaxExternalIDLen {
		return errs.Invalidf("external_id", "an inbound message needs an external id of at most %d bytes", MaxExternalIDLen)
	}
	if in.Sender.ExternalID == "" || len(in.Sender.ExternalID) > MaxExternalIDLen {
		return errs.Invalidf("sender", "an inbound message needs a sender id of at most %d bytes", MaxExternalIDLen)
	}
	switch in.Type {
	case "":
		in.Type = TypeText
	case TypeText, TypeImage, TypeFile:
	default:
		return errs.Invalidf("type", "unknown message type %q", in.Type)
	}
	if utf8.RuneCountInString(in.Text) > MaxTextLen {
		return ErrTextTooLong
	}
	if !utf8.ValidString(in.Text) {
		return errs.Invalidf("text", "the text is not valid UTF-8")
	}
	if strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
		return ErrEmptyMessage
	}
	if len(in.Attachments) > MaxAttachments {
		return errs.Invalidf("attachments", "at most %d attachments", MaxAttachments)
	}
	for _, f := range []*string{&in.Sender.Name, &in.Sender.Email, &in.Sender.Phone, &in.Sender.AvatarURL} {
		if len(*f) > MaxContactField {
			*f = (*f)[:MaxContactField]
		}
	}
	return nil
}

// Ingest stores inbound messages of one channel in the context's tenant, in order. It
// returns once they are committed: message, conversation update and outbox row
// together. A message seen before (same channel and external id) is reported as a
// duplicate and changes nothing. A message that fails validation stops the call; the
// ones before it are stored.
func (s *Service) Ingest(ctx context.Context, channelID uuid.UUID, msgs []Inbound) ([]Ingested, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	valid := make([]Inbound, 0, len(msgs))
	var invalid error
	for i := range msgs {
		in := msgs[i]
		if err := ValidateInbound(&in); err != nil {
			invalid = fmt.Errorf("inbound message %d: %w", i, err)
			break
		}
		valid = append(valid, in)
	}
	var out []Ingested
	if _, ok := s.batchStore(); ok && len(valid) > 0 {
		r := &ingestReq{tid: tid, channelID: channelID, ins: valid, done: make(chan struct{}), opening: s.openingStatus(ctx, channelID)}
		if err := s.submit(ctx, r); err != nil {
			return nil, err
		}
		for i, res := range r.out {
			if res.MessageID == uuid.Nil {
				if r.err == nil {
					r.err = errors.New("not stored")
				}
				return r.out[:i], fmt.Errorf("store inbound message: %w", r.err)
			}
		}
		out = r.out
	} else {
		out = make([]Ingested, 0, len(valid))
		for i := range valid {
			res, woke, err := s.ingestSingle(ctx, tid, channelID, &valid[i])
			if err != nil {
				return out, fmt.Errorf("store inbound message: %w", err)
			}
			s.wake(ctx, woke)
			out = append(out, res)
		}
	}
	return out, invalid
}

// ingestSingle stores one validated message in its own transaction.
func (s *Service) ingestSingle(ctx context.Context, tid, channelID uuid.UUID, in *Inbound) (Ingested, []OutboxEntry, error) {
	var res Ingested
	var woke []OutboxEntry
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		res, woke, err = s.ingestOne(ctx, tid, channelID, in)
		return err
	})
	var dup errDupRollback
	if errors.As(err, &dup) {
		return Ingested{MessageID: dup.m.ID, ConversationID: dup.m.ConversationID, Duplicate: true}, nil, nil
	}
	return res, woke, err
}

// ingestOne stores one message. Duplicates are found by the insert itself (the unique
// index on the channel's external ids), not by a lookup first: redeliveries are rare,
// and the lookup would cost every message a round trip. A duplicate's contact and
// conversation changes are rolled back with it.
func (s *Service) ingestOne(ctx context.Context, tid, channelID uuid.UUID, in *Inbound) (Ingested, []OutboxEntry, error) {
	now := s.now()
	contactID, newContact, err := s.contactFor(ctx, tid, channelID, in.Sender, now)
	if err != nil {
		return Ingested{}, nil, err
	}
	var conv Conversation
	newConv := true
	if !newContact {
		// A contact created just now has no conversation to look for.
		if conv, newConv, err = s.conversationFor(ctx, contactID, channelID); err != nil {
			return Ingested{}, nil, err
		}
	}
	if newConv {
		conv = Conversation{ID: newID(), TenantID: tid, ChannelID: channelID, ContactID: contactID,
			Status: s.openingStatus(ctx, channelID), LastMessageAt: now, CreatedAt: now, UpdatedAt: now}
	}
	m := &Message{
		ID: newID(), TenantID: tid, ConversationID: conv.ID, ChannelID: channelID,
		Direction: In, SenderType: SenderContact, SenderID: &contactID, Type: in.Type, Text: in.Text,
		ExternalID: in.ExternalID, Status: DeliveryReceived, Attachments: in.Attachments,
		CreatedAt: now, UpdatedAt: now,
	}
	if newConv {
		// Opened with its first message already counted: no update after the insert.
		conv.Preview, conv.Unread = Preview(m), 1
		if err := s.Store.CreateConversation(ctx, &conv); err != nil {
			return Ingested{}, nil, err
		}
	}
	inserted, err := s.Store.InsertMessage(ctx, m)
	if err != nil {
		return Ingested{}, nil, err
	}
	if !inserted {
		// A concurrent delivery of the same message won: roll back what we created.
		if dup, ok, err := s.Store.FindInbound(ctx, channelID, in.ExternalID); err == nil && ok {
			return Ingested{MessageID: dup.ID, ConversationID: dup.ConversationID, Duplicate: true}, nil, errDupRollback{dup}
		}
		return Ingested{}, nil, fmt.Errorf("inbound message vanished after a conflict")
	}
	var before *Conversation
	if !newConv {
		was := conv
		before = &was
		if conv, err = s.Store.TouchInbound(ctx, conv.ID, now, Preview(m)); err != nil {
			return Ingested{}, nil, err
		}
	}
	evs := []OutboxEntry{
		eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: conv.ID, Message: m, Conversation: &conv}, now),
	}
	if e, ok := botEntry(&conv, m, now); ok {
		evs = append(evs, e)
	}
	evs = append(evs, routeEntries(before, &conv, now)...)
	if err := s.Store.AddOutbox(ctx, evs...); err != nil {
		return Ingested{}, nil, err
	}
	return Ingested{MessageID: m.ID, ConversationID: conv.ID, ContactID: contactID}, evs, nil
}

type errDupRollback struct{ m Message }

func (errDupRollback) Error() string { return "duplicate inbound message" }

// contactFor finds the sender's contact or creates it (created reports which).
func (s *Service) contactFor(ctx context.Context, tid, channelID uuid.UUID, snd InboundContact, now time.Time) (id uuid.UUID, created bool, err error) {
	id, ok, err := s.Store.IdentityContact(ctx, channelID, snd.ExternalID)
	if err != nil {
		return uuid.Nil, false, err
	}
	if ok {
		if snd.Name != "" || snd.Email != "" || snd.Phone != "" || snd.AvatarURL != "" {
			if err := s.Store.FillContact(ctx, id, snd); err != nil {
				return uuid.Nil, false, err
			}
		}
		return id, false, nil
	}
	c := &Contact{ID: newID(), TenantID: tid, Name: snd.Name, Email: snd.Email, Phone: snd.Phone,
		AvatarURL: snd.AvatarURL, Attributes: snd.Attributes, CreatedAt: now}
	err = s.Store.CreateContact(ctx, c, Identity{ChannelID: channelID, ExternalID: snd.ExternalID, Verified: snd.Verified})
	if errors.Is(err, ErrDuplicate) {
		// A concurrent first message created the contact (we waited for its commit).
		id, ok, err := s.Store.IdentityContact(ctx, channelID, snd.ExternalID)
		if err != nil || !ok {
			return uuid.Nil, false, fmt.Errorf("contact identity after a conflict: %v", err)
		}
		return id, false, nil
	}
	return c.ID, err == nil, err
}

// conversationFor returns the contact's active conversation on the channel, or says
// one must be opened. Most messages join an active conversation: only opening one
// takes the contact's lock (held to the end of the transaction, and the lookup is
// repeated under it), so two first messages cannot open two conversations.
func (s *Service) conversationFor(ctx context.Context, contactID, channelID uuid.UUID) (c Conversation, open bool, err error) {
	c, ok, err := s.Store.LatestConversation(ctx, contactID, channelID)
	if err != nil {
		return Conversation{}, false, err
	}
	if ok && c.Status.Active() {
		return c, false, nil
	}
	if err := s.Store.LockContact(ctx, contactID); err != nil {
		return Conversation{}, false, err
	}
	c, ok, err = s.Store.LatestConversation(ctx, contactID, channelID)
	if err != nil {
		return Conversation{}, false, err
	}
	if ok && c.Status.Active() {
		return c, false, nil
	}
	return Conversation{}, true, nil
}

// Reply is an agent's (or the bot's) outbound message.
type Reply struct {
	Text        string
	ClientID    string
	SenderType  string // agent (default) or bot
	Attachments []Attachment
}

// Reply stores an outbound message as queued and schedules its delivery. A retried
// request with the same client id returns the first message instead of sending twice.
func (s *Service) Reply(ctx context.Context, conversationID uuid.UUID, r Reply) (Message, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Message{}, err
	}
	r.Text = strings.TrimRight(r.Text, " \t\r\n")
	if strings.TrimSpace(r.Text) == "" && len(r.Attachments) == 0 {
		return Message{}, ErrEmptyMessage.WithField("text")
	}
	if utf8.RuneCountInString(r.Text) > MaxTextLen {
		return Message{}, ErrTextTooLong.WithField("text")
	}
	if len(r.ClientID) > MaxClientIDLength {
		return Message{}, errs.Invalidf("client_id", "at most %d characters", MaxClientIDLength)
	}
	if r.SenderType == "" {
		r.SenderType = SenderAgent
	}
	var agent *uuid.UUID
	if uid, ok := tenants.UserFromContext(ctx); ok && r.SenderType == SenderAgent {
		agent = &uid
	}
	var m Message
	var woke []OutboxEntry
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		conv, err := s.Store.GetConversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if conv.Status == StatusClosed {
			return ErrClosed
		}
		if r.ClientID != "" {
			if prev, ok, err := s.Store.FindOutboundByClientID(ctx, conversationID, r.ClientID); err != nil {
				return err
			} else if ok {
				m = prev
				return nil
			}
		}
		// Replying to a waiting conversation takes it (TouchOutbound), which must fit
		// in the agent's capacity like any other assignment.
		if agent != nil && conv.AssigneeID == nil && (conv.Status == StatusQueued || conv.Status == StatusBot) && s.Capacity != nil {
			if err := s.Capacity.Admit(ctx, *agent, conv.ChannelID); err != nil {
				return err
			}
		}
		now := s.now()
		typ := TypeText
		if r.Text == "" && len(r.Attachments) > 0 {
			typ = TypeFile
			if strings.HasPrefix(r.Attachments[0].ContentType, "image/") {
				typ = TypeImage
			}
		}
		m = Message{ID: newID(), TenantID: tid, ConversationID: conv.ID, ChannelID: conv.ChannelID,
			Direction: Out, SenderType: r.SenderType, SenderID: agent, Type: typ, Text: r.Text, ClientID: r.ClientID,
			Status: DeliveryQueued, Attachments: r.Attachments, CreatedAt: now, UpdatedAt: now}
		if _, err := s.Store.InsertMessage(ctx, &m); err != nil {
			return err
		}
		conv, err = s.Store.TouchOutbound(ctx, conv.ID, now, Preview(&m), agent)
		if err != nil {
			return err
		}
		job, _ := json.Marshal(SendJob{TenantID: tid, MessageID: m.ID})
		es := []OutboxEntry{
			eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: conv.ID, Message: &m, Conversation: &conv}, now),
			{ID: newID(), TenantID: tid, Topic: TopicSend, Payload: job, Created: now},
		}
		woke = es
		return s.Store.AddOutbox(ctx, es...)
	})
	if err != nil {
		return Message{}, err
	}
	s.wake(ctx, woke)
	return m, nil
}

// Assign gives the conversation to a member (nil: unassign).
func (s *Service) Assign(ctx context.Context, conversationID uuid.UUID, assignee *uuid.UUID) (Conversation, error) {
	if assignee != nil && s.Members != nil {
		ok, err := s.Members.IsMember(ctx, *assignee)
		if err != nil {
			return Conversation{}, err
		}
		if !ok {
			return Conversation{}, ErrBadAssignee.WithField("assignee_id")
		}
	}
	return s.update(ctx, conversationID, func(c *Conversation) error {
		if c.Status == StatusClosed {
			return ErrClosed
		}
		c.AssigneeID = assignee
		switch {
		case assignee != nil && (c.Status == StatusQueued || c.Status == StatusBot):
			c.Status = StatusOpen
		case assignee == nil && (c.Status == StatusOpen || c.Status == StatusPending):
			// Nobody owns it any more: it waits for the next agent, like a new one.
			c.Status = StatusQueued
		}
		return nil
	})
}

// Resolve marks the conversation resolved.
func (s *Service) Resolve(ctx context.Context, conversationID uuid.UUID) (Conversation, error) {
	return s.ResolveWith(ctx, conversationID, WrapUp{})
}

// WrapUp is what an agent records when resolving: a category and a short summary.
type WrapUp struct {
	Category string
	Summary  string
}

// MaxWrapUpSummary bounds a wrap-up summary (characters).
const MaxWrapUpSummary = 500

// ResolveWith resolves the conversation with a wrap-up (the caller checked it
// against the tenant's wrap-up settings).
func (s *Service) ResolveWith(ctx context.Context, conversationID uuid.UUID, w WrapUp) (Conversation, error) {
	w.Category, w.Summary = strings.TrimSpace(w.Category), strings.TrimSpace(w.Summary)
	if utf8.RuneCountInString(w.Summary) > MaxWrapUpSummary {
		return Conversation{}, errs.Invalidf("summary", "summary can be at most %d characters.", MaxWrapUpSummary)
	}
	return s.update(ctx, conversationID, func(c *Conversation) error {
		if c.Status == StatusClosed {
			return ErrClosed
		}
		now := s.now()
		c.Status, c.ResolvedAt = StatusResolved, &now
		if w.Category != "" || w.Summary != "" {
			c.WrapUpCategory, c.WrapUpSummary = w.Category, w.Summary
		}
		return nil
	})
}

// Note is an internal note: agents only, never sent to the customer.
type Note struct {
	Text     string
	Mentions []uuid.UUID
	ClientID string
}

// MaxMentions bounds the members one note mentions.
const MaxMentions = 20

// AddNote stores an internal note by the context's user, and tells each member it
// mentions (a realtime event for their console). A retried request with the same
// client id returns the first note.
func (s *Service) AddNote(ctx context.Context, conversationID uuid.UUID, n Note) (Message, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Message{}, err
	}
	n.Text = strings.TrimSpace(n.Text)
	if n.Text == "" {
		return Message{}, ErrEmptyMessage.WithField("text")
	}
	if utf8.RuneCountInString(n.Text) > MaxTextLen {
		return Message{}, ErrTextTooLong.WithField("text")
	}
	if len(n.ClientID) > MaxClientIDLength {
		return Message{}, errs.Invalidf("client_id", "at most %d characters", MaxClientIDLength)
	}
	if len(n.Mentions) > MaxMentions {
		return Message{}, errs.Invalidf("mentions", "a note can mention at most %d members.", MaxMentions)
	}
	var author *uuid.UUID
	if uid, ok := tenants.UserFromContext(ctx); ok {
		author = &uid
	}
	var m Message
	var woke []OutboxEntry
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		conv, err := s.Store.GetConversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if n.ClientID != "" {
			if prev, ok, err := s.Store.FindOutboundByClientID(ctx, conversationID, n.ClientID); err != nil {
				return err
			} else if ok {
				m = prev
				return nil
			}
		}
		mentions, err := s.mentions(ctx, n.Mentions)
		if err != nil {
			return err
		}
		now := s.now()
		m = Message{ID: newID(), TenantID: tid, ConversationID: conv.ID, ChannelID: conv.ChannelID, Direction: Out,
			SenderType: SenderAgent, SenderID: author, Type: TypeNote, Text: n.Text, ClientID: n.ClientID,
			Status: DeliverySent, Attachments: []Attachment{}, Mentions: mentions, CreatedAt: now, UpdatedAt: now}
		if _, err := s.Store.InsertMessage(ctx, &m); err != nil {
			return err
		}
		es := []OutboxEntry{eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: conv.ID, Message: &m, Conversation: &conv}, now)}
		for _, u := range mentions {
			es = append(es, eventEntry(Event{Type: EventMention, TenantID: tid, ConversationID: conv.ID, MessageID: &m.ID, UserID: &u}, now))
		}
		woke = es
		return s.Store.AddOutbox(ctx, es...)
	})
	if err != nil {
		return Message{}, err
	}
	s.wake(ctx, woke)
	return m, nil
}

// mentions checks a note's mentions are members, dropping repeats.
func (s *Service) mentions(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	for _, u := range ids {
		if slices.Contains(out, u) {
			continue
		}
		if s.Members != nil {
			ok, err := s.Members.IsMember(ctx, u)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, ErrBadMention.WithField("mentions")
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// Merge folds another conversation of the same contact into this one: its messages
// move here and it is closed. Both must still take messages.
func (s *Service) Merge(ctx context.Context, into, from uuid.UUID) (Conversation, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Conversation{}, err
	}
	var c Conversation
	var woke []OutboxEntry
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.Store.GetConversation(ctx, into); err != nil {
			return err
		}
		if into == from {
			return errs.Invalidf("conversation_id", "a conversation cannot be merged into itself.")
		}
		other, err := s.Store.GetConversation(ctx, from)
		if errors.Is(err, ErrConversationNotFound) {
			return errs.Invalidf("conversation_id", "conversation_id names no conversation of this workspace.")
		}
		if err != nil {
			return err
		}
		if other.ContactID != c.ContactID {
			return ErrMergeOtherContact.WithField("conversation_id")
		}
		if c.Status == StatusClosed || other.Status == StatusClosed {
			return ErrClosed
		}
		now := s.now()
		if err := s.Store.MergeConversations(ctx, c, other, now); err != nil {
			return err
		}
		note := Message{ID: newID(), TenantID: tid, ConversationID: c.ID, ChannelID: c.ChannelID, Direction: Out,
			SenderType: SenderSystem, Type: TypeSystem, Text: "Merged conversation " + other.ID.String() + " into this one.",
			Status: DeliverySent, Attachments: []Attachment{}, CreatedAt: now, UpdatedAt: now}
		if _, err := s.Store.InsertMessage(ctx, &note); err != nil {
			return err
		}
		if c, err = s.Store.GetConversation(ctx, into); err != nil {
			return err
		}
		closed, err := s.Store.GetConversation(ctx, from)
		if err != nil {
			return err
		}
		es := []OutboxEntry{
			eventEntry(Event{Type: EventConversationUpdated, TenantID: tid, ConversationID: c.ID, Conversation: &c}, now),
			eventEntry(Event{Type: EventConversationUpdated, TenantID: tid, ConversationID: closed.ID, Conversation: &closed}, now),
			eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: c.ID, Message: &note, Conversation: &c}, now),
		}
		es = append(es, routeEntries(&other, &closed, now)...)
		woke = es
		return s.Store.AddOutbox(ctx, es...)
	})
	if err != nil {
		return Conversation{}, err
	}
	s.wake(ctx, woke)
	return c, nil
}

// Reopen puts a resolved conversation back in the queue, where routing gives it to an
// agent with room for it (its former agent has no claim on capacity they lack).
func (s *Service) Reopen(ctx context.Context, conversationID uuid.UUID) (Conversation, error) {
	return s.update(ctx, conversationID, func(c *Conversation) error {
		if c.Status != StatusResolved && c.Status != StatusClosed {
			return nil
		}
		c.ResolvedAt = nil
		c.Status, c.AssigneeID = StatusQueued, nil
		return nil
	})
}

// HandOff moves a conversation from the bot to the queue, with a note for the agents
// (why, and what the bot guessed) that the customer never sees. A conversation no
// longer with the bot is returned unchanged, so a retried hand-off is harmless.
func (s *Service) HandOff(ctx context.Context, conversationID uuid.UUID, note string) (Conversation, bool, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Conversation{}, false, err
	}
	if r := []rune(note); len(r) > MaxTextLen {
		note = string(r[:MaxTextLen])
	}
	var c Conversation
	var moved bool
	var woke []OutboxEntry
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.Store.GetConversation(ctx, conversationID); err != nil {
			return err
		}
		if c.Status != StatusBot {
			return nil
		}
		now := s.now()
		was := c
		c.Status, c.UpdatedAt = StatusQueued, now
		if err := s.Store.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		es := []OutboxEntry{eventEntry(Event{Type: EventConversationUpdated, TenantID: tid, ConversationID: c.ID, Conversation: &c}, now)}
		if strings.TrimSpace(note) != "" {
			m := Message{ID: newID(), TenantID: tid, ConversationID: c.ID, ChannelID: c.ChannelID,
				Direction: Out, SenderType: SenderSystem, Type: TypeSystem, Text: note,
				Status: DeliverySent, Attachments: []Attachment{}, CreatedAt: now, UpdatedAt: now}
			if _, err := s.Store.InsertMessage(ctx, &m); err != nil {
				return err
			}
			es = append(es, eventEntry(Event{Type: EventMessageCreated, TenantID: tid, ConversationID: c.ID, Message: &m, Conversation: &c}, now))
		}
		// After the note, so the agent routing gives it to finds the note there.
		es = append(es, routeEntries(&was, &c, now)...)
		moved, woke = true, es
		return s.Store.AddOutbox(ctx, es...)
	})
	if err != nil {
		return Conversation{}, false, err
	}
	s.wake(ctx, woke)
	return c, moved, nil
}

// MarkRead clears the unread count (an agent opened the conversation).
func (s *Service) MarkRead(ctx context.Context, conversationID uuid.UUID) (Conversation, error) {
	return s.update(ctx, conversationID, func(c *Conversation) error {
		c.Unread = 0
		return nil
	})
}

func (s *Service) update(ctx context.Context, id uuid.UUID, fn func(*Conversation) error) (Conversation, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Conversation{}, err
	}
	var c Conversation
	var woke []OutboxEntry
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.Store.GetConversation(ctx, id); err != nil {
			return err
		}
		before := c
		if err := fn(&c); err != nil {
			return err
		}
		if sameState(before, c) {
			return nil
		}
		if s.Capacity != nil && c.Counts() && !(before.Counts() && *before.AssigneeID == *c.AssigneeID) {
			if err := s.Capacity.Admit(ctx, *c.AssigneeID, c.ChannelID); err != nil {
				return err
			}
		}
		c.UpdatedAt = s.now()
		if err := s.Store.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		es := []OutboxEntry{eventEntry(Event{Type: EventConversationUpdated, TenantID: tid, ConversationID: c.ID, Conversation: &c}, c.UpdatedAt)}
		es = append(es, routeEntries(&before, &c, c.UpdatedAt)...)
		woke = es
		return s.Store.AddOutbox(ctx, es...)
	})
	if err != nil {
		return Conversation{}, err
	}
	s.wake(ctx, woke)
	return c, nil
}

func sameState(a, b Conversation) bool {
	eq := func(x, y *uuid.UUID) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Status == b.Status && eq(a.AssigneeID, b.AssigneeID) && a.Unread == b.Unread &&
		(a.ResolvedAt == nil) == (b.ResolvedAt == nil)
}

// Get returns a conversation of the context's tenant.
func (s *Service) Get(ctx context.Context, id uuid.UUID) (Conversation, error) {
	return s.Store.GetConversation(ctx, id)
}

// Contact returns a contact with its identities.
func (s *Service) Contact(ctx context.Context, id uuid.UUID) (Contact, error) {
	return s.Store.GetContact(ctx, id)
}

// List returns conversations newest activity first.
func (s *Service) List(ctx context.Context, f Filter) ([]Conversation, error) {
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 50
	}
	return s.Store.ListConversations(ctx, f)
}

// Messages returns up to limit messages oldest first: the latest ones, or those
// before a message id (scrolling up), or after one (catching up).
func (s *Service) Messages(ctx context.Context, conversationID uuid.UUID, before, after *uuid.UUID, limit int) ([]Message, error) {
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	if _, err := s.Store.GetConversation(ctx, conversationID); err != nil {
		return nil, err
	}
	return s.Store.ListMessages(ctx, conversationID, before, after, limit)
}

// Message returns one message.
func (s *Service) Message(ctx context.Context, id uuid.UUID) (Message, error) {
	return s.Store.GetMessage(ctx, id)
}

// ---- contacts ------------------------------------------------------------------------

// ListContacts lists the tenant's contacts.
func (s *Service) ListContacts(ctx context.Context, q string, before *uuid.UUID, limit int) ([]Contact, error) {
	return s.Store.ListContacts(ctx, strings.TrimSpace(q), before, limit)
}

// ContactPatch is an agent's edit of a contact; nil fields stay.
type ContactPatch struct {
	Name, Email, Phone *string
	Tags               *[]string
	// Attributes replaces the custom attributes (an empty value removes a key).
	Attributes *map[string]string
}

// Contact tag and attribute limits.
const (
	MaxContactTags       = 30
	MaxContactTagLen     = 40
	MaxContactAttributes = 50
	MaxAttributeKeyLen   = 40
	MaxAttributeValueLen = 500
)

// cleanAttributes checks custom attributes: keys of letters, digits and _ (they are
// the {{customer.<key>}} of canned responses), bounded values; empty values dropped.
func cleanAttributes(in map[string]string) (map[string]string, error) {
	if len(in) > MaxContactAttributes {
		return nil, errs.Invalidf("attributes", "a contact can have at most %d attributes.", MaxContactAttributes)
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k == "" || utf8.RuneCountInString(k) > MaxAttributeKeyLen {
			return nil, errs.Invalidf("attributes", "attribute names are 1 to %d characters.", MaxAttributeKeyLen)
		}
		for _, r := range k {
			if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return nil, errs.Invalidf("attributes", "attribute names hold letters, digits and _ only.")
			}
		}
		if utf8.RuneCountInString(v) > MaxAttributeValueLen {
			return nil, errs.Invalidf("attributes", "attribute values are at most %d characters.", MaxAttributeValueLen)
		}
		if v != "" {
			out[k] = v
		}
	}
	return out, nil
}

// UpdateContact edits a contact's details.
func (s *Service) UpdateContact(ctx context.Context, id uuid.UUID, p ContactPatch) (Contact, error) {
	var c Contact
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = s.Store.GetContact(ctx, id); err != nil {
			return err
		}
		if c.MergedInto != nil {
			return ErrMerged
		}
		for _, f := range []struct {
			v     *string
			dst   *string
			field string
		}{{p.Name, &c.Name, "name"}, {p.Email, &c.Email, "email"}, {p.Phone, &c.Phone, "phone"}} {
			if f.v == nil {
				continue
			}
			v := strings.TrimSpace(*f.v)
			if len(v) > MaxContactField {
				return errs.Invalidf(f.field, "%s is at most %d characters.", f.field, MaxContactField)
			}
			if f.field == "email" && v != "" && !strings.Contains(v, "@") {
				return errs.Invalidf("email", "email is not an email address.")
			}
			*f.dst = v
		}
		if p.Tags != nil {
			tags, err := cleanTags(*p.Tags)
			if err != nil {
				return err
			}
			c.Tags = tags
		}
		if p.Attributes != nil {
			attrs, err := cleanAttributes(*p.Attributes)
			if err != nil {
				return err
			}
			c.Attributes = attrs
		}
		c.UpdatedAt = s.now()
		return s.Store.UpdateContact(ctx, &c)
	})
	return c, err
}

// cleanTags trims, lower-cases and de-duplicates tags, keeping their order.
func cleanTags(in []string) ([]string, error) {
	if len(in) > MaxContactTags {
		return nil, errs.Invalidf("tags", "a contact can have at most %d tags.", MaxContactTags)
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxContactTagLen {
			return nil, errs.Invalidf("tags", "a tag is at most %d characters.", MaxContactTagLen)
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

// MergeContacts merges from into into: one person who wrote from two places (two web
// visitors, a web visitor and an email sender). Refused when both have an identity on
// the same channel: replies on that channel would not know which address to use.
func (s *Service) MergeContacts(ctx context.Context, into, from uuid.UUID) (Contact, error) {
	var c Contact
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		// Lock both in id order so two opposite merges cannot deadlock.
		first, second := into, from
		if second.String() < first.String() {
			first, second = second, first
		}
		for _, id := range []uuid.UUID{first, second} {
			if err := s.Store.LockContact(ctx, id); err != nil {
				return err
			}
		}
		a, err := s.Store.GetContact(ctx, into)
		if err != nil {
			return err
		}
		if into == from {
			return ErrMergeSelf
		}
		b, err := s.Store.GetContact(ctx, from)
		if errors.Is(err, ErrContactNotFound) {
			return ErrContactNotFound.WithField("contact_id")
		}
		if err != nil {
			return err
		}
		if a.MergedInto != nil || b.MergedInto != nil {
			return ErrMerged.WithField("contact_id")
		}
		channels := map[uuid.UUID]bool{}
		for _, id := range a.Identities {
			channels[id.ChannelID] = true
		}
		for _, id := range b.Identities {
			if channels[id.ChannelID] {
				return ErrMergeConflict
			}
		}
		if err := s.Store.MergeContacts(ctx, into, from, s.now()); err != nil {
			return err
		}
		c, err = s.Store.GetContact(ctx, into)
		return err
	})
	return c, err
}
