// Package app wires kefu together and starts and stops it in order. cmd/kefu only
// parses configuration and calls Main; tests and e2e run the same Main on port 0.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/kefu-io/kefu/sdk"
	"github.com/kefu-io/kefu/server/internal/api"
	"github.com/kefu-io/kefu/server/internal/audit"
	"github.com/kefu-io/kefu/server/internal/authz"
	"github.com/kefu-io/kefu/server/internal/identity"
	"github.com/kefu-io/kefu/server/internal/identity/password"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/knowledge/knowledgedb"
	"github.com/kefu-io/kefu/server/internal/mail"
	"github.com/kefu-io/kefu/server/internal/platform/config"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/platform/logging"
	"github.com/kefu-io/kefu/server/internal/platform/ratelimit"
	"github.com/kefu-io/kefu/server/internal/platform/redisx"
	"github.com/kefu-io/kefu/server/internal/tenantsdb"
	"github.com/kefu-io/kefu/server/internal/webui"
	"github.com/kefu-io/kefu/server/internal/worker"
	"github.com/kefu-io/kefu/tenants"
)

// authzChannel carries permission-policy invalidations between nodes.
const authzChannel = "kefu:authz:changed"

// Main is the program. Set Config (and optionally Logger, Mailer, Hasher), call Run,
// then Close.
type Main struct {
	Config config.Config
	Logger *slog.Logger
	// Mailer delivers mail; nil writes files under <data dir>/mail.
	Mailer identity.Mailer
	// Hasher overrides password hashing parameters (tests use cheaper ones).
	Hasher *password.Hasher
	// IdentityConfig overrides identity limits; zero fields keep their defaults.
	IdentityConfig identity.Config
	// Connectors are run in-process (tests, embedders).
	Connectors []sdk.Connector
	// BuiltinsInProcess runs the built-in connectors inside this process instead of
	// as `kefu plugin <name>` children (tests, whose binary is not kefu).
	BuiltinsInProcess bool

	DB       *db.DB
	Redis    *redis.Client
	Identity *identity.Service
	Tenants  *tenants.Service
	Audit    *audit.Log
	Authz    *authz.Enforcer
	HTTP     *api.Server
	// Knowledge is the knowledge base; its Notifier is for the bot to set.
	Knowledge *knowledge.Service

	embedded *redisx.Embedded
	watcher  *authz.RedisWatcher
	enqueuer *worker.Enqueuer
	worker   *worker.Worker
	chat     *chat
	ln       net.Listener
	serveErr chan error
	closers  []func()
}

// Open connects to storage and builds the engines without serving. CLI commands use
// it directly; Run calls it first.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if c.AutoMigrate {
		// Before Open: the first migration creates the role Open connects as.
		n, err := db.MigrateUp(ctx, c.DatabaseURL, c.DataDir)
		if err != nil {
			return err
		}
		if n > 0 {
			m.Logger.Info("database migrated", "applied", n)
		}
	}
	var err error
	m.DB, err = db.Open(ctx, db.Options{URL: c.DatabaseURL, DataDir: c.DataDir, MaxOpenConns: c.DBMaxConns, Logger: m.Logger})
	if err != nil {
		return err
	}
	m.closers = append(m.closers, func() { _ = m.DB.Close() })
	redisURL := c.RedisURL
	if redisURL == "" {
		if m.embedded, err = redisx.StartEmbedded(); err != nil {
			return err
		}
		m.closers = append(m.closers, m.embedded.Close)
		redisURL = m.embedded.URL()
	}
	if m.Redis, err = redisx.Connect(ctx, redisURL); err != nil {
		return err
	}
	m.closers = append(m.closers, func() { _ = m.Redis.Close() })

	secret, err := c.Secret()
	if err != nil {
		return err
	}
	m.Audit = &audit.Log{DB: m.DB}
	m.Tenants = &tenants.Service{Store: &tenantsdb.Store{DB: m.DB}, Audit: m.Audit, Tx: m.DB}
	m.Knowledge = &knowledge.Service{Store: &knowledgedb.Store{DB: m.DB}, Tx: m.DB, Audit: m.Audit}
	m.Authz, err = authz.New(identity.PolicySource{DB: m.DB}, authz.Options{MaxTenants: c.AuthzTenants})
	if err != nil {
		return err
	}
	m.watcher, err = authz.NewRedisWatcher(ctx, m.Redis, authzChannel, m.Authz.Invalidate, authz.OnResync(m.Authz.InvalidateAll))
	if err != nil {
		return fmt.Errorf("authz watcher: %w", err)
	}
	m.closers = append(m.closers, func() { _ = m.watcher.Close() })
	m.Authz.SetPublisher(m.watcher)

	m.enqueuer = worker.NewEnqueuer(m.Redis)
	m.closers = append(m.closers, func() { _ = m.enqueuer.Close() })
	m.Identity, err = identity.New(identity.Deps{
		DB: m.DB, Secret: secret, Hasher: m.Hasher, Limiter: &ratelimit.Limiter{Client: m.Redis, Prefix: "kefu:"},
		Audit: m.Audit, Authz: m.Authz, Tenants: m.Tenants, Mailer: worker.QueueMailer{E: m.enqueuer}, Jobs: m.enqueuer, Logger: m.Logger,
	}, m.identityConfig())
	if err != nil {
		return err
	}
	return m.openChat(ctx, secret)
}

