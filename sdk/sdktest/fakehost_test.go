package sdktest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kefu-io/kefu/sdk"
)

func TestFakeHostWaitsForConcurrentDeliveries(t *testing.T) {
	var h FakeHost
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			id := strconv.Itoa(i)
			_ = h.DeliverInbound(context.Background(), "c", []sdk.InboundMessage{{ExternalID: id}})
			_ = h.DeliverReceipts(context.Background(), "c", []sdk.Receipt{{MessageExternalID: id}})
			h.Log(context.Background(), "info", id, nil)
		})
	}
	if got := h.WaitInbound(t, 20, time.Minute); len(got) != 20 {
		t.Errorf("WaitInbound returned %d deliveries, want 20", len(got))
	}
	h.WaitReceipts(t, 20, time.Minute)
	wg.Wait()
	if got := len(h.Logs()); got != 20 {
		t.Errorf("%d log lines, want 20", got)
	}
}

func TestFakeHostErr(t *testing.T) {
	h := FakeHost{Err: sdk.Retryable(context.DeadlineExceeded, time.Second)}
	if err := h.DeliverInbound(context.Background(), "c", []sdk.InboundMessage{{}}); err != h.Err {
		t.Errorf("DeliverInbound = %v, want %v", err, h.Err)
	}
	if got := h.Inbound(); len(got) != 0 {
		t.Errorf("refused deliveries were recorded: %v", got)
	}
}
