// Package sdktest helps connector authors test against the kefu contract: a
// recording Host, harnesses that put a connector behind real go-plugin gRPC, and
// the conformance suite kefu expects every connector to pass.
package sdktest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kefu-io/kefu/sdk"
)

// Delivery is one message a connector delivered through Host.DeliverInbound.
type Delivery struct {
	ChannelID string
	Message   sdk.InboundMessage
}

// ReceiptDelivery is one receipt delivered through Host.DeliverReceipts.
type ReceiptDelivery struct {
	ChannelID string
	Receipt   sdk.Receipt
}

// LogEntry is one Host.Log call.
type LogEntry struct {
	Level   string
	Message string
	Attrs   map[string]string
}

// FakeHost is an sdk.Host that records what a connector delivers. Its zero value
// is ready to use, and it is safe for concurrent use: connectors that poll
// deliver from their own goroutines.
type FakeHost struct {
	// Err, when set before the connector starts, is what DeliverInbound and
	// DeliverReceipts return instead of recording, to test how a connector
	// handles a host that refuses (sdk.Retryable makes it a transient refusal).
	Err error

	mu       sync.Mutex
	inbound  []Delivery
	receipts []ReceiptDelivery
	logs     []LogEntry
	changed  chan struct{} // closed on every record to wake waiters, then replaced
}

var _ sdk.Host = (*FakeHost)(nil)

// DeliverInbound records msgs.
func (h *FakeHost) DeliverInbound(_ context.Context, channelID string, msgs []sdk.InboundMessage) error {
	if h.Err != nil {
		return h.Err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range msgs {
		h.inbound = append(h.inbound, Delivery{ChannelID: channelID, Message: m})
	}
	h.notifyLocked()
	return nil
}

// DeliverReceipts records rs.
func (h *FakeHost) DeliverReceipts(_ context.Context, channelID string, rs []sdk.Receipt) error {
	if h.Err != nil {
		return h.Err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range rs {
		h.receipts = append(h.receipts, ReceiptDelivery{ChannelID: channelID, Receipt: r})
	}
	h.notifyLocked()
	return nil
}

// Log records a log line.
func (h *FakeHost) Log(_ context.Context, level string, msg string, attrs map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, LogEntry{Level: level, Message: msg, Attrs: maps.Clone(attrs)})
	h.notifyLocked()
}

// Inbound returns the messages delivered so far, oldest first.
func (h *FakeHost) Inbound() []Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.inbound)
}

// Receipts returns the receipts delivered so far, oldest first.
func (h *FakeHost) Receipts() []ReceiptDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.receipts)
}

// Logs returns the log lines so far, oldest first.
func (h *FakeHost) Logs() []LogEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.logs)
}

// WaitInbound waits until at least n messages have been delivered and returns
// them all. It fails the test if they have not arrived within timeout, which is
// a bound on a hang, not a performance check: make it generous. Call it from the
// test's goroutine.
func (h *FakeHost) WaitInbound(t testing.TB, n int, timeout time.Duration) []Delivery {
	t.Helper()
	var got []Delivery
	if !h.wait(timeout, func() bool { got = slices.Clone(h.inbound); return len(got) >= n }) {
		t.Fatalf("sdktest: %d inbound messages delivered within %v, want %d", len(got), timeout, n)
	}
	return got
}

// WaitReceipts is WaitInbound for receipts.
func (h *FakeHost) WaitReceipts(t testing.TB, n int, timeout time.Duration) []ReceiptDelivery {
	t.Helper()
	var got []ReceiptDelivery
	if !h.wait(timeout, func() bool { got = slices.Clone(h.receipts); return len(got) >= n }) {
		t.Fatalf("sdktest: %d receipts delivered within %v, want %d", len(got), timeout, n)
	}
	return got
}

// wait runs done under the lock each time something is recorded, until it
// reports true or timeout passes.
func (h *FakeHost) wait(timeout time.Duration, done func() bool) bool {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		h.mu.Lock()
		if done() {
			h.mu.Unlock()
			return true
		}
		ch := h.changedLocked()
		h.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			h.mu.Lock()
			ok := done()
			h.mu.Unlock()
			return ok
		}
	}
}

func (h *FakeHost) changedLocked() chan struct{} {
	if h.changed == nil {
		h.changed = make(chan struct{})
	}
	return h.changed
}

func (h *FakeHost) notifyLocked() {
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
}
