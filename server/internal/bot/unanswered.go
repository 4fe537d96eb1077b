package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/kefu-io/kefu/server/internal/bot/nlu"
	"github.com/kefu-io/kefu/server/internal/platform/errs"
)

// Group is a set of similar questions the bot did not answer (or answered with low
// confidence), for an admin to turn into knowledge.
type Group struct {
	// Question is the group's most frequent wording.
	Question  string      `json:"question"`
	Questions []string    `json:"questions"` // distinct wordings, most frequent first
	Count     int         `json:"count"`     // turns in the group
	TurnIDs   []uuid.UUID `json:"turn_ids"`
	LastAt    time.Time   `json:"last_at"`
	// Guess is the entry the bot most often thought of (may be empty), a likely home
	// for these questions as similar questions.
	Guess *Match `json:"guess"`
}

const (
	unansweredScan = 2000 // newest unreviewed turns grouped per request
	groupJaccard   = 0.5  // token overlap from which two questions are "the same"
	maxWordings    = 20
)

// Unanswered groups the newest unanswered questions, biggest groups first.
func (s *Service) Unanswered(ctx context.Context, limit int) ([]Group, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	turns, err := s.Store.Unanswered(ctx, unansweredScan)
	if err != nil {
		return nil, fmt.Errorf("unanswered questions: %w", err)
	}
	return groupTurns(turns, limit), nil
}

type groupAcc struct {
	g       Group
	rep     map[string]bool
	counts  map[string]int
	guesses map[string]*guessAcc
}

type guessAcc struct {
	m Match
	n int
}

// groupTurns clusters questions greedily by token overlap (Jaccard on words and CJK
// characters and bigrams): cheap, deterministic and good enough for a review list.
func groupTurns(turns []Turn, limit int) []Group {
	var groups []*groupAcc
	for _, t := range turns {
		set := tokenSet(t.Question)
		if len(set) == 0 {
			continue
		}
		var best *groupAcc
		bestJ := 0.0
		for _, g := range groups {
			if j := jaccard(set, g.rep); j >= groupJaccard && j > bestJ {
				best, bestJ = g, j
			}
		}
		if best == nil {
			best = &groupAcc{rep: set, counts: map[string]int{}, guesses: map[string]*guessAcc{}}
			groups = append(groups, best)
		}
		g := &best.g
		g.Count++
		g.TurnIDs = append(g.TurnIDs, t.ID)
		if t.CreatedAt.After(g.LastAt) {
			g.LastAt = t.CreatedAt
		}
		best.counts[strings.TrimSpace(t.Question)]++
		if len(t.Matches) > 0 {
			m := t.Matches[0]
			a := best.guesses[m.EntryID]
			if a == nil {
				a = &guessAcc{m: m}
				best.guesses[m.EntryID] = a
			}
			a.n++
		}
	}
	out := make([]Group, 0, len(groups))
	for _, a := range groups {
		g := a.g
		for q := range a.counts {
			g.Questions = append(g.Questions, q)
		}
		sort.Slice(g.Questions, func(i, j int) bool {
			ci, cj := a.counts[g.Questions[i]], a.counts[g.Questions[j]]
			if ci != cj {
				return ci > cj
			}
			return g.Questions[i] < g.Questions[j]
		})
		if len(g.Questions) > maxWordings {
			g.Questions = g.Questions[:maxWordings]
		}
		g.Question = g.Questions[0]
		var top *guessAcc
		for _, x := range a.guesses {
			if top == nil || x.n > top.n || x.n == top.n && x.m.EntryID < top.m.EntryID {
				top = x
			}
		}
		if top != nil {
			m := top.m
			g.Guess = &m
		}
		out = append(out, g)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].LastAt.After(out[j].LastAt)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func tokenSet(q string) map[string]bool {
	toks := nlu.Tokenize(q)
	set := make(map[string]bool, 2*len(toks))
	for i, t := range toks {
		set[t.Text] = true
		if t.CJK && i+1 < len(toks) && toks[i+1].CJK {
			set[t.Text+toks[i+1].Text] = true
		}
	}
	return set
}

func jaccard(a, b map[string]bool) float64 {
	in := 0
	for k := range a {
		if b[k] {
			in++
		}
	}
	union := len(a) + len(b) - in
	if union == 0 {
		return 0
	}
	return float64(in) / float64(union)
}

// KnowledgeWriter turns unanswered questions into knowledge drafts.
type KnowledgeWriter interface {
	// CreateFAQDraft creates a draft FAQ (locale "" : the tenant's); it returns its id.
	CreateFAQDraft(ctx context.Context, question string, similar []string, answer, locale string) (string, error)
	// AddSimilar adds similar questions to an FAQ (as a new draft version of it).
	AddSimilar(ctx context.Context, faqID string, questions []string) error
}

// Resolution is what an admin does with a group of unanswered questions.
type Resolution struct {
	TurnIDs []uuid.UUID
	// Action: "create_faq" (Question, Similar, Answer), "add_similar" (FAQID, Similar)
	// or "dismiss".
	Action   string
	FAQID    string
	Question string
	Similar  []string
	Answer   string
	Locale   string
}

// Resolve applies an admin's choice to unanswered questions and marks them reviewed.
func (s *Service) Resolve(ctx context.Context, w KnowledgeWriter, r Resolution) (faqID string, reviewed int, err error) {
	if len(r.TurnIDs) == 0 || len(r.TurnIDs) > unansweredScan {
		return "", 0, errs.Invalidf("turn_ids", "name 1 to %d turns", unansweredScan)
	}
	similar := make([]string, 0, len(r.Similar))
	seen := map[string]bool{}
	for _, q := range r.Similar {
		q = strings.TrimSpace(q)
		if q == "" || seen[q] {
			continue
		}
		if utf8.RuneCountInString(q) > 500 {
			return "", 0, errs.Invalidf("similar", "a question has at most 500 characters")
		}
		seen[q] = true
		similar = append(similar, q)
	}
	switch r.Action {
	case "create_faq":
		q := strings.TrimSpace(r.Question)
		if q == "" {
			return "", 0, errs.Invalidf("question", "give the FAQ's standard question")
		}
		if w == nil {
			return "", 0, fmt.Errorf("bot: no knowledge writer")
		}
		kept := similar[:0]
		for _, x := range similar {
			if x != q {
				kept = append(kept, x)
			}
		}
		if faqID, err = w.CreateFAQDraft(ctx, q, kept, r.Answer, r.Locale); err != nil {
			return "", 0, err
		}
	case "add_similar":
		if strings.TrimSpace(r.FAQID) == "" {
			return "", 0, errs.Invalidf("faq_id", "name the FAQ to add the questions to")
		}
		if len(similar) == 0 {
			return "", 0, errs.Invalidf("similar", "give at least one question")
		}
		if w == nil {
			return "", 0, fmt.Errorf("bot: no knowledge writer")
		}
		if err := w.AddSimilar(ctx, r.FAQID, similar); err != nil {
			return "", 0, err
		}
		faqID = r.FAQID
	case "dismiss":
	default:
		return "", 0, errs.Invalidf("action", "must be create_faq, add_similar or dismiss")
	}
	n, err := s.Store.MarkReviewed(ctx, r.TurnIDs, s.now().UTC())
	if err != nil {
		return faqID, 0, fmt.Errorf("mark reviewed: %w", err)
	}
	return faqID, n, nil
}
