package main

import (
	"context"
	"os/exec"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/sdk/sdktest"
)

// countingHost keeps nothing, so a long benchmark does not grow memory.
type countingHost struct{ logs, receipts atomic.Int64 }

func (h *countingHost) DeliverInbound(context.Context, string, []sdk.InboundMessage) error {
	return nil
}

func (h *countingHost) DeliverReceipts(context.Context, string, []sdk.Receipt) error {
	h.receipts.Add(1)
	return nil
}

func (h *countingHost) Log(context.Context, string, string, map[string]string) { h.logs.Add(1) }

// BenchmarkRoundTrip measures calls into a real echo plugin process (AutoMTLS,
// as kefu runs third-party plugins):
//
//   - Send: host → plugin → host (a synchronous Host.Log callback) → plugin → host,
//     plus the asynchronous receipt callback competing for the same two cores;
//   - Health: host → plugin → host doing nothing, the floor of any call;
//   - HandleWebhook: host → plugin → host, no callback.
//
// It reports p50/p99 latency per call. Run with
//
//	go test -run '^$' -bench RoundTrip -benchtime 20000x ./examples/echo
func BenchmarkRoundTrip(b *testing.B) {
	bin := buildEcho(b)
	conn := sdktest.ConnectBinary(b, exec.Command(bin))
	ctx := context.Background()
	host := &countingHost{}
	if err := conn.Start(ctx, sdk.Instance{ChannelID: "bench", Config: suite.ValidConfig}, host); err != nil {
		b.Fatal(err)
	}

	b.Run("Send", func(b *testing.B) {
		measure(b, func(i int) error {
			msg := *suite.Outbound
			msg.MessageID = strconv.Itoa(i)
			_, err := conn.Send(ctx, "bench", msg)
			return err
		})
	})
	b.Run("Health", func(b *testing.B) {
		measure(b, func(int) error { return conn.Health(ctx) })
	})
	b.Run("HandleWebhook", func(b *testing.B) {
		measure(b, func(int) error {
			_, err := conn.HandleWebhook(ctx, "bench", *suite.Webhook)
			return err
		})
	})
	if host.logs.Load() == 0 {
		b.Error("the synchronous Log callback never reached the host")
	}
}

func measure(b *testing.B, call func(i int) error) {
	// The first callback pays for dialling the broker and the TLS handshake;
	// that is start-up cost, not round trip.
	if err := call(-1); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := call(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)*50/100], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50.Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(p99.Nanoseconds())/1e3, "p99-µs")
	b.Logf("%s: n=%d p50=%v p99=%v", b.Name(), len(lat), p50, p99)
}
