package api

import (
	"context"
	"encoding/json"
	"mime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/pipeline"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/realtime"
	"github.com/kefu-io/kefu/server/internal/webchat"
)

// MaxWebhookBody bounds a provider's webhook request.
const MaxWebhookBody = 1 << 20

func (s *Server) publicChatRoutes() {
	for _, m := range []string{"GET", "POST", "PUT"} {
		s.handle(m, "/hooks/:channel_id", Public, "", s.hook)
		s.handle(m, "/hooks/:channel_id/*", Public, "", s.hook)
	}
	// CORS preflight for the widget API: any site may call it, with the visitor token
	// in a header and JSON bodies (never cookies).
	s.app.Use("/widget/", func(c *fiber.Ctx) error {
		if c.Method() != fiber.MethodOptions {
			return c.Next()
		}
		c.Set("Access-Control-Allow-Origin", "*")
		c.Set("Access-Control-Allow-Methods", "GET, POST")
		c.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		c.Set("Access-Control-Max-Age", "600")
		return c.SendStatus(fiber.StatusNoContent)
	})
	const w = "/widget/:channel_id"
	s.handle("GET", w+"/config", Public, "", s.widgetConfig)
	s.handle("POST", w+"/session", Public, "", s.widgetSession)
	s.handle("GET", w+"/messages", Public, "", s.widgetMessages)
	s.handle("POST", w+"/messages", Public, "", s.widgetSend)
	s.handle("POST", w+"/attachments", Public, "", s.widgetUpload)
	s.handle("GET", w+"/attachments/:attachment_id", Public, "", s.widgetDownload)
	s.handle("POST", w+"/read", Public, "", s.widgetRead)
	s.handle("POST", w+"/typing", Public, "", s.widgetTyping)
	s.handle("GET", w+"/ws", Public, "", s.widgetSocket)
}

// hook forwards a provider's webhook to the channel's plugin and answers with the
// plugin's response once whatever it parsed is stored.
func (s *Server) hook(c *fiber.Ctx) error {
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	if len(c.Body()) > MaxWebhookBody {
		return errs.New(errs.TooLarge, "request.too-large", "The request body is too large.")
	}
	headers := map[string][]string{}
	c.Request().Header.VisitAll(func(k, v []byte) {
		key := string(k)
		if strings.EqualFold(key, fiber.HeaderAuthorization) || strings.EqualFold(key, fiber.HeaderCookie) {
			return // never forward credentials meant for us
		}
		headers[key] = append(headers[key], string(v))
	})
	path := ""
	if rest := c.Params("*"); rest != "" {
		path = "/" + rest
	}
	res, err := s.chat.Pipeline.Webhook(c.UserContext(), id, pipeline.Request{
		Method: c.Method(), Path: path, Query: string(c.Request().URI().QueryString()), Headers: headers,
		Body: append([]byte(nil), c.Body()...), RemoteAddr: localString(c, localClientIP),
	})
	if err != nil {
		return err
	}
	for k, vs := range res.Headers {
		if strings.EqualFold(k, fiber.HeaderSetCookie) {
			continue
		}
		for _, v := range vs {
			c.Response().Header.Add(k, v)
		}
	}
	return c.Status(res.Status).Send(res.Body)
}

// ---- widget -----------------------------------------------------------------------

func widgetCORS(c *fiber.Ctx) {
	// The widget runs on the customer's site: any origin may call these endpoints;
	// credentials are the visitor token in a header, never cookies.
	c.Set("Access-Control-Allow-Origin", "*")
	c.Set(fiber.HeaderCacheControl, "no-store")
}

func (s *Server) widgetClaims(c *fiber.Ctx, channel uuid.UUID) (webchat.Claims, error) {
	tok, _ := bearer(c)
	if tok == "" {
		tok = c.Query("token")
	}
	if tok == "" {
		return webchat.Claims{}, webchat.ErrBadToken
	}
	return s.chat.Webchat.Verify(tok, channel)
}

func (s *Server) widgetConfig(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	ctx, inst, err := s.chat.Pipeline.Resolve(c.UserContext(), id)
	if err != nil {
		return err
	}
	if inst.Connector != "web" {
		return pipeline.ErrChannelNotFound
	}
	ch, err := s.chat.Channels.Public(ctx, id)
	if err != nil {
		return err
	}
	var cfg struct {
		Welcome         string `json:"welcome_message"`
		Color           string `json:"color"`
		Locale          string `json:"locale"`
		RequireIdentity bool   `json:"require_identity"`
	}
	_ = json.Unmarshal(ch.Config, &cfg)
	if cfg.Locale == "" {
		// The widget speaks the tenant's language unless the channel says otherwise.
		if t, err := s.chat.Pipeline.Tenants.Get(ctx, inst.TenantID); err == nil {
			cfg.Locale = t.Locale
		}
	}
	online, _ := s.chat.Hub.Online(ctx, inst.TenantID)
	return c.JSON(fiber.Map{"name": ch.Name, "welcome_message": cfg.Welcome, "color": cfg.Color, "locale": cfg.Locale,
		"require_identity": cfg.RequireIdentity, "online": online})
}

