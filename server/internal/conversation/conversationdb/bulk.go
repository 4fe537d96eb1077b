package conversationdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// The batch statements are PostgreSQL's: a batch of inbound messages costs five
// statements whatever its size. They are raw SQL (the tenant guard only sees models),
// so each names the tenant itself, on top of row-level security.

// Batches reports whether the store takes the batch path (PostgreSQL only: SQLite
// serialises writers, so batching would only reorder the queue).
func (s *Store) Batches() bool { return s.DB.Dialect() == db.Postgres }

var _ conversation.BatchStore = (*Store)(nil)

func tuples(n int, tuple string) string {
	var b strings.Builder
	b.Grow(n * (len(tuple) + 2))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

// Threads is one statement: each sender's identity, and its contact's latest
// conversation on the channel through the (tenant, contact, channel) index.
func (s *Store) Threads(ctx context.Context, keys []conversation.SenderKey) (map[conversation.SenderKey]conversation.Thread, error) {
	out := make(map[conversation.SenderKey]conversation.Thread, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, 2+2*len(keys))
	for _, k := range keys {
		args = append(args, k.ChannelID, k.ExternalID)
	}
	args = append(args, tid, tid)
	q := "SELECT v.ch, v.ext, i.contact_id, " + prefixed("c.", conversationCols) +
		" FROM (VALUES " + tuples(len(keys), "(?::uuid, ?::text)") + ") AS v(ch, ext)" +
		" JOIN contact_identities i ON i.tenant_id = ? AND i.channel_id = v.ch AND i.external_id = v.ext" +
		" LEFT JOIN LATERAL (SELECT " + conversationCols + " FROM conversations WHERE tenant_id = ? AND contact_id = i.contact_id" +
		" AND channel_id = v.ch ORDER BY created_at DESC LIMIT 1) c ON true"
	err = s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k conversation.SenderKey
			var contact uuid.UUID
			var c nullConversation
			if err := rows.Scan(&k.ChannelID, &k.ExternalID, &contact, &c.TenantID, &c.ID, &c.ChannelID, &c.ContactID, &c.Status,
				&c.AssigneeID, &c.LastMessageAt, &c.LastMessagePreview, &c.Unread, &c.CreatedAt, &c.UpdatedAt, &c.ResolvedAt); err != nil {
				return err
			}
			th := conversation.Thread{ContactID: contact}
			if c.ID != nil {
				r := conversationRow{TenantID: *c.TenantID, ID: *c.ID, ChannelID: *c.ChannelID, ContactID: *c.ContactID, Status: *c.Status,
					AssigneeID: c.AssigneeID, LastMessageAt: *c.LastMessageAt, LastMessagePreview: *c.LastMessagePreview,
					Unread: int(*c.Unread), CreatedAt: *c.CreatedAt, UpdatedAt: *c.UpdatedAt, ResolvedAt: c.ResolvedAt}
				cv := r.conversation()
				th.Latest = &cv
			}
			out[k] = th
		}
		return rows.Err()
	})
	return out, err
}

// nullConversation scans a conversation from the outer side of a join.
type nullConversation struct {
	TenantID, ID, ChannelID, ContactID, AssigneeID  *uuid.UUID
	Status, LastMessagePreview                      *string
	Unread                                          *int64
	LastMessageAt, CreatedAt, UpdatedAt, ResolvedAt *time.Time
}

const conversationCols = "tenant_id, id, channel_id, contact_id, status, assignee_id, last_message_at, last_message_preview, unread, created_at, updated_at, resolved_at"

