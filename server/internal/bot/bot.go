// Package bot is the answering bot: per customer message it answers from the tenant's
// knowledge base when it is confident, offers up to three "did you mean" suggestions
// when it is not, falls back when it has nothing, and hands the conversation to a
// human when the customer asks for one, after repeated fallbacks, or when the customer
// is clearly upset.
//
// The matching model (package nlu) is built per tenant from the published knowledge in
// the background and stored, so every node serves the newest version without building
// it on the message path.
package bot

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Decisions the bot takes on one customer message.
const (
	Answer   = "answer"   // confident: the entry's answer goes out
	Clarify  = "clarify"  // unsure: "did you mean …" with up to three suggestions
	Fallback = "fallback" // nothing matched: the tenant's fallback text
	Handoff  = "handoff"  // a human takes over: the conversation is queued
)

// Reasons for a hand-off (and for a fallback that is not "no match").
const (
	ReasonAsked     = "asked_for_human"
	ReasonFallbacks = "repeated_fallbacks"
	ReasonNegative  = "negative_sentiment"
	ReasonNoModel   = "no_knowledge"
	ReasonNotText   = "not_text"
)

// Limits on settings.
const (
	MaxTextSetting  = 1000 // greeting, fallback and the other texts, in characters
	MaxKeywords     = 50
	MaxKeywordLen   = 50
	MaxQuestionLen  = 1000 // what a "try the bot" request may ask
	maxSuggestions  = 3
	maxLoggedLength = 1000 // characters of a question kept in the turn log
)

// Settings are a tenant's bot configuration.
type Settings struct {
	// Channels lists the channels whose new conversations start with the bot.
	Channels []uuid.UUID `json:"channels"`
	// AnswerThreshold: at or above this confidence the bot answers; ClarifyThreshold:
	// at or above it the bot suggests; below, it falls back.
	AnswerThreshold  float64 `json:"answer_threshold"`
	ClarifyThreshold float64 `json:"clarify_threshold"`
	Greeting         string  `json:"greeting"`
	FallbackText     string  `json:"fallback_text"`
	ClarifyText      string  `json:"clarify_text"`
	HandoffText      string  `json:"handoff_text"`
	// BusinessHoursText replaces HandoffText when no agent works now (the hours come
	// from routing; until a tenant defines hours the team is always open).
	BusinessHoursText string `json:"business_hours_text"`
	// MaxFallbacks hands off after this many fallbacks in a row (0: never).
	MaxFallbacks int `json:"max_fallbacks"`
	// HandoffOnNegative hands off when the customer is clearly upset.
	HandoffOnNegative bool `json:"handoff_on_negative"`
	// HandoffKeywords are extra phrases that ask for a human, beside the built-in ones.
	HandoffKeywords []string `json:"handoff_keywords"`
	LLM             LLM      `json:"llm"`
}

// LLM configures an optional OpenAI-compatible chat-completions provider that writes
// answers from the retrieved entries. The API key is stored sealed, apart from these.
type LLM struct {
	Enabled bool   `json:"enabled"`
	BaseURL string `json:"base_url"` // e.g. https://api.openai.com/v1
	Model   string `json:"model"`
	// TimeoutMS bounds one generation; past it the retrieval answer goes out.
	TimeoutMS int `json:"timeout_ms"`
	// HasKey reports (read-only) whether an API key is stored.
	HasKey bool `json:"has_key"`
}

// DefaultSettings are what a tenant gets before changing anything: bilingual texts,
// two fallbacks, and thresholds that lean to precision: `kefu bot eval` picks 0.20
// on CLINC150's validation split for 70 % out-of-scope recall and 0.41 for a balanced
// score; a wrong answer costs a customer more than a "did you mean", so the bot
// answers from 0.5 and suggests from 0.2.
func DefaultSettings() Settings {
	return Settings{
		Channels:          []uuid.UUID{},
		AnswerThreshold:   0.5,
		ClarifyThreshold:  0.2,
		Greeting:          "",
		FallbackText:      "抱歉，我没有理解您的问题，可以换个说法吗？回复“人工”可转人工客服。\nSorry, I did not understand. Could you rephrase? Reply \"agent\" to talk to a person.",
		ClarifyText:       "您是不是想问：/ Did you mean:",
		HandoffText:       "正在为您转接人工客服，请稍候。\nConnecting you to an agent, please wait.",
		BusinessHoursText: "人工客服暂不在线，我们会尽快回复您。\nOur agents are offline now; we will get back to you as soon as possible.",
		MaxFallbacks:      2,
		HandoffOnNegative: true,
		HandoffKeywords:   []string{},
		LLM:               LLM{TimeoutMS: 3000},
	}
}

