// Package nlu matches a customer's question to an FAQ entry: text normalisation and
// tokenisation (English, Chinese and mixed), sparse n-gram features, a linear model
// trained per tenant, nearest-neighbour evidence from the FAQ's similar questions,
// a calibrated confidence, and a compact binary form. It is pure Go with no I/O so
// that the bot engine, the eval command and the benchmarks run the same code.
package nlu

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxInputBytes bounds the work one query can cause: customer questions are short,
// and a pasted 1 MB log must neither stall the bot nor change its latency profile.
const maxInputBytes = 2048

// Normalize folds the surface variation that does not change a question's meaning:
// NFKC (full-width Latin and digits become ASCII, compatibility ideographs become the
// ideographs), lower case, Traditional Chinese characters to Simplified, HTML tags and entities removed, whitespace collapsed.
func Normalize(text string) string {
	text = truncate(text, maxInputBytes)
	if strings.ContainsRune(text, '<') {
		text = stripTags(text)
	}
	if strings.ContainsRune(text, '&') {
		text = html.UnescapeString(text)
	}
	text = norm.NFKC.String(text)
	var b strings.Builder
	b.Grow(len(text))
	space := true
	for _, r := range text {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || isInvisible(r) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(simplify(unicode.ToLower(r)))
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// isInvisible reports zero-width and formatting runes (ZWJ in emoji sequences,
// variation selectors, BOM) that would otherwise split or glue tokens at random.
func isInvisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) && r >= 0xFE00 && r <= 0xFE0F
}

// stripTags drops things that look like HTML tags (<br>, </p>, <a href=…>) which
// widgets and e-mail channels leave in messages. A lone '<' as in "fee < 5" stays.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!') {
			if j := strings.IndexByte(s[i:], '>'); j > 0 && j < 256 {
				b.WriteByte(' ')
				i += j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// Token is one unit of a normalised text.
type Token struct {
	Text string
	// CJK marks a single Han/Kana/Hangul character: such scripts have no spaces, so
	// each character is a token and its neighbours form the bigrams that stand in
	// for words (the usual CJK baseline, far lighter than a dictionary segmenter).
	CJK bool
}

// Tokenize normalises text and splits it into tokens: runs of letters and digits
// (apostrophes inside words are dropped, so "don't" and "dont" meet), single CJK
// characters, and single symbols such as emoji or currency signs, which carry
// meaning in short chat messages. Other punctuation separates tokens.
func Tokenize(text string) []Token {
	return appendTokens(nil, Normalize(text))
}

func appendTokens(toks []Token, s string) []Token {
	start := -1
	var word strings.Builder
	flush := func() {
		if start >= 0 {
			toks = append(toks, Token{Text: word.String()})
			word.Reset()
			start = -1
		}
	}
	for i, r := range s {
		switch {
		case isCJK(r):
			flush()
			toks = append(toks, Token{Text: s[i : i+utf8.RuneLen(r)], CJK: true})
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if start < 0 {
				start = i
			}
			word.WriteRune(r)
		case (r == '\'' || r == '’') && start >= 0:
			// inside a word: skip, "can't" → "cant"
		case unicode.Is(unicode.So, r) || unicode.Is(unicode.Sc, r):
			flush()
			toks = append(toks, Token{Text: s[i : i+utf8.RuneLen(r)]})
		default:
			flush()
		}
	}
	flush()
	return toks
}

func isCJK(r rune) bool {
	if r < 0x2E80 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
