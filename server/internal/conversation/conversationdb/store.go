// Package conversationdb is the GORM store of the conversation engine. Statements per
// inbound message are budgeted: a dedupe probe, an identity lookup, the conversation
// lookup, the message insert, one UPDATE ... RETURNING of the conversation and the
// outbox insert.
package conversationdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

type contactRow struct {
	TenantID   uuid.UUID `gorm:"primaryKey"`
	ID         uuid.UUID `gorm:"primaryKey"`
	Name       string
	Email      string
	Phone      string
	AvatarURL  string
	Attributes string
	Tags       string `gorm:"->"`
	MergedInto *uuid.UUID
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (contactRow) TableName() string { return "contacts" }

type identityRow struct {
	TenantID   uuid.UUID `gorm:"primaryKey"`
	ID         uuid.UUID `gorm:"primaryKey"`
	ContactID  uuid.UUID
	ChannelID  uuid.UUID
	ExternalID string
	Verified   bool
	CreatedAt  time.Time
}

func (identityRow) TableName() string { return "contact_identities" }

type conversationRow struct {
	TenantID           uuid.UUID `gorm:"primaryKey"`
	ID                 uuid.UUID `gorm:"primaryKey"`
	ChannelID          uuid.UUID
	ContactID          uuid.UUID
	Status             string
	AssigneeID         *uuid.UUID
	LastMessageAt      time.Time
	LastMessagePreview string
	Unread             int
	CreatedAt          time.Time
	UpdatedAt          time.Time
	ResolvedAt         *time.Time
	// Kept by routing and a trigger; never written from here.
	TeamID     *uuid.UUID `gorm:"->"`
	Priority   int        `gorm:"->"`
	QueuedAt   *time.Time `gorm:"->"`
	AssignedAt *time.Time `gorm:"->"`
	RoutedAt   *time.Time `gorm:"->"`
	// LeftMessageAt is kept by routing and the queue trigger.
	LeftMessageAt  *time.Time `gorm:"->"`
	LastAssigneeID *uuid.UUID `gorm:"->"`
	WrapupCategory string
	WrapupSummary  string
}

func (conversationRow) TableName() string { return "conversations" }

type messageRow struct {
	TenantID       uuid.UUID `gorm:"primaryKey"`
	ID             uuid.UUID `gorm:"primaryKey"`
	ConversationID uuid.UUID
	ChannelID      uuid.UUID
	Direction      string
	SenderType     string
	SenderID       *uuid.UUID
	Type           string
	Text           string
	ExternalID     string
	ClientID       string
	Status         string
	Error          string
	Attempts       int
	Mentions       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (messageRow) TableName() string { return "messages" }

type attachmentRow struct {
	TenantID    uuid.UUID `gorm:"primaryKey"`
	ID          uuid.UUID `gorm:"primaryKey"`
	MessageID   *uuid.UUID
	ChannelID   uuid.UUID
	Name        string
	ContentType string
	Size        int64
	StorageKey  string
	Uploader    string
	CreatedAt   time.Time
}

func (attachmentRow) TableName() string { return "attachments" }

type outboxRow struct {
	TenantID  uuid.UUID `gorm:"primaryKey"`
	ID        uuid.UUID `gorm:"primaryKey"`
	Topic     string
	Payload   string
	Attempts  int
	CreatedAt time.Time
}

func (outboxRow) TableName() string { return "outbox" }

// Store implements conversation.Store.
type Store struct{ DB *db.DB }

var _ conversation.Store = (*Store)(nil)

func (s *Store) tx(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	return s.DB.Tx(ctx, fn)
}

func (s *Store) view(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	return s.DB.View(ctx, fn)
}

// ---- contacts -------------------------------------------------------------------

func (s *Store) FindInbound(ctx context.Context, channelID uuid.UUID, externalID string) (conversation.Message, bool, error) {
	var r messageRow
	var found bool
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("channel_id = ? AND external_id = ? AND direction = ?", channelID, externalID, conversation.In).Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil || !found {
		return conversation.Message{}, false, err
	}
	return r.message(), true, nil
}

func (s *Store) IdentityContact(ctx context.Context, channelID uuid.UUID, externalID string) (uuid.UUID, bool, error) {
	var r identityRow
	var found bool
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Select("contact_id").Where("channel_id = ? AND external_id = ?", channelID, externalID).Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	return r.ContactID, found, err
}

func (s *Store) CreateContact(ctx context.Context, c *conversation.Contact, ident conversation.Identity) error {
	attrs, _ := json.Marshal(c.Attributes)
	if c.Attributes == nil {
		attrs = []byte("{}")
	}
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		cr := contactRow{TenantID: c.TenantID, ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone,
			AvatarURL: c.AvatarURL, Attributes: string(attrs), CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt}
		if err := tx.Create(&cr).Error; err != nil {
			return fmt.Errorf("create contact: %w", err)
		}
		ir := identityRow{TenantID: c.TenantID, ID: uuid.Must(uuid.NewV7()), ContactID: c.ID, ChannelID: ident.ChannelID,
			ExternalID: ident.ExternalID, Verified: ident.Verified, CreatedAt: c.CreatedAt}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ir)
		if res.Error != nil {
			return fmt.Errorf("create contact identity: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			// A concurrent first message created the sender's contact: drop ours
			// rather than leave an empty contact behind.
			if err := tx.Delete(&cr).Error; err != nil {
				return fmt.Errorf("drop duplicate contact: %w", err)
			}
			return conversation.ErrDuplicate
		}
		return nil
	})
}

