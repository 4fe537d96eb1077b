// Package webchat is the host side of the web widget: visitor sessions and the
// translation of widget actions into requests for the web channel's plugin, which
// verifies identities and parses messages exactly as any connector handles a
// provider's webhook.
package webchat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/pipeline"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// TokenTTL is how long a visitor token lasts; the widget opens a new session after.
const TokenTTL = 7 * 24 * time.Hour

var visitorRe = regexp.MustCompile(`^v_[A-Za-z0-9_-]{16,64}$`)

// Identity is a signed identity a logged-in site passes to the widget.
type Identity struct {
	UserID    string `json:"user_id"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	TS        int64  `json:"ts"`
	Signature string `json:"signature"`
}

// Claims are what a visitor token carries.
type Claims struct {
	Channel    uuid.UUID `json:"c"`
	VisitorID  string    `json:"v"`
	ExternalID string    `json:"x"`
	Identity   *Identity `json:"i,omitempty"`
	Expires    int64     `json:"e"`
}

// Service runs widget sessions.
type Service struct {
	Key           []byte // HMAC key for visitor tokens
	Pipeline      *pipeline.Pipeline
	Conversations *conversation.Service
	Contacts      interface {
		VisitorConversation(ctx context.Context, channelID uuid.UUID, externalID string) (conversation.Conversation, bool, error)
	}
	Now func() time.Time
}

var (
	ErrBadToken = errs.New(errs.Unauthenticated, "widget.bad-token", "The chat session expired; reload the page.")
	ErrRejected = errs.New(errs.Forbidden, "widget.rejected", "The channel refused this visitor.")
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) sign(c Claims) string {
	b, _ := json.Marshal(c)
	body := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a visitor token for a channel.
func (s *Service) Verify(token string, channel uuid.UUID) (Claims, error) {
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 4096 {
		return Claims{}, ErrBadToken
	}
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte(body))
	want := m.Sum(nil)
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return Claims{}, ErrBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Claims{}, ErrBadToken
	}
	var c Claims
	if err := json.Unmarshal(raw, &c); err != nil || c.Channel != channel || s.now().Unix() > c.Expires {
		return Claims{}, ErrBadToken
	}
	return c, nil
}

func newVisitorID() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return "v_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// SessionResult is what the widget gets from Session.
type SessionResult struct {
	VisitorID      string     `json:"visitor_id"`
	Token          string     `json:"token"`
	ConversationID *uuid.UUID `json:"conversation_id"`
}

// pluginError turns a plugin's refusal into an error for the widget.
func pluginError(res pipeline.Response) error {
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(res.Body, &body)
	switch {
	case res.Status == http.StatusUnauthorized:
		return ErrRejected.WithMessage("The signed identity is not valid.")
	case res.Status == http.StatusForbidden:
		return ErrRejected.WithMessage("This website may not use this chat channel.")
	case res.Status == http.StatusRequestEntityTooLarge:
		return errs.New(errs.TooLarge, "widget.too-large", "The message is too long.")
	case res.Status >= 400 && res.Status < 500:
		msg := "The message was not accepted."
		if body.Error != "" {
			msg += " (" + body.Error + ")"
		}
		return errs.New(errs.Invalid, "widget.invalid", msg)
	default:
		return pipeline.ErrUnavailable
	}
}

// Session starts or resumes a visitor's session: the web plugin verifies the identity
// and origin and names the visitor's external id; the token binds it to the channel.
func (s *Service) Session(ctx context.Context, channel uuid.UUID, visitorID string, ident *Identity, origin, remote string) (SessionResult, error) {
	if visitorID == "" || !visitorRe.MatchString(visitorID) {
		visitorID = newVisitorID()
	}
	body, _ := json.Marshal(map[string]any{"visitor_id": visitorID, "identity": ident, "origin": origin})
	res, err := s.Pipeline.Webhook(ctx, channel, pipeline.Request{Method: http.MethodPost, Path: "/session", Body: body,
		Headers: map[string][]string{"Origin": {origin}, "Content-Type": {"application/json"}}, RemoteAddr: remote, Connector: "web"})
	if err != nil {
		return SessionResult{}, err
	}
	if res.Status != http.StatusOK {
		return SessionResult{}, pluginError(res)
	}
	var out struct {
		ExternalID string `json:"external_id"`
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || out.ExternalID == "" {
		return SessionResult{}, errors.New("web plugin: session answer without external_id")
	}
	c := Claims{Channel: channel, VisitorID: visitorID, ExternalID: out.ExternalID, Identity: ident, Expires: s.now().Add(TokenTTL).Unix()}
	r := SessionResult{VisitorID: visitorID, Token: s.sign(c)}
	if cv, ok, err := s.thread(ctx, c); err != nil {
		return SessionResult{}, err
	} else if ok {
		r.ConversationID = &cv.ID
	}
	return r, nil
}

func (s *Service) thread(ctx context.Context, c Claims) (conversation.Conversation, bool, error) {
	tctx, _, err := s.Pipeline.Resolve(ctx, c.Channel)
	if err != nil {
		return conversation.Conversation{}, false, err
	}
	return s.Contacts.VisitorConversation(tctx, c.Channel, c.ExternalID)
}

// Outgoing is a visitor's message.
type Outgoing struct {
	ClientID    string               `json:"client_id"`
	Text        string               `json:"text"`
	Name        string               `json:"name,omitempty"`
	Email       string               `json:"email,omitempty"`
	Attachments []OutgoingAttachment `json:"attachments,omitempty"`
}

// OutgoingAttachment references a file uploaded through the widget.
type OutgoingAttachment struct {
	ID uuid.UUID `json:"id"`
}

// Send passes a visitor's message through the web plugin and stores it.
func (s *Service) Send(ctx context.Context, c Claims, m Outgoing, origin, remote string) (conversation.Ingested, error) {
	if m.ClientID == "" || len(m.ClientID) > 64 {
		return conversation.Ingested{}, errs.Invalidf("client_id", "client_id is required (at most 64 characters)")
	}
	type att struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		URL         string `json:"url"`
	}
	var atts []att
	if len(m.Attachments) > conversation.MaxAttachments {
		return conversation.Ingested{}, errs.Invalidf("attachments", "at most %d attachments", conversation.MaxAttachments)
	}
	if len(m.Attachments) > 0 {
		tctx, _, err := s.Pipeline.Resolve(ctx, c.Channel)
		if err != nil {
			return conversation.Ingested{}, err
		}
		for _, a := range m.Attachments {
			f, ch, err := s.Pipeline.Files.Store.GetAttachment(tctx, a.ID)
			if err != nil || ch != c.Channel || f.MessageID != nil || f.Uploader != c.ExternalID {
				// Another visitor's upload is as unknown as a made-up id.
				return conversation.Ingested{}, errs.Invalidf("attachments", "unknown attachment")
			}
			atts = append(atts, att{Name: f.Name, ContentType: f.ContentType, Size: f.Size, URL: pipeline.UploadPrefix + a.ID.String()})
		}
	}
	typ := conversation.TypeText
	if strings.TrimSpace(m.Text) == "" && len(atts) > 0 {
		typ = conversation.TypeFile
		if strings.HasPrefix(atts[0].ContentType, "image/") {
			typ = conversation.TypeImage
		}
	}
	body, _ := json.Marshal(map[string]any{"visitor_id": c.VisitorID, "identity": c.Identity, "client_id": m.ClientID,
		"name": m.Name, "email": m.Email, "type": typ, "text": m.Text, "attachments": atts, "origin": origin})
	res, err := s.Pipeline.Webhook(ctx, c.Channel, pipeline.Request{Method: http.MethodPost, Path: "/message", Body: body,
		Headers: map[string][]string{"Origin": {origin}, "Content-Type": {"application/json"}}, RemoteAddr: remote, Connector: "web"})
	if err != nil {
		return conversation.Ingested{}, err
	}
	if res.Status >= 300 {
		return conversation.Ingested{}, pluginError(res)
	}
	if len(res.Ingested) != 1 {
		return conversation.Ingested{}, errors.New("web plugin: a message request must yield exactly one message")
	}
	if res.Senders[0] != c.ExternalID {
		// The plugin named someone else than the session's visitor: refuse rather
		// than let one visitor write into another's conversation.
		return conversation.Ingested{}, ErrBadToken
	}
	return res.Ingested[0], nil
}

// History returns the visitor's current conversation's messages (oldest first),
// after a message id when given.
func (s *Service) History(ctx context.Context, c Claims, after *uuid.UUID) (uuid.UUID, []conversation.Message, error) {
	tctx, _, err := s.Pipeline.Resolve(ctx, c.Channel)
	if err != nil {
		return uuid.Nil, nil, err
	}
	cv, ok, err := s.Contacts.VisitorConversation(tctx, c.Channel, c.ExternalID)
	if err != nil || !ok {
		return uuid.Nil, nil, err
	}
	ms, err := s.Conversations.Messages(tctx, cv.ID, nil, after, 100)
	return cv.ID, ms, err
}

// Scope returns the tenant context and the visitor's conversation (if any).
func (s *Service) Scope(ctx context.Context, c Claims) (context.Context, *conversation.Conversation, error) {
	tctx, _, err := s.Pipeline.Resolve(ctx, c.Channel)
	if err != nil {
		return nil, nil, err
	}
	cv, ok, err := s.Contacts.VisitorConversation(tctx, c.Channel, c.ExternalID)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return tctx, nil, nil
	}
	return tctx, &cv, nil
}

// TenantOf returns the tenant of the token's channel.
func (s *Service) TenantOf(ctx context.Context, c Claims) (uuid.UUID, error) {
	tctx, _, err := s.Pipeline.Resolve(ctx, c.Channel)
	if err != nil {
		return uuid.Nil, err
	}
	tid, _ := tenants.FromContext(tctx)
	return tid, nil
}
