package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/kefu-io/kefu/sdk"
)

// ErrUnknownConnector is returned for a connector no host knows.
var ErrUnknownConnector = errors.New("unknown connector")

// Local runs connectors inside this process. It is the host for connectors linked
// into the binary by tests and embedders; out-of-process plugins (go-plugin) are
// served by the plugin host with the same method set.
type Local struct {
	Logger *slog.Logger
	// Sink receives what connectors deliver on their own (polling channels).
	Sink interface {
		Inbound(ctx context.Context, channelID string, msgs []sdk.InboundMessage) error
		Receipts(ctx context.Context, channelID string, rs []sdk.Receipt) error
	}
	// CallTimeout bounds every call into a connector (default 10 s).
	CallTimeout time.Duration

	mu    sync.RWMutex
	conns map[string]sdk.Connector
	descs map[string]sdk.Descriptor
}

// Add registers a connector under the name it describes itself with.
func (l *Local) Add(ctx context.Context, c sdk.Connector) error {
	d, err := c.Describe(ctx)
	if err != nil {
		return fmt.Errorf("describe connector: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns == nil {
		l.conns, l.descs = map[string]sdk.Connector{}, map[string]sdk.Descriptor{}
	}
	l.conns[d.Name], l.descs[d.Name] = c, d
	return nil
}

func (l *Local) get(name string) (sdk.Connector, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	c, ok := l.conns[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownConnector, name)
	}
	return c, nil
}

func (l *Local) timeout(ctx context.Context) (context.Context, context.CancelFunc) {
	d := l.CallTimeout
	if d <= 0 {
		d = 10 * time.Second
	}
	return context.WithTimeout(ctx, d)
}

// Descriptor returns a connector's description.
func (l *Local) Descriptor(name string) (sdk.Descriptor, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	d, ok := l.descs[name]
	return d, ok
}

// Names lists the registered connectors.
func (l *Local) Names() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]string, 0, len(l.descs))
	for n := range l.descs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (l *Local) ValidateConfig(ctx context.Context, connector string, cfg json.RawMessage) error {
	c, err := l.get(connector)
	if err != nil {
		return err
	}
	ctx, cancel := l.timeout(ctx)
	defer cancel()
	return c.ValidateConfig(ctx, cfg)
}

func (l *Local) StartChannel(ctx context.Context, connector string, inst sdk.Instance) error {
	c, err := l.get(connector)
	if err != nil {
		return err
	}
	ctx, cancel := l.timeout(ctx)
	defer cancel()
	return c.Start(ctx, inst, localHost{l})
}

func (l *Local) StopChannel(ctx context.Context, connector, channelID string) error {
	c, err := l.get(connector)
	if err != nil {
		return err
	}
	ctx, cancel := l.timeout(ctx)
	defer cancel()
	return c.Stop(ctx, channelID)
}

func (l *Local) HandleWebhook(ctx context.Context, connector, channelID string, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
	c, err := l.get(connector)
	if err != nil {
		return sdk.WebhookResult{}, err
	}
	ctx, cancel := l.timeout(ctx)
	defer cancel()
	return c.HandleWebhook(ctx, channelID, req)
}

func (l *Local) Send(ctx context.Context, connector, channelID string, msg sdk.OutboundMessage) (sdk.SendResult, error) {
	c, err := l.get(connector)
	if err != nil {
		return sdk.SendResult{}, err
	}
	ctx, cancel := l.timeout(ctx)
	defer cancel()
	return c.Send(ctx, channelID, msg)
}

// StartAll starts every active channel of every connector (at process start).
func (l *Local) StartAll(ctx context.Context, active func(ctx context.Context, connector string) ([]sdk.Instance, error)) error {
	for _, n := range l.Names() {
		ins, err := active(ctx, n)
		if err != nil {
			return err
		}
		for _, in := range ins {
			if err := l.StartChannel(ctx, n, in); err != nil {
				l.log().Warn("start channel", "connector", n, "channel_id", in.ChannelID, "err", err)
			}
		}
	}
	return nil
}

func (l *Local) log() *slog.Logger {
	if l.Logger == nil {
		return slog.Default()
	}
	return l.Logger
}

type localHost struct{ l *Local }

func (h localHost) DeliverInbound(ctx context.Context, channelID string, msgs []sdk.InboundMessage) error {
	if h.l.Sink == nil {
		return errors.New("no inbound sink")
	}
	return h.l.Sink.Inbound(ctx, channelID, msgs)
}

func (h localHost) DeliverReceipts(ctx context.Context, channelID string, rs []sdk.Receipt) error {
	if h.l.Sink == nil {
		return errors.New("no receipt sink")
	}
	return h.l.Sink.Receipts(ctx, channelID, rs)
}

func (h localHost) Log(ctx context.Context, level, msg string, attrs map[string]string) {
	args := make([]any, 0, 2*len(attrs))
	for k, v := range attrs {
		args = append(args, k, v)
	}
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	h.l.log().Log(ctx, lv, msg, args...)
}
