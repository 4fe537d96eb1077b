package api_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/kefutest"
	"github.com/kefu-io/kefu/tenants"
)

// TestKnowledgeResponsesConform walks every knowledge-base operation, successes and
// errors, and checks each response against the OpenAPI document.
func TestKnowledgeResponsesConform(t *testing.T) {
	t.Parallel()
	e, d := startOpenAPI(t)
	a := e.Signup("KB Conform", "owner@kb-conform.test")
	tok := a.AccessToken
	call := func(method, docPath, path string, body any, want int) *kefutest.Resp {
		t.Helper()
		r := e.Call(method, path, tok, body)
		if r.Status != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, r.Status, want, r.Body)
		}
		d.checkResponse(t, method, docPath, r)
		return r
	}
	const T = "/api/v1/tenants/{tenant_id}/kb"
	kb := "/api/v1/tenants/" + a.TenantID + "/kb"

	root := call("POST", T+"/categories", kb+"/categories", map[string]any{"name": map[string]string{"zh-CN": "账户", "en": "Account"}}, http.StatusCreated).Str("id")
	child := call("POST", T+"/categories", kb+"/categories", map[string]any{"name": map[string]string{"en": "Login"}, "parent_id": root, "position": 0}, http.StatusCreated).Str("id")
	call("POST", T+"/categories", kb+"/categories", map[string]any{"name": map[string]string{"fr": "Compte"}}, http.StatusBadRequest)
	call("POST", T+"/categories", kb+"/categories", map[string]any{"name": map[string]string{"en": "x"}, "parent_id": uuid.NewString()}, http.StatusUnprocessableEntity)
	call("GET", T+"/categories", kb+"/categories", nil, http.StatusOK)
	call("GET", T+"/categories/{category_id}", kb+"/categories/"+child, nil, http.StatusOK)
	call("GET", T+"/categories/{category_id}", kb+"/categories/"+uuid.NewString(), nil, http.StatusNotFound)
	call("PATCH", T+"/categories/{category_id}", kb+"/categories/"+child, map[string]any{"name": map[string]string{"en": "Sign-in"}}, http.StatusOK)
	call("POST", T+"/categories/{category_id}/move", kb+"/categories/"+root+"/move", map[string]any{"parent_id": child}, http.StatusUnprocessableEntity)
	call("POST", T+"/categories/{category_id}/move", kb+"/categories/"+child+"/move", map[string]any{"parent_id": nil}, http.StatusOK)
	call("POST", T+"/categories/{category_id}/move", kb+"/categories/"+child+"/move", map[string]any{"parent_id": root, "position": -1}, http.StatusBadRequest)
	call("POST", T+"/categories/{category_id}/move", kb+"/categories/"+child+"/move", map[string]any{"parent_id": root}, http.StatusOK)
	call("DELETE", T+"/categories/{category_id}", kb+"/categories/"+root, nil, http.StatusConflict)

	for _, k := range []struct {
		seg, param string
		create     map[string]any
		edit       map[string]any
	}{
		{"articles", "article_id", map[string]any{"title": "Reset your password", "body": "1. Open **Settings**\n2. <script>x()</script>Click reset",
			"category_id": child, "tags": []string{"account"}, "locale": "en"}, map[string]any{"body": "1. Open **Settings**\n2. Click *Reset*"}},
		{"faqs", "faq_id", map[string]any{"question": "忘记密码怎么办？", "similar_questions": []string{"密码找回", "重置密码"}, "answer": "点击“忘记密码”。",
			"channel_answers": map[string]string{"sms": "回复 1 重置"}, "category_id": child, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
			map[string]any{"answer": "点击登录页的“忘记密码”。", "tags": []string{"账户"}}},
	} {
		base, item := T+"/"+k.seg, T+"/"+k.seg+"/{"+k.param+"}"
		p := kb + "/" + k.seg
		id := call("POST", base, p, k.create, http.StatusCreated).Str("id")
		ip := p + "/" + id
		call("POST", base, p, map[string]any{"title": " ", "body": " ", "question": " ", "answer": " "}, http.StatusBadRequest)
		call("POST", base, p, map[string]any{"title": "t", "body": "b", "question": "q", "answer": "a", "version": 1}, http.StatusBadRequest)
		call("GET", item, ip, nil, http.StatusOK)
		call("GET", item, p+"/"+uuid.NewString(), nil, http.StatusNotFound)
		call("GET", base, p+"?status=draft&limit=1", nil, http.StatusOK)
		call("GET", base, p+"?stale=maybe", nil, http.StatusBadRequest)
		call("POST", item+"/reject", ip+"/reject", nil, http.StatusConflict)
		call("POST", item+"/submit", ip+"/submit", nil, http.StatusOK)
		call("POST", item+"/reject", ip+"/reject", map[string]any{"note": "Add a screenshot."}, http.StatusOK)
		call("POST", item+"/publish", ip+"/publish", nil, http.StatusOK)
		call("POST", item+"/publish", ip+"/publish", nil, http.StatusConflict)
		edited := call("PATCH", item, ip, k.edit, http.StatusOK)
		if edited.JSON()["pending_changes"] != true || edited.JSON()["live"] == nil {
			t.Fatalf("an edited live entry: %s", edited.Body)
		}
		call("PATCH", item, ip, map[string]any{"version": 1, "tags": []string{"x"}}, http.StatusConflict)
		call("PATCH", item, ip, map[string]any{"category_id": uuid.NewString()}, http.StatusUnprocessableEntity)
		call("GET", base, p+"?q=&tag=账户&locale=zh-CN&stale=false&category_id="+child, nil, http.StatusOK)
		call("GET", item+"/versions", ip+"/versions?limit=2", nil, http.StatusOK)
		call("GET", item+"/versions", ip+"/versions?cursor=0", nil, http.StatusBadRequest)
		call("GET", item+"/versions/{version}", ip+"/versions/1", nil, http.StatusOK)
		call("GET", item+"/versions/{version}", ip+"/versions/99", nil, http.StatusNotFound)
		call("GET", item+"/diff", ip+"/diff", nil, http.StatusOK)
		call("GET", item+"/diff", ip+"/diff?from=1&to=5", nil, http.StatusOK)
		call("GET", item+"/diff", ip+"/diff?from=1&to=99", nil, http.StatusNotFound)
		call("POST", item+"/rollback", ip+"/rollback", map[string]any{"version": 1}, http.StatusOK)
		call("POST", item+"/rollback", ip+"/rollback", map[string]any{"version": 0}, http.StatusBadRequest)
		call("POST", item+"/archive", ip+"/archive", nil, http.StatusOK)
		call("POST", item+"/archive", ip+"/archive", nil, http.StatusConflict)
		call("DELETE", item, ip, nil, http.StatusNoContent)
		call("DELETE", item, ip, nil, http.StatusNotFound)
	}
	call("DELETE", T+"/categories/{category_id}", kb+"/categories/"+child, nil, http.StatusNoContent)
	// An expired draft cannot be published.
	exp := call("POST", T+"/faqs", kb+"/faqs", map[string]any{"question": "q?", "answer": "a", "expires_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, http.StatusBadRequest)
	if exp.Str("field") != "expires_at" {
		t.Fatalf("past expiry: %s", exp.Body)
	}
}

// TestKnowledgeWorkflowOverHTTP: writers draft and submit, publishers publish; what
// customers see changes only on publish; the audit log has the publisher's actions.
func TestKnowledgeWorkflowOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		owner := e.Signup("KB Roles", "owner@kb-roles.test")
		kb := "/api/v1/tenants/" + owner.TenantID + "/kb"
		writer := addMember(t, e, owner.TenantID, "writer@kb-roles.test", "supervisor") // kb:edit, no kb:publish
		agent := addMember(t, e, owner.TenantID, "agent@kb-roles.test", "agent")        // kb:read only
		viewer := addMember(t, e, owner.TenantID, "viewer@kb-roles.test", "viewer")     // kb:read only
		forbidden := func(r *kefutest.Resp, perm string) {
			t.Helper()
			if r.Status != http.StatusForbidden || r.Code() != "auth.forbidden" || !strings.Contains(r.Str("detail"), perm) {
				t.Fatalf("want 403 naming %s: %s", perm, r)
			}
		}

		faq := e.Call("POST", kb+"/faqs", writer.Token, map[string]any{"question": "退货要多久？ 🚚", "answer": "7 天内。"}).Must(t, http.StatusCreated)
		id := faq.Str("id")
		if faq.Str("locale") != "zh-CN" || faq.Str("status") != "draft" || faq.Str("created_by") != writer.UserID {
			t.Fatalf("created %s", faq.Body)
		}
		forbidden(e.Call("POST", kb+"/faqs", agent.Token, map[string]any{"question": "q", "answer": "a"}), "kb:edit")
		forbidden(e.Call("PATCH", kb+"/faqs/"+id, viewer.Token, map[string]any{"answer": "x"}), "kb:edit")
		forbidden(e.Call("POST", kb+"/categories", agent.Token, map[string]any{"name": map[string]string{"en": "x"}}), "kb:edit")
		e.Call("GET", kb+"/faqs/"+id, agent.Token, nil).Must(t, http.StatusOK) // drafts are readable with kb:read
		e.Call("POST", kb+"/faqs/"+id+"/submit", writer.Token, nil).Must(t, http.StatusOK)
		// A writer cannot approve their own entry, nor archive or delete it.
		forbidden(e.Call("POST", kb+"/faqs/"+id+"/publish", writer.Token, nil), "kb:publish")
		forbidden(e.Call("POST", kb+"/faqs/"+id+"/reject", writer.Token, nil), "kb:publish")
		forbidden(e.Call("POST", kb+"/faqs/"+id+"/archive", writer.Token, nil), "kb:publish")
		forbidden(e.Call("DELETE", kb+"/faqs/"+id, writer.Token, nil), "kb:publish")
		if got := e.Call("GET", kb+"/faqs/"+id, owner.AccessToken, nil).Must(t, http.StatusOK).Str("status"); got != "in_review" {
			t.Fatalf("status after refused publish: %s", got)
		}
		pub := e.Call("POST", kb+"/faqs/"+id+"/publish", owner.AccessToken, nil).Must(t, http.StatusOK)
		if pub.Str("live.answer") != "7 天内。" || pub.Str("status") != "published" {
			t.Fatalf("published %s", pub.Body)
		}
		rev, err := e.Main.Knowledge.Revision(tenantCtx(owner.TenantID))
		if err != nil || rev != 1 {
			t.Fatalf("revision %d, %v", rev, err)
		}
		// The writer edits the live entry: a draft; customers keep the published answer.
		ed := e.Call("PATCH", kb+"/faqs/"+id, writer.Token, map[string]any{"answer": "14 天内。", "version": 3}).Must(t, http.StatusOK)
		if ed.Str("status") != "draft" || ed.Str("answer") != "14 天内。" || ed.Str("live.answer") != "7 天内。" {
			t.Fatalf("edited %s", ed.Body)
		}
		c, err := e.Main.Knowledge.Live(tenantCtx(owner.TenantID))
		if err != nil || len(c.FAQs) != 1 || c.FAQs[0].Answer != "7 天内。" {
			t.Fatalf("live corpus after an unpublished edit: %+v, %v", c.FAQs, err)
		}
		diff := e.Call("GET", kb+"/faqs/"+id+"/diff?from=3", agent.Token, nil).Must(t, http.StatusOK).JSON()
		changes, _ := diff["changes"].([]any)
		if len(changes) != 2 { // status published → draft, and the answer
			t.Fatalf("diff %v", diff)
		}
		e.Call("POST", kb+"/faqs/"+id+"/archive", owner.AccessToken, nil).Must(t, http.StatusOK)
		e.Call("DELETE", kb+"/faqs/"+id, owner.AccessToken, nil).Must(t, http.StatusNoContent)

		got := map[string]int{}
		for _, x := range e.Call("GET", "/api/v1/tenants/"+owner.TenantID+"/audit-log?limit=200", owner.AccessToken, nil).Must(t, http.StatusOK).Items() {
			if strings.HasPrefix(x["action"].(string), "kb.") {
				got[x["action"].(string)]++
				if x["target_id"] != id || x["actor_id"] != owner.UserID {
					t.Errorf("audit entry %v", x)
				}
			}
		}
		if got["kb.faq.published"] != 1 || got["kb.faq.archived"] != 1 || got["kb.faq.deleted"] != 1 || len(got) != 3 {
			t.Fatalf("audit log kb actions %v", got)
		}
	})
}

