package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/bot"
	"github.com/kefu-io/kefu/server/internal/canned"
	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/pipeline"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/realtime"
	"github.com/kefu-io/kefu/server/internal/routing"
	"github.com/kefu-io/kefu/server/internal/webchat"
	"github.com/kefu-io/kefu/tenants"
)

// Chat are the collaborators of the channel, conversation and realtime routes.
type Chat struct {
	Channels      *channels.Service
	Conversations *conversation.Service
	Hub           *realtime.Hub
	// Contacts loads contact summaries for lists.
	Contacts interface {
		ContactsByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]conversation.Contact, error)
	}
	// Pipeline forwards public webhook and widget traffic to the channel's connector.
	Pipeline *pipeline.Pipeline
	Webchat  *webchat.Service
	Files    *conversation.Files
	// PublicURL is the externally visible base URL (webhook URLs, widget snippet).
	PublicURL func() string
	// Plugins lists connector plugins with their health, and the plugin directory's
	// binaries, registered or not (operators).
	Plugins func(ctx context.Context) ([]PluginInfo, error)
	// Bot is the answering bot (nil: no bot routes); BotKnowledge turns unanswered
	// questions into knowledge drafts.
	Bot          *bot.Service
	BotKnowledge bot.KnowledgeWriter
	// Routing is presence, capacity, teams, rules and the queue (nil: no routing routes).
	Routing *routing.Service
	// Canned is agents' canned responses (nil: no routes).
	Canned *canned.Service
}

// PluginInfo is a connector plugin as operators see it.
type PluginInfo struct {
	Name         string     `json:"name"`
	Version      string     `json:"version"`
	Kind         string     `json:"kind"`
	Source       string     `json:"source"`
	State        string     `json:"state"`
	PID          int        `json:"pid"`
	Restarts     int        `json:"restarts"`
	LastError    string     `json:"last_error"`
	LastHealthAt *time.Time `json:"last_health_at"`
	SHA256       string     `json:"sha256"`
}

func (s *Server) chatRoutes() {
	const v1 = "/api/v1"
	const t = v1 + "/tenants/:tenant_id"
	s.handle("GET", t+"/connectors", Tenant, authz.ChannelsRead, s.listConnectors)
	s.handle("GET", t+"/channels", Tenant, authz.ChannelsRead, s.listChannels)
	s.handle("POST", t+"/channels", Tenant, authz.ChannelsManage, s.createChannel)
	s.handle("GET", t+"/channels/:channel_id", Tenant, authz.ChannelsRead, s.getChannel)
	s.handle("PATCH", t+"/channels/:channel_id", Tenant, authz.ChannelsManage, s.updateChannel)
	s.handle("DELETE", t+"/channels/:channel_id", Tenant, authz.ChannelsManage, s.deleteChannel)

	s.handle("GET", t+"/conversations", Tenant, authz.ConversationsRead, s.listConversations)
	s.handle("GET", t+"/conversations/:conversation_id", Tenant, authz.ConversationsRead, s.getConversation)
	s.handle("GET", t+"/conversations/:conversation_id/messages", Tenant, authz.ConversationsRead, s.listMessages)
	s.handle("POST", t+"/conversations/:conversation_id/messages", Tenant, authz.ConversationsReply, s.reply)
	s.handle("POST", t+"/conversations/:conversation_id/assign", Tenant, authz.ConversationsAssign, s.assign)
	s.handle("POST", t+"/conversations/:conversation_id/resolve", Tenant, authz.ConversationsReply, s.resolve)
	s.handle("POST", t+"/conversations/:conversation_id/notes", Tenant, authz.ConversationsReply, s.addNote)
	s.handle("POST", t+"/conversations/:conversation_id/merge", Tenant, authz.ConversationsManage, s.mergeConversation)
	s.handle("POST", t+"/conversations/:conversation_id/reopen", Tenant, authz.ConversationsReply, s.reopen)
	s.handle("POST", t+"/conversations/:conversation_id/read", Tenant, authz.ConversationsRead, s.markRead)
	s.handle("POST", t+"/conversations/:conversation_id/typing", Tenant, authz.ConversationsReply, s.agentTyping)
	s.handle("POST", t+"/conversations/:conversation_id/attachments", Tenant, authz.ConversationsReply, s.uploadAttachment)
	s.handle("GET", t+"/attachments/:attachment_id", Tenant, authz.ConversationsRead, s.downloadAttachment)

	s.handle("GET", t+"/contacts", Tenant, authz.ContactsRead, s.listContacts)
	s.handle("GET", t+"/contacts/:contact_id", Tenant, authz.ContactsRead, s.getContact)
	s.handle("PATCH", t+"/contacts/:contact_id", Tenant, authz.ContactsManage, s.updateContact)
	s.handle("POST", t+"/contacts/:contact_id/merge", Tenant, authz.ContactsManage, s.mergeContact)

	s.handle("GET", v1+"/conversations", User, "", s.inbox)
	s.handle("GET", v1+"/realtime", Public, "", s.realtimeSocket) // authenticates the socket itself
}

