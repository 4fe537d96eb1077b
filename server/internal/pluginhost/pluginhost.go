// Package pluginhost runs channel connectors and keeps them running. Built-in
// connectors and registered third-party binaries run out of process over go-plugin
// gRPC; tests and embedders may add connectors in process. Every call carries a
// deadline; a crashed or hung plugin is restarted with backoff and its channels are
// started again; a plugin that keeps crashing is disabled and reported, and none of
// this blocks the other connectors.
package pluginhost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/kefu-io/kefu/sdk"
)

// States of a connector.
const (
	Starting   = "starting"
	Running    = "running"
	Restarting = "restarting"
	Disabled   = "disabled"
	Stopped    = "stopped"
)

// ErrUnavailable is returned for calls to a connector that is not running.
var ErrUnavailable = errors.New("connector unavailable")

// ErrUnknown is returned for a connector the host does not know.
var ErrUnknown = errors.New("unknown connector")

// Spec says how to run one connector.
type Spec struct {
	// Name is the connector name; a plugin describing itself otherwise is refused.
	// Third-party binaries may leave it empty: their description names them.
	Name string
	// Command builds the plugin process (out of process). Each call returns a new
	// command: a crashed plugin is started afresh.
	Command func() *exec.Cmd
	// Local is an in-process connector (tests, embedders), used instead of Command.
	Local sdk.Connector
	// Source says where it comes from: "builtin", "local" or the binary's path.
	Source string
}

// Sink receives what plugins deliver on their own (polling channels).
type Sink interface {
	Inbound(ctx context.Context, channelID string, msgs []sdk.InboundMessage) error
	Receipts(ctx context.Context, channelID string, rs []sdk.Receipt) error
}

// Status is a connector as the admin API shows it.
type Status struct {
	Name         string    `json:"name"`
	Version      string    `json:"version"`
	Kind         string    `json:"kind"`
	Source       string    `json:"source"`
	State        string    `json:"state"`
	PID          int       `json:"pid"`
	Restarts     int       `json:"restarts"`
	LastError    string    `json:"last_error"`
	LastHealthAt time.Time `json:"last_health_at"`
}

// Host supervises connectors.
type Host struct {
	Logger *slog.Logger
	Sink   Sink
	// Active lists a connector's enabled channels, started after every (re)start.
	Active func(ctx context.Context, connector string) ([]sdk.Instance, error)
	// Alert is told when a connector is disabled after repeated crashes.
	Alert func(name string, err error)

	CallTimeout  time.Duration // every call into a plugin (default 10 s)
	StartTimeout time.Duration // a plugin's handshake (default 15 s)
	HealthEvery  time.Duration // health pings (default 10 s)
	MaxCrashes   int           // crashes within CrashWindow that disable a plugin (default 3)
	CrashWindow  time.Duration // default 60 min
	BackoffMin   time.Duration // first restart delay (default 500 ms)
	BackoffMax   time.Duration // default 30 s

	mu     sync.RWMutex
	specs  []Spec
	byName map[string]*proc
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (h *Host) log() *slog.Logger {
	if h.Logger == nil {
		return slog.Default()
	}
	return h.Logger
}

// Add registers a connector to run; call before Start.
func (h *Host) Add(s Spec) { h.specs = append(h.specs, s) }

// Start launches every connector. A connector that fails to start is retried in the
// background like a crashed one; Start fails only when the host itself cannot run.
func (h *Host) Start(ctx context.Context) error {
	h.mu.Lock()
	h.ctx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))
	h.byName = map[string]*proc{}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range h.specs {
		p := &proc{h: h, spec: s, state: Starting, kick: make(chan struct{}, 1), name: s.Name}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.launch()
			h.register(p)
			if err != nil {
				p.crashed(err)
				p.check() // retry at once (after the backoff), not at the next health tick
			}
			h.wg.Add(1)
			go func() { defer h.wg.Done(); p.supervise() }()
		}()
	}
	wg.Wait()
	return nil
}

func (h *Host) register(p *proc) {
	name := p.currentName()
	if name == "" {
		name = p.spec.Source
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, dup := h.byName[name]; dup && old != p {
		h.log().Error("two plugins describe themselves with one name: the second is ignored", "connector", name, "source", p.spec.Source)
		p.disable(fmt.Errorf("connector name %q is already taken by %s", name, old.spec.Source))
		return
	}
	h.byName[name] = p
}

// Close stops every plugin.
func (h *Host) Close() {
	h.mu.RLock()
	cancel := h.cancel
	ps := make([]*proc, 0, len(h.byName))
	for _, p := range h.byName {
		ps = append(ps, p)
	}
	h.mu.RUnlock()
	if cancel != nil {
		cancel()
	}
	for _, p := range ps {
		p.stop()
	}
	h.wg.Wait()
}

func (h *Host) get(name string) (*proc, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	p, ok := h.byName[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknown, name)
	}
	return p, nil
}

