package app

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/plugins/web"
	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/server/internal/api"
	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/channels/channelsdb"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/conversation/conversationdb"
	"github.com/kefu-io/kefu/server/internal/outbox"
	"github.com/kefu-io/kefu/server/internal/pipeline"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/realtime"
	"github.com/kefu-io/kefu/server/internal/storage"
	"github.com/kefu-io/kefu/server/internal/webchat"
)

// chat is the message path: channels, conversations, plugins, realtime, outbox.
type chat struct {
	channels      *channels.Service
	conversations *conversation.Service
	convStore     *conversationdb.Store
	files         *conversation.Files
	hub           *realtime.Hub
	relay         *outbox.Relay
	plugins       *pipeline.Local
	pipeline      *pipeline.Pipeline
	webchat       *webchat.Service
}

// openChat builds the message path. Plugins start only in processes that run the api
// or worker role (they receive webhooks and send replies).
func (m *Main) openChat(ctx context.Context, secret []byte) error {
	c := &chat{}
	m.chat = c
	box, err := crypt.NewBox(map[int][]byte{1: crypt.DeriveKey(secret, "kefu/channels/v1", 32)}, 1)
	if err != nil {
		return err
	}
	c.convStore = &conversationdb.Store{DB: m.DB}
	c.files = &conversation.Files{Blobs: storage.Local{Dir: filepath.Join(m.Config.DataDir, "attachments")}, Store: c.convStore}
	c.hub, err = realtime.New(ctx, m.Redis, m.Logger)
	if err != nil {
		return err
	}
	m.closers = append(m.closers, func() { _ = c.hub.Close() })
	c.relay = &outbox.Relay{DB: m.DB, Publisher: c.hub, Enqueuer: m.enqueuer, Logger: m.Logger}
	c.conversations = &conversation.Service{Store: c.convStore, Tx: m.DB, Waker: c.relay, Members: memberCheck{m}}

	c.pipeline = &pipeline.Pipeline{Conversations: c.conversations, Files: c.files, Tenants: m.Tenants, Logger: m.Logger}
	c.plugins = &pipeline.Local{Logger: m.Logger, Sink: c.pipeline, CallTimeout: 10 * time.Second}
	// The built-in web connector; out-of-process plugins join through the plugin host.
	builtins := []sdk.Connector{web.New()}
	for _, conn := range append(builtins, m.Connectors...) {
		if err := c.plugins.Add(ctx, conn); err != nil {
			return err
		}
	}
	c.pipeline.Host = c.plugins
	c.channels = &channels.Service{Store: &channelsdb.Store{DB: m.DB}, Sealer: box, Audit: m.Audit, Tx: m.DB,
		Connectors: pipeline.Connectors{Host: c.plugins, ListFn: c.connectorList}}
	c.pipeline.Channels = c.channels
	c.webchat = &webchat.Service{Key: crypt.DeriveKey(secret, "kefu/widget/v1", 32), Pipeline: c.pipeline,
		Conversations: c.conversations, Contacts: c.convStore}
	return nil
}

func (c *chat) connectorList() []channels.Descriptor {
	var out []channels.Descriptor
	for _, n := range c.plugins.Names() {
		d, _ := c.plugins.Descriptor(n)
		out = append(out, channels.Descriptor{Name: d.Name, Version: d.Version, Kind: d.Kind, Capabilities: d.Capabilities,
			ConfigSchema: d.ConfigSchema, State: "running"})
	}
	return out
}

// startChat launches the plugins and the outbox relay.
func (m *Main) startChat(ctx context.Context) error {
	c := m.chat
	if err := c.plugins.StartAll(ctx, c.pipeline.Active); err != nil {
		return fmt.Errorf("start channels: %w", err)
	}
	c.relay.Start()
	m.closers = append(m.closers, c.relay.Close)
	return nil
}

func (m *Main) apiChat() api.Chat {
	c := m.chat
	return api.Chat{Channels: c.channels, Conversations: c.conversations, Hub: c.hub, Contacts: c.convStore,
		Pipeline: c.pipeline, Webchat: c.webchat, Files: c.files, PublicURL: m.publicURL}
}

// deliver is the worker's message:send handler.
func (m *Main) deliver(ctx context.Context, job conversation.SendJob, last bool) error {
	return m.chat.conversations.Deliver(ctx, m.chat.pipeline, job, last)
}

// memberCheck answers whether a user belongs to the context's tenant.
type memberCheck struct{ m *Main }

func (mc memberCheck) IsMember(ctx context.Context, userID uuid.UUID) (bool, error) {
	return mc.m.Identity.IsMember(ctx, userID)
}
