package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/kefu-io/kefu/server/kefutest"
)

// publishFAQ creates and publishes an FAQ; it returns its id.
func publishFAQ(t *testing.T, e *kefutest.Env, ct chatTenant, q string, similar []string, answer string) string {
	t.Helper()
	f := e.Call("POST", ct.path("/kb/faqs"), ct.AccessToken, map[string]any{"question": q, "similar_questions": similar,
		"answer": answer, "locale": "zh-CN"}).Must(t, http.StatusCreated)
	id := f.Str("id")
	e.Call("POST", ct.path("/kb/faqs/"+id+"/submit"), ct.AccessToken, nil).Must(t, http.StatusOK)
	e.Call("POST", ct.path("/kb/faqs/"+id+"/publish"), ct.AccessToken, nil).Must(t, http.StatusOK)
	return id
}

// enableBot turns the bot on for the tenant's channel and waits until its model
// serves the tenant's newest knowledge with want entries.
func enableBot(t *testing.T, e *kefutest.Env, ct chatTenant, want int) {
	t.Helper()
	e.Call("PUT", ct.path("/bot/settings"), ct.AccessToken, map[string]any{"channels": []string{ct.channel}}).Must(t, http.StatusOK)
	waitFor(t, "the bot model", func() bool {
		m := e.Call("GET", ct.path("/bot/model"), ct.AccessToken, nil).Must(t, http.StatusOK).JSON()
		return m["entries"] == float64(want) && m["revision"] == m["knowledge_revision"] && m["building"] == false
	})
}

func sentTexts(e *kefutest.Env) []string {
	var out []string
	for _, m := range e.Provider.Sent() {
		out = append(out, m.Text)
	}
	return out
}

func waitSentText(t *testing.T, e *kefutest.Env, want string) {
	t.Helper()
	waitFor(t, "a reply containing "+want, func() bool {
		for _, s := range sentTexts(e) {
			if strings.Contains(s, want) {
				return true
			}
		}
		return false
	})
}

