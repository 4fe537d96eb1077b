package conversationdb

import (
	"context"
	"fmt"
	"strings"

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

func (s *Store) IdentityContacts(ctx context.Context, keys []conversation.SenderKey) (map[conversation.SenderKey]uuid.UUID, error) {
	out := make(map[conversation.SenderKey]uuid.UUID, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, 1+2*len(keys))
	args = append(args, tid)
	for _, k := range keys {
		args = append(args, k.ChannelID, k.ExternalID)
	}
	q := "SELECT channel_id, external_id, contact_id FROM contact_identities WHERE tenant_id = ? AND (channel_id, external_id) IN (" +
		tuples(len(keys), "(?::uuid, ?::text)") + ")"
	err = s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k conversation.SenderKey
			var id uuid.UUID
			if err := rows.Scan(&k.ChannelID, &k.ExternalID, &id); err != nil {
				return err
			}
			out[k] = id
		}
		return rows.Err()
	})
	return out, err
}

const conversationCols = "tenant_id, id, channel_id, contact_id, status, assignee_id, last_message_at, last_message_preview, unread, created_at, updated_at, resolved_at"

func scanConversations(tx *gorm.DB, q string, args []any) ([]conversationRow, error) {
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []conversationRow
	for rows.Next() {
		var r conversationRow
		if err := rows.Scan(&r.TenantID, &r.ID, &r.ChannelID, &r.ContactID, &r.Status, &r.AssigneeID, &r.LastMessageAt,
			&r.LastMessagePreview, &r.Unread, &r.CreatedAt, &r.UpdatedAt, &r.ResolvedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) LatestConversations(ctx context.Context, keys []conversation.ContactChannel) (map[conversation.ContactChannel]conversation.Conversation, error) {
	out := make(map[conversation.ContactChannel]conversation.Conversation, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, 1+2*len(keys))
	args = append(args, tid)
	for _, k := range keys {
		args = append(args, k.ContactID, k.ChannelID)
	}
	q := "SELECT DISTINCT ON (contact_id, channel_id) " + conversationCols + " FROM conversations WHERE tenant_id = ? AND (contact_id, channel_id) IN (" +
		tuples(len(keys), "(?::uuid, ?::uuid)") + ") ORDER BY contact_id, channel_id, created_at DESC"
	err = s.view(ctx, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := scanConversations(tx, q, args)
		for _, r := range rows {
			out[conversation.ContactChannel{ContactID: r.ContactID, ChannelID: r.ChannelID}] = r.conversation()
		}
		return err
	})
	return out, err
}

func (s *Store) InsertInbound(ctx context.Context, ms []*conversation.Message) (map[uuid.UUID]bool, error) {
	out := make(map[uuid.UUID]bool, len(ms))
	if len(ms) == 0 {
		return out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	const cols = 12
	args := make([]any, 0, cols*len(ms))
	for _, m := range ms {
		if m.TenantID != tid || m.Direction != conversation.In || len(m.Attachments) > 0 {
			return nil, fmt.Errorf("insert inbound: message %s is not an inbound message of this tenant without attachments", m.ID)
		}
		args = append(args, tid, m.ID, m.ConversationID, m.ChannelID, m.SenderType, m.SenderID, m.Type, m.Text,
			m.ExternalID, m.Status, m.CreatedAt.UTC(), m.UpdatedAt.UTC())
	}
	q := "INSERT INTO messages (tenant_id, id, conversation_id, channel_id, sender_type, sender_id, type, text, external_id, status, created_at, updated_at, direction) VALUES " +
		tuples(len(ms), "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'in')") +
		" ON CONFLICT (tenant_id, channel_id, external_id) WHERE direction = 'in' DO NOTHING RETURNING id"
	err = s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := tx.Raw(q, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	return out, err
}

func (s *Store) TouchInboundMany(ctx context.Context, ts []conversation.InboundTouch) (map[uuid.UUID]conversation.Conversation, error) {
	out := make(map[uuid.UUID]conversation.Conversation, len(ts))
	if len(ts) == 0 {
		return out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return nil, err
	}
	args := make([]any, 0, 1+4*len(ts))
	for _, t := range ts {
		args = append(args, t.ID, t.At.UTC(), t.Preview, t.Count)
	}
	args = append(args, tid)
	// The same changes as TouchInbound; the CASEs read the row as it was before.
	q := "UPDATE conversations AS c SET last_message_at = v.at, last_message_preview = v.preview, unread = c.unread + v.n, updated_at = v.at, " +
		"status = CASE WHEN c.status IN ('resolved', 'pending') THEN (CASE WHEN c.assignee_id IS NULL THEN 'queued' ELSE 'open' END) ELSE c.status END, " +
		"resolved_at = CASE WHEN c.status = 'resolved' THEN NULL ELSE c.resolved_at END " +
		"FROM (VALUES " + tuples(len(ts), "(?::uuid, ?::timestamptz, ?::text, ?::integer)") + ") AS v(id, at, preview, n) " +
		"WHERE c.id = v.id AND c.tenant_id = ? RETURNING " + prefixed("c.", conversationCols)
	err = s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := scanConversations(tx, q, args)
		for _, r := range rows {
			out[r.ID] = r.conversation()
		}
		return err
	})
	return out, err
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}
