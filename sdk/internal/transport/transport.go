// Package transport holds the gRPC settings both ends of the connector protocol
// must agree on, so the plugin's server, the host's callback server and the test
// harness cannot drift apart.
package transport

import (
	"slices"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// MaxMessageSize bounds one gRPC message. gRPC's 4 MiB default is smaller than an
// inline attachment may be (providers accept files of 20–25 MB, WebhookRequest
// bodies carry them too), while a bound still stops a buggy peer from making the
// other side allocate without limit. go-plugin's clients already send and receive
// up to 2 GiB, so only servers need raising.
const MaxMessageSize = 64 << 20

// NewServer is plugin.DefaultGRPCServer with the message size raised; it has the
// signature plugin.ServeConfig.GRPCServer and GRPCBroker.AcceptAndServe expect.
func NewServer(opts []grpc.ServerOption) *grpc.Server {
	return plugin.DefaultGRPCServer(slices.Concat(opts, []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageSize),
		grpc.MaxSendMsgSize(MaxMessageSize),
	}))
}
