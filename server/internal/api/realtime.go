package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/internal/realtime"
	"github.com/kefu-io/kefu/server/internal/routing"
	"github.com/kefu-io/kefu/tenants"
)

const (
	wsWriteWait   = 10 * time.Second
	wsPongWait    = 60 * time.Second
	wsPingEvery   = 25 * time.Second
	wsRecheck     = time.Minute
	wsMaxFrame    = 16 << 10
	closeAuthGone = 4001 // the token expired or the session was revoked: reconnect with a fresh one
)

var errUpgradeRequired = errs.New(errs.Invalid, "realtime.upgrade-required", "Connect with a WebSocket client.")

// realtimeSocket streams conversation events for every tenant the user may read
// conversations in. Browsers cannot set headers on a WebSocket, so the access token
// may come as ?access_token=; it is checked before the upgrade, re-checked every
// minute (expired or revoked: close 4001), and each event's tenant permission is
// checked when it is delivered, so a member removed mid-connection stops receiving.
func (s *Server) realtimeSocket(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return errUpgradeRequired
	}
	tok := c.Query("access_token")
	if tok == "" {
		tok, _ = bearer(c)
	}
	if tok == "" {
		return identity.ErrInvalidToken
	}
	ctx := c.UserContext()
	p, err := s.id.Authenticate(ctx, tok)
	if err != nil {
		return err
	}
	ms, err := s.id.Memberships(ctx, p.UserID)
	if err != nil {
		return err
	}
	var tids, serving []uuid.UUID
	for _, m := range ms {
		if m.TenantStatus != tenants.Active {
			continue
		}
		tids = append(tids, m.TenantID)
		// Presence (the widget's "online") counts only those who can answer.
		if ok, err := s.id.Allowed(ctx, p, m.TenantID, authz.ConversationsReply); err == nil && ok {
			serving = append(serving, m.TenantID)
		}
	}
	accept := func(ev *conversation.Event) bool {
		if ev.Type == conversation.EventVisitorBound || ev.Type == conversation.EventQueuePosition {
			return false // for the widget's sockets
		}
		ok, err := s.id.Allowed(context.Background(), p, ev.TenantID, authz.ConversationsRead)
		return err == nil && ok
	}
	sub, err := s.chat.Hub.Subscribe(ctx, tids, accept)
	if err != nil {
		return err
	}
	recheck := func() bool {
		_, err := s.id.Authenticate(context.Background(), tok)
		return err == nil
	}
	return websocket.New(func(conn *websocket.Conn) {
		defer sub.Close()
		ready, _ := json.Marshal(fiber.Map{"type": "ready", "tenant_ids": tids})
		sub.Send(ready)
		beat := func() {
			_ = s.chat.Hub.Touch(context.Background(), serving, p.UserID)
			// The first beat after the sweep declared the person gone (their network
			// dropped longer than the grace period) brings them back.
			if added, err := s.chat.Hub.ConsoleBeat(context.Background(), p.UserID); err == nil && added && s.chat.Routing != nil {
				_, _, _ = s.chat.Routing.AutoPresence(context.Background(), p.UserID, routing.Online)
			}
		}
		beat()
		if s.chat.Routing != nil {
			// A console opening ends an away the system set (never one the agent chose).
			if _, _, err := s.chat.Routing.AutoPresence(context.Background(), p.UserID, routing.Online); err != nil {
				s.log.Warn("realtime: could not restore presence", "err", err)
			}
		}
		// The grace period before "away" counts from the last console's close.
		defer func() { _, _ = s.chat.Hub.ConsoleBeat(context.Background(), p.UserID) }()
		pump(conn, sub, recheck, beat, func(frame []byte) {
			var f struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(frame, &f) == nil && f.Type == "ping" {
				sub.Send([]byte(`{"type":"pong"}`))
			}
		})
	}, websocket.Config{ReadBufferSize: 4096, WriteBufferSize: 8192})(c)
}

// pump runs a socket: one reader (frames to onFrame) and this goroutine as the only
// writer. It returns when either side ends.
func pump(conn *websocket.Conn, sub *realtime.Conn, recheck func() bool, beat func(), onFrame func([]byte)) {
	conn.SetReadLimit(wsMaxFrame)
	_ = conn.SetReadDeadline(time.Now().Add(wsPongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wsPongWait)) })
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for {
			_, frame, err := conn.ReadMessage()
			if err != nil {
				return
			}
			_ = conn.SetReadDeadline(time.Now().Add(wsPongWait))
			onFrame(frame)
		}
	}()
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	check := time.NewTicker(wsRecheck)
	defer check.Stop()
	write := func(typ int, b []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
		return conn.WriteMessage(typ, b) == nil
	}
	for {
		select {
		case <-readDone:
			return
		case <-sub.Done:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
			return
		case f := <-sub.C():
			if !write(websocket.TextMessage, f) {
				return
			}
		case <-ping.C:
			if !write(websocket.PingMessage, nil) {
				return
			}
			if beat != nil {
				beat()
			}
		case <-check.C:
			if recheck != nil && !recheck() {
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closeAuthGone, "authentication expired"), time.Now().Add(time.Second))
				return
			}
		}
	}
}
