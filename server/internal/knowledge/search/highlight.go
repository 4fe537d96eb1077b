package search

import (
	"cmp"
	"slices"
	"unicode"
	"unicode/utf8"
)

// snippetLead is the most context shown before the first match of a
// snippet; the rest of the window goes after it, where the answer usually is.
const snippetLead = 40

// snapRunes is how far a snippet edge may move to avoid cutting a word.
const snapRunes = 15

// span is a highlighted byte range of the source text; rstart and rend are
// its rune offsets, filled in for snippets only.
type span struct {
	start, end   int
	rstart, rend int
	mask         uint32
}

// hlTerm is a query term as highlighting matches it. The terms are kept in
// three lists so that a token is compared with terms of its own kind only.
type hlTerm struct {
	word string
	key  uint64
	char rune // a lone CJK character, matched inside bigrams
	bit  uint32
}

func (s *scratch) prepareHighlight() {
	s.hlWords, s.hlKeys, s.hlChars = s.hlWords[:0], s.hlKeys[:0], s.hlChars[:0]
	for i := range s.terms {
		t := &s.terms[i]
		switch {
		case !t.present: // dropped, or in no document and so in no text
		case t.word != "":
			s.hlWords = append(s.hlWords, hlTerm{word: t.word, bit: 1 << i})
		case t.expanded:
			r, _ := keyRunes(t.key)
			s.hlChars = append(s.hlChars, hlTerm{char: r, bit: 1 << i})
		default:
			s.hlKeys = append(s.hlKeys, hlTerm{key: t.key, bit: 1 << i})
		}
	}
}

type highlightSink struct{ s *scratch }

func (h *highlightSink) add(t *token) {
	s := h.s
	if t.word != nil {
		for _, q := range s.hlWords {
			if q.word == string(t.word) {
				s.spans = append(s.spans, span{start: t.start, end: t.end, mask: q.bit})
			}
		}
		return
	}
	for _, q := range s.hlKeys {
		if q.key == t.key {
			s.spans = append(s.spans, span{start: t.start, end: t.end, mask: q.bit})
		}
	}
	if len(s.hlChars) == 0 {
		return
	}
	a, b := keyRunes(t.key)
	for _, q := range s.hlChars {
		if a == q.char {
			s.spans = append(s.spans, span{start: t.start, end: t.mid, mask: q.bit})
		}
		if b == q.char {
			s.spans = append(s.spans, span{start: t.mid, end: t.end, mask: q.bit})
		}
	}
}

// collect returns the matched ranges of text, sorted and merged, so that
// overlapping bigrams (退款, 款政, 政策) make one mark.
func (s *scratch) collect(text string) []span {
	s.spans = s.spans[:0]
	s.tk.tokenize(text, 0, &s.hsink)
	sp := s.spans
	slices.SortFunc(sp, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	out := sp[:0]
	for _, x := range sp {
		if n := len(out); n > 0 && x.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, x.end)
			out[n-1].mask |= x.mask
			continue
		}
		out = append(out, x)
	}
	s.spans = out
	return out
}

// highlightAll marks up the whole of a short text such as a title.
func (s *scratch) highlightAll(text string) string {
	spans := s.collect(text)
	s.out = s.out[:0]
	space := true
	s.writeRange(text, spans, 0, len(text), &space)
	return string(trimSpace(s.out))
}

// regionBytes bounds the text a snippet tokenizes: a few times the snippet,
// so that the best window near the best match is found, while a long article
// costs no more than a short answer.
const regionBytes = 2048

