package conversationdb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// The batch statements are PostgreSQL's: a batch of inbound messages costs two
// statements whatever its size (three when it opens conversations). They are raw SQL
// (the tenant guard only sees models), so each names the tenant itself, on top of
// row-level security.

// Batches reports whether the store takes the batch path (PostgreSQL only: SQLite
// serialises writers, so batching would only reorder the queue).
func (s *Store) Batches() bool { return s.DB.Dialect() == db.Postgres }

var _ conversation.BatchStore = (*Store)(nil)

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
	chs, exts := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		chs[i], exts[i] = k.ChannelID.String(), k.ExternalID
	}
	err = s.pg(ctx, func(ctx context.Context, q db.Conn) error {
		rows, err := q.QueryContext(ctx, threadsSQL, tid.String(), chs, exts)
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

// AppendInbound inserts the messages, applies the touches and adds the outbox rows in
// one statement (a data-modifying CTE). The touches are applied whatever the insert
// skipped; the caller compares the count and rolls back.
func (s *Store) AppendInbound(ctx context.Context, ms []*conversation.Message, ts []conversation.InboundTouch, outbox []conversation.OutboxEntry) (int, map[uuid.UUID]conversation.Conversation, error) {
	out := make(map[uuid.UUID]conversation.Conversation, len(ts))
	if len(ms) == 0 {
		return 0, out, nil
	}
	tid, err := tenants.Require(ctx)
	if err != nil {
		return 0, nil, err
	}
	n := len(ms)
	ids, convs, chs, senders := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	types, texts, exts := make([]string, n), make([]string, n), make([]string, n)
	ats := make([]time.Time, n)
	for i, m := range ms {
		if m.TenantID != tid || m.Direction != conversation.In || m.SenderType != conversation.SenderContact ||
			m.SenderID == nil || m.Status != conversation.DeliveryReceived || len(m.Attachments) > 0 {
			return 0, nil, fmt.Errorf("append inbound: message %s is not a customer's message of this tenant without attachments", m.ID)
		}
		ids[i], convs[i], chs[i], senders[i] = m.ID.String(), m.ConversationID.String(), m.ChannelID.String(), m.SenderID.String()
		types[i], texts[i], exts[i], ats[i] = m.Type, m.Text, m.ExternalID, m.CreatedAt.UTC()
	}
	tIDs, tAts, tPreviews, tCounts := make([]string, len(ts)), make([]time.Time, len(ts)), make([]string, len(ts)), make([]int32, len(ts))
	for i, t := range ts {
		tIDs[i], tAts[i], tPreviews[i], tCounts[i] = t.ID.String(), t.At.UTC(), t.Preview, int32(t.Count)
	}
	oIDs, oTopics, oPayloads, oAts := make([]string, len(outbox)), make([]string, len(outbox)), make([]string, len(outbox)), make([]time.Time, len(outbox))
	for i, e := range outbox {
		if e.TenantID != tid {
			return 0, nil, fmt.Errorf("append inbound: outbox entry %s is not of this tenant", e.ID)
		}
		oIDs[i], oTopics[i], oPayloads[i], oAts[i] = e.ID.String(), e.Topic, string(e.Payload), e.Created.UTC()
	}
	inserted := 0
	err = s.pg(ctx, func(ctx context.Context, q db.Conn) error {
		rows, err := q.QueryContext(ctx, appendSQL, tid.String(), ids, convs, chs, senders, types, texts, exts, ats,
			tIDs, tAts, tPreviews, tCounts, oIDs, oTopics, oPayloads, oAts)
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
	n := len(ts)
	cIDs, names, emails, phones, avatars, attrs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	iIDs, chs, exts, verified := make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
	vIDs, ats := make([]string, n), make([]time.Time, n)
	for k, t := range ts {
		c, i, v := t.Contact, t.Identity, t.Conversation
		if c.TenantID != tid || v.TenantID != tid || v.ContactID != c.ID || v.ChannelID != i.ChannelID ||
			v.Status != conversation.StatusQueued || v.Unread != 0 || v.Preview != "" {
			return 0, fmt.Errorf("open threads: thread of contact %s is not a new thread of this tenant", c.ID)
		}
		a := []byte("{}")
		if c.Attributes != nil {
			if a, err = json.Marshal(c.Attributes); err != nil {
				return 0, fmt.Errorf("open threads: contact attributes: %w", err)
			}
		}
		cIDs[k], names[k], emails[k], phones[k], avatars[k], attrs[k] = c.ID.String(), c.Name, c.Email, c.Phone, c.AvatarURL, string(a)
		iIDs[k], chs[k], exts[k], verified[k] = uuid.Must(uuid.NewV7()).String(), i.ChannelID.String(), i.ExternalID, i.Verified
		vIDs[k], ats[k] = v.ID.String(), v.CreatedAt.UTC()
	}
	var opened int64
	err = s.pg(ctx, func(ctx context.Context, q db.Conn) error {
		return q.QueryRowContext(ctx, openSQL, tid.String(), cIDs, names, emails, phones, avatars, attrs, iIDs, chs, exts, verified, vIDs, ats).Scan(&opened)
	})
	return int(opened), err
}

// addOutboxPG inserts outbox rows in one statement (the GORM path costs a reflection
// walk per row on the hot path).
func (s *Store) addOutboxPG(ctx context.Context, tid uuid.UUID, es []conversation.OutboxEntry) error {
	n := len(es)
	ids, topics, payloads, ats := make([]string, n), make([]string, n), make([]string, n), make([]time.Time, n)
	for i, e := range es {
		if e.TenantID != tid {
			return fmt.Errorf("outbox: entry %s is not of this tenant", e.ID)
		}
		ids[i], topics[i], payloads[i], ats[i] = e.ID.String(), e.Topic, string(e.Payload), e.Created.UTC()
	}
	return s.pg(ctx, func(ctx context.Context, q db.Conn) error {
		_, err := q.ExecContext(ctx, outboxSQL, tid.String(), ids, topics, payloads, ats)
		return err
	})
}

// The batch statements take arrays, so each has one text whatever the batch size:
// PostgreSQL plans it once per connection, not once per size (a VALUES list of a
// thousand parameters cost tens of milliseconds to plan, every time).
const (
	threadsSQL = "SELECT v.ch, v.ext, i.contact_id, c.tenant_id, c.id, c.channel_id, c.contact_id, c.status, c.assignee_id, " +
		"c.last_message_at, c.last_message_preview, c.unread, c.created_at, c.updated_at, c.resolved_at " +
		"FROM unnest($2::text[], $3::text[]) AS v(ch, ext) " +
		"JOIN contact_identities i ON i.tenant_id = $1::uuid AND i.channel_id = v.ch::uuid AND i.external_id = v.ext " +
		"LEFT JOIN LATERAL (SELECT * FROM conversations WHERE tenant_id = $1::uuid AND contact_id = i.contact_id " +
		"AND channel_id = v.ch::uuid ORDER BY created_at DESC LIMIT 1) c ON true"

	// The same changes as TouchInbound; the CASEs read the row as it was before.
	appendSQL = "WITH ins AS (INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, sender_type, sender_id, " +
		"type, text, external_id, status, created_at, updated_at) " +
		"SELECT $1::uuid, m.id::uuid, m.conv::uuid, m.ch::uuid, 'in', 'contact', m.sender::uuid, m.type, m.text, m.ext, 'received', m.at, m.at " +
		"FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[]) " +
		"AS m(id, conv, ch, sender, type, text, ext, at) " +
		"ON CONFLICT (tenant_id, channel_id, external_id) WHERE direction = 'in' DO NOTHING RETURNING 1), " +
		"upd AS (UPDATE conversations AS c SET last_message_at = v.at, last_message_preview = v.preview, unread = c.unread + v.n, updated_at = v.at, " +
		"status = CASE WHEN c.status IN ('resolved', 'pending') THEN (CASE WHEN c.assignee_id IS NULL THEN 'queued' ELSE 'open' END) ELSE c.status END, " +
		"resolved_at = CASE WHEN c.status = 'resolved' THEN NULL ELSE c.resolved_at END " +
		"FROM unnest($10::text[], $11::timestamptz[], $12::text[], $13::integer[]) AS v(id, at, preview, n) " +
		"WHERE c.tenant_id = $1::uuid AND c.id = v.id::uuid " +
		"RETURNING c.tenant_id, c.id, c.channel_id, c.contact_id, c.status, c.assignee_id, c.last_message_at, " +
		"c.last_message_preview, c.unread, c.created_at, c.updated_at, c.resolved_at), " +
		"o AS (INSERT INTO outbox (tenant_id, id, topic, payload, created_at) " +
		"SELECT $1::uuid, x.id::uuid, x.topic, x.payload, x.at FROM unnest($14::text[], $15::text[], $16::text[], $17::timestamptz[]) AS x(id, topic, payload, at)) " +
		"SELECT (SELECT count(*) FROM ins), upd.* FROM upd"

	openSQL = "WITH c AS (INSERT INTO contacts (tenant_id, id, name, email, phone, avatar_url, attributes, created_at, updated_at) " +
		"SELECT $1::uuid, x.id::uuid, x.name, x.email, x.phone, x.avatar, x.attrs, x.at, x.at " +
		"FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $13::timestamptz[]) AS x(id, name, email, phone, avatar, attrs, at)), " +
		"i AS (INSERT INTO contact_identities (tenant_id, id, contact_id, channel_id, external_id, verified, created_at) " +
		"SELECT $1::uuid, x.id::uuid, x.contact::uuid, x.ch::uuid, x.ext, x.verified, x.at " +
		"FROM unnest($8::text[], $2::text[], $9::text[], $10::text[], $11::boolean[], $13::timestamptz[]) AS x(id, contact, ch, ext, verified, at) " +
		"ON CONFLICT (tenant_id, channel_id, external_id) DO NOTHING RETURNING 1), " +
		"v AS (INSERT INTO conversations (tenant_id, id, channel_id, contact_id, status, last_message_at, last_message_preview, unread, created_at, updated_at) " +
		"SELECT $1::uuid, x.id::uuid, x.ch::uuid, x.contact::uuid, 'queued', x.at, '', 0, x.at, x.at " +
		"FROM unnest($12::text[], $9::text[], $2::text[], $13::timestamptz[]) AS x(id, ch, contact, at)) " +
		"SELECT count(*) FROM i"

	outboxSQL = "INSERT INTO outbox (tenant_id, id, topic, payload, created_at) " +
		"SELECT $1::uuid, x.id::uuid, x.topic, x.payload, x.at FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS x(id, topic, payload, at)"
)

// pg runs fn on the transaction's connection, in the context's tenant scope.
func (s *Store) pg(ctx context.Context, fn func(ctx context.Context, q db.Conn) error) error {
	if s.DB.Dialect() != db.Postgres {
		return errors.New("batch statements need PostgreSQL")
	}
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q, err := db.RawConn(tx)
		if err != nil {
			return err
		}
		return fn(ctx, q)
	})
}
