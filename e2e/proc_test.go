package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/kefutest"
)

const (
	// testSecret is KEFU_SECRET_KEY for every process of a test: nodes of one
	// deployment must share it, so tokens issued by one are accepted by the others.
	testSecret   = "e2e-secret-key-0123456789abcdef-0123456789"
	testPassword = "correct horse battery staple"

	startDeadline = 30 * time.Second // kefu serve until /healthz answers 200
	stopDeadline  = 20 * time.Second // SIGTERM until the process exits
	cliDeadline   = 60 * time.Second // one CLI command
)

// syncBuffer collects a process's output; the process writes while tests read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// kefuEnv is the environment of a kefu process: this one's without any KEFU_* setting
// (a developer's own configuration must not leak in), the shared secret, a short
// shutdown timeout, readable logs, then extra ("KEY=value") entries.
func kefuEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KEFU_") {
			env = append(env, kv)
		}
	}
	env = append(env, "KEFU_SECRET_KEY="+testSecret, "KEFU_SHUTDOWN_TIMEOUT=5s", "KEFU_LOG_FORMAT=text")
	return append(env, extra...)
}

// kefu runs one CLI command to completion and returns its combined output.
func kefu(t testing.TB, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, kefuBin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("no exit within %s: %w", cliDeadline, err)
	}
	return string(out), err
}

// mustKefu runs a CLI command that must succeed.
func mustKefu(t testing.TB, env []string, args ...string) string {
	t.Helper()
	out, err := kefu(t, env, args...)
	if err != nil {
		t.Fatalf("kefu %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// server is a running `kefu serve` process.
type server struct {
	name    string
	URL     string // http://127.0.0.1:port
	DataDir string
	out     *syncBuffer
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error // set when done is closed
}

// startServer runs `kefu serve` on a free port of 127.0.0.1 with dataDir and waits for
// /healthz. It is stopped (SIGTERM, then SIGKILL) when the test ends, and its output
// is shown when the test failed.
func startServer(t testing.TB, name, dataDir string, env []string, args ...string) *server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s := spawnServer(t, name, freePort(t), dataDir, env, args...)
		err := s.waitHealthy(startDeadline)
		if err == nil {
			return s
		}
		// Another process may have taken the port between probe and bind.
		if s.exited() && strings.Contains(s.Output(), "address already in use") && attempt < 3 {
			continue
		}
		t.Fatalf("%s: %v\n--- %s output ---\n%s", name, err, name, s.Output())
	}
}

func spawnServer(t testing.TB, name string, port int, dataDir string, env []string, args ...string) *server {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &server{name: name, URL: "http://" + addr, DataDir: dataDir, out: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(kefuBin, append([]string{"serve", "--addr", addr, "--data-dir", dataDir}, args...)...)
	s.cmd.Env = env
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("--- %s output ---\n%s", s.name, s.Output())
		}
	})
	return s
}

// Output is everything the process wrote to stdout and stderr so far.
func (s *server) Output() string { return s.out.String() }

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *server) waitHealthy(within time.Duration) error {
	deadline := time.Now().Add(within)
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		if s.exited() {
			return fmt.Errorf("exited before it was healthy: %v", s.waitErr)
		}
		if res, err := c.Get(s.URL + "/healthz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/healthz not 200 within %s", within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop sends SIGTERM, waits for the exit (SIGKILL after stopDeadline) and returns
// the exit code, or an error when it had to be killed.
func (s *server) Stop() (int, error) {
	if !s.exited() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(stopDeadline):
			_ = s.cmd.Process.Kill()
			<-s.done
			return -1, fmt.Errorf("%s did not exit within %s of SIGTERM; killed", s.name, stopDeadline)
		}
	}
	var ee *exec.ExitError
	switch {
	case s.waitErr == nil:
		return 0, nil
	case errors.As(s.waitErr, &ee):
		return ee.ExitCode(), nil
	default:
		return -1, s.waitErr
	}
}

// WaitOutput waits until the process has printed something matching re and returns
// the submatches.
func (s *server) WaitOutput(t testing.TB, re *regexp.Regexp, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if m := re.FindStringSubmatch(s.Output()); m != nil {
			return m
		}
		if time.Now().After(deadline) || s.exited() {
			t.Fatalf("%s never printed %q", s.name, re)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ---- HTTP ---------------------------------------------------------------------------

var httpClient = &http.Client{Timeout: 15 * time.Second}

// resp is an HTTP response with its body read.
type resp = *kefutest.Resp

// call sends a JSON request (body nil for none) with an optional bearer token.
func call(t testing.TB, method, url, token string, body any) resp {
	t.Helper()
	return kefutest.Send(t, httpClient, "", kefutest.Request{Method: method, Path: url, Token: token, Body: body})
}

// expect fails the test unless r has the wanted status.
func expect(t testing.TB, r resp, status int) resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want %d: %s", status, r)
	}
	return r
}

// login returns an access token.
func login(t testing.TB, s *server, email, password string) string {
	t.Helper()
	r := expect(t, call(t, "POST", s.URL+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password}), http.StatusOK)
	tok := r.Str("access_token")
	if tok == "" {
		t.Fatalf("login without access_token: %s", r)
	}
	return tok
}

// ---- mail ---------------------------------------------------------------------------

var tokenInLink = regexp.MustCompile(`#token=(\S+)`)

// waitMailToken waits for a mail to addr written by the file mailer into any of the
// data directories (whichever process's worker ran the task) and returns the token
// of the link it holds.
func waitMailToken(t testing.TB, addr string, dataDirs ...string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, d := range dataDirs {
			files, _ := filepath.Glob(filepath.Join(d, "mail", "*.eml"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil || !bytes.Contains(b, []byte("\r\nTo: "+addr+"\r\n")) {
					continue
				}
				if m := tokenInLink.FindSubmatch(b); m != nil {
					return string(m[1])
				}
				t.Fatalf("mail to %s (%s) holds no #token= link:\n%s", addr, f, b)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s in %v", addr, dataDirs)
		}
		time.Sleep(25 * time.Millisecond)
	}
}
