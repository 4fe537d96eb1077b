package conversationdb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/tenants"
)

// The batch statements are PostgreSQL's: a batch of inbound messages is two round
// trips whatever its size (three when it opens conversations), BEGIN travelling with
// the first statement and COMMIT with the last (db.Pipe). They are raw SQL (the tenant
// guard only sees models), so each names the tenant itself, on top of row-level
// security.

// Batches reports whether the store takes the batch path (PostgreSQL only: SQLite
// serialises writers, so batching would only reorder the queue).
func (s *Store) Batches() bool { return s.DB.Dialect() == db.Postgres }

var _ conversation.BatchStore = (*Store)(nil)

// batchLockTimeout bounds a batch's wait for a row another transaction holds (an
// agent's update of a conversation): one committer serves every tenant, so a batch
// that waits longer gives up, and its messages take the one-message path beside it.
const batchLockTimeout = 250 * time.Millisecond

// Batch runs fn in a pipelined transaction in the context tenant's scope.
func (s *Store) Batch(ctx context.Context, fn func(ctx context.Context, tx conversation.BatchTx) error) error {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return err
	}
	return s.DB.Pipeline(ctx, batchLockTimeout, func(ctx context.Context, p *db.Pipe) error {
		return fn(ctx, &batchTx{p: p, tid: tid})
	})
}

type batchTx struct {
	p   *db.Pipe
	tid uuid.UUID
}

