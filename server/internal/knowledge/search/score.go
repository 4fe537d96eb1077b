package search

import (
	"math"
	"slices"
)

// rerankDepth is how many documents, best by BM25F and coverage, get the
// phrase and exact-title boosts. Checking adjacency for every match of a long
// query of common words costs more than everything else together, and a
// boost (at most about ×2) rarely lifts a document from further down.
// The order stays a total order whatever the page: these documents by final
// score, then the rest by their unboosted score.
const rerankDepth = 128

type cand struct {
	score float32
	doc   uint32
}

// scratch holds one query's working memory. Dense per-document arrays are
// cheaper than maps at 10 k documents; a generation stamp avoids clearing them.
type scratch struct {
	gen     uint32
	stamp   []uint32
	score   []float32
	cov     []float32
	tmask   []uint32 // query terms seen in the title
	touched []uint32

	tgen   uint32
	tstamp []uint32
	ttf    []float32
	ttitle []bool
	tlist  []uint32

	terms    []qterm
	ents     [maxQueryTerms][]pent
	toks     []qtoken
	order    []int
	full     bool
	totalIDF float32
	totalPW  float32

	tk      tokenizer
	ix      *Index
	psink   parseSink
	hsink   highlightSink
	posA    []uint32
	posB    []uint32
	heap    []cand
	rest    []cand
	spans   []span
	hits    []posHit
	roff    []int
	out     []byte
	counts  [maxQueryTerms]int
	hlWords []hlTerm
	hlKeys  []hlTerm
	hlChars []hlTerm
}

func newScratch(n int) *scratch {
	s := &scratch{
		stamp:  make([]uint32, n),
		score:  make([]float32, n),
		cov:    make([]float32, n),
		tmask:  make([]uint32, n),
		tstamp: make([]uint32, n),
		ttf:    make([]float32, n),
		ttitle: make([]bool, n),
	}
	s.psink.s = s
	s.hsink.s = s
	return s
}

func idf(n int, df int) float32 {
	return float32(math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5)))
}

func saturate(w float32) float32 { return w * (bm25K1 + 1) / (w + bm25K1) }

func nextGen(g *uint32, stamps []uint32) {
	*g++
	if *g == 0 {
		clear(stamps)
		*g = 1
	}
}

func (s *scratch) touch(doc uint32) {
	if s.stamp[doc] == s.gen {
		return
	}
	s.stamp[doc] = s.gen
	s.score[doc], s.cov[doc], s.tmask[doc] = 0, 0, 0
	s.touched = append(s.touched, doc)
}

func (s *scratch) run(ix *Index, f *filter) {
	nextGen(&s.gen, s.stamp)
	s.touched = s.touched[:0]
	for ti := range s.terms {
		t := &s.terms[ti]
		switch {
		case !t.present:
		case t.expanded:
			s.scoreExpanded(ix, f, ti)
		default:
			s.scoreTerm(ix, f, ti)
		}
	}
	for k := 0; k+1 < len(s.toks); k++ {
		a, b := &s.terms[s.toks[k].term], &s.terms[s.toks[k+1].term]
		if pairable(a, b) {
			s.totalPW += a.idf + b.idf
		}
	}
}

// skipDoc moves past the positions of one document in a posting list.
func skipDoc(p []byte, i int) int {
	for i < len(p) && p[i]&1 == 0 {
		for p[i] >= 0x80 {
			i++
		}
		i++
	}
	return i
}

// fieldTF decodes one document's positions into per-field counts.
func fieldTF(p []byte, i int) ([numFields]float32, int) {
	var tf [numFields]float32
	var enc uint32
	for i < len(p) && p[i]&1 == 0 {
		var v uint32
		v, i = uvarint(p, i)
		enc += v >> 1
		tf[enc&3]++
	}
	return tf, i
}

func (d *docEntry) weigh(tf *[numFields]float32) float32 {
	return tf[0]*d.norm[0] + tf[1]*d.norm[1] + tf[2]*d.norm[2] + tf[3]*d.norm[3]
}