// ---- channels -----------------------------------------------------------------

func (s *Server) channelJSON(ch channels.Channel) fiber.Map {
	m := fiber.Map{"id": ch.ID, "tenant_id": ch.TenantID, "connector": ch.Connector, "name": ch.Name,
		"config": ch.Config, "enabled": ch.Enabled, "created_at": ch.CreatedAt, "updated_at": ch.UpdatedAt}
	base := ""
	if s.chat.PublicURL != nil {
		base = strings.TrimRight(s.chat.PublicURL(), "/")
	}
	m["webhook_url"] = base + "/hooks/" + ch.ID.String()
	if ch.Connector == "web" {
		m["widget_snippet"] = `<script src="` + base + `/widget.js" data-kefu-channel="` + ch.ID.String() + `" async></script>`
	} else {
		m["widget_snippet"] = nil
	}
	return m
}

func (s *Server) listConnectors(c *fiber.Ctx) error {
	ds := s.chat.Channels.ListConnectors()
	sort.Slice(ds, func(i, j int) bool { return ds[i].Name < ds[j].Name })
	out := make([]fiber.Map, len(ds))
	for i, d := range ds {
		caps := d.Capabilities
		if caps == nil {
			caps = []string{}
		}
		out[i] = fiber.Map{"name": d.Name, "version": d.Version, "kind": d.Kind, "capabilities": caps,
			"config_schema": json.RawMessage(d.ConfigSchema), "state": d.State}
	}
	return c.JSON(fiber.Map{"items": out})
}

func (s *Server) listChannels(c *fiber.Ctx) error {
	chs, err := s.chat.Channels.List(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]fiber.Map, len(chs))
	for i, ch := range chs {
		out[i] = s.channelJSON(ch)
	}
	return c.JSON(fiber.Map{"items": out})
}

type channelBody struct {
	Connector *string                    `json:"connector"`
	Name      *string                    `json:"name"`
	Config    map[string]json.RawMessage `json:"config"`
	Enabled   *bool                      `json:"enabled"`
}

func (b channelBody) config() json.RawMessage {
	if b.Config == nil {
		return nil
	}
	raw, _ := json.Marshal(b.Config)
	return raw
}

func (s *Server) createChannel(c *fiber.Ctx) error {
	var in channelBody
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Connector == nil {
		return required("connector")
	}
	if in.Name == nil {
		return required("name")
	}
	ch, err := s.chat.Channels.Create(c.UserContext(), channels.Input{Connector: in.Connector, Name: in.Name, Config: in.config(), Enabled: in.Enabled})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.channelJSON(ch))
}

func (s *Server) getChannel(c *fiber.Ctx) error {
	id, err := pathID(c, "channel_id", channels.ErrNotFound)
	if err != nil {
		return err
	}
	ch, err := s.chat.Channels.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(s.channelJSON(ch))
}

func (s *Server) updateChannel(c *fiber.Ctx) error {
	id, err := pathID(c, "channel_id", channels.ErrNotFound)
	if err != nil {
		return err
	}
	var in channelBody
	if err := decode(c, &in); err != nil {
		return err
	}
	ch, err := s.chat.Channels.Update(c.UserContext(), id, channels.Input{Connector: in.Connector, Name: in.Name, Config: in.config(), Enabled: in.Enabled})
	if err != nil {
		return err
	}
	return c.JSON(s.channelJSON(ch))
}