// FillContact sets details the contact does not have yet; it never overwrites what an
// agent may have edited.
func (s *Store) FillContact(ctx context.Context, id uuid.UUID, in conversation.InboundContact) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		set := map[string]any{}
		for col, v := range map[string]string{"name": in.Name, "email": in.Email, "phone": in.Phone, "avatar_url": in.AvatarURL} {
			if v != "" {
				set[col] = gorm.Expr("CASE WHEN "+col+" = '' THEN ? ELSE "+col+" END", v)
			}
		}
		if len(set) == 0 {
			return nil
		}
		return tx.Model(&contactRow{}).Where("id = ? AND (name = '' OR email = '' OR phone = '' OR avatar_url = '')", id).Updates(set).Error
	})
}

func (s *Store) GetContact(ctx context.Context, id uuid.UUID) (conversation.Contact, error) {
	var c conversation.Contact
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var r contactRow
		if err := tx.Where("id = ?", id).Take(&r).Error; err != nil {
			if db.IsNotFound(err) {
				return conversation.ErrContactNotFound
			}
			return err
		}
		c = r.contact()
		_ = json.Unmarshal([]byte(r.Attributes), &c.Attributes)
		var ids []identityRow
		if err := tx.Where("contact_id = ?", id).Order("created_at").Find(&ids).Error; err != nil {
			return err
		}
		for _, i := range ids {
			c.Identities = append(c.Identities, conversation.Identity{ChannelID: i.ChannelID, ExternalID: i.ExternalID, Verified: i.Verified})
		}
		return nil
	})
	return c, err
}

// ---- conversations ----------------------------------------------------------------

func (r conversationRow) conversation() conversation.Conversation {
	c := conversation.Conversation{ID: r.ID, TenantID: r.TenantID, ChannelID: r.ChannelID, ContactID: r.ContactID,
		Status: conversation.Status(r.Status), AssigneeID: r.AssigneeID, LastMessageAt: r.LastMessageAt.UTC(),
		Preview: r.LastMessagePreview, Unread: r.Unread, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	c.ResolvedAt, c.QueuedAt, c.AssignedAt = utcPtr(r.ResolvedAt), utcPtr(r.QueuedAt), utcPtr(r.AssignedAt)
	c.TeamID, c.Priority, c.RoutedAt, c.LeftMessageAt = r.TeamID, r.Priority, utcPtr(r.RoutedAt), utcPtr(r.LeftMessageAt)
	c.LastAssigneeID = r.LastAssigneeID
	c.WrapUpCategory, c.WrapUpSummary = r.WrapupCategory, r.WrapupSummary
	return c
}

func toConversationRow(c *conversation.Conversation) conversationRow {
	return conversationRow{TenantID: c.TenantID, ID: c.ID, ChannelID: c.ChannelID, ContactID: c.ContactID,
		Status: string(c.Status), AssigneeID: c.AssigneeID, LastMessageAt: c.LastMessageAt.UTC(),
		LastMessagePreview: c.Preview, Unread: c.Unread, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), ResolvedAt: c.ResolvedAt}
}

