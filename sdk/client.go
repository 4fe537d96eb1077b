package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/kefu-io/kefu/sdk/internal/proto"
	"github.com/kefu-io/kefu/sdk/internal/transport"
)

// connectorClient is the host's view of a plugin: a Connector whose methods are
// RPCs. It adds no timeouts of its own; the caller's context deadline travels
// with each call.
type connectorClient struct {
	rpc    pb.ConnectorClient
	broker *plugin.GRPCBroker

	// host answers the plugin's callbacks; Start replaces it.
	host atomic.Pointer[hostRef]

	// The callback server is started on the first Start and kept: the plugin dials
	// a broker id once and keeps the connection. go-plugin forgets an id's address
	// 5 s after announcing it, so until a Start has reached the plugin (confirmed)
	// a failed Start retires the id and the next one serves a fresh one.
	mu        sync.Mutex
	hostID    uint32
	confirmed bool
}

type hostRef struct{ h Host }

var _ Connector = (*connectorClient)(nil)

func newConnectorClient(rpc pb.ConnectorClient, broker *plugin.GRPCBroker) *connectorClient {
	return &connectorClient{rpc: rpc, broker: broker}
}

// callError wraps a failed RPC so that its gRPC status stays visible to
// status.FromError while errors.Is answers the questions a host asks of it.
func callError(ctx context.Context, method string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w: %w", method, ctxErr, err)
	}
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("%s: %w: %w", method, errors.ErrUnsupported, err)
	}
	return fmt.Errorf("%s: %w", method, err)
}

func (c *connectorClient) Describe(ctx context.Context) (Descriptor, error) {
	resp, err := c.rpc.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return Descriptor{}, callError(ctx, "connector Describe", err)
	}
	if err := errorFromProto(resp.GetError()); err != nil {
		return Descriptor{}, err
	}
	return descriptorFromProto(resp.GetConnectorDescriptor()), nil
}

func (c *connectorClient) ValidateConfig(ctx context.Context, config json.RawMessage) error {
	resp, err := c.rpc.ValidateConfig(ctx, &pb.ValidateConfigRequest{Config: config})
	if err != nil {
		return callError(ctx, "connector ValidateConfig", err)
	}
	return errorFromProto(resp.GetError())
}

func (c *connectorClient) Start(ctx context.Context, inst Instance, host Host) error {
	c.host.Store(&hostRef{h: host})
	id := c.serveHost()
	resp, err := c.rpc.Start(ctx, &pb.StartRequest{Instance: instanceToProto(inst), HostBrokerId: id})
	c.mu.Lock()
	if c.hostID == id && !c.confirmed {
		if err == nil {
			c.confirmed = true
		} else {
			c.hostID = 0
		}
	}
	c.mu.Unlock()
	if err != nil {
		return callError(ctx, "connector Start", err)
	}
	return errorFromProto(resp.GetError())
}

// serveHost returns the broker id of the host callback server, starting one if
// there is none. A retired server keeps running, as the plugin may have dialled
// it after all; that costs one idle listener per failed first Start.
func (c *connectorClient) serveHost() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hostID == 0 {
		c.hostID = c.broker.NextId()
		go c.broker.AcceptAndServe(c.hostID, func(opts []grpc.ServerOption) *grpc.Server {
			s := transport.NewServer(opts)
			pb.RegisterHostServer(s, &hostServer{client: c})
			return s
		})
	}
	return c.hostID
}

func (c *connectorClient) Stop(ctx context.Context, channelID string) error {
	resp, err := c.rpc.Stop(ctx, &pb.StopRequest{ChannelId: channelID})
	if err != nil {
		return callError(ctx, "connector Stop", err)
	}
	return errorFromProto(resp.GetError())
}

func (c *connectorClient) HandleWebhook(ctx context.Context, channelID string, req WebhookRequest) (WebhookResult, error) {
	resp, err := c.rpc.HandleWebhook(ctx, &pb.HandleWebhookRequest{ChannelId: channelID, Request: webhookRequestToProto(req)})
	if err != nil {
		return WebhookResult{}, callError(ctx, "connector HandleWebhook", err)
	}
	if err := errorFromProto(resp.GetError()); err != nil {
		return WebhookResult{}, err
	}
	return webhookResultFromProto(resp.GetResult()), nil
}

func (c *connectorClient) Send(ctx context.Context, channelID string, msg OutboundMessage) (SendResult, error) {
	resp, err := c.rpc.Send(ctx, &pb.SendRequest{ChannelId: channelID, Message: outboundToProto(msg)})
	if err != nil {
		return SendResult{}, callError(ctx, "connector Send", err)
	}
	if err := errorFromProto(resp.GetError()); err != nil {
		return SendResult{}, err
	}
	return SendResult{ExternalID: resp.GetExternalId()}, nil
}

func (c *connectorClient) Health(ctx context.Context) error {
	resp, err := c.rpc.Health(ctx, &pb.HealthRequest{})
	if err != nil {
		return callError(ctx, "connector Health", err)
	}
	return errorFromProto(resp.GetError())
}

// errNoHost answers callbacks when the host passed a nil Host to Start.
var errNoHost = errors.New("sdk: the host passed no Host to Start")

// hostServer runs in the host process and hands the plugin's callbacks to the
// Host given to the latest Start.
type hostServer struct {
	pb.UnimplementedHostServer
	client *connectorClient
}

func (s *hostServer) current() Host {
	if ref := s.client.host.Load(); ref != nil {
		return ref.h
	}
	return nil
}

// recoverTo turns a panic in the host's Host into an error for the plugin: a
// panic on a gRPC server goroutine would otherwise take the whole host down.
func recoverTo(dst **pb.Error, what string) {
	if r := recover(); r != nil {
		hclog.Default().Error("panic recovered", "in", what, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		*dst = &pb.Error{Message: fmt.Sprintf("panic in %s: %v", what, r)}
	}
}

func (s *hostServer) DeliverInbound(ctx context.Context, req *pb.DeliverInboundRequest) (resp *pb.DeliverInboundResponse, _ error) {
	resp = &pb.DeliverInboundResponse{}
	h := s.current()
	if h == nil {
		resp.Error = errorToProto(errNoHost)
		return resp, nil
	}
	defer recoverTo(&resp.Error, "Host.DeliverInbound")
	resp.Error = errorToProto(h.DeliverInbound(ctx, req.GetChannelId(), inboundFromProto(req.GetMessages())))
	return resp, nil
}

func (s *hostServer) DeliverReceipts(ctx context.Context, req *pb.DeliverReceiptsRequest) (resp *pb.DeliverReceiptsResponse, _ error) {
	resp = &pb.DeliverReceiptsResponse{}
	h := s.current()
	if h == nil {
		resp.Error = errorToProto(errNoHost)
		return resp, nil
	}
	defer recoverTo(&resp.Error, "Host.DeliverReceipts")
	resp.Error = errorToProto(h.DeliverReceipts(ctx, req.GetChannelId(), receiptsFromProto(req.GetReceipts())))
	return resp, nil
}

func (s *hostServer) Log(ctx context.Context, req *pb.LogRequest) (*pb.LogResponse, error) {
	if h := s.current(); h != nil {
		// Log has no error to report, so a panic is only kept from spreading.
		var ignored *pb.Error
		defer recoverTo(&ignored, "Host.Log")
		h.Log(ctx, req.GetLevel(), req.GetMessage(), req.GetAttrs())
	}
	return &pb.LogResponse{}, nil
}
