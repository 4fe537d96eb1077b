package api_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func slugOf(t *testing.T, e *kefutest.Env, a kefutest.Account) string {
	t.Helper()
	return slugOfID(t, e, a.TenantID)
}

func slugOfID(t *testing.T, e *kefutest.Env, id string) string {
	t.Helper()
	tn, err := e.Main.Tenants.Get(context.Background(), uuid.MustParse(id))
	if err != nil {
		t.Fatal(err)
	}
	return tn.Slug
}

// kbPublished creates an entry of the kind ("articles", "faqs") and publishes it.
func kbPublished(t *testing.T, e *kefutest.Env, a kefutest.Account, seg string, body map[string]any) string {
	t.Helper()
	kb := "/api/v1/tenants/" + a.TenantID + "/kb/"
	id := e.Call("POST", kb+seg, a.AccessToken, body).Must(t, http.StatusCreated).Str("id")
	e.Call("POST", kb+seg+"/"+id+"/publish", a.AccessToken, nil).Must(t, http.StatusOK)
	return id
}

func helpGet(t *testing.T, e *kefutest.Env, path string, headers map[string]string) *kefutest.Resp {
	t.Helper()
	r := e.Do(kefutest.Request{Method: "GET", Path: path, Headers: headers})
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("GET %s: CSP %q", path, csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET %s: no nosniff", path)
	}
	return r
}