func (m *Main) identityConfig() identity.Config {
	ic := m.IdentityConfig
	ic.AccessTTL = m.Config.AccessTTL
	ic.PublicURL = m.publicURL()
	return ic
}

func (m *Main) publicURL() string {
	if m.Config.PublicURL != "" {
		return m.Config.PublicURL
	}
	addr := m.Config.Addr
	if m.ln != nil {
		addr = m.ln.Addr().String()
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Run opens everything, then starts the roles this process runs: the API listens
// before Run returns, so callers can use Addr at once.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	if c.HasRole("api") {
		// Listen first so a port-0 address is known when links are built.
		ln, err := net.Listen("tcp", c.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", c.Addr, err)
		}
		m.ln = ln
	}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	if c.HasRole("api") || c.HasRole("worker") {
		if err := m.startChat(ctx); err != nil {
			m.Close()
			return err
		}
	}
	if c.DebugAddr != "" {
		if err := m.serveDebug(c.DebugAddr); err != nil {
			m.Close()
			return err
		}
	}
	if c.HasRole("worker") {
		mailer := m.Mailer
		if mailer == nil {
			mailer = &mail.FileMailer{Dir: filepath.Join(c.DataDir, "mail"), Logger: m.Logger}
		}
		m.worker = worker.New(worker.Deps{Redis: m.Redis, Mailer: mailer, Identity: m.Identity, Logger: m.Logger, Shutdown: c.ShutdownTimeout, Deliver: m.deliver,
			BotTurn: m.botTurn, Rebuild: m.botRebuild})
		if err := m.worker.Start(); err != nil {
			m.Close()
			return fmt.Errorf("start worker: %w", err)
		}
	}
	if m.ln != nil {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), pluginDisabled, ingestBatch)
		var proxies []string
		for _, p := range strings.Split(c.TrustedProxies, ",") {
			if p = strings.TrimSpace(p); p != "" {
				proxies = append(proxies, p)
			}
		}
		m.HTTP = api.New(m.Identity, m.Tenants, m.Audit, api.Options{
			Logger: m.Logger, BodyLimit: c.BodyLimit, TrustedProxies: proxies, Registry: reg, Ready: m.ready,
			Console: webui.New().Handler, Chat: m.apiChat(), Knowledge: m.Knowledge,
			Limiter: &ratelimit.Limiter{Client: m.Redis, Prefix: "kefu:"},
		})
		m.serveErr = make(chan error, 1)
		go func() { m.serveErr <- m.HTTP.App().Listener(m.ln) }()
	}
	if c.Demo {
		if err := m.ensureDemo(ctx); err != nil {
			m.Logger.Error("demo tenant", "err", err)
		}
	}
	return nil
}

func (m *Main) ready(ctx context.Context) map[string]error {
	return map[string]error{
		"database": m.DB.Ping(ctx),
		"redis":    m.Redis.Ping(ctx).Err(),
	}
}

// Addr is the API's listen address (with the real port when configured as :0).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// URL is the API's base URL.
func (m *Main) URL() string { return m.publicURL() }

// Wait blocks until ctx ends or the HTTP server fails.
func (m *Main) Wait(ctx context.Context) error {
	if m.serveErr == nil {
		<-ctx.Done()
		return nil
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-m.serveErr:
		return err
	}
}

// Close stops serving (letting in-flight requests finish), stops the worker, and
// releases storage, in reverse order of start.
func (m *Main) Close() {
	timeout := m.Config.ShutdownTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	if m.HTTP != nil {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		if err := m.HTTP.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
			m.Logger.Warn("http shutdown", "err", err)
		}
		cancel()
	} else if m.ln != nil {
		_ = m.ln.Close()
	}
	if m.worker != nil {
		m.worker.Stop()
	}
	for i := len(m.closers) - 1; i >= 0; i-- {
		m.closers[i]()
	}
	m.closers = nil
}

// NewLogger builds the process logger from configuration.
func NewLogger(c config.Config) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return logging.New(os.Stderr, lvl, c.LogFormat)
}

// serveDebug exposes pprof on its own listener, never on the public one.
func (m *Main) serveDebug(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("debug listener on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	m.closers = append(m.closers, func() { _ = srv.Close() })
	m.Logger.Warn("pprof debug endpoint enabled", "addr", ln.Addr().String())
	return nil
}
