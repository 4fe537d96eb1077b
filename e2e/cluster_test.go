package e2e

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kefu-io/kefu/server/kefutest"
)

// TestPermissionChangePropagatesAcrossProcesses runs two kefu nodes on one PostgreSQL
// database and one Redis: a role change made through node A must reach node B's cached
// permission policy through the Redis watcher — in milliseconds, far below the cache
// TTL, so reaching the deadline means propagation is broken.
func TestPermissionChangePropagatesAcrossProcesses(t *testing.T) {
	t.Parallel()
	kefutest.NeedPostgres(t)
	kefutest.NeedRedis(t)
	dbURL, dbPassword := withPassword(t, kefutest.NewPostgresDB(t))
	env := kefuEnv("KEFU_DATABASE_URL="+dbURL, "KEFU_REDIS_URL="+kefutest.NewRedisDB(t))
	root := t.TempDir()
	dirA, dirB := filepath.Join(root, "a"), filepath.Join(root, "b")

	// Both nodes start at once, as after a deploy: they race to migrate.
	a := spawnServer(t, "node A", freePort(t), dirA, env)
	b := spawnServer(t, "node B", freePort(t), dirB, env)
	for _, s := range []*server{a, b} {
		if err := s.waitHealthy(startDeadline); err != nil {
			t.Fatalf("%s: %v\n--- %s output ---\n%s", s.name, err, s.name, s.Output())
		}
	}

	// The owner signs up on A and invites an admin.
	r := expect(t, call(t, "POST", a.URL+"/api/v1/signup", "", map[string]string{
		"tenant_name": "Propagation Ltd", "name": "Olive Owner", "email": "owner@propagation.test", "password": testPassword,
	}), http.StatusCreated)
	tid, owner := r.Str("tenant.id"), r.Str("access_token")
	tenant := "/api/v1/tenants/" + tid
	expect(t, call(t, "POST", a.URL+tenant+"/invitations", owner, map[string]string{
		"email": "member@propagation.test", "role": "admin",
	}), http.StatusCreated)

	// The member accepts on B and uses an admin permission there, so B caches the
	// tenant's policy.
	tok := waitMailToken(t, "member@propagation.test", dirA, dirB)
	r = expect(t, call(t, "POST", b.URL+"/api/v1/invitations/accept", "", map[string]string{
		"token": tok, "name": "Mia Member", "password": testPassword,
	}), http.StatusCreated)
	member := r.Str("access_token")
	if member == "" {
		t.Fatalf("accept returned no access_token: %s", r)
	}
	probe := tenant + "/api-keys" // needs apikeys:manage: admin yes, viewer no
	expect(t, call(t, "GET", b.URL+probe, member, nil), http.StatusOK)
	// A loaded the policy before the member joined (for the owner's invitation): it
	// must have heard of the join too.
	expect(t, call(t, "GET", a.URL+probe, member, nil), http.StatusOK)

	var memberID string
	for _, m := range expect(t, call(t, "GET", a.URL+tenant+"/members", owner, nil), http.StatusOK).Items() {
		if m["email"] == "member@propagation.test" {
			memberID, _ = m["id"].(string)
		}
	}
	if memberID == "" {
		t.Fatal("member not listed")
	}

	// A demotes the member; B must deny soon after.
	setRole := func(s *server, role string) {
		t.Helper()
		r := expect(t, call(t, "PATCH", s.URL+tenant+"/members/"+memberID, owner, map[string]string{"role": role}), http.StatusOK)
		if got := r.Str("role"); got != role {
			t.Fatalf("role after PATCH = %q, want %q: %s", got, role, r)
		}
	}
	setRole(a, "viewer")
	d, n, r := waitStatus(t, b, probe, member, http.StatusForbidden)
	if r.Code() != "auth.forbidden" {
		t.Fatalf("want code auth.forbidden: %s", r)
	}
	t.Logf("role change on node A (admin → viewer) seen by node B after %s (request %d)", d.Round(time.Microsecond), n)
	// The node that made the change denies at once: no wait.
	if r := call(t, "GET", a.URL+probe, member, nil); r.Status != http.StatusForbidden {
		t.Fatalf("node A after its own change: %s", r)
	}

	// And back the other way, changed on B and seen by A (which has just cached the
	// viewer policy).
	setRole(b, "admin")
	d, n, _ = waitStatus(t, a, probe, member, http.StatusOK)
	t.Logf("role change on node B (viewer → admin) seen by node A after %s (request %d)", d.Round(time.Microsecond), n)

	for _, s := range []*server{a, b} {
		if code, err := s.Stop(); err != nil || code != 0 {
			t.Errorf("%s after SIGTERM: exit code %d, %v", s.name, code, err)
		}
		if strings.Contains(s.Output(), dbPassword) {
			t.Errorf("%s printed the database password", s.name)
		}
	}
}

