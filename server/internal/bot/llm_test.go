package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/tenants"
)

// plainSealer "seals" by prefixing the aad, so a key opened under another tenant fails.
type plainSealer struct{}

func (plainSealer) Seal(p, aad []byte) (string, error) { return string(aad) + "|" + string(p), nil }
func (plainSealer) Open(s string, aad []byte) ([]byte, error) {
	pre := string(aad) + "|"
	if !strings.HasPrefix(s, pre) {
		return nil, context.Canceled
	}
	return []byte(strings.TrimPrefix(s, pre)), nil
}

// fakeLLM follows the OpenAI chat-completions contract: POST {base}/chat/completions
// with a bearer key and {model, messages}; it answers {choices:[{message:{content}}]}.
type fakeLLM struct {
	mu      sync.Mutex
	reply   string
	status  int
	delay   time.Duration
	lastReq chatRequest
	lastKey string
}

func (f *fakeLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	reply, status, delay := f.reply, f.status, f.delay
	f.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.lastReq, f.lastKey = req, r.Header.Get("Authorization")
	f.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if status != 0 && status != http.StatusOK {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"error":{"message":"rate limited"}}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": reply}}}})
}

func TestLLMGeneratesFromRetrievedEntriesOnly(t *testing.T) {
	fake := &fakeLLM{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	m := testModel(t)
	tid := uuid.New()
	ctx := tenants.NewContext(context.Background(), tid)
	s := &Service{Sealer: plainSealer{}, HTTP: srv.Client()}
	set := settingsEntry{s: DefaultSettings(), sealed: string(tid[:]) + "|sk-test"}
	set.s.LLM = LLM{Enabled: true, BaseURL: srv.URL + "/v1", Model: "test-model", TimeoutMS: 300}

	run := func(q string) Decision {
		d := Decide(q, &set.s, m, State{})
		s.generate(ctx, &d, q, &set, m)
		return d
	}
	retrieval := Decide("我的退款什么时候能到账", &set.s, m, State{})
	if retrieval.Decision != Answer {
		t.Fatalf("retrieval: %+v", retrieval)
	}

	fake.reply = "您好，退款会在1-3个工作日内原路退回 [1]。"
	d := run("我的退款什么时候能到账")
	if !d.Generated || d.Reply != fake.reply || len(d.Citations) != 1 || d.Citations[0] != "faq:refund" || d.EntryID != "faq:refund" {
		t.Fatalf("generated: %+v", d)
	}
	if fake.lastKey != "Bearer sk-test" || fake.lastReq.Model != "test-model" || len(fake.lastReq.Messages) != 2 ||
		!strings.Contains(fake.lastReq.Messages[0].Content, "退款在 1-3 个工作日内原路退回。") || fake.lastReq.Messages[1].Content != "我的退款什么时候能到账" {
		t.Errorf("request: key %q %+v", fake.lastKey, fake.lastReq)
	}

	// Every failure keeps the retrieval answer.
	for name, mut := range map[string]func(){
		"refusal":     func() { fake.reply, fake.status, fake.delay = "NO_ANSWER", 0, 0 },
		"no citation": func() { fake.reply, fake.status, fake.delay = "退款很快的。", 0, 0 },
		"bad cite":    func() { fake.reply, fake.status, fake.delay = "见 [7]。", 0, 0 },
		"error":       func() { fake.reply, fake.status, fake.delay = "x [1]", http.StatusTooManyRequests, 0 },
		"timeout":     func() { fake.reply, fake.status, fake.delay = "慢 [1]", 0, 2*time.Second },
		"empty":       func() { fake.reply, fake.status, fake.delay = "   ", 0, 0 },
	} {
		fake.mu.Lock()
		mut()
		fake.mu.Unlock()
		d := run("我的退款什么时候能到账")
		if d.Generated || d.Decision != retrieval.Decision || d.Reply != retrieval.Reply {
			t.Errorf("%s: %+v, want the retrieval answer", name, d)
		}
	}

	// A key sealed for another tenant does not open; nothing is sent.
	fake.mu.Lock()
	fake.reply, fake.status, fake.delay, fake.lastKey = "x [1]", 0, 0, ""
	fake.mu.Unlock()
	other := set
	o := uuid.New()
	other.sealed = string(o[:]) + "|sk-other"
	d = Decide("我的退款什么时候能到账", &other.s, m, State{})
	s.generate(ctx, &d, "我的退款什么时候能到账", &other, m)
	if d.Generated || fake.lastKey != "" {
		t.Errorf("another tenant's key was used: %+v (key %q)", d, fake.lastKey)
	}
	// Off by default; a weak retrieval never reaches the LLM.
	off := set
	off.s.LLM.Enabled = false
	d = Decide("我的退款什么时候能到账", &off.s, m, State{})
	s.generate(ctx, &d, "我的退款什么时候能到账", &off, m)
	if d.Generated || fake.lastKey != "" {
		t.Errorf("LLM called while disabled: %+v", d)
	}
	d = Decide("xyzzy plugh", &set.s, m, State{})
	s.generate(ctx, &d, "xyzzy plugh", &set, m)
	if d.Generated || fake.lastKey != "" {
		t.Errorf("LLM called on a weak retrieval: %+v", d)
	}
}
