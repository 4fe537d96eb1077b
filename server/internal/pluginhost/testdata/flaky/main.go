// Command flaky is a connector plugin for the plugin host's tests: it crashes or
// hangs on request, and otherwise echoes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sync"

	"github.com/kefu-io/kefu/sdk"
)

type flaky struct {
	mu       sync.Mutex
	channels map[string]bool
}

func (f *flaky) Describe(context.Context) (sdk.Descriptor, error) {
	name := os.Getenv("FLAKY_NAME")
	if name == "" {
		name = "flaky"
	}
	return sdk.Descriptor{Name: name, Version: "0.1.0", Kind: "custom", Capabilities: []string{"text"},
		ConfigSchema: json.RawMessage(`{"type":"object"}`)}, nil
}

func (f *flaky) ValidateConfig(context.Context, json.RawMessage) error { return nil }

func (f *flaky) Start(_ context.Context, inst sdk.Instance, _ sdk.Host) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.channels[inst.ChannelID] = true
	return nil
}

func (f *flaky) Stop(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.channels, id)
	return nil
}

func (f *flaky) HandleWebhook(context.Context, string, sdk.WebhookRequest) (sdk.WebhookResult, error) {
	return sdk.WebhookResult{Response: sdk.HTTPResponse{Status: 200}}, nil
}

func (f *flaky) Send(ctx context.Context, id string, m sdk.OutboundMessage) (sdk.SendResult, error) {
	f.mu.Lock()
	started := f.channels[id]
	f.mu.Unlock()
	switch {
	case m.Text == "crash":
		os.Exit(3)
	case m.Text == "hang":
		<-ctx.Done()
		select {} // ignore the deadline, as a wedged plugin would
	case !started:
		return sdk.SendResult{}, sdk.Permanent(errors.New("channel not started"))
	}
	return sdk.SendResult{ExternalID: "flaky-" + m.MessageID}, nil
}

func (f *flaky) Health(context.Context) error { return nil }

func main() {
	sdk.Serve(func() sdk.Connector { return &flaky{channels: map[string]bool{}} })
}
