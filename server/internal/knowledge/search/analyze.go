package search

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// token is one indexable unit. word aliases the tokenizer's buffer, so a sink
// must copy it if it keeps it past the call.
type token struct {
	word  []byte // nil for CJK tokens
	key   uint64 // CJK bigram or unigram key, see bigramKey and unigramKey
	pos   uint32
	start int // source byte offsets
	mid   int // start of the second character of a bigram, for unigram highlights
	end   int
}

type sink interface {
	add(t *token)
}

// CJK terms live in their own map keyed by packed runes: Chinese text makes
// most of the terms, and a uint64 key spares a string allocation per bigram
// both when building and when looking up. Runes fit in 21 bits.
const (
	runeBits   = 21
	runeMask   = 1<<runeBits - 1
	unigramBit = 1 << (2 * runeBits)
)

func bigramKey(a, b rune) uint64 { return uint64(a)<<runeBits | uint64(b) }
func unigramKey(r rune) uint64   { return unigramBit | uint64(r) }

// maxWordBytes bounds a single word so that base64 blobs and URLs pasted into
// an answer cannot blow up the term dictionary; the rest of such a word still
// counts towards its highlight but not its term.
const maxWordBytes = 64

// maxSegmentBytes bounds a normalisation segment: "zalgo" text can stack
// thousands of combining marks on one letter, and norm would happily buffer them.
const maxSegmentBytes = 128

type runeClass uint8

const (
	clsSep runeClass = iota
	clsWord
	clsMark
	clsApos
	clsCJK
	clsIgnore
)

type cjkRune struct {
	r          rune
	start, end int
}

// tokenizer turns text into word and CJK tokens with their source offsets.
// Index and query share it, so that whatever the normalisation does, both
// sides agree; highlights re-run it on the stored text to find offsets instead
// of storing them.
type tokenizer struct {
	word       []byte
	wordStart  int
	wordEnd    int
	apos       bool
	run        []cjkRune
	nbuf, cbuf []byte
	pos        uint32
	out        sink
	tok        token
}

// tokenize feeds the tokens of s to out, numbering positions from pos, and
// returns the next free position. A CJK run of n characters occupies n
// positions, its bigrams sitting at the first n-1: a lone character (a
// unigram) then still takes one, and a query's neighbours are as far apart
// as the same words in a document.
func (t *tokenizer) tokenize(s string, pos uint32, out sink) uint32 {
	t.pos = pos
	t.out = out
	t.word = t.word[:0]
	t.run = t.run[:0]
	t.apos = false
	t.normalize(s)
	t.flushWord()
	t.flushRun()
	t.out = nil
	return t.pos
}

// normalize applies NFKC-with-accents-stripped and lowercase one segment at a
// time, so every output rune keeps the source range it came from. ASCII, Han,
// kana, Hangul syllables and full-width forms take a fast path that was
// checked against the slow one for every rune in those ranges (TestFastPath).
func (t *tokenizer) normalize(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if i+1 < len(s) && s[i+1] >= utf8.RuneSelf && !boundaryAt(s, i+1) {
				i = t.slowSegment(s, i) // a letter with a combining accent
				continue
			}
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				t.wordByte(c, i)
			case 'A' <= c && c <= 'Z':
				t.wordByte(c+'a'-'A', i)
			default:
				t.feed(rune(c), i, i+1)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			t.feed(r, i, i+1)
			i++
			continue
		}
		if m, ok := fastMap(r); ok && boundaryAt(s, i+size) {
			if isFastCJK(m) {
				if len(t.word) > 0 || t.apos {
					t.flushWord()
				}
				t.run = append(t.run, cjkRune{r: m, start: i, end: i + size})
			} else {
				t.feed(m, i, i+size)
			}
			i += size
			continue
		}
		i = t.slowSegment(s, i)
	}
}

// wordByte is feed for an ASCII letter or digit, the commonest case.
func (t *tokenizer) wordByte(c byte, i int) {
	if len(t.run) > 0 {
		t.flushRun()
	}
	if len(t.word) == 0 {
		t.wordStart = i
	}
	t.apos = false
	if len(t.word) < maxWordBytes {
		t.word = append(t.word, c)
	}
	t.wordEnd = i + 1
}

// isFastCJK is the part of isCJK that fastMap passes through unchanged.
func isFastCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FA
}