// snippet returns about SnippetRunes runes of a document's body around the
// window with the most distinct query terms (then the most matches), or its
// beginning when nothing in the body matched (a title-only match).
func (s *scratch) snippet(ix *Index, doc uint32) string {
	body := ix.docs[doc].body
	if body == "" {
		return ""
	}
	from, to := 0, len(body)
	if len(body) > regionBytes {
		from = s.anchor(ix, doc)
		to = min(from+regionBytes, len(body))
		// Back to a rune start; invalid UTF-8 may have none nearby.
		for k := 0; k < utf8.UTFMax && to < len(body) && to > from+1 && !utf8.RuneStart(body[to]); k++ {
			to--
		}
	}
	region := body[from:to]
	spans := s.collect(region)
	if to < len(body) {
		// A word cut at the region's end may look like a term ("ship" of
		// "shipping"): drop what touches the cut.
		for len(spans) > 0 && spans[len(spans)-1].end == len(region) {
			spans = spans[:len(spans)-1]
		}
	}
	s.roff = s.roff[:0]
	for i := range region {
		s.roff = append(s.roff, i)
	}
	nr := len(s.roff)
	ws, we := 0, nr
	if nr > SnippetRunes {
		ws, we = s.window(region, spans, nr)
	}
	end := len(region)
	if we < nr {
		end = s.roff[we]
	}
	s.out = s.out[:0]
	if ws > 0 || from > 0 {
		s.out = append(s.out, "…"...)
	}
	space := true
	s.writeRange(region, spans, s.roff[ws], end, &space)
	s.out = trimSpace(s.out)
	if we < nr || to < len(body) {
		s.out = append(s.out, "…"...)
	}
	return string(s.out)
}

// anchor returns where in a long body to start looking for the snippet: the
// checkpoint before the densest cluster of query terms, found from the
// positions the postings already hold. It returns 0 (the top) when the body
// did not match or only through lone CJK characters, which have no positions
// of their own.
func (s *scratch) anchor(ix *Index, doc uint32) int {
	d := &ix.docs[doc]
	s.hits = s.hits[:0]
	for i := range s.terms {
		t := &s.terms[i]
		if !t.present || t.expanded {
			continue
		}
		e, ok := findEnt(t.ents, doc)
		if !ok {
			continue
		}
		s.posA = decodePositions(ix.postings, int(e.off), s.posA)
		for _, enc := range s.posA {
			if enc&3 == fieldBody {
				s.hits = append(s.hits, posHit{pos: enc >> 2, bit: 1 << i})
			}
		}
	}
	if len(s.hits) == 0 {
		return 0
	}
	slices.SortFunc(s.hits, func(a, b posHit) int { return cmp.Compare(a.pos, b.pos) })
	// The window with the most distinct terms, then the most hits, in
	// position space; the rune-exact choice happens on the region.
	const span = 64
	clear(s.counts[:])
	distinct, best, bestPos := 0, -1, s.hits[0].pos
	for i, j := 0, 0; i < len(s.hits); i++ {
		for j < len(s.hits) && s.hits[j].pos-s.hits[i].pos < span {
			b := bitIndex(s.hits[j].bit)
			if s.counts[b] == 0 {
				distinct++
			}
			s.counts[b]++
			j++
		}
		if score := distinct<<16 + (j - i); score > best {
			best, bestPos = score, s.hits[i].pos
		}
		b := bitIndex(s.hits[i].bit)
		s.counts[b]--
		if s.counts[b] == 0 {
			distinct--
		}
	}
	// One checkpoint earlier when the match is near the start of its own,
	// so that the snippet can show some text before it.
	k := (bestPos - d.bodyBase) / cpEvery
	if (bestPos-d.bodyBase)%cpEvery < cpEvery/4 && k > 0 {
		k--
	}
	if d.cpOff+k >= d.cpEnd {
		return 0
	}
	return int(ix.bodyCP[d.cpOff+k])
}

type posHit struct {
	pos uint32
	bit uint32
}

func (s *scratch) runeIndex(off int) int {
	i, _ := slices.BinarySearch(s.roff, off)
	return i
}

func (s *scratch) runeAt(body string, i int) rune {
	r, _ := utf8.DecodeRuneInString(body[s.roff[i]:])
	return r
}

// wordy reports runes that a snippet edge should not split; CJK text can be
// cut anywhere.
func wordy(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !isCJK(r)
}