// AppendInbound inserts the messages and applies the touches in one statement (a
// data-modifying CTE). The touches are applied whatever the insert skipped; the caller
// compares the count and rolls back.
func (s *Store) AppendInbound(ctx context.Context, ms []*conversation.Message, ts []conversation.InboundTouch) (int, map[uuid.UUID]conversation.Conversation, error) {
	out := make(map[uuid.UUID]conversation.Conversation, len(ts))
	if len(ms) == 0 {
		return 0, out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return 0, nil, err
	}
	const cols = 12
	args := make([]any, 0, cols*len(ms)+4*len(ts)+1)
	for _, m := range ms {
		if m.TenantID != tid || m.Direction != conversation.In || len(m.Attachments) > 0 {
			return 0, nil, fmt.Errorf("append inbound: message %s is not an inbound message of this tenant without attachments", m.ID)
		}
		args = append(args, tid, m.ID, m.ConversationID, m.ChannelID, m.SenderType, m.SenderID, m.Type, m.Text,
			m.ExternalID, m.Status, m.CreatedAt.UTC(), m.UpdatedAt.UTC())
	}
	for _, t := range ts {
		args = append(args, t.ID, t.At.UTC(), t.Preview, t.Count)
	}
	args = append(args, tid)
	// The same changes as TouchInbound; the CASEs read the row as it was before.
	q := "WITH ins AS (INSERT INTO messages (tenant_id, id, conversation_id, channel_id, sender_type, sender_id, type, text, external_id, status, created_at, updated_at, direction) VALUES " +
		tuples(len(ms), "(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::uuid, ?::text, ?::text, ?::text, ?::text, ?::timestamptz, ?::timestamptz, 'in')") +
		" ON CONFLICT (tenant_id, channel_id, external_id) WHERE direction = 'in' DO NOTHING RETURNING 1), " +
		"upd AS (UPDATE conversations AS c SET last_message_at = v.at, last_message_preview = v.preview, unread = c.unread + v.n, updated_at = v.at, " +
		"status = CASE WHEN c.status IN ('resolved', 'pending') THEN (CASE WHEN c.assignee_id IS NULL THEN 'queued' ELSE 'open' END) ELSE c.status END, " +
		"resolved_at = CASE WHEN c.status = 'resolved' THEN NULL ELSE c.resolved_at END " +
		"FROM (VALUES " + tuples(len(ts), "(?::uuid, ?::timestamptz, ?::text, ?::integer)") + ") AS v(id, at, preview, n) " +
		"WHERE c.id = v.id AND c.tenant_id = ? RETURNING " + prefixed("c.", conversationCols) + ") " +
		"SELECT (SELECT count(*) FROM ins), " + conversationCols + " FROM upd"
	inserted := 0
	err = s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n int64
			var r conversationRow
			if err := rows.Scan(&n, &r.TenantID, &r.ID, &r.ChannelID, &r.ContactID, &r.Status, &r.AssigneeID, &r.LastMessageAt,
				&r.LastMessagePreview, &r.Unread, &r.CreatedAt, &r.UpdatedAt, &r.ResolvedAt); err != nil {
				return err
			}
			inserted = int(n)
			out[r.ID] = r.conversation()
		}
		return rows.Err()
	})
	return inserted, out, err
}

// OpenThreads inserts contacts, identities and conversations in one statement; the
// foreign keys between them are checked at its end, when all three exist.
func (s *Store) OpenThreads(ctx context.Context, ts []conversation.NewThread) (int, error) {
	if len(ts) == 0 {
		return 0, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return 0, err
	}
	var cArgs, iArgs, vArgs []any
	for _, t := range ts {
		c, i, v := t.Contact, t.Identity, t.Conversation
		if c.TenantID != tid || v.TenantID != tid || v.ContactID != c.ID {
			return 0, fmt.Errorf("open threads: thread of contact %s is not of this tenant", c.ID)
		}
		attrs := []byte("{}")
		if c.Attributes != nil {
			if attrs, err = json.Marshal(c.Attributes); err != nil {
				return 0, fmt.Errorf("open threads: contact attributes: %w", err)
			}
		}
		at := c.CreatedAt.UTC()
		cArgs = append(cArgs, tid, c.ID, c.Name, c.Email, c.Phone, c.AvatarURL, string(attrs), at, at)
		iArgs = append(iArgs, tid, uuid.Must(uuid.NewV7()), c.ID, i.ChannelID, i.ExternalID, i.Verified, at)
		vArgs = append(vArgs, tid, v.ID, v.ChannelID, c.ID, string(v.Status), v.LastMessageAt.UTC(), v.Preview, v.Unread, v.CreatedAt.UTC(), v.UpdatedAt.UTC())
	}
	q := "WITH c AS (INSERT INTO contacts (tenant_id, id, name, email, phone, avatar_url, attributes, created_at, updated_at) VALUES " +
		tuples(len(ts), "(?::uuid, ?::uuid, ?::text, ?::text, ?::text, ?::text, ?::text, ?::timestamptz, ?::timestamptz)") + "), " +
		"i AS (INSERT INTO contact_identities (tenant_id, id, contact_id, channel_id, external_id, verified, created_at) VALUES " +
		tuples(len(ts), "(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::boolean, ?::timestamptz)") +
		" ON CONFLICT (tenant_id, channel_id, external_id) DO NOTHING RETURNING 1), " +
		"v AS (INSERT INTO conversations (tenant_id, id, channel_id, contact_id, status, last_message_at, last_message_preview, unread, created_at, updated_at) VALUES " +
		tuples(len(ts), "(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::timestamptz, ?::text, ?::integer, ?::timestamptz, ?::timestamptz)") + ") " +
		"SELECT count(*) FROM i"
	args := append(append(cArgs, iArgs...), vArgs...)
	var n int64
	err = s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(q, args...).Row().Scan(&n)
	})
	return int(n), err
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