func (s *Server) deleteChannel(c *fiber.Ctx) error {
	id, err := pathID(c, "channel_id", channels.ErrNotFound)
	if err != nil {
		return err
	}
	if err := s.chat.Channels.Delete(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// ---- conversations --------------------------------------------------------------

func encodeCursor(cv conversation.Conversation) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(cv.LastMessageAt.UnixNano(), 10) + "_" + cv.ID.String()))
}

func decodeCursor(s string) (*conversation.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	bad := errs.Invalidf("cursor", "cursor is not a cursor this API returned.")
	if err != nil {
		return nil, bad
	}
	ns, id, ok := strings.Cut(string(b), "_")
	if !ok {
		return nil, bad
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return nil, bad
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, bad
	}
	return &conversation.Cursor{At: time.Unix(0, n).UTC(), ID: u}, nil
}

// conversationFilter reads the shared list filters; "me" needs the caller's user id.
func conversationFilter(c *fiber.Ctx, me uuid.UUID) (conversation.Filter, error) {
	var f conversation.Filter
	limit, err := queryLimit(c)
	if err != nil {
		return f, err
	}
	f.Limit = min(limit, 100)
	if st := c.Query("status"); st != "" && st != "all" {
		for _, p := range strings.Split(st, ",") {
			s, ok := conversation.ParseStatus(strings.TrimSpace(p))
			if !ok {
				return f, errs.Invalidf("status", "status must be bot, queued, open, pending, resolved or closed.")
			}
			f.Statuses = append(f.Statuses, s)
		}
	}
	if ch := c.Query("channel_id"); ch != "" {
		id, err := uuid.Parse(ch)
		if err != nil {
			return f, errs.Invalidf("channel_id", "channel_id must be a channel id.")
		}
		f.ChannelID = &id
	}
	if ct := c.Query("contact_id"); ct != "" {
		id, err := uuid.Parse(ct)
		if err != nil {
			return f, errs.Invalidf("contact_id", "contact_id must be a contact id.")
		}
		f.ContactID = &id
	}
	switch a := c.Query("assignee"); a {
	case "", "all", "any":
	case "me":
		if me == uuid.Nil {
			return f, errs.Invalidf("assignee", "assignee=me needs a user token.")
		}
		f.AssigneeID = &me
	case "none", "unassigned":
		f.Unassigned = true
	default:
		id, err := uuid.Parse(a)
		if err != nil {
			return f, errs.Invalidf("assignee", "assignee must be me, none, all or a user id.")
		}
		f.AssigneeID = &id
	}
	if f.Before, err = decodeCursor(c.Query("cursor")); err != nil {
		return f, err
	}
	return f, nil
}

type tenantInfo struct {
	name     string
	channels map[uuid.UUID]channels.Channel
}

