package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kefu-io/kefu/plugins/web/webtest"
	"github.com/kefu-io/kefu/sdk/sdktest"
	"github.com/kefu-io/kefu/server/kefutest"
)

// The built-in web connector, as kefu runs it (`kefu plugin web`), passes the SDK's
// conformance suite.
func TestBuiltinConnectorConformance(t *testing.T) {
	t.Parallel()
	sdktest.RunBinary(t, func() *exec.Cmd { return exec.Command(kefuBin, "plugin", "web") }, webtest.Suite)
}

// A plugin binary run by hand refuses to start (the handshake cookie is missing).
func TestPluginRefusesToRunByHand(t *testing.T) {
	t.Parallel()
	out, err := kefu(t, kefuEnv(), "plugin", "web")
	if err == nil {
		t.Fatalf("kefu plugin web ran outside a host: %s", out)
	}
}

type pluginRow = map[string]any

func plugins(t *testing.T, s *server, op string) map[string]pluginRow {
	t.Helper()
	out := map[string]pluginRow{}
	for _, it := range expect(t, call(t, "GET", s.URL+"/api/v1/platform/plugins", op, nil), http.StatusOK).Items() {
		key, _ := it["name"].(string)
		if key == "" {
			key, _ = it["source"].(string)
		}
		out[key] = it
	}
	return out
}

func operator(t *testing.T, s *server, env []string) string {
	t.Helper()
	mustKefu(t, env, "operator", "create", "--data-dir", s.DataDir, "--email", "op@plugins.test", "--password", testPassword)
	return login(t, s, "op@plugins.test", testPassword)
}

