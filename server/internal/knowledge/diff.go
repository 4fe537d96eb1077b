package knowledge

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// Diff is what changed between two versions of an entry, field by field.
type Diff struct {
	From    int
	To      int
	Changes []FieldChange
}

// FieldChange is one changed field. Text fields also carry a line diff.
type FieldChange struct {
	Field string
	From  any
	To    any
	Lines []DiffLine
}

// DiffLine is one line of a line diff: equal, insert (only in To) or delete (only in
// From).
type DiffLine struct {
	Op   string
	Text string
}

// Line diff operations.
const (
	LineEqual  = "equal"
	LineInsert = "insert"
	LineDelete = "delete"
)

// diffVersions compares two snapshots (status included, since a version records it).
func diffVersions(a, b Version) Diff {
	d := Diff{From: a.Version, To: b.Version, Changes: []FieldChange{}}
	add := func(field string, from, to any, text bool) {
		fc := FieldChange{Field: field, From: from, To: to}
		if text {
			fs, _ := from.(string)
			ts, _ := to.(string)
			fc.Lines = lineDiff(fs, ts)
		}
		d.Changes = append(d.Changes, fc)
	}
	if a.Status != b.Status {
		add("status", string(a.Status), string(b.Status), false)
	}
	x, y := a.Content, b.Content
	for _, f := range []struct {
		name     string
		from, to string
	}{{"title", x.Title, y.Title}, {"body", x.Body, y.Body}, {"question", x.Question, y.Question}, {"answer", x.Answer, y.Answer}} {
		if f.from != f.to {
			add(f.name, f.from, f.to, true)
		}
	}
	if !slices.Equal(x.SimilarQuestions, y.SimilarQuestions) {
		fc := FieldChange{Field: "similar_questions", From: list(x.SimilarQuestions), To: list(y.SimilarQuestions),
			Lines: lineDiff(strings.Join(x.SimilarQuestions, "\n"), strings.Join(y.SimilarQuestions, "\n"))}
		d.Changes = append(d.Changes, fc)
	}
	kinds := map[string]bool{}
	for k := range x.ChannelAnswers {
		kinds[k] = true
	}
	for k := range y.ChannelAnswers {
		kinds[k] = true
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		from, fok := x.ChannelAnswers[k]
		to, tok := y.ChannelAnswers[k]
		if from != to || fok != tok {
			add("channel_answers."+k, optional(from, fok), optional(to, tok), true)
		}
	}
	if !sameID(x.CategoryID, y.CategoryID) {
		add("category_id", idOrNil(x.CategoryID), idOrNil(y.CategoryID), false)
	}
	if !slices.Equal(x.Tags, y.Tags) {
		add("tags", list(x.Tags), list(y.Tags), false)
	}
	if x.Locale != y.Locale {
		add("locale", x.Locale, y.Locale, false)
	}
	if !sameTime(x.ExpiresAt, y.ExpiresAt) {
		add("expires_at", timeOrNil(x.ExpiresAt), timeOrNil(y.ExpiresAt), false)
	}
	return d
}

// lineDiff is a line-by-line diff (Myers, via diffmatchpatch on lines mapped to runes).
func lineDiff(from, to string) []DiffLine {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToRunes(from, to)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(a, b, false), lines)
	out := []DiffLine{}
	for _, df := range diffs {
		op := LineEqual
		switch df.Type {
		case diffmatchpatch.DiffInsert:
			op = LineInsert
		case diffmatchpatch.DiffDelete:
			op = LineDelete
		}
		for _, l := range strings.SplitAfter(df.Text, "\n") {
			if l != "" {
				out = append(out, DiffLine{Op: op, Text: strings.TrimSuffix(l, "\n")})
			}
		}
	}
	return out
}

func list(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func optional(s string, ok bool) any {
	if !ok {
		return nil
	}
	return s
}

func sameID(a, b *uuid.UUID) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func idOrNil(id *uuid.UUID) any {
	if id == nil {
		return nil
	}
	return id.String()
}

func sameTime(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}