// TestHelpCenter: the pages render live content only, escape what authors wrote, pick
// the language, count feedback, and vanish with a suspended tenant.
func TestHelpCenter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Help Co", "owner@help-co.test")
		slug := slugOf(t, e, a)
		kb := "/api/v1/tenants/" + a.TenantID + "/kb"
		cat := e.Call("POST", kb+"/categories", a.AccessToken, map[string]any{"name": map[string]string{"zh-CN": "售后", "en": "After-sales"}}).Must(t, http.StatusCreated).Str("id")
		art := kbPublished(t, e, a, "articles", map[string]any{"title": `<script>alert(1)</script> Refunds & "returns"`, "locale": "zh-CN", "category_id": cat,
			"body": "**退款**流程 <img src=x onerror=alert(2)> [link](javascript:alert(3))"})
		faq := kbPublished(t, e, a, "faqs", map[string]any{"question": "怎么申请退款？", "answer": "在订单页点击<b>退款</b>。\n第二行", "locale": "zh-CN",
			"channel_answers": map[string]string{"web": "网页版：在订单页点击退款。"}})
		draft := e.Call("POST", kb+"/faqs", a.AccessToken, map[string]any{"question": "草稿问题？", "answer": "draft-secret", "locale": "zh-CN"}).Must(t, http.StatusCreated).Str("id")
		archived := kbPublished(t, e, a, "articles", map[string]any{"title": "Archived article", "body": "archived-secret", "locale": "zh-CN"})
		e.Call("POST", kb+"/articles/"+archived+"/archive", a.AccessToken, nil).Must(t, http.StatusOK)
		// A live entry with an unpublished edit shows the live copy.
		e.Call("PATCH", kb+"/faqs/"+faq, a.AccessToken, map[string]any{"answer": "edit-secret"}).Must(t, http.StatusOK)

		h := "/help/" + slug
		home := helpGet(t, e, h, nil).Must(t, http.StatusOK)
		body := string(home.Body)
		if ct := home.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("content type %q", ct)
		}
		for _, want := range []string{"售后", "帮助中心", "&lt;script&gt;alert(1)&lt;/script&gt; Refunds &amp; &#34;returns&#34;", "怎么申请退款？", `href="/help/` + slug + `/articles/` + art + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("home lacks %q:\n%s", want, body)
			}
		}
		for _, leak := range []string{"<script>alert", "草稿问题", "Archived article", "draft-secret"} {
			if strings.Contains(body, leak) {
				t.Errorf("home shows %q", leak)
			}
		}

		page := string(helpGet(t, e, h+"/articles/"+art, nil).Must(t, http.StatusOK).Body)
		if !strings.Contains(page, "<strong>退款</strong>") || strings.Contains(page, "onerror") || strings.Contains(page, "javascript:") || strings.Contains(page, "<script>") {
			t.Errorf("article page:\n%s", page)
		}
		page = string(helpGet(t, e, h+"/faqs/"+faq, nil).Must(t, http.StatusOK).Body)
		if !strings.Contains(page, "网页版：在订单页点击退款。") || strings.Contains(page, "edit-secret") {
			t.Errorf("faq page (web answer, live copy):\n%s", page)
		}
		helpGet(t, e, h+"/categories/"+cat, nil).Must(t, http.StatusOK)

		// Not live, not there, not a help centre: 404.
		for _, p := range []string{h + "/faqs/" + draft, h + "/articles/" + archived, h + "/articles/" + uuid.NewString(), h + "/articles/nope",
			h + "/faqs/" + art, h + "/categories/" + uuid.NewString(), "/help/no-such-tenant", "/help/" + a.TenantID} {
			if r := helpGet(t, e, p, nil); r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, r.Status)
			}
		}

		// Search highlights, and escapes what it does not mark.
		sr := string(helpGet(t, e, h+"/search?q="+url.QueryEscape("退款 script"), nil).Must(t, http.StatusOK).Body)
		if !strings.Contains(sr, "<mark>") || strings.Contains(sr, "<script>") || strings.Contains(sr, "draft-secret") {
			t.Errorf("search page:\n%s", sr)
		}
		helpGet(t, e, h+"/search?q="+url.QueryEscape(strings.Repeat("退款🎉", 300)), nil).Must(t, http.StatusOK)
		helpGet(t, e, h+"/search", nil).Must(t, http.StatusOK)

		// Language: ?lang= first, then Accept-Language, then the tenant's locale.
		if p := string(helpGet(t, e, h+"?lang=en", map[string]string{"Accept-Language": "zh-CN"}).Body); !strings.Contains(p, "Help Center") || !strings.Contains(p, "After-sales") || !strings.Contains(p, "?lang=en") {
			t.Errorf("?lang=en page:\n%s", p)
		}
		if p := string(helpGet(t, e, h, map[string]string{"Accept-Language": "en-US,en;q=0.9"}).Body); !strings.Contains(p, "Help Center") {
			t.Errorf("Accept-Language en page is not English")
		}

		// Feedback: a form is sent back to the page, JSON gets 204; the console sees counts.
		form := func(path, v string) *kefutest.Resp {
			return kefutest.Send(t, noRedirect, e.URL, kefutest.Request{Method: "POST", Path: path, Body: "helpful=" + v,
				Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		}
		r := form(h+"/articles/"+art+"/feedback?lang=en", "true").Must(t, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); !strings.Contains(loc, "/help/"+slug+"/articles/"+art) || !strings.Contains(loc, "feedback=thanks") || !strings.Contains(loc, "lang=en") {
			t.Errorf("redirect to %q", loc)
		}
		if p := string(helpGet(t, e, h+"/articles/"+art+"?feedback=thanks&lang=en", nil).Body); !strings.Contains(p, "Thanks for your feedback") {
			t.Errorf("no thanks")
		}
		form(h+"/articles/"+art+"/feedback", "false").Must(t, http.StatusSeeOther)
		e.Call("POST", h+"/faqs/"+faq+"/feedback", "", map[string]any{"helpful": true}).Must(t, http.StatusNoContent)
		form(h+"/articles/"+art+"/feedback", "maybe").Must(t, http.StatusBadRequest)
		e.Call("POST", h+"/faqs/"+faq+"/feedback", "", map[string]any{"helpful": "yes"}).Must(t, http.StatusBadRequest)
		e.Call("POST", h+"/faqs/"+draft+"/feedback", "", map[string]any{"helpful": true}).Must(t, http.StatusNotFound)
		e.Call("POST", h+"/articles/"+archived+"/feedback", "", map[string]any{"helpful": true}).Must(t, http.StatusNotFound)
		e.Call("POST", h+"/articles/"+faq+"/feedback", "", map[string]any{"helpful": true}).Must(t, http.StatusNotFound)
		if r := e.Call("POST", h+"/faqs/"+faq+"/feedback", "", `{"helpful":true,"x":"`+strings.Repeat("x", 2000)+`"}`); r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized feedback: %s", r)
		}
		ae := e.Call("GET", kb+"/articles/"+art, a.AccessToken, nil).Must(t, http.StatusOK).JSON()
		fe := e.Call("GET", kb+"/faqs?limit=10", a.AccessToken, nil).Must(t, http.StatusOK).Items()
		if ae["helpful"] != 1.0 || ae["not_helpful"] != 1.0 {
			t.Errorf("article counts %v/%v", ae["helpful"], ae["not_helpful"])
		}
		for _, it := range fe {
			if want := map[bool]float64{true: 1, false: 0}[it["id"] == faq]; it["helpful"] != want || it["not_helpful"] != 0.0 {
				t.Errorf("faq %v counts %v/%v", it["id"], it["helpful"], it["not_helpful"])
			}
		}

		// Changes show at once on this node: an archived article leaves the help centre.
		e.Call("POST", kb+"/articles/"+art+"/archive", a.AccessToken, nil).Must(t, http.StatusOK)
		helpGet(t, e, h+"/articles/"+art, nil).Must(t, http.StatusNotFound)

		// A suspended tenant has no help centre.
		if _, err := e.Main.Tenants.SetStatus(context.Background(), uuid.MustParse(a.TenantID), tenants.Suspended); err != nil {
			t.Fatal(err)
		}
		helpGet(t, e, h, nil).Must(t, http.StatusNotFound)
		helpGet(t, e, h+"/faqs/"+faq, nil).Must(t, http.StatusNotFound)
		e.Call("POST", h+"/faqs/"+faq+"/feedback", "", map[string]any{"helpful": true}).Must(t, http.StatusNotFound)
	})
}