// Names lists the connectors that described themselves.
func (h *Host) Names() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []string
	for n, p := range h.byName {
		if _, ok := p.descriptor(); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Statuses lists every connector with its state.
func (h *Host) Statuses() []Status {
	h.mu.RLock()
	ps := make([]*proc, 0, len(h.byName))
	for _, p := range h.byName {
		ps = append(ps, p)
	}
	h.mu.RUnlock()
	out := make([]Status, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.status())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// State returns a connector's state ("" when unknown).
func (h *Host) State(name string) string {
	p, err := h.get(name)
	if err != nil {
		return ""
	}
	return p.status().State
}

// Descriptor returns a connector's description.
func (h *Host) Descriptor(name string) (sdk.Descriptor, bool) {
	p, err := h.get(name)
	if err != nil {
		return sdk.Descriptor{}, false
	}
	return p.descriptor()
}

func (h *Host) call(ctx context.Context, name string) (*proc, sdk.Connector, context.Context, context.CancelFunc, error) {
	p, err := h.get(name)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	c, err := p.connector()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, orDefault(h.CallTimeout, 10*time.Second))
	return p, c, cctx, cancel, nil
}

// after inspects a call's error: a transport failure (the plugin died or hung) gets
// the plugin checked at once and is reported as unavailable, which callers retry.
func (p *proc) after(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok || errors.Is(err, context.DeadlineExceeded) {
		if s, _ := status.FromError(err); s.Code() == codes.Unimplemented {
			return err // an older plugin without this RPC: not a crash
		}
		if ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err // the caller gave up
		}
		p.check()
		return sdk.Retryable(fmt.Errorf("%w: %s: %v", ErrUnavailable, p.currentName(), err), time.Second)
	}
	return err
}

func (h *Host) ValidateConfig(ctx context.Context, connector string, cfg json.RawMessage) error {
	p, c, cctx, cancel, err := h.call(ctx, connector)
	if err != nil {
		return err
	}
	defer cancel()
	return p.after(ctx, c.ValidateConfig(cctx, cfg))
}

func (h *Host) StartChannel(ctx context.Context, connector string, inst sdk.Instance) error {
	p, c, cctx, cancel, err := h.call(ctx, connector)
	if err != nil {
		return err
	}
	defer cancel()
	return p.after(ctx, c.Start(cctx, inst, hostCallbacks{h}))
}

func (h *Host) StopChannel(ctx context.Context, connector, channelID string) error {
	p, c, cctx, cancel, err := h.call(ctx, connector)
	if err != nil {
		return err
	}
	defer cancel()
	return p.after(ctx, c.Stop(cctx, channelID))
}

func (h *Host) HandleWebhook(ctx context.Context, connector, channelID string, req sdk.WebhookRequest) (sdk.WebhookResult, error) {
	p, c, cctx, cancel, err := h.call(ctx, connector)
	if err != nil {
		return sdk.WebhookResult{}, err
	}
	defer cancel()
	res, err := c.HandleWebhook(cctx, channelID, req)
	return res, p.after(ctx, err)
}

func (h *Host) Send(ctx context.Context, connector, channelID string, msg sdk.OutboundMessage) (sdk.SendResult, error) {
	p, c, cctx, cancel, err := h.call(ctx, connector)
	if err != nil {
		return sdk.SendResult{}, err
	}
	defer cancel()
	res, err := c.Send(cctx, channelID, msg)
	return res, p.after(ctx, err)
}

// hostCallbacks are what plugins call back.
type hostCallbacks struct{ h *Host }

func (c hostCallbacks) DeliverInbound(ctx context.Context, channelID string, msgs []sdk.InboundMessage) error {
	if c.h.Sink == nil {
		return errors.New("no inbound sink")
	}
	return c.h.Sink.Inbound(ctx, channelID, msgs)
}

func (c hostCallbacks) DeliverReceipts(ctx context.Context, channelID string, rs []sdk.Receipt) error {
	if c.h.Sink == nil {
		return errors.New("no receipt sink")
	}
	return c.h.Sink.Receipts(ctx, channelID, rs)
}

func (c hostCallbacks) Log(ctx context.Context, level, msg string, attrs map[string]string) {
	args := make([]any, 0, 2*len(attrs))
	for k, v := range attrs {
		args = append(args, k, v)
	}
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	c.h.log().Log(ctx, lv, msg, args...)
}

// ---- one supervised connector --------------------------------------------------------

