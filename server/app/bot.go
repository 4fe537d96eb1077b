package app

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/bot"
	"github.com/kefu-io/kefu/server/internal/bot/botdb"
	"github.com/kefu-io/kefu/server/internal/channels"
	"github.com/kefu-io/kefu/server/internal/conversation"
	"github.com/kefu-io/kefu/server/internal/knowledge"
	"github.com/kefu-io/kefu/server/internal/platform/crypt"
	"github.com/kefu-io/kefu/tenants"
)

// openBot builds the bot engine on the message path: it decides which new
// conversations start with the bot and answers them from the worker.
func (m *Main) openBot(secret []byte) error {
	c := m.chat
	box, err := crypt.NewBox(map[int][]byte{1: crypt.DeriveKey(secret, "kefu/bot/v1", 32)}, 1)
	if err != nil {
		return err
	}
	c.bot = &bot.Service{Store: &botdb.Store{DB: m.DB}, Tx: m.DB, Audit: m.Audit, Conversations: c.conversations,
		Jobs: m.enqueuer, Sealer: box, Channels: channelKinds{c.channels}, Logger: m.Logger,
		HTTP: &http.Client{}}
	if k := m.knowledgeForBot(); k != nil {
		c.bot.Knowledge = k
	}
	c.conversations.Bot = c.bot
	if m.Knowledge != nil {
		m.Knowledge.Notifier = rebuildOnChange{m}
	}
	return nil
}

// channelKinds tells the bot a channel's connector, which picks per-channel answers.
type channelKinds struct{ s *channels.Service }

func (k channelKinds) Kind(ctx context.Context, id uuid.UUID) (string, error) {
	ch, err := k.s.Get(ctx, id)
	if err != nil {
		return "", err
	}
	return ch.Connector, nil
}

// botTurn is the worker's bot:turn handler.
func (m *Main) botTurn(ctx context.Context, job conversation.BotJob) error {
	return m.chat.bot.HandleTurn(ctx, job)
}

// botRebuild is the worker's bot:rebuild handler.
func (m *Main) botRebuild(ctx context.Context, tenantID uuid.UUID) error {
	if m.chat.bot.Knowledge == nil {
		return nil
	}
	return m.chat.bot.Rebuild(ctx, tenantID)
}

// knowledgeForBot adapts the knowledge engine to what the bot reads.
func (m *Main) knowledgeForBot() bot.Knowledge {
	if m.Knowledge == nil {
		return nil
	}
	return botKnowledge{m.Knowledge, m.Tenants}
}

// knowledgeWriter adapts the knowledge engine to what the unanswered-questions view
// writes.
func (m *Main) knowledgeWriter() bot.KnowledgeWriter {
	if m.Knowledge == nil {
		return nil
	}
	return botKnowledge{m.Knowledge, m.Tenants}
}

type botKnowledge struct {
	k  *knowledge.Service
	ts *tenants.Service
}

// Entry ids carry their kind, so an FAQ and an article never collide in one model.
const (
	faqPrefix     = "faq:"
	articlePrefix = "article:"
)

func (b botKnowledge) Revision(ctx context.Context) (int64, error) { return b.k.Revision(ctx) }

// Snapshot turns the live corpus into bot entries: an FAQ answers with its answer
// (and per-channel variants); an article with its opening, which is what fits in a
// chat message.
func (b botKnowledge) Snapshot(ctx context.Context) (bot.Snapshot, error) {
	c, err := b.k.Live(ctx)
	if err != nil {
		return bot.Snapshot{}, err
	}
	s := bot.Snapshot{Revision: c.Revision, Entries: make([]bot.Entry, 0, len(c.FAQs)+len(c.Articles))}
	for _, f := range c.FAQs {
		s.Entries = append(s.Entries, bot.Entry{ID: faqPrefix + f.ID.String(), Kind: "faq", Locale: f.Locale,
			Question: f.Question, Similar: f.SimilarQuestions, Answer: f.Answer, Variants: f.ChannelAnswers})
	}
	for _, a := range c.Articles {
		s.Entries = append(s.Entries, bot.Entry{ID: articlePrefix + a.ID.String(), Kind: "article", Locale: a.Locale,
			Question: a.Title, Answer: articleAnswer(a)})
	}
	return s, nil
}

// articleAnswer is an article's title and first paragraphs as plain text, cut at
// about 600 characters.
func articleAnswer(a knowledge.LiveArticle) string {
	var b strings.Builder
	b.WriteString(a.Title)
	for _, line := range strings.Split(a.Body, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#>*-+ "))
		if line == "" || strings.HasPrefix(line, "```") || strings.HasPrefix(line, "![") {
			continue
		}
		b.WriteString("\n")
		b.WriteString(line)
		if b.Len() > 600 {
			break
		}
	}
	out := []rune(b.String())
	if len(out) > 600 {
		out = append(out[:600], '…')
	}
	return string(out)
}

func (b botKnowledge) CreateFAQDraft(ctx context.Context, question string, similar []string, answer, locale string) (string, error) {
	if locale == "" {
		tid, err := tenants.Require(ctx)
		if err != nil {
			return "", err
		}
		t, err := b.ts.Get(ctx, tid)
		if err != nil {
			return "", err
		}
		locale = t.Locale
	}
	in := knowledge.Input{Question: &question, SimilarQuestions: &similar, Locale: &locale}
	if strings.TrimSpace(answer) != "" {
		in.Answer = &answer
	}
	e, err := b.k.Create(ctx, knowledge.KindFAQ, in)
	if err != nil {
		return "", err
	}
	return e.ID.String(), nil
}

// AddSimilar adds questions to an FAQ's working copy (a new draft version: publishing
// it is the reviewer's step), skipping ones it already has.
func (b botKnowledge) AddSimilar(ctx context.Context, faqID string, questions []string) error {
	id, err := uuid.Parse(strings.TrimPrefix(faqID, faqPrefix))
	if err != nil {
		return knowledge.NotFound(knowledge.KindFAQ)
	}
	e, err := b.k.Get(ctx, knowledge.KindFAQ, id)
	if err != nil {
		return err
	}
	have := map[string]bool{strings.TrimSpace(e.Content.Question): true}
	sim := append([]string(nil), e.Content.SimilarQuestions...)
	for _, q := range sim {
		have[strings.TrimSpace(q)] = true
	}
	added := false
	for _, q := range questions {
		if q = strings.TrimSpace(q); q != "" && !have[q] {
			have[q] = true
			sim = append(sim, q)
			added = true
		}
	}
	if !added {
		return nil
	}
	_, err = b.k.Update(ctx, knowledge.KindFAQ, id, knowledge.Input{SimilarQuestions: &sim, BaseVersion: e.Version})
	return err
}

// rebuildOnChange queues a model rebuild when a tenant's live knowledge changes.
type rebuildOnChange struct{ m *Main }

func (r rebuildOnChange) KnowledgeChanged(ctx context.Context, tenantID uuid.UUID) {
	if err := r.m.enqueuer.EnqueueRebuild(ctx, tenantID); err != nil {
		// The nodes' periodic check asks again; the change is not lost.
		r.m.Logger.Warn("bot: could not queue a model rebuild", "tenant_id", tenantID, "err", err)
	}
}