// boundaryAt reports whether the rune at s[j:] cannot combine with what
// precedes it.
func boundaryAt(s string, j int) bool {
	if j >= len(s) || s[j] < utf8.RuneSelf {
		return true
	}
	r, size := utf8.DecodeRuneInString(s[j:])
	if size == 1 {
		return true // invalid UTF-8 never combines
	}
	if _, ok := fastMap(r); ok {
		return true
	}
	return norm.NFKD.PropertiesString(s[j:]).BoundaryBefore()
}

// fastMap returns what the slow path would produce for runes that are common
// in Chinese and English help texts and normalise to a single rune on their own.
func fastMap(r rune) (rune, bool) {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF,
		r >= 0xAC00 && r <= 0xD7A3,
		r >= 0x3041 && r <= 0x3096, r >= 0x30A1 && r <= 0x30FA,
		r >= 0x3001 && r <= 0x3003, r >= 0x3008 && r <= 0x3011:
		return r, true
	case r >= 0xFF01 && r <= 0xFF5E:
		m := r - 0xFEE0
		if 'A' <= m && m <= 'Z' {
			m += 'a' - 'A'
		}
		return m, true
	case r == 0x3000:
		return ' ', true
	}
	return 0, false
}

// isDiacritic reports the combining marks that "strip accents" removes. Other
// marks (kana voicing, Indic vowel signs) carry meaning and are kept.
func isDiacritic(r rune) bool {
	return r >= 0x0300 && r <= 0x036F || r >= 0x1AB0 && r <= 0x1AFF ||
		r >= 0x1DC0 && r <= 0x1DFF || r >= 0x20D0 && r <= 0x20FF ||
		r >= 0xFE20 && r <= 0xFE2F
}

func (t *tokenizer) slowSegment(s string, i int) int {
	_, size := utf8.DecodeRuneInString(s[i:])
	j := i + size
	for j < len(s) && j-i < maxSegmentBytes && !boundaryAt(s, j) {
		_, size := utf8.DecodeRuneInString(s[j:])
		j += size
	}
	out := t.normSegment(s[i:j])
	for k := 0; k < len(out); {
		r, n := utf8.DecodeRune(out[k:])
		t.feed(unicode.ToLower(r), i, j)
		k += n
	}
	return j
}

// normSegment normalises one segment, before lowercasing. NFKD then dropping
// diacritics strips accents; recomposing what is left gives NFKC for the rest
// (kana keep their voicing marks).
func (t *tokenizer) normSegment(seg string) []byte {
	t.nbuf = norm.NFKD.AppendString(t.nbuf[:0], seg)
	t.cbuf = t.cbuf[:0]
	for k := 0; k < len(t.nbuf); {
		r, n := utf8.DecodeRune(t.nbuf[k:])
		if !isDiacritic(r) {
			t.cbuf = append(t.cbuf, t.nbuf[k:k+n]...)
		}
		k += n
	}
	t.nbuf = norm.NFC.Append(t.nbuf[:0], t.cbuf...)
	return t.nbuf
}

func isCJK(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF,
		r >= 0x3041 && r <= 0x3096, r >= 0x309D && r <= 0x309F,
		r >= 0x30A1 && r <= 0x30FA, r >= 0x30FC && r <= 0x30FF:
		return true
	case r >= 0xAC00 && r <= 0xD7A3:
		return false // Hangul is written with spaces: words, not bigrams
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) && unicode.IsLetter(r)
}

func classify(r rune) runeClass {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9', 'A' <= r && r <= 'Z':
			return clsWord
		case r == '\'':
			return clsApos
		}
		return clsSep
	}
	switch {
	case isCJK(r):
		return clsCJK
	case r == 0x2019 || r == 0x02BC:
		return clsApos
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return clsWord
	case unicode.IsMark(r):
		return clsMark
	case r == 0x200B: // zero-width space is a word break in all but name
		return clsSep
	case unicode.Is(unicode.Cf, r):
		// Soft hyphens and joiners inside a word must not split it.
		return clsIgnore
	}
	return clsSep
}

