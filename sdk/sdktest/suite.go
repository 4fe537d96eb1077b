package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kefu-io/kefu/sdk"
)

// Suite describes the inputs the conformance suite needs from a connector.
type Suite struct {
	// ValidConfig is a channel configuration the connector accepts. Required.
	ValidConfig json.RawMessage
	// InvalidConfig, if set, must be rejected with sdk.ConfigErrors.
	InvalidConfig json.RawMessage
	// Webhook is a request for a channel started with ValidConfig that must yield
	// at least one message and a 2xx response. Required.
	Webhook *sdk.WebhookRequest
	// BadWebhook, if set, is a request that must yield a 4xx response and no
	// message (a wrong signature, malformed body).
	BadWebhook *sdk.WebhookRequest
	// Outbound, if set, is a message Send must deliver, returning a non-empty
	// ExternalID. Suites for connectors that talk to a real provider usually
	// point the connector at a local fake of it through ValidConfig.
	Outbound *sdk.OutboundMessage
}

// hangLimit only catches a call that never returns; it does not measure speed.
const hangLimit = 30 * time.Second

// Channel ids the suite uses. unknownChannel is never started.
const (
	suiteChannel   = "sdktest-channel"
	unknownChannel = "sdktest-never-started"
)

// Run checks a connector against the contract kefu relies on. The connector from
// factory is served over real go-plugin gRPC in this process (see Connect), so
// what passes here behaves the same out of process. A connector package's test
// needs one line:
//
//	func TestConformance(t *testing.T) { sdktest.Run(t, New, suite) }
func Run(t *testing.T, factory func() sdk.Connector, s Suite) {
	t.Helper()
	checkSuite(t, s)
	runSuite(t, Connect(t, factory()), s)
}

// RunBinary runs the same checks against a plugin binary started from cmd, as
// kefu starts third-party connectors.
func RunBinary(t *testing.T, cmd func() *exec.Cmd, s Suite) {
	t.Helper()
	checkSuite(t, s)
	runSuite(t, ConnectBinary(t, cmd()), s)
}