func (s *scratch) window(body string, spans []span, nr int) (int, int) {
	if len(spans) == 0 {
		return 0, s.snapEnd(body, SnippetRunes, 1, nr)
	}
	for i := range spans {
		spans[i].rstart = s.runeIndex(spans[i].start)
		spans[i].rend = s.runeIndex(spans[i].end)
	}
	clear(s.counts[:])
	distinct := 0
	addMask := func(m uint32, d int) {
		for m != 0 {
			b := bitIndex(m & -m)
			m &= m - 1
			if d > 0 && s.counts[b] == 0 {
				distinct++
			}
			s.counts[b] += d
			if d < 0 && s.counts[b] == 0 {
				distinct--
			}
		}
	}
	bi, bj, best := 0, 1, -1
	for i, j := 0, 0; i < len(spans); i++ {
		for j < len(spans) && (j == i || spans[j].rend-spans[i].rstart <= SnippetRunes) {
			addMask(spans[j].mask, 1)
			j++
		}
		if score := distinct<<16 + (j - i); score > best {
			bi, bj, best = i, j, score
		}
		addMask(spans[i].mask, -1)
	}
	first, last := spans[bi].rstart, spans[bj-1].rend
	slack := max(SnippetRunes-(last-first), 0)
	ws := max(first-min(slack/2, snippetLead), 0)
	we := ws + SnippetRunes
	if we > nr {
		we = nr
		ws = max(nr-SnippetRunes, 0)
	}
	ws = s.snapStart(body, ws, first)
	we = s.snapEnd(body, we, max(last, ws+1), nr)
	return ws, we
}

// snapStart moves a snippet start that falls inside a word to the next word,
// but never past limit (the first match).
func (s *scratch) snapStart(body string, ws, limit int) int {
	if ws == 0 || !wordy(s.runeAt(body, ws-1)) || !wordy(s.runeAt(body, ws)) {
		return ws
	}
	for k := ws + 1; k <= min(ws+snapRunes, limit); k++ {
		if !wordy(s.runeAt(body, k-1)) {
			return k
		}
	}
	return ws
}

// snapEnd moves a snippet end that falls inside a word back to the end of
// the previous one, but never before limit (the end of the last match).
func (s *scratch) snapEnd(body string, we, limit, nr int) int {
	if we >= nr || !wordy(s.runeAt(body, we-1)) || !wordy(s.runeAt(body, we)) {
		return we
	}
	for k := we - 1; k >= max(we-snapRunes, limit); k-- {
		if !wordy(s.runeAt(body, k)) {
			return k
		}
	}
	return we
}

func bitIndex(b uint32) int {
	n := 0
	for b > 1 {
		b >>= 1
		n++
	}
	return n
}

// writeRange writes text[from:to] escaped, with the parts inside spans
// wrapped in <mark>. Spans are clipped to the range, so a cut never leaves a
// mark open.
func (s *scratch) writeRange(text string, spans []span, from, to int, space *bool) {
	pos := from
	for _, sp := range spans {
		if sp.end <= from {
			continue
		}
		if sp.start >= to {
			break
		}
		a, b := max(sp.start, from), min(sp.end, to)
		s.escape(text[pos:a], space)
		s.out = append(s.out, "<mark>"...)
		s.escape(text[a:b], space)
		s.out = append(s.out, "</mark>"...)
		pos = b
	}
	s.escape(text[pos:to], space)
}

// escape appends str HTML-escaped, with runs of white space collapsed to one
// space (the text is plain, and newlines mean nothing inside a snippet),
// control characters dropped and invalid UTF-8 replaced, so that the output
// is valid, inert text whatever the input.
func (s *scratch) escape(str string, space *bool) {
	out := s.out
	for i := 0; i < len(str); {
		c := str[i]
		if c < utf8.RuneSelf {
			i++
			switch c {
			case ' ', '\t', '\n', '\r', '\f', '\v':
				if !*space {
					out = append(out, ' ')
					*space = true
				}
				continue
			case '<':
				out = append(out, "&lt;"...)
			case '>':
				out = append(out, "&gt;"...)
			case '&':
				out = append(out, "&amp;"...)
			case '"':
				out = append(out, "&#34;"...)
			case '\'':
				out = append(out, "&#39;"...)
			default:
				if c < 0x20 || c == 0x7F {
					continue
				}
				out = append(out, c)
			}
			*space = false
			continue
		}
		r, n := utf8.DecodeRuneInString(str[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, "\uFFFD"...)
		case unicode.IsSpace(r):
			if !*space {
				out = append(out, ' ')
				*space = true
			}
			i += n
			continue
		case r <= 0x9F: // C1 controls
			i += n
			continue
		default:
			out = append(out, str[i:i+n]...)
		}
		*space = false
		i += n
	}
	s.out = out
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}
