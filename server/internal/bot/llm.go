package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-io/kefu/tenants"
)

// noAnswer is what the model is told to say when the entries do not answer.
const noAnswer = "NO_ANSWER"

const systemPrompt = `You are a customer-service assistant. Answer the customer's question using ONLY the numbered knowledge entries below. ` +
	`Answer in the customer's language, briefly and politely. After each sentence that uses an entry, cite it as [n]. ` +
	`If the entries do not answer the question, reply exactly ` + noAnswer + ` and nothing else. Never invent facts, prices, links or policies.`

var citeRE = regexp.MustCompile(`\[(\d{1,2})\]`)

// generate lets the tenant's LLM write the answer from the retrieved entries when it
// is configured and the retrieval is not weak. Any failure (timeout, error, refusal,
// an answer citing nothing) keeps the retrieval decision: the customer always gets
// the knowledge base's own answer or a suggestion, never an invented one.
func (s *Service) generate(ctx context.Context, d *Decision, question string, set *settingsEntry, m *Loaded) {
	cfg := set.s.LLM
	if !cfg.Enabled || set.sealed == "" || m == nil || s.Sealer == nil {
		return
	}
	if d.Decision != Answer && d.Decision != Clarify || len(d.Matches) == 0 || d.Confidence < set.s.ClarifyThreshold {
		return
	}
	if d.Reason == "picked" {
		return
	}
	tid, ok := tenants.FromContext(ctx)
	if !ok {
		return
	}
	key, err := s.Sealer.Open(set.sealed, tid[:])
	if err != nil {
		s.log().Warn("bot: cannot open the LLM key", "err", err)
		return
	}
	var entries []*Entry
	for _, mt := range d.Matches {
		if e, ok := m.Entries[mt.EntryID]; ok {
			entries = append(entries, e)
		}
	}
	text, err := s.complete(ctx, cfg, string(key), question, entries)
	if err != nil {
		s.log().Warn("bot: LLM failed; using the retrieval answer", "err", err)
		return
	}
	text = strings.TrimSpace(text)
	if text == "" || strings.Contains(text, noAnswer) {
		return
	}
	var cited []string
	seen := map[int]bool{}
	for _, c := range citeRE.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(c[1])
		if n >= 1 && n <= len(entries) && !seen[n] {
			seen[n] = true
			cited = append(cited, entries[n-1].ID)
		}
	}
	if len(cited) == 0 {
		// An answer that cites no entry is not grounded in the knowledge base.
		s.log().Warn("bot: LLM answer cited no entry; using the retrieval answer")
		return
	}
	if r := []rune(text); len(r) > 4000 {
		text = string(r[:4000])
	}
	d.Decision, d.Reply, d.Generated, d.Citations, d.EntryID = Answer, text, true, cited, cited[0]
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
	MaxTokens   int           `json:"max_tokens"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// complete calls an OpenAI-compatible chat-completions endpoint.
func (s *Service) complete(ctx context.Context, cfg LLM, key, question string, entries []*Entry) (string, error) {
	var kb strings.Builder
	for i, e := range entries {
		fmt.Fprintf(&kb, "[%d] Q: %s\nA: %s\n\n", i+1, e.Question, e.Answer)
	}
	body, _ := json.Marshal(chatRequest{Model: cfg.Model, Temperature: 0.2, MaxTokens: 600, Messages: []chatMessage{
		{Role: "system", Content: systemPrompt + "\n\nKnowledge entries:\n" + kb.String()},
		{Role: "user", Content: question},
	}})
	timeout := time.Duration(cfg.TimeoutMS) * time.Millisecond
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := strings.TrimRight(cfg.BaseURL, "/") + "/chat/completions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("llm request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	hc := s.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("llm call: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("llm read: %w", err)
	}
	var cr chatResponse
	if err := json.Unmarshal(b, &cr); err != nil {
		return "", fmt.Errorf("llm status %d: undecodable response", res.StatusCode)
	}
	if res.StatusCode/100 != 2 {
		msg := ""
		if cr.Error != nil {
			msg = cr.Error.Message
		}
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return "", fmt.Errorf("llm status %d: %s", res.StatusCode, msg)
	}
	if len(cr.Choices) == 0 {
		return "", fmt.Errorf("llm: no choices")
	}
	return cr.Choices[0].Message.Content, nil
}
