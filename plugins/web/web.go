// Package web is the web chat channel: the connector behind kefu's embeddable widget.
//
// The host turns widget actions into webhook requests on two paths, exactly as a
// provider would call any connector:
//
//	POST /session  {"visitor_id","identity","origin"}          → 200 {"external_id"}
//	POST /message  {"visitor_id","identity","client_id","name","email",
//	                "type","text","attachments","origin"}       → 200 {"ok":true} + 1 message
//
// The connector decides who the visitor is: it checks the page's origin against the
// channel's allowed origins and verifies a site's signed identity (HMAC-SHA256 with the
// channel's identity secret), so the host never has to trust the browser. Replies need
// no provider: the widget receives them over kefu's realtime stream, so Send only
// acknowledges.
//
// It imports only the SDK, like any third-party connector.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kefu-io/kefu/sdk"
)

// Version is the connector's version.
const Version = "1.0.0"

const (
	maxBody      = 64 << 10
	maxText      = 4000
	maxNameLen   = 100
	maxEmailLen  = 254
	maxClientID  = 64
	identitySkew = 48 * time.Hour // how old a page's signed identity may be
)

// Schema is the channel configuration's JSON Schema.
const Schema = `{
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "allowed_origins": {
      "type": "array", "maxItems": 50,
      "title": "Allowed websites",
      "description": "Origins (https://example.com) that may embed this chat. Empty allows any.",
      "items": {"type": "string", "pattern": "^https?://[^/\\s]+$", "maxLength": 255}
    },
    "identity_secret": {
      "type": "string", "writeOnly": true, "minLength": 16, "maxLength": 200,
      "title": "Identity secret",
      "description": "Signs logged-in users' identities (HMAC-SHA256). Keep it on your server."
    },
    "require_identity": {
      "type": "boolean", "default": false,
      "title": "Only signed-in users",
      "description": "Refuse visitors without a signed identity."
    },
    "welcome_message": {"type": "string", "maxLength": 500, "title": "Welcome message"},
    "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$", "title": "Colour"},
    "locale": {"type": "string", "enum": ["", "zh-CN", "en"], "title": "Language"}
  }
}`

// Config is a web channel's configuration.
type Config struct {
	AllowedOrigins  []string `json:"allowed_origins"`
	IdentitySecret  string   `json:"identity_secret"`
	RequireIdentity bool     `json:"require_identity"`
	Welcome         string   `json:"welcome_message"`
	Color           string   `json:"color"`
	Locale          string   `json:"locale"`
}