func (s *Server) conversationItems(ctx context.Context, cs []conversation.Conversation, tinfo map[uuid.UUID]*tenantInfo) ([]fiber.Map, error) {
	byTenant := map[uuid.UUID][]uuid.UUID{}
	for _, cv := range cs {
		byTenant[cv.TenantID] = append(byTenant[cv.TenantID], cv.ContactID)
	}
	contacts := map[uuid.UUID]conversation.Contact{}
	for tid, ids := range byTenant {
		tctx := tenants.NewContext(ctx, tid)
		m, err := s.chat.Contacts.ContactsByID(tctx, ids)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			contacts[k] = v
		}
		ti := tinfo[tid]
		if ti == nil {
			ti = &tenantInfo{}
			tinfo[tid] = ti
		}
		if ti.channels == nil {
			chs, err := s.chat.Channels.List(tctx)
			if err != nil {
				return nil, err
			}
			ti.channels = map[uuid.UUID]channels.Channel{}
			for _, ch := range chs {
				ti.channels[ch.ID] = ch
			}
		}
	}
	out := make([]fiber.Map, len(cs))
	for i, cv := range cs {
		ti := tinfo[cv.TenantID]
		ch := ti.channels[cv.ChannelID]
		ct := contacts[cv.ContactID]
		out[i] = fiber.Map{
			"id": cv.ID, "tenant_id": cv.TenantID, "tenant_name": ti.name, "channel_id": cv.ChannelID,
			"channel_name": ch.Name, "connector": ch.Connector, "status": cv.Status, "assignee_id": cv.AssigneeID,
			"contact":         fiber.Map{"id": ct.ID, "name": ct.Name, "email": ct.Email, "avatar_url": ct.AvatarURL},
			"last_message_at": cv.LastMessageAt, "last_message_preview": cv.Preview, "unread": cv.Unread,
			"created_at": cv.CreatedAt, "updated_at": cv.UpdatedAt, "resolved_at": cv.ResolvedAt,
			"team_id": cv.TeamID, "priority": cv.Priority, "queued_at": cv.QueuedAt, "left_message_at": cv.LeftMessageAt,
			"wrapup_category": cv.WrapUpCategory, "wrapup_summary": cv.WrapUpSummary,
		}
	}
	return out, nil
}

func (s *Server) listConversations(c *fiber.Ctx) error {
	ctx := c.UserContext()
	f, err := conversationFilter(c, principal(c).UserID)
	if err != nil {
		return err
	}
	want := f.Limit
	f.Limit = want + 1
	cs, err := s.chat.Conversations.List(ctx, f)
	if err != nil {
		return err
	}
	return s.conversationPage(c, cs, want, map[uuid.UUID]*tenantInfo{access(c).Tenant.ID: {name: access(c).Tenant.Name}})
}

func (s *Server) conversationPage(c *fiber.Ctx, cs []conversation.Conversation, want int, tinfo map[uuid.UUID]*tenantInfo) error {
	var next any
	if len(cs) > want {
		cs = cs[:want]
		next = encodeCursor(cs[len(cs)-1])
	}
	items, err := s.conversationItems(c.UserContext(), cs, tinfo)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// inbox lists conversations across every tenant the user may read conversations in,
// newest activity first, each tagged with its tenant.
func (s *Server) inbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	f, err := conversationFilter(c, p.UserID)
	if err != nil {
		return err
	}
	var only *uuid.UUID
	if t := c.Query("tenant_id"); t != "" {
		id, err := uuid.Parse(t)
		if err != nil {
			return errs.Invalidf("tenant_id", "tenant_id must be a tenant id.")
		}
		only = &id
	}
	ms, err := s.id.Memberships(ctx, p.UserID)
	if err != nil {
		return err
	}
	want := f.Limit
	f.Limit = want + 1
	var all []conversation.Conversation
	tinfo := map[uuid.UUID]*tenantInfo{}
	for _, m := range ms {
		if m.TenantStatus != tenants.Active || (only != nil && *only != m.TenantID) {
			continue
		}
		ok, err := s.id.Allowed(ctx, p, m.TenantID, authz.ConversationsRead)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		tinfo[m.TenantID] = &tenantInfo{name: m.TenantName}
		cs, err := s.chat.Conversations.List(tenants.NewContext(ctx, m.TenantID), f)
		if err != nil {
			return err
		}
		all = append(all, cs...)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if !a.LastMessageAt.Equal(b.LastMessageAt) {
			return a.LastMessageAt.After(b.LastMessageAt)
		}
		return strings.Compare(a.ID.String(), b.ID.String()) > 0
	})
	return s.conversationPage(c, all, want, tinfo)
}

func (s *Server) getConversation(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	cv, err := s.chat.Conversations.Get(ctx, id)
	if err != nil {
		return err
	}
	items, err := s.conversationItems(ctx, []conversation.Conversation{cv}, map[uuid.UUID]*tenantInfo{access(c).Tenant.ID: {name: access(c).Tenant.Name}})
	if err != nil {
		return err
	}
	ct, err := s.chat.Conversations.Contact(ctx, cv.ContactID)
	if err != nil {
		return err
	}
	out := items[0]
	out["contact"] = contactJSON(ct)
	return c.JSON(out)
}

