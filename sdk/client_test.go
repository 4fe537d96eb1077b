package sdk

import (
	"context"
	"errors"
	"testing"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/kefu-io/kefu/sdk/internal/proto"
)

type healthy struct{ Connector }

func (healthy) Health(context.Context) error { return nil }

// An older plugin lacks RPCs added later; the host must be able to tell.
func TestUnimplementedIsUnsupported(t *testing.T) {
	conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) {
		pb.RegisterConnectorServer(s, pb.UnimplementedConnectorServer{})
	})
	t.Cleanup(func() { _ = conn.Close(); server.Stop() })

	err := newConnectorClient(pb.NewConnectorClient(conn), nil).Health(t.Context())
	if !errors.Is(err, errors.ErrUnsupported) || status.Code(err) != codes.Unimplemented {
		t.Errorf("Health = %v, want ErrUnsupported with code Unimplemented", err)
	}
	if IsPermanent(err) {
		t.Error("Unimplemented was marked permanent")
	}
}

// A plugin that went away is a failed call the host can recognise and retry
// elsewhere, never the connector's permanent refusal.
func TestDeadPluginIsTransportError(t *testing.T) {
	client, server := plugin.TestPluginGRPCConn(t, false, Plugins(healthy{}))
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	conn := raw.(Connector)
	if err := conn.Health(t.Context()); err != nil {
		t.Fatalf("Health: %v", err)
	}

	server.Stop()
	err = conn.Health(t.Context())
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.Unavailable {
		t.Errorf("Health after the plugin stopped = %v, want a gRPC Unavailable status", err)
	}
	if IsPermanent(err) {
		t.Error("a dead plugin was marked permanent")
	}
}

func TestPluginsNilCannotServe(t *testing.T) {
	p := Plugins(nil)[PluginName].(plugin.GRPCPlugin)
	if err := p.GRPCServer(nil, grpc.NewServer()); err == nil {
		t.Error("serving Plugins(nil) succeeded")
	}
}

func TestTimeZeroRoundTrip(t *testing.T) {
	if got := timeFromProto(timeToProto(timeFromProto(0))); !got.IsZero() {
		t.Errorf("zero time came back as %v", got)
	}
}
