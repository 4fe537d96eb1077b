// Package search is an in-memory full-text index over one tenant's knowledge
// base, used by agents' search in the console and by the public help centre.
//
// An Index is built in one go from a revision of the tenant's documents and is
// never modified, so any number of goroutines can search it while the caller
// builds the next revision and swaps the pointer. Building 10 k documents takes
// a fraction of a second, which is why there is no incremental update.
//
// Text is normalised (NFKC, accents stripped, lowercase), English and other
// space-separated words become terms with light stemming, and Chinese and
// Japanese runs become overlapping character bigrams: dictionary segmenters
// cost too much memory to load per tenant (see STACK-NOTES.md), and bigrams
// find two-character words such as 退款 wherever they occur. Ranking is BM25F
// over title, similar questions, tags and body, scaled by how much of the
// query's weight a document covers and boosted for contiguous matches.
package search

import (
	"cmp"
	"slices"
)

// Doc is one knowledge-base entry as the engine hands it over.
type Doc struct {
	ID       string
	Kind     string // "faq" or "article"
	Locale   string
	Category string
	Tags     []string
	Title    string   // the question, or the article's title
	Alt      []string // similar questions
	Body     string   // answer or article text, plain (Markdown already stripped)
}

// Query is a search request. Empty filters match everything; a filter value
// that no document has matches nothing. Locale compares case-insensitively
// with "_" and "-" alike; Kind case-insensitively; Category exactly.
type Query struct {
	Text     string
	Locale   string
	Kind     string
	Category string
	Limit    int // DefaultLimit when zero or negative, at most MaxLimit
	Offset   int
}

// Result is one page of hits and how many documents matched in all.
type Result struct {
	Total int
	Hits  []Hit
}

// Hit is a matching document. TitleHTML and SnippetHTML are safe to insert
// into a page as they are: matched terms are wrapped in <mark>…</mark> and
// everything else is HTML-escaped.
type Hit struct {
	ID          string
	Score       float64
	TitleHTML   string
	SnippetHTML string // about SnippetRunes characters of the body around the best matches
}

const (
	DefaultLimit = 10
	MaxLimit     = 100
	// MaxQueryRunes truncates pasted paragraphs: past a sentence, more words
	// only make the query slower and the ranking noisier.
	MaxQueryRunes = 256
	SnippetRunes  = 160
	// maxQueryTerms keeps per-document term sets in a uint32 mask and bounds
	// the work of a long CJK query, which makes a term of every bigram;
	// maxQueryTokens bounds the phrase boost for a word repeated many times.
	maxQueryTerms  = 32
	maxQueryTokens = 64
	// maxScoredTerms: of a pasted paragraph only the rarest terms are scored.
	// The common ones ("the", "to", 的) would each walk the postings of half
	// the corpus to add next to nothing, and take the query past its budget.
	maxScoredTerms = 12
)

// Ranking constants. k1 is a little above the usual 1.2 so that the title
// weight of BM25F is not flattened by saturation.
const (
	bm25K1 = 1.5
	// phraseWeight: a query matched entirely as contiguous text scores up to
	// this much more than the same terms scattered.
	phraseWeight = 0.6
	// exactTitleBoost: the document whose title is the query (a FAQ
	// question typed verbatim) should come first.
	exactTitleBoost = 1.3
)

// phraseFieldBoost ranks where a contiguous match occurred.
var phraseFieldBoost = [numFields]float32{1, 0.8, 0.5, 0.5}