func (s *Server) messageJSON(tenantID uuid.UUID, m conversation.Message) fiber.Map {
	as := make([]fiber.Map, len(m.Attachments))
	for i, a := range m.Attachments {
		url := a.URL
		if url == "" {
			url = "/api/v1/tenants/" + tenantID.String() + "/attachments/" + a.ID.String()
		}
		as[i] = fiber.Map{"id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size, "url": url}
	}
	return fiber.Map{"id": m.ID, "conversation_id": m.ConversationID, "direction": m.Direction, "sender_type": m.SenderType,
		"sender_id": m.SenderID, "type": m.Type, "text": m.Text, "attachments": as, "status": m.Status, "error": m.Error,
		"client_id": m.ClientID, "created_at": m.CreatedAt, "mentions": mentionList(m.Mentions)}
}

func mentionList(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

func queryUUID(c *fiber.Ctx, name string) (*uuid.UUID, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return nil, errs.Invalidf(name, "%s must be a message id.", name)
	}
	return &id, nil
}

func (s *Server) listMessages(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	limit = min(limit, 100)
	before, err := queryUUID(c, "before")
	if err != nil {
		return err
	}
	after, err := queryUUID(c, "after")
	if err != nil {
		return err
	}
	if before != nil && after != nil {
		return errs.Invalidf("after", "use before or after, not both.")
	}
	ms, err := s.chat.Conversations.Messages(c.UserContext(), id, before, after, limit+1)
	if err != nil {
		return err
	}
	var next any
	if len(ms) > limit {
		if after != nil {
			ms = ms[:limit]
			next = ms[len(ms)-1].ID
		} else {
			ms = ms[1:]
			next = ms[0].ID
		}
	}
	tid := access(c).Tenant.ID
	out := make([]fiber.Map, len(ms))
	for i, m := range ms {
		out[i] = s.messageJSON(tid, m)
	}
	return c.JSON(fiber.Map{"items": out, "next_cursor": next})
}

func (s *Server) reply(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Text          string      `json:"text"`
		ClientID      string      `json:"client_id"`
		AttachmentIDs []uuid.UUID `json:"attachment_ids"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r := conversation.Reply{Text: in.Text, ClientID: in.ClientID}
	if len(in.AttachmentIDs) > conversation.MaxAttachments {
		return errs.Invalidf("attachment_ids", "at most %d attachments", conversation.MaxAttachments)
	}
	for _, aid := range in.AttachmentIDs {
		// Only the caller's own uploads can be sent.
		a, _, err := s.chat.Files.Store.GetAttachment(c.UserContext(), aid)
		if err != nil || a.MessageID != nil || a.Uploader != uploaderOf(c) {
			return errs.Invalidf("attachment_ids", "attachment %s is not one of your unsent uploads.", aid)
		}
		r.Attachments = append(r.Attachments, conversation.Attachment{ID: aid})
	}
	m, err := s.chat.Conversations.Reply(c.UserContext(), id, r)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(s.messageJSON(access(c).Tenant.ID, m))
}

func (s *Server) conversationResult(c *fiber.Ctx, cv conversation.Conversation, err error) error {
	if err != nil {
		return err
	}
	items, err := s.conversationItems(c.UserContext(), []conversation.Conversation{cv}, map[uuid.UUID]*tenantInfo{access(c).Tenant.ID: {name: access(c).Tenant.Name}})
	if err != nil {
		return err
	}
	return c.JSON(items[0])
}

func (s *Server) assign(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	var in struct {
		AssigneeID *string `json:"assignee_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	var who *uuid.UUID
	if in.AssigneeID != nil {
		if *in.AssigneeID == "me" {
			me := principal(c).UserID
			if me == uuid.Nil {
				return errs.Invalidf("assignee_id", "an API key cannot take a conversation; name a user.")
			}
			who = &me
		} else {
			u, err := uuid.Parse(*in.AssigneeID)
			if err != nil {
				return errs.Invalidf("assignee_id", "assignee_id must be \"me\", a user id or null.")
			}
			who = &u
		}
	}
	cv, err := s.chat.Conversations.Assign(c.UserContext(), id, who)
	return s.conversationResult(c, cv, err)
}

func (s *Server) resolve(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	// The body is optional: a wrap-up, when the tenant asks for one.
	var in struct {
		Category string `json:"category"`
		Summary  string `json:"summary"`
	}
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := decode(c, &in); err != nil {
			return err
		}
	}
	ctx := c.UserContext()
	if s.chat.Routing != nil {
		w, err := s.chat.Routing.WrapUp(ctx)
		if err != nil {
			return err
		}
		if err := w.Check(in.Category); err != nil {
			return err
		}
	}
	cv, err := s.chat.Conversations.ResolveWith(ctx, id, conversation.WrapUp{Category: in.Category, Summary: in.Summary})
	return s.conversationResult(c, cv, err)
}

