package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/status"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/sdk/sdktest"
)

// probe is a Connector whose behaviour each test sets; unset hooks succeed.
type probe struct {
	validate func(json.RawMessage) error
	start    func(context.Context, sdk.Instance, sdk.Host) error
	webhook  func(context.Context, sdk.WebhookRequest) (sdk.WebhookResult, error)
	send     func(context.Context, sdk.OutboundMessage) (sdk.SendResult, error)
	health   func(context.Context) error
}

func (p *probe) Describe(context.Context) (sdk.Descriptor, error) {
	return sdk.Descriptor{Name: "probe", Version: "0.1.0", Kind: "custom", ConfigSchema: json.RawMessage(`{"type":"object"}`)}, nil
}

func (p *probe) ValidateConfig(_ context.Context, cfg json.RawMessage) error {
	if p.validate != nil {
		return p.validate(cfg)
	}
	return nil
}

func (p *probe) Start(ctx context.Context, inst sdk.Instance, h sdk.Host) error {
	if p.start != nil {
		return p.start(ctx, inst, h)
	}
	return nil
}

func (p *probe) Stop(context.Context, string) error { return nil }

func (p *probe) HandleWebhook(ctx context.Context, _ string, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
	if p.webhook != nil {
		return p.webhook(ctx, req)
	}
	return sdk.WebhookResult{Response: sdk.HTTPResponse{Status: 200}}, nil
}

func (p *probe) Send(ctx context.Context, _ string, msg sdk.OutboundMessage) (sdk.SendResult, error) {
	if p.send != nil {
		return p.send(ctx, msg)
	}
	return sdk.SendResult{ExternalID: "x-" + msg.MessageID}, nil
}

func (p *probe) Health(ctx context.Context) error {
	if p.health != nil {
		return p.health(ctx)
	}
	return nil
}

func TestErrorsRoundTrip(t *testing.T) {
	var returned error
	conn := sdktest.Connect(t, &probe{validate: func(json.RawMessage) error { return returned }})
	ce := sdk.ConfigErrors{{Field: "token", Message: "is required"}, {Field: "url", Message: "must be https"}}

	tests := []struct {
		name      string
		err       error
		permanent bool
		retry     time.Duration // -1: not retryable
		fields    sdk.ConfigErrors
	}{
		{name: "nil", err: nil, retry: -1},
		{name: "plain", err: errors.New("boom"), retry: -1},
		{name: "permanent", err: sdk.Permanent(errors.New("bad recipient")), permanent: true, retry: -1},
		{name: "retryable", err: sdk.Retryable(errors.New("rate limited"), 1500*time.Millisecond), retry: 1500 * time.Millisecond},
		{name: "retryable now", err: sdk.Retryable(errors.New("flaky"), 0), retry: 0},
		{name: "wrapped retryable", err: fmt.Errorf("call provider: %w", sdk.Retryable(errors.New("503"), time.Second)), retry: time.Second},
		{name: "config errors", err: ce, retry: -1, fields: ce},
		{name: "wrapped config errors", err: fmt.Errorf("check token: %w", ce), retry: -1, fields: ce},
		{name: "permanent config errors", err: sdk.Permanent(ce), permanent: true, retry: -1, fields: ce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			returned = tt.err
			err := conn.ValidateConfig(t.Context(), nil)
			if (err == nil) != (tt.err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil {
				return
			}
			if got, want := err.Error(), tt.err.Error(); got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
			if got := sdk.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent = %v, want %v", got, tt.permanent)
			}
			after, ok := sdk.RetryAfter(err)
			if tt.retry < 0 && ok {
				t.Errorf("RetryAfter = %v, true; want not retryable", after)
			}
			if tt.retry >= 0 && (!ok || after != tt.retry) {
				t.Errorf("RetryAfter = %v, %v; want %v, true", after, ok, tt.retry)
			}
			var got sdk.ConfigErrors
			if errors.As(err, &got) != (tt.fields != nil) || !reflect.DeepEqual(got, tt.fields) {
				t.Errorf("ConfigErrors = %v, want %v", got, tt.fields)
			}
			if _, isStatus := status.FromError(err); isStatus {
				t.Errorf("a connector's error came back as a gRPC status: %v", err)
			}
		})
	}
}