func (t *tokenizer) feed(r rune, start, end int) {
	switch classify(r) {
	case clsWord:
		if len(t.run) > 0 {
			t.flushRun()
		}
		if len(t.word) == 0 {
			t.wordStart = start
		}
		t.apos = false
		if len(t.word)+utf8.RuneLen(r) <= maxWordBytes {
			t.word = utf8.AppendRune(t.word, r)
		}
		t.wordEnd = end
	case clsMark:
		// A mark only means something on the letter it follows; a stray one
		// (or a variation selector after a Han character) must not break a run.
		if len(t.word) > 0 && !t.apos {
			if len(t.word)+utf8.RuneLen(r) <= maxWordBytes {
				t.word = utf8.AppendRune(t.word, r)
			}
			t.wordEnd = end
		}
	case clsApos:
		// "customer's" and "don't" join up; the plural stemmer then turns
		// "customers" into "customer".
		if len(t.word) > 0 && !t.apos {
			t.apos = true
		} else {
			t.flushWord()
		}
	case clsCJK:
		t.flushWord()
		t.run = append(t.run, cjkRune{r: r, start: start, end: end})
	case clsIgnore:
	default:
		t.flushWord()
		t.flushRun()
	}
}

func (t *tokenizer) flushWord() {
	t.apos = false
	if len(t.word) == 0 {
		return
	}
	w := t.word
	if isASCIIAlpha(w) {
		w = stem(w)
	}
	t.tok = token{word: w, pos: t.pos, start: t.wordStart, mid: t.wordEnd, end: t.wordEnd}
	t.out.add(&t.tok)
	t.pos++
	t.word = t.word[:0]
}

func (t *tokenizer) flushRun() {
	n := len(t.run)
	switch n {
	case 0:
		return
	case 1:
		c := t.run[0]
		t.emitCJK(unigramKey(c.r), t.pos, c.start, c.end, c.end)
	default:
		for i := 0; i+1 < n; i++ {
			a, b := t.run[i], t.run[i+1]
			t.emitCJK(bigramKey(a.r, b.r), t.pos+uint32(i), a.start, b.start, b.end)
		}
	}
	t.pos += uint32(n)
	t.run = t.run[:0]
}

// emitCJK sets the fields one by one: assigning a whole token would store
// its word slice too, and a pointer store pays for a GC write barrier
// while the build is allocating.
func (t *tokenizer) emitCJK(key uint64, pos uint32, start, mid, end int) {
	if t.tok.word != nil {
		t.tok.word = nil
	}
	t.tok.key, t.tok.pos = key, pos
	t.tok.start, t.tok.mid, t.tok.end = start, mid, end
	t.out.add(&t.tok)
}

func isASCIIAlpha(w []byte) bool {
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func hasSuffix(w []byte, suf string) bool {
	return len(w) >= len(suf) && string(w[len(w)-len(suf):]) == suf
}

func hasVowel(w []byte) bool {
	for _, c := range w {
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			return true
		}
	}
	return false
}

// stem is deliberately light: plurals, -ing, -ed and a final e, which is
// what customers' wording varies in ("refunds", "refunded", "charging" vs
// "charge"). Porter-style suffix stripping conflates too much for short FAQ
// titles. It rewrites w in place.
func stem(w []byte) []byte {
	if len(w) <= 3 {
		return w
	}
	switch {
	case hasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case hasSuffix(w, "ies") && len(w) > 4:
		w[len(w)-3] = 'y'
		w = w[:len(w)-2]
	case hasSuffix(w, "ss"), hasSuffix(w, "us"), hasSuffix(w, "is"):
	case w[len(w)-1] == 's':
		w = w[:len(w)-1]
	}
	switch {
	case hasSuffix(w, "ied") && len(w) > 4:
		w[len(w)-3] = 'y'
		w = w[:len(w)-2]
	case hasSuffix(w, "ing") && len(w)-3 >= 3 && hasVowel(w[:len(w)-3]):
		w = undouble(w[:len(w)-3])
	case hasSuffix(w, "ed") && len(w)-2 >= 3 && hasVowel(w[:len(w)-2]):
		w = undouble(w[:len(w)-2])
	}
	if len(w) >= 4 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	return w
}

// undouble maps "shipp" (from shipping/shipped) back to "ship" but leaves
// "call", "pass" and "add" alone.
func undouble(w []byte) []byte {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] {
		switch w[n-1] {
		case 'b', 'd', 'g', 'm', 'n', 'p', 'r', 't':
			return w[:n-1]
		}
	}
	return w
}