func (s *scratch) scoreTerm(ix *Index, f *filter, ti int) {
	t := &s.terms[ti]
	t.idf = idf(len(ix.docs), int(ix.df[t.id]))
	s.totalIDF += t.idf
	p := ix.postings[ix.postOff[t.id]:ix.postOff[t.id+1]]
	doc := ^uint32(0)
	bit := uint32(1) << ti
	for i := 0; i < len(p); {
		var v uint32
		v, i = uvarint(p, i)
		doc += v >> 1
		d := &ix.docs[doc]
		if !f.allows(d) {
			i = skipDoc(p, i)
			continue
		}
		off := ix.postOff[t.id] + uint32(i) // into the arena: pent outlives p
		var tf [numFields]float32
		tf, i = fieldTF(p, i)
		s.touch(doc)
		s.score[doc] += t.idf * saturate(d.weigh(&tf))
		s.cov[doc] += t.idf
		if tf[fieldTitle] > 0 {
			s.tmask[doc] |= bit
		}
		t.ents = append(t.ents, pent{doc: doc, off: off})
	}
}

// scoreExpanded scores a lone CJK character as the union of the bigrams it
// occurs in. An occurrence inside a run is seen by two bigrams and at the edge
// of a run by one, so each counts half, and a character is one whole
// occurrence in the middle of a word.
func (s *scratch) scoreExpanded(ix *Index, f *filter, ti int) {
	t := &s.terms[ti]
	nextGen(&s.tgen, s.tstamp)
	s.tlist = s.tlist[:0]
	for _, c := range t.chars {
		id := c & charIDMask
		weight := float32(0.5)
		if c&charFirst != 0 && c&charSecond != 0 {
			weight = 1
		}
		p := ix.postings[ix.postOff[id]:ix.postOff[id+1]]
		doc := ^uint32(0)
		for i := 0; i < len(p); {
			var v uint32
			v, i = uvarint(p, i)
			doc += v >> 1
			if s.tstamp[doc] != s.tgen {
				s.tstamp[doc] = s.tgen
				s.ttf[doc], s.ttitle[doc] = 0, false
				s.tlist = append(s.tlist, doc)
			}
			d := &ix.docs[doc]
			if !f.allows(d) {
				i = skipDoc(p, i)
				continue
			}
			var tf [numFields]float32
			tf, i = fieldTF(p, i)
			s.ttf[doc] += weight * d.weigh(&tf)
			if tf[fieldTitle] > 0 {
				s.ttitle[doc] = true
			}
		}
	}
	t.idf = idf(len(ix.docs), len(s.tlist))
	s.totalIDF += t.idf
	bit := uint32(1) << ti
	for _, doc := range s.tlist {
		w := s.ttf[doc]
		if w == 0 {
			continue // filtered out
		}
		s.touch(doc)
		s.score[doc] += t.idf * saturate(w)
		s.cov[doc] += t.idf
		if s.ttitle[doc] {
			s.tmask[doc] |= bit
		}
	}
}

// page ranks the matches and returns those at [offset, offset+limit).
func (s *scratch) page(ix *Index, offset, limit int) []cand {
	// Coverage: the share of the query's weight a document holds, squared so
	// that a document missing a rare term falls well behind one that has it
	// but still appears.
	for _, doc := range s.touched {
		c := s.cov[doc] / s.totalIDF
		s.score[doc] *= c * c
	}
	s.heap = s.selectTop(ix, s.heap[:0], rerankDepth, false)
	for i := range s.heap {
		s.heap[i].score = s.boost(ix, s.heap[i].doc, s.heap[i].score)
	}
	s.sortCands(ix, s.heap)
	want := offset + limit
	if want <= len(s.heap) {
		return s.heap[offset:want]
	}
	for _, c := range s.heap {
		s.cov[c.doc] = -1 // already ranked
	}
	s.rest = s.selectTop(ix, s.rest[:0], want-len(s.heap), true)
	s.heap = append(s.heap, s.rest...)
	return s.heap[min(offset, len(s.heap)):min(want, len(s.heap))]
}

// worse reports whether a ranks below b: lower score, or on a tie a later ID
// so that equal documents come out in a stable order.
func worse(ix *Index, a, b cand) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return ix.docs[a.doc].id > ix.docs[b.doc].id
}

