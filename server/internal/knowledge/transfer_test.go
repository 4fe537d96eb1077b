package knowledge_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/knowledge/kbio"
	"github.com/kefu-io/kefu/server/internal/knowledge/knowledgedb"
)

// TestSearchCacheFollowsRevision: a reader's index is rebuilt when the revision grows
// (a change on another node, seen within the check interval; a change on this node,
// at once), kept while it does not, scoped to the tenant, and never shows an entry past
// its expiry date.
func TestSearchCacheFollowsRevision(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx := f.ctx
		// reader is another node: its own cache, told of nothing.
		reader := &knowledge.Service{Store: &knowledgedb.Store{DB: f.database}, Tx: f.database, Now: f.clock.Now, SearchCheckEvery: 50 * time.Millisecond}
		search := func(svc *knowledge.Service, q string) knowledge.SearchResult {
			t.Helper()
			return get(svc.Search(ctx, knowledge.SearchQuery{Text: q}))(t)
		}
		e := get(f.svc.Create(ctx, knowledge.KindFAQ, faq("怎么申请退款？", "在订单页点击退款。")))(t)
		if r := search(reader, "退款"); r.Total != 0 {
			t.Fatalf("a draft is searchable: %+v", r)
		}
		get(f.svc.Publish(ctx, knowledge.KindFAQ, e.ID))(t)
		first := get(reader.Snapshot(ctx))(t)
		time.Sleep(60 * time.Millisecond)
		r := search(reader, "退款")
		if r.Total != 1 || len(r.Hits) != 1 || r.Hits[0].ID != e.ID || r.Hits[0].Kind != knowledge.KindFAQ || !strings.Contains(r.Hits[0].TitleHTML, "<mark>") {
			t.Fatalf("after publish: %+v", r)
		}
		// The revision did not move: the same snapshot is served, not rebuilt.
		time.Sleep(60 * time.Millisecond)
		if again := get(reader.Snapshot(ctx))(t); again == first || again != get(reader.Snapshot(ctx))(t) {
			t.Fatalf("snapshot rebuilt without a change (or not rebuilt after one)")
		}
		snap := get(reader.Snapshot(ctx))(t)
		time.Sleep(60 * time.Millisecond)
		if get(reader.Snapshot(ctx))(t) != snap {
			t.Fatalf("snapshot rebuilt at the same revision")
		}

		// The writer's own cache hears its changes at once.
		if r := search(f.svc, "退款"); r.Total != 1 {
			t.Fatalf("writer search: %+v", r)
		}
		a := get(f.svc.Create(ctx, knowledge.KindArticle, article("Refund <b>policy</b>", "Refunds take **3 days**.")))(t)
		get(f.svc.Publish(ctx, knowledge.KindArticle, a.ID))(t)
		r = search(f.svc, "refund")
		if r.Total != 1 || r.Hits[0].Kind != knowledge.KindArticle || !strings.Contains(r.Hits[0].TitleHTML, "&lt;b&gt;") || strings.Contains(r.Hits[0].SnippetHTML, "**") {
			t.Fatalf("article search: %+v", r)
		}
		if r := get(f.svc.Search(ctx, knowledge.SearchQuery{Text: "refund", Kind: knowledge.KindFAQ}))(t); r.Total != 0 {
			t.Fatalf("kind filter: %+v", r)
		}
		get(f.svc.Archive(ctx, knowledge.KindArticle, a.ID))(t)
		if r := search(f.svc, "refund"); r.Total != 0 {
			t.Fatalf("archived article still found: %+v", r)
		}
		// Another tenant's search sees none of it.
		if r := get(f.svc.Search(f.ctxB, knowledge.SearchQuery{Text: "退款"}))(t); r.Total != 0 {
			t.Fatalf("tenant B finds A's entries: %+v", r)
		}

		// An expiry date passing: gone at once, before any rebuild.
		x := faq("限时活动怎么参加？", "活动页报名。")
		exp := f.clock.Now().Add(time.Hour)
		x.ExpiresAt = knowledge.Nullable[time.Time]{Set: true, Value: &exp}
		xe := get(f.svc.Create(ctx, knowledge.KindFAQ, x))(t)
		get(f.svc.Publish(ctx, knowledge.KindFAQ, xe.ID))(t)
		if r := search(f.svc, "活动"); r.Total != 1 {
			t.Fatalf("before expiry: %+v", r)
		}
		f.clock.Add(2 * time.Hour)
		if r := search(f.svc, "活动"); r.Total != 0 || len(r.Hits) != 0 {
			t.Fatalf("after expiry: %+v", r)
		}
		if _, ok := get(f.svc.Snapshot(ctx))(t).FAQ(xe.ID); ok && knowledge.Visible(&exp, f.clock.Now()) {
			t.Fatalf("expired entry visible")
		}
	})
}

