package knowledge_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/audit"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/knowledge/knowledgedb"
	"github.com/kefu-io/kefu/server/internal/platform/db"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// notes records KnowledgeChanged calls.
type notes struct {
	mu sync.Mutex
	n  map[uuid.UUID]int
}

func (n *notes) KnowledgeChanged(_ context.Context, tid uuid.UUID) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.n == nil {
		n.n = map[uuid.UUID]int{}
	}
	n.n[tid]++
}

func (n *notes) count(tid uuid.UUID) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.n[tid]
}

// fixture is the engine on one backend with two tenants.
type fixture struct {
	svc      *knowledge.Service
	audit    *audit.Log
	clock    *clock
	notes    *notes
	a, b     uuid.UUID
	ctx      context.Context // tenant a, as a user
	ctxB     context.Context // tenant b
	user     uuid.UUID
	database *db.DB
}

// eachBackend runs fn on SQLite and, when reachable, on PostgreSQL (as the application
// role, under row-level security).
func eachBackend(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, b := range kefutest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			bg := context.Background()
			var d *db.DB
			var insertTenant func(id uuid.UUID, name string)
			switch b.Name {
			case "postgres":
				_, owner, app := kefutest.MigratedPostgres(t, 4)
				d = app
				insertTenant = func(id uuid.UUID, name string) {
					if _, err := owner.Exec(`INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES ($1, $2, $3, now(), now())`,
						id, name, "t-"+id.String()); err != nil {
						t.Fatal(err)
					}
				}
			default:
				dir := t.TempDir()
				if _, err := db.MigrateUp(bg, "", dir); err != nil {
					t.Fatal(err)
				}
				var err error
				if d, err = db.Open(bg, db.Options{DataDir: dir}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				insertTenant = func(id uuid.UUID, name string) {
					if _, err := d.SQL().Exec(`INSERT INTO tenants (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
						id.String(), name, "t-"+id.String(), time.Now().UTC(), time.Now().UTC()); err != nil {
						t.Fatal(err)
					}
				}
			}
			f := &fixture{clock: &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}, notes: &notes{},
				a: uuid.Must(uuid.NewV7()), b: uuid.Must(uuid.NewV7()), user: uuid.Must(uuid.NewV7()), database: d}
			insertTenant(f.a, "A")
			insertTenant(f.b, "B")
			f.audit = &audit.Log{DB: d}
			f.svc = &knowledge.Service{Store: &knowledgedb.Store{DB: d}, Tx: d, Audit: f.audit, Notifier: f.notes, Now: f.clock.Now}
			f.ctx = tenants.NewUserContext(tenants.NewContext(bg, f.a), f.user)
			f.ctxB = tenants.NewContext(bg, f.b)
			fn(t, f)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func faq(q, a string) knowledge.Input {
	return knowledge.Input{Question: ptr(q), Answer: ptr(a), Locale: ptr("zh-CN")}
}

func article(title, body string) knowledge.Input {
	return knowledge.Input{Title: ptr(title), Body: ptr(body), Locale: ptr("en")}
}

// get takes a call's results and returns a check: get(f())(t) is f's value, or a
// fatal error.
func get[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantErr checks err is the classified error with the code (and field, when given).
func wantErr(t *testing.T, err error, code, field string) *errs.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	e := errs.As(err)
	if e.Kind == errs.Internal {
		t.Fatalf("internal error, want %s: %v", code, err)
	}
	if e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("error %s (field %q): %v; want %s (field %q)", e.Code, e.Field, err, code, field)
	}
	return e
}

func TestWorkflow(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx := f.ctx
		e := get(f.svc.Create(ctx, knowledge.KindFAQ, faq("怎么退款？", "在订单页点击退款。")))(t)
		if e.Status != knowledge.StatusDraft || e.Version != 1 || e.Live != nil || e.CreatedBy == nil || *e.CreatedBy != f.user {
			t.Fatalf("created %+v", e)
		}
		if c := get(f.svc.Live(ctx))(t); len(c.FAQs) != 0 || c.Revision != 0 {
			t.Fatalf("a draft is live: %+v", c)
		}
		// A draft cannot be rejected or submitted twice.
		_, err := f.svc.Reject(ctx, knowledge.KindFAQ, e.ID, "")
		wantErr(t, err, "kb.invalid-transition", "")
		e = get(f.svc.Submit(ctx, knowledge.KindFAQ, e.ID))(t)
		if e.Status != knowledge.StatusInReview || e.Version != 2 {
			t.Fatalf("submitted %+v", e)
		}
		_, err = f.svc.Submit(ctx, knowledge.KindFAQ, e.ID)
		if ee := wantErr(t, err, "kb.invalid-transition", ""); !strings.Contains(ee.Message, "in review") {
			t.Fatalf("message %q does not say why", ee.Message)
		}
		// Rejected with a note, resubmitted, published.
		e = get(f.svc.Reject(ctx, knowledge.KindFAQ, e.ID, "Mention the 7-day window."))(t)
		if e.Status != knowledge.StatusDraft {
			t.Fatalf("rejected %+v", e)
		}
		e = get(f.svc.Update(ctx, knowledge.KindFAQ, e.ID, knowledge.Input{Answer: ptr("7 天内在订单页点击退款。")}))(t)
		get(f.svc.Submit(ctx, knowledge.KindFAQ, e.ID))(t)
		e = get(f.svc.Publish(ctx, knowledge.KindFAQ, e.ID))(t)
		if e.Status != knowledge.StatusPublished || e.Live == nil || e.LiveVersion != e.Version || e.PublishedAt == nil {
			t.Fatalf("published %+v", e)
		}
		if f.notes.count(f.a) != 1 {
			t.Fatalf("notified %d times, want 1", f.notes.count(f.a))
		}
		c := get(f.svc.Live(ctx))(t)
		if len(c.FAQs) != 1 || c.FAQs[0].Answer != "7 天内在订单页点击退款。" || c.Revision != 1 || c.FAQs[0].Version != e.Version {
			t.Fatalf("live after publish: %+v", c)
		}
		_, err = f.svc.Publish(ctx, knowledge.KindFAQ, e.ID)
		wantErr(t, err, "kb.invalid-transition", "")

		// Editing the published entry leaves customers' copy alone until it is published.
		e = get(f.svc.Update(ctx, knowledge.KindFAQ, e.ID, knowledge.Input{Answer: ptr("新答案"), SimilarQuestions: &[]string{"如何退款", "退款流程"}}))(t)
		if e.Status != knowledge.StatusDraft || !e.PendingChanges() || e.Live.Answer != "7 天内在订单页点击退款。" {
			t.Fatalf("edited published entry: %+v", e)
		}
		c = get(f.svc.Live(ctx))(t)
		if c.FAQs[0].Answer != "7 天内在订单页点击退款。" || len(c.FAQs[0].SimilarQuestions) != 0 || c.Revision != 1 {
			t.Fatalf("an unpublished edit reached customers: %+v", c.FAQs[0])
		}
		if f.notes.count(f.a) != 1 {
			t.Fatal("an unpublished edit notified")
		}
		// An edit that changes nothing records nothing.
		same := get(f.svc.Update(ctx, knowledge.KindFAQ, e.ID, knowledge.Input{Answer: ptr("  新答案 \n")}))(t)
		if same.Version != e.Version {
			t.Fatalf("a no-op edit made version %d", same.Version)
		}
		e = get(f.svc.Publish(ctx, knowledge.KindFAQ, e.ID))(t)
		c = get(f.svc.Live(ctx))(t)
		if c.FAQs[0].Answer != "新答案" || c.FAQs[0].AnswerFor("sms") != "新答案" || len(c.FAQs[0].SimilarQuestions) != 2 || c.Revision != 2 {
			t.Fatalf("live after second publish: %+v", c)
		}

		// Archive withdraws it; an edit brings it back as a draft, not live.
		e = get(f.svc.Archive(ctx, knowledge.KindFAQ, e.ID))(t)
		if e.Status != knowledge.StatusArchived || e.Live != nil || e.LiveVersion != 0 {
			t.Fatalf("archived %+v", e)
		}
		if c := get(f.svc.Live(ctx))(t); len(c.FAQs) != 0 || c.Revision != 3 {
			t.Fatalf("live after archive: %+v", c)
		}
		_, err = f.svc.Archive(ctx, knowledge.KindFAQ, e.ID)
		wantErr(t, err, "kb.invalid-transition", "")
		e = get(f.svc.Update(ctx, knowledge.KindFAQ, e.ID, knowledge.Input{Answer: ptr("回来了")}))(t)
		if e.Status != knowledge.StatusDraft || e.Live != nil {
			t.Fatalf("edited archived entry: %+v", e)
		}
		// The kind is part of the id: an FAQ is not an article.
		_, err = f.svc.Get(ctx, knowledge.KindArticle, e.ID)
		wantErr(t, err, "kb.article-not-found", "")

		e = get(f.svc.Publish(ctx, knowledge.KindFAQ, e.ID))(t)
		if err := f.svc.Delete(ctx, knowledge.KindFAQ, e.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Get(ctx, knowledge.KindFAQ, e.ID)
		wantErr(t, err, "kb.faq-not-found", "")
		if c := get(f.svc.Live(ctx))(t); len(c.FAQs) != 0 || c.Revision != 5 {
			t.Fatalf("live after delete: %+v", c)
		}
		if f.notes.count(f.a) != 5 || f.notes.count(f.b) != 0 {
			t.Fatalf("notifications a=%d b=%d, want 5 and 0", f.notes.count(f.a), f.notes.count(f.b))
		}

		// Publish, archive and delete are in the audit log.
		entries := get(f.audit.List(ctx, audit.Filter{Limit: 50}))(t)
		got := map[string]int{}
		for _, x := range entries {
			got[x.Action]++
			if x.TargetID != e.ID.String() || x.TargetType != "kb.faq" {
				t.Errorf("audit entry %+v names another target", x)
			}
		}
		if got["kb.faq.published"] != 3 || got["kb.faq.archived"] != 1 || got["kb.faq.deleted"] != 1 || len(entries) != 5 {
			t.Fatalf("audit log %v", got)
		}
	})
}

func TestVersionsDiffRollback(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx, k := f.ctx, knowledge.KindArticle
		e := get(f.svc.Create(ctx, k, article("Shipping", "# Shipping\n\nWe ship daily.\nFree over ¥99.")))(t)
		e = get(f.svc.Update(ctx, k, e.ID, knowledge.Input{Body: ptr("# Shipping\n\nWe ship on weekdays.\nFree over ¥99."), Tags: &[]string{"logistics"}}))(t)
		e = get(f.svc.Publish(ctx, k, e.ID))(t) // v3
		if e.Version != 3 {
			t.Fatalf("version %d", e.Version)
		}

		d := get(f.svc.Diff(ctx, k, e.ID, 1, 2))(t)
		fields := map[string]knowledge.FieldChange{}
		for _, c := range d.Changes {
			fields[c.Field] = c
		}
		if len(fields) != 2 || fields["body"].Field == "" || fields["tags"].Field == "" {
			t.Fatalf("diff 1→2 fields %v", d.Changes)
		}
		var ops []string
		for _, l := range fields["body"].Lines {
			ops = append(ops, l.Op+":"+l.Text)
		}
		if got, want := strings.Join(ops, "|"), "equal:# Shipping|equal:|delete:We ship daily.|insert:We ship on weekdays.|equal:Free over ¥99."; got != want {
			t.Fatalf("body line diff\n got %s\nwant %s", got, want)
		}
		// Defaults: the latest against the one before (only the status changed).
		d = get(f.svc.Diff(ctx, k, e.ID, 0, 0))(t)
		if d.From != 2 || d.To != 3 || len(d.Changes) != 1 || d.Changes[0].Field != "status" || d.Changes[0].To != "published" {
			t.Fatalf("default diff %+v", d)
		}
		_, err := f.svc.Diff(ctx, k, e.ID, 1, 9)
		wantErr(t, err, "kb.version-not-found", "")

		// Rollback makes a new draft with v1's content; customers keep v3 until published.
		e = get(f.svc.Rollback(ctx, k, e.ID, 1))(t)
		if e.Version != 4 || e.Status != knowledge.StatusDraft || !strings.Contains(e.Content.Body, "daily") || len(e.Content.Tags) != 0 {
			t.Fatalf("rolled back %+v", e)
		}
		if !strings.Contains(e.Content.HTML, "daily") {
			t.Fatalf("rollback did not render HTML: %q", e.Content.HTML)
		}
		c := get(f.svc.Live(ctx))(t)
		if len(c.Articles) != 1 || !strings.Contains(c.Articles[0].Body, "weekdays") || !strings.Contains(c.Articles[0].HTML, "<h1") {
			t.Fatalf("rollback changed live content: %+v", c.Articles)
		}
		vs := get(f.svc.Versions(ctx, k, e.ID, 0, 50))(t)
		var seq []string
		for _, v := range vs {
			seq = append(seq, fmt.Sprintf("%d:%s:%s", v.Version, v.Action, v.Status))
			if v.AuthorID == nil || *v.AuthorID != f.user || v.CreatedAt.IsZero() {
				t.Errorf("version %d has no author or time: %+v", v.Version, v)
			}
		}
		if got, want := strings.Join(seq, " "), "4:rolled_back:draft 3:published:published 2:edited:draft 1:created:draft"; got != want {
			t.Fatalf("versions %s, want %s", got, want)
		}
		if vs[0].Note != "from version 1" {
			t.Fatalf("rollback note %q", vs[0].Note)
		}
		page := get(f.svc.Versions(ctx, k, e.ID, 3, 1))(t)
		if len(page) != 1 || page[0].Version != 2 {
			t.Fatalf("page before 3: %+v", page)
		}
		v2 := get(f.svc.Version(ctx, k, e.ID, 2))(t)
		if !strings.Contains(v2.Content.Body, "weekdays") || v2.Content.Tags[0] != "logistics" || v2.Content.HTML != "" {
			t.Fatalf("version 2 snapshot %+v", v2.Content)
		}
		_, err = f.svc.Rollback(ctx, k, e.ID, 42)
		wantErr(t, err, "kb.version-not-found", "")
		_, err = f.svc.Version(ctx, knowledge.KindFAQ, e.ID, 1)
		wantErr(t, err, "kb.faq-not-found", "")

		e = get(f.svc.Publish(ctx, k, e.ID))(t)
		if c := get(f.svc.Live(ctx))(t); !strings.Contains(c.Articles[0].Body, "daily") || c.Articles[0].Version != 5 {
			t.Fatalf("published rollback not live: %+v", c.Articles)
		}

		// Optimistic edits: a stale base version is refused.
		_, err = f.svc.Update(ctx, k, e.ID, knowledge.Input{Title: ptr("Delivery"), BaseVersion: 3})
		wantErr(t, err, "kb.edit-conflict", "version")
		get(f.svc.Update(ctx, k, e.ID, knowledge.Input{Title: ptr("Delivery"), BaseVersion: 5}))(t)
	})
}

func TestExpiryMakesStale(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx, k := f.ctx, knowledge.KindFAQ
		now := f.clock.Now()
		in := faq("营业时间？", "每天 9 点到 18 点。")
		in.ExpiresAt = knowledge.Nullable[time.Time]{Set: true, Value: ptr(now.Add(time.Hour))}
		e := get(f.svc.Create(ctx, k, in))(t)
		e = get(f.svc.Publish(ctx, k, e.ID))(t)
		keep := get(f.svc.Create(ctx, k, faq("地址？", "上海。")))(t)
		get(f.svc.Publish(ctx, k, keep.ID))(t)
		c := get(f.svc.Live(ctx))(t)
		if len(c.FAQs) != 2 || c.NextExpiry == nil || !c.NextExpiry.Equal(now.Add(time.Hour)) {
			t.Fatalf("live before expiry: %d faqs, next expiry %v", len(c.FAQs), c.NextExpiry)
		}
		rev := c.Revision

		f.clock.Add(2 * time.Hour)
		got := get(f.svc.Get(ctx, k, e.ID))(t)
		if !got.Stale || got.Status != knowledge.StatusPublished {
			t.Fatalf("expired entry: stale=%v status=%s", got.Stale, got.Status)
		}
		c = get(f.svc.Live(ctx))(t)
		if len(c.FAQs) != 1 || c.FAQs[0].ID != keep.ID || c.NextExpiry != nil {
			t.Fatalf("live after expiry: %+v", c.FAQs)
		}
		if c.Revision != rev+1 {
			t.Fatalf("revision after expiry %d, want %d", c.Revision, rev+1)
		}
		if r := get(f.svc.Revision(ctx))(t); r != c.Revision {
			t.Fatalf("Revision %d, Live.Revision %d", r, c.Revision)
		}
		stale := get(f.svc.List(ctx, knowledge.Filter{Kind: k, Stale: ptr(true)}))(t)
		fresh := get(f.svc.List(ctx, knowledge.Filter{Kind: k, Stale: ptr(false)}))(t)
		if len(stale) != 1 || stale[0].ID != e.ID || !stale[0].Stale || len(fresh) != 1 || fresh[0].ID != keep.ID || fresh[0].Stale {
			t.Fatalf("stale filter: stale=%v fresh=%v", ids(stale), ids(fresh))
		}

		// Review: a past expiry date is refused; a new one is a draft until published.
		_, err := f.svc.Update(ctx, k, e.ID, knowledge.Input{ExpiresAt: knowledge.Nullable[time.Time]{Set: true, Value: ptr(now)}})
		wantErr(t, err, "request.invalid", "expires_at")
		get(f.svc.Update(ctx, k, e.ID, knowledge.Input{ExpiresAt: knowledge.Nullable[time.Time]{Set: true, Value: ptr(f.clock.Now().Add(24 * time.Hour))}}))(t)
		if c := get(f.svc.Live(ctx))(t); len(c.FAQs) != 1 || c.Revision != rev+1 {
			t.Fatalf("an unpublished new expiry changed live content: %d faqs, revision %d", len(c.FAQs), c.Revision)
		}
		if got := get(f.svc.Get(ctx, k, e.ID))(t); !got.Stale {
			t.Fatal("the live copy is still expired, but the entry is not stale")
		}
		get(f.svc.Publish(ctx, k, e.ID))(t)
		c = get(f.svc.Live(ctx))(t)
		if len(c.FAQs) != 2 || c.Revision <= rev+1 {
			t.Fatalf("re-published entry: %d faqs, revision %d (was %d)", len(c.FAQs), c.Revision, rev+1)
		}

		// The revision never goes back: archiving an entry that expired since the last
		// change still moves it forward.
		rev = c.Revision
		f.clock.Add(48 * time.Hour)
		r1 := get(f.svc.Revision(ctx))(t)
		if r1 != rev+1 {
			t.Fatalf("revision %d after the second expiry, want %d", r1, rev+1)
		}
		get(f.svc.Archive(ctx, k, e.ID))(t)
		if r2 := get(f.svc.Revision(ctx))(t); r2 <= r1 {
			t.Fatalf("revision went from %d to %d on archive", r1, r2)
		}

		// A draft whose expiry date passes is stale too, and cannot be published as is.
		in = faq("促销？", "本周末。")
		in.ExpiresAt = knowledge.Nullable[time.Time]{Set: true, Value: ptr(f.clock.Now().Add(time.Minute))}
		d := get(f.svc.Create(ctx, k, in))(t)
		f.clock.Add(time.Hour)
		if got := get(f.svc.Get(ctx, k, d.ID))(t); !got.Stale {
			t.Fatal("an expired draft is not stale")
		}
		_, err = f.svc.Publish(ctx, k, d.ID)
		wantErr(t, err, "kb.expired", "")
		// Clearing the expiry date is a review too.
		get(f.svc.Update(ctx, k, d.ID, knowledge.Input{ExpiresAt: knowledge.Nullable[time.Time]{Set: true}}))(t)
		get(f.svc.Publish(ctx, k, d.ID))(t)

		in = faq("过期？", "是。")
		in.ExpiresAt = knowledge.Nullable[time.Time]{Set: true, Value: ptr(f.clock.Now().Add(-time.Second))}
		_, err = f.svc.Create(ctx, k, in)
		wantErr(t, err, "request.invalid", "expires_at")
	})
}

func ids(es []knowledge.Entry) []uuid.UUID {
	out := make([]uuid.UUID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestArticleHTMLIsSafe(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		body := "## Hi\n\n**bold** <script>alert(1)</script> [x](javascript:alert(2))\n\n<img src=x onerror=alert(3)>"
		e := get(f.svc.Create(f.ctx, knowledge.KindArticle, article("XSS", body)))(t)
		e = get(f.svc.Publish(f.ctx, knowledge.KindArticle, e.ID))(t)
		c := get(f.svc.Live(f.ctx))(t)
		for _, html := range []string{e.Content.HTML, e.Live.HTML, c.Articles[0].HTML} {
			if !strings.Contains(html, "<strong>bold</strong>") || !strings.Contains(html, "<h2") {
				t.Fatalf("markdown not rendered: %q", html)
			}
			for _, bad := range []string{"<script", "alert(1)", "javascript:", "onerror"} {
				if strings.Contains(strings.ToLower(html), bad) {
					t.Fatalf("html keeps %q: %q", bad, html)
				}
			}
		}
		if c.Articles[0].Body != body {
			t.Fatalf("the Markdown source changed: %q", c.Articles[0].Body)
		}
	})
}

// TestRenderMarkdown feeds the renderer the usual injection vectors.
func TestRenderMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		keep      []string
	}{
		{"script tag", "hello <script>alert(1)</script>", []string{"hello"}},
		{"script block", "<script>\nalert(1)\n</script>\n\ntext", []string{"text"}},
		{"event handler", `<img src="https://example.com/a.png" onerror="alert(1)" onload="alert(1)">`, []string{`src="https://example.com/a.png"`}},
		{"javascript link", "[click](javascript:alert(1))", []string{"click"}},
		{"javascript href", `<a href="JaVaScRiPt:alert(1)">x</a>`, []string{"x"}},
		{"entity-encoded javascript", `<a href="&#106;avascript:alert(1)">x</a>`, []string{"x"}},
		{"data url", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`, []string{"x"}},
		{"vbscript", "[x](vbscript:msgbox(1))", []string{"x"}},
		{"iframe", `<iframe src="https://evil.test"></iframe>ok`, []string{"ok"}},
		{"svg onload", `<svg onload="alert(1)"><circle/></svg>ok`, []string{"ok"}},
		{"style attribute", `<p style="background:url(javascript:alert(1))">p</p>`, []string{"p"}},
		{"form", `<form action="https://evil.test"><input name="pw"></form>f`, []string{"f"}},
		{"object", `<object data="x.swf"></object><embed src="x.swf">o`, []string{"o"}},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">m`, []string{"m"}},
		{"safe link", "[docs](https://kefu.example/docs)", []string{`href="https://kefu.example/docs"`, `rel="nofollow`}},
		{"table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}},
		{"emoji and mixed script", "退款 refund 🎉 возврат", []string{"退款 refund 🎉 возврат"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html, err := knowledge.RenderMarkdown(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			low := strings.ToLower(html)
			for _, bad := range []string{"<script", "alert(", "javascript:", "vbscript:", "data:text", "onerror", "onload",
				"<iframe", "style=", "<form", "<input", "<object", "<embed", "<meta", "<svg"} {
				if strings.Contains(low, bad) {
					t.Errorf("output keeps %q: %s", bad, html)
				}
			}
			for _, k := range tc.keep {
				if !strings.Contains(html, k) {
					t.Errorf("output lost %q: %s", k, html)
				}
			}
		})
	}
}

func TestValidation(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		long := func(r string, n int) string { return strings.Repeat(r, n) }
		many := func(n int, f func(i int) string) *[]string {
			out := make([]string, n)
			for i := range out {
				out[i] = f(i)
			}
			return &out
		}
		withFAQ := func(mod func(in *knowledge.Input)) knowledge.Input {
			in := faq("问题", "答案")
			mod(&in)
			return in
		}
		for _, tc := range []struct {
			name  string
			kind  knowledge.Kind
			in    knowledge.Input
			code  string
			field string
		}{
			{"blank question", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Question = ptr(" \t\n ") }), "request.invalid", "question"},
			{"no answer", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Answer = nil }), "request.invalid", "answer"},
			{"question of 501 characters", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Question = ptr(long("问", 501)) }), "request.invalid", "question"},
			{"201 similar questions", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) {
				in.SimilarQuestions = many(201, func(i int) string { return fmt.Sprint("q", i) })
			}), "request.invalid", "similar_questions"},
			{"blank similar question", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.SimilarQuestions = &[]string{"ok", "  "} }), "request.invalid", "similar_questions[1]"},
			{"answer over 20 KB", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Answer = ptr(long("a", 20<<10+1)) }), "request.invalid", "answer"},
			{"NUL in answer", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Answer = ptr("a\x00b") }), "request.invalid", "answer"},
			{"invalid UTF-8", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Question = ptr("a\xffb") }), "request.invalid", "question"},
			{"unknown locale", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Locale = ptr("fr") }), "request.invalid", "locale"},
			{"no locale", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Locale = nil }), "request.invalid", "locale"},
			{"21 tags", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Tags = many(21, func(i int) string { return fmt.Sprint("t", i) }) }), "request.invalid", "tags"},
			{"tag too long", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Tags = &[]string{long("标", 51)} }), "request.invalid", "tags[0]"},
			{"bad channel kind", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.ChannelAnswers = &map[string]string{"Web!": "x"} }), "request.invalid", "channel_answers"},
			{"blank channel answer", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.ChannelAnswers = &map[string]string{"sms": " "} }), "request.invalid", "channel_answers.sms"},
			{"article field on an FAQ", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) { in.Title = ptr("x") }), "request.invalid", "title"},
			{"unknown category", knowledge.KindFAQ, withFAQ(func(in *knowledge.Input) {
				in.Category = knowledge.Nullable[uuid.UUID]{Set: true, Value: ptr(uuid.New())}
			}), "kb.unknown-category", "category_id"},
			{"blank title", knowledge.KindArticle, article("   ", "body"), "request.invalid", "title"},
			{"title of 201 characters", knowledge.KindArticle, article(long("t", 201), "body"), "request.invalid", "title"},
			{"body over 200 KB", knowledge.KindArticle, article("t", long("b", 200<<10+1)), "request.invalid", "body"},
			{"FAQ field on an article", knowledge.KindArticle, knowledge.Input{Title: ptr("t"), Body: ptr("b"), Locale: ptr("en"), Answer: ptr("a")}, "request.invalid", "answer"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Create(f.ctx, tc.kind, tc.in)
				wantErr(t, err, tc.code, tc.field)
			})
		}
		if es := get(f.svc.List(f.ctx, knowledge.Filter{Kind: knowledge.KindFAQ}))(t); len(es) != 0 {
			t.Fatalf("refused inputs were stored: %d", len(es))
		}

		// At the limits, with emoji and mixed scripts, and normalised.
		in := knowledge.Input{Question: ptr("  退款 refund 🎉  возврат？ "), Answer: ptr(long("答", 20<<10/3)), Locale: ptr("zh-CN"),
			SimilarQuestions: many(200, func(i int) string { return fmt.Sprint("如何退款 ", i, " 🙂") }),
			Tags:             &[]string{"退款", "退款", " vip ", long("标", 50)}, ChannelAnswers: &map[string]string{"sms": "短信答案", "wechat": "微信答案"}}
		e := get(f.svc.Create(f.ctx, knowledge.KindFAQ, in))(t)
		if e.Content.Question != "退款 refund 🎉 возврат？" || len(e.Content.SimilarQuestions) != 200 || len(e.Content.Tags) != 3 || e.Content.Tags[1] != "vip" {
			t.Fatalf("normalised %q, %d similar, tags %q", e.Content.Question, len(e.Content.SimilarQuestions), e.Content.Tags)
		}
		got := get(f.svc.Get(f.ctx, knowledge.KindFAQ, e.ID))(t)
		if got.Content.Question != e.Content.Question || got.Content.ChannelAnswers["wechat"] != "微信答案" || got.Content.SimilarQuestions[199] != "如何退款 199 🙂" {
			t.Fatalf("stored %+v", got.Content)
		}
		a := get(f.svc.Create(f.ctx, knowledge.KindArticle, article(long("題", 200), long("b", 200<<10))))(t)
		if len(a.Content.Body) != 200<<10 {
			t.Fatalf("body of %d bytes", len(a.Content.Body))
		}

		// A batch is all or nothing, and its errors name the item.
		_, err := f.svc.BulkCreate(f.ctx, knowledge.KindFAQ, []knowledge.Input{faq("一", "1"), withFAQ(func(in *knowledge.Input) { in.Answer = ptr("") })})
		wantErr(t, err, "request.invalid", "items[1].answer")
		_, err = f.svc.BulkCreate(f.ctx, knowledge.KindFAQ, []knowledge.Input{faq("一", "1"),
			withFAQ(func(in *knowledge.Input) {
				in.Category = knowledge.Nullable[uuid.UUID]{Set: true, Value: ptr(uuid.New())}
			})})
		wantErr(t, err, "kb.unknown-category", "items[1].category_id")
		if es := get(f.svc.ListAll(f.ctx, knowledge.KindFAQ))(t); len(es) != 1 {
			t.Fatalf("a failed batch stored entries: %d", len(es))
		}
		es := get(f.svc.BulkCreate(f.ctx, knowledge.KindFAQ, []knowledge.Input{faq("一", "1"), faq("二", "2")}))(t)
		if len(es) != 2 || len(get(f.svc.ListAll(f.ctx, knowledge.KindFAQ))(t)) != 3 {
			t.Fatal("bulk create did not store both")
		}
	})
}

