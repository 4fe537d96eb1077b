// Package conversation is the heart of the message pipeline: contacts and their
// per-channel identities, conversations, messages and their delivery state.
//
// Every change that has a side effect outside the database (a realtime event, an
// outbound send) writes an outbox row in the same transaction; the outbox relay
// performs the effect after commit. So a message acknowledged to a provider is durable,
// and an agent's reply is sent even if the process dies right after the commit.
package conversation

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Status of a conversation.
type Status string

const (
	StatusBot      Status = "bot"      // the bot is answering
	StatusQueued   Status = "queued"   // waiting for an agent
	StatusOpen     Status = "open"     // an agent is on it
	StatusPending  Status = "pending"  // waiting for the customer
	StatusResolved Status = "resolved" // done; a new customer message reopens it
	StatusClosed   Status = "closed"   // final; a new customer message starts a new conversation
)

// Active reports whether a conversation still takes messages in place.
func (s Status) Active() bool { return s != StatusClosed }

// ParseStatus validates a status filter value.
func ParseStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case StatusBot, StatusQueued, StatusOpen, StatusPending, StatusResolved, StatusClosed:
		return st, true
	}
	return "", false
}

// Message directions, sender types, types and delivery states.
const (
	In  = "in"
	Out = "out"

	SenderContact = "contact"
	SenderAgent   = "agent"
	SenderBot     = "bot"
	SenderSystem  = "system"

	TypeText   = "text"
	TypeImage  = "image"
	TypeFile   = "file"
	TypeSystem = "system"
	// TypeNote is an internal note: agents only, never sent through a channel or
	// shown to the customer.
	TypeNote = "note"

	DeliveryReceived  = "received"
	DeliveryQueued    = "queued"
	DeliverySent      = "sent"
	DeliveryDelivered = "delivered"
	DeliveryRead      = "read"
	DeliveryFailed    = "failed"
)

// Limits on what a message may carry.
const (
	MaxTextLen        = 4000 // characters
	MaxAttachments    = 10
	MaxExternalIDLen  = 255
	MaxContactField   = 255
	previewLen        = 140
	MaxClientIDLength = 64
)

// Contact is a customer of a tenant.
type Contact struct {
	ID         uuid.UUID         `json:"id"`
	TenantID   uuid.UUID         `json:"tenant_id"`
	Name       string            `json:"name"`
	Email      string            `json:"email"`
	Phone      string            `json:"phone"`
	AvatarURL  string            `json:"avatar_url"`
	Attributes map[string]string `json:"attributes"`
	// Tags label the contact for agents and routing rules (vip).
	Tags       []string   `json:"tags"`
	Identities []Identity `json:"identities,omitempty"`
	// MergedInto names the contact this one was merged into (its identities and
	// conversations moved there); nil for a live contact.
	MergedInto *uuid.UUID `json:"merged_into"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Identity is a contact's id on one channel.
type Identity struct {
	ChannelID  uuid.UUID `json:"channel_id"`
	ExternalID string    `json:"external_id"`
	Verified   bool      `json:"verified"`
}

// Conversation is one thread with a contact on a channel.
type Conversation struct {
	ID            uuid.UUID  `json:"id"`
	TenantID      uuid.UUID  `json:"tenant_id"`
	ChannelID     uuid.UUID  `json:"channel_id"`
	ContactID     uuid.UUID  `json:"contact_id"`
	Status        Status     `json:"status"`
	AssigneeID    *uuid.UUID `json:"assignee_id"`
	LastMessageAt time.Time  `json:"last_message_at"`
	Preview       string     `json:"last_message_preview"`
	Unread        int        `json:"unread"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	ResolvedAt    *time.Time `json:"resolved_at"`
	// Routing: the team the conversation is queued for or was given through, its
	// priority in that queue (higher first), when it last entered the queue and when
	// an agent was given it. The routing engine and a database trigger keep these.
	TeamID     *uuid.UUID `json:"team_id"`
	Priority   int        `json:"priority"`
	QueuedAt   *time.Time `json:"queued_at"`
	AssignedAt *time.Time `json:"assigned_at"`
	// RoutedAt is when routing classified it (nil: not yet).
	RoutedAt *time.Time `json:"-"`
	// LeftMessageAt is when its customer was asked to leave a message (the queue
	// overflowed, or they came outside business hours): it waits in the inbox, outside
	// the live queue, until an agent takes it.
	LeftMessageAt *time.Time `json:"left_message_at"`
	// LastAssigneeID is who had it when its customer reopened it: routing gives it
	// back to them when they have room.
	LastAssigneeID *uuid.UUID `json:"-"`
	// Wrap-up: the category and summary the agent gave when resolving.
	WrapUpCategory string `json:"wrapup_category"`
	WrapUpSummary  string `json:"wrapup_summary"`
}