func (s *Server) reopen(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	cv, err := s.chat.Conversations.Reopen(c.UserContext(), id)
	return s.conversationResult(c, cv, err)
}

func (s *Server) markRead(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cv, err := s.chat.Conversations.MarkRead(ctx, id)
	if err == nil {
		// Tell the customer (web chat) the agents have read up to their latest message.
		if ms, lerr := s.chat.Conversations.Messages(ctx, id, nil, nil, 20); lerr == nil {
			for i := len(ms) - 1; i >= 0; i-- {
				if ms[i].Direction == conversation.In {
					mid := ms[i].ID
					_ = s.chat.Hub.Publish(ctx, conversation.Event{Type: conversation.EventRead, TenantID: cv.TenantID, ConversationID: cv.ID, From: "agent", MessageID: &mid})
					break
				}
			}
		}
	}
	return s.conversationResult(c, cv, err)
}

// agentTyping tells the customer an agent is typing. It is ephemeral: published, not stored.
func (s *Server) agentTyping(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	cv, err := s.chat.Conversations.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	ev := conversation.Event{Type: conversation.EventTyping, TenantID: cv.TenantID, ConversationID: cv.ID, From: "agent"}
	// Other agents see who types (a collision warning when two answer at once); the
	// widget drops both (visitors see only "agent is typing").
	if p := principal(c); p.UserID != uuid.Nil {
		ev.UserID = &p.UserID
		if u, err := s.id.GetUser(c.UserContext(), p.UserID); err == nil {
			ev.Name = u.Name
		}
	}
	_ = s.chat.Hub.Publish(c.UserContext(), ev)
	return c.SendStatus(fiber.StatusNoContent)
}

// uploaderOf names the caller as the owner of files it uploads.
func uploaderOf(c *fiber.Ctx) string {
	p := principal(c)
	if p.UserID != uuid.Nil {
		return "user:" + p.UserID.String()
	}
	return "key:" + p.APIKeyID.String()
}

// uploadAttachment stores a file an agent will send in a conversation (reply with
// its id in attachment_ids).
func (s *Server) uploadAttachment(c *fiber.Ctx) error {
	ctx := c.UserContext()
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	cv, err := s.chat.Conversations.Get(ctx, id)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return errs.Invalidf("file", "send the file as multipart form field \"file\"")
	}
	if fh.Size > conversation.MaxAttachmentBytes {
		return conversation.ErrFileTooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := s.chat.Files.Save(ctx, cv.ChannelID, uploaderOf(c), fh.Filename, fh.Header.Get(fiber.HeaderContentType), f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size,
		"url": "/api/v1/tenants/" + access(c).Tenant.ID.String() + "/attachments/" + a.ID.String()})
}

// platformPlugins lists the connector plugins with their state and health.
func (s *Server) platformPlugins(c *fiber.Ctx) error {
	items := []PluginInfo{}
	if s.chat.Plugins != nil {
		ps, err := s.chat.Plugins(c.UserContext())
		if err != nil {
			return err
		}
		items = append(items, ps...)
	}
	return c.JSON(fiber.Map{"items": items})
}

// ---- contacts -------------------------------------------------------------------------