func TestPanicIsAnErrorAndPluginSurvives(t *testing.T) {
	conn := sdktest.Connect(t, &probe{send: func(context.Context, sdk.OutboundMessage) (sdk.SendResult, error) {
		panic("a connector bug")
	}})
	_, err := conn.Send(t.Context(), "c", sdk.OutboundMessage{MessageID: "1"})
	if err == nil || !strings.Contains(err.Error(), "panic in Connector.Send") {
		t.Fatalf("Send = %v, want the recovered panic", err)
	}
	if sdk.IsPermanent(err) {
		t.Error("a panic was marked permanent")
	}
	if err := conn.Health(t.Context()); err != nil {
		t.Errorf("Health after a panic: %v", err)
	}
}

func TestDeadlinePropagates(t *testing.T) {
	seen := make(chan time.Time, 1)
	conn := sdktest.Connect(t, &probe{health: func(ctx context.Context) error {
		d, ok := ctx.Deadline()
		if !ok {
			return errors.New("no deadline in the plugin")
		}
		seen <- d
		return nil
	}})
	ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
	defer cancel()
	want, _ := ctx.Deadline()
	if err := conn.Health(ctx); err != nil {
		t.Fatal(err)
	}
	// gRPC sends the remaining time, not the instant, so the two differ by the
	// transit time and rounding; an hour-long deadline lost would differ by an hour.
	if got := <-seen; got.Sub(want).Abs() > time.Minute {
		t.Errorf("plugin deadline %v, host deadline %v", got, want)
	}
}

func TestCancelledContext(t *testing.T) {
	conn := sdktest.Connect(t, &probe{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := conn.Health(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Health = %v, want context.Canceled", err)
	}
	if _, ok := status.FromError(err); !ok {
		t.Errorf("Health = %v, want a gRPC status (a failed call, not a connector error)", err)
	}
	if sdk.IsPermanent(err) {
		t.Error("a cancelled call was marked permanent")
	}
}

// TestConversions sends every field through both directions and the callback.
func TestConversions(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 123456789, time.UTC)
	msg := sdk.InboundMessage{
		ExternalID: "m1",
		Sender: sdk.Contact{ExternalID: "u1", Name: "Ann", Email: "a@example.com", Phone: "+1",
			AvatarURL: "https://example.com/a.png", Attributes: map[string]string{"tier": "gold"}, Verified: true},
		Type: "image", Text: "look",
		Attachments: []sdk.Attachment{{Name: "a.png", ContentType: "image/png", Size: 3, URL: "https://x", Data: []byte{1, 2, 3}}},
		SentAt:      at,
	}
	receipt := sdk.Receipt{MessageExternalID: "o1", Status: "failed", Error: "blocked", At: at}
	var gotReq sdk.WebhookRequest
	var gotOut sdk.OutboundMessage
	var gotInst sdk.Instance
	conn := sdktest.Connect(t, &probe{
		start: func(_ context.Context, inst sdk.Instance, h sdk.Host) error {
			gotInst = inst
			// After Start has returned, as a polling connector would.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				_ = h.DeliverInbound(ctx, inst.ChannelID, []sdk.InboundMessage{msg, {ExternalID: "m2", Sender: sdk.Contact{ExternalID: "u2"}, Type: "text"}})
				_ = h.DeliverReceipts(ctx, inst.ChannelID, []sdk.Receipt{receipt})
				h.Log(ctx, "warn", "hello", map[string]string{"k": "v"})
			}()
			return nil
		},
		webhook: func(_ context.Context, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
			gotReq = req
			return sdk.WebhookResult{
				Response: sdk.HTTPResponse{Status: 202, Headers: map[string][]string{"X-A": {"1", "2"}}, Body: []byte("ok")},
				Messages: []sdk.InboundMessage{msg},
				Receipts: []sdk.Receipt{receipt},
			}, nil
		},
		send: func(_ context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
			gotOut = m
			return sdk.SendResult{ExternalID: "ext"}, nil
		},
	})
	ctx := t.Context()
	host := &sdktest.FakeHost{}

	inst := sdk.Instance{ChannelID: "c1", Config: json.RawMessage(`{"a":1}`)}
	if err := conn.Start(ctx, inst, host); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotInst, inst) {
		t.Errorf("plugin got instance %+v, want %+v", gotInst, inst)
	}

	req := sdk.WebhookRequest{Method: "POST", Path: "/x", Query: "a=1", Headers: map[string][]string{"X-Sig": {"s"}},
		Body: []byte(`{}`), RemoteAddr: "10.0.0.1:5"}
	res, err := conn.HandleWebhook(ctx, "c1", req)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotReq, req) {
		t.Errorf("plugin got request %+v, want %+v", gotReq, req)
	}
	wantRes := sdk.WebhookResult{
		Response: sdk.HTTPResponse{Status: 202, Headers: map[string][]string{"X-A": {"1", "2"}}, Body: []byte("ok")},
		Messages: []sdk.InboundMessage{msg},
		Receipts: []sdk.Receipt{receipt},
	}
	if !reflect.DeepEqual(res, wantRes) {
		t.Errorf("host got result %+v, want %+v", res, wantRes)
	}

	out := sdk.OutboundMessage{MessageID: "o1", Recipient: msg.Sender, Type: "file", Text: "t", Attachments: msg.Attachments}
	if _, err := conn.Send(ctx, "c1", out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotOut, out) {
		t.Errorf("plugin got outbound %+v, want %+v", gotOut, out)
	}

	in := host.WaitInbound(t, 2, time.Minute)
	if in[0].ChannelID != "c1" || !reflect.DeepEqual(in[0].Message, msg) {
		t.Errorf("delivered %+v, want %+v on c1", in[0], msg)
	}
	if !in[1].Message.SentAt.IsZero() || in[1].Message.Attachments != nil {
		t.Errorf("zero time and no attachments came back as %+v", in[1].Message)
	}
	if rs := host.WaitReceipts(t, 1, time.Minute); !reflect.DeepEqual(rs[0].Receipt, receipt) {
		t.Errorf("receipt %+v, want %+v", rs[0].Receipt, receipt)
	}
}