// Validate checks settings a tenant admin submits.
func (s *Settings) Validate() error {
	if s.AnswerThreshold < 0 || s.AnswerThreshold > 1 {
		return errs.Invalidf("answer_threshold", "must be between 0 and 1")
	}
	if s.ClarifyThreshold < 0 || s.ClarifyThreshold > s.AnswerThreshold {
		return errs.Invalidf("clarify_threshold", "must be between 0 and answer_threshold")
	}
	for name, v := range map[string]string{"greeting": s.Greeting, "fallback_text": s.FallbackText,
		"clarify_text": s.ClarifyText, "handoff_text": s.HandoffText, "business_hours_text": s.BusinessHoursText} {
		if utf8.RuneCountInString(v) > MaxTextSetting {
			return errs.Invalidf(name, "at most %d characters", MaxTextSetting)
		}
	}
	if strings.TrimSpace(s.FallbackText) == "" {
		return errs.Invalidf("fallback_text", "must not be empty")
	}
	if s.MaxFallbacks < 0 || s.MaxFallbacks > 20 {
		return errs.Invalidf("max_fallbacks", "must be between 0 and 20")
	}
	if len(s.HandoffKeywords) > MaxKeywords {
		return errs.Invalidf("handoff_keywords", "at most %d keywords", MaxKeywords)
	}
	kw := s.HandoffKeywords[:0]
	for _, k := range s.HandoffKeywords {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if utf8.RuneCountInString(k) > MaxKeywordLen {
			return errs.Invalidf("handoff_keywords", "a keyword has at most %d characters", MaxKeywordLen)
		}
		kw = append(kw, k)
	}
	s.HandoffKeywords = kw
	if len(s.Channels) > 1000 {
		return errs.Invalidf("channels", "too many channels")
	}
	if s.Channels == nil {
		s.Channels = []uuid.UUID{}
	}
	if s.LLM.Enabled {
		if err := validBaseURL(s.LLM.BaseURL); err != nil {
			return errs.Invalidf("llm.base_url", "%v", err)
		}
		if strings.TrimSpace(s.LLM.Model) == "" || len(s.LLM.Model) > 200 {
			return errs.Invalidf("llm.model", "name the model (at most 200 characters)")
		}
	}
	if s.LLM.TimeoutMS == 0 {
		s.LLM.TimeoutMS = 3000
	}
	if s.LLM.TimeoutMS < 100 || s.LLM.TimeoutMS > 60000 {
		return errs.Invalidf("llm.timeout_ms", "must be between 100 and 60000")
	}
	return nil
}

// BotOn reports whether a channel's new conversations start with the bot.
func (s *Settings) BotOn(channelID uuid.UUID) bool {
	for _, c := range s.Channels {
		if c == channelID {
			return true
		}
	}
	return false
}

// Match is one knowledge entry the bot considered.
type Match struct {
	EntryID  string  `json:"entry_id"`
	Kind     string  `json:"kind"` // faq or article
	Question string  `json:"question"`
	Score    float64 `json:"score"`
}

// Decision is what the bot made of one customer message.
type Decision struct {
	Decision   string  `json:"decision"`
	Reason     string  `json:"reason,omitempty"`
	Confidence float64 `json:"confidence"`
	Matches    []Match `json:"matches"`
	// Reply is the text the customer gets (empty when nothing is sent).
	Reply string `json:"reply"`
	// EntryID is the answered entry (Answer only).
	EntryID string `json:"entry_id,omitempty"`
	// Generated says an LLM wrote Reply from the entries named in Citations.
	Generated bool     `json:"generated,omitempty"`
	Citations []string `json:"citations,omitempty"`
	// Revision is the knowledge revision of the model that decided (0: no model).
	Revision int64 `json:"revision"`
}

// Turn is one logged decision on a customer message.
type Turn struct {
	ID             uuid.UUID  `json:"id"`
	TenantID       uuid.UUID  `json:"tenant_id"`
	ConversationID uuid.UUID  `json:"conversation_id"`
	MessageID      uuid.UUID  `json:"message_id"`
	ReplyID        *uuid.UUID `json:"reply_id"`
	Question       string     `json:"question"`
	Decision       string     `json:"decision"`
	Reason         string     `json:"reason"`
	Confidence     float64    `json:"confidence"`
	EntryID        string     `json:"entry_id"`
	Matches        []Match    `json:"matches"`
	Feedback       int        `json:"feedback"`
	ReviewedAt     *time.Time `json:"reviewed_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// Entry is one piece of published knowledge as the bot sees it.
type Entry struct {
	ID       string            // "faq:<uuid>" or "article:<uuid>"
	Kind     string            // faq or article
	Locale   string            // zh-CN, en …
	Question string            // standard question, or the article title
	Similar  []string          // similar questions (FAQ)
	Answer   string            // plain-text answer, or the article's summary and link
	Variants map[string]string // per-channel-kind answers (FAQ)
}

// Snapshot is what a model is built from and what it answers with.
type Snapshot struct {
	Revision int64   `json:"revision"`
	Entries  []Entry `json:"entries"`
}

// Errors.
var (
	ErrNoModel      = errs.New(errs.NotFound, "bot.no-model", "The bot has no knowledge to answer from yet.")
	ErrTurnNotFound = errs.New(errs.NotFound, "bot.turn-not-found", "No such bot answer.")
	ErrNotAnswer    = errs.New(errs.Conflict, "bot.not-an-answer", "Only the bot's answers can be rated.")
)

func validBaseURL(u string) error {
	if len(u) > 500 {
		return fmt.Errorf("at most 500 characters")
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("must be an http(s) URL")
	}
	return nil
}
