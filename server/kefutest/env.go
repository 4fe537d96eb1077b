package kefutest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/app"
	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/identity/password"
	"github.com/kefu-io/kefu/server/internal/platform/config"
	"github.com/kefu-io/kefu/server/internal/platform/logging"
)

// Outbox captures delivered mail.
type Outbox struct {
	mu   sync.Mutex
	msgs []identity.Mail
}

// Send implements identity.Mailer.
func (o *Outbox) Send(_ context.Context, m identity.Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

// Count is how many mails to addr were delivered so far.
func (o *Outbox) Count(addr string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range o.msgs {
		if m.To == addr {
			n++
		}
	}
	return n
}

// WaitForNth waits for the nth mail (1-based) to addr and returns it; use it with
// Count when a test sends several mails to one address, since the queue delivers
// asynchronously and "newest so far" may still be the previous one.
func (o *Outbox) WaitForNth(t testing.TB, addr string, n int) identity.Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		o.mu.Lock()
		seen := 0
		for _, m := range o.msgs {
			if m.To == addr {
				if seen++; seen == n {
					o.mu.Unlock()
					return m
				}
			}
		}
		o.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("mail #%d to %s not delivered", n, addr)
	return identity.Mail{}
}

// WaitFor returns the newest mail to addr, waiting for the queue to deliver it.
func (o *Outbox) WaitFor(t testing.TB, addr string) identity.Mail {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		o.mu.Lock()
		for i := len(o.msgs) - 1; i >= 0; i-- {
			if o.msgs[i].To == addr {
				m := o.msgs[i]
				o.mu.Unlock()
				return m
			}
		}
		o.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no mail to %s delivered", addr)
	return identity.Mail{}
}

// Env is a running kefu.
type Env struct {
	T    testing.TB
	Main *app.Main
	// Provider is the "test" connector every environment has.
	Provider *TestConnector
	URL      string
	Outbox   *Outbox
	Backend  Backend
	Client   *http.Client
}

// Option adjusts an Env's configuration before start.
type Option func(*config.Config, *app.Main)

// WithTrustedProxies believes X-Forwarded-For from loopback (throttling tests).
func WithTrustedProxies() Option {
	return func(c *config.Config, _ *app.Main) { c.TrustedProxies = "127.0.0.1" }
}

// WithIdentity tweaks identity limits.
func WithIdentity(f func(*identity.Config)) Option {
	return func(_ *config.Config, m *app.Main) { f(&m.IdentityConfig) }
}

// WithConfig adjusts the configuration (e.g. a short away-after).
func WithConfig(f func(*config.Config)) Option {
	return func(c *config.Config, _ *app.Main) { f(c) }
}

// Start runs kefu on b (call Materialize first for a fresh database) until the test
// ends. Password hashing uses small Argon2id parameters: tests exercise the flows, and
// the production parameters are covered by the password package's own tests.
func Start(t testing.TB, b Backend, opts ...Option) *Env {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = b.DatabaseURL
	cfg.RedisURL = b.RedisURL
	cfg.SecretKey = "test-secret-key-0123456789abcdef-0123456789"
	cfg.ShutdownTimeout = 5 * time.Second
	out := &Outbox{}
	m := &app.Main{
		Logger: logging.New(tlogWriter{t}, slog.LevelWarn, "text"),
		Mailer: out,
		Hasher: password.NewHasher(password.Params{Memory: 1024, Time: 1, Threads: 1}, 4),
	}
	// Generous defaults so tests that sign up many tenants from 127.0.0.1 are not
	// throttled; the throttling tests set their own limits.
	m.IdentityConfig.Signups.Limit = 1 << 20
	m.IdentityConfig.Signups.Window = time.Hour
	m.IdentityConfig.Signups.Name = "signup-ip"
	m.IdentityConfig.IPFailures.Limit = 1 << 20
	m.IdentityConfig.IPFailures.Window = time.Hour
	m.IdentityConfig.IPFailures.Name = "login-ip"
	m.IdentityConfig.ResetsPerIP.Limit = 1 << 20
	m.IdentityConfig.ResetsPerIP.Window = time.Hour
	m.IdentityConfig.ResetsPerIP.Name = "reset-ip"
	m.BuiltinsInProcess = true
	provider := NewTestConnector()
	m.Connectors = append(m.Connectors, provider)
	for _, o := range opts {
		o(&cfg, m)
	}
	m.Config = cfg
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("start kefu (%s): %v", b.Name, err)
	}
	t.Cleanup(m.Close)
	return &Env{T: t, Main: m, Provider: provider, URL: "http://" + m.Addr(), Outbox: out, Backend: b, Client: &http.Client{Timeout: 30 * time.Second}}
}