// TestHelpFeedbackThrottled: one address counts at most 30 answers in 10 minutes.
func TestHelpFeedbackThrottled(t *testing.T) {
	t.Parallel()
	e := kefutest.Start(t, kefutest.Backends(t)[0])
	a := e.Signup("Throttle Co", "owner@throttle.test")
	h := "/help/" + slugOf(t, e, a)
	faq := kbPublished(t, e, a, "faqs", map[string]any{"question": "q?", "answer": "a"})
	for i := 0; i < 30; i++ {
		e.Call("POST", h+"/faqs/"+faq+"/feedback", "", map[string]any{"helpful": i%2 == 0}).Must(t, http.StatusNoContent)
	}
	r := e.Call("POST", h+"/faqs/"+faq+"/feedback", "", map[string]any{"helpful": true}).Must(t, http.StatusTooManyRequests)
	if r.Code() != "help.throttled" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("throttled: %s %v", r, r.Header)
	}
	got := e.Call("GET", "/api/v1/tenants/"+a.TenantID+"/kb/faqs/"+faq, a.AccessToken, nil).Must(t, http.StatusOK).JSON()
	if got["helpful"] != 15.0 || got["not_helpful"] != 15.0 {
		t.Fatalf("counts %v/%v", got["helpful"], got["not_helpful"])
	}
}

