package conversation

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/tenants"
)

// Outbound is what a channel needs to deliver a message.
type Outbound struct {
	MessageID   uuid.UUID
	Recipient   Identity
	Contact     Contact
	Type        string
	Text        string
	Attachments []Attachment
}

// Sender delivers outbound messages through the channel's connector.
type Sender interface {
	Send(ctx context.Context, channelID uuid.UUID, out Outbound) (externalID string, err error)
}

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so Deliver fails the message at once instead of retrying.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports an error wrapped by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

// Deliver sends one queued outbound message. It is idempotent: a message that is no
// longer queued is left alone, and the connector gets the message id as its
// idempotency key. A retryable failure returns an error (the job is retried); on a
// permanent failure, or a retryable one on the last attempt, the message is marked
// failed and the agent is told.
func (s *Service) Deliver(ctx context.Context, sender Sender, job SendJob, lastAttempt bool) error {
	ctx = tenants.NewContext(ctx, job.TenantID)
	m, err := s.Store.GetMessage(ctx, job.MessageID)
	if errors.Is(err, ErrMessageNotFound) {
		return nil // deleted with its tenant or conversation: nothing to send
	}
	if err != nil {
		return err
	}
	if m.Direction != Out || m.Status != DeliveryQueued {
		return nil
	}
	conv, err := s.Store.GetConversation(ctx, m.ConversationID)
	if err != nil {
		return err
	}
	contact, err := s.Store.GetContact(ctx, conv.ContactID)
	if err != nil {
		return err
	}
	var rcpt Identity
	for _, id := range contact.Identities {
		if id.ChannelID == m.ChannelID {
			rcpt = id
			break
		}
	}
	if rcpt.ExternalID == "" {
		return s.finish(ctx, m, DeliveryFailed, "", "The contact has no address on this channel.")
	}
	ext, err := sender.Send(ctx, m.ChannelID, Outbound{MessageID: m.ID, Recipient: rcpt, Contact: contact,
		Type: m.Type, Text: m.Text, Attachments: m.Attachments})
	switch {
	case err == nil:
		return s.finish(ctx, m, DeliverySent, ext, "")
	case IsPermanent(err) || lastAttempt:
		if ferr := s.finish(ctx, m, DeliveryFailed, "", err.Error()); ferr != nil {
			return ferr
		}
		return nil
	default:
		if _, uerr := s.Store.UpdateDelivery(ctx, m.ID, DeliveryQueued, "", err.Error(), m.Attempts+1); uerr != nil {
			return errors.Join(err, uerr)
		}
		return fmt.Errorf("send message %s: %w", m.ID, err)
	}
}

func (s *Service) finish(ctx context.Context, m Message, status, ext, errText string) error {
	var woke []OutboxEntry
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		um, err := s.Store.UpdateDelivery(ctx, m.ID, status, ext, errText, m.Attempts+1)
		if err != nil {
			return err
		}
		e := eventEntry(Event{Type: EventMessageUpdated, TenantID: um.TenantID, ConversationID: um.ConversationID, Message: &um}, s.now())
		woke = []OutboxEntry{e}
		return s.Store.AddOutbox(ctx, e)
	})
	if err == nil {
		s.wake(ctx, woke)
	}
	return err
}

// Receipt is a delivery report for an outbound message.
type Receipt struct {
	ExternalID string
	Status     string // delivered, read, failed
	Error      string
}

var deliveryRank = map[string]int{DeliveryQueued: 0, DeliverySent: 1, DeliveryDelivered: 2, DeliveryRead: 3}

// ApplyReceipts moves outbound messages forward (never backward: a late "delivered"
// after "read" changes nothing). Unknown message ids are ignored.
func (s *Service) ApplyReceipts(ctx context.Context, channelID uuid.UUID, rs []Receipt) error {
	for _, r := range rs {
		if r.ExternalID == "" {
			continue
		}
		m, ok, err := s.Store.OutboundByExternalID(ctx, channelID, r.ExternalID)
		if err != nil {
			return err
		}
		if !ok || m.Status == DeliveryFailed {
			continue
		}
		switch r.Status {
		case DeliveryFailed:
			if m.Status == DeliveryRead {
				continue
			}
		case DeliveryDelivered, DeliveryRead:
			if deliveryRank[r.Status] <= deliveryRank[m.Status] {
				continue
			}
		default:
			continue
		}
		if err := s.finish(ctx, m, r.Status, m.ExternalID, r.Error); err != nil {
			return err
		}
	}
	return nil
}

// MarkReadUpTo records that the contact read the outbound messages of a conversation
// up to and including messageID (a web visitor opened the chat).
// Replies still queued are left alone (their delivery is in flight); the widget reads
// again when they turn sent.
func (s *Service) MarkReadUpTo(ctx context.Context, conversationID, messageID uuid.UUID) error {
	msgs, err := s.Store.DeliveredUpTo(ctx, conversationID, messageID)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := s.finish(ctx, m, DeliveryRead, m.ExternalID, ""); err != nil {
			return err
		}
	}
	return nil
}