// TestSearchCacheEvicts: past its tenant limit the cache drops the least recently used
// tenant, and a later search of it still answers (after a rebuild).
func TestSearchCacheEvicts(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		svc := &knowledge.Service{Store: &knowledgedb.Store{DB: f.database}, Tx: f.database, Now: f.clock.Now, SearchTenants: 1}
		e := get(svc.Create(f.ctx, knowledge.KindFAQ, faq("发票怎么开？", "在订单页申请。")))(t)
		get(svc.Publish(f.ctx, knowledge.KindFAQ, e.ID))(t)
		a1 := get(svc.Snapshot(f.ctx))(t)
		get(svc.Snapshot(f.ctxB))(t)
		a2 := get(svc.Snapshot(f.ctx))(t)
		if a1 == a2 {
			t.Fatalf("tenant A's snapshot survived past the limit of 1 tenant")
		}
		if r := get(svc.Search(f.ctx, knowledge.SearchQuery{Text: "发票"}))(t); r.Total != 1 {
			t.Fatalf("after eviction: %+v", r)
		}
	})
}

func importRows(t *testing.T, k knowledge.Kind, format kbio.Format, data string) []knowledge.ImportRow {
	t.Helper()
	rows, err := kbio.Decode(strings.NewReader(data), k, format, "zh-CN")
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return rows
}