// TestHelpCenterIsolation aims every help-centre route at A's slug with B's ids (and
// at B's slug for what must be public anyway): B's entries never show under A, and
// feedback through A never counts for B.
func TestHelpCenterIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("Attacker Inc", "owner@attacker.test")
		aSlug := slugOf(t, e, a)
		kbPublished(t, e, a, "faqs", map[string]any{"question": "Attacker question?", "answer": "attacker answer"})
		v := setupVictim(t, e)
		bSlug := slugOfID(t, e, v.tenant)

		seen := map[string]bool{}
		for _, r := range e.Main.HTTP.Routes() {
			if !strings.HasPrefix(r.Path, "/help/") {
				continue
			}
			key := r.Method + " " + r.Path
			seen[key] = true
			if !helpRoutes[key] {
				t.Errorf("help route %s is not in helpRoutes", key)
			}
		}
		for k := range helpRoutes {
			if !seen[k] {
				t.Errorf("helpRoutes names %s, which is not registered", k)
			}
		}

		before := checksum(t, e, v)
		forbidden := append([]string{"Victim KB", "Victim article", "Victim question"}, v.secrets...)
		fill := func(p string) string {
			return strings.NewReplacer(":slug", aSlug, ":category_id", v.kbCategory, ":article_id", v.kbArticle, ":faq_id", v.kbFAQ).Replace(p)
		}
		for k := range helpRoutes {
			method, path, _ := strings.Cut(k, " ")
			p := fill(path)
			var body any
			if method == "POST" {
				body = map[string]any{"helpful": true}
			}
			r := e.Call(method, p, "", body)
			want := http.StatusNotFound
			if path == "/help/:slug" || path == "/help/:slug/search" {
				want = http.StatusOK
			}
			if r.Status != want {
				t.Errorf("%s %s: %d, want %d", method, p, r.Status, want)
			}
			for _, s := range forbidden {
				if s != "" && strings.Contains(string(r.Body), s) {
					t.Errorf("%s %s shows B's %q", method, p, s)
				}
			}
		}
		// A search under A's slug for B's words finds nothing of B's.
		sr := string(e.Call("GET", "/help/"+aSlug+"/search?q=victim", "", nil).Must(t, http.StatusOK).Body)
		if strings.Contains(sr, "Victim") || strings.Contains(sr, v.kbArticle) {
			t.Errorf("A's search shows B's entries:\n%s", sr)
		}
		// B's own help centre shows B's live entries, and none of A's.
		bh := string(e.Call("GET", "/help/"+bSlug, "", nil).Must(t, http.StatusOK).Body)
		if !strings.Contains(bh, "Victim article") || strings.Contains(bh, "Attacker question") || strings.Contains(bh, "victim kb draft answer") {
			t.Errorf("B's help centre:\n%s", bh)
		}
		if after := checksum(t, e, v); after != before {
			t.Errorf("help-centre routes under A's slug changed B's data")
		}
	})
}