// TestSplitRoles runs the API and the job worker as separate processes, as a
// scaled-out deployment does: work enqueued by the API node is done by the worker
// node, which serves no HTTP.
func TestSplitRoles(t *testing.T) {
	t.Parallel()
	kefutest.NeedPostgres(t)
	kefutest.NeedRedis(t)
	env := kefuEnv("KEFU_DATABASE_URL="+kefutest.NewPostgresDB(t), "KEFU_REDIS_URL="+kefutest.NewRedisDB(t))
	root := t.TempDir()
	apiDir, workerDir := filepath.Join(root, "api"), filepath.Join(root, "worker")

	api := startServer(t, "api node", apiDir, env, "--roles", "api")
	workerPort := freePort(t)
	worker := spawnServer(t, "worker node", workerPort, workerDir, env, "--roles", "worker")
	worker.WaitOutput(t, regexp.MustCompile(`msg="kefu started".* roles=worker`), startDeadline)
	if res, err := httpClient.Get(worker.URL + "/healthz"); err == nil {
		res.Body.Close()
		t.Errorf("a worker-only node should serve no HTTP, but %s answered %d", worker.URL, res.StatusCode)
	}

	r := expect(t, call(t, "POST", api.URL+"/api/v1/signup", "", map[string]string{
		"tenant_name": "Split Roles Ltd", "name": "Sam", "email": "sam@split.test", "password": testPassword,
	}), http.StatusCreated)
	expect(t, call(t, "POST", api.URL+"/api/v1/tenants/"+r.Str("tenant.id")+"/invitations", r.Str("access_token"),
		map[string]string{"email": "new@split.test", "role": "agent"}), http.StatusCreated)
	tok := waitMailToken(t, "new@split.test", workerDir)
	if files, _ := filepath.Glob(filepath.Join(apiDir, "mail", "*.eml")); len(files) > 0 {
		t.Errorf("the api-only node delivered mail: %v", files)
	}
	// The link in the mail points at the API node (its public URL), and works there.
	expect(t, call(t, "POST", api.URL+"/api/v1/invitations/lookup", "", map[string]string{"token": tok}), http.StatusOK)

	for _, s := range []*server{api, worker} {
		if code, err := s.Stop(); err != nil || code != 0 {
			t.Errorf("%s after SIGTERM: exit code %d, %v", s.name, code, err)
		}
	}
}

// withPassword returns the URL with a password in it (a made-up one when it has none:
// the test cluster trusts loopback) and that password, to check it is never printed.
func withPassword(t *testing.T, raw string) (string, string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if pw, ok := u.User.Password(); ok && pw != "" {
		return raw, pw
	}
	const pw = "e2e-db-password-never-printed"
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), pw
}

// waitStatus polls GET path on s until it answers status and returns how long that
// took (from just after the change's response, including the answering request), how
// many requests it needed, and the answer. The 5 s deadline is far above the Redis watcher's milliseconds and far below
// the policy cache's TTL, so a timeout means the change did not propagate.
func waitStatus(t *testing.T, s *server, path, token string, status int) (time.Duration, int, resp) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	for n := 1; ; n++ {
		r := call(t, "GET", s.URL+path, token, nil)
		if r.Status == status {
			return time.Since(start), n, r
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still answers %s after %s: the permission change did not propagate (last: %s)",
				s.name, http.StatusText(r.Status), time.Since(start).Round(time.Millisecond), r)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestBotModelReachesEveryNode: a knowledge change made through node A is rebuilt in
// the background (on whichever node's worker takes the job) and answered with by both
// nodes, the old answer serving until then.
func TestBotModelReachesEveryNode(t *testing.T) {
	t.Parallel()
	kefutest.NeedPostgres(t)
	kefutest.NeedRedis(t)
	dbURL, _ := withPassword(t, kefutest.NewPostgresDB(t))
	env := kefuEnv("KEFU_DATABASE_URL="+dbURL, "KEFU_REDIS_URL="+kefutest.NewRedisDB(t))
	root := t.TempDir()
	a := spawnServer(t, "node A", freePort(t), filepath.Join(root, "a"), env)
	b := spawnServer(t, "node B", freePort(t), filepath.Join(root, "b"), env)
	for _, s := range []*server{a, b} {
		if err := s.waitHealthy(startDeadline); err != nil {
			t.Fatalf("%s: %v\n--- %s output ---\n%s", s.name, err, s.name, s.Output())
		}
	}
	r := expect(t, call(t, "POST", a.URL+"/api/v1/signup", "", map[string]string{
		"tenant_name": "Bot Nodes", "name": "Olive Owner", "email": "owner@bot-nodes.test", "password": testPassword,
	}), http.StatusCreated)
	kb, tok := "/api/v1/tenants/"+r.Str("tenant.id"), r.Str("access_token")
	f := expect(t, call(t, "POST", a.URL+kb+"/kb/faqs", tok, map[string]any{"question": "退款多久到账",
		"similar_questions": []string{"退款什么时候到", "钱什么时候退回来", "退款一般几天"}, "answer": "第一版答案", "locale": "zh-CN"}), http.StatusCreated)
	faq := kb + "/kb/faqs/" + f.Str("id")
	expect(t, call(t, "POST", a.URL+faq+"/publish", tok, nil), http.StatusOK)

	answers := func(s *server, want string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			d := expect(t, call(t, "POST", s.URL+kb+"/bot/try", tok, map[string]any{"text": "我的退款什么时候到账"}), http.StatusOK)
			if d.Str("reply") == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still answers %s, want %q", s.name, d, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	answers(b, "第一版答案")
	answers(a, "第一版答案")

	expect(t, call(t, "PATCH", a.URL+faq, tok, map[string]any{"answer": "第二版答案"}), http.StatusOK)
	// A draft changes nothing customers see.
	if d := expect(t, call(t, "POST", b.URL+kb+"/bot/try", tok, map[string]any{"text": "我的退款什么时候到账"}), http.StatusOK); d.Str("reply") != "第一版答案" {
		t.Fatalf("an unpublished edit reached the bot: %s", d)
	}
	expect(t, call(t, "POST", a.URL+faq+"/publish", tok, nil), http.StatusOK)
	answers(b, "第二版答案")
	answers(a, "第二版答案")
}
