package sdk

import (
	"context"
	"errors"
	"log"
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/kefu-io/kefu/sdk/internal/proto"
	"github.com/kefu-io/kefu/sdk/internal/transport"
)

// PluginName is the name a connector is served and dispensed under.
const PluginName = "connector"

// LogLevelEnv names the environment variable that sets a plugin's log level
// (trace, debug, info, warn, error; info when unset). go-plugin passes the host's
// environment on to the plugin (unless ClientConfig.SkipHostEnv), so it is set
// where kefu runs.
const LogLevelEnv = "KEFU_PLUGIN_LOG_LEVEL"

// Handshake is the go-plugin handshake both sides must present. A plugin built
// against another ProtocolVersion or cookie is refused before any RPC is made.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}

// Plugins is the plugin set to give go-plugin. A plugin serves impl; a host passes
// nil and, after rpcClient.Dispense(PluginName), gets a value implementing
// Connector that calls the plugin over gRPC:
//
//	client := plugin.NewClient(&plugin.ClientConfig{
//		HandshakeConfig:  sdk.Handshake(),
//		Plugins:          sdk.Plugins(nil),
//		Cmd:              exec.Command(path),
//		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
//		AutoMTLS:         true,
//	})
//	rpc, err := client.Client()
//	raw, err := rpc.Dispense(sdk.PluginName)
//	conn := raw.(sdk.Connector)
//
// Errors returned by the plugin's connector come back as data: Permanent,
// Retryable (with its delay) and ConfigErrors survive the trip, anything else
// becomes an error with the same message. An error that carries a gRPC status
// (status.FromError reports ok) means the call itself failed: the plugin died, the
// context ended (errors.Is context.Canceled / DeadlineExceeded also holds) or the
// plugin is too old for the call (errors.Is errors.ErrUnsupported also holds).
// Such errors are never marked permanent.
//
// Start serves the host's callbacks for this client: every Start on one
// dispensed Connector should pass the same Host, because one callback server is
// shared by all channels of the plugin and the Host of the latest Start answers
// them all (callbacks carry their channel id).
func Plugins(impl Connector) plugin.PluginSet {
	return plugin.PluginSet{PluginName: &connectorPlugin{impl: impl}}
}

// Serve runs a connector plugin; call it from the plugin's main. factory is called
// once: one Connector serves every channel the host starts. It returns only
// when the host ends the plugin, and exits the process with status 1 when run
// by hand, outside a kefu host.
//
// Logs written with hclog.Default(), the standard log package or log/slog's default
// logger go to stderr as hclog JSON, which the host reads into its own log at the
// right level. Stdout is not a log: go-plugin uses it for the handshake.
func Serve(factory func() Connector) {
	level := hclog.LevelFromString(os.Getenv(LogLevelEnv))
	if level == hclog.NoLevel {
		level = hclog.Info
	}
	logger := hclog.New(&hclog.LoggerOptions{
		Output:     os.Stderr,
		JSONFormat: true,
		Level:      level,
	})
	hclog.SetDefault(logger)
	log.SetFlags(0)
	log.SetOutput(logger.StandardWriter(&hclog.StandardLoggerOptions{InferLevels: true}))

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake(),
		Plugins:         Plugins(factory()),
		GRPCServer:      transport.NewServer,
		Logger:          logger,
	})
}

// connectorPlugin is the go-plugin glue: a server around impl in the plugin, a
// client in the host.
type connectorPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	impl Connector
}

func (p *connectorPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	if p.impl == nil {
		return errors.New("sdk: Plugins(nil) is for hosts; a plugin must serve a Connector")
	}
	pb.RegisterConnectorServer(s, newConnectorServer(p.impl, broker))
	return nil
}

func (p *connectorPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return newConnectorClient(pb.NewConnectorClient(conn), broker), nil
}
