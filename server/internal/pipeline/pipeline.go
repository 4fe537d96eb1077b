// Package pipeline joins channels, their connector plugins and the conversation
// engine: public ingress (provider webhooks, the web widget) goes to the channel's
// plugin, and what the plugin parsed is stored before the provider gets its answer;
// outbound messages go from the conversation engine to the plugin's Send.
//
// The tenant of every inbound message is the channel's tenant, looked up by the host;
// nothing a plugin returns can choose it.
package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// Host is the plugin host as the pipeline uses it.
type Host interface {
	Descriptor(name string) (sdk.Descriptor, bool)
	ValidateConfig(ctx context.Context, connector string, cfg json.RawMessage) error
	StartChannel(ctx context.Context, connector string, inst sdk.Instance) error
	StopChannel(ctx context.Context, connector, channelID string) error
	HandleWebhook(ctx context.Context, connector, channelID string, req sdk.WebhookRequest) (sdk.WebhookResult, error)
	Send(ctx context.Context, connector, channelID string, msg sdk.OutboundMessage) (sdk.SendResult, error)
}

// Tenants tells whether a tenant may take traffic.
type Tenants interface {
	Get(ctx context.Context, id uuid.UUID) (tenants.Tenant, error)
}

// Pipeline is the message path between channels and conversations.
type Pipeline struct {
	Host          Host
	Channels      *channels.Service
	Conversations *conversation.Service
	Files         *conversation.Files
	Tenants       Tenants
	Logger        *slog.Logger

	statuses sync.Map // tenant id → statusEntry
	// started remembers, per channel, the config this node's plugin was last given
	// (a hash): a channel created or changed through another node reaches this
	// node's plugin on its first use here.
	started sync.Map // "connector/channel id" → [32]byte
}

// ensureStarted gives this node's plugin the channel, or its new config, when it has
// not had it: channel changes are applied by the node that makes them, and the other
// nodes' plugins would otherwise not know a new channel until they restart.
func (p *Pipeline) ensureStarted(ctx context.Context, inst channels.Instance) error {
	key, sum := inst.Connector+"/"+inst.ID.String(), sha256.Sum256(inst.Config)
	if v, ok := p.started.Load(key); ok && v.([32]byte) == sum {
		return nil
	}
	if err := p.Host.StartChannel(ctx, inst.Connector, sdk.Instance{ChannelID: inst.ID.String(), Config: inst.Config}); err != nil {
		return err
	}
	p.started.Store(key, sum)
	return nil
}

// StatusTTL is how long a tenant's status is trusted on the message path: a
// suspension stops its channels' traffic within this time.
const StatusTTL = 2 * time.Second

type statusEntry struct {
	status tenants.Status
	at     time.Time
}

func (p *Pipeline) tenantStatus(ctx context.Context, tid uuid.UUID) (tenants.Status, error) {
	if v, ok := p.statuses.Load(tid); ok {
		if e := v.(statusEntry); time.Since(e.at) < StatusTTL {
			return e.status, nil
		}
	}
	t, err := p.Tenants.Get(ctx, tid)
	if err != nil {
		return "", err
	}
	p.statuses.Store(tid, statusEntry{status: t.Status, at: time.Now()})
	return t.Status, nil
}

// Request is a public HTTP request for a channel.
type Request struct {
	Method     string
	Path       string
	Query      string
	Headers    map[string][]string
	Body       []byte
	RemoteAddr string
	// Connector, when set, requires the channel to be of this connector (the widget
	// gateway only talks to web channels).
	Connector string
}

// Response is what the caller answers, plus what was stored.
type Response struct {
	Status   int
	Headers  map[string][]string
	Body     []byte
	TenantID uuid.UUID
	Ingested []conversation.Ingested
	Senders  []string // Sender.ExternalID of each stored message
}

var (
	ErrChannelNotFound = errs.New(errs.NotFound, "channel.not-found", "No such channel.")
	ErrTenantSuspended = errs.New(errs.Forbidden, "tenant.suspended", "This workspace is suspended.")
	ErrUnavailable     = &errs.Error{Kind: errs.Unavailable, Code: "channel.unavailable", Message: "The channel is temporarily unavailable; retry later.", RetryAfter: 5}
)

// Resolve maps a public channel id to its tenant context and instance.
func (p *Pipeline) Resolve(ctx context.Context, channelID uuid.UUID) (context.Context, channels.Instance, error) {
	tid, err := p.Channels.Route(ctx, channelID)
	if errors.Is(err, channels.ErrNotFound) {
		return nil, channels.Instance{}, ErrChannelNotFound
	}
	if err != nil {
		return nil, channels.Instance{}, err
	}
	ctx = tenants.NewContext(ctx, tid)
	st, err := p.tenantStatus(ctx, tid)
	if err != nil {
		return nil, channels.Instance{}, err
	}
	if st != tenants.Active {
		return nil, channels.Instance{}, ErrTenantSuspended
	}
	inst, err := p.Channels.Instance(ctx, channelID)
	if errors.Is(err, channels.ErrNotFound) {
		return nil, channels.Instance{}, ErrChannelNotFound
	}
	if err != nil {
		return nil, channels.Instance{}, err
	}
	if !inst.Enabled {
		return nil, channels.Instance{}, ErrChannelNotFound.WithMessage("This channel is disabled.")
	}
	return ctx, inst, nil
}