func (s *Store) LatestConversation(ctx context.Context, contactID, channelID uuid.UUID) (conversation.Conversation, bool, error) {
	var r conversationRow
	var found bool
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("contact_id = ? AND channel_id = ?", contactID, channelID).Order("created_at DESC").Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil || !found {
		return conversation.Conversation{}, false, err
	}
	return r.conversation(), true, nil
}

// LockContact takes a transaction-scoped advisory lock on PostgreSQL so two first
// messages from one contact cannot open two conversations. SQLite serialises writers.
func (s *Store) LockContact(ctx context.Context, contactID uuid.UUID) error {
	if s.DB.Dialect() != db.Postgres {
		return nil
	}
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "contact:"+contactID.String()).Error
	})
}

func (s *Store) CreateConversation(ctx context.Context, c *conversation.Conversation) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := toConversationRow(c)
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("create conversation: %w", err)
		}
		return nil
	})
}

func (s *Store) GetConversation(ctx context.Context, id uuid.UUID) (conversation.Conversation, error) {
	var r conversationRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("id = ?", id).Take(&r).Error
	})
	if db.IsNotFound(err) {
		return conversation.Conversation{}, conversation.ErrConversationNotFound
	}
	if err != nil {
		return conversation.Conversation{}, err
	}
	return r.conversation(), nil
}

func (s *Store) touch(ctx context.Context, id uuid.UUID, set map[string]any) (conversation.Conversation, error) {
	var rows []conversationRow
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&rows).Clauses(clause.Returning{}).Where("id = ?", id).Updates(set).Error
	})
	if err != nil {
		return conversation.Conversation{}, err
	}
	if len(rows) == 0 {
		return conversation.Conversation{}, conversation.ErrConversationNotFound
	}
	return rows[0].conversation(), nil
}

func (s *Store) TouchInbound(ctx context.Context, id uuid.UUID, at time.Time, preview string) (conversation.Conversation, error) {
	return s.touch(ctx, id, map[string]any{
		"last_message_at":      at,
		"last_message_preview": preview,
		"unread":               gorm.Expr("unread + 1"),
		"updated_at":           at,
		// touchedInbound says the same in Go: a resolved one goes back to the queue
		// unassigned, a pending one back to its agent.
		"status":      gorm.Expr("CASE WHEN status = 'resolved' OR (status = 'pending' AND assignee_id IS NULL) THEN 'queued' WHEN status = 'pending' THEN 'open' ELSE status END"),
		"assignee_id": gorm.Expr("CASE WHEN status = 'resolved' THEN NULL ELSE assignee_id END"),
		"resolved_at": gorm.Expr("CASE WHEN status = 'resolved' THEN NULL ELSE resolved_at END"),
	})
}

func (s *Store) TouchOutbound(ctx context.Context, id uuid.UUID, at time.Time, preview string, agent *uuid.UUID) (conversation.Conversation, error) {
	set := map[string]any{
		"last_message_at":      at,
		"last_message_preview": preview,
		"unread":               0,
		"updated_at":           at,
	}
	if agent != nil {
		set["assignee_id"] = gorm.Expr("COALESCE(assignee_id, ?)", *agent)
		set["status"] = gorm.Expr("CASE WHEN status IN ('queued', 'bot') THEN 'open' ELSE status END")
	}
	return s.touch(ctx, id, set)
}

