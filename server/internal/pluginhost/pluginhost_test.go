package pluginhost_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/server/internal/pluginhost"
)

var (
	buildOnce sync.Once
	flakyBin  string
	buildErr  error
)

// flaky builds the test plugin once per test binary.
func flaky(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kefu-flaky")
		if err != nil {
			buildErr = err
			return
		}
		flakyBin = filepath.Join(dir, "flaky")
		out, err := exec.Command("go", "build", "-o", flakyBin, "./testdata/flaky").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build flaky plugin: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return flakyBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if flakyBin != "" {
		_ = os.RemoveAll(filepath.Dir(flakyBin))
	}
	os.Exit(code)
}

type alerts struct {
	mu    sync.Mutex
	names []string
}

func (a *alerts) add(name string, _ error) {
	a.mu.Lock()
	a.names = append(a.names, name)
	a.mu.Unlock()
}

func (a *alerts) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.names)
}

func newHost(t *testing.T, specs ...pluginhost.Spec) (*pluginhost.Host, *alerts) {
	t.Helper()
	al := &alerts{}
	h := &pluginhost.Host{
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Active: func(context.Context, string) ([]sdk.Instance, error) {
			return []sdk.Instance{{ChannelID: "ch-1", Config: json.RawMessage(`{}`)}}, nil
		},
		Alert:       al.add,
		CallTimeout: 2 * time.Second,
		HealthEvery: 200 * time.Millisecond,
		BackoffMin:  50 * time.Millisecond,
		BackoffMax:  200 * time.Millisecond,
	}
	for _, s := range specs {
		h.Add(s)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h, al
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func flakySpec(t *testing.T) pluginhost.Spec {
	bin := flaky(t)
	return pluginhost.Spec{Name: "flaky", Source: bin, Command: func() *exec.Cmd { return exec.Command(bin) }}
}

func status(h *pluginhost.Host, name string) pluginhost.Status {
	for _, s := range h.Statuses() {
		if s.Name == name {
			return s
		}
	}
	return pluginhost.Status{}
}

func waitState(t *testing.T, h *pluginhost.Host, name, state string) pluginhost.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s := status(h, name); s.State == state {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never became %s: %+v", name, state, status(h, name))
	return pluginhost.Status{}
}

// waitRestart waits until the plugin runs again as a new process.
func waitRestart(t *testing.T, h *pluginhost.Host, name string, oldPID int) pluginhost.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s := status(h, name); s.State == pluginhost.Running && s.PID != oldPID && s.PID > 0 {
			return s
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s was not restarted: %+v", name, status(h, name))
	return pluginhost.Status{}
}

func send(h *pluginhost.Host, id, text string) (sdk.SendResult, error) {
	return h.Send(context.Background(), "flaky", "ch-1", sdk.OutboundMessage{MessageID: id, Type: "text", Text: text})
}

// sendUntilDelivered is what the outbound queue does: retry what is retryable.
func sendUntilDelivered(t *testing.T, h *pluginhost.Host, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := send(h, id, "hello "+id)
		if err == nil {
			if res.ExternalID != "flaky-"+id {
				t.Errorf("message %s delivered as %q", id, res.ExternalID)
			}
			return
		}
		if sdk.IsPermanent(err) {
			t.Errorf("message %s failed permanently: %v", id, err)
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("message %s never delivered: %v", id, err)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunsAPluginProcessAndStartsItsChannels(t *testing.T) {
	h, _ := newHost(t, flakySpec(t))
	st := waitState(t, h, "flaky", pluginhost.Running)
	if st.PID <= 0 || st.Version != "0.1.0" || st.Kind != "custom" {
		t.Fatalf("status = %+v", st)
	}
	if d, ok := h.Descriptor("flaky"); !ok || d.Name != "flaky" {
		t.Fatalf("descriptor = %+v %v", d, ok)
	}
	// The channel listed by Active was started: the plugin refuses sends to others.
	if _, err := send(h, "m1", "hi"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Send(context.Background(), "flaky", "ch-unknown", sdk.OutboundMessage{MessageID: "m2", Text: "hi"}); !sdk.IsPermanent(err) {
		t.Fatalf("send to an unstarted channel: %v, want a permanent error", err)
	}
	if _, err := h.Send(context.Background(), "nope", "ch-1", sdk.OutboundMessage{}); !errors.Is(err, pluginhost.ErrUnknown) {
		t.Fatalf("unknown connector: %v", err)
	}
}

// Kill -9 the plugin while messages are being sent: the host stays up, the plugin is
// restarted with its channels, and every message is delivered once it is back.
func TestKilledPluginRestartsAndNothingIsLost(t *testing.T) {
	h, al := newHost(t, flakySpec(t))
	st := waitState(t, h, "flaky", pluginhost.Running)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 25; j++ {
				sendUntilDelivered(t, h, fmt.Sprintf("w%d-%d", i, j))
				time.Sleep(10 * time.Millisecond) // paced, so the kill lands mid-stream
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	after := waitRestart(t, h, "flaky", st.PID)
	if after.Restarts < 1 {
		t.Fatalf("after the kill: %+v (before: pid %d)", after, st.PID)
	}
	if al.count() != 0 {
		t.Fatalf("one crash disabled the plugin")
	}
	// The old process is gone, not orphaned.
	if err := syscall.Kill(st.PID, 0); err == nil {
		t.Fatalf("the killed plugin's pid %d still exists", st.PID)
	}
}

func TestRepeatedCrashesDisableThePlugin(t *testing.T) {
	h, al := newHost(t, flakySpec(t))
	st := waitState(t, h, "flaky", pluginhost.Running)
	for i := 0; i < 3; i++ {
		if i > 0 {
			st = waitRestart(t, h, "flaky", st.PID)
		}
		if _, err := send(h, fmt.Sprintf("c%d", i), "crash"); err == nil || sdk.IsPermanent(err) {
			t.Fatalf("crash %d: %v, want a retryable error", i, err)
		}
		if _, err := send(h, "probe", "hi"); err != nil {
			if _, ok := sdk.RetryAfter(err); !ok {
				t.Fatalf("a call to a crashed plugin is not retryable: %v", err)
			}
		}
	}
	st = waitState(t, h, "flaky", pluginhost.Disabled)
	if al.count() != 1 || st.LastError == "" {
		t.Fatalf("disabled: alerts %d, status %+v", al.count(), st)
	}
	if _, err := send(h, "after", "hi"); err == nil || !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Fatalf("send to a disabled plugin: %v", err)
	}
}

// A hung call is cut off by its deadline and does not block other calls.
func TestHungCallDoesNotBlockOthers(t *testing.T) {
	h, _ := newHost(t, flakySpec(t))
	waitState(t, h, "flaky", pluginhost.Running)
	done := make(chan error, 1)
	go func() { _, err := send(h, "h1", "hang"); done <- err }()
	for i := 0; i < 20; i++ {
		if _, err := send(h, fmt.Sprintf("ok%d", i), "hi"); err != nil {
			t.Fatalf("a call beside a hung one failed: %v", err)
		}
	}
	if err := <-done; err == nil || sdk.IsPermanent(err) {
		t.Fatalf("hung call: %v, want a retryable error after its deadline", err)
	}
	if s := status(h, "flaky"); s.State != pluginhost.Running {
		t.Fatalf("a hung call restarted a healthy plugin: %+v", s)
	}
}

func TestPluginWithTheWrongNameIsRefused(t *testing.T) {
	bin := flaky(t)
	spec := pluginhost.Spec{Name: "web", Source: bin, Command: func() *exec.Cmd {
		c := exec.Command(bin)
		c.Env = append(os.Environ(), "FLAKY_NAME=impostor")
		return c
	}}
	spec2 := flakySpec(t)
	h, _ := newHost(t, spec, spec2)
	waitState(t, h, "flaky", pluginhost.Running)
	if _, ok := h.Descriptor("impostor"); ok {
		t.Fatal("a plugin registered under a name it was not given")
	}
	if _, ok := h.Descriptor("web"); ok {
		t.Fatal("an impostor answers as web")
	}
}

func TestProbe(t *testing.T) {
	d, err := pluginhost.Probe(context.Background(), exec.Command(flaky(t)), slog.Default())
	if err != nil || d.Name != "flaky" {
		t.Fatalf("probe = %+v, %v", d, err)
	}
	if _, err := pluginhost.Probe(context.Background(), exec.Command("/bin/true"), slog.Default()); err == nil {
		t.Fatal("a binary that is not a plugin passed the probe")
	}
}