func checkSuite(t *testing.T, s Suite) {
	t.Helper()
	if len(s.ValidConfig) == 0 {
		t.Fatal("sdktest: Suite.ValidConfig is required")
	}
	if s.Webhook == nil {
		t.Fatal("sdktest: Suite.Webhook is required")
	}
}

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
	versionRE = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)([-+][0-9A-Za-z.+-]+)?$`)
	kinds     = []string{"web", "wechat", "email", "sms", "custom"}
	caps      = []string{"text", "image", "file", "typing", "read_receipts", "delivery_receipts", "polling"}
	msgTypes  = []string{"text", "image", "file"}
)

func runSuite(t *testing.T, conn sdk.Connector, s Suite) {
	ctx := t.Context()
	host := &FakeHost{}
	inst := sdk.Instance{ChannelID: suiteChannel, Config: s.ValidConfig}

	t.Run("Describe", func(t *testing.T) {
		d, err := conn.Describe(ctx)
		if err != nil {
			t.Fatalf("Describe: %v", err)
		}
		if !nameRE.MatchString(d.Name) {
			t.Errorf("Name = %q, want ^[a-z0-9-]{1,32}$", d.Name)
		}
		if !versionRE.MatchString(d.Version) {
			t.Errorf("Version = %q, want a semantic version such as 1.2.3", d.Version)
		}
		if !slices.Contains(kinds, d.Kind) {
			t.Errorf("Kind = %q, want one of %v", d.Kind, kinds)
		}
		seen := map[string]bool{}
		for _, c := range d.Capabilities {
			if !slices.Contains(caps, c) {
				t.Errorf("unknown capability %q, want one of %v", c, caps)
			}
			if seen[c] {
				t.Errorf("capability %q listed twice", c)
			}
			seen[c] = true
		}
		var schema map[string]any
		if err := json.Unmarshal(d.ConfigSchema, &schema); err != nil {
			t.Fatalf("ConfigSchema is not a JSON object: %v", err)
		}
		if schema["type"] != "object" {
			t.Errorf(`ConfigSchema "type" = %v, want "object"`, schema["type"])
		}
	})

	t.Run("ValidateConfig", func(t *testing.T) {
		if err := conn.ValidateConfig(ctx, s.ValidConfig); err != nil {
			t.Errorf("ValidateConfig(ValidConfig): %v", err)
		}
		if len(s.InvalidConfig) == 0 {
			return
		}
		err := conn.ValidateConfig(ctx, s.InvalidConfig)
		var ce sdk.ConfigErrors
		switch {
		case err == nil:
			t.Error("ValidateConfig(InvalidConfig) accepted it")
		case !errors.As(err, &ce) || len(ce) == 0:
			t.Errorf("ValidateConfig(InvalidConfig) = %v (%T), want sdk.ConfigErrors naming the fields", err, err)
		}
	})

	// Later checks need a started channel, so a failure here ends the suite.
	if !t.Run("Start", func(t *testing.T) {
		if err := conn.Start(ctx, inst, host); err != nil {
			t.Fatalf("Start: %v", err)
		}
		if err := conn.Start(ctx, inst, host); err != nil {
			t.Fatalf("Start again (it must be idempotent: the host repeats it after restarts): %v", err)
		}
		if err := conn.Stop(ctx, inst.ChannelID); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if err := conn.Start(ctx, inst, host); err != nil {
			t.Fatalf("Start after Stop: %v", err)
		}
	}) {
		t.Fatal("sdktest: the channel could not be started; skipping the checks that need it")
	}

	t.Run("HandleWebhook", func(t *testing.T) {
		res, err := conn.HandleWebhook(ctx, suiteChannel, *s.Webhook)
		if err != nil {
			t.Fatalf("HandleWebhook: %v", err)
		}
		if res.Response.Status < 200 || res.Response.Status > 299 {
			t.Errorf("response status = %d, want 2xx", res.Response.Status)
		}
		if len(res.Messages) == 0 {
			t.Fatal("no messages, want at least one")
		}
		for i, m := range res.Messages {
			if m.ExternalID == "" {
				t.Errorf("message %d: empty ExternalID (the host de-duplicates on it)", i)
			}
			if m.Sender.ExternalID == "" {
				t.Errorf("message %d: empty Sender.ExternalID", i)
			}
			if !slices.Contains(msgTypes, m.Type) {
				t.Errorf("message %d: Type = %q, want one of %v", i, m.Type, msgTypes)
			}
		}

		// Providers redeliver webhooks; the host drops repeats by ExternalID, so
		// the same request must map to the same ids.
		again, err := conn.HandleWebhook(ctx, suiteChannel, *s.Webhook)
		if err != nil {
			t.Fatalf("HandleWebhook, same request again: %v", err)
		}
		if got, want := externalIDs(again.Messages), externalIDs(res.Messages); !slices.Equal(got, want) {
			t.Errorf("same request again: ExternalIDs %v, want %v", got, want)
		}
	})

	t.Run("BadWebhook", func(t *testing.T) {
		if s.BadWebhook == nil {
			t.Skip("Suite.BadWebhook not set")
		}
		res, err := conn.HandleWebhook(ctx, suiteChannel, *s.BadWebhook)
		if err != nil {
			// An error makes the host answer 5xx and the provider retry a request
			// that can never succeed.
			t.Fatalf("HandleWebhook(BadWebhook): %v, want a 4xx response", err)
		}
		if res.Response.Status < 400 || res.Response.Status > 499 {
			t.Errorf("response status = %d, want 4xx", res.Response.Status)
		}
		if len(res.Messages) != 0 {
			t.Errorf("%d messages, want none", len(res.Messages))
		}
	})

	t.Run("UnknownChannel", func(t *testing.T) {
		res, err := conn.HandleWebhook(ctx, unknownChannel, *s.Webhook)
		if err != nil {
			failOnPanic(t, err)
			return
		}
		if res.Response.Status < 400 || res.Response.Status > 499 {
			t.Errorf("webhook for a channel never started: status %d with no error, want an error or a 4xx", res.Response.Status)
		}
		if len(res.Messages) != 0 {
			t.Errorf("webhook for a channel never started yielded %d messages", len(res.Messages))
		}
	})

	t.Run("Send", func(t *testing.T) {
		if s.Outbound == nil {
			t.Skip("Suite.Outbound not set")
		}
		res, err := conn.Send(ctx, suiteChannel, *s.Outbound)
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if res.ExternalID == "" {
			t.Error("Send returned an empty ExternalID")
		}
		// The host retries a send whose answer it lost, with the same MessageID.
		again, err := conn.Send(ctx, suiteChannel, *s.Outbound)
		if err != nil {
			t.Fatalf("Send with the same MessageID again: %v", err)
		}
		if again.ExternalID != res.ExternalID {
			t.Logf("note: resending MessageID %q gave ExternalID %q, then %q; the provider may show the message twice",
				s.Outbound.MessageID, res.ExternalID, again.ExternalID)
		}
	})

	t.Run("Health", func(t *testing.T) {
		if err := conn.Health(ctx); err != nil {
			t.Errorf("Health: %v", err)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		cctx, cancel := context.WithCancel(context.Background())
		cancel()
		calls := map[string]func() error{
			"Describe": func() error { _, err := conn.Describe(cctx); return err },
			"Health":   func() error { return conn.Health(cctx) },
			"HandleWebhook": func() error {
				_, err := conn.HandleWebhook(cctx, suiteChannel, *s.Webhook)
				return err
			},
		}
		if s.Outbound != nil {
			calls["Send"] = func() error { _, err := conn.Send(cctx, suiteChannel, *s.Outbound); return err }
		}
		for name, call := range calls {
			err := withinHangLimit(call)
			switch {
			case errors.Is(err, errHung):
				t.Errorf("%s with a cancelled context did not return within %v", name, hangLimit)
			case err == nil:
				t.Errorf("%s with a cancelled context succeeded, want an error", name)
			case !errors.Is(err, context.Canceled):
				t.Errorf("%s with a cancelled context: %v, want context.Canceled", name, err)
			}
		}
	})

	t.Run("Stop", func(t *testing.T) {
		if err := conn.Stop(ctx, suiteChannel); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

func externalIDs(ms []sdk.InboundMessage) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ExternalID
	}
	return ids
}

// failOnPanic reports an error the SDK made from a recovered connector panic:
// the plugin survives it, but it is still a connector bug.
func failOnPanic(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(err.Error(), "panic in Connector.") {
		t.Errorf("the connector panicked: %v", err)
	}
}

var errHung = errors.New("sdktest: the call did not return")

// withinHangLimit returns call's error, or errHung if it is still running after
// hangLimit (its goroutine is then left behind).
func withinHangLimit(call func() error) error {
	done := make(chan error, 1)
	go func() { done <- call() }()
	timer := time.NewTimer(hangLimit)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return errHung
	}
}