// Webhook forwards a request to the channel's plugin and stores what it parsed. The
// response is returned only after the messages are committed; if storing fails the
// caller answers 503 so the provider retries, and the retry is de-duplicated.
func (p *Pipeline) Webhook(ctx context.Context, channelID uuid.UUID, req Request) (Response, error) {
	ctx, inst, err := p.Resolve(ctx, channelID)
	if err != nil {
		return Response{}, err
	}
	if req.Connector != "" && inst.Connector != req.Connector {
		return Response{}, ErrChannelNotFound
	}
	if err := p.ensureStarted(ctx, inst); err != nil {
		p.log().WarnContext(ctx, "webhook: could not start the channel on this node", "connector", inst.Connector, "channel_id", channelID, "err", err)
		return Response{}, ErrUnavailable
	}
	res, err := p.Host.HandleWebhook(ctx, inst.Connector, channelID.String(), sdk.WebhookRequest{
		Method: req.Method, Path: req.Path, Query: req.Query, Headers: req.Headers, Body: req.Body, RemoteAddr: req.RemoteAddr,
	})
	if err != nil {
		p.log().WarnContext(ctx, "webhook: connector failed", "connector", inst.Connector, "channel_id", channelID, "err", err)
		return Response{}, ErrUnavailable
	}
	out := Response{Status: res.Response.Status, Headers: res.Response.Headers, Body: res.Response.Body, TenantID: inst.TenantID}
	if out.Status == 0 {
		out.Status = http.StatusOK
	}
	if len(res.Messages) > 0 {
		if out.Status >= 300 {
			// A plugin that rejects the request must not also hand us messages.
			return Response{}, fmt.Errorf("connector %s returned messages with status %d", inst.Connector, out.Status)
		}
		ins, err := p.inbound(ctx, channelID, res.Messages)
		if err != nil {
			return Response{}, err
		}
		out.Ingested = ins
		for _, m := range res.Messages {
			out.Senders = append(out.Senders, m.Sender.ExternalID)
		}
	}
	if len(res.Receipts) > 0 {
		if err := p.Conversations.ApplyReceipts(ctx, channelID, toReceipts(res.Receipts)); err != nil {
			return Response{}, fmt.Errorf("apply receipts: %w", err)
		}
	}
	return out, nil
}

func (p *Pipeline) log() *slog.Logger {
	if p.Logger == nil {
		return slog.Default()
	}
	return p.Logger
}

func toReceipts(rs []sdk.Receipt) []conversation.Receipt {
	out := make([]conversation.Receipt, len(rs))
	for i, r := range rs {
		out[i] = conversation.Receipt{ExternalID: r.MessageExternalID, Status: r.Status, Error: r.Error}
	}
	return out
}

func (p *Pipeline) inbound(ctx context.Context, channelID uuid.UUID, msgs []sdk.InboundMessage) ([]conversation.Ingested, error) {
	ins := make([]conversation.Inbound, 0, len(msgs))
	for _, m := range msgs {
		in := conversation.Inbound{ExternalID: m.ExternalID, Type: m.Type, Text: m.Text, SentAt: m.SentAt,
			Sender: conversation.InboundContact{ExternalID: m.Sender.ExternalID, Name: m.Sender.Name, Email: m.Sender.Email,
				Phone: m.Sender.Phone, AvatarURL: m.Sender.AvatarURL, Attributes: m.Sender.Attributes, Verified: m.Sender.Verified}}
		for _, a := range m.Attachments {
			att, err := p.attachment(ctx, channelID, a)
			if err != nil {
				return nil, err
			}
			in.Attachments = append(in.Attachments, att)
		}
		ins = append(ins, in)
	}
	return p.Conversations.Ingest(ctx, channelID, ins)
}

// attachment stores inline bytes; a URL is linked as given. An attachment the widget
// uploaded earlier arrives as our own URL and is claimed by id.
func (p *Pipeline) attachment(ctx context.Context, channelID uuid.UUID, a sdk.Attachment) (conversation.Attachment, error) {
	if len(a.Data) > 0 {
		if p.Files == nil {
			return conversation.Attachment{}, errs.Invalidf("attachments", "attachments are not accepted")
		}
		return p.Files.Save(ctx, channelID, "", a.Name, a.ContentType, bytes.NewReader(a.Data))
	}
	if id, ok := uploadedID(a.URL); ok && p.Files != nil {
		ch, err := p.Files.ChannelOf(ctx, id)
		if err == nil && ch == channelID {
			return conversation.Attachment{ID: id, Name: a.Name, ContentType: a.ContentType, Size: a.Size}, nil
		}
		return conversation.Attachment{}, errs.Invalidf("attachments", "unknown attachment")
	}
	return conversation.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: a.URL}, nil
}