func (s *Store) UpdateConversation(ctx context.Context, c *conversation.Conversation) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Model(&conversationRow{}).Where("id = ?", c.ID).Updates(map[string]any{
			"status": string(c.Status), "assignee_id": c.AssigneeID, "unread": c.Unread,
			"updated_at": c.UpdatedAt.UTC(), "resolved_at": c.ResolvedAt,
			"wrapup_category": c.WrapUpCategory, "wrapup_summary": c.WrapUpSummary,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return conversation.ErrConversationNotFound
		}
		return nil
	})
}

func (s *Store) ListConversations(ctx context.Context, f conversation.Filter) ([]conversation.Conversation, error) {
	var rows []conversationRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Model(&conversationRow{})
		if len(f.Statuses) > 0 {
			ss := make([]string, len(f.Statuses))
			for i, st := range f.Statuses {
				ss[i] = string(st)
			}
			q = q.Where("status IN ?", ss)
		}
		if f.ChannelID != nil {
			q = q.Where("channel_id = ?", *f.ChannelID)
		}
		if f.ContactID != nil {
			q = q.Where("contact_id = ?", *f.ContactID)
		}
		if f.AssigneeID != nil {
			q = q.Where("assignee_id = ?", *f.AssigneeID)
		} else if f.Unassigned {
			q = q.Where("assignee_id IS NULL")
		}
		if f.Before != nil {
			q = q.Where("(last_message_at < ? OR (last_message_at = ? AND id < ?))", f.Before.At.UTC(), f.Before.At.UTC(), f.Before.ID)
		}
		return q.Order("last_message_at DESC, id DESC").Limit(f.Limit).Find(&rows).Error
	})
	out := make([]conversation.Conversation, len(rows))
	for i, r := range rows {
		out[i] = r.conversation()
	}
	return out, err
}

// ---- messages ---------------------------------------------------------------------

func (r messageRow) message() conversation.Message {
	m := conversation.Message{ID: r.ID, TenantID: r.TenantID, ConversationID: r.ConversationID, ChannelID: r.ChannelID,
		Direction: r.Direction, SenderType: r.SenderType, SenderID: r.SenderID, Type: r.Type, Text: r.Text,
		ExternalID: r.ExternalID, ClientID: r.ClientID, Status: r.Status, Error: r.Error, Attempts: r.Attempts,
		Attachments: []conversation.Attachment{}, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.Mentions != "" && r.Mentions != "[]" {
		_ = json.Unmarshal([]byte(r.Mentions), &m.Mentions)
	}
	return m
}

func mentionsJSON(ids []uuid.UUID) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func (s *Store) InsertMessage(ctx context.Context, m *conversation.Message) (bool, error) {
	var inserted bool
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		r := messageRow{TenantID: m.TenantID, ID: m.ID, ConversationID: m.ConversationID, ChannelID: m.ChannelID,
			Direction: m.Direction, SenderType: m.SenderType, SenderID: m.SenderID, Type: m.Type, Text: m.Text,
			ExternalID: m.ExternalID, ClientID: m.ClientID, Status: m.Status, Error: m.Error, Mentions: mentionsJSON(m.Mentions),
			CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
		q := tx
		if m.Direction == conversation.In {
			// The inbound unique index is partial: the conflict target must say so.
			q = q.Clauses(clause.OnConflict{
				Columns:     []clause.Column{{Name: "tenant_id"}, {Name: "channel_id"}, {Name: "external_id"}},
				TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "direction = 'in'"}}},
				DoNothing:   true,
			})
		}
		res := q.Create(&r)
		if res.Error != nil {
			if db.IsUniqueViolation(res.Error) {
				return conversation.ErrDuplicate
			}
			return fmt.Errorf("insert message: %w", res.Error)
		}
		inserted = res.RowsAffected > 0
		if !inserted {
			return nil
		}
		for i := range m.Attachments {
			a := &m.Attachments[i]
			if a.ID == uuid.Nil {
				a.ID = uuid.Must(uuid.NewV7())
				ar := attachmentRow{TenantID: m.TenantID, ID: a.ID, MessageID: &m.ID, ChannelID: m.ChannelID, Name: a.Name,
					ContentType: a.ContentType, Size: a.Size, StorageKey: a.StorageKey, CreatedAt: m.CreatedAt.UTC()}
				if a.StorageKey == "" {
					ar.StorageKey = "url:" + a.URL
				}
				if err := tx.Create(&ar).Error; err != nil {
					return fmt.Errorf("insert attachment: %w", err)
				}
				continue
			}
			// Uploaded before the message was written (widget, console): claim it.
			res := tx.Model(&attachmentRow{}).Where("id = ? AND message_id IS NULL AND channel_id = ?", a.ID, m.ChannelID).
				Update("message_id", m.ID)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return conversation.ErrMessageNotFound.WithMessage("The attachment does not exist or is already used.").WithField("attachments")
			}
		}
		return nil
	})
	if errors.Is(err, conversation.ErrDuplicate) && m.Direction == conversation.In {
		return false, nil
	}
	return inserted, err
}