// Kill -9 the web plugin while replies are being sent: kefu stays up, the plugin
// restarts, and every reply is delivered once it is back. Runs against PostgreSQL
// and Redis, as production does.
func TestKilledPluginIsRestartedAndRepliesAreDelivered(t *testing.T) {
	t.Parallel()
	kefutest.NeedPostgres(t)
	kefutest.NeedRedis(t)
	env := kefuEnv("KEFU_DATABASE_URL="+kefutest.NewPostgresDB(t), "KEFU_REDIS_URL="+kefutest.NewRedisDB(t))
	s := startServer(t, "kefu", t.TempDir(), env)
	op := operator(t, s, env)

	web := plugins(t, s, op)["web"]
	if web == nil || web["state"] != "running" || web["source"] != "builtin" {
		t.Fatalf("web plugin = %v", web)
	}
	pid := int(web["pid"].(float64))
	if pid <= 0 || pid == s.cmd.Process.Pid {
		t.Fatalf("the web connector does not run in its own process (pid %d)", pid)
	}

	su := expect(t, call(t, "POST", s.URL+"/api/v1/signup", "", map[string]string{
		"tenant_name": "Kill Co", "name": "Kim", "email": "kim@kill.test", "password": testPassword}), http.StatusCreated)
	tid, tok := su.Str("tenant.id"), su.Str("access_token")
	tp := s.URL + "/api/v1/tenants/" + tid
	ch := expect(t, call(t, "POST", tp+"/channels", tok, map[string]any{"connector": "web", "name": "Site", "config": map[string]any{}}), http.StatusCreated).Str("id")
	vt := expect(t, call(t, "POST", s.URL+"/widget/"+ch+"/session", "", map[string]any{}), http.StatusOK).Str("token")
	expect(t, kefutest.Send(t, httpClient, s.URL, kefutest.Request{Method: "POST", Path: "/widget/" + ch + "/messages", Token: vt,
		Body: map[string]any{"client_id": "v-1", "text": "Is anyone there?"}}), http.StatusAccepted)
	conv := expect(t, call(t, "GET", tp+"/conversations", tok, nil), http.StatusOK).Items()[0]["id"].(string)

	const n = 40
	killed := false
	for i := 0; i < n; i++ {
		expect(t, call(t, "POST", tp+"/conversations/"+conv+"/messages", tok, map[string]any{"text": fmt.Sprintf("reply %d", i), "client_id": fmt.Sprintf("r-%d", i)}), http.StatusAccepted)
		if i == n/4 {
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !killed {
		t.Fatal("no kill")
	}
	// Every reply ends up sent, none failed.
	deadline := time.Now().Add(60 * time.Second)
	for {
		sent, failed := 0, 0
		for _, m := range expect(t, call(t, "GET", tp+"/conversations/"+conv+"/messages?limit=100", tok, nil), http.StatusOK).Items() {
			if m["direction"] != "out" {
				continue
			}
			switch m["status"] {
			case "sent", "delivered", "read":
				sent++
			case "failed":
				failed++
			}
		}
		if failed > 0 {
			t.Fatalf("%d replies failed after the plugin was killed", failed)
		}
		if sent == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d replies sent a minute after the kill", sent, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
	after := plugins(t, s, op)["web"]
	if after["state"] != "running" || int(after["pid"].(float64)) == pid || after["restarts"].(float64) < 1 {
		t.Fatalf("after the kill: %v", after)
	}
	expect(t, call(t, "GET", s.URL+"/healthz", "", nil), http.StatusOK)
	// The restarted plugin knows the channel again: the widget still works.
	expect(t, kefutest.Send(t, httpClient, s.URL, kefutest.Request{Method: "POST", Path: "/widget/" + ch + "/messages", Token: vt,
		Body: map[string]any{"client_id": "v-2", "text": "Thanks"}}), http.StatusAccepted)
	// Stopping kefu stops its plugins: none is left behind.
	if code, err := s.Stop(); err != nil || code != 0 {
		t.Fatalf("stop: %d %v", code, err)
	}
	np := int(after["pid"].(float64))
	deadline = time.Now().Add(10 * time.Second)
	for syscall.Kill(np, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("plugin pid %d outlived kefu", np)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A third-party binary runs only once registered, and only as the binary that was
// registered.
func TestThirdPartyPluginRegistration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pdir := filepath.Join(dir, "plugins")
	if err := os.Mkdir(pdir, 0o755); err != nil {
		t.Fatal(err)
	}
	root, _ := filepath.Abs("..")
	bin := filepath.Join(pdir, "flaky")
	build := exec.Command("go", "build", "-o", bin, "./server/internal/pluginhost/testdata/flaky")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build plugin: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	env := kefuEnv("KEFU_PLUGIN_DIR=" + pdir)
	mustKefu(t, env, "migrate", "up", "--data-dir", data)

	// Not registered: listed, not run.
	if out := mustKefu(t, env, "plugin", "list", "--data-dir", data); !strings.Contains(out, bin) || !strings.Contains(out, "false") {
		t.Fatalf("plugin list before registering:\n%s", out)
	}
	s := startServer(t, "kefu", data, env)
	op := operator(t, s, env)
	if p := plugins(t, s, op)[bin]; p == nil || p["state"] != "unregistered" {
		t.Fatalf("unregistered plugin = %v", p)
	}
	s.Stop()

	// Registering checks it is a connector and records its hash.
	if out, err := kefu(t, env, "plugin", "register", "--data-dir", data, "/bin/true"); err == nil {
		t.Fatalf("registered a binary that is not a connector: %s", out)
	}
	out := mustKefu(t, env, "plugin", "register", "--data-dir", data, bin)
	if !strings.Contains(out, `"flaky"`) || !strings.Contains(out, "sha256") {
		t.Fatalf("register output:\n%s", out)
	}
	s = startServer(t, "kefu", data, env)
	p := plugins(t, s, op)["flaky"]
	if p == nil || p["state"] != "running" || p["source"] != bin {
		t.Fatalf("registered plugin = %v", p)
	}
	a := expect(t, call(t, "POST", s.URL+"/api/v1/signup", "", map[string]string{
		"tenant_name": "Third Party", "name": "Tia", "email": "tia@third.test", "password": testPassword}), http.StatusCreated)
	conns := expect(t, call(t, "GET", s.URL+"/api/v1/tenants/"+a.Str("tenant.id")+"/connectors", a.Str("access_token"), nil), http.StatusOK)
	if !strings.Contains(string(conns.Body), `"flaky"`) {
		t.Fatalf("connectors = %s", conns.Body)
	}
	s.Stop()

	// A changed binary is not the registered one: it does not run.
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.Write([]byte("tampered"))
	f.Close()
	s = startServer(t, "kefu", data, env)
	if p := plugins(t, s, op)[bin]; p == nil || p["state"] != "unregistered" {
		t.Fatalf("tampered plugin = %v (all: %v)", p, plugins(t, s, op))
	}
}
