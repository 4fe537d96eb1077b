package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-hclog"

	"github.com/kefu-io/kefu/sdk"
)

// Version is the connector's version, reported by Describe.
const Version = "1.0.0"

// maxBody bounds a webhook body: an echo message is a few hundred bytes, and a
// bound keeps a misbehaving sender from making the connector parse megabytes.
const maxBody = 64 << 10

// receiptTimeout bounds the background receipt callback, which has no caller
// context to inherit a deadline from.
const receiptTimeout = 10 * time.Second

const configSchema = `{"type":"object","required":["token"],"properties":{` +
	`"token":{"type":"string","minLength":8,"writeOnly":true},` +
	`"greeting":{"type":"string"}}}`

// Connector is the echo connector. One value serves every echo channel of every
// tenant the host starts, so everything it keeps is per channel id.
type Connector struct {
	mu       sync.Mutex
	channels map[string]channel
}

type channel struct {
	cfg  config
	host sdk.Host
}

type config struct {
	Token    string `json:"token"`
	Greeting string `json:"greeting"`
}

// inbound is the webhook body.
type inbound struct {
	ID   string `json:"id"`
	From string `json:"from"`
	Name string `json:"name"`
	Text string `json:"text"`
}

var _ sdk.Connector = (*Connector)(nil)

// New returns a Connector with no channels; it is the factory given to sdk.Serve.
func New() sdk.Connector {
	return &Connector{channels: make(map[string]channel)}
}

// Describe implements sdk.Connector.
func (c *Connector) Describe(context.Context) (sdk.Descriptor, error) {
	return sdk.Descriptor{
		Name:         "echo",
		Version:      Version,
		Kind:         "custom",
		Capabilities: []string{"text", "delivery_receipts"},
		ConfigSchema: json.RawMessage(configSchema),
	}, nil
}

// ValidateConfig implements sdk.Connector. It checks what the schema says by hand,
// so that every field error names its field for the admin UI.
func (c *Connector) ValidateConfig(_ context.Context, raw json.RawMessage) error {
	_, err := parseConfig(raw)
	return err
}

func parseConfig(raw json.RawMessage) (config, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return config{}, sdk.ConfigErrors{{Field: "", Message: "configuration must be a JSON object"}}
	}
	var cfg config
	var errs sdk.ConfigErrors
	if tok, ok := fields["token"]; !ok {
		errs = append(errs, sdk.ConfigError{Field: "token", Message: "is required"})
	} else if err := json.Unmarshal(tok, &cfg.Token); err != nil {
		errs = append(errs, sdk.ConfigError{Field: "token", Message: "must be a string"})
	} else if utf8.RuneCountInString(cfg.Token) < 8 {
		errs = append(errs, sdk.ConfigError{Field: "token", Message: "must be at least 8 characters"})
	}
	if g, ok := fields["greeting"]; ok {
		if err := json.Unmarshal(g, &cfg.Greeting); err != nil {
			errs = append(errs, sdk.ConfigError{Field: "greeting", Message: "must be a string"})
		}
	}
	if len(errs) > 0 {
		return config{}, errs
	}
	return cfg, nil
}

// Start implements sdk.Connector. Starting a started channel replaces its
// configuration, which is what makes it idempotent.
func (c *Connector) Start(_ context.Context, inst sdk.Instance, host sdk.Host) error {
	cfg, err := parseConfig(inst.Config)
	if err != nil {
		return sdk.Permanent(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.channels[inst.ChannelID] = channel{cfg: cfg, host: host}
	return nil
}

// Stop implements sdk.Connector. Stopping an unknown channel is not an error: the
// host may stop a channel whose start it never saw succeed.
func (c *Connector) Stop(_ context.Context, channelID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.channels, channelID)
	return nil
}

func (c *Connector) channel(id string) (channel, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.channels[id]
	return ch, ok
}

func respond(status int, body string) sdk.WebhookResult {
	return sdk.WebhookResult{Response: sdk.HTTPResponse{
		Status:  status,
		Headers: map[string][]string{"Content-Type": {"application/json"}},
		Body:    []byte(body),
	}}
}

// HandleWebhook implements sdk.Connector. Refusals are 4xx responses, not errors:
// an error makes the host answer 5xx, and the sender would retry a request that
// can never succeed.
func (c *Connector) HandleWebhook(_ context.Context, channelID string, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
	ch, ok := c.channel(channelID)
	if !ok {
		return respond(http.StatusNotFound, `{"error":"unknown channel"}`), nil
	}
	if req.Method != http.MethodPost {
		return respond(http.StatusMethodNotAllowed, `{"error":"POST only"}`), nil
	}
	if subtle.ConstantTimeCompare([]byte(req.Header("X-Echo-Token")), []byte(ch.cfg.Token)) != 1 {
		return respond(http.StatusUnauthorized, `{"error":"bad token"}`), nil
	}
	if len(req.Body) > maxBody {
		return respond(http.StatusRequestEntityTooLarge, `{"error":"body over 64 KiB"}`), nil
	}
	var in inbound
	if err := json.Unmarshal(req.Body, &in); err != nil {
		return respond(http.StatusBadRequest, `{"error":"malformed JSON"}`), nil
	}
	if in.ID == "" || in.From == "" {
		return respond(http.StatusBadRequest, `{"error":"id and from are required"}`), nil
	}
	res := respond(http.StatusOK, `{"ok":true}`)
	res.Messages = []sdk.InboundMessage{{
		// The sender's id makes redeliveries of one message de-duplicate in the host.
		ExternalID: in.ID,
		Sender:     sdk.Contact{ExternalID: in.From, Name: in.Name},
		Type:       "text",
		Text:       in.Text,
		// The payload carries no time of its own; receipt is the best estimate.
		SentAt: time.Now().UTC(),
	}}
	return res, nil
}

// Send implements sdk.Connector. The ExternalID derives from MessageID alone, so a
// retried send is answered the same way and never "sent" twice.
func (c *Connector) Send(ctx context.Context, channelID string, msg sdk.OutboundMessage) (sdk.SendResult, error) {
	ch, ok := c.channel(channelID)
	if !ok {
		return sdk.SendResult{}, sdk.Permanent(fmt.Errorf("echo: channel %q is not started", channelID))
	}
	if msg.MessageID == "" {
		return sdk.SendResult{}, sdk.Permanent(errors.New("echo: MessageID is required"))
	}
	extID := "echo-" + msg.MessageID
	text := msg.Text
	if ch.cfg.Greeting != "" {
		text = ch.cfg.Greeting + " " + text
	}
	// A synchronous callback within the call: the host sees the log line before
	// Send returns.
	ch.host.Log(ctx, "info", "echo: sent", map[string]string{
		"channel_id":  channelID,
		"external_id": extID,
		"recipient":   msg.Recipient.ExternalID,
		"text":        text,
	})
	// An asynchronous callback, as a real provider's delivery report would come:
	// the Host stays usable after the call that handed it over has returned.
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), receiptTimeout)
		defer cancel()
		r := sdk.Receipt{MessageExternalID: extID, Status: "delivered", At: time.Now().UTC()}
		if err := ch.host.DeliverReceipts(ctx, channelID, []sdk.Receipt{r}); err != nil {
			hclog.Default().Warn("echo: receipt not delivered", "channel_id", channelID, "external_id", extID, "error", err)
		}
	}()
	return sdk.SendResult{ExternalID: extID}, nil
}

// Health implements sdk.Connector. Echo depends on nothing that could be down.
func (c *Connector) Health(context.Context) error { return nil }