func TestCategories(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx := f.ctx
		cat := func(zh, en string, parent *uuid.UUID, pos *int) knowledge.Category {
			t.Helper()
			return get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"zh-CN": zh, "en": en}, ParentID: parent, Position: pos}))(t)
		}
		order := func() string {
			t.Helper()
			var out []string
			for _, c := range get(f.svc.Categories(ctx))(t) {
				p := "-"
				if c.ParentID != nil {
					p = get(f.svc.Category(ctx, *c.ParentID))(t).Name["en"]
				}
				out = append(out, fmt.Sprintf("%s/%s@%d", p, c.Name["en"], c.Position))
			}
			return strings.Join(out, " ")
		}
		a := cat("账户", "Account", nil, nil)
		b := cat("支付", "Billing", nil, nil)
		a1 := cat("登录", "Login", &a.ID, nil)
		cat("通知", "Notices", nil, ptr(0))
		if got, want := order(), "-/Notices@0 -/Account@1 Account/Login@0 -/Billing@2"; got != want {
			t.Fatalf("tree\n got %s\nwant %s", got, want)
		}
		// Move Billing under Account, first.
		get(f.svc.MoveCategory(ctx, b.ID, &a.ID, ptr(0)))(t)
		if got, want := order(), "-/Notices@0 -/Account@1 Account/Billing@0 Account/Login@1"; got != want {
			t.Fatalf("after move\n got %s\nwant %s", got, want)
		}
		// And back to the top, last.
		get(f.svc.MoveCategory(ctx, b.ID, nil, nil))(t)
		if got, want := order(), "-/Notices@0 -/Account@1 Account/Login@0 -/Billing@2"; got != want {
			t.Fatalf("after move back\n got %s\nwant %s", got, want)
		}
		_, err := f.svc.MoveCategory(ctx, a.ID, &a1.ID, nil)
		wantErr(t, err, "kb.category-cycle", "parent_id")
		_, err = f.svc.MoveCategory(ctx, a.ID, &a.ID, nil)
		wantErr(t, err, "kb.category-cycle", "parent_id")
		_, err = f.svc.MoveCategory(ctx, a.ID, ptr(uuid.New()), nil)
		wantErr(t, err, "kb.unknown-parent", "parent_id")
		_, err = f.svc.MoveCategory(ctx, uuid.New(), nil, nil)
		wantErr(t, err, "kb.category-not-found", "")

		// Depth: a chain of 6 is the limit, for new categories and for moves.
		parent := a1.ID
		for i := 3; i <= knowledge.MaxCategoryDepth; i++ {
			parent = cat(fmt.Sprint("层", i), fmt.Sprint("L", i), &parent, nil).ID
		}
		_, err = f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"en": "too deep"}, ParentID: &parent})
		wantErr(t, err, "kb.category-too-deep", "parent_id")
		_, err = f.svc.MoveCategory(ctx, b.ID, &parent, nil)
		wantErr(t, err, "kb.category-too-deep", "parent_id")

		// Names: per allowed locale, never blank.
		_, err = f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"fr": "Compte"}})
		wantErr(t, err, "request.invalid", "name")
		_, err = f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"en": "  "}})
		wantErr(t, err, "request.invalid", "name.en")
		_, err = f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{}})
		wantErr(t, err, "request.invalid", "name")
		r := get(f.svc.RenameCategory(ctx, b.ID, map[string]string{"en": "Payments 💳"}))(t)
		if r.Name["en"] != "Payments 💳" || r.Name["zh-CN"] != "" {
			t.Fatalf("renamed %+v", r.Name)
		}

		// Delete refuses a category with subcategories or entries, live ones included.
		err = f.svc.DeleteCategory(ctx, a.ID)
		if e := wantErr(t, err, "kb.category-not-empty", ""); !strings.Contains(e.Message, "1 subcategories") {
			t.Fatalf("message %q", e.Message)
		}
		in := faq("密码忘了？", "点击找回密码。")
		in.Category = knowledge.Nullable[uuid.UUID]{Set: true, Value: &b.ID}
		e := get(f.svc.Create(ctx, knowledge.KindFAQ, in))(t)
		get(f.svc.Publish(ctx, knowledge.KindFAQ, e.ID))(t)
		get(f.svc.Update(ctx, knowledge.KindFAQ, e.ID, knowledge.Input{Category: knowledge.Nullable[uuid.UUID]{Set: true}}))(t)
		err = f.svc.DeleteCategory(ctx, b.ID)
		if e := wantErr(t, err, "kb.category-not-empty", ""); !strings.Contains(e.Message, "1 entries") {
			t.Fatalf("message %q", e.Message)
		}
		if got := get(f.svc.List(ctx, knowledge.Filter{Kind: knowledge.KindFAQ, CategoryID: &b.ID}))(t); len(got) != 0 {
			t.Fatal("the category filter follows the working copy")
		}
		get(f.svc.Publish(ctx, knowledge.KindFAQ, e.ID))(t)
		if err := f.svc.DeleteCategory(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.svc.DeleteCategory(ctx, b.ID), "kb.category-not-found", "")
		if got := get(f.audit.List(ctx, audit.Filter{Action: "kb.category.deleted"}))(t); len(got) != 1 || got[0].TargetID != b.ID.String() {
			t.Fatalf("audit %+v", got)
		}
		live := get(f.svc.Live(ctx))(t)
		if len(live.Categories) != 7 || live.Categories[0].Name["en"] != "Notices" {
			t.Fatalf("live categories %+v", live.Categories)
		}

		// Another tenant's category is not a parent here.
		other := get(f.svc.CreateCategory(f.ctxB, knowledge.CategoryInput{Name: map[string]string{"en": "B's"}}))(t)
		_, err = f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"en": "mole"}, ParentID: &other.ID})
		wantErr(t, err, "kb.unknown-parent", "parent_id")
		_, err = f.svc.Category(ctx, other.ID)
		wantErr(t, err, "kb.category-not-found", "")
	})
}

func TestListFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx, k := f.ctx, knowledge.KindFAQ
		c := get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"en": "Orders"}}))(t)
		mk := func(q, a, locale string, tags []string, cat *uuid.UUID) knowledge.Entry {
			in := knowledge.Input{Question: ptr(q), Answer: ptr(a), Locale: ptr(locale), Tags: &tags}
			if cat != nil {
				in.Category = knowledge.Nullable[uuid.UUID]{Set: true, Value: cat}
			}
			return get(f.svc.Create(ctx, k, in))(t)
		}
		e1 := mk("How do I get a REFUND?", "Open the order.", "en", []string{"refund"}, &c.ID)
		e2 := mk("退款多久到账？", "3 个工作日 100% 到账。", "zh-CN", []string{"refund", "vip"}, nil)
		e3 := mk("Where is my parcel?", "Track it <here> & now.", "en", nil, &c.ID)
		get(f.svc.Publish(ctx, k, e3.ID))(t)
		for _, tc := range []struct {
			name string
			f    knowledge.Filter
			want []uuid.UUID
		}{
			{"all", knowledge.Filter{}, []uuid.UUID{e3.ID, e2.ID, e1.ID}},
			{"tag", knowledge.Filter{Tag: "refund"}, []uuid.UUID{e2.ID, e1.ID}},
			{"tag vip", knowledge.Filter{Tag: "vip"}, []uuid.UUID{e2.ID}},
			{"locale", knowledge.Filter{Locale: "en"}, []uuid.UUID{e3.ID, e1.ID}},
			{"category", knowledge.Filter{CategoryID: &c.ID}, []uuid.UUID{e3.ID, e1.ID}},
			{"status", knowledge.Filter{Status: knowledge.StatusPublished}, []uuid.UUID{e3.ID}},
			{"q in question, any case", knowledge.Filter{Query: "refund"}, []uuid.UUID{e1.ID}},
			{"q in CJK", knowledge.Filter{Query: "到账"}, []uuid.UUID{e2.ID}},
			{"q with LIKE wildcards", knowledge.Filter{Query: "100%"}, []uuid.UUID{e2.ID}},
			{"q with markup", knowledge.Filter{Query: "<here> &"}, []uuid.UUID{e3.ID}},
			{"q matches nothing", knowledge.Filter{Query: "_"}, nil},
			{"page", knowledge.Filter{Before: &e3.ID, Limit: 1}, []uuid.UUID{e2.ID}},
			{"combined", knowledge.Filter{Tag: "refund", Locale: "en", CategoryID: &c.ID, Status: knowledge.StatusDraft}, []uuid.UUID{e1.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tc.f.Kind = k
				got := ids(get(f.svc.List(ctx, tc.f))(t))
				if fmt.Sprint(got) != fmt.Sprint(append([]uuid.UUID{}, tc.want...)) && !(len(got) == 0 && len(tc.want) == 0) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
		if got := get(f.svc.List(ctx, knowledge.Filter{Kind: knowledge.KindArticle}))(t); len(got) != 0 {
			t.Fatal("FAQs listed as articles")
		}
		// Tags of the working copy follow edits.
		get(f.svc.Update(ctx, k, e1.ID, knowledge.Input{Tags: &[]string{"returns"}}))(t)
		if got := ids(get(f.svc.List(ctx, knowledge.Filter{Kind: k, Tag: "refund"}))(t)); len(got) != 1 || got[0] != e2.ID {
			t.Fatalf("tag filter after edit: %v", got)
		}
	})
}