func (s *Server) widgetSession(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	var in struct {
		VisitorID string            `json:"visitor_id"`
		Identity  *webchat.Identity `json:"identity"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.chat.Webchat.Session(c.UserContext(), id, in.VisitorID, in.Identity, c.Get(fiber.HeaderOrigin), localString(c, localClientIP))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

func (s *Server) widgetMessageJSON(channel uuid.UUID, m conversation.Message) fiber.Map {
	as := make([]fiber.Map, len(m.Attachments))
	for i, a := range m.Attachments {
		url := a.URL
		if url == "" {
			url = "/widget/" + channel.String() + "/attachments/" + a.ID.String()
		}
		as[i] = fiber.Map{"id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size, "url": url}
	}
	// Visitors see who wrote, not internal ids or delivery errors.
	return fiber.Map{"id": m.ID, "conversation_id": m.ConversationID, "direction": m.Direction, "sender_type": m.SenderType,
		"type": m.Type, "text": m.Text, "attachments": as, "status": m.Status, "client_id": m.ClientID, "created_at": m.CreatedAt}
}

func (s *Server) widgetMessages(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	after, err := queryUUID(c, "after")
	if err != nil {
		return err
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	conv, ms, err := s.chat.Webchat.History(c.UserContext(), cl, after)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(ms))
	for _, m := range ms {
		if m.Internal() {
			continue
		}
		out = append(out, s.widgetMessageJSON(id, m))
	}
	var cid any
	if conv != uuid.Nil {
		cid = conv
	}
	return c.JSON(fiber.Map{"conversation_id": cid, "items": out})
}

func (s *Server) widgetSend(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	// The body is checked before the token so a malformed request is a 400 whoever
	// sends it (the token check costs an HMAC, not a lookup).
	var in webchat.Outgoing
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.ClientID == "" {
		return required("client_id")
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	r, err := s.chat.Webchat.Send(c.UserContext(), cl, in, c.Get(fiber.HeaderOrigin), localString(c, localClientIP))
	if err != nil {
		return err
	}
	if tid, err := s.chat.Webchat.TenantOf(c.UserContext(), cl); err == nil {
		// The visitor's sockets (any node) follow the conversation this message is in.
		_ = s.chat.Hub.Publish(c.UserContext(), conversation.Event{Type: conversation.EventVisitorBound, TenantID: tid,
			ConversationID: r.ConversationID, From: cl.ExternalID})
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"id": r.MessageID, "client_id": in.ClientID, "conversation_id": r.ConversationID, "duplicate": r.Duplicate})
}

func (s *Server) widgetUpload(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	cl, err := s.widgetClaims(c, id)
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
	ctx, _, err := s.chat.Webchat.Scope(c.UserContext(), cl)
	if err != nil {
		return err
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := s.chat.Files.Save(ctx, id, cl.ExternalID, fh.Filename, fh.Header.Get(fiber.HeaderContentType), f)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": a.ID, "name": a.Name, "content_type": a.ContentType, "size": a.Size,
		"url": "/widget/" + id.String() + "/attachments/" + a.ID.String()})
}

// widgetDownload serves a file of the visitor's own channel. Files are sent as
// attachments (never rendered as a page of our origin) except images.
func (s *Server) widgetDownload(c *fiber.Ctx) error {
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	aid, err := pathID(c, "attachment_id", conversation.ErrMessageNotFound)
	if err != nil {
		return err
	}
	ctx, conv, err := s.chat.Webchat.Scope(c.UserContext(), cl)
	if err != nil {
		return err
	}
	a, ch, err := s.chat.Files.Store.GetAttachment(ctx, aid)
	if err != nil {
		return err
	}
	// A visitor sees their own uploads and the files of their own conversations,
	// nothing else of the channel.
	mine := a.MessageID == nil && a.Uploader != "" && a.Uploader == cl.ExternalID
	if !mine && a.MessageID != nil && conv != nil {
		m, err := s.chat.Conversations.Message(ctx, *a.MessageID)
		if err != nil {
			return err
		}
		owner, err := s.chat.Conversations.Get(ctx, m.ConversationID)
		if err != nil {
			return err
		}
		mine = owner.ContactID == conv.ContactID
	}
	if ch != id || !mine {
		return conversation.ErrMessageNotFound
	}
	return s.sendFile(c, ctx, aid)
}

func (s *Server) downloadAttachment(c *fiber.Ctx) error {
	aid, err := pathID(c, "attachment_id", conversation.ErrMessageNotFound)
	if err != nil {
		return err
	}
	return s.sendFile(c, c.UserContext(), aid)
}

// sendFile streams a stored attachment. It is never rendered as a page of our origin:
// only images are inline, everything else downloads, and a sandboxing CSP applies.
func (s *Server) sendFile(c *fiber.Ctx, ctx context.Context, aid uuid.UUID) error {
	a, rc, err := s.chat.Files.Open(ctx, aid)
	if err != nil {
		return err
	}
	if rc == nil {
		if strings.HasPrefix(a.URL, "https://") || strings.HasPrefix(a.URL, "http://") {
			return c.Redirect(a.URL, fiber.StatusFound)
		}
		return conversation.ErrMessageNotFound
	}
	disp := "attachment"
	if strings.HasPrefix(a.ContentType, "image/") {
		disp = "inline"
	}
	c.Set(fiber.HeaderContentType, a.ContentType)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType(disp, map[string]string{"filename": a.Name}))
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; sandbox")
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	return c.SendStream(rc, int(a.Size)) // fasthttp closes rc when done
}

func (s *Server) widgetRead(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	var in struct {
		MessageID *string `json:"message_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.MessageID == nil {
		return required("message_id")
	}
	msg, err := uuid.Parse(*in.MessageID)
	if err != nil {
		return errs.Invalidf("message_id", "message_id must be a message id.")
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	return s.visitorRead(c, cl, msg)
}

func (s *Server) visitorRead(c *fiber.Ctx, cl webchat.Claims, msg uuid.UUID) error {
	ctx, cv, err := s.chat.Webchat.Scope(c.UserContext(), cl)
	if err != nil {
		return err
	}
	if cv != nil {
		if err := s.chat.Conversations.MarkReadUpTo(ctx, cv.ID, msg); err != nil {
			return err
		}
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) widgetTyping(c *fiber.Ctx) error {
	widgetCORS(c)
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	ctx, cv, err := s.chat.Webchat.Scope(c.UserContext(), cl)
	if err != nil {
		return err
	}
	if cv != nil {
		_ = s.chat.Hub.Publish(ctx, conversation.Event{Type: conversation.EventTyping, TenantID: cv.TenantID, ConversationID: cv.ID, From: "contact"})
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// widgetSocket is the visitor's realtime connection: it receives the replies and
// typing of its own conversation, and sends messages, typing and read receipts.
func (s *Server) widgetSocket(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return errUpgradeRequired
	}
	id, err := pathID(c, "channel_id", pipeline.ErrChannelNotFound)
	if err != nil {
		return err
	}
	cl, err := s.widgetClaims(c, id)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	tid, err := s.chat.Webchat.TenantOf(ctx, cl)
	if err != nil {
		return err
	}
	origin, remote := c.Get(fiber.HeaderOrigin), localString(c, localClientIP)
	// The socket is routed only its visitor's events: its conversation's, and the
	// visitor.bound naming it. It follows the conversation as that changes.
	var conv atomicUUID
	var subp atomic.Pointer[realtime.Conn]
	keysFor := func(id uuid.UUID) []string {
		k := []string{realtime.FromKey(cl.ExternalID)}
		if id != uuid.Nil {
			k = append(k, realtime.ConversationKey(id))
		}
		return k
	}
	follow := func(id uuid.UUID) {
		if conv.Swap(id) != id {
			if sub := subp.Load(); sub != nil {
				sub.SetKeys(keysFor(id)...)
			}
		}
	}
	if _, cv, err := s.chat.Webchat.Scope(ctx, cl); err != nil {
		return err
	} else if cv != nil {
		conv.Store(cv.ID)
	}
	// Visitors get their own conversation's events, re-rendered as the widget API
	// shows messages: no agent, contact or tenant ids, no delivery errors.
	filter := func(ev *conversation.Event, _ []byte) []byte {
		if ev.Type == conversation.EventVisitorBound {
			if ev.From == cl.ExternalID {
				follow(ev.ConversationID)
			}
			return nil
		}
		cur := conv.Load()
		if cur == uuid.Nil || ev.ConversationID != cur {
			return nil
		}
		var out fiber.Map
		switch ev.Type {
		case conversation.EventMessageCreated, conversation.EventMessageUpdated:
			if ev.Message == nil || ev.Message.Internal() {
				return nil
			}
			out = fiber.Map{"type": ev.Type, "conversation_id": ev.ConversationID, "message": s.widgetMessageJSON(id, *ev.Message)}
		case conversation.EventTyping:
			if ev.From != "agent" {
				return nil
			}
			out = fiber.Map{"type": ev.Type, "conversation_id": ev.ConversationID, "from": "agent"}
		case conversation.EventQueuePosition:
			out = fiber.Map{"type": ev.Type, "conversation_id": ev.ConversationID, "position": ev.Position, "wait_seconds": ev.WaitSeconds}
		case conversation.EventRead:
			if ev.From != "agent" || ev.MessageID == nil {
				return nil
			}
			out = fiber.Map{"type": ev.Type, "conversation_id": ev.ConversationID, "from": "agent", "message_id": ev.MessageID}
		default:
			return nil
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil
		}
		return b
	}
	sub, err := s.chat.Hub.SubscribeKeys(ctx, tid, keysFor(conv.Load()), filter)
	if err != nil {
		return err
	}
	subp.Store(sub)
	sub.SetKeys(keysFor(conv.Load())...) // the filter may have moved it before subp was set
	return websocket.New(func(ws *websocket.Conn) {
		defer sub.Close()
		var greeted uuid.UUID
		send := func(v any) {
			b, _ := json.Marshal(v)
			sub.Send(b)
		}
		pump(ws, sub, nil, nil, func(frame []byte) {
			var f struct {
				Type        string                       `json:"type"`
				ClientID    string                       `json:"client_id"`
				Text        string                       `json:"text"`
				MessageID   uuid.UUID                    `json:"message_id"`
				Attachments []webchat.OutgoingAttachment `json:"attachments"`
				Name        string                       `json:"name"`
				Email       string                       `json:"email"`
			}
			if err := json.Unmarshal(frame, &f); err != nil {
				send(fiber.Map{"type": "error", "code": "widget.bad-frame", "detail": "Frames are JSON objects."})
				return
			}
			bg := s.widgetContext()
			switch f.Type {
			case "ping":
				send(fiber.Map{"type": "pong"})
			case "message":
				r, err := s.chat.Webchat.Send(bg, cl, webchat.Outgoing{ClientID: f.ClientID, Text: f.Text, Attachments: f.Attachments, Name: f.Name, Email: f.Email}, origin, remote)
				if err != nil {
					e := classify(err)
					send(fiber.Map{"type": "error", "code": e.Code, "detail": e.Message, "client_id": f.ClientID})
					return
				}
				follow(r.ConversationID)
				send(fiber.Map{"type": "ack", "client_id": f.ClientID, "id": r.MessageID, "conversation_id": r.ConversationID})
				if r.ConversationID != greeted {
					// A new conversation's first replies (a queue notice, a greeting) can
					// be published before this socket follows it: have the widget fetch
					// them, and tell it its place in the queue now.
					greeted = r.ConversationID
					sub.Send(realtime.ResyncFrame)
					s.sendQueuePosition(bg, cl, r.ConversationID, send)
				}
			case "typing":
				if cur := conv.Load(); cur != uuid.Nil {
					_ = s.chat.Hub.Publish(bg, conversation.Event{Type: conversation.EventTyping, TenantID: tid, ConversationID: cur, From: "contact"})
				}
			case "read":
				if cur := conv.Load(); cur != uuid.Nil && f.MessageID != uuid.Nil {
					tctx, _, err := s.chat.Webchat.Scope(bg, cl)
					if err == nil {
						_ = s.chat.Conversations.MarkReadUpTo(tctx, cur, f.MessageID)
					}
				}
			default:
				send(fiber.Map{"type": "error", "code": "widget.bad-frame", "detail": "Unknown frame type."})
			}
		})
	}, websocket.Config{ReadBufferSize: 4096, WriteBufferSize: 4096})(c)
}

// sendQueuePosition tells the socket the visitor's place in the queue, if they wait.
func (s *Server) sendQueuePosition(ctx context.Context, cl webchat.Claims, id uuid.UUID, send func(any)) {
	if s.chat.Routing == nil {
		return
	}
	tctx, _, err := s.chat.Webchat.Scope(ctx, cl)
	if err != nil {
		return
	}
	pos, wait, ok, err := s.chat.Routing.Position(tctx, id)
	if err != nil || !ok {
		return
	}
	send(fiber.Map{"type": conversation.EventQueuePosition, "conversation_id": id, "position": pos, "wait_seconds": int(wait / time.Second)})
}

// atomicUUID holds the visitor's current conversation (set on the first message).
type atomicUUID struct {
	mu sync.Mutex
	v  uuid.UUID
}

func (a *atomicUUID) Load() uuid.UUID {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.v
}

func (a *atomicUUID) Store(v uuid.UUID) { a.Swap(v) }

// Swap stores v and returns the previous value.
func (a *atomicUUID) Swap(v uuid.UUID) uuid.UUID {
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.v
	a.v = v
	return old
}

// widgetContext is the context for work a socket frame starts: the request's context
// ends with the upgrade, and a frame's work must not be cut short by it.
func (s *Server) widgetContext() context.Context {
	return context.Background()
}