// TestKnowledgeAPILimits: client mistakes get a 4xx naming the field, never a 500;
// the body limit holds; emoji and mixed scripts pass; article HTML is safe.
func TestKnowledgeAPILimits(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := e.Signup("KB Limits", "owner@kb-limits.test")
		kb := "/api/v1/tenants/" + a.TenantID + "/kb"
		for _, tc := range []struct {
			name  string
			path  string
			body  any
			want  int
			field string
		}{
			{"whitespace question", "/faqs", map[string]any{"question": " \u3000 ", "answer": "a"}, http.StatusBadRequest, "question"},
			{"question of 501 characters", "/faqs", map[string]any{"question": strings.Repeat("问", 501), "answer": "a"}, http.StatusBadRequest, "question"},
			{"answer over 20 KB", "/faqs", map[string]any{"question": "q", "answer": strings.Repeat("答", 7000)}, http.StatusBadRequest, "answer"},
			{"201 similar questions", "/faqs", map[string]any{"question": "q", "answer": "a", "similar_questions": make([]string, 201)}, http.StatusBadRequest, "similar_questions"},
			{"NUL byte", "/faqs", map[string]any{"question": "q\u0000", "answer": "a"}, http.StatusBadRequest, "question"},
			{"unknown locale", "/faqs", map[string]any{"question": "q", "answer": "a", "locale": "xx"}, http.StatusBadRequest, "locale"},
			{"bad channel", "/faqs", map[string]any{"question": "q", "answer": "a", "channel_answers": map[string]string{"SMS ": "x"}}, http.StatusBadRequest, "channel_answers"},
			{"bad category id", "/faqs", map[string]any{"question": "q", "answer": "a", "category_id": "nope"}, http.StatusBadRequest, "category_id"},
			{"bad expiry", "/faqs", map[string]any{"question": "q", "answer": "a", "expires_at": "tomorrow"}, http.StatusBadRequest, "expires_at"},
			{"21 tags", "/articles", map[string]any{"title": "t", "body": "b", "tags": make([]string, 21)}, http.StatusBadRequest, "tags"},
			{"body over 200 KB", "/articles", map[string]any{"title": "t", "body": strings.Repeat("b", 200<<10+1)}, http.StatusBadRequest, "body"},
			{"mistyped tags", "/articles", `{"title":"t","body":"b","tags":"x"}`, http.StatusBadRequest, "tags"},
			{"blank category name", "/categories", map[string]any{"name": map[string]string{"en": "\t"}}, http.StatusBadRequest, "name.en"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.Call("POST", kb+tc.path, a.AccessToken, tc.body)
				if r.Status != tc.want || r.Str("field") != tc.field {
					t.Fatalf("%d field %q, want %d field %q: %s", r.Status, r.Str("field"), tc.want, tc.field, r.Body)
				}
			})
		}
		// Over the request body limit (1 MiB): 413, not a 500 or a truncated entry.
		if st, body := overLimit(t, e, kb+"/articles", map[string]string{"Authorization": "Bearer " + a.AccessToken, "Content-Type": "application/json"}, 1<<20+100); st != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "request.too-large") {
			t.Fatalf("oversized body: %d %s", st, body)
		}
		for _, q := range []string{"?limit=0", "?status=live", "?locale=fr", "?cursor=x", "?category_id=x", "?q=" + strings.Repeat("q", 201)} {
			if r := e.Call("GET", kb+"/articles"+q, a.AccessToken, nil); r.Status != http.StatusBadRequest {
				t.Errorf("GET articles%s: %s", q[:min(len(q), 20)], r)
			}
		}

		art := e.Call("POST", kb+"/articles", a.AccessToken, map[string]any{"title": "退款 Refund 🎉 возврат",
			"body": "**Hi** <img src=x onerror=alert(1)> [x](javascript:alert(2)) <script>alert(3)</script>"}).Must(t, http.StatusCreated)
		if art.Str("title") != "退款 Refund 🎉 возврат" {
			t.Fatalf("title %q", art.Str("title"))
		}
		html := art.Str("html")
		if !strings.Contains(html, "<strong>Hi</strong>") || strings.Contains(html, "onerror") || strings.Contains(html, "javascript:") || strings.Contains(html, "<script") {
			t.Fatalf("html %q", html)
		}
		list := e.Call("GET", kb+"/articles?q=REFUND", a.AccessToken, nil).Must(t, http.StatusOK)
		if items := list.Items(); len(items) != 1 || items[0]["body"] != nil || items[0]["html"] != nil {
			t.Fatalf("list %s", list.Body)
		}
	})
}

func tenantCtx(tenantID string) context.Context {
	return tenants.NewContext(context.Background(), uuid.MustParse(tenantID))
}

// overLimit sends a request whose headers declare a body of n bytes, over the server's
// limit, and sends none of the body: the server must refuse from Content-Length alone.
// Sending the body as well would race the server's close (it does not read what it
// refuses), and the reset that follows can swallow the 413 on the client's side.
func overLimit(t *testing.T, e *kefutest.Env, path string, header map[string]string, n int) (int, []byte) {
	t.Helper()
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nConnection: close\r\n", path, u.Host, n)
	for k, v := range header {
		fmt.Fprintf(&req, "%s: %s\r\n", k, v)
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(conn, req.String()); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("over-limit POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}
