package search

import (
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// Fields, in the two low bits of every stored position. Keeping the field in
// the position lets one posting list serve BM25F and the phrase boost, and a
// phrase can never straddle two fields because the bits differ.
const (
	fieldTitle = iota
	fieldAlt
	fieldTags
	fieldBody
	numFields
)

// maxPos keeps a position, its field bits and the postings' flag bit inside
// a uint32; no real document comes near it, but a hostile one must not wrap.
const maxPos = 1<<29 - 1

// BM25F parameters. Title weighs most because the title of a FAQ is the
// question the customer is asking; similar questions are nearly as good;
// tags are curated but terse. Body length normalisation is the strongest so
// that long articles do not win by sheer size.
var (
	fieldWeight = [numFields]float32{5, 3.5, 2, 1}
	fieldB      = [numFields]float32{0.5, 0.5, 0.2, 0.75}
)

type docEntry struct {
	id       string
	title    string
	body     string
	kind     uint32
	locale   uint32
	category uint32
	titleLen uint32 // tokens, for the exact-title boost
	norm     [numFields]float32
	// bodyBase is the position of the body's first token; bodyCP[cpOff:cpEnd]
	// the byte offsets of every cpEvery-th body position, so that a snippet
	// can start tokenizing near its match instead of at the top of an article.
	bodyBase     uint32
	cpOff, cpEnd uint32
}

// cpEvery spaces the body checkpoints: a few per cent of the postings' size,
// and a snippet region never starts more than cpEvery tokens before its match.
const cpEvery = 32

// Index is an immutable search index over one tenant's documents. It is safe
// for concurrent use; build a new one to change it.
type Index struct {
	docs  []docEntry
	words map[string]uint32
	cjk   map[uint64]uint32
	// chars lists, for each CJK character, the bigram (and unigram) terms it
	// occurs in, so that a one-character query can match "退" inside "退款"
	// without indexing every character twice. Each entry is a term id whose
	// two top bits say whether the character is first, second or both.
	chars    map[rune][2]uint32
	charList []uint32

	df       []uint32
	postOff  []uint32
	postings []byte
	bodyCP   []uint32

	kinds      map[string]uint32
	locales    map[string]uint32
	categories map[string]uint32

	pool sync.Pool
}

const (
	charFirst  = 1 << 31
	charSecond = 1 << 30
	charIDMask = charSecond - 1
)

// Build indexes docs. Later documents replace earlier ones with the same ID,
// so a caller can pass an unsorted revision with overrides appended. Build
// keeps references to the documents' strings rather than copies.
func Build(docs []Doc) *Index {
	docs = dedupe(docs)
	ix := &Index{
		docs:       make([]docEntry, len(docs)),
		words:      make(map[string]uint32),
		cjk:        make(map[uint64]uint32),
		kinds:      make(map[string]uint32),
		locales:    make(map[string]uint32),
		categories: make(map[string]uint32),
	}
	b := &builder{ix: ix}
	lens := make([][numFields]uint32, len(docs))
	var sum [numFields]float64
	for i := range docs {
		d := &docs[i]
		e := &ix.docs[i]
		e.id, e.title, e.body = d.ID, d.Title, d.Body
		e.kind = intern(ix.kinds, normKind(d.Kind))
		e.locale = intern(ix.locales, normLocale(d.Locale))
		e.category = intern(ix.categories, d.Category)
		b.addDoc(uint32(i), d, &lens[i])
		e.titleLen = lens[i][fieldTitle]
		for f := range numFields {
			sum[f] += float64(lens[i][f])
		}
	}
	for f := range numFields {
		avg := float32(1)
		if len(docs) > 0 && sum[f] > 0 {
			avg = float32(sum[f] / float64(len(docs)))
		}
		for i := range ix.docs {
			ix.docs[i].norm[f] = fieldWeight[f] / (1 - fieldB[f] + fieldB[f]*float32(lens[i][f])/avg)
		}
	}
	b.finish()
	ix.buildChars()
	n := len(ix.docs)
	ix.pool.New = func() any { return newScratch(n) }
	return ix
}

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.docs)
}

func dedupe(docs []Doc) []Doc {
	seen := make(map[string]int, len(docs))
	dup := false
	for i := range docs {
		if _, ok := seen[docs[i].ID]; ok {
			dup = true
		}
		seen[docs[i].ID] = i
	}
	if !dup {
		return docs
	}
	out := make([]Doc, 0, len(seen))
	for i := range docs {
		if seen[docs[i].ID] == i {
			out = append(out, docs[i])
		}
	}
	return out
}

