package bot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kefu-io/kefu/server/internal/bot/nlu"
)

// State is what the bot remembers of a conversation when it decides.
type State struct {
	// Fallbacks is how many fallbacks in a row the bot gave just before.
	Fallbacks int
	// Suggested are the "did you mean" entries of the previous turn when it was a
	// clarification, so the customer can pick one by number or by its text.
	Suggested []Match
	// ChannelKind picks a per-channel answer variant (web, wechat, email, sms …).
	ChannelKind string
}

// Decide is the bot's decision on one customer message, without side effects: the
// same function serves customers, the "try the bot" panel and `kefu bot eval`.
// model may be nil (a tenant without published knowledge).
func Decide(text string, set *Settings, model *Loaded, st State) Decision {
	d := Decision{Matches: []Match{}}
	if model != nil {
		d.Revision = model.Revision
	}
	if AsksForHuman(text, set.HandoffKeywords) {
		d.Decision, d.Reason = Handoff, ReasonAsked
		return d
	}
	if set.HandoffOnNegative && Negativity(text) >= NegativeThreshold {
		d.Decision, d.Reason = Handoff, ReasonNegative
		return d
	}
	if model != nil {
		if e, ok := picked(text, st.Suggested, model); ok {
			d.Decision, d.Reason, d.Confidence, d.EntryID = Answer, "picked", 1, e.ID
			d.Matches = []Match{{EntryID: e.ID, Kind: e.Kind, Question: e.Question, Score: 1}}
			d.Reply = answerText(e, st.ChannelKind)
			return d
		}
		d.Matches = model.match(text, maxSuggestions)
	}
	if len(d.Matches) > 0 {
		d.Confidence = d.Matches[0].Score
	}
	switch {
	case len(d.Matches) > 0 && d.Confidence >= set.AnswerThreshold:
		e := model.Entries[d.Matches[0].EntryID]
		d.Decision, d.EntryID = Answer, e.ID
		d.Reply = answerText(e, st.ChannelKind)
	case len(d.Matches) > 0 && d.Confidence >= set.ClarifyThreshold:
		d.Decision = Clarify
		// Offer the entries close to the best one, not a long tail of weak ones.
		keep := d.Matches[:1]
		for _, m := range d.Matches[1:] {
			if m.Score >= set.ClarifyThreshold/2 {
				keep = append(keep, m)
			}
		}
		d.Matches = keep
		d.Reply = clarifyText(set, keep)
	default:
		d.Decision = Fallback
		if model == nil {
			d.Reason = ReasonNoModel
		}
		if set.MaxFallbacks > 0 && st.Fallbacks+1 >= set.MaxFallbacks {
			d.Decision, d.Reason = Handoff, ReasonFallbacks
			return d
		}
		d.Reply = set.FallbackText
	}
	return d
}

// clarifyText is the "did you mean" message: the tenant's heading and the numbered
// suggestions the customer can pick from.
func clarifyText(set *Settings, ms []Match) string {
	var b strings.Builder
	b.WriteString(set.ClarifyText)
	for i, m := range ms {
		fmt.Fprintf(&b, "\n%d. %s", i+1, m.Question)
	}
	return b.String()
}

// picked finds the suggestion a customer chose: its number ("2", "２", "第二个") or
// its question text.
func picked(text string, suggested []Match, model *Loaded) (*Entry, bool) {
	if len(suggested) == 0 {
		return nil, false
	}
	t := strings.TrimSpace(normalise(text))
	t = strings.TrimRight(t, ".。!！")
	if utf8.RuneCountInString(t) > 200 {
		return nil, false
	}
	n := 0
	if v, err := strconv.Atoi(t); err == nil {
		n = v
	} else {
		for i, w := range []string{"一", "二", "三"} {
			if t == w || t == "第"+w+"个" || t == "第"+w+"条" || t == "第"+w {
				n = i + 1
			}
		}
	}
	if n >= 1 && n <= len(suggested) {
		e, ok := model.Entries[suggested[n-1].EntryID]
		return e, ok
	}
	for _, s := range suggested {
		if normalise(s.Question) == t {
			e, ok := model.Entries[s.EntryID]
			return e, ok
		}
	}
	return nil, false
}

func answerText(e *Entry, channelKind string) string {
	if v := e.Variants[channelKind]; strings.TrimSpace(v) != "" {
		return v
	}
	return e.Answer
}

// Loaded is a tenant's model ready to answer.
type Loaded struct {
	Revision int64
	Model    *nlu.Model
	Entries  map[string]*Entry
}

func (l *Loaded) match(text string, k int) []Match {
	ms := l.Model.Predict(text, k)
	out := make([]Match, 0, len(ms))
	for _, m := range ms {
		e, ok := l.Entries[m.ID]
		if !ok {
			continue
		}
		out = append(out, Match{EntryID: e.ID, Kind: e.Kind, Question: e.Question, Score: m.Score})
	}
	return out
}
