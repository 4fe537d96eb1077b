package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/sdk/sdktest"
)

const token = "s3cret-token"

func webhook(tok, body string) *sdk.WebhookRequest {
	return &sdk.WebhookRequest{
		Method:  http.MethodPost,
		Headers: map[string][]string{"X-Echo-Token": {tok}, "Content-Type": {"application/json"}},
		Body:    []byte(body),
	}
}

var suite = sdktest.Suite{
	ValidConfig:   json.RawMessage(`{"token":"` + token + `","greeting":"Hi!"}`),
	InvalidConfig: json.RawMessage(`{"token":"short"}`),
	Webhook:       webhook(token, `{"id":"m-1","from":"u-1","name":"Ann","text":"hello"}`),
	BadWebhook:    webhook("wrong-token", `{"id":"m-1","from":"u-1","text":"hello"}`),
	Outbound:      &sdk.OutboundMessage{MessageID: "out-1", Recipient: sdk.Contact{ExternalID: "u-1"}, Type: "text", Text: "hi"},
}

func TestConformance(t *testing.T) {
	sdktest.Run(t, New, suite)
}

// buildEcho compiles this package into a temporary directory: the binary test
// runs the plugin exactly as kefu would.
func buildEcho(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "echo")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestConformanceBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the plugin binary")
	}
	bin := buildEcho(t)
	sdktest.RunBinary(t, func() *exec.Cmd { return exec.Command(bin) }, suite)
}

func TestWebhookRefusals(t *testing.T) {
	conn := sdktest.Connect(t, New())
	ctx := t.Context()
	if err := conn.Start(ctx, sdk.Instance{ChannelID: "c1", Config: suite.ValidConfig}, &sdktest.FakeHost{}); err != nil {
		t.Fatal(err)
	}
	big := `{"id":"m","from":"u","text":"` + strings.Repeat("x", maxBody) + `"}`
	tests := []struct {
		name string
		req  *sdk.WebhookRequest
		want int
	}{
		{"ok", webhook(token, `{"id":"m","from":"u","text":"hi"}`), http.StatusOK},
		{"no token", webhook("", `{"id":"m","from":"u","text":"hi"}`), http.StatusUnauthorized},
		{"wrong token", webhook(token+"x", `{"id":"m","from":"u","text":"hi"}`), http.StatusUnauthorized},
		{"malformed JSON", webhook(token, `{"id":`), http.StatusBadRequest},
		{"no sender", webhook(token, `{"id":"m","text":"hi"}`), http.StatusBadRequest},
		{"too large", webhook(token, big), http.StatusRequestEntityTooLarge},
		{"GET", &sdk.WebhookRequest{Method: http.MethodGet, Headers: map[string][]string{"X-Echo-Token": {token}}}, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := conn.HandleWebhook(ctx, "c1", *tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Response.Status; got != tt.want {
				t.Errorf("status = %d, want %d (%s)", got, tt.want, res.Response.Body)
			}
			if tt.want != http.StatusOK && len(res.Messages) != 0 {
				t.Errorf("%d messages from a refused request", len(res.Messages))
			}
		})
	}
}

func TestSendDeliversReceiptAndLogs(t *testing.T) {
	conn := sdktest.Connect(t, New())
	ctx := t.Context()
	host := &sdktest.FakeHost{}
	if err := conn.Start(ctx, sdk.Instance{ChannelID: "c1", Config: suite.ValidConfig}, host); err != nil {
		t.Fatal(err)
	}
	res, err := conn.Send(ctx, "c1", *suite.Outbound)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.ExternalID, "echo-out-1"; got != want {
		t.Errorf("ExternalID = %q, want %q", got, want)
	}

	// The log callback is synchronous, so it is there as soon as Send returns.
	logs := host.Logs()
	if len(logs) != 1 || logs[0].Attrs["text"] != "Hi! hi" || logs[0].Attrs["external_id"] != "echo-out-1" {
		t.Errorf("logs = %+v, want one line for echo-out-1 with the greeting", logs)
	}

	rs := host.WaitReceipts(t, 1, 30*time.Second)
	if r := rs[0]; r.ChannelID != "c1" || r.Receipt.MessageExternalID != "echo-out-1" || r.Receipt.Status != "delivered" || r.Receipt.At.IsZero() {
		t.Errorf("receipt = %+v, want c1 delivered for echo-out-1 with a time", r)
	}
}

func TestSendErrorsArePermanent(t *testing.T) {
	conn := sdktest.Connect(t, New())
	_, err := conn.Send(t.Context(), "never-started", *suite.Outbound)
	if err == nil || !sdk.IsPermanent(err) {
		t.Errorf("Send to a channel never started: %v, want a permanent error", err)
	}
}

func TestStartRejectsBadConfig(t *testing.T) {
	conn := sdktest.Connect(t, New())
	err := conn.Start(t.Context(), sdk.Instance{ChannelID: "c1", Config: json.RawMessage(`{"greeting":3}`)}, &sdktest.FakeHost{})
	var ce sdk.ConfigErrors
	if !errors.As(err, &ce) || len(ce) != 2 {
		t.Fatalf("Start: %v, want ConfigErrors for token and greeting", err)
	}
	if !sdk.IsPermanent(err) {
		t.Errorf("Start: %v, want permanent", err)
	}
}
