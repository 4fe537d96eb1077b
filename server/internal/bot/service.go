package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// Store keeps settings, models and the turn log of the context's tenant.
type Store interface {
	// Settings returns the stored settings and sealed LLM key (found=false: defaults).
	Settings(ctx context.Context) (s Settings, sealedKey string, found bool, err error)
	// PutSettings stores settings; a nil sealedKey keeps the stored key.
	PutSettings(ctx context.Context, s Settings, sealedKey *string, at time.Time) error
	ModelRevision(ctx context.Context) (int64, bool, error)
	GetModel(ctx context.Context) (StoredModel, bool, error)
	// PutModel stores m unless a model of a newer revision is stored (stored=false).
	PutModel(ctx context.Context, m StoredModel) (stored bool, err error)
	// InsertTurn logs a turn; when the message already has one it returns that one
	// and created=false.
	InsertTurn(ctx context.Context, t *Turn) (existing Turn, created bool, err error)
	SetTurnReply(ctx context.Context, turnID, replyID uuid.UUID) error
	// RecentTurns returns a conversation's last n turns, newest first.
	RecentTurns(ctx context.Context, conversationID uuid.UUID, n int) ([]Turn, error)
	TurnByReply(ctx context.Context, replyID uuid.UUID) (Turn, error)
	SetFeedback(ctx context.Context, turnID uuid.UUID, v int) error
	// Unanswered returns the newest turns the bot did not answer and nobody reviewed.
	Unanswered(ctx context.Context, limit int) ([]Turn, error)
	MarkReviewed(ctx context.Context, ids []uuid.UUID, at time.Time) (int, error)
}

// Conversations is the conversation engine as the bot uses it.
type Conversations interface {
	Get(ctx context.Context, id uuid.UUID) (conversation.Conversation, error)
	Message(ctx context.Context, id uuid.UUID) (conversation.Message, error)
	Reply(ctx context.Context, conversationID uuid.UUID, r conversation.Reply) (conversation.Message, error)
	HandOff(ctx context.Context, conversationID uuid.UUID, note string) (conversation.Conversation, bool, error)
}

// Knowledge is the published knowledge of the context's tenant.
type Knowledge interface {
	// Snapshot returns the live entries the bot may answer with, and their revision.
	Snapshot(ctx context.Context) (Snapshot, error)
	// Revision increases with every change to live knowledge.
	Revision(ctx context.Context) (int64, error)
}

// Jobs queues background work.
type Jobs interface {
	EnqueueRebuild(ctx context.Context, tenantID uuid.UUID) error
}

// Sealer seals secrets at rest (the LLM API key), bound to aad (the tenant id, so a
// sealed key copied to another tenant's row does not open).
type Sealer interface {
	Seal(plain, aad []byte) (string, error)
	Open(sealed string, aad []byte) ([]byte, error)
}

// Channels tells a channel's connector kind (for per-channel answer variants).
type Channels interface {
	Kind(ctx context.Context, channelID uuid.UUID) (string, error)
}

// Hours tells whether agents work now (nil: always).
type Hours interface {
	Open(ctx context.Context, at time.Time) bool
}

// Tx runs a function in one transaction.
type Tx interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Audit records admin actions.
type Audit interface {
	Record(ctx context.Context, action, targetType, targetID string, data map[string]any) error
}

// Service is the bot engine.
type Service struct {
	Store         Store
	Tx            Tx
	Audit         Audit
	Conversations Conversations
	Knowledge     Knowledge
	Jobs          Jobs
	Sealer        Sealer
	Channels      Channels
	Hours         Hours
	// HTTP calls the LLM provider (nil: a client with no overall timeout; each call
	// is bounded by the tenant's timeout).
	HTTP   *http.Client
	Logger *slog.Logger
	Now    func() time.Time

	models   registry
	settings sync.Map // tenant id → settingsEntry
}

type settingsEntry struct {
	s      Settings
	sealed string
	at     time.Time
}

// settingsTTL is how long a node trusts its copy of a tenant's settings: a change on
// another node applies within it.
const settingsTTL = 2 * time.Second

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// Settings returns the tenant's settings (defaults until changed).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	e, err := s.loadSettings(ctx, false)
	return e.s, err
}