// Search returns the documents matching q.Text, best first, with ties broken
// by ID so that pages are stable. A query without any word or CJK character
// (empty, punctuation, emoji) matches nothing rather than everything.
func (ix *Index) Search(q Query) Result {
	if ix == nil || len(ix.docs) == 0 {
		return Result{}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	offset := max(q.Offset, 0)
	var f filter
	if !ix.resolveFilter(q, &f) {
		return Result{}
	}

	s := ix.pool.Get().(*scratch)
	defer ix.pool.Put(s)
	s.parse(ix, truncateRunes(q.Text, MaxQueryRunes))
	if !s.anyPresent() {
		return Result{}
	}
	s.run(ix, &f)
	res := Result{Total: len(s.touched)}
	if offset >= res.Total {
		return res
	}
	page := s.page(ix, offset, limit)
	res.Hits = make([]Hit, 0, len(page))
	s.prepareHighlight()
	for _, c := range page {
		d := &ix.docs[c.doc]
		res.Hits = append(res.Hits, Hit{
			ID:          d.id,
			Score:       float64(c.score),
			TitleHTML:   s.highlightAll(d.title),
			SnippetHTML: s.snippet(ix, c.doc),
		})
	}
	return res
}

type filter struct {
	kind, locale, category uint32 // 0: any
}

func (f *filter) allows(d *docEntry) bool {
	return (f.kind == 0 || f.kind == d.kind) &&
		(f.locale == 0 || f.locale == d.locale) &&
		(f.category == 0 || f.category == d.category)
}

func (ix *Index) resolveFilter(q Query, f *filter) bool {
	lookup := func(m map[string]uint32, v string, out *uint32) bool {
		if v == "" {
			return true
		}
		id, ok := m[v]
		*out = id
		return ok
	}
	return lookup(ix.kinds, normKind(q.Kind), &f.kind) &&
		lookup(ix.locales, normLocale(q.Locale), &f.locale) &&
		lookup(ix.categories, q.Category, &f.category)
}

func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// qterm is a distinct term of the query.
type qterm struct {
	word    string
	key     uint64
	present bool // in the index, and among the terms scored
	// expanded: a lone CJK character, scored through every bigram holding it.
	expanded bool
	id       uint32
	chars    []uint32 // for expanded terms, a window of Index.charList
	idf      float32
	df       int    // for choosing the rarest terms; expanded terms sum their bigrams'
	ents     []pent // where the term's positions are, per document, for boosts and snippets
}

// pent locates one document's positions in a term's postings.
type pent struct{ doc, off uint32 }

// qtoken is the query as a sequence, which the phrase boost needs: term is an
// index into scratch.terms.
type qtoken struct {
	term int
	pos  uint32
}

type parseSink struct{ s *scratch }

func (p *parseSink) add(t *token) {
	s := p.s
	if s.full || len(s.toks) == maxQueryTokens {
		s.full = true
		return
	}
	ti := -1
	for i := range s.terms {
		qt := &s.terms[i]
		if t.word != nil && qt.word == string(t.word) && qt.key == 0 ||
			t.word == nil && qt.word == "" && qt.key == t.key {
			ti = i
			break
		}
	}
	if ti < 0 {
		if len(s.terms) == maxQueryTerms {
			// Stop here rather than skip: later pairs would no longer be
			// neighbours in the query.
			s.full = true
			return
		}
		var qt qterm
		if t.word != nil {
			qt.word = string(t.word)
			qt.id, qt.present = s.ix.words[qt.word]
		} else {
			qt.key = t.key
			if r, b := keyRunes(t.key); b == 0 {
				if span, ok := s.ix.chars[r]; ok {
					qt.chars = s.ix.charList[span[0]:span[1]]
					qt.present, qt.expanded = true, true
				}
			} else {
				qt.id, qt.present = s.ix.cjk[t.key]
			}
		}
		s.terms = append(s.terms, qt)
		ti = len(s.terms) - 1
	}
	s.toks = append(s.toks, qtoken{term: ti, pos: t.pos})
}

func (s *scratch) parse(ix *Index, text string) {
	s.ix = ix
	for i := range s.terms {
		s.ents[i] = s.terms[i].ents // keep grown buffers for the next query
	}
	s.terms = s.terms[:0]
	s.toks = s.toks[:0]
	s.full = false
	s.totalIDF, s.totalPW = 0, 0
	s.tk.tokenize(text, 0, &s.psink)
	for i := range s.terms {
		s.terms[i].ents = s.ents[i][:0]
	}
	s.keepRarest(ix)
}

// keepRarest drops all but the maxScoredTerms rarest terms of a long query.
func (s *scratch) keepRarest(ix *Index) {
	present := 0
	for i := range s.terms {
		t := &s.terms[i]
		if !t.present {
			continue
		}
		present++
		if t.expanded {
			t.df = 0
			for _, c := range t.chars {
				t.df += int(ix.df[c&charIDMask])
			}
		} else {
			t.df = int(ix.df[t.id])
		}
	}
	if present <= maxScoredTerms {
		return
	}
	s.order = s.order[:0]
	for i := range s.terms {
		if s.terms[i].present {
			s.order = append(s.order, i)
		}
	}
	slices.SortStableFunc(s.order, func(a, b int) int { return cmp.Compare(s.terms[a].df, s.terms[b].df) })
	for _, i := range s.order[maxScoredTerms:] {
		s.terms[i].present = false
	}
}

func pairable(a, b *qterm) bool {
	return a.present && b.present && !a.expanded && !b.expanded
}

func (s *scratch) anyPresent() bool {
	for i := range s.terms {
		if s.terms[i].present {
			return true
		}
	}
	return false
}