// Counts reports whether the conversation counts towards its assignee's load.
func (c *Conversation) Counts() bool {
	return c.AssigneeID != nil && (c.Status == StatusOpen || c.Status == StatusPending)
}

// Attachment is a file on a message.
type Attachment struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	StorageKey  string    `json:"-"`
	// Uploader is who uploaded a file not yet sent (a visitor's external id), so only
	// they can attach or fetch it; MessageID is the message it was sent with.
	Uploader  string     `json:"-"`
	MessageID *uuid.UUID `json:"-"`
}

// Message is one message in a conversation.
type Message struct {
	ID             uuid.UUID    `json:"id"`
	TenantID       uuid.UUID    `json:"tenant_id"`
	ConversationID uuid.UUID    `json:"conversation_id"`
	ChannelID      uuid.UUID    `json:"channel_id"`
	Direction      string       `json:"direction"`
	SenderType     string       `json:"sender_type"`
	SenderID       *uuid.UUID   `json:"sender_id"`
	Type           string       `json:"type"`
	Text           string       `json:"text"`
	ExternalID     string       `json:"-"`
	ClientID       string       `json:"client_id,omitempty"`
	Status         string       `json:"status"`
	Error          string       `json:"error,omitempty"`
	Attempts       int          `json:"-"`
	Attachments    []Attachment `json:"attachments"`
	// Mentions are the members a note @mentions.
	Mentions  []uuid.UUID `json:"mentions,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Internal reports a message only agents see (a system line or a note).
func (m *Message) Internal() bool { return m.Type == TypeSystem || m.Type == TypeNote }

// InboundContact is the sender of an inbound message as the channel reports it.
type InboundContact struct {
	ExternalID string
	Name       string
	Email      string
	Phone      string
	AvatarURL  string
	Attributes map[string]string
	Verified   bool
}

// Inbound is a normalised message from a channel, already verified by its connector.
type Inbound struct {
	ExternalID  string
	Sender      InboundContact
	Type        string
	Text        string
	Attachments []Attachment // already stored (StorageKey set) or linked (URL)
	SentAt      time.Time
}

// Ingested says what became of one inbound message.
type Ingested struct {
	MessageID      uuid.UUID
	ConversationID uuid.UUID
	ContactID      uuid.UUID
	Duplicate      bool
}

// Outbox topics.
const (
	TopicEvent = "event"        // publish Event to the tenant's realtime stream
	TopicSend  = "message.send" // deliver an outbound message through its channel
	TopicBot   = "bot.turn"     // let the bot answer a customer message (BotJob)
	TopicRoute = "route"        // route a queued conversation, or fill an agent's freed capacity (RouteJob)
)

// Event types published to realtime subscribers.
const (
	EventMessageCreated      = "message.created"
	EventMessageUpdated      = "message.updated"
	EventConversationUpdated = "conversation.updated"
	EventTyping              = "typing"
	EventRead                = "read"
	// EventVisitorBound tells a web visitor's other sockets which conversation the
	// visitor now writes in (From is the visitor's external id). Never sent to clients.
	EventVisitorBound = "visitor.bound"
	// EventQueuePosition tells a waiting customer's widget their place in the queue
	// (Position, from 1) and the estimated wait (WaitSeconds, 0: no estimate). It is
	// sent when they start waiting and whenever the queue moves.
	EventQueuePosition = "queue.position"
	// EventMention tells a member (UserID) that a note mentions them (MessageID).
	EventMention = "mention"
	// EventAgentUpdated carries an agent's routing state (Data) to the consoles of
	// every tenant they serve, for the live queue view.
	EventAgentUpdated = "agent.updated"
)

// Event is what agents' consoles and visitors' widgets receive.
type Event struct {
	Type           string        `json:"type"`
	TenantID       uuid.UUID     `json:"tenant_id"`
	ConversationID uuid.UUID     `json:"conversation_id"`
	Message        *Message      `json:"message,omitempty"`
	Conversation   *Conversation `json:"conversation,omitempty"`
	From           string        `json:"from,omitempty"` // typing/read: "contact" or "agent"
	MessageID      *uuid.UUID    `json:"message_id,omitempty"`
	Position       int           `json:"position,omitempty"`
	WaitSeconds    int           `json:"wait_seconds,omitempty"`
	// UserID is who an event concerns: the member a note mentions, or the agent
	// typing (with their Name).
	UserID *uuid.UUID `json:"user_id,omitempty"`
	Name   string     `json:"name,omitempty"`
	// Data is an event's own payload (agent.updated: the agent's routing state).
	Data json.RawMessage `json:"data,omitempty"`
}

// BotJob is the outbox payload of TopicBot: a customer message in a conversation the
// bot is answering.
type BotJob struct {
	TenantID       uuid.UUID `json:"tenant_id"`
	ConversationID uuid.UUID `json:"conversation_id"`
	MessageID      uuid.UUID `json:"message_id"`
}

// RouteJob is the outbox payload of TopicRoute: a conversation entered the queue
// (ConversationID), or an agent's load fell (AgentID).
type RouteJob struct {
	TenantID       uuid.UUID  `json:"tenant_id"`
	ConversationID *uuid.UUID `json:"conversation_id,omitempty"`
	AgentID        *uuid.UUID `json:"agent_id,omitempty"`
}

// SendJob is the outbox payload of TopicSend.
type SendJob struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	MessageID uuid.UUID `json:"message_id"`
}

// OutboxEntry is one pending side effect.
type OutboxEntry struct {
	ID       uuid.UUID
	TenantID uuid.UUID
	Topic    string
	Payload  json.RawMessage
	Attempts int
	Created  time.Time
}

// Errors.
var (
	ErrConversationNotFound = errs.New(errs.NotFound, "conversation.not-found", "The conversation does not exist.")
	ErrMessageNotFound      = errs.New(errs.NotFound, "message.not-found", "The message does not exist.")
	ErrClosed               = errs.New(errs.Conflict, "conversation.closed", "The conversation is closed.")
	ErrEmptyMessage         = errs.New(errs.Invalid, "message.empty", "A message needs text or an attachment.")
	ErrTextTooLong          = errs.New(errs.Invalid, "message.too-long", "The message is too long.")
	ErrBadMention           = errs.New(errs.Invalid, "note.bad-mention", "Only members of this workspace can be mentioned.")
	ErrMergeOtherContact    = errs.New(errs.Invalid, "conversation.merge-other-contact", "Only conversations of the same contact can be merged.")
	ErrAtCapacity           = errs.New(errs.Conflict, "agent.at-capacity", "The agent has as many open conversations as their capacity allows.")
	ErrBadAssignee          = errs.New(errs.Unprocessable, "conversation.bad-assignee", "The assignee is not a member of this workspace.")
	ErrContactNotFound      = errs.New(errs.NotFound, "contact.not-found", "The contact does not exist.")
	ErrMergeSelf            = errs.New(errs.Unprocessable, "contact.merge-self", "A contact cannot be merged into itself.").WithField("contact_id")
	ErrMergeConflict        = errs.New(errs.Conflict, "contact.merge-conflict", "Both contacts have an identity on the same channel; a contact has one identity per channel.").WithField("contact_id")
	ErrMerged               = errs.New(errs.Conflict, "contact.merged", "The contact was merged into another one; edit that one.")
)