// tlogWriter sends server warnings and errors to the test log, so a failing test
// shows the server's side of it.
type tlogWriter struct{ t testing.TB }

func (w tlogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Resp is an HTTP response with its body read.
type Resp struct {
	Method, URL string
	Status      int
	Header      http.Header
	Body        []byte
}

func (r *Resp) String() string {
	return fmt.Sprintf("%s %s → %d %s", r.Method, r.URL, r.Status, bytes.TrimSpace(r.Body))
}

// JSON decodes the body into a map.
func (r *Resp) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Str returns a top-level string field (or a nested one with "a.b", list elements
// with "a.0.b").
func (r *Resp) Str(path string) string {
	var cur any = r.JSON()
	for _, p := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(v) {
				return ""
			}
			cur = v[i]
		default:
			return ""
		}
	}
	s, _ := cur.(string)
	return s
}

// Items returns the body's "items" list.
func (r *Resp) Items() []map[string]any {
	var v struct {
		Items []map[string]any `json:"items"`
	}
	_ = json.Unmarshal(r.Body, &v)
	return v.Items
}

// Code is the problem+json code, if any.
func (r *Resp) Code() string { return r.Str("code") }

// Request is a request to send.
type Request struct {
	Method  string
	Path    string // appended to the base URL
	Token   string
	Body    any // marshalled as JSON unless []byte or string
	Headers map[string]string
}

// Do sends a request to this kefu and reads the response.
func (e *Env) Do(r Request) *Resp {
	e.T.Helper()
	return Send(e.T, e.Client, e.URL, r)
}

// Send sends r to base+r.Path and reads the response; e2e tests use it against
// kefu processes they started themselves.
func Send(t testing.TB, client *http.Client, base string, r Request) *Resp {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	url := base + r.Path
	req, err := http.NewRequest(r.Method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.Method, url, err)
	}
	return &Resp{Method: r.Method, URL: url, Status: res.StatusCode, Header: res.Header, Body: b}
}

// Call is Do with positional arguments.
func (e *Env) Call(method, path, token string, body any) *Resp {
	e.T.Helper()
	return e.Do(Request{Method: method, Path: path, Token: token, Body: body})
}

// Must fails the test unless the response has the wanted status.
func (r *Resp) Must(t testing.TB, status int) *Resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	return r
}

// Account is a signed-up tenant owner.
type Account struct {
	TenantID     string
	UserID       string
	Email        string
	Password     string
	AccessToken  string
	RefreshToken string
}

// Password is a password that passes kefu's rules.
const Password = "correct horse battery staple"

// Signup creates a tenant and its owner.
func (e *Env) Signup(tenantName, email string) Account {
	e.T.Helper()
	r := e.Call("POST", "/api/v1/signup", "", map[string]string{
		"tenant_name": tenantName, "name": "Owner of " + tenantName, "email": email, "password": Password,
	}).Must(e.T, http.StatusCreated)
	return Account{TenantID: r.Str("tenant.id"), UserID: r.Str("user.id"), Email: email, Password: Password,
		AccessToken: r.Str("access_token"), RefreshToken: r.Str("refresh_token")}
}

// Login logs a user in and returns the access token.
func (e *Env) Login(email, pw string) string {
	e.T.Helper()
	return e.Call("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": pw}).Must(e.T, http.StatusOK).Str("access_token")
}