func (s *Store) FindOutboundByClientID(ctx context.Context, conversationID uuid.UUID, clientID string) (conversation.Message, bool, error) {
	var r messageRow
	var found bool
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("conversation_id = ? AND client_id = ? AND direction = ?", conversationID, clientID, conversation.Out).Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil || !found {
		return conversation.Message{}, false, err
	}
	ms, err := s.withAttachments(ctx, []messageRow{r})
	if err != nil {
		return conversation.Message{}, false, err
	}
	return ms[0], true, nil
}

func (s *Store) withAttachments(ctx context.Context, rows []messageRow) ([]conversation.Message, error) {
	out := make([]conversation.Message, len(rows))
	idx := make(map[uuid.UUID]int, len(rows))
	ids := make([]uuid.UUID, 0, len(rows))
	for i, r := range rows {
		out[i] = r.message()
		if r.Type == conversation.TypeImage || r.Type == conversation.TypeFile || r.Type == conversation.TypeText {
			idx[r.ID] = i
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	var as []attachmentRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("message_id IN ?", ids).Order("created_at, id").Find(&as).Error
	})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if i, ok := idx[*a.MessageID]; ok {
			out[i].Attachments = append(out[i].Attachments, toAttachment(a))
		}
	}
	return out, nil
}

func toAttachment(a attachmentRow) conversation.Attachment {
	at := conversation.Attachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, StorageKey: a.StorageKey,
		Uploader: a.Uploader, MessageID: a.MessageID}
	if len(a.StorageKey) > 4 && a.StorageKey[:4] == "url:" {
		at.URL, at.StorageKey = a.StorageKey[4:], ""
	}
	return at
}

// GetAttachment returns an attachment of the context's tenant.
func (s *Store) GetAttachment(ctx context.Context, id uuid.UUID) (conversation.Attachment, uuid.UUID, error) {
	var a attachmentRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&a).Error })
	if db.IsNotFound(err) {
		return conversation.Attachment{}, uuid.Nil, conversation.ErrMessageNotFound.WithMessage("The attachment does not exist.")
	}
	return toAttachment(a), a.ChannelID, err
}

// CreateAttachment records an uploaded file not yet attached to a message.
func (s *Store) CreateAttachment(ctx context.Context, tenantID, channelID uuid.UUID, a *conversation.Attachment) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Create(&attachmentRow{TenantID: tenantID, ID: a.ID, ChannelID: channelID, Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, StorageKey: a.StorageKey, Uploader: a.Uploader, CreatedAt: time.Now().UTC()}).Error
	})
}

func (s *Store) GetMessage(ctx context.Context, id uuid.UUID) (conversation.Message, error) {
	var r messageRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error { return tx.Where("id = ?", id).Take(&r).Error })
	if db.IsNotFound(err) {
		return conversation.Message{}, conversation.ErrMessageNotFound
	}
	if err != nil {
		return conversation.Message{}, err
	}
	ms, err := s.withAttachments(ctx, []messageRow{r})
	if err != nil {
		return conversation.Message{}, err
	}
	return ms[0], nil
}

