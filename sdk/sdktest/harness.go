package sdktest

import (
	"bytes"
	"context"
	"os/exec"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/sdk/internal/transport"
)

// Connect serves impl in this process the way sdk.Serve would (go-plugin's gRPC
// server, broker and handshake, minus the exec) and returns the host's side of
// it: every call crosses real gRPC, so conversions, error round trips and host
// callbacks are exercised as in production. It stops when the test ends.
func Connect(t testing.TB, impl sdk.Connector) sdk.Connector {
	t.Helper()
	logs := newLogBuffer(t)
	logger := hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Debug})

	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	go plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: sdk.Handshake(),
		Plugins:         sdk.Plugins(impl),
		GRPCServer:      transport.NewServer,
		Logger:          logger.Named("plugin"),
		Test:            &plugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed},
	})
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-closed:
		cancel()
		t.Fatal("sdktest: plugin.Serve stopped before it was ready")
	}

	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake(),
		Plugins:          sdk.Plugins(nil),
		Reattach:         rc,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           logger.Named("host"),
	})
	t.Cleanup(func() {
		client.Kill()
		cancel()
		<-closed
	})
	return dispense(t, client)
}

// ConnectBinary starts the plugin binary cmd as kefu does (gRPC only, AutoMTLS)
// and returns the host's side of it. The plugin is killed when the test ends.
func ConnectBinary(t testing.TB, cmd *exec.Cmd) sdk.Connector {
	t.Helper()
	logs := newLogBuffer(t)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake(),
		Plugins:          sdk.Plugins(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Debug}),
	})
	t.Cleanup(client.Kill)
	return dispense(t, client)
}

func dispense(t testing.TB, client *plugin.Client) sdk.Connector {
	t.Helper()
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("sdktest: connect to plugin: %v", err)
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("sdktest: dispense %q: %v", sdk.PluginName, err)
	}
	conn, ok := raw.(sdk.Connector)
	if !ok {
		t.Fatalf("sdktest: dispensed %T, which is not an sdk.Connector", raw)
	}
	return conn
}

// logBuffer keeps go-plugin's chatter out of passing tests and shows it for
// failing ones. It never writes to t itself, because plugin goroutines may log
// after the test has ended.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newLogBuffer(t testing.TB) *logBuffer {
	b := &logBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("go-plugin log:\n%s", b.String())
		}
	})
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