// Identity is a site's signed statement of who its logged-in user is.
type Identity struct {
	UserID    string `json:"user_id"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	TS        int64  `json:"ts"`
	Signature string `json:"signature"`
}

// Sign computes an identity's signature: hex HMAC-SHA256 over user id, email, name and
// timestamp joined by newlines. Sites compute the same on their server.
func Sign(secret string, id Identity) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(id.UserID + "\n" + id.Email + "\n" + id.Name + "\n" + strconv.FormatInt(id.TS, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// Connector is the web channel connector.
type Connector struct {
	Now func() time.Time

	mu       sync.RWMutex
	channels map[string]Config
}

// New returns a web connector.
func New() *Connector { return &Connector{} }

func (c *Connector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Connector) Describe(context.Context) (sdk.Descriptor, error) {
	return sdk.Descriptor{Name: "web", Version: Version, Kind: "web",
		Capabilities: []string{"text", "image", "file", "typing", "read_receipts"},
		ConfigSchema: json.RawMessage(Schema)}, nil
}

func parseConfig(raw json.RawMessage) (Config, error) {
	var cfg Config
	if len(raw) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, sdk.ConfigErrors{{Field: "", Message: "configuration must be a JSON object"}}
	}
	return cfg, nil
}

func (c *Connector) ValidateConfig(_ context.Context, raw json.RawMessage) error {
	cfg, err := parseConfig(raw)
	if err != nil {
		return err
	}
	var bad sdk.ConfigErrors
	if cfg.RequireIdentity && cfg.IdentitySecret == "" {
		bad = append(bad, sdk.ConfigError{Field: "identity_secret", Message: "required when only signed-in users may chat"})
	}
	seen := map[string]bool{}
	for i, o := range cfg.AllowedOrigins {
		if seen[strings.ToLower(o)] {
			bad = append(bad, sdk.ConfigError{Field: fmt.Sprintf("allowed_origins/%d", i), Message: "listed twice"})
		}
		seen[strings.ToLower(o)] = true
	}
	if len(bad) > 0 {
		return bad
	}
	return nil
}

func (c *Connector) Start(_ context.Context, inst sdk.Instance, _ sdk.Host) error {
	cfg, err := parseConfig(inst.Config)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.channels == nil {
		c.channels = map[string]Config{}
	}
	c.channels[inst.ChannelID] = cfg
	return nil
}

func (c *Connector) Stop(_ context.Context, channelID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.channels, channelID)
	return nil
}

func (c *Connector) Health(context.Context) error { return nil }

// Send has nothing to deliver: the visitor's widget receives replies over kefu's
// realtime stream and reads history from kefu. The message id is the external id.
func (c *Connector) Send(_ context.Context, channelID string, msg sdk.OutboundMessage) (sdk.SendResult, error) {
	c.mu.RLock()
	_, ok := c.channels[channelID]
	c.mu.RUnlock()
	if !ok {
		return sdk.SendResult{}, sdk.Retryable(errors.New("channel not started"), time.Second)
	}
	return sdk.SendResult{ExternalID: "web-" + msg.MessageID}, nil
}

type request struct {
	VisitorID   string           `json:"visitor_id"`
	Identity    *Identity        `json:"identity"`
	Origin      string           `json:"origin"`
	ClientID    string           `json:"client_id"`
	Name        string           `json:"name"`
	Email       string           `json:"email"`
	Type        string           `json:"type"`
	Text        string           `json:"text"`
	Attachments []sdk.Attachment `json:"attachments"`
}

func answer(status int, v any) sdk.HTTPResponse {
	b, _ := json.Marshal(v)
	return sdk.HTTPResponse{Status: status, Headers: map[string][]string{"Content-Type": {"application/json"}}, Body: b}
}

func refuse(status int, msg string) sdk.WebhookResult {
	return sdk.WebhookResult{Response: answer(status, map[string]string{"error": msg})}
}

func (c *Connector) HandleWebhook(_ context.Context, channelID string, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
	c.mu.RLock()
	cfg, ok := c.channels[channelID]
	c.mu.RUnlock()
	if !ok {
		return refuse(http.StatusNotFound, "unknown channel"), nil
	}
	if req.Path != "/session" && req.Path != "/message" {
		return refuse(http.StatusNotFound, "no such endpoint"), nil
	}
	if req.Method != http.MethodPost {
		return refuse(http.StatusMethodNotAllowed, "POST only"), nil
	}
	if len(req.Body) > maxBody {
		return refuse(http.StatusRequestEntityTooLarge, "request too large"), nil
	}
	var in request
	if err := json.Unmarshal(req.Body, &in); err != nil {
		return refuse(http.StatusBadRequest, "malformed JSON"), nil
	}
	if in.Origin == "" {
		in.Origin = req.Header("Origin")
	}
	if !originAllowed(cfg.AllowedOrigins, in.Origin) {
		return refuse(http.StatusForbidden, "origin not allowed"), nil
	}
	sender, status, msg := c.visitor(cfg, in)
	if status != 0 {
		return refuse(status, msg), nil
	}
	if req.Path == "/session" {
		return sdk.WebhookResult{Response: answer(http.StatusOK, map[string]string{"external_id": sender.ExternalID})}, nil
	}
	return c.message(sender, in)
}

func (c *Connector) message(sender sdk.Contact, in request) (sdk.WebhookResult, error) {
	if in.ClientID == "" || len(in.ClientID) > maxClientID {
		return refuse(http.StatusBadRequest, "client_id is required"), nil
	}
	if utf8.RuneCountInString(in.Text) > maxText {
		return refuse(http.StatusRequestEntityTooLarge, "message too long"), nil
	}
	if strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
		return refuse(http.StatusBadRequest, "empty message"), nil
	}
	typ := in.Type
	switch typ {
	case "", "text":
		typ = "text"
	case "image", "file":
	default:
		return refuse(http.StatusBadRequest, "unknown message type"), nil
	}
	if !sender.Verified {
		// A visitor may introduce themselves (leave-a-message form); a verified
		// identity's name and email come from the signature only.
		if n := strings.TrimSpace(in.Name); n != "" && utf8.RuneCountInString(n) <= maxNameLen {
			sender.Name = n
		}
		if e := strings.TrimSpace(in.Email); e != "" && len(e) <= maxEmailLen && strings.Contains(e, "@") {
			sender.Email = e
		}
	}
	m := sdk.InboundMessage{
		// The widget's client id makes a retried send the same message.
		ExternalID: sender.ExternalID + ":" + in.ClientID, Sender: sender, Type: typ,
		Text: in.Text, Attachments: in.Attachments, SentAt: c.now(),
	}
	return sdk.WebhookResult{Response: answer(http.StatusOK, map[string]bool{"ok": true}), Messages: []sdk.InboundMessage{m}}, nil
}

// visitor names the sender, verifying a signed identity; a non-zero status refuses.
func (c *Connector) visitor(cfg Config, in request) (sdk.Contact, int, string) {
	if in.Identity == nil || in.Identity.UserID == "" {
		if cfg.RequireIdentity {
			return sdk.Contact{}, http.StatusUnauthorized, "a signed identity is required"
		}
		if !validVisitor(in.VisitorID) {
			return sdk.Contact{}, http.StatusBadRequest, "invalid visitor_id"
		}
		return sdk.Contact{ExternalID: "v:" + in.VisitorID}, 0, ""
	}
	id := *in.Identity
	if cfg.IdentitySecret == "" || len(id.UserID) > 128 {
		return sdk.Contact{}, http.StatusUnauthorized, "identities are not accepted on this channel"
	}
	want := Sign(cfg.IdentitySecret, id)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(id.Signature))) {
		return sdk.Contact{}, http.StatusUnauthorized, "bad identity signature"
	}
	if d := c.now().Sub(time.Unix(id.TS, 0)); d > identitySkew || d < -identitySkew {
		return sdk.Contact{}, http.StatusUnauthorized, "identity signature expired"
	}
	return sdk.Contact{ExternalID: "u:" + id.UserID, Name: id.Name, Email: id.Email, Verified: true}, 0, ""
}

func validVisitor(v string) bool {
	if len(v) < 18 || len(v) > 66 || !strings.HasPrefix(v, "v_") {
		return false
	}
	for _, r := range v[2:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func originAllowed(allowed []string, origin string) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(a, origin) {
			return true
		}
	}
	return false
}