// TestBotAnswersHandsOffAndLearns drives the bot through a real channel: a published
// FAQ answers a customer; asking for a person queues the conversation with a note for
// the agents; an unanswered question becomes an FAQ draft in one call; another
// tenant's customer never gets this tenant's answer.
func TestBotAnswersHandsOffAndLearns(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := newChatTenant(t, e, "Bot A", "owner@bot-a.test")
		refund := publishFAQ(t, e, a, "退款多久到账", []string{"退款什么时候到", "钱什么时候退回来", "退款进度怎么查", "退款一般几天"},
			"退款会在1-3个工作日内原路退回。")
		publishFAQ(t, e, a, "怎么开发票", []string{"发票在哪里开", "我要开增值税发票", "可以开发票吗", "电子发票怎么申请"},
			"在订单详情页点击申请发票。")
		enableBot(t, e, a, 2)

		tr := e.Call("POST", a.path("/bot/try"), a.AccessToken, map[string]any{"text": "我的退款什么时候能到账"}).Must(t, http.StatusOK)
		if tr.Str("decision") != "answer" || tr.Str("entry_id") != "faq:"+refund || tr.Str("reply") != "退款会在1-3个工作日内原路退回。" {
			t.Fatalf("try: %s", tr.Body)
		}
		for _, bad := range []map[string]any{{"text": ""}, {"text": strings.Repeat("退", 1001)}, {}} {
			if r := e.Call("POST", a.path("/bot/try"), a.AccessToken, bad); r.Status != http.StatusBadRequest {
				t.Errorf("try %v: %d %s", bad, r.Status, r.Body)
			}
		}

		// A customer asks; the bot answers through the channel.
		hook(e, a.channel, providerToken, map[string]any{"id": "m1", "from": "cust-1", "text": "我的退款什么时候能到账呀"}).Must(t, http.StatusOK)
		waitSentText(t, e, "退款会在1-3个工作日内原路退回。")
		convs := e.Call("GET", a.path("/conversations"), a.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(convs) != 1 || convs[0]["status"] != "bot" {
			t.Fatalf("conversations: %v", convs)
		}
		conv := convs[0]["id"].(string)

		// Asking for a person hands off: queued, a note for the agents, the turns logged.
		hook(e, a.channel, providerToken, map[string]any{"id": "m2", "from": "cust-1", "text": "转人工"}).Must(t, http.StatusOK)
		waitFor(t, "the hand-off", func() bool {
			return e.Call("GET", a.path("/conversations/"+conv), a.AccessToken, nil).Must(t, http.StatusOK).Str("status") == "queued"
		})
		waitSentText(t, e, "正在为您转接人工客服")
		msgs := e.Call("GET", a.path("/conversations/"+conv+"/messages"), a.AccessToken, nil).Must(t, http.StatusOK).Items()
		var note string
		for _, m := range msgs {
			if m["type"] == "system" {
				note = m["text"].(string)
			}
		}
		if !strings.Contains(note, "Bot hand-off") || !strings.Contains(note, "asked for a person") {
			t.Errorf("hand-off note = %q in %v", note, msgs)
		}
		turns := e.Call("GET", a.path("/conversations/"+conv+"/bot-turns"), a.AccessToken, nil).Must(t, http.StatusOK).Items()
		if len(turns) != 2 || turns[0]["decision"] != "answer" || turns[1]["decision"] != "handoff" || turns[1]["reason"] != "asked_for_human" {
			t.Fatalf("turns: %v", turns)
		}
		// After the hand-off the bot stays quiet.
		before := len(e.Provider.Sent())
		hook(e, a.channel, providerToken, map[string]any{"id": "m3", "from": "cust-1", "text": "退款多久到账"}).Must(t, http.StatusOK)
		waitFor(t, "the third message", func() bool {
			return len(e.Call("GET", a.path("/conversations/"+conv+"/messages"), a.AccessToken, nil).Must(t, http.StatusOK).Items()) >= len(msgs)+1
		})
		if got := len(e.Call("GET", a.path("/conversations/"+conv+"/bot-turns"), a.AccessToken, nil).Must(t, http.StatusOK).Items()); got != 2 {
			t.Errorf("bot took a turn after the hand-off: %d turns", got)
		}

		// An unanswerable question is logged, grouped and becomes a draft FAQ.
		hook(e, a.channel, providerToken, map[string]any{"id": "m4", "from": "cust-2", "text": "xyzzy plugh"}).Must(t, http.StatusOK)
		waitSentText(t, e, "Sorry, I did not understand")
		var group map[string]any
		waitFor(t, "the unanswered question", func() bool {
			for _, g := range e.Call("GET", a.path("/bot/unanswered"), a.AccessToken, nil).Must(t, http.StatusOK).Items() {
				if g["question"] == "xyzzy plugh" {
					group = g
					return true
				}
			}
			return false
		})
		res := e.Call("POST", a.path("/bot/unanswered/resolve"), a.AccessToken, map[string]any{"turn_ids": group["turn_ids"],
			"action": "create_faq", "question": "xyzzy 是什么", "similar": []string{"xyzzy plugh"}, "answer": "一个咒语。"}).Must(t, http.StatusOK)
		if res.JSON()["reviewed"] != float64(1) {
			t.Errorf("resolve: %s", res.Body)
		}
		draft := e.Call("GET", a.path("/kb/faqs/"+res.Str("faq_id")), a.AccessToken, nil).Must(t, http.StatusOK)
		if draft.Str("status") != "draft" || !strings.Contains(draft.String(), "xyzzy plugh") {
			t.Errorf("draft: %s", draft.Body)
		}
		for _, g := range e.Call("GET", a.path("/bot/unanswered"), a.AccessToken, nil).Must(t, http.StatusOK).Items() {
			if g["question"] == "xyzzy plugh" {
				t.Errorf("reviewed question still listed: %v", g)
			}
		}
		if r := e.Call("POST", a.path("/bot/unanswered/resolve"), a.AccessToken, map[string]any{"turn_ids": group["turn_ids"], "action": "explode"}); r.Status != http.StatusBadRequest {
			t.Errorf("bad action: %d %s", r.Status, r.Body)
		}
		_ = before

		// Another tenant's bot, with no knowledge, falls back: A's answer never leaks.
		b := newChatTenant(t, e, "Bot B", "owner@bot-b.test")
		e.Call("PUT", b.path("/bot/settings"), b.AccessToken, map[string]any{"channels": []string{b.channel}, "fallback_text": "B 不知道。"}).Must(t, http.StatusOK)
		n := strings.Count(strings.Join(sentTexts(e), "\x00"), "退款会在1-3个工作日内原路退回。")
		hook(e, b.channel, providerToken, map[string]any{"id": "m1", "from": "cust-1", "text": "我的退款什么时候能到账呀"}).Must(t, http.StatusOK)
		waitSentText(t, e, "B 不知道。")
		if got := strings.Count(strings.Join(sentTexts(e), "\x00"), "退款会在1-3个工作日内原路退回。"); got != n {
			t.Errorf("tenant B's customer got tenant A's answer")
		}
		if r := e.Call("POST", b.path("/bot/try"), b.AccessToken, map[string]any{"text": "我的退款什么时候能到账"}).Must(t, http.StatusOK); r.Str("decision") == "answer" {
			t.Errorf("tenant B's bot answered from A's knowledge: %s", r.Body)
		}
	})
}