// Threads is one statement: each sender's identity, and its contact's latest
// conversation on the channel through the (tenant, contact, channel) index.
func (b *batchTx) Threads(ctx context.Context, keys []conversation.SenderKey) (map[conversation.SenderKey]conversation.Thread, error) {
	out := make(map[conversation.SenderKey]conversation.Thread, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	chs, exts := make([][16]byte, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		chs[i], exts[i] = k.ChannelID, k.ExternalID
	}
	err := b.p.Query(ctx, threadsSQL, []any{[16]byte(b.tid), chs, exts}, func(rows pgx.Rows) error {
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
		return nil
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

// CommitInbound inserts the messages, updates the conversations still as read, fills
// contacts' empty fields and adds the outbox rows in one statement (a data-modifying
// CTE) that commits with it. kefu_batch_check fails the statement when an insert
// skipped a message or an update a conversation.
func (b *batchTx) CommitInbound(ctx context.Context, w conversation.InboundBatch) error {
	tid := b.tid
	n := len(w.Messages)
	if n == 0 {
		return nil
	}
	ids, convs, chs, senders := make([][16]byte, n), make([][16]byte, n), make([][16]byte, n), make([][16]byte, n)
	types, texts, exts := make([]string, n), make([]string, n), make([]string, n)
	ats := make([]time.Time, n)
	for i, m := range w.Messages {
		if m.TenantID != tid || m.Direction != conversation.In || m.SenderType != conversation.SenderContact ||
			m.SenderID == nil || m.Status != conversation.DeliveryReceived || len(m.Attachments) > 0 {
			return fmt.Errorf("commit inbound: message %s is not a customer's message of this tenant without attachments", m.ID)
		}
		ids[i], convs[i], chs[i], senders[i] = m.ID, m.ConversationID, m.ChannelID, *m.SenderID
		types[i], texts[i], exts[i], ats[i] = m.Type, m.Text, m.ExternalID, m.CreatedAt.UTC()
	}
	k := len(w.Touches)
	tIDs, wasStatus, wasAssignee, wasUnread, wasResolved, wasUpdated := make([][16]byte, k), make([]string, k), make([]*string, k), make([]int32, k), make([]*time.Time, k), make([]time.Time, k)
	status, unread, resolved, lastAt, preview := make([]string, k), make([]int32, k), make([]*time.Time, k), make([]time.Time, k), make([]string, k)
	for i, t := range w.Touches {
		was, now := t.Was, t.Now
		if was.ID != now.ID || was.TenantID != tid || now.TenantID != tid {
			return fmt.Errorf("commit inbound: touch of conversation %s is not of this tenant", was.ID)
		}
		tIDs[i], wasStatus[i], wasUnread[i], wasResolved[i], wasUpdated[i] = was.ID, string(was.Status), int32(was.Unread), utcPtr(was.ResolvedAt), was.UpdatedAt.UTC()
		if was.AssigneeID != nil {
			a := was.AssigneeID.String()
			wasAssignee[i] = &a
		}
		status[i], unread[i], resolved[i], lastAt[i], preview[i] = string(now.Status), int32(now.Unread), utcPtr(now.ResolvedAt), now.LastMessageAt.UTC(), now.Preview
	}
	f := len(w.Fills)
	fIDs, fNames, fEmails, fPhones, fAvatars, fAts := make([][16]byte, f), make([]string, f), make([]string, f), make([]string, f), make([]string, f), make([]time.Time, f)
	for i, x := range w.Fills {
		fIDs[i], fNames[i], fEmails[i], fPhones[i], fAvatars[i], fAts[i] = x.ContactID, x.Name, x.Email, x.Phone, x.AvatarURL, x.At.UTC()
	}
	o := len(w.Outbox)
	oIDs, oTopics, oPayloads, oAts := make([][16]byte, o), make([]string, o), make([]string, o), make([]time.Time, o)
	for i, e := range w.Outbox {
		if e.TenantID != tid {
			return fmt.Errorf("commit inbound: outbox entry %s is not of this tenant", e.ID)
		}
		oIDs[i], oTopics[i], oPayloads[i], oAts[i] = e.ID, e.Topic, string(e.Payload), e.Created.UTC()
	}
	err := b.p.QueryCommit(ctx, commitSQL, []any{[16]byte(tid), ids, convs, chs, senders, types, texts, exts, ats,
		tIDs, wasStatus, wasAssignee, wasUnread, wasResolved, wasUpdated, status, unread, resolved, lastAt, preview,
		fIDs, fNames, fEmails, fPhones, fAvatars, fAts, oIDs, oTopics, oPayloads, oAts, n, k}, nil)
	if st := db.SQLState(err); st == batchConflictState || st == db.LockNotAvailable {
		return conversation.ErrBatchConflict
	}
	return err
}

// batchConflictState is what kefu_batch_check raises (migration 00005).
const batchConflictState = "KF409"

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// OpenThreads inserts contacts, identities and conversations in one statement; the
// foreign keys between them are checked at its end, when all three exist.
func (b *batchTx) OpenThreads(ctx context.Context, ts []conversation.NewThread) (int, error) {
	if len(ts) == 0 {
		return 0, nil
	}
	tid := b.tid
	n := len(ts)
	cIDs, names, emails, phones, avatars, attrs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	iIDs, chs, exts, verified := make([]string, n), make([]string, n), make([]string, n), make([]bool, n)
	vIDs, ats, sts := make([]string, n), make([]time.Time, n), make([]string, n)
	for k, t := range ts {
		c, i, v := t.Contact, t.Identity, t.Conversation
		if c.TenantID != tid || v.TenantID != tid || v.ContactID != c.ID || v.ChannelID != i.ChannelID ||
			(v.Status != conversation.StatusQueued && v.Status != conversation.StatusBot) || v.Unread != 0 || v.Preview != "" {
			return 0, fmt.Errorf("open threads: thread of contact %s is not a new thread of this tenant", c.ID)
		}
		a := []byte("{}")
		if c.Attributes != nil {
			var err error
			if a, err = json.Marshal(c.Attributes); err != nil {
				return 0, fmt.Errorf("open threads: contact attributes: %w", err)
			}
		}
		cIDs[k], names[k], emails[k], phones[k], avatars[k], attrs[k] = c.ID.String(), c.Name, c.Email, c.Phone, c.AvatarURL, string(a)
		iIDs[k], chs[k], exts[k], verified[k] = uuid.Must(uuid.NewV7()).String(), i.ChannelID.String(), i.ExternalID, i.Verified
		vIDs[k], ats[k], sts[k] = v.ID.String(), v.CreatedAt.UTC(), string(v.Status)
	}
	var opened int64
	err := b.p.Query(ctx, openSQL, []any{tid.String(), cIDs, names, emails, phones, avatars, attrs, iIDs, chs, exts, verified, vIDs, ats, sts},
		func(rows pgx.Rows) error { return rows.Scan(&opened) })
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
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q, err := db.RawConn(tx)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, outboxSQL, tid.String(), ids, topics, payloads, ats)
		return err
	})
}

// The batch statements take arrays, so each has one text whatever the batch size:
// PostgreSQL plans it once per connection, not once per size (a VALUES list of a
// thousand parameters cost tens of milliseconds to plan, every time). That plan is
// soon the generic one, made without the arrays' contents and from statistics that
// may be stale, so the statements do not leave the access path to it: the arrays are
// typed (a cast such as v.id::uuid is no index condition) and each table is reached
// through an "= ANY(array)" on an index's columns. Before, every batch hash-joined
// all of the tenant's identities and conversations.
const (
	threadsSQL = "SELECT v.ch, v.ext, i.contact_id, c.tenant_id, c.id, c.channel_id, c.contact_id, c.status, c.assignee_id, " +
		"c.last_message_at, c.last_message_preview, c.unread, c.created_at, c.updated_at, c.resolved_at " +
		"FROM unnest($2::uuid[], $3::text[]) AS v(ch, ext) " +
		"JOIN LATERAL (SELECT contact_id FROM contact_identities WHERE tenant_id = $1::uuid AND channel_id = v.ch AND external_id = v.ext LIMIT 1) i ON true " +
		"LEFT JOIN LATERAL (SELECT * FROM conversations WHERE tenant_id = $1::uuid AND contact_id = i.contact_id " +
		"AND channel_id = v.ch ORDER BY created_at DESC LIMIT 1) c ON true"

	// The conversations get the values the batch predicted (touchedInbound), and only
	// where they are still as read: a row changed in between is not updated, and the
	// check fails the statement, as it does for a message stored before.
	commitSQL = "WITH ins AS (INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, sender_type, sender_id, " +
		"type, text, external_id, status, created_at, updated_at) " +
		"SELECT $1::uuid, m.id, m.conv, m.ch, 'in', 'contact', m.sender, m.type, m.text, m.ext, 'received', m.at, m.at " +
		"FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::timestamptz[]) " +
		"AS m(id, conv, ch, sender, type, text, ext, at) " +
		"ON CONFLICT (tenant_id, channel_id, external_id) WHERE direction = 'in' DO NOTHING RETURNING 1), " +
		"upd AS (UPDATE conversations AS c SET status = v.status, unread = v.unread, resolved_at = v.resolved, " +
		"assignee_id = CASE WHEN v.was_status = 'resolved' THEN NULL ELSE c.assignee_id END, " +
		"last_message_at = v.at, last_message_preview = v.preview, updated_at = v.at " +
		"FROM unnest($10::uuid[], $11::text[], $12::text[], $13::integer[], $14::timestamptz[], $15::timestamptz[], " +
		"$16::text[], $17::integer[], $18::timestamptz[], $19::timestamptz[], $20::text[]) " +
		"AS v(id, was_status, was_assignee, was_unread, was_resolved, was_updated, status, unread, resolved, at, preview) " +
		"WHERE c.tenant_id = $1::uuid AND c.id = ANY($10::uuid[]) AND c.id = v.id AND c.status = v.was_status " +
		"AND c.assignee_id IS NOT DISTINCT FROM v.was_assignee::uuid AND c.unread = v.was_unread " +
		"AND c.resolved_at IS NOT DISTINCT FROM v.was_resolved AND c.updated_at = v.was_updated RETURNING 1), " +
		"f AS (UPDATE contacts AS c SET name = CASE WHEN c.name = '' THEN x.name ELSE c.name END, " +
		"email = CASE WHEN c.email = '' THEN x.email ELSE c.email END, phone = CASE WHEN c.phone = '' THEN x.phone ELSE c.phone END, " +
		"avatar_url = CASE WHEN c.avatar_url = '' THEN x.avatar ELSE c.avatar_url END, updated_at = x.at " +
		"FROM unnest($21::uuid[], $22::text[], $23::text[], $24::text[], $25::text[], $26::timestamptz[]) AS x(id, name, email, phone, avatar, at) " +
		"WHERE c.tenant_id = $1::uuid AND c.id = ANY($21::uuid[]) AND c.id = x.id AND ((c.name = '' AND x.name <> '') OR (c.email = '' AND x.email <> '') " +
		"OR (c.phone = '' AND x.phone <> '') OR (c.avatar_url = '' AND x.avatar <> ''))), " +
		"o AS (INSERT INTO outbox (tenant_id, id, topic, payload, created_at) " +
		"SELECT $1::uuid, x.id, x.topic, x.payload, x.at FROM unnest($27::uuid[], $28::text[], $29::text[], $30::timestamptz[]) AS x(id, topic, payload, at)) " +
		"SELECT kefu_batch_check((SELECT count(*) FROM ins) = $31::bigint AND (SELECT count(*) FROM upd) = $32::bigint)"

	openSQL = "WITH c AS (INSERT INTO contacts (tenant_id, id, name, email, phone, avatar_url, attributes, created_at, updated_at) " +
		"SELECT $1::uuid, x.id::uuid, x.name, x.email, x.phone, x.avatar, x.attrs, x.at, x.at " +
		"FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $13::timestamptz[]) AS x(id, name, email, phone, avatar, attrs, at)), " +
		"i AS (INSERT INTO contact_identities (tenant_id, id, contact_id, channel_id, external_id, verified, created_at) " +
		"SELECT $1::uuid, x.id::uuid, x.contact::uuid, x.ch::uuid, x.ext, x.verified, x.at " +
		"FROM unnest($8::text[], $2::text[], $9::text[], $10::text[], $11::boolean[], $13::timestamptz[]) AS x(id, contact, ch, ext, verified, at) " +
		"ON CONFLICT (tenant_id, channel_id, external_id) DO NOTHING RETURNING 1), " +
		"v AS (INSERT INTO conversations (tenant_id, id, channel_id, contact_id, status, last_message_at, last_message_preview, unread, created_at, updated_at) " +
		"SELECT $1::uuid, x.id::uuid, x.ch::uuid, x.contact::uuid, x.status, x.at, '', 0, x.at, x.at " +
		"FROM unnest($12::text[], $9::text[], $2::text[], $13::timestamptz[], $14::text[]) AS x(id, ch, contact, at, status)) " +
		"SELECT count(*) FROM i"

	outboxSQL = "INSERT INTO outbox (tenant_id, id, topic, payload, created_at) " +
		"SELECT $1::uuid, x.id::uuid, x.topic, x.payload, x.at FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS x(id, topic, payload, at)"
)