func (s *Store) ListMessages(ctx context.Context, conversationID uuid.UUID, before, after *uuid.UUID, limit int) ([]conversation.Message, error) {
	var rows []messageRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Where("conversation_id = ?", conversationID)
		switch {
		case after != nil:
			return q.Where("id > ?", *after).Order("id ASC").Limit(limit).Find(&rows).Error
		case before != nil:
			q = q.Where("id < ?", *before)
		}
		if err := q.Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
			return err
		}
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.withAttachments(ctx, rows)
}

func (s *Store) UpdateDelivery(ctx context.Context, id uuid.UUID, status, externalID, errText string, attempts int) (conversation.Message, error) {
	var rows []messageRow
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		set := map[string]any{"status": status, "error": errText, "attempts": attempts, "updated_at": time.Now().UTC()}
		if externalID != "" {
			set["external_id"] = externalID
		}
		return tx.Model(&rows).Clauses(clause.Returning{}).Where("id = ?", id).Updates(set).Error
	})
	if err != nil {
		return conversation.Message{}, err
	}
	if len(rows) == 0 {
		return conversation.Message{}, conversation.ErrMessageNotFound
	}
	ms, err := s.withAttachments(ctx, rows)
	if err != nil {
		return conversation.Message{}, err
	}
	return ms[0], nil
}

func (s *Store) OutboundByExternalID(ctx context.Context, channelID uuid.UUID, externalID string) (conversation.Message, bool, error) {
	var r messageRow
	var found bool
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Where("channel_id = ? AND external_id = ? AND direction = ?", channelID, externalID, conversation.Out).Limit(1).Find(&r)
		found = res.RowsAffected > 0
		return res.Error
	})
	if err != nil || !found {
		return conversation.Message{}, false, err
	}
	return r.message(), true, nil
}

// ---- outbox -----------------------------------------------------------------------

func (s *Store) AddOutbox(ctx context.Context, es ...conversation.OutboxEntry) error {
	if len(es) == 0 {
		return nil
	}
	if s.DB.Dialect() == db.Postgres {
		tid, err := tenants.Require(ctx)
		if err != nil {
			return err
		}
		return s.addOutboxPG(ctx, tid, es)
	}
	rows := make([]outboxRow, len(es))
	for i, e := range es {
		rows[i] = outboxRow{TenantID: e.TenantID, ID: e.ID, Topic: e.Topic, Payload: string(e.Payload), CreatedAt: e.Created.UTC()}
	}
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Create(&rows).Error
	})
}

// VisitorConversation is the latest conversation of the contact behind a channel
// identity (the widget's thread).
func (s *Store) VisitorConversation(ctx context.Context, channelID uuid.UUID, externalID string) (conversation.Conversation, bool, error) {
	cid, ok, err := s.IdentityContact(ctx, channelID, externalID)
	if err != nil || !ok {
		return conversation.Conversation{}, false, err
	}
	return s.LatestConversation(ctx, cid, channelID)
}

// ContactsByID loads contacts for a page of conversations.
func (s *Store) ContactsByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]conversation.Contact, error) {
	out := make(map[uuid.UUID]conversation.Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []contactRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Where("id IN ?", ids).Find(&rows).Error
	})
	for _, r := range rows {
		out[r.ID] = conversation.Contact{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Email: r.Email, Phone: r.Phone, AvatarURL: r.AvatarURL, CreatedAt: r.CreatedAt}
	}
	return out, err
}

func (r contactRow) contact() conversation.Contact {
	c := conversation.Contact{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Email: r.Email, Phone: r.Phone,
		AvatarURL: r.AvatarURL, MergedInto: r.MergedInto, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	_ = json.Unmarshal([]byte(r.Attributes), &c.Attributes)
	c.Tags = []string{}
	_ = json.Unmarshal([]byte(r.Tags), &c.Tags)
	return c
}

// ListContacts lists live contacts, newest first.
func (s *Store) ListContacts(ctx context.Context, q string, before *uuid.UUID, limit int) ([]conversation.Contact, error) {
	var rows []contactRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tq := tx.Where("merged_into IS NULL")
		if q != "" {
			like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
			tq = tq.Where("(LOWER(name) LIKE ? ESCAPE '\\' OR LOWER(email) LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\')", like, like, like)
		}
		if before != nil {
			tq = tq.Where("id < ?", *before)
		}
		return tq.Order("id DESC").Limit(limit).Find(&rows).Error
	})
	out := make([]conversation.Contact, len(rows))
	for i, r := range rows {
		out[i] = r.contact()
	}
	return out, err
}

