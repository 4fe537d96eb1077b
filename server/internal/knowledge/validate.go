package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kefu-io/kefu/server/internal/platform/errs"
	"github.com/kefu-io/kefu/tenants"
)

// apply merges an input into a working copy and normalises the result. It checks shape
// and sizes only; rules that need the database (the category exists) and the clock (the
// expiry date) are the service's.
func apply(k Kind, c *Content, in Input) error {
	// Fields of the other kind are refused rather than ignored: a client sending an
	// article's body to an FAQ has a bug worth hearing about.
	type field struct {
		name  string
		given bool
	}
	foreign := []field{{"question", in.Question != nil}, {"similar_questions", in.SimilarQuestions != nil},
		{"answer", in.Answer != nil}, {"channel_answers", in.ChannelAnswers != nil}}
	if k == KindFAQ {
		foreign = []field{{"title", in.Title != nil}, {"body", in.Body != nil}}
	}
	for _, f := range foreign {
		if f.given {
			return errs.Invalidf(f.name, "%s is not a field of %s entries.", f.name, k)
		}
	}
	var err error
	set := func(dst *string, v *string, name string, maxLen int, bytes, multiline bool) {
		if err != nil || v == nil {
			return
		}
		var s string
		if s, err = text(name, *v, maxLen, bytes, multiline); err == nil {
			*dst = s
		}
	}
	set(&c.Title, in.Title, "title", MaxTitleLen, false, false)
	set(&c.Body, in.Body, "body", MaxBodyBytes, true, true)
	set(&c.Question, in.Question, "question", MaxQuestionLen, false, false)
	set(&c.Answer, in.Answer, "answer", MaxAnswerBytes, true, true)
	if err != nil {
		return err
	}
	if in.SimilarQuestions != nil {
		if c.SimilarQuestions, err = similar(*in.SimilarQuestions); err != nil {
			return err
		}
	}
	if in.ChannelAnswers != nil {
		if c.ChannelAnswers, err = channelAnswers(*in.ChannelAnswers); err != nil {
			return err
		}
	}
	if in.Tags != nil {
		if c.Tags, err = tags(*in.Tags); err != nil {
			return err
		}
	}
	if in.Locale != nil {
		if !slices.Contains(tenants.Locales, *in.Locale) {
			return errs.Invalidf("locale", "locale must be one of %s.", strings.Join(tenants.Locales, ", "))
		}
		c.Locale = *in.Locale
	}
	if in.Category.Set {
		c.CategoryID = in.Category.Value
	}
	if in.ExpiresAt.Set {
		c.ExpiresAt = nil
		if in.ExpiresAt.Value != nil {
			t := in.ExpiresAt.Value.UTC().Truncate(time.Microsecond)
			c.ExpiresAt = &t
		}
	}
	// The question itself need not be repeated among its paraphrases.
	if k == KindFAQ && c.Question != "" {
		c.SimilarQuestions = slices.DeleteFunc(c.SimilarQuestions, func(s string) bool { return s == c.Question })
		if len(c.SimilarQuestions) == 0 {
			c.SimilarQuestions = nil
		}
	}
	return complete(k, c)
}

// complete checks that the fields a kind needs are present.
func complete(k Kind, c *Content) error {
	need := []struct{ name, v string }{{"title", c.Title}, {"body", c.Body}}
	if k == KindFAQ {
		need = []struct{ name, v string }{{"question", c.Question}, {"answer", c.Answer}}
	}
	for _, n := range need {
		if n.v == "" {
			return errs.Invalidf(n.name, "%s is required.", n.name)
		}
	}
	if c.Locale == "" {
		return errs.Invalidf("locale", "locale is required.")
	}
	return nil
}

// text trims a text field and checks it is not blank, fits, and holds nothing a
// database or a reader would choke on. Single-line fields collapse their whitespace.
func text(name, v string, limit int, bytes, multiline bool) (string, error) {
	if !utf8.ValidString(v) {
		return "", errs.Invalidf(name, "%s is not valid UTF-8.", name)
	}
	if multiline {
		v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	} else {
		v = strings.Join(strings.Fields(v), " ")
	}
	if v == "" {
		return "", errs.Invalidf(name, "%s must not be empty.", name)
	}
	for _, r := range v {
		// PostgreSQL text cannot hold NUL; other control characters are never content.
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", errs.Invalidf(name, "%s contains a control character (U+%04X).", name, r)
		}
	}
	if bytes && len(v) > limit {
		return "", errs.Invalidf(name, "%s is at most %s (got %s).", name, size(limit), size(len(v)))
	}
	if !bytes && utf8.RuneCountInString(v) > limit {
		return "", errs.Invalidf(name, "%s is at most %d characters (got %d).", name, limit, utf8.RuneCountInString(v))
	}
	return v, nil
}

func size(n int) string {
	if n < 1<<10 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

func similar(in []string) ([]string, error) {
	if len(in) > MaxSimilar {
		return nil, errs.Invalidf("similar_questions", "similar_questions holds at most %d questions (got %d).", MaxSimilar, len(in))
	}
	out := make([]string, 0, len(in))
	for i, q := range in {
		s, err := text(fmt.Sprintf("similar_questions[%d]", i), q, MaxQuestionLen, false, false)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func channelAnswers(in map[string]string) (map[string]string, error) {
	if len(in) > MaxChannelAnswers {
		return nil, errs.Invalidf("channel_answers", "channel_answers holds at most %d channels.", MaxChannelAnswers)
	}
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(in))
	for kind, a := range in {
		if !channelKind(kind) {
			return nil, errs.Invalidf("channel_answers", "%q is not a channel kind (lower-case letters, digits, - and _, like web, wechat, email or sms).", kind)
		}
		s, err := text("channel_answers."+kind, a, MaxAnswerBytes, true, true)
		if err != nil {
			return nil, err
		}
		out[kind] = s
	}
	return out, nil
}

func channelKind(s string) bool {
	if s == "" || len(s) > MaxChannelKindLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func tags(in []string) ([]string, error) {
	if len(in) > MaxTags {
		return nil, errs.Invalidf("tags", "an entry has at most %d tags (got %d).", MaxTags, len(in))
	}
	out := make([]string, 0, len(in))
	for i, t := range in {
		s, err := text(fmt.Sprintf("tags[%d]", i), t, MaxTagLen, false, false)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// categoryName validates a category's names: one per allowed locale, at least one.
func categoryName(in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for loc, n := range in {
		if !slices.Contains(tenants.Locales, loc) {
			return nil, errs.Invalidf("name", "name is keyed by locale (%s); %q is not one.", strings.Join(tenants.Locales, ", "), loc)
		}
		s, err := text("name."+loc, n, MaxCategoryNameLen, false, false)
		if err != nil {
			return nil, err
		}
		out[loc] = s
	}
	if len(out) == 0 {
		return nil, errs.Invalidf("name", "name needs at least one locale, like {\"zh-CN\": \"退款\", \"en\": \"Refunds\"}.")
	}
	return out, nil
}

// note checks a reviewer's note.
func note(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	return text("note", s, MaxNoteLen, false, true)
}