func (s *Service) loadSettings(ctx context.Context, fresh bool) (settingsEntry, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return settingsEntry{}, err
	}
	if v, ok := s.settings.Load(tid); ok && !fresh {
		if e := v.(settingsEntry); s.now().Sub(e.at) < settingsTTL {
			return e, nil
		}
	}
	set, sealed, found, err := s.Store.Settings(ctx)
	if err != nil {
		return settingsEntry{}, fmt.Errorf("bot settings: %w", err)
	}
	if !found {
		set = DefaultSettings()
	}
	set.LLM.HasKey = sealed != ""
	e := settingsEntry{s: set, sealed: sealed, at: s.now()}
	s.settings.Store(tid, e)
	return e, nil
}

// SettingsUpdate is a settings change; APIKey nil keeps the stored key, "" removes it.
type SettingsUpdate struct {
	Settings Settings
	APIKey   *string
}

// UpdateSettings validates and stores the tenant's settings.
func (s *Service) UpdateSettings(ctx context.Context, u SettingsUpdate) (Settings, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Settings{}, err
	}
	set := u.Settings
	if err := set.Validate(); err != nil {
		return Settings{}, err
	}
	var sealed *string
	if u.APIKey != nil {
		k := strings.TrimSpace(*u.APIKey)
		if len(k) > 500 {
			return Settings{}, errs.Invalidf("llm.api_key", "at most 500 characters")
		}
		v := ""
		if k != "" {
			if s.Sealer == nil {
				return Settings{}, errors.New("bot: no sealer for secrets")
			}
			if v, err = s.Sealer.Seal([]byte(k), tid[:]); err != nil {
				return Settings{}, fmt.Errorf("seal llm key: %w", err)
			}
		}
		sealed = &v
	}
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.PutSettings(ctx, set, sealed, s.now().UTC()); err != nil {
			return fmt.Errorf("store bot settings: %w", err)
		}
		if s.Audit == nil {
			return nil
		}
		// The key itself is never recorded, only that it changed.
		return s.Audit.Record(ctx, "bot.settings_changed", "bot", tid.String(), map[string]any{
			"channels": len(set.Channels), "answer_threshold": set.AnswerThreshold, "clarify_threshold": set.ClarifyThreshold,
			"llm_enabled": set.LLM.Enabled, "llm_key_changed": u.APIKey != nil})
	})
	if err != nil {
		return Settings{}, err
	}
	s.settings.Delete(tid)
	e, err := s.loadSettings(ctx, true)
	return e.s, err
}

// BotOn implements conversation.BotChannels: whether a channel's new conversations
// start with the bot. On an error the conversation goes to the queue: a person
// answering is the safe default.
func (s *Service) BotOn(ctx context.Context, channelID uuid.UUID) bool {
	e, err := s.loadSettings(ctx, false)
	if err != nil {
		s.log().Warn("bot: settings unavailable; conversation goes to the queue", "err", err)
		return false
	}
	return e.s.BotOn(channelID)
}

// Rebuild builds the tenant's model from its live knowledge and stores it, repeating
// while the knowledge moved on during the build (at most three times: a tenant
// editing non-stop gets a model per round, and the nodes' check asks again later).
func (s *Service) Rebuild(ctx context.Context, tid uuid.UUID) error {
	ctx = tenants.NewContext(ctx, tid)
	for round := 0; round < 3; round++ {
		snap, err := s.Knowledge.Snapshot(ctx)
		if err != nil {
			return fmt.Errorf("bot rebuild: read knowledge: %w", err)
		}
		if cur, ok, err := s.Store.ModelRevision(ctx); err == nil && ok && cur >= snap.Revision {
			return nil
		}
		start := time.Now()
		l, err := Build(snap)
		if err != nil {
			return fmt.Errorf("bot rebuild: %w", err)
		}
		blob, err := encodeModel(l.Model, snap.Entries)
		if err != nil {
			return err
		}
		ms := int(time.Since(start).Milliseconds())
		stored, err := s.Store.PutModel(ctx, StoredModel{Revision: snap.Revision, Entries: len(snap.Entries), Blob: blob, BuildMS: ms, BuiltAt: s.now().UTC()})
		if err != nil {
			return fmt.Errorf("bot rebuild: store model: %w", err)
		}
		s.forget(tid)
		s.log().Info("bot model built", "tenant_id", tid, "revision", snap.Revision, "entries", len(snap.Entries), "build_ms", ms, "bytes", len(blob), "stored", stored)
		now, err := s.Knowledge.Revision(ctx)
		if err != nil || now <= snap.Revision {
			return nil
		}
	}
	return nil
}

