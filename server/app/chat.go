package app

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kefu-io/kefu/server/internal/api"
	"github.com/kefu-io/kefu/server/internal/bot"
	"github.com/kefu-io/kefu/server/internal/canned"
	"github.com/kefu-io/kefu/server/internal/canned/canneddb"
	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/channels/channelsdb"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/conversation/conversationdb"
	"github.com/kefu-io/kefu/server/internal/outbox"
	"github.com/kefu-io/kefu/server/internal/pipeline"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/server/internal/pluginhost"
	"github.com/kefu-io/kefu/server/internal/realtime"
	"github.com/kefu-io/kefu/server/internal/routing"
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
	routing       *routing.Service
	router        *routing.Runner
	plugins       *pluginhost.Host
	pipeline      *pipeline.Pipeline
	webchat       *webchat.Service
	bot           *bot.Service
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
	c.conversations = &conversation.Service{Store: c.convStore, Tx: m.DB, Waker: c.relay, Members: memberCheck{m},
		Logger: m.Logger, ObserveBatch: func(n, bulk int) {
			ingestBatch.WithLabelValues("all").Observe(float64(n))
			if bulk > 0 {
				ingestBatch.WithLabelValues("bulk").Observe(float64(bulk))
			}
		}}

	c.pipeline = &pipeline.Pipeline{Conversations: c.conversations, Files: c.files, Tenants: m.Tenants, Logger: m.Logger}
	c.plugins = &pluginhost.Host{Logger: m.Logger, Sink: c.pipeline, CallTimeout: 10 * time.Second, Active: c.pipeline.Active,
		Alert: func(name string, err error) { pluginDisabled.WithLabelValues(name).Inc() }}
	c.pipeline.Host = c.plugins
	c.channels = &channels.Service{Store: &channelsdb.Store{DB: m.DB}, Sealer: box, Audit: m.Audit, Tx: m.DB,
		Connectors: pipeline.Connectors{Host: c.plugins, ListFn: c.connectorList}}
	c.pipeline.Channels = c.channels
	c.webchat = &webchat.Service{Key: crypt.DeriveKey(secret, "kefu/widget/v1", 32), Pipeline: c.pipeline,
		Conversations: c.conversations, Contacts: c.convStore}
	m.openRouting()
	return m.openBot(secret)
}

func (c *chat) connectorList() []channels.Descriptor {
	var out []channels.Descriptor
	for _, n := range c.plugins.Names() {
		d, _ := c.plugins.Descriptor(n)
		out = append(out, channels.Descriptor{Name: d.Name, Version: d.Version, Kind: d.Kind, Capabilities: d.Capabilities,
			ConfigSchema: d.ConfigSchema, State: c.plugins.State(n)})
	}
	return out
}

// pluginDisabled counts plugins disabled after repeated crashes: alert on it.
var pluginDisabled = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kefu_plugin_disabled_total",
	Help: "Connector plugins disabled after repeated crashes."}, []string{"connector"})

// ingestBatch is the group commit's batch size: how many inbound messages shared a
// transaction ("all"), and how many of those took the bulk statements ("bulk").
var ingestBatch = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kefu_ingest_batch_messages",
	Help: "Inbound messages per group commit.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64}}, []string{"path"})

// startChat launches the plugins and the outbox relay.
func (m *Main) startChat(ctx context.Context) error {
	c := m.chat
	specs, err := m.pluginSpecs(ctx)
	if err != nil {
		return fmt.Errorf("plugins: %w", err)
	}
	for _, s := range specs {
		c.plugins.Add(s)
	}
	if err := c.plugins.Start(ctx); err != nil {
		return fmt.Errorf("start plugins: %w", err)
	}
	m.closers = append(m.closers, c.plugins.Close)
	c.relay.Start()
	m.closers = append(m.closers, c.relay.Close)
	c.router.Start()
	m.closers = append(m.closers, c.router.Close)
	return nil
}

func (m *Main) apiChat() api.Chat {
	c := m.chat
	return api.Chat{Channels: c.channels, Conversations: c.conversations, Hub: c.hub, Contacts: c.convStore,
		Pipeline: c.pipeline, Webchat: c.webchat, Files: c.files, PublicURL: m.publicURL, Plugins: m.pluginInfos,
		Bot: c.bot, BotKnowledge: m.knowledgeWriter(), Routing: c.routing,
		Canned: &canned.Service{Store: &canneddb.Store{DB: m.DB}}}
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

// pluginInfos is what operators see of the plugins: every supervised connector, then
// the plugin directory's binaries that do not run (unregistered ones first of all).
func (m *Main) pluginInfos(ctx context.Context) ([]api.PluginInfo, error) {
	var out []api.PluginInfo
	running := map[string]bool{}
	for _, s := range m.chat.plugins.Statuses() {
		in := api.PluginInfo{Name: s.Name, Version: s.Version, Kind: s.Kind, Source: s.Source, State: s.State, PID: s.PID,
			Restarts: s.Restarts, LastError: s.LastError}
		if !s.LastHealthAt.IsZero() {
			at := s.LastHealthAt.UTC()
			in.LastHealthAt = &at
		}
		running[s.Source] = true
		out = append(out, in)
	}
	files, err := m.Plugins(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if running[f.Path] {
			for i := range out {
				if out[i].Source == f.Path {
					out[i].SHA256 = f.SHA256
				}
			}
			continue
		}
		state := "unregistered"
		switch {
		case f.Registered && !f.InDir:
			state = "absent" // registered, but no binary with that hash is in the plugin directory
		case f.Registered:
			state = pluginhost.Stopped
		}
		out = append(out, api.PluginInfo{Name: f.Name, Version: f.Version, Source: f.Path, State: state, SHA256: f.SHA256})
	}
	return out, nil
}
