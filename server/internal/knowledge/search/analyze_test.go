package search

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// recorder collects tokens as strings: words as they are, CJK keys as their
// characters.
type recorder struct{ got []string }

func (r *recorder) add(t *token) {
	if t.word != nil {
		r.got = append(r.got, string(t.word))
		return
	}
	a, b := keyRunes(t.key)
	if b == 0 {
		r.got = append(r.got, string(a))
		return
	}
	r.got = append(r.got, string([]rune{a, b}))
}

func terms(s string) []string {
	var tk tokenizer
	var r recorder
	tk.tokenize(s, 0, &r)
	return r.got
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Refunds", []string{"refund"}},
		{"如何申请退款", []string{"如何", "何申", "申请", "请退", "退款"}},
		{"退", []string{"退"}},
		{"iPhone退货", []string{"iphon", "退货"}}, // stemmed like "phone"/"phones"
		{"ｉＰｈｏｎｅ　１５", []string{"iphon", "15"}},
		{"Café crème", []string{"caf", "crem"}}, // accents gone, then the final e
		{"CAFE\u0301", []string{"caf"}},         // combining accent, not precomposed
		{"customer's order", []string{"customer", "order"}},
		{"don’t", []string{"dont"}},
		{"re\u00ADfund", []string{"refund"}}, // soft hyphen
		{"😀 refund!!! 🚀", []string{"refund"}},
		{"ｶﾞｲﾄﾞ", []string{"ガイ", "イド"}}, // half-width kana recomposed
		{"비밀번호 변경", []string{"비밀번호", "변경"}},
		{"<script>alert(1)</script>", []string{"script", "alert", "1", "script"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := terms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStem(t *testing.T) {
	tests := map[string]string{
		"refunds": "refund", "refunded": "refund", "refunding": "refund", "refund": "refund",
		"shipping": "ship", "shipped": "ship", "ships": "ship",
		"policies": "policy", "applied": "apply", "applies": "apply",
		"charges": "charg", "charging": "charg", "charge": "charg",
		"addresses": "address", "address": "address", "status": "status",
		"boxes": "box", "added": "add", "called": "call", "passed": "pass",
		"string": "string", "need": "need", "the": "the",
	}
	for in, want := range tests {
		if got := string(stem([]byte(in))); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFastPath checks the shortcut of normalize against the slow path for
// every rune it covers, so that a document and a query written with
// different code paths always agree.
func TestFastPath(t *testing.T) {
	var tk tokenizer
	for r := rune(0x80); r <= 0xFFFF; r++ {
		m, ok := fastMap(r)
		if !ok {
			continue
		}
		out := tk.normSegment(string(r))
		got, n := utf8.DecodeRune(out)
		got = unicode.ToLower(got)
		if n != len(out) || got != m {
			t.Errorf("U+%04X: fast path gives %q, slow path %q", r, m, out)
		}
	}
}

func TestTokenOffsets(t *testing.T) {
	src := "Ｒｅｆｕｎｄ 退款政策 café"
	var tk tokenizer
	var spans []string
	tk.tokenize(src, 0, sinkFunc(func(tok *token) {
		spans = append(spans, src[tok.start:tok.end])
	}))
	want := []string{"Ｒｅｆｕｎｄ", "退款", "款政", "政策", "café"}
	if !slices.Equal(spans, want) {
		t.Errorf("source spans = %q, want %q", spans, want)
	}
}

type sinkFunc func(*token)

func (f sinkFunc) add(t *token) { f(t) }

func TestTokenizeHostileInput(t *testing.T) {
	inputs := []string{
		"\xff\xfe\xfd",
		"a" + strings.Repeat("\u0301", 10000),
		strings.Repeat("x", 100000),
		strings.Repeat("退", 5000),
		"\x00\x01\u202e\ufeff",
	}
	for _, in := range inputs {
		terms(in) // must not panic
	}
	if got := terms(strings.Repeat("x", 1000)); len(got) != 1 || len(got[0]) != maxWordBytes {
		t.Errorf("long word: got %d terms, first %d bytes", len(got), len(got[0]))
	}
}