// ModelInfo describes the model a tenant's bot serves.
type ModelInfo struct {
	Revision          int64      `json:"revision"`
	KnowledgeRevision int64      `json:"knowledge_revision"`
	Entries           int        `json:"entries"`
	Bytes             int        `json:"bytes"`
	BuildMS           int        `json:"build_ms"`
	BuiltAt           *time.Time `json:"built_at"`
	// Building says the model is behind the knowledge and a rebuild is queued.
	Building bool `json:"building"`
}

// Info reports the stored model against the knowledge.
func (s *Service) Info(ctx context.Context) (ModelInfo, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return ModelInfo{}, err
	}
	var mi ModelInfo
	sm, found, err := s.Store.GetModel(ctx)
	if err != nil {
		return ModelInfo{}, err
	}
	if found {
		at := sm.BuiltAt.UTC()
		mi = ModelInfo{Revision: sm.Revision, Entries: sm.Entries, Bytes: len(sm.Blob), BuildMS: sm.BuildMS, BuiltAt: &at}
	}
	if s.Knowledge != nil {
		if mi.KnowledgeRevision, err = s.Knowledge.Revision(ctx); err != nil {
			return ModelInfo{}, err
		}
	}
	if mi.KnowledgeRevision > mi.Revision || (!found && mi.KnowledgeRevision > 0) {
		mi.Building = true
		if s.Jobs != nil {
			if err := s.Jobs.EnqueueRebuild(ctx, tid); err != nil {
				s.log().Warn("bot: could not queue a model rebuild", "tenant_id", tid, "err", err)
			}
		}
	}
	return mi, nil
}