type proc struct {
	h    *Host
	spec Spec
	kick chan struct{}

	mu        sync.RWMutex
	name      string
	client    *plugin.Client
	conn      sdk.Connector
	desc      sdk.Descriptor
	described bool
	state     string
	pid       int
	restarts  int
	lastErr   string
	healthAt  time.Time
	crashes   []time.Time
}

func (p *proc) currentName() string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.name
}

func (p *proc) descriptor() (sdk.Descriptor, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.desc, p.described
}

func (p *proc) connector() (sdk.Connector, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.state != Running || p.conn == nil {
		return nil, sdk.Retryable(fmt.Errorf("%w: %s is %s", ErrUnavailable, p.name, p.state), 2*time.Second)
	}
	return p.conn, nil
}

func (p *proc) status() Status {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return Status{Name: p.name, Version: p.desc.Version, Kind: p.desc.Kind, Source: p.spec.Source, State: p.state, PID: p.pid,
		Restarts: p.restarts, LastError: p.lastErr, LastHealthAt: p.healthAt}
}

// check asks the supervisor to look at the plugin now.
func (p *proc) check() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *proc) logger() *slog.Logger {
	return p.h.log().With("plugin", p.currentName(), "source", p.spec.Source)
}

// launch starts the plugin, describes it and starts its channels.
func (p *proc) launch() error {
	h := p.h
	ctx := h.ctx
	var conn sdk.Connector
	var client *plugin.Client
	pid := 0
	if p.spec.Local != nil {
		conn = p.spec.Local
	} else {
		cmd := p.spec.Command()
		setPdeathsig(cmd)
		client = plugin.NewClient(&plugin.ClientConfig{
			HandshakeConfig:  sdk.Handshake(),
			Plugins:          sdk.Plugins(nil),
			Cmd:              cmd,
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
			AutoMTLS:         true,
			StartTimeout:     orDefault(h.StartTimeout, 15*time.Second),
			Logger:           newPluginLogger(h.log(), p.spec),
		})
		rpc, err := client.Client()
		if err != nil {
			client.Kill()
			return fmt.Errorf("start plugin %s: %w", p.spec.Source, err)
		}
		raw, err := rpc.Dispense(sdk.PluginName)
		if err != nil {
			client.Kill()
			return fmt.Errorf("dispense plugin %s: %w", p.spec.Source, err)
		}
		c, ok := raw.(sdk.Connector)
		if !ok {
			client.Kill()
			return fmt.Errorf("plugin %s: not a connector", p.spec.Source)
		}
		conn = c
		if rc := client.ReattachConfig(); rc != nil {
			pid = rc.Pid
		}
	}
	dctx, cancel := context.WithTimeout(ctx, orDefault(h.CallTimeout, 10*time.Second))
	desc, err := conn.Describe(dctx)
	cancel()
	if err == nil && p.spec.Name != "" && desc.Name != p.spec.Name {
		err = fmt.Errorf("plugin %s describes itself as %q, want %q", p.spec.Source, desc.Name, p.spec.Name)
	}
	if err != nil {
		if client != nil {
			client.Kill()
		}
		return fmt.Errorf("describe plugin %s: %w", p.spec.Source, err)
	}
	p.mu.Lock()
	p.client, p.conn, p.desc, p.described, p.name, p.pid = client, conn, desc, true, desc.Name, pid
	p.mu.Unlock()
	// Channels first, calls after: a send routed to a new process before its channels
	// are started is refused ("channel not started"), and a connector may well call
	// that permanent, failing a message only because it raced a restart.
	p.startChannels()
	p.mu.Lock()
	if p.conn != conn || p.state == Stopped || p.state == Disabled {
		p.mu.Unlock()
		return nil // closed meanwhile
	}
	p.state, p.healthAt = Running, time.Now()
	p.mu.Unlock()
	p.logger().Info("connector running", "version", desc.Version, "pid", pid)
	return nil
}

// startChannels (re)starts the connector's enabled channels: Start is idempotent,
// and a restarted plugin has forgotten them.
func (p *proc) startChannels() {
	h := p.h
	if h.Active == nil {
		return
	}
	ins, err := h.Active(h.ctx, p.currentName())
	if err != nil {
		p.logger().Warn("list channels to start", "err", err)
		return
	}
	p.mu.RLock()
	conn := p.conn
	p.mu.RUnlock()
	if conn == nil {
		return
	}
	for _, in := range ins {
		ctx, cancel := context.WithTimeout(h.ctx, orDefault(h.CallTimeout, 10*time.Second))
		err := conn.Start(ctx, in, hostCallbacks{h})
		cancel()
		if err != nil {
			p.logger().Warn("start channel", "channel_id", in.ChannelID, "err", err)
		}
	}
}