// TestHostErrorsReachPlugin checks the callback direction keeps error kinds
// too: the host's Retryable refusal travels to the plugin and back.
func TestHostErrorsReachPlugin(t *testing.T) {
	var host sdk.Host
	conn := sdktest.Connect(t, &probe{
		start: func(_ context.Context, _ sdk.Instance, h sdk.Host) error { host = h; return nil },
		send: func(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
			err := host.DeliverInbound(ctx, "c1", []sdk.InboundMessage{{ExternalID: m.MessageID}})
			return sdk.SendResult{}, err
		},
	})
	fake := &sdktest.FakeHost{Err: sdk.Retryable(errors.New("host busy"), 2*time.Second)}
	if err := conn.Start(t.Context(), sdk.Instance{ChannelID: "c1"}, fake); err != nil {
		t.Fatal(err)
	}
	_, err := conn.Send(t.Context(), "c1", sdk.OutboundMessage{MessageID: "1"})
	if after, ok := sdk.RetryAfter(err); !ok || after != 2*time.Second || err.Error() != "host busy" {
		t.Errorf("Send = %v (retry %v, %v), want the host's Retryable after 2s", err, after, ok)
	}
}

func TestNilHost(t *testing.T) {
	var host sdk.Host
	conn := sdktest.Connect(t, &probe{
		start: func(_ context.Context, _ sdk.Instance, h sdk.Host) error { host = h; return nil },
		send: func(ctx context.Context, _ sdk.OutboundMessage) (sdk.SendResult, error) {
			host.Log(ctx, "info", "dropped", nil)
			return sdk.SendResult{}, host.DeliverReceipts(ctx, "c1", nil)
		},
	})
	if err := conn.Start(t.Context(), sdk.Instance{ChannelID: "c1"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Send(t.Context(), "c1", sdk.OutboundMessage{}); err == nil || !strings.Contains(err.Error(), "no Host") {
		t.Errorf("callback with no Host: %v, want an error saying so", err)
	}
}

// A first Start that never reaches the plugin must not leave the host's callback
// server unreachable: go-plugin forgets an announced broker address after 5 s, so
// the test waits past that before starting for real.
func TestStartAfterFailedFirstStart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for go-plugin's 5 s broker timeout")
	}
	var host sdk.Host
	conn := sdktest.Connect(t, &probe{
		start: func(_ context.Context, _ sdk.Instance, h sdk.Host) error { host = h; return nil },
	})
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	fake := &sdktest.FakeHost{}
	if err := conn.Start(cancelled, sdk.Instance{ChannelID: "c1"}, fake); err == nil {
		t.Fatal("Start with a cancelled context succeeded")
	}
	time.Sleep(6 * time.Second)

	if err := conn.Start(t.Context(), sdk.Instance{ChannelID: "c1"}, fake); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := host.DeliverInbound(t.Context(), "c1", []sdk.InboundMessage{{ExternalID: "m1"}}); err != nil {
		t.Fatalf("callback after the retried Start: %v", err)
	}
	if got := fake.Inbound(); len(got) != 1 {
		t.Errorf("host got %d messages, want 1", len(got))
	}
}