// TestImportAtomicWithRowReport: an import with any bad row imports nothing and names
// every bad row; a good one creates drafts with categories found by path or id.
func TestImportAtomicWithRowReport(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx := f.ctx
		after := get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"zh-CN": "售后", "en": "After-sales"}}))(t)
		refund := get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"zh-CN": "退款"}, ParentID: &after.ID}))(t)
		get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"zh-CN": "重复"}}))(t)
		get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"en": "重复"}}))(t)

		csv := "question,similar_questions,answer,category,tags,locale,expires_at,answer_wechat\n" +
			"怎么退款？,退款流程 | 怎么退 | 如何退款,在订单页点击退款。,售后/退款,\"售后, 退款\",,2030-01-01,回复1\n" + // row 2: fine
			",,没有问题,,,,,\n" + // 3: no question
			"分类不存在,,答案,售后/换货,,,,\n" + // 4
			"过期,,答案,,,,2001-01-01,\n" + // 5
			"日期错,,答案,,,,tomorrow,\n" + // 6
			"语言错,,答案,,,fr,,\n" + // 7
			"重名,,答案,重复,,,,\n" + // 8: ambiguous path
			",,,,,,,\n" + // blank: skipped
			"按 id,,答案," + refund.ID.String() + ",,en,,\n" // 10: fine
		_, err := f.svc.Import(ctx, knowledge.KindFAQ, importRows(t, knowledge.KindFAQ, kbio.CSV, csv))
		e := wantErr(t, err, "kb.import-invalid", "")
		got := map[int]string{}
		for _, p := range e.Fields {
			got[p.Row] += p.Field + " "
		}
		want := map[int]string{3: "question ", 4: "category ", 5: "expires_at ", 6: "expires_at ", 7: "locale ", 8: "category "}
		if len(got) != len(want) {
			t.Fatalf("rows reported %v, want %v", got, want)
		}
		for row, fld := range want {
			if got[row] != fld {
				t.Errorf("row %d: %q, want %q", row, got[row], fld)
			}
		}
		if !strings.Contains(e.Message, "6 rows") {
			t.Errorf("message %q", e.Message)
		}
		if es := get(f.svc.ListAll(ctx, knowledge.KindFAQ))(t); len(es) != 0 {
			t.Fatalf("a refused import created %d entries", len(es))
		}

		// The good rows alone import, as drafts, in one go.
		good := "question,similar_questions,answer,category,tags,locale,expires_at,answer_wechat\n" +
			"怎么退款？,\"退款流程\n怎么退\n如何退款\",在订单页点击退款。,售后/退款,\"售后, 退款\",,2030-01-01,回复1\n" +
			"按 id,,答案," + refund.ID.String() + ",,en,,\n"
		es := get(f.svc.Import(ctx, knowledge.KindFAQ, importRows(t, knowledge.KindFAQ, kbio.CSV, good)))(t)
		if len(es) != 2 {
			t.Fatalf("imported %d", len(es))
		}
		c := es[0].Content
		if es[0].Status != knowledge.StatusDraft || c.Question != "怎么退款？" || !slices.Equal(c.SimilarQuestions, []string{"退款流程", "怎么退", "如何退款"}) ||
			c.CategoryID == nil || *c.CategoryID != refund.ID || !slices.Equal(c.Tags, []string{"售后", "退款"}) || c.Locale != "zh-CN" ||
			c.ExpiresAt == nil || !c.ExpiresAt.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) || c.ChannelAnswers["wechat"] != "回复1" {
			t.Fatalf("row 2 became %+v", c)
		}
		if es[1].Content.Locale != "en" || *es[1].Content.CategoryID != refund.ID {
			t.Fatalf("row 10 became %+v", es[1].Content)
		}

		// A bad header refuses the file, naming the column.
		_, err = kbio.Decode(strings.NewReader("questoin,answer\nq,a\n"), knowledge.KindFAQ, kbio.CSV, "zh-CN")
		if e := wantErr(t, err, "kb.import-invalid", "questoin"); e.Fields[0].Row != 1 {
			t.Fatalf("header problem %+v", e.Fields)
		}
		_, err = kbio.Decode(strings.NewReader("title,body\nt,b\n"), knowledge.KindFAQ, kbio.CSV, "zh-CN")
		wantErr(t, err, "kb.import-invalid", "title")
		// Nothing to import, or not a file of the format: 400 on the file.
		for _, tc := range []struct {
			f    kbio.Format
			data string
		}{{kbio.CSV, ""}, {kbio.CSV, "question,answer\n"}, {kbio.XLSX, "PK nope"}, {kbio.JSON, "[1,"}, {kbio.JSON, "{}"}} {
			_, err := kbio.Decode(strings.NewReader(tc.data), knowledge.KindFAQ, tc.f, "zh-CN")
			wantErr(t, err, "request.invalid", "file")
		}
		_, err = kbio.Decode(bytes.NewReader(make([]byte, knowledge.MaxImportBytes+1)), knowledge.KindFAQ, kbio.CSV, "zh-CN")
		wantErr(t, err, "kb.import-too-large", "")
	})
}