func (s *Store) UpdateContact(ctx context.Context, c *conversation.Contact) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Model(&contactRow{}).Where("id = ?", c.ID).
			Updates(map[string]any{"name": c.Name, "email": c.Email, "phone": c.Phone, "tags": tagsJSON(c.Tags),
				"attributes": attributesJSON(c.Attributes), "updated_at": c.UpdatedAt.UTC()}).Error
	})
}

func attributesJSON(a map[string]string) string {
	if a == nil {
		a = map[string]string{}
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func tagsJSON(tags []string) string {
	if tags == nil {
		tags = []string{}
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

func (s *Store) MergeContacts(ctx context.Context, into, from uuid.UUID, at time.Time) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		steps := []struct {
			what string
			q    *gorm.DB
		}{
			{"identities", tx.Model(&identityRow{}).Where("contact_id = ?", from).Update("contact_id", into)},
			{"conversations", tx.Model(&conversationRow{}).Where("contact_id = ?", from).Update("contact_id", into)},
			{"messages", tx.Model(&messageRow{}).Where("sender_type = ? AND sender_id = ?", conversation.SenderContact, from).Update("sender_id", into)},
		}
		for _, st := range steps {
			if st.q.Error != nil {
				return fmt.Errorf("merge contact %s: %w", st.what, st.q.Error)
			}
		}
		// The survivor keeps its details and takes the other's where it has none.
		var b contactRow
		if err := tx.Where("id = ?", from).Take(&b).Error; err != nil {
			return err
		}
		set := map[string]any{"updated_at": at.UTC()}
		for col, v := range map[string]string{"name": b.Name, "email": b.Email, "phone": b.Phone, "avatar_url": b.AvatarURL} {
			if v != "" {
				set[col] = gorm.Expr("CASE WHEN "+col+" = '' THEN ? ELSE "+col+" END", v)
			}
		}
		if err := tx.Model(&contactRow{}).Where("id = ?", into).Updates(set).Error; err != nil {
			return fmt.Errorf("merge contact details: %w", err)
		}
		return tx.Model(&contactRow{}).Where("id = ?", from).Updates(map[string]any{"merged_into": into, "updated_at": at.UTC()}).Error
	})
}

func (s *Store) DeliveredUpTo(ctx context.Context, conversationID, messageID uuid.UUID) ([]conversation.Message, error) {
	var rows []messageRow
	err := s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		// Notes and system lines are never shown to the customer: they cannot be read.
		return tx.Where("conversation_id = ? AND direction = ? AND status IN ? AND id <= ? AND type NOT IN ?", conversationID,
			conversation.Out, []string{conversation.DeliverySent, conversation.DeliveryDelivered}, messageID,
			[]string{conversation.TypeNote, conversation.TypeSystem}).Order("id").Limit(1000).Find(&rows).Error
	})
	out := make([]conversation.Message, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out, err
}

func (s *Store) MergeConversations(ctx context.Context, into, from conversation.Conversation, at time.Time) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec("UPDATE messages SET conversation_id = ? WHERE conversation_id = ?", into.ID, from.ID).Error; err != nil {
			return err
		}
		last, preview := into.LastMessageAt, into.Preview
		if from.LastMessageAt.After(last) {
			last, preview = from.LastMessageAt, from.Preview
		}
		if err := tx.Model(&conversationRow{}).Where("id = ?", into.ID).Updates(map[string]any{
			"last_message_at": last.UTC(), "last_message_preview": preview, "unread": into.Unread + from.Unread, "updated_at": at.UTC(),
		}).Error; err != nil {
			return err
		}
		return tx.Model(&conversationRow{}).Where("id = ?", from.ID).Updates(map[string]any{
			"status": string(conversation.StatusClosed), "unread": 0, "updated_at": at.UTC(),
		}).Error
	})
}