// supervise pings the plugin and restarts it when it dies or stops answering.
func (p *proc) supervise() {
	h := p.h
	t := time.NewTicker(orDefault(h.HealthEvery, 10*time.Second))
	defer t.Stop()
	fails := 0
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
		case <-p.kick:
		}
		p.mu.RLock()
		state, client, conn := p.state, p.client, p.conn
		p.mu.RUnlock()
		switch state {
		case Disabled, Stopped:
			return
		case Restarting, Starting:
			if !p.restart() {
				return
			}
			fails = 0
			continue
		}
		if client != nil && client.Exited() {
			p.crashed(errors.New("the plugin process exited"))
		} else {
			ctx, cancel := context.WithTimeout(h.ctx, orDefault(h.CallTimeout, 10*time.Second))
			err := conn.Health(ctx)
			cancel()
			if err == nil {
				fails = 0
				p.mu.Lock()
				p.healthAt = time.Now()
				p.mu.Unlock()
				continue
			}
			fails++
			p.logger().Warn("plugin health check failed", "err", err, "consecutive", fails)
			if fails < 2 && (client == nil || !client.Exited()) {
				continue
			}
			p.crashed(fmt.Errorf("health: %w", err))
		}
		fails = 0
		if !p.restart() {
			return
		}
	}
}

// crashed records a crash; after too many it disables the plugin.
func (p *proc) crashed(err error) {
	h := p.h
	now := time.Now()
	p.mu.Lock()
	client := p.client
	p.conn, p.client, p.pid = nil, nil, 0
	p.lastErr = err.Error()
	keep := p.crashes[:0]
	for _, c := range p.crashes {
		if now.Sub(c) < orDefault(h.CrashWindow, time.Hour) {
			keep = append(keep, c)
		}
	}
	p.crashes = append(keep, now)
	n := len(p.crashes)
	max := h.MaxCrashes
	if max <= 0 {
		max = 3
	}
	p.state = Restarting
	p.mu.Unlock()
	if client != nil {
		client.Kill() // outside the lock: a graceful stop may take a while
	}
	if n >= max {
		p.disable(fmt.Errorf("%d crashes within %s, last: %w", n, orDefault(h.CrashWindow, time.Hour), err))
		return
	}
	p.logger().Error("plugin crashed; restarting", "err", err, "crashes", n)
}

func (p *proc) disable(err error) {
	p.mu.Lock()
	client := p.client
	p.conn, p.client, p.pid = nil, nil, 0
	p.state, p.lastErr = Disabled, err.Error()
	p.mu.Unlock()
	if client != nil {
		client.Kill()
	}
	p.logger().Error("plugin disabled", "err", err)
	if p.h.Alert != nil {
		p.h.Alert(p.currentName(), err)
	}
}

// restart relaunches after a backoff; false when the host is closing or the plugin
// was disabled.
func (p *proc) restart() bool {
	h := p.h
	for {
		p.mu.RLock()
		n, state := len(p.crashes), p.state
		p.mu.RUnlock()
		if state == Disabled || state == Stopped {
			return false
		}
		d := orDefault(h.BackoffMin, 500*time.Millisecond) << min(max(n-1, 0), 10)
		if m := orDefault(h.BackoffMax, 30*time.Second); d > m {
			d = m
		}
		select {
		case <-h.ctx.Done():
			return false
		case <-time.After(d):
		}
		p.mu.Lock()
		p.restarts++
		p.mu.Unlock()
		err := p.launch()
		if err == nil {
			return true
		}
		p.crashed(err)
	}
}

func (p *proc) stop() {
	p.mu.Lock()
	client := p.client
	p.conn, p.client, p.state = nil, nil, Stopped
	p.mu.Unlock()
	if client != nil {
		client.Kill()
	}
}

// Probe starts a plugin binary once, asks it to describe itself and stops it: what
// `kefu plugin register` checks before allowing a binary.
func Probe(ctx context.Context, cmd *exec.Cmd, logger *slog.Logger) (sdk.Descriptor, error) {
	setPdeathsig(cmd)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake(),
		Plugins:          sdk.Plugins(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		StartTimeout:     15 * time.Second,
		Logger:           newPluginLogger(logger, Spec{Source: cmd.Path}),
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		return sdk.Descriptor{}, fmt.Errorf("start plugin: %w", err)
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		return sdk.Descriptor{}, fmt.Errorf("dispense plugin: %w", err)
	}
	c, ok := raw.(sdk.Connector)
	if !ok {
		return sdk.Descriptor{}, errors.New("not a connector")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := c.Describe(ctx)
	if err != nil {
		return sdk.Descriptor{}, fmt.Errorf("describe: %w", err)
	}
	return d, nil
}