func intern(m map[string]uint32, v string) uint32 {
	if id, ok := m[v]; ok {
		return id
	}
	id := uint32(len(m) + 1)
	m[v] = id
	return id
}

func normKind(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// normLocale lets "zh_CN", "zh-cn" and "zh-CN" name the same locale.
func normLocale(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
}

// Postings: for each term, a stream of uvarints in document order. A value
// with its low bit set starts a document (the rest is the document-number
// delta); the values after it, low bit clear, are position deltas. A reader
// finds the next document from the first byte of a value, which holds the
// low bit, so no count needs to be stored.
//
// The builder works in two phases. Tokenizing writes (term, position) pairs
// to one sequential buffer; inverting then sizes every term's list and writes
// it in place in the arena. Appending to a hundred thousand growing slices
// instead touches two scattered cache lines per token, and the build is
// bound by memory, not by arithmetic.
type builder struct {
	ix     *Index
	tk     tokenizer
	nterms uint32
	words  []string // by term id, so the word cache can share the map's keys
	// chunks hold term<<32 | position<<2 | field for every token in document
	// order; fixed-size chunks, because regrowing one slice of millions
	// would allocate it several times over.
	chunks [][]uint64
	ntoks  uint32
	starts []uint32 // where each document's tokens begin, counting across chunks
	field  uint32
	count  uint32
	nextCP uint32
	// Small direct-mapped caches in front of the term maps: term frequencies
	// are Zipfian, so most tokens hit a few thousand terms, and the caches
	// stay in the CPU cache where a lookup in a map of 100 k terms does not.
	cjkCache  [1 << 14]struct{ key, id uint64 }
	wordCache [1 << 12]struct {
		word string
		id   uint32
	}
}

func (b *builder) termID(t *token) uint32 {
	if t.word == nil {
		slot := &b.cjkCache[(t.key*0x9E3779B97F4A7C15)>>50]
		if slot.id != 0 && slot.key == t.key {
			return uint32(slot.id - 1)
		}
		id, ok := b.ix.cjk[t.key]
		if !ok {
			id = b.newTerm()
			b.ix.cjk[t.key] = id
		}
		slot.key, slot.id = t.key, uint64(id)+1
		return id
	}
	h := uint32(2166136261)
	for _, c := range t.word {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &b.wordCache[h>>20]
	if slot.id != 0 && slot.word == string(t.word) {
		return slot.id - 1
	}
	id, ok := b.ix.words[string(t.word)]
	if !ok {
		id = b.newTerm()
		w := string(t.word)
		b.ix.words[w] = id
		b.words[id] = w
	}
	slot.word, slot.id = b.words[id], id+1
	return id
}

func (b *builder) newTerm() uint32 {
	b.words = append(b.words, "")
	b.nterms++
	return b.nterms - 1
}

func (b *builder) add(t *token) {
	if t.pos > maxPos {
		return
	}
	if b.field == fieldBody {
		for b.nextCP <= t.pos {
			b.ix.bodyCP = append(b.ix.bodyCP, uint32(t.start))
			b.nextCP += cpEvery
		}
	}
	if len(b.chunks) == 0 || len(b.chunks[len(b.chunks)-1]) == chunkTokens {
		b.chunks = append(b.chunks, make([]uint64, 0, chunkTokens))
	}
	c := &b.chunks[len(b.chunks)-1]
	*c = append(*c, uint64(b.termID(t))<<32|uint64(t.pos<<2|b.field))
	b.ntoks++
	b.count++
}

// addField indexes one piece of text. The gap of one position after each
// piece keeps a phrase from spanning two similar questions or two tags.
func (b *builder) addField(text string, field uint32, pos uint32) uint32 {
	b.field = field
	pos = b.tk.tokenize(text, pos, b)
	if pos < maxPos {
		pos++
	}
	return pos
}

const chunkTokens = 1 << 16

func (b *builder) addDoc(doc uint32, d *Doc, lens *[numFields]uint32) {
	b.starts = append(b.starts, b.ntoks)
	e := &b.ix.docs[doc]
	var pos uint32
	title := [1]string{d.Title}
	body := [1]string{d.Body}
	for f, texts := range [numFields][]string{title[:], d.Alt, d.Tags, body[:]} {
		if f == fieldBody {
			e.bodyBase, b.nextCP = pos, pos
			e.cpOff = uint32(len(b.ix.bodyCP))
		}
		b.count = 0
		for _, s := range texts {
			pos = b.addField(s, uint32(f), pos)
		}
		lens[f] = b.count
	}
	e.cpEnd = uint32(len(b.ix.bodyCP))
}

// invState is the per-term state of inverting, 16 bytes so that the array
// for a hundred thousand terms stays in the CPU's cache.
type invState struct {
	lastDoc uint32 // document number + 1; 0 for none yet
	lastEnc uint32
	cursor  uint32 // bytes so far, then where the next byte goes
	df      uint32
}

// finish inverts the token buffer into the postings arena.
func (b *builder) finish() {
	ix := b.ix
	b.starts = append(b.starts, b.ntoks)
	st := make([]invState, b.nterms)
	// Pass 1: the size of every term's list.
	b.invert(st, nil)
	ix.postOff = make([]uint32, b.nterms+1)
	ix.df = make([]uint32, b.nterms)
	var total uint32
	for i := range st {
		ix.postOff[i] = total
		ix.df[i] = st[i].df
		total += st[i].cursor
		st[i] = invState{cursor: ix.postOff[i]}
	}
	ix.postOff[b.nterms] = total
	// Pass 2: the bytes, each term's written where pass 1 made room.
	ix.postings = make([]byte, total)
	b.invert(st, ix.postings)
	b.chunks, b.starts, b.words = nil, nil, nil
}

// invert writes every term's list into p at its cursor or, when p is nil,
// only advances the cursors to size the lists.
func (b *builder) invert(st []invState, p []byte) {
	if b.ntoks == 0 {
		return // also no documents, and no starts[1]
	}
	put := func(s *invState, v uint64) {
		if p == nil {
			s.cursor += uvarintLen(v)
			return
		}
		for v >= 0x80 {
			p[s.cursor] = byte(v) | 0x80
			s.cursor++
			v >>= 7
		}
		p[s.cursor] = byte(v)
		s.cursor++
	}
	doc, next, i := 0, b.starts[1], uint32(0)
	for _, c := range b.chunks {
		for _, e := range c {
			for i == next { // past the end of this document, and of any empty ones
				doc++
				next = b.starts[doc+1]
			}
			i++
			d := uint32(doc) + 1
			s := &st[e>>32]
			enc := uint32(e)
			if s.lastDoc != d {
				put(s, uint64(d-s.lastDoc)<<1|1)
				s.lastDoc, s.lastEnc = d, 0
				s.df++
			}
			put(s, uint64(enc-s.lastEnc)<<1)
			s.lastEnc = enc
		}
	}
}

func uvarintLen(v uint64) uint32 { return uint32(bits.Len64(v|1)+6) / 7 }

func (ix *Index) buildChars() {
	counts := make(map[rune]uint32)
	for key := range ix.cjk {
		a, b := keyRunes(key)
		counts[a]++
		if b != 0 && b != a {
			counts[b]++
		}
	}
	ix.chars = make(map[rune][2]uint32, len(counts))
	ix.charList = make([]uint32, 0, len(ix.cjk)*2)
	// Offsets in rune order, so the layout does not depend on map order.
	runes := make([]rune, 0, len(counts))
	for r := range counts {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	var off uint32
	for _, r := range runes {
		ix.chars[r] = [2]uint32{off, off}
		off += counts[r]
	}
	ix.charList = ix.charList[:off]
	for key, id := range ix.cjk {
		a, b := keyRunes(key)
		switch {
		case b == 0 || a == b: // unigram, or "哈哈": the character is both
			ix.putChar(a, id|charFirst|charSecond)
		default:
			ix.putChar(a, id|charFirst)
			ix.putChar(b, id|charSecond)
		}
	}
	// Sorted so that scores, which are float sums, do not depend on map order.
	for _, r := range runes {
		span := ix.chars[r]
		slices.Sort(ix.charList[span[0]:span[1]])
	}
}

func (ix *Index) putChar(r rune, v uint32) {
	span := ix.chars[r]
	ix.charList[span[1]] = v
	span[1]++
	ix.chars[r] = span
}

// keyRunes unpacks a CJK key; b is 0 for a unigram.
func keyRunes(key uint64) (a, b rune) {
	if key&unigramBit != 0 {
		return rune(key & runeMask), 0
	}
	return rune(key >> runeBits), rune(key & runeMask)
}

// uvarint is binary.Uvarint without the overflow checks, which the index
// does not need because it wrote every byte itself.
func uvarint(p []byte, i int) (uint32, int) {
	b := p[i]
	if b < 0x80 {
		return uint32(b), i + 1
	}
	v := uint32(b & 0x7F)
	shift := uint(7)
	for {
		i++
		b = p[i]
		if b < 0x80 {
			return v | uint32(b)<<shift, i + 1
		}
		v |= uint32(b&0x7F) << shift
		shift += 7
	}
}