func TestTenantScope(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		e := get(f.svc.Create(f.ctx, knowledge.KindFAQ, faq("A 的秘密？", "只给 A。")))(t)
		get(f.svc.Publish(f.ctx, knowledge.KindFAQ, e.ID))(t)
		_, err := f.svc.Get(f.ctxB, knowledge.KindFAQ, e.ID)
		wantErr(t, err, "kb.faq-not-found", "")
		_, err = f.svc.Update(f.ctxB, knowledge.KindFAQ, e.ID, knowledge.Input{Answer: ptr("pwned")})
		wantErr(t, err, "kb.faq-not-found", "")
		_, err = f.svc.Archive(f.ctxB, knowledge.KindFAQ, e.ID)
		wantErr(t, err, "kb.faq-not-found", "")
		wantErr(t, f.svc.Delete(f.ctxB, knowledge.KindFAQ, e.ID), "kb.faq-not-found", "")
		_, err = f.svc.Versions(f.ctxB, knowledge.KindFAQ, e.ID, 0, 10)
		wantErr(t, err, "kb.faq-not-found", "")
		if es := get(f.svc.List(f.ctxB, knowledge.Filter{Kind: knowledge.KindFAQ}))(t); len(es) != 0 {
			t.Fatalf("B lists A's entries: %v", ids(es))
		}
		if c := get(f.svc.Live(f.ctxB))(t); len(c.FAQs) != 0 || c.Revision != 0 {
			t.Fatalf("B's live corpus holds A's: %+v", c)
		}
		// Without a tenant, nothing is read or written.
		bg := context.Background()
		if _, err := f.svc.Get(bg, knowledge.KindFAQ, e.ID); !errors.Is(err, tenants.ErrNoTenant) {
			t.Fatalf("no tenant: %v", err)
		}
		if _, err := f.svc.Live(bg); !errors.Is(err, tenants.ErrNoTenant) {
			t.Fatalf("no tenant: %v", err)
		}
		if _, err := f.svc.Create(bg, knowledge.KindFAQ, faq("q", "a")); !errors.Is(err, tenants.ErrNoTenant) {
			t.Fatalf("no tenant: %v", err)
		}
	})
}
