package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParsePrecedence(t *testing.T) {
	var out bytes.Buffer
	c, err := Parse("serve", []string{"--addr", "0.0.0.0:9000", "--demo"}, env(map[string]string{
		"KEFU_ADDR": "127.0.0.1:1", "KEFU_DATA_DIR": "/srv/kefu", "KEFU_ACCESS_TTL": "5m",
	}), &out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Addr, "0.0.0.0:9000"; got != want {
		t.Errorf("Addr = %q, want %q (flag beats env)", got, want)
	}
	if got, want := c.DataDir, "/srv/kefu"; got != want {
		t.Errorf("DataDir = %q, want %q (env beats default)", got, want)
	}
	if got, want := c.AccessTTL, 5*time.Minute; got != want {
		t.Errorf("AccessTTL = %v, want %v", got, want)
	}
	if !c.Demo {
		t.Error("--demo alone should mean true")
	}
	if got, want := Defaults().Addr, "127.0.0.1:8080"; got != want {
		t.Errorf("default Addr = %q, want %q", got, want)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"ttl too long", []string{"--access-ttl", "1h"}, nil, "access-ttl"},
		{"bad duration env", nil, map[string]string{"KEFU_ACCESS_TTL": "soon"}, "KEFU_ACCESS_TTL"},
		{"short secret", []string{"--secret-key", "short"}, nil, "secret-key"},
		{"mysql url", []string{"--database-url", "mysql://x"}, nil, "database-url"},
		{"unknown role", []string{"--roles", "api,chef"}, nil, "chef"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "log-level"},
		{"positional", []string{"extra"}, nil, "extra"},
		{"bad int", []string{"--body-limit", "12"}, nil, "body-limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("serve", tc.args, env(tc.env), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestHelpListsEverySettingAndNoSecrets(t *testing.T) {
	var out bytes.Buffer
	_, err := Parse("serve", []string{"--help"}, env(map[string]string{
		"KEFU_SECRET_KEY": "super-secret-value-that-must-not-print-0123", "KEFU_DATABASE_URL": "postgres://u:hunter2@db/kefu",
	}), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	help := out.String()
	for _, s := range settings {
		if !strings.Contains(help, "--"+s.name) || !strings.Contains(help, EnvName(s.name)) {
			t.Errorf("help lacks --%s / %s", s.name, EnvName(s.name))
		}
	}
	for _, secret := range []string{"super-secret-value", "hunter2"} {
		if strings.Contains(help, secret) {
			t.Errorf("help prints a secret (%s)", secret)
		}
	}
}

func TestSecretGeneratedOnceAndReused(t *testing.T) {
	dir := t.TempDir()
	c := Defaults()
	c.DataDir = filepath.Join(dir, "data")
	a, err := c.Secret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Secret()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || len(a) < 32 {
		t.Fatalf("secret not stable: %q vs %q", a, b)
	}
	st, err := os.Stat(filepath.Join(c.DataDir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("secret.key mode %v, want 0600", st.Mode().Perm())
	}
	c.SecretKey = strings.Repeat("k", 40)
	if got, _ := c.Secret(); string(got) != c.SecretKey {
		t.Error("a configured secret must win over the generated file")
	}
}
