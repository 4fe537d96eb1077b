package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/routing"
	"github.com/kefu-io/kefu/server/internal/routing/routingdb"
)

// openRouting builds the routing engine: the outbox hands it queued conversations and
// agents' freed capacity, and a runner serves every waiting queue periodically.
func (m *Main) openRouting() {
	c := m.chat
	c.routing = &routing.Service{Store: &routingdb.Store{DB: m.DB}, Tx: m.DB, Conversations: c.convStore,
		Waker: c.relay, Replier: c.conversations, Logger: m.Logger, Audit: m.Audit, Publisher: c.hub,
		MayServe: func(ctx context.Context, tenantID, userID uuid.UUID) bool {
			ok, err := m.Authz.Allowed(ctx, tenantID, authz.UserSubject(userID), authz.ConversationsReply)
			return err == nil && ok
		},
		Locale: func(ctx context.Context, tenantID uuid.UUID) string {
			t, err := m.Tenants.Get(ctx, tenantID)
			if err != nil {
				return ""
			}
			return t.Locale
		}}
	c.conversations.Capacity = c.routing
	c.router = &routing.Runner{Service: c.routing, Consoles: c.hub, AwayAfter: m.Config.AwayAfter}
	c.relay.Router = c.router
}
