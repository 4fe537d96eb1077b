package e2e

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/kefutest"
)

// TestBrowser runs the browser suite (e2e/browser, playwright-core driving Debian's
// Chromium) against the real kefu binary, once per storage mode. The Go side owns the
// processes and databases; the Node side only sees a URL, the data directory (for the
// file mailer's invitation and reset links) and an operator login.
//
// It needs node, e2e/browser/node_modules, a Chromium and a binary with the console
// built in (`make test` prepares all of them). Without them it skips loudly, or fails
// under KEFU_TEST_REQUIRE_BROWSER=1 (CI).
func TestBrowser(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "e2e", "browser")
	chromium := os.Getenv("KEFU_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := os.Stat(chromium); err != nil {
		missing = append(missing, chromium+" (apt-get install chromium)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core")); err != nil {
		missing = append(missing, "e2e/browser/node_modules (cd e2e/browser && npm ci)")
	}
	if _, err := os.Stat(filepath.Join(root, "server", "internal", "webui", "ui", "dist", "index.html")); err != nil {
		missing = append(missing, "the built console (make ui)")
	}
	if len(missing) > 0 {
		msg := "browser suite needs: " + strings.Join(missing, ", ") + " — `make test` installs them"
		if os.Getenv("KEFU_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg)
		}
		t.Skip("!!! SKIPPING " + msg)
	}
	artifacts := filepath.Join(root, "e2e", "artifacts")
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}

	backends := []struct {
		name string
		env  func(t *testing.T) []string
	}{
		{"sqlite", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string {
			kefutest.NeedPostgres(t)
			kefutest.NeedRedis(t)
			return []string{"KEFU_DATABASE_URL=" + kefutest.NewPostgresDB(t), "KEFU_REDIS_URL=" + kefutest.NewRedisDB(t)}
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env := kefuEnv(b.env(t)...)
			data := t.TempDir()
			s := startServer(t, "kefu-"+b.name, data, env)
			const opEmail = "ops@e2e.test"
			mustKefu(t, env, "operator", "create", "--data-dir", data, "--email", opEmail, "--name", "Platform Ops", "--password", testPassword)

			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "node", "--test", "--test-concurrency=1", "--test-reporter=spec", "tests/")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(),
				"KEFU_URL="+s.URL, "KEFU_DATA_DIR="+data, "KEFU_BACKEND="+b.name,
				"KEFU_OPERATOR_EMAIL="+opEmail, "KEFU_OPERATOR_PASSWORD="+testPassword,
				"KEFU_ARTIFACTS="+artifacts, "KEFU_CHROMIUM="+chromium)
			pr, pw := io.Pipe()
			cmd.Stdout, cmd.Stderr = pw, pw
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan struct{})
			var out strings.Builder
			go func() {
				defer close(lines)
				b, _ := io.ReadAll(pr)
				out.Write(b)
			}()
			err := cmd.Wait()
			pw.Close()
			<-lines
			t.Logf("browser suite (%s):\n%s", b.name, out.String())
			if err != nil {
				t.Fatalf("browser suite failed on %s: %v (screenshots in e2e/artifacts/)", b.name, err)
			}
		})
	}
}