// multipartFile builds a multipart body with the field "file".
func multipartFile(t *testing.T, name string, data []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// TestKnowledgeSearchImportExportOverHTTP walks search, export, templates and import,
// and checks each response against the OpenAPI document.
func TestKnowledgeSearchImportExportOverHTTP(t *testing.T) {
	t.Parallel()
	e, d := startOpenAPI(t)
	a := e.Signup("KB Transfer", "owner@kb-transfer.test")
	const T = "/api/v1/tenants/{tenant_id}/kb"
	kb := "/api/v1/tenants/" + a.TenantID + "/kb"
	send := func(r kefutest.Request, docMethod, docPath string, want int) *kefutest.Resp {
		t.Helper()
		if r.Token == "" {
			r.Token = a.AccessToken
		}
		res := e.Do(r)
		if res.Status != want {
			t.Fatalf("%s %s: %d, want %d: %s", r.Method, r.Path, res.Status, want, res.Body)
		}
		d.checkResponse(t, docMethod, docPath, res)
		return res
	}
	get := func(path, doc string, want int) *kefutest.Resp {
		t.Helper()
		return send(kefutest.Request{Method: "GET", Path: path}, "GET", doc, want)
	}
	upload := func(query, name string, data []byte, want int) *kefutest.Resp {
		t.Helper()
		body, ct := multipartFile(t, name, data)
		return send(kefutest.Request{Method: "POST", Path: kb + "/import" + query, Body: body, Headers: map[string]string{"Content-Type": ct}}, "POST", T+"/import", want)
	}

	// Search: live entries only, highlighted and escaped.
	kbPublished(t, e, a, "faqs", map[string]any{"question": "怎么申请<b>退款</b>？", "answer": "在订单页点击退款。", "locale": "zh-CN", "tags": []string{"售后"}})
	kbPublished(t, e, a, "articles", map[string]any{"title": "Refund policy", "body": "Refunds take **3 days**.", "locale": "en"})
	e.Call("POST", kb+"/faqs", a.AccessToken, map[string]any{"question": "退款草稿？", "answer": "draft"}).Must(t, http.StatusCreated)
	sr := get(kb+"/search?q="+url.QueryEscape("退款"), T+"/search", http.StatusOK)
	items := sr.Items()
	if len(items) != 1 || sr.JSON()["total"] != 1.0 || items[0]["kind"] != "faq" || !strings.Contains(items[0]["title_html"].(string), "<mark>") ||
		!strings.Contains(items[0]["title_html"].(string), "&lt;b&gt;") || items[0]["title"] != "怎么申请<b>退款</b>？" {
		t.Fatalf("search: %s", sr.Body)
	}
	if items := get(kb+"/search?q=refund&kind=faq", T+"/search", http.StatusOK).Items(); len(items) != 0 {
		t.Fatalf("kind filter: %v", items)
	}
	if items := get(kb+"/search?q=refund&locale=en&limit=1&offset=0", T+"/search", http.StatusOK).Items(); len(items) != 1 || items[0]["kind"] != "article" {
		t.Fatalf("english search: %v", items)
	}
	get(kb+"/search?q=🎉🎉", T+"/search", http.StatusOK)
	get(kb+"/search?q="+strings.Repeat("x", 257), T+"/search", http.StatusBadRequest)
	get(kb+"/search?offset=-1", T+"/search", http.StatusBadRequest)

	// Templates import as they are.
	for _, f := range []string{"csv", "xlsx"} {
		for _, k := range []string{"faq", "article"} {
			tpl := get(kb+"/import/template?kind="+k+"&format="+f, T+"/import/template", http.StatusOK)
			if !strings.Contains(tpl.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("template disposition %q", tpl.Header.Get("Content-Disposition"))
			}
			if res := upload("?kind="+k, "template."+f, tpl.Body, http.StatusOK); res.JSON()["count"] != 1.0 {
				t.Fatalf("template import: %s", res.Body)
			}
		}
	}
	get(kb+"/import/template?kind=faq&format=json", T+"/import/template", http.StatusBadRequest)
	get(kb+"/import/template", T+"/import/template", http.StatusBadRequest)

	// Export, and the export imports back, in every format.
	for _, f := range []string{"csv", "xlsx", "json"} {
		for _, k := range []string{"faq", "article"} {
			ex := get(kb+"/export?kind="+k+"&format="+f, T+"/export", http.StatusOK)
			n := len(e.Call("GET", kb+"/"+k+"s?limit=200", a.AccessToken, nil).Must(t, http.StatusOK).Items())
			res := upload("?kind="+k+"&format="+f, "export.bin", ex.Body, http.StatusOK)
			if res.JSON()["count"] != float64(n) {
				t.Fatalf("%s %s re-import: %s, want %d", f, k, res.Body, n)
			}
		}
	}
	// Formula injection: an exported cell is never a formula.
	e.Call("POST", kb+"/faqs", a.AccessToken, map[string]any{"question": "=HYPERLINK(\"http://evil\")", "answer": "+1", "tags": []string{"@x"}}).Must(t, http.StatusCreated)
	csvOut := string(get(kb+"/export?kind=faq", T+"/export", http.StatusOK).Body)
	if !strings.Contains(csvOut, `"'=HYPERLINK(""http://evil"")"`) || !strings.Contains(csvOut, ",'+1,") || strings.Contains(csvOut, ",=") {
		t.Fatalf("csv export is not defused:\n%s", csvOut)
	}
	x, err := excelize.OpenReader(bytes.NewReader(get(kb+"/export?kind=faq&format=xlsx", T+"/export", http.StatusOK).Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("FAQs")
	for _, r := range rows {
		for _, c := range r {
			if strings.HasPrefix(c, "=") || strings.HasPrefix(c, "+") || strings.HasPrefix(c, "@") {
				t.Fatalf("xlsx cell %q", c)
			}
		}
	}

	// A file with bad rows imports nothing and says which rows are wrong.
	before := len(e.Call("GET", kb+"/faqs?limit=200", a.AccessToken, nil).Must(t, http.StatusOK).Items())
	bad := "question,answer,category,expires_at,locale\n" +
		"好问题,好答案,,,\n" +
		",没有问题,,,\n" +
		"有问题,,,,\n" +
		"分类不存在,答案,售后/退款,,\n" +
		"过期,答案,,2001-01-01,\n" +
		"<script>alert(1)</script> 🎉,答案 <b>HTML</b>,,,xx\n"
	res := upload("?kind=faq&format=csv", "bad.csv", []byte(bad), http.StatusUnprocessableEntity)
	if res.Code() != "kb.import-invalid" {
		t.Fatalf("bad import: %s", res.Body)
	}
	got := map[float64]string{}
	for _, p := range res.JSON()["errors"].([]any) {
		m := p.(map[string]any)
		got[m["row"].(float64)] += m["field"].(string) + " "
	}
	want := map[float64]string{3: "question ", 4: "answer ", 5: "category ", 6: "expires_at ", 7: "locale "}
	for row, f := range want {
		if got[row] != f {
			t.Errorf("row %v: %q, want %q (all: %v)", row, got[row], f, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rows reported: %v", got)
	}
	if after := len(e.Call("GET", kb+"/faqs?limit=200", a.AccessToken, nil).Must(t, http.StatusOK).Items()); after != before {
		t.Fatalf("a refused import created %d entries", after-before)
	}
	// HTML and emoji are text: the row imports, and stays text.
	ok := upload("?kind=faq", "ok.csv", []byte("question,answer\n<script>alert(1)</script> 🎉,答案 <b>HTML</b>\n"), http.StatusOK)
	id := ok.JSON()["ids"].([]any)[0].(string)
	if q := e.Call("GET", kb+"/faqs/"+id, a.AccessToken, nil).Must(t, http.StatusOK).Str("question"); q != "<script>alert(1)</script> 🎉" {
		t.Fatalf("question %q", q)
	}

	// Files that are not what they claim are 400s, never 500s.
	upload("?kind=faq&format=xlsx", "x.xlsx", []byte("not a zip"), http.StatusBadRequest)
	upload("?kind=faq&format=json", "x.json", []byte("{nope"), http.StatusBadRequest)
	upload("?kind=faq&format=csv", "x.csv", []byte(""), http.StatusBadRequest)
	upload("?kind=faq&format=csv", "x.csv", []byte("\ufeff\n\n"), http.StatusBadRequest)
	upload("?kind=faq&format=csv", "x.csv", []byte("question,answer\n\"unterminated,x\n"), http.StatusUnprocessableEntity)
	upload("?kind=faq&format=csv", "x.csv", []byte("questoin,answer\nq,a\n"), http.StatusUnprocessableEntity)
	upload("?kind=faq&format=csv", "x.csv", []byte("question,answer\n\xff\xfe,a\n"), http.StatusUnprocessableEntity)
	upload("?kind=faq&format=json", "x.json", []byte(`[{"question":1,"answer":"a"},"x",{"question":"q","answer":"a","tags":[1]}]`), http.StatusUnprocessableEntity)
	upload("?kind=article&format=pdf", "x.pdf", []byte("x"), http.StatusBadRequest)
	upload("", "x.csv", []byte("question,answer\nq,a\n"), http.StatusBadRequest) // no kind
	send(kefutest.Request{Method: "POST", Path: kb + "/import?kind=faq", Body: map[string]any{"file": "x"}}, "POST", T+"/import", http.StatusBadRequest)
	big, ct := multipartFile(t, "big.csv", bytes.Repeat([]byte("q,a\n"), 300<<10))
	if st, _ := overLimit(t, e, kb+"/import?kind=faq", map[string]string{"Authorization": "Bearer " + a.AccessToken, "Content-Type": ct}, len(big)); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge import: %d", st)
	}
}