func (s *scratch) sortCands(ix *Index, c []cand) {
	slices.SortFunc(c, func(a, b cand) int {
		switch {
		case worse(ix, b, a):
			return -1
		case worse(ix, a, b):
			return 1
		}
		return 0
	})
}

// selectTop appends the k best touched documents to h, best first, skipping
// those already ranked when skipRanked. A bounded heap keeps this O(n log k)
// where sorting every match of a common word would be O(n log n).
func (s *scratch) selectTop(ix *Index, h []cand, k int, skipRanked bool) []cand {
	if k <= 0 {
		return h
	}
	for _, doc := range s.touched {
		if skipRanked && s.cov[doc] < 0 {
			continue
		}
		c := cand{score: s.score[doc], doc: doc}
		if len(h) < k {
			h = append(h, c)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(ix, h[i], h[p]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if !worse(ix, h[0], c) {
			continue
		}
		h[0] = c
		for i := 0; ; {
			l, m := 2*i+1, i
			if l < len(h) && worse(ix, h[l], h[m]) {
				m = l
			}
			if r := l + 1; r < len(h) && worse(ix, h[r], h[m]) {
				m = r
			}
			if m == i {
				break
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	s.sortCands(ix, h)
	return h
}

// boost applies the phrase and exact-title boosts to one document.
func (s *scratch) boost(ix *Index, doc uint32, score float32) float32 {
	var phrase float32
	ptitle := 0
	for k := 0; k+1 < len(s.toks); k++ {
		qa, qb := s.toks[k], s.toks[k+1]
		a, b := &s.terms[qa.term], &s.terms[qb.term]
		if !pairable(a, b) {
			continue
		}
		ea, okA := findEnt(a.ents, doc)
		eb, okB := findEnt(b.ents, doc)
		if !okA || !okB {
			continue
		}
		if fl, ok := s.adjacent(ix, ea, eb, (qb.pos-qa.pos)<<2); ok {
			phrase += (a.idf + b.idf) * phraseFieldBoost[fl]
			if fl == fieldTitle {
				ptitle++
			}
		}
	}
	if s.totalPW > 0 {
		score *= 1 + phraseWeight*phrase/s.totalPW
	}
	// The title is the query: as many tokens, every term in it, every
	// neighbouring pair contiguous there.
	nt := len(s.toks)
	if int(ix.docs[doc].titleLen) == nt && ptitle == nt-1 && s.allInTitle(doc) {
		score *= exactTitleBoost
	}
	return score
}

func (s *scratch) allInTitle(doc uint32) bool {
	for i := range s.terms {
		if !s.terms[i].present || s.tmask[doc]&(1<<i) == 0 {
			return false
		}
	}
	return true
}

func findEnt(ents []pent, doc uint32) (pent, bool) {
	i, ok := slices.BinarySearchFunc(ents, doc, func(e pent, d uint32) int {
		switch {
		case e.doc < d:
			return -1
		case e.doc > d:
			return 1
		}
		return 0
	})
	if !ok {
		return pent{}, false
	}
	return ents[i], true
}

func decodePositions(p []byte, i int, buf []uint32) []uint32 {
	buf = buf[:0]
	var enc uint32
	for i < len(p) && p[i]&1 == 0 {
		var v uint32
		v, i = uvarint(p, i)
		enc += v >> 1
		buf = append(buf, enc)
	}
	return buf
}

// adjacent reports the best field in which b occurs d (shifted) positions
// after a. Adding d to an encoded position keeps its field bits, so equal
// values mean the same field.
func (s *scratch) adjacent(ix *Index, ea, eb pent, d uint32) (int, bool) {
	s.posA = decodePositions(ix.postings, int(ea.off), s.posA)
	s.posB = decodePositions(ix.postings, int(eb.off), s.posB)
	best := numFields
	for i, j := 0, 0; i < len(s.posA) && j < len(s.posB); {
		want := s.posA[i] + d
		switch {
		case s.posB[j] < want:
			j++
		case s.posB[j] > want:
			i++
		default:
			if fl := int(want & 3); fl < best {
				best = fl
				if best == fieldTitle {
					return best, true
				}
			}
			i++
			j++
		}
	}
	return best, best < numFields
}
