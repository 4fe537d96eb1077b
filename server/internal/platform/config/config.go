// Package config reads kefu's settings from defaults, then KEFU_* environment
// variables, then command-line flags (each overriding the one before). Every setting
// is listed in one table, so `kefu serve --help` shows them all with their defaults,
// and secrets are never printed.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is kefu's runtime configuration.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
	RedisURL        string
	SecretKey       string
	PublicURL       string
	Roles           string
	AutoMigrate     bool
	Demo            bool
	LogLevel        string
	LogFormat       string
	TrustedProxies  string
	AccessTTL       time.Duration
	BodyLimit       int
	DBMaxConns      int
	AuthzTenants    int
	ShutdownTimeout time.Duration
	PluginDir       string
	DebugAddr       string
	AwayAfter       time.Duration
}

type setting struct {
	name   string // flag name; env is KEFU_ + upper(name with - → _)
	def    string
	help   string
	secret bool
	set    func(c *Config, v string) error
	isBool bool
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func boolean(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", v)
		}
		*p(c) = b
		return nil
	}
}

func integer(p func(*Config) *int, min int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < min {
			return fmt.Errorf("want a whole number ≥ %d, got %q", min, v)
		}
		*p(c) = n
		return nil
	}
}

func duration(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("want a duration such as 15m, got %q", v)
		}
		*p(c) = d
		return nil
	}
}

var settings = []setting{
	{"addr", "127.0.0.1:8080", "listen address (host:port)", false, str(func(c *Config) *string { return &c.Addr }), false},
	{"data-dir", "./data", "directory for the embedded database, generated secret key and outgoing mail", false, str(func(c *Config) *string { return &c.DataDir }), false},
	{"database-url", "", "PostgreSQL URL (postgres://user:pass@host/db); empty uses embedded SQLite in the data dir", true, str(func(c *Config) *string { return &c.DatabaseURL }), false},
	{"redis-url", "", "Redis URL (redis://host:6379/0); empty runs an in-process Redis-compatible server", true, str(func(c *Config) *string { return &c.RedisURL }), false},
	{"secret-key", "", "server secret (≥ 32 characters; every node must share it); empty generates one into the data dir", true, str(func(c *Config) *string { return &c.SecretKey }), false},
	{"public-url", "", "external base URL used in links sent by mail; empty derives it from addr", false, str(func(c *Config) *string { return &c.PublicURL }), false},
	{"roles", "api,worker", "comma-separated roles this process runs: api, worker", false, str(func(c *Config) *string { return &c.Roles }), false},
	{"auto-migrate", "true", "apply database migrations on start", false, boolean(func(c *Config) *bool { return &c.AutoMigrate }), true},
	{"demo", "false", "create a demo tenant and print its login on start (make run sets this)", false, boolean(func(c *Config) *bool { return &c.Demo }), true},
	{"log-level", "info", "debug, info, warn or error", false, str(func(c *Config) *string { return &c.LogLevel }), false},
	{"log-format", "json", "json or text", false, str(func(c *Config) *string { return &c.LogFormat }), false},
	{"trusted-proxies", "", "comma-separated proxy IPs/CIDRs whose X-Forwarded-For is believed", false, str(func(c *Config) *string { return &c.TrustedProxies }), false},
	{"access-ttl", "15m", "access-token lifetime (at most 15m)", false, duration(func(c *Config) *time.Duration { return &c.AccessTTL }), false},
	{"body-limit", "1048576", "maximum request body in bytes", false, integer(func(c *Config) *int { return &c.BodyLimit }, 1024), false},
	{"db-max-conns", "20", "PostgreSQL connection pool size", false, integer(func(c *Config) *int { return &c.DBMaxConns }, 1), false},
	{"authz-cache-tenants", "4096", "tenants whose permission policy is kept in memory", false, integer(func(c *Config) *int { return &c.AuthzTenants }, 1), false},
	{"plugin-dir", "", "directory of third-party connector plugins (each must be registered: kefu plugin register <path>)", false, str(func(c *Config) *string { return &c.PluginDir }), false},
	{"debug-addr", "", "serve Go's pprof profiles on this address (keep it on localhost); empty: off", false, str(func(c *Config) *string { return &c.DebugAddr }), false},
	{"away-after", "2m", "an agent none of whose consoles has been connected for this long turns away (until one reconnects)", false, duration(func(c *Config) *time.Duration { return &c.AwayAfter }), false},
	{"shutdown-timeout", "15s", "how long to wait for in-flight work on shutdown", false, duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout }), false},
}