func contactJSON(ct conversation.Contact) fiber.Map {
	ids := make([]fiber.Map, len(ct.Identities))
	for i, x := range ct.Identities {
		ids[i] = fiber.Map{"channel_id": x.ChannelID, "external_id": x.ExternalID, "verified": x.Verified}
	}
	attrs := ct.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	tags := ct.Tags
	if tags == nil {
		tags = []string{}
	}
	return fiber.Map{"id": ct.ID, "name": ct.Name, "email": ct.Email, "phone": ct.Phone, "avatar_url": ct.AvatarURL,
		"attributes": attrs, "tags": tags, "identities": ids, "merged_into": ct.MergedInto, "created_at": ct.CreatedAt, "updated_at": ct.UpdatedAt}
}

func (s *Server) listContacts(c *fiber.Ctx) error {
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	limit = min(limit, 100)
	var before *uuid.UUID
	if v := c.Query("cursor"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return errs.Invalidf("cursor", "cursor is not a cursor this API returned.")
		}
		before = &id
	}
	q := c.Query("q")
	if len(q) > 200 {
		return errs.Invalidf("q", "q is at most 200 characters.")
	}
	cs, err := s.chat.Conversations.ListContacts(c.UserContext(), q, before, limit+1)
	if err != nil {
		return err
	}
	var next any
	if len(cs) > limit {
		cs = cs[:limit]
		next = cs[limit-1].ID.String()
	}
	out := make([]fiber.Map, len(cs))
	for i, ct := range cs {
		out[i] = contactJSON(ct)
	}
	return c.JSON(fiber.Map{"items": out, "next_cursor": next})
}

func (s *Server) getContact(c *fiber.Ctx) error {
	id, err := pathID(c, "contact_id", conversation.ErrContactNotFound)
	if err != nil {
		return err
	}
	ct, err := s.chat.Conversations.Contact(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(contactJSON(ct))
}

func (s *Server) updateContact(c *fiber.Ctx) error {
	id, err := pathID(c, "contact_id", conversation.ErrContactNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Name       *string            `json:"name"`
		Email      *string            `json:"email"`
		Phone      *string            `json:"phone"`
		Tags       *[]string          `json:"tags"`
		Attributes *map[string]string `json:"attributes"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if _, err := s.chat.Conversations.UpdateContact(c.UserContext(), id, conversation.ContactPatch{Name: in.Name, Email: in.Email,
		Phone: in.Phone, Tags: in.Tags, Attributes: in.Attributes}); err != nil {
		return err
	}
	ct, err := s.chat.Conversations.Contact(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(contactJSON(ct))
}

// mergeContact merges the body's contact into the path's one.
func (s *Server) mergeContact(c *fiber.Ctx) error {
	id, err := pathID(c, "contact_id", conversation.ErrContactNotFound)
	if err != nil {
		return err
	}
	var in struct {
		ContactID *string `json:"contact_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.ContactID == nil {
		return required("contact_id")
	}
	from, err := uuid.Parse(*in.ContactID)
	if err != nil {
		return errs.Invalidf("contact_id", "contact_id must be a contact id.")
	}
	ct, err := s.chat.Conversations.MergeContacts(c.UserContext(), id, from)
	if err != nil {
		return err
	}
	return c.JSON(contactJSON(ct))
}

func (s *Server) addNote(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Text     *string     `json:"text"`
		Mentions []uuid.UUID `json:"mentions"`
		ClientID string      `json:"client_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Text == nil {
		return required("text")
	}
	m, err := s.chat.Conversations.AddNote(c.UserContext(), id, conversation.Note{Text: *in.Text, Mentions: in.Mentions, ClientID: in.ClientID})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.messageJSON(m.TenantID, m))
}

func (s *Server) mergeConversation(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id", conversation.ErrConversationNotFound)
	if err != nil {
		return err
	}
	var in struct {
		ConversationID *string `json:"conversation_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.ConversationID == nil {
		return required("conversation_id")
	}
	other, err := uuid.Parse(*in.ConversationID)
	if err != nil {
		return errs.Invalidf("conversation_id", "conversation_id must be a conversation id.")
	}
	cv, err := s.chat.Conversations.Merge(c.UserContext(), id, other)
	return s.conversationResult(c, cv, err)
}