// UploadPrefix marks attachment URLs that point at files uploaded through the widget.
const UploadPrefix = "kefu-upload:"

func uploadedID(u string) (uuid.UUID, bool) {
	if len(u) <= len(UploadPrefix) || u[:len(UploadPrefix)] != UploadPrefix {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(u[len(UploadPrefix):])
	return id, err == nil
}

// ---- host callbacks and sources (pluginhost.Sink, pluginhost.ChannelSource) ---------

// Inbound stores messages a plugin delivered on its own (a polling channel).
func (p *Pipeline) Inbound(ctx context.Context, channelID string, msgs []sdk.InboundMessage) error {
	id, err := uuid.Parse(channelID)
	if err != nil {
		return fmt.Errorf("inbound for bad channel id %q", channelID)
	}
	ctx, _, err = p.Resolve(ctx, id)
	if err != nil {
		return err
	}
	_, err = p.inbound(ctx, id, msgs)
	return err
}

// Receipts applies delivery receipts a plugin delivered on its own.
func (p *Pipeline) Receipts(ctx context.Context, channelID string, rs []sdk.Receipt) error {
	id, err := uuid.Parse(channelID)
	if err != nil {
		return fmt.Errorf("receipts for bad channel id %q", channelID)
	}
	ctx, _, err = p.Resolve(ctx, id)
	if err != nil {
		return err
	}
	return p.Conversations.ApplyReceipts(ctx, id, toReceipts(rs))
}

// Active lists the channels a connector must run (across tenants).
func (p *Pipeline) Active(ctx context.Context, connector string) ([]sdk.Instance, error) {
	ins, err := p.Channels.Active(ctx, connector)
	if err != nil {
		return nil, err
	}
	out := make([]sdk.Instance, len(ins))
	for i, in := range ins {
		out[i] = sdk.Instance{ChannelID: in.ID.String(), Config: in.Config}
		p.started.Store(connector+"/"+in.ID.String(), sha256.Sum256(in.Config))
	}
	return out, nil
}

// ---- outbound (conversation.Sender) -------------------------------------------------

// Send delivers an outbound message through the channel's plugin.
func (p *Pipeline) Send(ctx context.Context, channelID uuid.UUID, out conversation.Outbound) (string, error) {
	inst, err := p.Channels.Instance(ctx, channelID)
	if errors.Is(err, channels.ErrNotFound) {
		return "", conversation.Permanent(errors.New("the channel was deleted"))
	}
	if err != nil {
		return "", err
	}
	if !inst.Enabled {
		return "", conversation.Permanent(errors.New("the channel is disabled"))
	}
	if err := p.ensureStarted(ctx, inst); err != nil {
		return "", err
	}
	msg := sdk.OutboundMessage{MessageID: out.MessageID.String(), Type: out.Type, Text: out.Text,
		Recipient: sdk.Contact{ExternalID: out.Recipient.ExternalID, Name: out.Contact.Name, Email: out.Contact.Email, Phone: out.Contact.Phone}}
	for _, a := range out.Attachments {
		msg.Attachments = append(msg.Attachments, sdk.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, URL: a.URL})
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	res, err := p.Host.Send(cctx, inst.Connector, channelID.String(), msg)
	if err != nil {
		if sdk.IsPermanent(err) {
			return "", conversation.Permanent(err)
		}
		return "", err
	}
	return res.ExternalID, nil
}

// ---- channels.Connectors over the host -----------------------------------------------

// Connectors adapts the plugin host to the channels engine.
type Connectors struct {
	Host Host
	// List returns every known connector with its state.
	ListFn func() []channels.Descriptor
}

func (c Connectors) Describe(name string) (channels.Descriptor, bool) {
	d, ok := c.Host.Descriptor(name)
	if !ok {
		return channels.Descriptor{}, false
	}
	return channels.Descriptor{Name: d.Name, Version: d.Version, Kind: d.Kind, Capabilities: d.Capabilities, ConfigSchema: d.ConfigSchema}, true
}

func (c Connectors) List() []channels.Descriptor { return c.ListFn() }

func (c Connectors) Validate(ctx context.Context, connector string, cfg json.RawMessage) error {
	err := c.Host.ValidateConfig(ctx, connector, cfg)
	if err == nil {
		return nil
	}
	var ce sdk.ConfigErrors
	if errors.As(err, &ce) && len(ce) > 0 {
		e := channels.ErrInvalidConfig.WithField("config."+ce[0].Field).WithMessage("%s", ce[0].Message)
		for _, f := range ce {
			e.Fields = append(e.Fields, errs.FieldError{Field: "config." + f.Field, Message: f.Message})
		}
		return e
	}
	return channels.ErrConnectorDown.Wrap(err)
}

func (c Connectors) StartChannel(ctx context.Context, connector string, id uuid.UUID, cfg json.RawMessage) error {
	return c.Host.StartChannel(ctx, connector, sdk.Instance{ChannelID: id.String(), Config: cfg})
}

func (c Connectors) StopChannel(ctx context.Context, connector string, id uuid.UUID) error {
	return c.Host.StopChannel(ctx, connector, id.String())
}