// EnvName is the environment variable for a flag name.
func EnvName(flagName string) string {
	return "KEFU_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Defaults returns the configuration with every default applied.
func Defaults() Config {
	var c Config
	for _, s := range settings {
		if err := s.set(&c, s.def); err != nil && s.def != "" {
			panic("config: bad default for " + s.name) // a programming error in the table above
		}
	}
	return c
}

// Parse builds the configuration from defaults, the environment (getenv) and args.
// It returns flag.ErrHelp after printing usage when asked for help.
func Parse(name string, args []string, getenv func(string) string, out io.Writer) (Config, error) {
	c := Defaults()
	for _, s := range settings {
		if v := getenv(EnvName(s.name)); v != "" {
			if err := s.set(&c, v); err != nil {
				return c, fmt.Errorf("%s: %w", EnvName(s.name), err)
			}
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	for _, s := range settings {
		s := s
		set := func(v string) error { return s.set(&c, v) }
		if s.isBool {
			fs.BoolFunc(s.name, s.help, set) // --demo alone means true
		} else {
			fs.Func(s.name, s.help, set)
		}
	}
	fs.Usage = func() { Usage(out, name) }
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.Validate()
}

// Usage prints every setting with its flag, environment variable and default.
func Usage(w io.Writer, name string) {
	fmt.Fprintf(w, "Usage: kefu %s [flags]\n\nEvery flag can also be set with its environment variable; flags win.\n\n", name)
	rows := settings
	for _, s := range rows {
		def := s.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%s  (%s)\n      %s\n      default: %s\n", s.name, EnvName(s.name), s.help, def)
	}
}

// Validate checks values that parse but make no sense together.
func (c Config) Validate() error {
	if c.AccessTTL > 15*time.Minute {
		return errors.New("access-ttl must be at most 15m")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("log-format must be json or text, got %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log-level must be debug, info, warn or error, got %q", c.LogLevel)
	}
	for _, r := range c.RoleList() {
		if r != "api" && r != "worker" {
			return fmt.Errorf("unknown role %q (want api, worker)", r)
		}
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		return errors.New("secret-key must be at least 32 characters")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return errors.New("database-url must be a postgres:// URL (leave it empty for embedded SQLite)")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return errors.New("redis-url must be a redis:// or rediss:// URL (leave it empty for the embedded server)")
	}
	return nil
}

// RoleList splits Roles.
func (c Config) RoleList() []string {
	var out []string
	for _, r := range strings.Split(c.Roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// HasRole reports whether this process runs role.
func (c Config) HasRole(role string) bool {
	for _, r := range c.RoleList() {
		if r == role {
			return true
		}
	}
	return false
}

// Secret returns the server secret, generating and storing one in the data dir on
// first start when none is configured. A cluster must configure one explicitly.
func (c Config) Secret() ([]byte, error) {
	if c.SecretKey != "" {
		return []byte(c.SecretKey), nil
	}
	path := filepath.Join(c.DataDir, "secret.key")
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return nil, fmt.Errorf("%s holds a secret shorter than 32 characters", path)
		}
		return []byte(s), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process won the race; use its key
		return c.Secret()
	}
	if err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(s + "\n"); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return []byte(s), nil
}