// Try runs the bot on a question without side effects (the console's "try the bot").
func (s *Service) Try(ctx context.Context, text, channelKind string) (Decision, error) {
	tid, err := tenants.Require(ctx)
	if err != nil {
		return Decision{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return Decision{}, errs.Invalidf("text", "ask something")
	}
	if utf8.RuneCountInString(text) > MaxQuestionLen {
		return Decision{}, errs.Invalidf("text", "at most %d characters", MaxQuestionLen)
	}
	e, err := s.loadSettings(ctx, false)
	if err != nil {
		return Decision{}, err
	}
	m, err := s.model(ctx, tid)
	if err != nil {
		return Decision{}, err
	}
	d := Decide(text, &e.s, m, State{ChannelKind: channelKind})
	s.generate(ctx, &d, text, &e, m)
	if d.Decision == Handoff {
		d.Reply = s.handoffText(ctx, &e.s)
	}
	return d, nil
}

// HandleTurn answers one customer message of a conversation in bot mode. It runs as
// a retried background task: the decision is logged once per message, the reply
// carries a client id derived from the message, and the hand-off only moves a
// conversation still with the bot, so a retry never answers twice.
func (s *Service) HandleTurn(ctx context.Context, job conversation.BotJob) error {
	ctx = tenants.NewContext(ctx, job.TenantID)
	conv, err := s.Conversations.Get(ctx, job.ConversationID)
	if err != nil {
		if errors.Is(err, conversation.ErrConversationNotFound) {
			return nil
		}
		return err
	}
	if conv.Status != conversation.StatusBot {
		return nil // a person took over meanwhile
	}
	msg, err := s.Conversations.Message(ctx, job.MessageID)
	if err != nil {
		if errors.Is(err, conversation.ErrMessageNotFound) {
			return nil
		}
		return err
	}
	if msg.Direction != conversation.In || msg.ConversationID != conv.ID {
		return nil
	}
	set, err := s.loadSettings(ctx, false)
	if err != nil {
		return err
	}
	recent, err := s.Store.RecentTurns(ctx, conv.ID, 10)
	if err != nil {
		return err
	}
	var turn Turn
	var prev []Turn
	for _, t := range recent {
		if t.MessageID == msg.ID {
			turn = t
		} else if bytes.Compare(t.MessageID[:], msg.ID[:]) < 0 {
			// Message ids are time-ordered: these turns answered earlier messages.
			prev = append(prev, t)
		}
	}
	if turn.ID == uuid.Nil {
		d, err := s.decide(ctx, job.TenantID, &msg, conv, prev, &set)
		if err != nil {
			return err
		}
		q := msg.Text
		if r := []rune(q); len(r) > maxLoggedLength {
			q = string(r[:maxLoggedLength])
		}
		turn = Turn{ID: uuid.Must(uuid.NewV7()), TenantID: job.TenantID, ConversationID: conv.ID, MessageID: msg.ID,
			Question: q, Decision: d.Decision, Reason: d.Reason, Confidence: d.Confidence, EntryID: d.EntryID,
			Matches: d.Matches, CreatedAt: s.now().UTC()}
		// The reply text is not logged; keep it with the turn for this run.
		existing, created, err := s.Store.InsertTurn(ctx, &turn)
		if err != nil {
			return fmt.Errorf("log bot turn: %w", err)
		}
		if !created {
			turn = existing
		} else {
			return s.act(ctx, conv, &turn, d.Reply, len(prev) == 0, &set)
		}
	}
	if turn.ReplyID != nil && turn.Decision != Handoff {
		return nil
	}
	// A retry after a crash between logging and acting: redo the action from the log.
	d := Decision{Decision: turn.Decision, Reason: turn.Reason, Matches: turn.Matches, EntryID: turn.EntryID}
	reply, err := s.replyFor(ctx, &d, &set, conv)
	if err != nil {
		return err
	}
	return s.act(ctx, conv, &turn, reply, len(prev) == 0, &set)
}

// decide takes the decision for a live message: the state comes from the previous
// turns, an LLM may write the answer.
func (s *Service) decide(ctx context.Context, tid uuid.UUID, msg *conversation.Message, conv conversation.Conversation, prev []Turn, set *settingsEntry) (Decision, error) {
	st := State{}
	for _, t := range prev {
		if t.Decision != Fallback {
			break
		}
		st.Fallbacks++
	}
	if len(prev) > 0 && prev[0].Decision == Clarify {
		st.Suggested = prev[0].Matches
	}
	if s.Channels != nil {
		if k, err := s.Channels.Kind(ctx, conv.ChannelID); err == nil {
			st.ChannelKind = k
		}
	}
	if msg.Type != conversation.TypeText || strings.TrimSpace(msg.Text) == "" {
		// A picture or a file: the bot cannot read it, a person can.
		d := Decision{Decision: Fallback, Reason: ReasonNotText, Matches: []Match{}}
		if set.s.MaxFallbacks > 0 && st.Fallbacks+1 >= set.s.MaxFallbacks {
			d.Decision = Handoff
		} else {
			d.Reply = set.s.FallbackText
		}
		return d, nil
	}
	m, err := s.model(ctx, tid)
	if err != nil {
		return Decision{}, err
	}
	d := Decide(msg.Text, &set.s, m, st)
	s.generate(ctx, &d, msg.Text, set, m)
	return d, nil
}

// replyFor rebuilds the text of a logged decision (a retried turn).
func (s *Service) replyFor(ctx context.Context, d *Decision, set *settingsEntry, conv conversation.Conversation) (string, error) {
	switch d.Decision {
	case Answer:
		m, err := s.model(ctx, conv.TenantID)
		if err != nil {
			return "", err
		}
		if m != nil {
			if e, ok := m.Entries[d.EntryID]; ok {
				kind := ""
				if s.Channels != nil {
					kind, _ = s.Channels.Kind(ctx, conv.ChannelID)
				}
				return answerText(e, kind), nil
			}
		}
		return set.s.FallbackText, nil
	case Clarify:
		return clarifyText(&set.s, d.Matches), nil
	case Fallback:
		return set.s.FallbackText, nil
	}
	return "", nil
}

// act sends what the turn decided: the greeting on a conversation's first turn, then
// the answer, suggestion or fallback; or the hand-off message and the hand-off.
func (s *Service) act(ctx context.Context, conv conversation.Conversation, t *Turn, reply string, first bool, set *settingsEntry) error {
	if first && strings.TrimSpace(set.s.Greeting) != "" && t.Decision != Handoff {
		if _, err := s.Conversations.Reply(ctx, conv.ID, conversation.Reply{Text: set.s.Greeting, ClientID: "bot:greet:" + conv.ID.String(), SenderType: conversation.SenderBot}); err != nil {
			return fmt.Errorf("bot greeting: %w", err)
		}
	}
	if t.Decision == Handoff {
		if text := s.handoffText(ctx, &set.s); text != "" {
			m, err := s.Conversations.Reply(ctx, conv.ID, conversation.Reply{Text: text, ClientID: "bot:" + t.MessageID.String(), SenderType: conversation.SenderBot})
			if err != nil {
				return fmt.Errorf("bot hand-off message: %w", err)
			}
			if err := s.Store.SetTurnReply(ctx, t.ID, m.ID); err != nil {
				return err
			}
		}
		if _, _, err := s.Conversations.HandOff(ctx, conv.ID, handoffNote(t)); err != nil {
			return fmt.Errorf("bot hand-off: %w", err)
		}
		return nil
	}
	if strings.TrimSpace(reply) == "" {
		return nil
	}
	m, err := s.Conversations.Reply(ctx, conv.ID, conversation.Reply{Text: reply, ClientID: "bot:" + t.MessageID.String(), SenderType: conversation.SenderBot})
	if err != nil {
		return fmt.Errorf("bot reply: %w", err)
	}
	return s.Store.SetTurnReply(ctx, t.ID, m.ID)
}

func (s *Service) handoffText(ctx context.Context, set *Settings) string {
	if s.Hours != nil && !s.Hours.Open(ctx, s.now()) && strings.TrimSpace(set.BusinessHoursText) != "" {
		return set.BusinessHoursText
	}
	return set.HandoffText
}

var reasonText = map[string]string{
	ReasonAsked:     "the customer asked for a person",
	ReasonFallbacks: "the bot could not answer several times",
	ReasonNegative:  "the customer sounds upset",
	ReasonNotText:   "the customer sent something the bot cannot read",
}

// handoffNote is the agents' note: why the bot handed off and what it guessed.
func handoffNote(t *Turn) string {
	var b strings.Builder
	b.WriteString("Bot hand-off: ")
	if r, ok := reasonText[t.Reason]; ok {
		b.WriteString(r)
	} else {
		b.WriteString("the bot could not help")
	}
	b.WriteString(".")
	if len(t.Matches) > 0 {
		b.WriteString(" Bot's guesses:")
		for i, m := range t.Matches {
			fmt.Fprintf(&b, "\n%d. %s (%.0f%%)", i+1, m.Question, m.Score*100)
		}
	}
	return b.String()
}

// Turns lists the bot's decisions in a conversation, oldest first (what the agent
// sees after a hand-off: the bot's guesses per message).
func (s *Service) Turns(ctx context.Context, conversationID uuid.UUID) ([]Turn, error) {
	ts, err := s.Store.RecentTurns(ctx, conversationID, 200)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(ts)-1; i < j; i, j = i+1, j-1 {
		ts[i], ts[j] = ts[j], ts[i]
	}
	return ts, nil
}

// Feedback records a customer's 👍 (1) or 👎 (-1) on one of the bot's answers (by
// the reply's message id) in their conversation; 0 withdraws it.
func (s *Service) Feedback(ctx context.Context, conversationID, replyID uuid.UUID, v int) error {
	if v < -1 || v > 1 {
		return errs.Invalidf("rating", "must be 1, -1 or 0")
	}
	t, err := s.Store.TurnByReply(ctx, replyID)
	if err != nil {
		return err
	}
	if t.ConversationID != conversationID {
		return ErrTurnNotFound
	}
	if t.Decision != Answer {
		return ErrNotAnswer
	}
	return s.Store.SetFeedback(ctx, t.ID, v)
}
