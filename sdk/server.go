package sdk

import (
	"context"
	"errors"
	"sync"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/kefu-io/kefu/sdk/internal/proto"
)

// connectorServer runs in the plugin process and calls the author's Connector.
// Every method recovers panics: one bad message must not kill a plugin that
// serves every channel of its kind.
type connectorServer struct {
	pb.UnimplementedConnectorServer
	impl   Connector
	broker *plugin.GRPCBroker

	mu    sync.Mutex
	hosts map[uint32]Host // by broker id: go-plugin hands out each id's address once
}

func newConnectorServer(impl Connector, broker *plugin.GRPCBroker) *connectorServer {
	return &connectorServer{impl: impl, broker: broker, hosts: make(map[uint32]Host)}
}

// host returns the callback client for a broker id, dialling it on first use.
func (s *connectorServer) host(id uint32) (Host, error) {
	if id == 0 {
		return noHost{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.hosts[id]; ok {
		return h, nil
	}
	conn, err := s.broker.Dial(id)
	if err != nil {
		return nil, err
	}
	h := hostClient{rpc: pb.NewHostClient(conn)}
	s.hosts[id] = h
	return h, nil
}

func (s *connectorServer) Describe(ctx context.Context, _ *pb.DescribeRequest) (resp *pb.DescribeResponse, _ error) {
	resp = &pb.DescribeResponse{}
	defer recoverTo(&resp.Error, "Connector.Describe")
	d, err := s.impl.Describe(ctx)
	if err != nil {
		resp.Error = errorToProto(err)
		return resp, nil
	}
	resp.ConnectorDescriptor = descriptorToProto(d)
	return resp, nil
}

func (s *connectorServer) ValidateConfig(ctx context.Context, req *pb.ValidateConfigRequest) (resp *pb.ValidateConfigResponse, _ error) {
	resp = &pb.ValidateConfigResponse{}
	defer recoverTo(&resp.Error, "Connector.ValidateConfig")
	resp.Error = errorToProto(s.impl.ValidateConfig(ctx, req.GetConfig()))
	return resp, nil
}

func (s *connectorServer) Start(ctx context.Context, req *pb.StartRequest) (resp *pb.StartResponse, _ error) {
	h, err := s.host(req.GetHostBrokerId())
	if err != nil {
		// Not the connector's refusal: the host must see it as a failed call.
		return nil, status.Errorf(codes.Unavailable, "dial the host's callback server: %v", err)
	}
	resp = &pb.StartResponse{}
	defer recoverTo(&resp.Error, "Connector.Start")
	resp.Error = errorToProto(s.impl.Start(ctx, instanceFromProto(req.GetInstance()), h))
	return resp, nil
}

func (s *connectorServer) Stop(ctx context.Context, req *pb.StopRequest) (resp *pb.StopResponse, _ error) {
	resp = &pb.StopResponse{}
	defer recoverTo(&resp.Error, "Connector.Stop")
	resp.Error = errorToProto(s.impl.Stop(ctx, req.GetChannelId()))
	return resp, nil
}

func (s *connectorServer) HandleWebhook(ctx context.Context, req *pb.HandleWebhookRequest) (resp *pb.HandleWebhookResponse, _ error) {
	resp = &pb.HandleWebhookResponse{}
	defer recoverTo(&resp.Error, "Connector.HandleWebhook")
	res, err := s.impl.HandleWebhook(ctx, req.GetChannelId(), webhookRequestFromProto(req.GetRequest()))
	if err != nil {
		resp.Error = errorToProto(err)
		return resp, nil
	}
	resp.Result = webhookResultToProto(res)
	return resp, nil
}

func (s *connectorServer) Send(ctx context.Context, req *pb.SendRequest) (resp *pb.SendResponse, _ error) {
	resp = &pb.SendResponse{}
	defer recoverTo(&resp.Error, "Connector.Send")
	res, err := s.impl.Send(ctx, req.GetChannelId(), outboundFromProto(req.GetMessage()))
	if err != nil {
		resp.Error = errorToProto(err)
		return resp, nil
	}
	resp.ExternalId = res.ExternalID
	return resp, nil
}

func (s *connectorServer) Health(ctx context.Context, _ *pb.HealthRequest) (resp *pb.HealthResponse, _ error) {
	resp = &pb.HealthResponse{}
	defer recoverTo(&resp.Error, "Connector.Health")
	resp.Error = errorToProto(s.impl.Health(ctx))
	return resp, nil
}

// hostClient is the Host a connector gets in the plugin process. It holds no
// per-call state, so it may be kept and used from any goroutine after Start
// returns, for as long as the plugin runs.
type hostClient struct {
	rpc pb.HostClient
}

func (h hostClient) DeliverInbound(ctx context.Context, channelID string, msgs []InboundMessage) error {
	resp, err := h.rpc.DeliverInbound(ctx, &pb.DeliverInboundRequest{ChannelId: channelID, Messages: inboundToProto(msgs)})
	if err != nil {
		return callError(ctx, "host DeliverInbound", err)
	}
	return errorFromProto(resp.GetError())
}

func (h hostClient) DeliverReceipts(ctx context.Context, channelID string, rs []Receipt) error {
	resp, err := h.rpc.DeliverReceipts(ctx, &pb.DeliverReceiptsRequest{ChannelId: channelID, Receipts: receiptsToProto(rs)})
	if err != nil {
		return callError(ctx, "host DeliverReceipts", err)
	}
	return errorFromProto(resp.GetError())
}

func (h hostClient) Log(ctx context.Context, level string, msg string, attrs map[string]string) {
	// A log line that cannot reach the host is not worth failing the connector's
	// work for, and Host.Log has no error to return.
	_, _ = h.rpc.Log(ctx, &pb.LogRequest{Level: level, Message: msg, Attrs: attrs})
}

// noHost is the Host of a Start from a host that serves no callbacks (broker id
// 0), so a connector never holds a nil Host.
type noHost struct{}

var errHostUnavailable = errors.New("sdk: the host serves no callbacks")

func (noHost) DeliverInbound(context.Context, string, []InboundMessage) error {
	return errHostUnavailable
}

func (noHost) DeliverReceipts(context.Context, string, []Receipt) error { return errHostUnavailable }

func (noHost) Log(context.Context, string, string, map[string]string) {}
