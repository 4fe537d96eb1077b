package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Descriptor is what a connector says about itself.
type Descriptor struct {
	Name         string   // lower-case [a-z0-9-]{1,32}
	Version      string   // semver of the connector
	Kind         string   // web, wechat, email, sms or custom
	Capabilities []string // text, image, file, typing, read_receipts, delivery_receipts, polling
	// ConfigSchema is the JSON Schema of a channel's configuration. Properties with
	// "writeOnly": true are secrets: the host encrypts them at rest and never shows them.
	ConfigSchema json.RawMessage
}

// Instance is one channel of a tenant as the connector sees it.
type Instance struct {
	ChannelID string
	Config    json.RawMessage // with secrets, decrypted by the host
}

// WebhookRequest is a provider's HTTP request, forwarded by the host.
type WebhookRequest struct {
	Method     string
	Path       string // after /hooks/{channel_id}: "" or "/..."
	Query      string
	Headers    map[string][]string
	Body       []byte
	RemoteAddr string
}

// Header returns the first value of a header, case-insensitively.
func (r WebhookRequest) Header(name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// HTTPResponse is what the provider gets back.
type HTTPResponse struct {
	Status  int
	Headers map[string][]string
	Body    []byte
}

// WebhookResult is a handled webhook: the response (sent only after Messages are
// stored) and what the request carried.
type WebhookResult struct {
	Response HTTPResponse
	Messages []InboundMessage
	Receipts []Receipt
}

// Contact is a message's sender (or an outbound message's recipient).
type Contact struct {
	ExternalID string // the sender's id on the channel
	Name       string
	Email      string
	Phone      string
	AvatarURL  string
	Attributes map[string]string
	Verified   bool // the channel verified this identity
}

// Attachment is a file on a message: a URL or inline bytes.
type Attachment struct {
	Name        string
	ContentType string
	Size        int64
	URL         string
	Data        []byte
}

// InboundMessage is a normalised customer message.
type InboundMessage struct {
	ExternalID  string // the provider's id: the host de-duplicates on (channel, ExternalID)
	Sender      Contact
	Type        string // text, image or file
	Text        string
	Attachments []Attachment
	SentAt      time.Time
}

// OutboundMessage is a reply to deliver.
type OutboundMessage struct {
	MessageID   string // the host's id: an idempotency key for retried sends
	Recipient   Contact
	Type        string
	Text        string
	Attachments []Attachment
}

// SendResult is a delivered outbound message.
type SendResult struct{ ExternalID string }

// Receipt is a delivery report for an outbound message.
type Receipt struct {
	MessageExternalID string // SendResult.ExternalID of the message
	Status            string // delivered, read or failed
	Error             string
	At                time.Time
}

// Connector is implemented by plugin authors.
type Connector interface {
	Describe(ctx context.Context) (Descriptor, error)
	ValidateConfig(ctx context.Context, config json.RawMessage) error
	// Start is idempotent; the host calls it again after a plugin restart.
	Start(ctx context.Context, inst Instance, host Host) error
	Stop(ctx context.Context, channelID string) error
	HandleWebhook(ctx context.Context, channelID string, req WebhookRequest) (WebhookResult, error)
	Send(ctx context.Context, channelID string, msg OutboundMessage) (SendResult, error)
	Health(ctx context.Context) error
}

// Host is what a connector may call back.
type Host interface {
	DeliverInbound(ctx context.Context, channelID string, msgs []InboundMessage) error
	DeliverReceipts(ctx context.Context, channelID string, rs []Receipt) error
	Log(ctx context.Context, level string, msg string, attrs map[string]string)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

type retryableError struct {
	err   error
	after time.Duration
}

func (e retryableError) Error() string { return e.err.Error() }
func (e retryableError) Unwrap() error { return e.err }

// Permanent marks an error retrying cannot fix (a bad recipient, rejected content).
func Permanent(err error) error { return permanentError{err} }

// Retryable marks an error worth retrying, after a delay when the provider says so.
func Retryable(err error, after time.Duration) error { return retryableError{err, after} }

// IsPermanent reports an error marked by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// RetryAfter reports the delay of an error marked by Retryable.
func RetryAfter(err error) (time.Duration, bool) {
	var r retryableError
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}

// ConfigError is one invalid configuration field.
type ConfigError struct {
	Field   string
	Message string
}

// ConfigErrors is what ValidateConfig returns for invalid input.
type ConfigErrors []ConfigError

func (e ConfigErrors) Error() string {
	parts := make([]string, len(e))
	for i, c := range e {
		parts[i] = c.Field + ": " + c.Message
	}
	return "invalid configuration: " + strings.Join(parts, "; ")
}
