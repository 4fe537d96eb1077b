package kefutest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kefu-io/kefu/sdk"
)

// TestConnector is a connector for a fictitious provider ("test"), registered in every
// test environment. Its webhook takes {"id","from","name","text"} with the channel's
// token in X-Test-Token; Send records messages (a text containing "fail-permanent"
// fails permanently, "fail-retry" fails retryably until Healed).
type TestConnector struct {
	mu       sync.Mutex
	channels map[string]json.RawMessage
	sent     []sdk.OutboundMessage
	bySendID map[string]string
	failing  bool
}

// NewTestConnector returns an empty test connector.
func NewTestConnector() *TestConnector {
	return &TestConnector{channels: map[string]json.RawMessage{}, bySendID: map[string]string{}, failing: true}
}

const testSchema = `{
  "type": "object",
  "properties": {
    "token": {"type": "string", "minLength": 8, "writeOnly": true, "description": "Shared secret the provider sends in X-Test-Token."},
    "greeting": {"type": "string", "maxLength": 200}
  },
  "required": ["token"],
  "additionalProperties": false
}`

func (c *TestConnector) Describe(context.Context) (sdk.Descriptor, error) {
	return sdk.Descriptor{Name: "test", Version: "1.0.0", Kind: "custom", Capabilities: []string{"text", "delivery_receipts"},
		ConfigSchema: json.RawMessage(testSchema)}, nil
}

func (c *TestConnector) ValidateConfig(_ context.Context, cfg json.RawMessage) error {
	var v struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(cfg, &v)
	if v.Token == "rejected-token" {
		return sdk.ConfigErrors{{Field: "token", Message: "The provider rejected this token."}}
	}
	return nil
}

func (c *TestConnector) Start(_ context.Context, inst sdk.Instance, _ sdk.Host) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.channels[inst.ChannelID] = inst.Config
	return nil
}

func (c *TestConnector) Stop(_ context.Context, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.channels, id)
	return nil
}

func respond(status int, body string) sdk.HTTPResponse {
	return sdk.HTTPResponse{Status: status, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: []byte(body)}
}

func (c *TestConnector) HandleWebhook(_ context.Context, id string, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
	c.mu.Lock()
	cfg, ok := c.channels[id]
	c.mu.Unlock()
	if !ok {
		return sdk.WebhookResult{Response: respond(http.StatusNotFound, `{"error":"channel not started"}`)}, nil
	}
	var conf struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(cfg, &conf)
	if subtle.ConstantTimeCompare([]byte(req.Header("X-Test-Token")), []byte(conf.Token)) != 1 {
		return sdk.WebhookResult{Response: respond(http.StatusUnauthorized, `{"error":"bad token"}`)}, nil
	}
	if req.Path == "/receipt" {
		var r struct {
			ID, Status string
		}
		if err := json.Unmarshal(req.Body, &r); err != nil {
			return sdk.WebhookResult{Response: respond(http.StatusBadRequest, `{"error":"bad json"}`)}, nil
		}
		return sdk.WebhookResult{Response: respond(http.StatusOK, `{"ok":true}`), Receipts: []sdk.Receipt{{MessageExternalID: r.ID, Status: r.Status}}}, nil
	}
	type inMsg struct {
		ID   string `json:"id"`
		From string `json:"from"`
		Name string `json:"name"`
		Text string `json:"text"`
	}
	// One message, or an array of them (providers that batch their webhooks).
	var ins []inMsg
	if b := bytes.TrimSpace(req.Body); len(b) > 0 && b[0] == '[' {
		if err := json.Unmarshal(b, &ins); err != nil {
			return sdk.WebhookResult{Response: respond(http.StatusBadRequest, `{"error":"bad json"}`)}, nil
		}
	} else {
		var in inMsg
		if err := json.Unmarshal(req.Body, &in); err != nil {
			return sdk.WebhookResult{Response: respond(http.StatusBadRequest, `{"error":"want id, from and text"}`)}, nil
		}
		ins = append(ins, in)
	}
	res := sdk.WebhookResult{Response: respond(http.StatusOK, `{"ok":true}`)}
	for _, in := range ins {
		if in.ID == "" || in.From == "" {
			return sdk.WebhookResult{Response: respond(http.StatusBadRequest, `{"error":"want id, from and text"}`)}, nil
		}
		if len(in.Text) > 4000 {
			return sdk.WebhookResult{Response: respond(http.StatusRequestEntityTooLarge, `{"error":"text too long"}`)}, nil
		}
		res.Messages = append(res.Messages, sdk.InboundMessage{ExternalID: in.ID, Sender: sdk.Contact{ExternalID: in.From, Name: in.Name}, Type: "text", Text: in.Text, SentAt: time.Now()})
	}
	return res, nil
}

func (c *TestConnector) Send(_ context.Context, id string, m sdk.OutboundMessage) (sdk.SendResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.channels[id]; !ok {
		return sdk.SendResult{}, sdk.Permanent(fmt.Errorf("channel %s is not started", id))
	}
	if strings.Contains(m.Text, "fail-permanent") {
		return sdk.SendResult{}, sdk.Permanent(errors.New("the provider rejected the message"))
	}
	if strings.Contains(m.Text, "fail-retry") && c.failing {
		return sdk.SendResult{}, sdk.Retryable(errors.New("the provider is unavailable"), time.Second)
	}
	if ext, ok := c.bySendID[m.MessageID]; ok {
		return sdk.SendResult{ExternalID: ext}, nil // idempotent by message id
	}
	ext := "test-out-" + m.MessageID
	c.bySendID[m.MessageID] = ext
	c.sent = append(c.sent, m)
	return sdk.SendResult{ExternalID: ext}, nil
}

func (c *TestConnector) Health(context.Context) error { return nil }

// Heal makes "fail-retry" messages succeed from now on.
func (c *TestConnector) Heal() {
	c.mu.Lock()
	c.failing = false
	c.mu.Unlock()
}

// Sent returns the messages delivered so far.
func (c *TestConnector) Sent() []sdk.OutboundMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sdk.OutboundMessage(nil), c.sent...)
}

// WaitSent waits until n messages were delivered.
func (c *TestConnector) WaitSent(t interface {
	Helper()
	Fatalf(string, ...any)
}, n int) []sdk.OutboundMessage {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if s := c.Sent(); len(s) >= n {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("test connector: %d messages sent, want %d", len(c.Sent()), n)
	return nil
}