func TestBotSettingsValidationAndSecrets(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *kefutest.Env) {
		a := newChatTenant(t, e, "Bot S", "owner@bot-s.test")
		def := e.Call("GET", a.path("/bot/settings"), a.AccessToken, nil).Must(t, http.StatusOK)
		if def.JSON()["max_fallbacks"] != float64(2) || def.Str("fallback_text") == "" {
			t.Fatalf("defaults: %s", def.Body)
		}
		for _, bad := range []map[string]any{
			{"answer_threshold": 2},
			{"fallback_text": ""},
			{"llm": map[string]any{"enabled": true, "base_url": "ftp://x", "model": "m"}},
			{"greeting": strings.Repeat("好", 1001)},
			{"channels": "not-a-list"},
		} {
			if r := e.Call("PUT", a.path("/bot/settings"), a.AccessToken, bad); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
				t.Errorf("settings %v: %d %s", bad, r.Status, r.Body)
			}
		}
		set := e.Call("PUT", a.path("/bot/settings"), a.AccessToken, map[string]any{
			"llm": map[string]any{"enabled": true, "base_url": "https://llm.example/v1", "model": "m"}, "llm_api_key": "sk-secret-value-123",
		}).Must(t, http.StatusOK)
		if strings.Contains(set.String(), "sk-secret") || set.JSON()["llm"].(map[string]any)["has_key"] != true {
			t.Fatalf("key echoed or not stored: %s", set.Body)
		}
		got := e.Call("GET", a.path("/bot/settings"), a.AccessToken, nil).Must(t, http.StatusOK)
		if strings.Contains(got.String(), "sk-secret") || got.JSON()["llm"].(map[string]any)["has_key"] != true {
			t.Fatalf("settings read: %s", got.Body)
		}
		// Changing other settings keeps the key; an empty key removes it.
		e.Call("PUT", a.path("/bot/settings"), a.AccessToken, map[string]any{"greeting": "你好",
			"llm": map[string]any{"enabled": true, "base_url": "https://llm.example/v1", "model": "m"}}).Must(t, http.StatusOK)
		if e.Call("GET", a.path("/bot/settings"), a.AccessToken, nil).JSON()["llm"].(map[string]any)["has_key"] != true {
			t.Error("key lost on an unrelated change")
		}
		e.Call("PUT", a.path("/bot/settings"), a.AccessToken, map[string]any{"llm_api_key": ""}).Must(t, http.StatusOK)
		if e.Call("GET", a.path("/bot/settings"), a.AccessToken, nil).JSON()["llm"].(map[string]any)["has_key"] != false {
			t.Error("key not removed")
		}
	})
}