// comparable is an entry's content as an import recreates it.
func comparable(t *testing.T, e knowledge.Entry) string {
	t.Helper()
	c := e.Content
	c.HTML = ""
	if c.ExpiresAt != nil {
		x := c.ExpiresAt.UTC().Truncate(time.Second)
		c.ExpiresAt = &x
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExportRoundTrip: for every format, an export imports back into the same entries
// (working copies; the copies are drafts), spreadsheet-hostile text included.
func TestExportRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, f *fixture) {
		ctx := f.ctx
		cat := get(f.svc.CreateCategory(ctx, knowledge.CategoryInput{Name: map[string]string{"zh-CN": "账户"}}))(t)
		exp := f.clock.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)
		faqs := []knowledge.Input{
			{Question: ptr("=HYPERLINK(\"http://evil\",\"x\")"), Answer: ptr("+1 多行\n第二行 🎉"), SimilarQuestions: &[]string{"-怎么办", "@谁"},
				Tags: &[]string{"售后", "a,b"}, Locale: ptr("zh-CN"), ChannelAnswers: &map[string]string{"wechat": "微信版", "sms": "短信版"},
				Category: knowledge.Nullable[uuid.UUID]{Set: true, Value: &cat.ID}, ExpiresAt: knowledge.Nullable[time.Time]{Set: true, Value: &exp}},
			{Question: ptr("<script>alert(1)</script>"), Answer: ptr("\"quoted\", <b>bold</b>"), Locale: ptr("en")},
		}
		articles := []knowledge.Input{
			{Title: ptr("Reset your password"), Body: ptr("1. Open **Settings**\n2. `=cmd`\n\n| a | b |\n|---|---|\n| 1 | 2 |"), Locale: ptr("en"),
				Tags: &[]string{"account"}, Category: knowledge.Nullable[uuid.UUID]{Set: true, Value: &cat.ID}},
			{Title: ptr("-退款说明"), Body: ptr("@所有人 <img src=x onerror=alert(1)>"), Locale: ptr("zh-CN")},
		}
		for _, k := range []struct {
			kind knowledge.Kind
			ins  []knowledge.Input
		}{{knowledge.KindFAQ, faqs}, {knowledge.KindArticle, articles}} {
			orig := get(f.svc.BulkCreate(ctx, k.kind, k.ins))(t)
			get(f.svc.Publish(ctx, k.kind, orig[0].ID))(t) // exports carry any status
			want := make([]string, len(orig))
			for i, e := range orig {
				want[i] = comparable(t, e)
			}
			slices.Sort(want)
			for _, format := range []kbio.Format{kbio.CSV, kbio.XLSX, kbio.JSON} {
				t.Run(string(k.kind)+"/"+string(format), func(t *testing.T) {
					all := get(f.svc.ListAll(ctx, k.kind))(t)
					var src []knowledge.Entry
					for _, e := range all {
						if slices.ContainsFunc(orig, func(o knowledge.Entry) bool { return o.ID == e.ID }) {
							src = append(src, e)
						}
					}
					var buf bytes.Buffer
					if err := kbio.Encode(&buf, k.kind, format, src); err != nil {
						t.Fatal(err)
					}
					if format == kbio.CSV && k.kind == knowledge.KindFAQ && (!strings.Contains(buf.String(), `'=HYPERLINK`) || !strings.Contains(buf.String(), "'+1")) {
						t.Fatalf("csv cells not defused:\n%s", buf.String())
					}
					rows, err := kbio.Decode(&buf, k.kind, format, "zh-CN")
					if err != nil {
						t.Fatal(err)
					}
					back := get(f.svc.Import(ctx, k.kind, rows))(t)
					got := make([]string, len(back))
					for i, e := range back {
						if e.Status != knowledge.StatusDraft {
							t.Fatalf("imported as %s", e.Status)
						}
						got[i] = comparable(t, e)
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Fatalf("round trip:\n got %v\nwant %v", got, want)
					}
				})
			}
		}
		// XLSX cells hold 32,767 characters: a longer body is a clear error, not a cut.
		long := get(f.svc.Create(ctx, knowledge.KindArticle, article("Long", strings.Repeat("长", 40000))))(t)
		err := kbio.Encode(&bytes.Buffer{}, knowledge.KindArticle, kbio.XLSX, []knowledge.Entry{long})
		wantErr(t, err, "kb.export-cell-too-long", "")
		if err := kbio.Encode(&bytes.Buffer{}, knowledge.KindArticle, kbio.CSV, []knowledge.Entry{long}); err != nil {
			t.Fatal(err)
		}
	})
}
